"""Workflow files (#16): YAML bounded in size, depth and aliases; validation linear; choices, documents, cycles.

`journey workflows validate` prints each problem as one line FILE:LINE: KEY: message and exits 7.
"""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner, Result

from journey.definitions import _yaml
from tests.conftest import TEMPLATES, WORKFLOWS, Cli

MINIMAL = """\
workflow: tiny
version: 1
initial: start
states:
  - id: start
  - id: done
    final: true
transitions:
  - {trigger: finish, source: start, dest: done}
"""


def validate(tmp_path: Path, text: str, name: str = "wf.yaml") -> Result:
    """``journey workflows validate`` on one file in an otherwise empty workflows directory."""
    directory = tmp_path / "wf"
    directory.mkdir(exist_ok=True)
    path = directory / name
    path.write_text(text, encoding="utf-8")
    from journey.cli import cli

    env = {"JOURNEY_HOME": str(tmp_path / "home"), "JOURNEY_NO_CACHE": "1", "JOURNEY_DEBUG": ""}
    return CliRunner().invoke(cli, ["--workflows", str(directory), "workflows", "validate", str(path)], env=env,
                              catch_exceptions=False)


def assert_definition_error(result: Result, *fragments: str, lines: int = 1) -> None:
    assert result.exit_code == 7, result.output
    err = result.stderr.strip().splitlines()
    assert len(err) == lines, err
    assert "Traceback" not in result.output and "internal error" not in result.stderr
    for fragment in fragments:
        assert fragment in result.stderr, result.stderr


def test_the_minimal_workflow_validates(tmp_path: Path) -> None:
    result = validate(tmp_path, MINIMAL)
    assert result.exit_code == 0 and "ok  tiny@1" in result.output


def test_a_file_larger_than_the_limit_is_refused_without_parsing(tmp_path: Path) -> None:
    padding = "# " + "x" * 1000 + "\n"
    result = validate(tmp_path, MINIMAL + padding * (_yaml.MAX_BYTES // len(padding) + 1))
    assert_definition_error(result, "wf.yaml: larger than 4 MiB")


def test_deep_nesting_is_refused_with_its_line(tmp_path: Path) -> None:
    result = validate(tmp_path, MINIMAL + "description:\n  " + "[" * 20_000 + "]" * 20_000 + "\n")
    assert_definition_error(result, "wf.yaml:11:", f"nested deeper than {_yaml.MAX_DEPTH} levels")


def test_a_billion_laughs_is_refused(tmp_path: Path) -> None:
    lines = ['x0: &x0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    for i in range(1, 10):
        lines.append(f"x{i}: &x{i} [{', '.join([f'*x{i - 1}'] * 10)}]")
    text = MINIMAL + "\n".join(lines) + "\ntitle: *x9\n"  # ten levels of ten: 10^10 strings if expanded
    assert_definition_error(validate(tmp_path, text), "aliases expand too far", "billion laughs")


def test_a_recursive_alias_is_refused(tmp_path: Path) -> None:
    result = validate(tmp_path, MINIMAL + "description: &loop [1, *loop]\n")
    assert_definition_error(result, "wf.yaml:10:", "alias *loop refers to a node that contains it")


def test_ordinary_aliases_still_work(tmp_path: Path) -> None:
    text = """\
workflow: tiny
version: 1
initial: start
evidence:
  note:
    fields:
      text: &text_field {type: text, label: Anteckning}
      other: *text_field
states:
  - id: start
  - id: done
    final: true
transitions:
  - {trigger: finish, source: start, dest: done, guards: [note]}
"""
    assert validate(tmp_path, text).exit_code == 0


def test_choices_must_be_text(tmp_path: Path) -> None:
    text = MINIMAL.replace("states:", """\
evidence:
  answer:
    fields:
      reply: {type: choice, choices: [ja, nej, yes, no]}
states:""").replace("dest: done}", "dest: done, guards: [answer]}")
    result = validate(tmp_path, text)
    assert_definition_error(result, "wf.yaml:7: evidence.answer.fields.reply.choices:", "every choice must be text",
                            "quotes")
    quoted = text.replace("[ja, nej, yes, no]", "[ja, nej, 'yes', 'no']")
    assert validate(tmp_path, quoted).exit_code == 0


def test_field_options_are_typed(tmp_path: Path) -> None:
    text = MINIMAL.replace("states:", """\
evidence:
  answer:
    fields:
      count: {type: int, min: "2"}
      day: {type: date, future: sometimes}
      word: {type: text, future: true}
      pick: {type: choice, choices: []}
states:""")
    result = validate(tmp_path, text)
    assert_definition_error(result, "count.min: must be a whole number", "day.future: must be true or false",
                            "word.future:", "pick.choices: needs at least one choice", lines=4)


def test_a_cycle_without_a_final_state_is_refused(tmp_path: Path) -> None:
    text = """\
workflow: loop
version: 1
initial: start
states:
  - id: start
  - id: ping
  - id: pong
  - id: done
    final: true
transitions:
  - {trigger: finish, source: start, dest: done}
  - {trigger: play, source: start, dest: ping}
  - {trigger: hit, source: ping, dest: pong}
  - {trigger: back, source: pong, dest: ping}
"""
    result = validate(tmp_path, text)
    assert_definition_error(result, "wf.yaml:6: states.ping: no final state can be reached from here",
                            "wf.yaml:7: states.pong: no final state can be reached", lines=2)
    fixed = text + "  - {trigger: stop, source: pong, dest: done}\n"
    assert validate(tmp_path, fixed).exit_code == 0


PARALLEL = """\
workflow: par
version: 1
initial: work
states:
  - id: work
    parallel:
      - id: left
        states:
          - id: a
          - id: b
          - id: c
          - id: ok
            final: true
  - id: done
    final: true
transitions:
  - {trigger: done_left, source: work.left.a, dest: work.left.ok}
  - {trigger: ab, source: work.left.a, dest: work.left.b}
  - {trigger: bc, source: work.left.b, dest: work.left.c}
  - {trigger: cb, source: work.left.c, dest: work.left.b}
  - {trigger: finish, source: work, dest: done, guards: [regions_complete]}
"""


def test_a_region_that_cannot_complete_is_refused(tmp_path: Path) -> None:
    result = validate(tmp_path, PARALLEL)
    assert_definition_error(result, "wf.yaml:10: states.work.left.b: no final state can be reached",
                            "wf.yaml:11: states.work.left.c: no final state can be reached", lines=2)
    # the stage may also be left without waiting for the region: then nothing is stuck
    assert validate(tmp_path, PARALLEL.replace(", guards: [regions_complete]", "")).exit_code == 0
    assert validate(tmp_path, PARALLEL + "  - {trigger: cok, source: work.left.c, dest: work.left.ok}\n"
                    ).exit_code == 0


def test_the_shipped_workflows_have_no_trap(tmp_path: Path) -> None:
    from journey.cli import cli

    result = CliRunner().invoke(cli, ["--workflows", str(WORKFLOWS), "workflows", "validate"],
                                env={"JOURNEY_NO_CACHE": "1", "JOURNEY_HOME": str(tmp_path)})
    assert result.exit_code == 0, result.output


def test_ids_and_titles_fit_the_stored_lengths(tmp_path: Path) -> None:
    long_id = "s" * 101
    text = MINIMAL.replace("  - id: start\n", f"  - id: start\n  - id: {long_id}\n    documents:\n"
                           f"      - {{id: brev, template: brev, title: {'T' * 301}}}\n")
    text = text.replace("dest: done}", f"dest: done}}\n  - {{trigger: go, source: start, dest: {long_id}}}\n"
                                       f"  - {{trigger: leave, source: {long_id}, dest: done}}")
    result = validate(tmp_path, text)
    assert_definition_error(result, "states[1].id: is 101 characters long; at most 100",
                            "states[1].documents[0].title: is 301 characters long; at most 300", lines=2)


def test_a_large_generated_workflow_validates(tmp_path: Path) -> None:
    """20 000 states in a chain: every check is linear, so this takes seconds (checked by hand, not timed)."""
    count = 20_000
    lines = ["workflow: big", "version: 1", "initial: s0", "states:"]
    lines += [f"  - id: s{i}" + ("\n    final: true" if i == count - 1 else "") for i in range(count)]
    lines.append("transitions:")
    lines += [f"  - {{trigger: t{i}, source: s{i}, dest: s{i + 1}}}" for i in range(count - 1)]
    result = validate(tmp_path, "\n".join(lines) + "\n", "big.yaml")
    assert result.exit_code == 0, result.output
    assert f"({count} states, {count - 1} transitions)" in result.output


# --- documents declared with only id and template; templates check for part of the templates ---

def _handbook_with_bare_document(directory: Path) -> Path:
    """handbook.yaml whose avsiktsförklaring is declared with only ``id`` and ``template``."""
    directory.mkdir(parents=True, exist_ok=True)
    text = (WORKFLOWS / "handbook.yaml").read_text(encoding="utf-8")
    bare = "- {id: avsiktsforklaring, template: avsiktsforklaring}"
    declared = bare[:-1] + ", title: Avsiktsförklaring Utvecklingsnätverk sociala företag}"
    assert declared in text
    (directory / "handbook.yaml").write_text(text.replace(declared, bare), encoding="utf-8")
    return directory


def test_a_document_with_only_id_and_template_renders_on_entering_its_state(cli: Cli, tmp_path: Path) -> None:
    workflows = str(_handbook_with_bare_document(tmp_path / "bare"))
    assert cli(["--workflows", workflows, "workflows", "validate"]).exit_code == 0
    cli.ok(["--workflows", workflows, "municipalities", "seed"])
    cli.ok(["--workflows", workflows, "open", "Tierp"])
    cli.ok(["--workflows", workflows, "advance", "Tierp", "confirm_interest", "-e", "registered_date=2021-01-12",
            "-e", "contact=Anna"])
    status = json.loads(cli.ok(["--workflows", workflows, "status", "Tierp", "--json"]).output)
    assert status["state"] == "letter_of_intent"
    documents = json.loads(cli.ok(["--workflows", workflows, "documents", "list", "Tierp", "--json"]).output)
    assert {d["doc_id"] for d in documents["documents"]} == {"avsiktsforklaring"}
    assert all(d["title"] == "Avsiktsforklaring" and Path(d["path"]).is_file() for d in documents["documents"])


def test_templates_check_works_for_a_directory_naming_only_some_templates(tmp_path: Path) -> None:
    """handbook.yaml alone names fewer templates than documents/ holds: the rest are warnings, not a crash."""
    only = tmp_path / "only"
    only.mkdir()
    (only / "handbook.yaml").write_bytes((WORKFLOWS / "handbook.yaml").read_bytes())
    from journey.cli import cli

    env = {"JOURNEY_HOME": str(tmp_path / "home"), "JOURNEY_TEMPLATES_DIR": str(TEMPLATES), "JOURNEY_NO_CACHE": "1",
           "JOURNEY_DEBUG": ""}
    result = CliRunner().invoke(cli, ["--workflows", str(only), "templates", "check"], env=env, catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert "Traceback" not in result.output and "FAIL" not in result.output
    assert "warn  styrdokument_tillagg (no workflow here uses it)" in result.stderr
    for variant in (only, _handbook_with_bare_document(tmp_path / "bare")):
        checked = CliRunner().invoke(cli, ["--workflows", str(variant), "templates", "check", "--json"], env=env)
        rows = json.loads(checked.output)
        assert checked.exit_code == 0 and any(r["document"] == "avsiktsforklaring" and r["ok"] for r in rows)
