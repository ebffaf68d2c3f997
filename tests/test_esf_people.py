"""Issue 12: the people who report ESF time, per municipality (`journey people`), and the manager role."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from tests.conftest import Cli

LATE = datetime(2022, 12, 31, 12, 0, tzinfo=UTC)


@pytest.fixture
def pcli(database_url: str, tmp_path: Path) -> Cli:
    cli = Cli(database_url, tmp_path, now=LATE)
    cli.ok("init")
    cli.ok("municipalities seed")
    cli.ok("users add admin --role admin")
    cli.ok("users add skr --role skr --as admin")
    cli.ok("users add anna --role coordinator --municipality Umeå --as admin")
    cli.ok("users add malin --role coordinator --municipality Malmö --as admin")
    cli.ok("users add chef --role manager --municipality Umeå --as admin")
    return cli


def _people(cli: Cli, municipality: str = "Umeå", actor: str = "skr") -> list[dict[str, object]]:
    return json.loads(cli.ok(f"people list {municipality} --json --as {actor}").output)  # type: ignore[no-any-return]


def test_register_people_with_kind_share_group_and_dates(pcli: Cli) -> None:
    out = pcli.ok("people add Umeå --name 'Anna  Berg' --function Upphandlare --department KLF --salary-group 5 "
                  "--start 2021-02-01 --as anna").output
    assert out.strip() == "Registered Anna Berg (Umeå): deltagare, salary group 5"
    out = pcli.ok("people add Umeå --name 'Sara Ek' --kind staff --share 20 --unit-cost 412.50 --user anna --as anna")
    assert "projektpersonal 20 %, unit cost 412.50 kr/h" in out.output
    rows = {p["name"]: p for p in _people(pcli)}
    assert rows["Anna Berg"]["kind"] == "PARTICIPANT" and rows["Anna Berg"]["start"] == "2021-02-01"
    before = pcli("hours log Umeå --person 'Anna Berg' --date 2021-01-15 --hours 1 --activity other --description x "
                  "--as anna")
    assert before.exit_code == 3 and "Anna Berg is not in the project on 2021-01-15" in before.output
    assert rows["Anna Berg"]["department"] == "KLF" and rows["Anna Berg"]["function"] == "Upphandlare"
    assert rows["Sara Ek"]["kind"] == "STAFF" and rows["Sara Ek"]["share_percent"] == 20
    assert rows["Sara Ek"]["unit_cost_sek"] == 412.5 and rows["Sara Ek"]["user"] == "anna"
    assert _people(pcli, actor="chef") == _people(pcli)  # a manager reads their own municipality
    assert json.loads(pcli.ok("people list --json --as malin").output) == []


@pytest.mark.parametrize(("args", "code", "message"), [
    ("--name 'anna berg'", 3, "Anna Berg is already registered in Umeå"),
    ("--name X --share 20", 2, "--share (share of full time) is for project staff"),
    ("--name X --kind chef", 2, "kind 'chef' must be participant or staff"),
    ("--name X --salary-group 8", 2, "salary group '8' must be one of 1, 2, 3, 4, 5, 6, 7a, 7b, 7c"),
    ("--name X --salary-group 5 --unit-cost 400", 2, "not both"),
    ("--name X --unit-cost 12,345", 2, "at most two decimals"),
    ("--name X --start 2022-05-01 --end 2022-04-01", 2, "is before --start"),
    ("--name X --user nobody", 4, "no user 'nobody'"),
    ("--name ' '", 2, "a person needs --name"),
])
def test_bad_person_input_is_one_line_and_writes_nothing(pcli: Cli, args: str, code: int, message: str) -> None:
    pcli.ok("people add Umeå --name 'Anna Berg' --as anna")
    result = pcli(f"people add Umeå {args} --as anna")
    assert result.exit_code == code, result.output
    assert message in result.output and result.output.count("\n") == 1
    assert [p["name"] for p in _people(pcli)] == ["Anna Berg"]


def test_who_may_register_people(pcli: Cli) -> None:
    assert pcli("people add Umeå --name X --as malin").exit_code == 6  # another municipality's coordinator
    assert pcli("people add Umeå --name X --as skr").exit_code == 6  # SKR reads
    assert pcli("people add Umeå --name X --as chef").exit_code == 6  # a manager approves, does not register
    pcli.ok("people add Umeå --name X --as admin")
    assert pcli("people list Umeå --as malin").exit_code == 6


def test_update_is_audited_and_refuses_dates_that_would_orphan_entries(pcli: Cli) -> None:
    pcli.ok("people add Umeå --name 'Anna Berg' --as anna")
    pcli.ok("hours log Umeå --person 'Anna Berg' --date 2022-03-14 --hours 2 --activity policy --description x --as anna")
    pcli.ok("people update Umeå 'anna berg' --salary-group 4 --rename 'Anna Berg-Lind' --as anna")
    refused = pcli("people update Umeå 'Anna Berg-Lind' --start 2022-04-01 --as anna")
    assert refused.exit_code == 3 and "2 h reported outside the new dates (from 2022-03-14)" in refused.output
    assert pcli("people update Umeå 'Anna Berg-Lind' --as anna").exit_code == 2  # nothing to change
    (person,) = _people(pcli)
    assert (person["name"], person["salary_group"], person["start"]) == ("Anna Berg-Lind", "4", None)
    audit = json.loads(pcli.ok("hours audit Umeå --json --as anna").output)
    update = next(a for a in audit if a["action"] == "PERSON_UPDATED")
    assert update["actor"] == "anna" and update["detail"]["changed"]["salary_group"] == ["", "4"]
    assert update["detail"]["changed"]["name"] == ["Anna Berg", "Anna Berg-Lind"]


def test_review_lists_people_whose_time_cannot_be_valued(pcli: Cli) -> None:
    pcli.ok("people add Umeå --name 'Anna Berg' --as anna")
    pcli.ok("people add Umeå --name 'Olle Ås' --salary-group 3 --as anna")
    review = json.loads(pcli.ok("people review --json --as skr").output)
    assert [(r["name"], r["problems"]) for r in review] == [
        ("Anna Berg", ["no salary group or unit cost: the hours cannot be valued"])]
    pcli.ok("people update Umeå 'Anna Berg' --unit-cost 350 --as anna")
    assert pcli.ok("people review --as skr").output.strip() == "Nothing to review"


def test_manager_role_needs_a_municipality_and_leaves_other_roles_unchanged(pcli: Cli) -> None:
    no_town = pcli("users add boss --role manager --as admin")
    assert no_town.exit_code == 2 and "a manager needs --municipality" in no_town.output
    pcli.ok("open Umeå --as anna")
    assert pcli("open Malmö --as chef").exit_code == 6  # a manager does not change cases
    assert pcli("advance Umeå confirm_interest -e registered_date=2022-03-01 -e contact=x --as chef").exit_code == 6
    assert [r["municipality"] for r in json.loads(pcli.ok("status --json --as chef").output)] == ["Umeå"]
    assert pcli("history Malmö --as chef").exit_code == 6
    users = {u["username"]: u for u in json.loads(pcli.ok("users list --json --as admin").output)}
    assert users["chef"]["role"] == "MANAGER" and users["chef"]["municipality"] == "Umeå"
