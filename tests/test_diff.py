"""`journey workflows diff`: renames from the declared mapping, similarity only as a hint."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from journey.definitions.catalog import WorkflowCatalog
from journey.services.workflows.versions import diff_workflows
from tests.conftest import Cli, workflows_v1

VERSIONS = Path(__file__).parent / "data" / "workflows" / "versions"


@pytest.fixture(autouse=True)
def _no_spec_cache(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("JOURNEY_NO_CACHE", "1")


def changes(diff: object, what: str) -> set[tuple[str, str, str]]:
    return {(c.kind, c.old, c.new) for c in diff.of(what)}  # type: ignore[attr-defined]


def test_states_and_transitions_added_removed_renamed_between_v1_and_v2() -> None:
    diff = diff_workflows(WorkflowCatalog.from_directory(VERSIONS), "handbook@1", "handbook@2", VERSIONS)
    assert (diff.old, diff.new) == ("handbook@1", "handbook@2")
    assert changes(diff, "state") == {
        ("renamed", "needs_inventory", "needs_analysis"),
        ("removed", "anchoring", "political_intent"),
        ("renamed", "collaboration.external.forming", "collaboration.external.dialogue"),
        ("changed", "political_intent", "political_intent"),
    }
    assert changes(diff, "transition") == {
        ("renamed", "approve_inventory", "approve_analysis"),
        ("removed", "anchor_in_board", ""),
        ("changed", "express_political_intent", "express_political_intent"),
    }
    assert diff.hints == [] and diff.of("evidence") == []


def test_a_rename_without_mapping_is_removed_plus_added_with_a_hint(tmp_path: Path) -> None:
    text = (VERSIONS / "handbook-v2.yaml").read_text(encoding="utf-8").replace(
        "    needs_inventory: needs_analysis\n", "")
    shutil.copy(VERSIONS / "handbook-v1.yaml", tmp_path)
    (tmp_path / "handbook-v2.yaml").write_text(text, encoding="utf-8")
    diff = diff_workflows(WorkflowCatalog.from_directory(tmp_path), "handbook@1", None, tmp_path)
    assert ("removed", "needs_inventory", "") in changes(diff, "state")
    assert ("added", "", "needs_analysis") in changes(diff, "state")
    assert len(diff.hints) == 1 and diff.hints[0].startswith("needs_inventory may have been renamed needs_analysis")


def test_diff_against_a_draft_file_before_it_is_published(tmp_path: Path) -> None:
    draft = tmp_path / "drafts" / "handbook-v2.yaml"
    draft.parent.mkdir()
    shutil.copy(VERSIONS / "handbook-v2.yaml", draft)
    cli = Cli(f"sqlite:///{tmp_path / 'j.db'}", tmp_path)
    shipped = workflows_v1(tmp_path / "wf")  # as before handbook@2 was published
    out = cli.ok(f"workflows diff handbook@1 {draft}", JOURNEY_WORKFLOWS_DIR=str(shipped)).output
    assert "~ renamed  needs_inventory -> needs_analysis  (declared)" in out
    assert "- removed  anchoring  (cases move to political_intent)" in out
    assert "~ renamed  approve_inventory -> approve_analysis" in out
    swedish = cli.ok(f"workflows diff handbook@1 {draft}", JOURNEY_WORKFLOWS_DIR=str(shipped), JOURNEY_LANG="sv").output
    assert "\nLägen:\n" in swedish and "\nSteg:\n" in swedish
    assert "~ omdöpt    needs_inventory -> needs_analysis  (angivet under migrations.states)" in swedish
    assert "- borttagen anchoring  (ärendena flyttas till political_intent)" in swedish


def test_diff_json_and_between_different_workflows(tmp_path: Path) -> None:
    cli = Cli(f"sqlite:///{tmp_path / 'j.db'}", tmp_path)
    data = json.loads(cli.ok("workflows diff handbook@1 handbook@2 --json", JOURNEY_WORKFLOWS_DIR=str(VERSIONS)).output)
    assert {"kind": "renamed", "what": "state", "old": "needs_inventory", "new": "needs_analysis",
            "detail": "declared"} in data["changes"]
    shipped = str(workflows_v1(tmp_path / "wf"))
    variant = json.loads(cli.ok("workflows diff handbook handbook-integrated --json",
                                JOURNEY_WORKFLOWS_DIR=shipped).output)
    assert ("removed", "adopt_policy") in {(c["kind"], c["old"]) for c in variant["changes"]} or \
        ("renamed", "adopt_policy") in {(c["kind"], c["old"]) for c in variant["changes"]}
    assert variant["hints"][0].startswith("handbook-integrated@1 does not migrate from handbook@1")
    same = cli.ok("workflows diff handbook@1 handbook@1", JOURNEY_WORKFLOWS_DIR=shipped).output
    assert "no differences" in same


def test_validate_checks_mapped_old_paths_against_the_from_version(tmp_path: Path) -> None:
    workflows_v1(tmp_path / "wf")
    text = (VERSIONS / "handbook-v2.yaml").read_text(encoding="utf-8")
    (tmp_path / "wf" / "handbook-v2.yaml").write_text(text.replace("    anchoring:", "    anchorage:"), encoding="utf-8")
    cli = Cli(f"sqlite:///{tmp_path / 'j.db'}", tmp_path)
    result = cli("workflows validate", JOURNEY_WORKFLOWS_DIR=str(tmp_path / "wf"))
    assert result.exit_code == 7
    assert result.stderr.strip().endswith(
        "handbook-v2.yaml:12: migrations.states.anchorage: 'anchorage' is not a state of handbook@1")
    (tmp_path / "wf" / "handbook-v2.yaml").write_text(text, encoding="utf-8")
    assert "ok  handbook@2" in cli.ok("workflows validate", JOURNEY_WORKFLOWS_DIR=str(tmp_path / "wf")).output


def test_a_document_declared_otherwise_under_the_same_id_is_named_with_what_changed(tmp_path: Path) -> None:
    text = (VERSIONS / "handbook-v2.yaml").read_text(encoding="utf-8")
    changed = text.replace("template: tjansteskrivelse_ansvar, organ: Kommunstyrelsen,",
                           "template: tjansteskrivelse_ansvar, organ: Kommunfullmäktige, formats: [docx],")
    assert changed != text
    shutil.copy(VERSIONS / "handbook-v1.yaml", tmp_path)
    (tmp_path / "handbook-v2.yaml").write_text(text, encoding="utf-8")
    migrations = "  from: 1\n  states:\n    needs_inventory: needs_analysis\n    anchoring: political_intent\n" \
                 "    collaboration.external.forming: collaboration.external.dialogue\n"
    assert migrations in changed
    v3 = changed.replace("version: 2", "version: 3", 1).replace(migrations, "  from: 2\n")
    (tmp_path / "handbook-v3.yaml").write_text(v3, encoding="utf-8")
    diff = diff_workflows(WorkflowCatalog.from_directory(tmp_path), "handbook@2", "handbook@3", tmp_path)
    [change] = diff.of("state")
    assert change.detail == "documents tjansteskrivelse_ansvar: formats, organ changed"  # not "documents: x -> x"
