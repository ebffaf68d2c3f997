"""Loading and validating workflow definitions: every error names file, line and key."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from journey.definitions.catalog import WorkflowCatalog
from journey.definitions.loader import load_all, load_text
from journey.definitions.machine import MachineCache
from journey.domain.errors import DefinitionError, DefinitionErrors
from tests.conftest import WORKFLOWS, Cli

MINI = """\
workflow: mini
version: 1
initial: a
evidence:
  sig:
    title: Signed
    fields:
      date: {type: date}
states:
  - id: a
  - id: b
  - {id: c, final: true}
transitions:
  - {trigger: go, source: a, dest: b, guards: [sig]}
  - {trigger: finish, source: b, dest: c}
"""


def errors_of(text: str) -> list[DefinitionError]:
    with pytest.raises(DefinitionError) as info:
        load_text(textwrap.dedent(text), "wf.yaml")
    exc = info.value
    return exc.errors if isinstance(exc, DefinitionErrors) else [exc]


def test_every_shipped_workflow_loads_validates_and_compiles() -> None:
    registry = WorkflowCatalog.from_directory(WORKFLOWS)
    assert {"handbook", "handbook-integrated"} <= set(registry.names())
    machines = MachineCache()
    for spec in registry.all():
        machines.get(spec)
    assert len(machines) == len(registry.all())


def test_the_handbook_covers_the_stages_of_the_domain_table() -> None:
    spec = WorkflowCatalog.from_directory(WORKFLOWS).get("handbook")
    stages = [s.handbook_stage for s in spec.states]
    assert stages == [str(i) for i in range(11)]
    collaboration = spec.state("collaboration")
    assert collaboration is not None and collaboration.is_parallel
    assert {r.id for r in collaboration.children} == {"internal", "external"}
    board = spec.evidence_kind("board_decision")
    assert board is not None and [f.name for f in board.fields] == ["organ", "meeting_date", "paragraph", "diarienummer"]


def test_broken_yaml_names_file_and_line() -> None:
    [err] = errors_of("workflow: x\nversion: 1\nstates: [a, b\n")
    assert err.file == "wf.yaml" and err.line == 4
    assert str(err).startswith("wf.yaml:4: invalid YAML")


def test_unknown_state_in_transition_names_line_and_key() -> None:
    text = MINI.replace("dest: c}", "dest: nowhere}")
    errs = errors_of(text)
    assert any(e.key == "transitions[finish].dest" and e.line == 15 and "unknown state 'nowhere'" in str(e) for e in errs)


def test_unknown_guard_is_reported() -> None:
    [err] = errors_of(MINI.replace("guards: [sig]", "guards: [sig, board_decision]"))
    assert "unknown guard 'board_decision'" in str(err) and err.line == 14


def test_unreachable_and_dead_end_states_are_reported() -> None:
    text = MINI.replace("  - {id: c, final: true}", "  - {id: c, final: true}\n  - id: island")
    errs = errors_of(text)
    assert any("states.island" in str(e) and "unreachable" in str(e) for e in errs)
    dead = MINI.replace("  - {trigger: finish, source: b, dest: c}\n", "  - {trigger: finish, source: a, dest: c}\n")
    errs = errors_of(dead)
    assert any("states.b" in str(e) and "dead end" in str(e) for e in errs)


def test_duplicate_trigger_from_same_source_is_reported() -> None:
    text = MINI + "  - {trigger: go, source: a, dest: c}\n"
    assert any("duplicate trigger 'go' from 'a'" in str(e) for e in errors_of(text))


def test_duplicate_yaml_key_is_an_error_not_a_silent_overwrite() -> None:
    [err] = errors_of(MINI.replace("version: 1\n", "version: 1\nversion: 2\n"))
    assert "duplicate key 'version'" in str(err) and err.line == 3


def test_shape_errors_name_the_key() -> None:
    errs = errors_of(MINI.replace("initial: a\n", "initial: a\ncolour: red\n").replace("{type: date}", "{type: when}"))
    text = "\n".join(map(str, errs))
    assert "wf.yaml:4: colour: unknown key" in text
    assert "evidence.sig.fields.date.type: unknown type 'when'" in text


def test_empty_dest_is_rejected() -> None:
    assert any("must not be empty" in str(e) for e in errors_of(MINI.replace("dest: c}", "dest: ''}")))


def test_region_without_final_state_is_rejected() -> None:
    text = """\
    workflow: p
    version: 1
    initial: a
    states:
      - id: a
        parallel:
          - id: r
            states: [{id: x}, {id: y}]
      - {id: z, final: true}
    transitions:
      - {trigger: t, source: a.r.x, dest: a.r.y}
      - {trigger: u, source: a, dest: z}
    """
    assert any("a region needs a final state" in str(e) for e in errors_of(text))


def write(path: Path, text: str) -> Path:
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def test_variant_changes_only_what_differs(tmp_path: Path) -> None:
    base = write(tmp_path / "mini.yaml", MINI)
    variant = write(tmp_path / "mini-fast.yaml", """\
        workflow: mini-fast
        version: 1
        extends: mini@1
        remove_transitions: [go]
        transitions:
          - {trigger: skip, source: a, dest: b}
        """)
    specs = {s.name: s for s in load_all([variant, base])}
    fast = specs["mini-fast"]
    assert fast.extends == "mini@1"
    assert [t.trigger for t in fast.transitions] == ["finish", "skip"]
    assert [s.id for s in fast.states] == ["a", "b", "c"]


def test_variant_of_unknown_workflow_is_an_error(tmp_path: Path) -> None:
    variant = write(tmp_path / "v.yaml", "workflow: v\nversion: 1\nextends: nosuch\n")
    with pytest.raises(DefinitionError, match=r"v.yaml:3: extends: extends unknown workflow 'nosuch'"):
        load_all([variant])


def test_validate_command_prints_one_line_per_problem_and_exits_7(tmp_path: Path, sqlite_url: str) -> None:
    bad = write(tmp_path / "bad.yaml", MINI.replace("dest: c}", "dest: nowhere}").replace("guards: [sig]", "guards: [x]"))
    result = Cli(sqlite_url, tmp_path)(["workflows", "validate", str(bad)])
    assert result.exit_code == 7
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 2 and all(line.startswith(f"{bad}:") for line in lines)
    assert "Traceback" not in result.output


def test_validate_command_accepts_the_shipped_workflows(tmp_path: Path, sqlite_url: str) -> None:
    result = Cli(sqlite_url, tmp_path).ok("workflows validate")
    assert "ok  handbook@1" in result.output and "ok  handbook-integrated@1" in result.output


def test_show_lists_states_transitions_and_evidence(tmp_path: Path, sqlite_url: str) -> None:
    out = Cli(sqlite_url, tmp_path).ok("workflows show handbook").output
    assert "collaboration.internal.forming: Intern samverkansgrupp bildas" in out
    assert "adopt_policy: policy -> action_plan  needs: board_decision, policy_document" in out
    assert "board_decision: Beslut i nämnd eller styrelse (protokollsutdrag)" in out
    missing = Cli(sqlite_url, tmp_path)("workflows show handbok")
    assert missing.exit_code == 4 and "did you mean 'handbook'" in missing.stderr


def test_spec_cache_is_invalidated_when_a_file_changes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    directory = tmp_path / "wf"
    directory.mkdir()
    path = write(directory / "mini.yaml", MINI)
    assert WorkflowCatalog.from_directory(directory).get("mini").title == "mini"
    assert list((tmp_path / "cache" / "journey").glob("workflows-*.pickle"))
    path.write_text(MINI.replace("initial: a\n", "initial: a\ntitle: Renamed workflow\n"), encoding="utf-8")
    assert WorkflowCatalog.from_directory(directory).get("mini").title == "Renamed workflow"


def test_validating_a_draft_version_outside_the_directory_uses_the_directory_as_bases(
        tmp_path: Path, sqlite_url: str) -> None:
    draft = tmp_path / "handbook-v3.yaml"
    text = (WORKFLOWS / "handbook-v2.yaml").read_text(encoding="utf-8").replace(
        "version: 2\nmigrations:\n  from: 1\n", "version: 3\nmigrations:\n  from: 2\n", 1)
    draft.write_text(text, encoding="utf-8")
    out = Cli(sqlite_url, tmp_path).ok(["workflows", "validate", str(draft)]).output
    assert "ok  handbook@3" in out
