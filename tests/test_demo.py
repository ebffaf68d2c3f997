"""`journey demo`: the main job of a fresh install, idempotent on re-run."""

from __future__ import annotations

import json
import re
from pathlib import Path

from journey.domain.municipality import NETWORK_MUNICIPALITIES
from tests.conftest import Cli


def test_demo_builds_twelve_cases_at_varied_stages_and_is_idempotent(cli: Cli, tmp_path: Path) -> None:
    out = cli.ok("demo").output
    assert "12 cases opened" in out and "  Hudiksvall: 12 steps\n" in out and "  Laxå: 3 steps\n" in out
    assert "export JOURNEY_DATABASE_URL" not in out  # a named database: the commands read it already
    rows = json.loads(cli.ok("status --json").output)
    assert len(rows) == 12
    assert len({r["stage"] for r in rows}) >= 8
    assert {r["workflow"] for r in rows} == {"handbook@2", "handbook-integrated@2"}
    # the database is marked demo=true: a second run is allowed, changes nothing and says so, each line of
    # progress in the user's language
    again = cli.ok("demo", JOURNEY_LANG="sv").output
    assert "  Hudiksvall: har redan ett ärende, lämnas orört\n" in again, again
    assert "12 resor öppnade" not in again and ": 0 resor öppnade, 0 loggade steg." in again, again
    assert json.loads(cli.ok("status --json").output) == rows
    _assert_documents_read_as_swedish_officials_write(tmp_path / "documents")


def _assert_documents_read_as_swedish_officials_write(documents: Path) -> None:
    """What the demo wrote: each municipality under its formal name, none of the errors of #13."""
    for m in NETWORK_MUNICIPALITIES:
        pages = sorted(documents.glob("*/*.html"))
        own = [p for p in pages if p.read_text(encoding="utf-8").count(f"<strong>{m.formal_name}</strong>")]
        assert own, f"no document names {m.formal_name}"
        for page in own:
            text = re.sub(r"<[^>]+>", " ", page.read_text(encoding="utf-8"))
            assert f"{m.name} kommun" not in text.replace(m.formal_name, ""), page.name
            for wrong in ("riktlinjeen", "Antagande av Riktlinje", "KS sammanträde", "minst 20 procent", "2023-02-28"):
                assert wrong not in text, (page.name, wrong)
    letter = next(documents.glob("söderhamn/*avsiktsförklaring*.html")).read_text(encoding="utf-8")
    assert "Om projektet beviljas" in letter and "2021–2022" in letter
    award = next(documents.glob("söderhamn/*direktupphandling*.html")).read_text(encoding="utf-8")
    # the demo's deal falls on 2022-01-03 (the clock stands at 2022-03-01): the rule before 19 a kap. applied
    assert ("Direktupphandlingen beslutades den 3 januari 2022. Då gällde 19 kap. 7 § lagen (2016:1145) om offentlig "
            "upphandling med en direktupphandlingsgräns på 626\u00a0284\u00a0kr exklusive moms.") in award


def test_demo_uses_its_own_home_unless_a_database_is_named(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from journey.cli import cli as journey
    from tests.conftest import NOW, TEMPLATES, WORKFLOWS

    home = tmp_path / "home"
    env = {"JOURNEY_HOME": str(home), "JOURNEY_WORKFLOWS_DIR": str(WORKFLOWS), "JOURNEY_TEMPLATES_DIR": str(TEMPLATES),
           "JOURNEY_NOW": NOW.isoformat(), "JOURNEY_USER": "", "JOURNEY_DEBUG": "", "JOURNEY_DATABASE_URL": "",
           "JOURNEY_OUTPUT_DIR": ""}
    run = CliRunner()
    out = run.invoke(journey, ["demo"], env=env, catch_exceptions=False)
    assert out.exit_code == 0, out.output
    assert (home / "demo" / "journey.db").is_file() and not (home / "journey.db").exists()
    assert (home / "demo" / "documents").is_dir() and not (home / "documents").exists()
    assert str(home / "demo" / "journey.db") in out.output
    # the closing hints work as printed: the other commands are told where the demo database is
    url = f"sqlite:///{home / 'demo' / 'journey.db'}"
    assert f"\n  export JOURNEY_DATABASE_URL={url}\n" in out.output
    why = run.invoke(journey, ["why", "Umeå"], env=env | {"JOURNEY_DATABASE_URL": url}, catch_exceptions=False)
    assert why.exit_code == 0 and why.output.startswith("Umeå"), why.output
    # and a document written then lands beside the demo's others, not in a second documents folder
    before = set((home / "demo" / "documents" / "umeå").iterdir())
    render = run.invoke(journey, ["documents", "render", "Umeå", "handlingsplan", "--format", "html"],
                        env=env | {"JOURNEY_DATABASE_URL": url}, catch_exceptions=False)
    assert render.exit_code == 0, render.output
    assert len(set((home / "demo" / "documents" / "umeå").iterdir()) - before) == 1
    by_flag = run.invoke(journey, ["--db", url, "documents", "render", "Umeå", "handlingsplan", "--format", "md"],
                         env=env, catch_exceptions=False)  # named by --db instead: the same
    assert by_flag.exit_code == 0, by_flag.output
    assert len(set((home / "demo" / "documents" / "umeå").iterdir()) - before) == 2
    assert not (home / "documents").exists()


def test_demo_refuses_a_database_with_real_cases_and_leaves_it_as_it_was(cli: Cli) -> None:
    cli.ok("municipalities seed")
    cli.ok("open Umeå --as anna")
    before = cli.ok("status --json").output
    refused = cli("demo")
    assert refused.exit_code == 3 and refused.output.count("\n") == 1
    assert "holds 1 real (non-demo) case(s)" in refused.output
    assert cli.ok("status --json").output == before  # nothing written
