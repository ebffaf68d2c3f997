"""Paths users give: an unusable output path or an unknown override set is a one-line error."""

from __future__ import annotations

from pathlib import Path

from tests.conftest import Cli


def test_unwritable_report_directory_is_a_usage_error(cli: Cli, tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a directory", encoding="utf-8")
    result = cli(["report", "html", str(blocker / "out")])
    assert result.exit_code == 2
    assert result.stderr.strip().startswith(f"Error: cannot use {blocker}") and "internal error" not in result.stderr


def test_templates_check_names_unknown_override_sets(cli: Cli) -> None:
    result = cli("templates check --municipality nowhere")
    assert result.exit_code == 4 and "no template overrides for 'nowhere'" in result.stderr
    assert "hudiksvall" in result.stderr  # the shipped example override is listed as known
    assert "passed" in cli.ok("templates check --municipality hudiksvall").output


def test_hudiksvall_documents_carry_its_own_letterhead(cli: Cli) -> None:
    from tests.test_journey_cli import JOURNEY

    cli.ok("municipalities seed")
    cli.ok("open Hudiksvall")
    cli.ok(f"advance Hudiksvall {' '.join(JOURNEY[0])}")  # enters letter_of_intent: the avsiktsförklaring
    listed = cli.ok("documents list Hudiksvall").output
    assert "(override)" in listed
    html = next(Path(cli.env["JOURNEY_OUTPUT_DIR"]).rglob("*.html")).read_text(encoding="utf-8")
    assert "Kommunledningsförvaltningen, 824 80 Hudiksvall" in html
