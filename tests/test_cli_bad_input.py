"""Bad input that needs more than one command to show (the single-command cases are the corpus:
tests/corpus/*.yaml, run by tests/test_bad_input_corpus.py on both backends)."""

from __future__ import annotations

import json

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
