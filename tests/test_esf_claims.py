"""Issue 12: corrections by appending, monthly attestation and approval, claim periods that lock,
the yearly ceiling, settings and valuation by unit cost, through the real CLI on both databases."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from tests.conftest import Cli

LATE = datetime(2022, 12, 31, 12, 0, tzinfo=UTC)
LOG = "hours log Umeå --person 'Anna Berg' --activity inventory --description 'Kartläggning'"


@pytest.fixture
def ccli(database_url: str, tmp_path: Path) -> Cli:
    cli = Cli(database_url, tmp_path, now=LATE)
    cli.ok("init")
    cli.ok("municipalities seed")
    cli.ok("users add admin --role admin")
    cli.ok("users add skr --role skr --as admin")
    cli.ok("users add anna --role coordinator --municipality Umeå --as admin")
    cli.ok("users add anna.berg --role coordinator --municipality Umeå --as admin")
    cli.ok("users add chef --role manager --municipality Umeå --as admin")
    cli.ok("users add chef.malmo --role manager --municipality Malmö --as admin")
    cli.ok("people add Umeå --name 'Anna Berg' --salary-group 5 --user anna.berg --as anna")
    cli.ok("people add Umeå --name 'Olle Ås' --kind staff --share 20 --salary-group 2 --as anna")
    return cli


def _rows(cli: Cli, *args: str) -> list[dict[str, object]]:
    return json.loads(cli.ok(["hours", "list", *args, "--json", "--as", "skr"]).output)  # type: ignore[no-any-return]


def _audit(cli: Cli) -> list[dict[str, object]]:
    return json.loads(cli.ok("hours audit --json --as admin").output)  # type: ignore[no-any-return]


def test_correction_appends_a_reversal_and_a_new_version_and_keeps_the_original(ccli: Cli) -> None:
    ccli.ok(f"{LOG} --date 2022-03-14 --hours 3 --as anna")
    out = ccli.ok("hours correct 1 --hours 2.25 --date 2022-03-15 --reason 'Fel dag och tid' --as anna").output
    assert "Corrected entry 1: reversal 2 (-3 h), new version 3: 2.25 h for Anna Berg on 2022-03-15" in out
    rows = {r["id"]: r for r in _rows(ccli, "--year", "2022")}
    assert (rows[1]["hours"], rows[1]["state"], rows[1]["state_ref"], rows[1]["kind"]) == (3, "corrected", 3, "ENTRY")
    assert (rows[2]["hours"], rows[2]["kind"], rows[2]["corrects"], rows[2]["reason"]) == (
        -3, "REVERSAL", 1, "Fel dag och tid")
    assert (rows[3]["hours"], rows[3]["date"], rows[3]["state"]) == (2.25, "2022-03-15", "current")
    assert {rows[i]["created_by"] for i in (2, 3)} == {"anna"}
    audit = next(a for a in _audit(ccli) if a["action"] == "CORRECTED")
    assert (audit["actor"], audit["detail"]["reason"], audit["detail"]["rows"]) == ("anna", "Fel dag och tid", [2, 3])
    total = json.loads(ccli.ok("hours summary Umeå --year 2022 --json --as anna").output)["total"]
    assert total["hours"] == 2.25
    again = ccli("hours correct 1 --hours 1 --reason x --as anna")
    assert again.exit_code == 3 and "the current version is entry 3" in again.output
    assert ccli("hours correct 2 --hours 1 --reason x --as anna").exit_code == 3  # a reversal is not corrected
    assert ccli("hours correct 3 --hours 1 --reason ' ' --as anna").exit_code == 2
    assert ccli("hours correct 3 --reason x --as anna").exit_code == 2  # nothing to correct
    assert ccli("hours correct 99 --hours 1 --reason x --as anna").exit_code == 4
    assert ccli("hours correct 3 --hours 1 --reason x --as skr").exit_code == 6
    ccli.ok("hours withdraw 3 --reason 'Dubbelregistrerad' --as anna")
    assert ccli("hours withdraw 3 --reason x --as anna").exit_code == 3
    assert json.loads(ccli.ok("hours summary Umeå --year 2022 --json --as anna").output)["total"]["hours"] == 0
    assert len(_rows(ccli, "--year", "2022")) == 4  # nothing was deleted


def test_a_correction_can_move_hours_to_the_right_person_within_the_ceilings(ccli: Cli) -> None:
    ccli.ok(f"{LOG} --date 2022-03-14 --hours 8 --as anna")
    ccli.ok("hours log Umeå --person 'Olle Ås' --date 2022-03-14 --hours 8 --activity policy --description y --as anna")
    over = ccli("hours correct 1 --person 'Olle Ås' --reason 'Fel person' --as anna")
    assert over.exit_code == 3 and "Olle Ås would have 16 h on 2022-03-14" in over.output
    assert len(_rows(ccli, "--year", "2022")) == 2  # nothing written
    ccli.ok("hours correct 1 --person 'Olle Ås' --hours 4 --reason 'Fel person' --as anna")
    people = {p["person"]: p["hours"] for p in json.loads(
        ccli.ok("hours summary Umeå --year 2022 --json --as anna").output)["persons"]}
    assert people == {"Anna Berg": 0, "Olle Ås": 12}


def test_the_yearly_ceiling_of_1662_hours_per_person(ccli: Cli, tmp_path: Path) -> None:
    days = [date(2022, 1, 1) + timedelta(days=i) for i in range(128)]
    lines = ["Kommun;Person;Datum;Timmar;Aktivitet;Beskrivning"]
    lines += [f"Umeå;Anna Berg;{d};13;Policyarbete;Arbete med riktlinjen" for d in days[:127]]  # 1 651 h
    over = tmp_path / "over.csv"
    over.write_text("\n".join([*lines, f"Umeå;Anna Berg;{days[127]};11,25;Policyarbete;Arbete"]), encoding="utf-8")
    result = ccli(f"hours import {over} --as anna")
    assert result.exit_code == 3 and result.output.count("\n") == 1
    assert f"{over}:129: Timmar: Anna Berg would have 1662.25 h in 2022; at most 1662 h" in result.output
    assert _rows(ccli, "--year", "2022") == []  # all rows or nothing
    exact = tmp_path / "exact.csv"
    exact.write_text("\n".join([*lines, f"Umeå;Anna Berg;{days[127]};11;Policyarbete;Arbete"]), encoding="utf-8")
    assert "Imported 128 rows, 1662 h" in ccli.ok(f"hours import {exact} --as anna").output
    one_more = ccli(f"{LOG} --date 2022-12-01 --hours 0.25 --as anna")
    assert one_more.exit_code == 3 and "at most 1662 h per person and calendar year" in one_more.output
    ccli.ok(f"{LOG} --date 2021-12-01 --hours 0.25 --as anna")  # another calendar year


def test_attestation_by_the_person_and_approval_by_a_manager(ccli: Cli) -> None:
    ccli.ok(f"{LOG} --date 2022-03-14 --hours 3 --as anna")
    ccli.ok("hours log Umeå --person 'Olle Ås' --date 2022-03-15 --hours 2 --activity policy --description y --as anna")
    refused = ccli("hours attest Umeå --person 'Anna Berg' --month 2022-03 --as anna")
    assert refused.exit_code == 6 and "only Anna Berg's own account (anna.berg) attests" in refused.output
    assert ccli("hours approve Umeå --month 2022-03 --person 'Anna Berg' --as chef").exit_code == 3  # not attested
    ccli.ok("hours attest Umeå --person 'Anna Berg' --month 2022-03 --as anna.berg")
    assert ccli("hours attest Umeå --person 'Anna Berg' --month 2022-03 --as anna.berg").exit_code == 3
    paper = ccli.ok("hours attest Umeå --person 'Olle Ås' --month 2022-03 --on-paper --as anna").output
    assert "signed certificate on paper" in paper
    assert ccli("hours attest Umeå --person 'Olle Ås' --month 2022-04 --on-paper --as anna").exit_code == 3  # no time
    assert ccli("hours approve Umeå --month 2022-03 --as anna").exit_code == 6  # a coordinator does not approve
    assert ccli("hours approve Umeå --month 2022-03 --as chef.malmo").exit_code == 6  # another municipality's manager
    out = ccli.ok("hours approve Umeå --month 2022-03 --as chef").output
    assert "Approved 2022-03 for Anna Berg (Umeå): 3 h, attested by anna.berg" in out and "Olle Ås" in out
    months = json.loads(ccli.ok("hours months Umeå --json --as chef").output)
    assert [(m["person"], m["status"], m["attested_by"], m["method"], m["approved_by"]) for m in months] == [
        ("Anna Berg", "APPROVED", "anna.berg", "SELF", "chef"), ("Olle Ås", "APPROVED", "anna", "PAPER", "chef")]
    changed = ccli.ok(f"{LOG} --date 2022-03-20 --hours 1 --as anna").output
    assert "Anna Berg 2022-03 was attested; it must be attested (and approved) again" in changed
    months = {m["person"]: m for m in json.loads(ccli.ok("hours months Umeå --json --as chef").output)}
    assert months["Anna Berg"]["status"] == "CHANGED" and months["Olle Ås"]["status"] == "APPROVED"
    rows = {r["id"]: r for r in _rows(ccli, "Umeå", "--year", "2022")}
    assert (rows[1]["status"], rows[1]["approved_by"], rows[3]["status"]) == ("APPROVED", "chef", "REPORTED")
    ccli.ok("hours attest Umeå --person 'Anna Berg' --month 2022-03 --as anna.berg")
    ccli.ok("hours approve Umeå --month 2022-03 --person 'Anna Berg' --as admin")
    assert ccli("hours attest Umeå --person 'Anna Berg' --month 2022-12 --as anna.berg").exit_code == 3  # not over


def test_a_manager_may_not_approve_their_own_time(ccli: Cli) -> None:
    ccli.ok("people add Umeå --name 'Chefen Själv' --user chef --as anna")
    ccli.ok("hours log Umeå --person 'Chefen Själv' --date 2022-05-02 --hours 1 --activity other --description z "
            "--as anna")
    ccli.ok("hours attest Umeå --person 'Chefen Själv' --month 2022-05 --as chef")
    own = ccli("hours approve Umeå --month 2022-05 --as chef")
    assert own.exit_code == 6 and "may not approve their own time" in own.output


def _claim_setup(cli: Cli) -> None:
    cli.ok("hours periods add --start 2022-01-01 --end 2022-06-30 --name 'Ansökan 3' --as skr")
    cli.ok(f"{LOG} --date 2022-03-14 --hours 3 --as anna")
    cli.ok("hours attest Umeå --person 'Anna Berg' --month 2022-03 --as anna.berg")


def test_claim_periods_lock_and_corrections_go_into_the_next_open_period(ccli: Cli, tmp_path: Path) -> None:
    _claim_setup(ccli)
    assert ccli("hours periods add --start 2022-06-01 --end 2022-07-31 --as skr").exit_code == 3  # overlaps
    assert ccli("hours periods add --start 2022-07-01 --end 2023-01-31 --as skr").exit_code == 2  # after the project
    assert ccli("hours periods add --start 2022-07-01 --end 2022-12-31 --as anna").exit_code == 6
    early = ccli("hours lock 'Ansökan 3' --as skr", JOURNEY_NOW="2022-06-15T09:00:00+00:00")
    assert early.exit_code == 3 and "is not over yet" in early.output
    unapproved = ccli("hours lock 'Ansökan 3' --as skr")
    assert unapproved.exit_code == 3 and "1 person-months in Ansökan 3 are not approved" in unapproved.output
    ccli.ok("hours approve Umeå --month 2022-03 --as chef")
    before = tmp_path / "before.csv"
    ccli.ok(f"hours export --period 'Ansökan 3' --csv {before} --as skr")
    assert "Locked claim period Ansökan 3" in ccli.ok("hours lock 1 --as skr").output
    assert ccli("hours lock 1 --as skr").exit_code == 3  # already locked
    late = ccli(f"{LOG} --date 2022-04-01 --hours 1 --as anna")
    assert late.exit_code == 3 and "is locked; its entries cannot change" in late.output
    assert late.output.count("\n") == 1 and len(_rows(ccli, "--year", "2022")) == 1
    no_next = ccli("hours correct 1 --hours 2 --reason 'Rätt tid' --as anna")
    assert no_next.exit_code == 3 and "no open claim period follows it" in no_next.output
    ccli.ok("hours periods add --start 2022-07-01 --end 2022-12-31 --name 'Ansökan 4' --as skr")
    out = ccli.ok("hours correct 1 --hours 2 --reason 'Rätt tid' --as anna").output
    assert "Reported in claim period Ansökan 4: the period of the work date is locked" in out
    after = tmp_path / "after.csv"
    ccli.ok(f"hours export --period 'Ansökan 3' --csv {after} --as skr")
    assert after.read_text(encoding="utf-8-sig") == before.read_text(encoding="utf-8-sig")  # the locked claim stays
    next_claim = _rows(ccli, "--period", "Ansökan 4")
    assert [(r["kind"], r["hours"], r["date"], r["status"]) for r in next_claim] == [
        ("REVERSAL", -3, "2022-03-14", "REPORTED"), ("CORRECTION", 2, "2022-03-14", "REPORTED")]
    periods = json.loads(ccli.ok("hours periods list --json --as anna").output)
    assert [(p["name"], p["status"], p["locked_by"]) for p in periods] == [("Ansökan 3", "LOCKED", "skr"),
                                                                          ("Ansökan 4", "OPEN", "")]
    assert {"PERIOD_ADDED", "PERIOD_LOCKED", "CORRECTED", "ATTESTED", "APPROVED", "EXPORTED"} <= {
        a["action"] for a in _audit(ccli)}


def test_lock_with_unapproved_months_when_told_to(ccli: Cli) -> None:
    _claim_setup(ccli)
    out = ccli.ok("hours lock 'Ansökan 3' --allow-unapproved --as admin").output
    assert "1 person-months not approved" in out
    locked = next(a for a in _audit(ccli) if a["action"] == "PERIOD_LOCKED")
    assert locked["detail"]["unapproved_months"] == ["Umeå Anna Berg 2022-03"]


def test_settings_change_the_project_period_and_the_unit_cost_year(ccli: Cli) -> None:
    shown = json.loads(ccli.ok("hours settings --json --as anna").output)
    assert shown == {"period_start": "2021-01-01", "period_end": "2022-12-31", "unit_cost_year": "start",
                     "annual_ceiling_hours": "1662", "daily_ceiling_hours": "13"}
    assert ccli("hours settings --period-end 2023-02-28 --as anna").exit_code == 6
    ccli.ok(f"{LOG} --date 2021-03-01 --hours 2 --as anna")
    ccli.ok(f"{LOG} --date 2022-03-01 --hours 2 --as anna")
    refused = ccli("hours settings --period-start 2021-06-01 --as skr")
    assert refused.exit_code == 3 and "lie outside 2021-06-01 – 2022-12-31" in refused.output
    assert ccli("hours settings --period-end 2020-12-01 --as skr").exit_code == 2
    assert ccli("hours settings --unit-cost-year soon --as skr").exit_code == 2

    def value(year: int) -> float:
        return json.loads(ccli.ok(f"hours summary Umeå --year {year} --json --as anna").output)["total"]["value_sek"]

    assert (value(2021), value(2022)) == (2 * 505, 2 * 505)  # group 5 at the project's start year (2021)
    ccli.ok("hours settings --unit-cost-year work --as skr")
    assert (value(2021), value(2022)) == (2 * 505, 2 * 506)  # each work date's year
    ccli.ok("hours settings --period-end 2023-02-28 --annual-ceiling 1000 --as skr")
    ccli.ok(f"{LOG} --date 2022-12-31 --hours 1 --as anna", JOURNEY_NOW="2023-01-15T09:00:00+00:00")
    ccli.ok(f"{LOG} --date 2023-01-10 --hours 1 --as anna", JOURNEY_NOW="2023-01-15T09:00:00+00:00")
    change = next(a for a in _audit(ccli) if a["action"] == "SETTINGS_CHANGED")
    assert change["actor"] == "skr" and change["detail"]["changed"]["period_end"] == ["2022-12-31", "2023-02-28"]


def test_stockholm_has_its_own_unit_costs_and_own_unit_costs_win(ccli: Cli) -> None:
    ccli.ok("municipalities add 0180 Stockholm --county 'Stockholms län' --as admin")
    ccli.ok("users add sthlm --role coordinator --municipality Stockholm --as admin")
    ccli.ok("people add Stockholm --name 'Eva Holm' --salary-group 7a --as sthlm")
    ccli.ok("people add Stockholm --name 'Per Holm' --unit-cost 612.35 --as sthlm")
    ccli.ok("hours log Stockholm --person 'Eva Holm' --date 2022-02-01 --hours 1.5 --activity other --description x "
            "--as sthlm")
    ccli.ok("hours log Stockholm --person 'Per Holm' --date 2022-02-01 --hours 0.25 --activity other --description x "
            "--as sthlm")
    persons = {p["person"]: p for p in json.loads(
        ccli.ok("hours summary Stockholm --year 2022 --json --as sthlm").output)["persons"]}
    assert persons["Eva Holm"]["unit_cost_sek"] == 755 and persons["Eva Holm"]["value_sek"] == 1132.5
    assert persons["Per Holm"]["value_sek"] == 153.0875  # exact: a quarter of 612.35 kr, no rounding


def test_unit_cost_table_is_shown_with_its_status(ccli: Cli) -> None:
    out = ccli.ok("hours unit-costs --year 2021").output
    assert "EXEMPELVÄRDEN – inte Svenska ESF-rådets belopp" in out and "505.00" in out
    table = json.loads(ccli.ok("hours unit-costs --json").output)
    assert table["status"] == "example" and "esf.se" in table["source"]["pages"]
    assert sorted(table["years"]) == [str(y) for y in range(2016, 2023)]


def test_export_and_import_keep_the_time_report(ccli: Cli, tmp_path: Path, request: pytest.FixtureRequest) -> None:
    from tests.conftest import make_database_url

    _claim_setup(ccli)
    ccli.ok("hours approve Umeå --month 2022-03 --as chef")
    ccli.ok("hours periods add --start 2022-07-01 --end 2022-12-31 --name 'Ansökan 4' --as skr")
    ccli.ok("hours lock 'Ansökan 3' --as skr")
    ccli.ok("hours correct 1 --hours 2 --reason 'Rätt tid' --as anna")
    backup = tmp_path / "backup.json.gz"
    ccli.ok(f"export {backup} --as admin")
    other = make_database_url("sqlite", tmp_path / "other", request)
    copy = Cli(other, tmp_path / "other", now=LATE)
    copy.ok(f"import {backup}")
    for command in ("hours list --year 2022 --json --as skr", "hours months --json --as skr",
                    "hours periods list --json --as skr"):
        assert json.loads(copy.ok(command).output) == json.loads(ccli.ok(command).output), command
    late = copy(f"{LOG} --date 2022-04-01 --hours 1 --as anna")  # still locked after the move
    assert late.exit_code == 3 and "is locked" in late.output


def test_the_summed_summary_agrees_with_the_summary_of_the_rows(ccli: Cli) -> None:
    """`hours summary` without --json sums in the database (#14); what it prints must agree with the rows'
    summary, for a coordinator's municipality, the whole country and the project scope."""
    from journey.bootstrap import App
    from journey.config import Settings

    ccli.ok(f"{LOG} --date 2022-03-14 --hours 3 --as anna")
    ccli.ok(f"{LOG} --date 2022-03-15 --hours 2 --as anna")
    ccli.ok(f"{LOG} --date 2021-11-02 --hours 1.5 --as anna")
    ccli.ok("hours log Umeå --person 'Olle Ås' --date 2022-04-01 --hours 4 --activity policy --description y --as anna")
    ccli.ok("hours correct 1 --hours 2.25 --reason 'Fel tid' --as anna")
    ccli.ok("hours withdraw 4 --reason 'Dubbel' --as anna")
    ccli.ok("network-meetings add physical --date 2022-03-24 --title 'Nätverksträff' --as skr")
    ccli.ok("network-meetings attend 1 Umeå --person 'Anna Berg' --as anna")
    ccli.ok("people add Malmö --name 'Sara Lind' --salary-group 3 --as admin")
    ccli.ok("hours log Malmö --person 'Sara Lind' --date 2022-05-02 --hours 6 --activity policy --description z "
            "--as admin")
    ccli.ok("hours attest Umeå --person 'Anna Berg' --month 2022-03 --as anna.berg")
    app = App(Settings.from_env(ccli.env))
    try:
        from journey.services.hours.summary import summary

        for user, year, municipality in (("anna", 2022, "Umeå"), ("skr", 2022, None), ("admin", None, None),
                                         ("chef", 2022, None)):
            full = summary(app.deps, user, app.unit_costs(), year, None, municipality)
            summed = summary(app.deps, user, app.unit_costs(), year, None, municipality, with_rows=False)
            assert summed["rows"] == [] and full["rows"]
            assert "stages" not in summed and "months" not in summed
            for key in ("scope", "settings", "unit_costs", "municipalities", "persons", "total"):
                assert summed[key] == full[key], (user, year, key)
    finally:
        app.close()
