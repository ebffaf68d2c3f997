"""Bad input: one-line error, documented exit code, no traceback, database unchanged."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import Cli
from tests.test_journey_cli import JOURNEY


@pytest.fixture
def opened(cli: Cli) -> Cli:
    cli.ok("municipalities seed")
    cli.ok("open Tierp")
    return cli


def snapshot(cli: Cli) -> tuple[str, int]:
    status = json.loads(cli.ok("status Tierp --json").output)
    history = json.loads(cli.ok("history Tierp --json").output)["entries"]
    return status["state"], len(history)


def assert_one_line_error(result: object, code: int, *fragments: str) -> None:
    assert result.exit_code == code, result.output  # type: ignore[attr-defined]
    err = result.stderr.strip()  # type: ignore[attr-defined]
    assert len(err.splitlines()) == 1 and err.startswith("Error: "), err
    assert "Traceback" not in result.output  # type: ignore[attr-defined]
    for fragment in fragments:
        assert fragment in err


@pytest.mark.parametrize(
    ("command", "code", "fragments"),
    [
        ("advance Tierpp confirm_interest", 4, ["unknown municipality 'Tierpp'", "did you mean 'Tierp'"]),
        ("advance Tierp confirm_intrest", 4, ["no trigger 'confirm_intrest'", "did you mean 'confirm_interest'"]),
        ("advance Tierp adopt_policy", 3, ["'adopt_policy' is not allowed", "allowed now: confirm_interest"]),
        ("advance Tierp confirm_interest -e contact=Anna", 3, ["lacking", "registered_date"]),
        ("advance Tierp confirm_interest -e registered_date=2021-13-01 -e contact=A", 2,
         ["registered_date", "is not a date (YYYY-MM-DD)"]),
        ("advance Tierp confirm_interest -e registered_date=2021-01-12 -e contakt=A", 2,
         ["unknown evidence field 'contakt'", "expected one of: contact, registered_date"]),
        ("advance Tierp confirm_interest -e registered_date", 2, ["not of the form key=value"]),
        ("advance Tierp confirm_interest -e contact=A -e contact=B", 2, ["given twice"]),
        ("open Tierp", 3, ["already has a case"]),
        ("open Ingenstans", 4, ["unknown municipality 'Ingenstans'"]),
        ("status Ingenstans", 4, ["unknown municipality"]),
        ("municipalities add 12 Nyby", 2, ["must be four digits"]),
        ("municipalities add 0360 Tierp", 3, ["already registered"]),
        ("municipalities add 9999 Nyby --workflow nosuch", 4, ["unknown workflow 'nosuch'"]),
    ],
)
def test_bad_input_leaves_the_database_unchanged(opened: Cli, command: str, code: int, fragments: list[str]) -> None:
    before = snapshot(opened)
    assert_one_line_error(opened(command), code, *fragments)
    assert snapshot(opened) == before


def test_malformed_paragraph_and_diarienummer_are_usage_errors(opened: Cli) -> None:
    for trigger, evidence in JOURNEY[:4]:
        opened.ok(f"advance Tierp {trigger} {evidence}")
    base = "advance Tierp anchor_in_board -e organ=KS -e meeting_date=2022-02-14 -e board=KS -e officials_function=X"
    before = snapshot(opened)
    assert_one_line_error(opened(f"{base} -e paragraph=fyrtiofem -e diarienummer='KS 2022/1'"), 2,
                          "board_decision.paragraph", "is not a paragraph number")
    assert_one_line_error(opened(f"{base} -e paragraph='§ 45' -e diarienummer=hej"), 2,
                          "board_decision.diarienummer", "is not a diarienummer")
    assert snapshot(opened) == before
    opened.ok(f"{base} -e paragraph='§ 45' -e diarienummer='KS 2022/1'")
    entries = json.loads(opened.ok("history Tierp --json").output)["entries"]
    assert entries[-1]["evidence"]["board_decision"]["paragraph"] == 45


def test_commands_before_init_say_run_init(tmp_path: Path) -> None:
    cli = Cli(f"sqlite:///{tmp_path / 'fresh.db'}", tmp_path)
    for command in ("status", "open Umeå", "municipalities list"):
        result = cli(command)
        assert_one_line_error(result, 8, "journey init")


def test_usage_errors_exit_2(cli: Cli) -> None:
    result = cli("advance")
    assert result.exit_code == 2 and "Missing argument" in result.stderr


def test_names_with_swedish_letters_resolve_in_every_spelling(cli: Cli) -> None:
    cli.ok("municipalities seed")
    cli.ok("open Härjedalen")
    for spelling in ("Härjedalen", "härjedalen", "harjedalen", "2361", "Ha\u0308rjedalen", "HÄRJEDALEN"):
        assert json.loads(cli.ok(["status", spelling, "--json"]).output)["municipality"] == "Härjedalen"
    listed = cli.ok("municipalities list --json").output
    names = [m["name"] for m in json.loads(listed)]
    assert {"Härjedalen", "Laxå", "Malmö", "Mölndal", "Sölvesborg", "Söderhamn", "Umeå"} <= set(names)
    assert len(names) == 12


def test_seeding_twice_adds_nothing(cli: Cli) -> None:
    assert "Added 12" in cli.ok("municipalities seed").output
    again = cli.ok("municipalities seed").output
    assert "Added 0" in again and "Already registered 12" in again


def test_swedish_alphabetical_order() -> None:
    from journey.domain.municipality import swedish_sort_key

    names = ["Örebro", "Åre", "Älmhult", "Zinkgruvan", "Ängelholm", "Avesta", "Umeå", "Ödeshög"]
    assert sorted(names, key=swedish_sort_key) == ["Avesta", "Umeå", "Zinkgruvan", "Åre", "Älmhult", "Ängelholm",
                                                   "Ödeshög", "Örebro"]
