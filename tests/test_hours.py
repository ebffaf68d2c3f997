"""ESF time reporting through the CLI: validation, access, totals, meetings with attendance, exports.

Issue 12 changed some rules on purpose: hours are logged for registered people (`journey people add`),
in quarter hours, within the project period; the stage is the case's stage on the work date; the
13 h/day rule is a sanity ceiling next to the 1 662 h yearly one; valuation is by unit cost per
salary group instead of one flat rate; the export is per claim period or year with new columns.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from tests.conftest import Cli

LOG = "hours log Umeå --person 'Anna Berg' --activity inventory --description 'Kartläggning av sociala företag'"


LATE = datetime(2022, 12, 31, 12, 0, tzinfo=UTC)  # the year is over: every date below lies in the past


@pytest.fixture
def hcli(database_url: str, tmp_path: Path) -> Cli:
    cli = Cli(database_url, tmp_path, now=LATE)
    cli.ok("init")
    cli.ok("municipalities seed")
    cli.ok("users add admin --role admin")
    cli.ok("users add skr --role skr --as admin")
    cli.ok("users add anna --role coordinator --municipality Umeå --as admin")
    cli.ok("users add malin --role coordinator --municipality Malmö --as admin")
    cli.ok("people add Umeå --name 'Anna Berg' --salary-group 5 --as anna")
    cli.ok("people add Umeå --name 'Olle Ås' --unit-cost 400 --as anna")
    cli.ok("people add Umeå --name 'Ny Person' --as anna")
    cli.ok("people add Umeå --name A --as anna")
    cli.ok("people add Malmö --name 'Sara Lind' --as malin")
    return cli


def _entries(cli: Cli, year: int = 2022) -> list[dict[str, object]]:
    return json.loads(cli.ok(f"hours list --year {year} --json --as skr").output)  # type: ignore[no-any-return]


def test_log_and_list(hcli: Cli) -> None:
    out = hcli.ok(f"{LOG} --date 2022-03-14 --hours 3 --as anna").output
    assert "Logged 3 h for Anna Berg (Umeå) on 2022-03-14" in out
    (entry,) = _entries(hcli)
    assert {k: entry[k] for k in ("municipality", "code", "person", "date", "hours", "activity", "description",
                                  "stage", "meeting_id", "kind", "state", "status")} == {
        "municipality": "Umeå", "code": "2480", "person": "Anna Berg", "date": "2022-03-14", "hours": 3,
        "activity": "inventory", "description": "Kartläggning av sociala företag", "stage": "", "meeting_id": None,
        "kind": "ENTRY", "state": "current", "status": "REPORTED"}


def test_entry_records_the_stage_on_the_work_date(hcli: Cli) -> None:
    """Changed by #12: the stage comes from the case history for the work date, not from the day of typing."""
    hcli.ok("open Umeå --as anna", JOURNEY_NOW="2022-03-10T09:00:00+00:00")
    hcli.ok("advance Umeå confirm_interest -e registered_date=2022-03-01 -e contact=Näringslivskontoret --as anna",
            JOURNEY_NOW="2022-03-15T09:00:00+00:00")
    hcli.ok(f"{LOG} --date 2022-03-09 --hours 1 --as anna")  # before the case was opened
    hcli.ok(f"{LOG} --date 2022-03-14 --hours 2 --as anna")  # back-dated: the case was in interest then
    hcli.ok(f"{LOG} --date 2022-03-15 --hours 1 --as anna")
    assert [e["stage"] for e in _entries(hcli)] == ["", "interest", "letter_of_intent"]
    stages = json.loads(hcli.ok("hours summary --year 2022 --json --as skr").output)["stages"]
    assert [(s["stage"], s["hours"]) for s in stages] == [("", 1), ("interest", 2), ("letter_of_intent", 1)]


@pytest.mark.parametrize(("args", "code", "message"), [
    ("--date 2022-02-30 --hours 3", 2, "date '2022-02-30' is not a date"),
    ("--date 14/3/2022 --hours 3", 2, "is not a date"),
    ("--date 2022-03-14 --hours 2.3", 2, "must be whole quarter hours"),
    ("--date 2022-03-14 --hours 1:20", 2, "must be whole quarter hours"),
    ("--date 2022-03-14 --hours -2", 2, "must be a number of hours"),
    ("--date 2022-03-14 --hours 0", 2, "must be more than 0"),
    ("--date 2022-03-14 --hours 14", 2, "more than 13 h in one entry"),
    ("--date 2019-05-02 --hours 2", 2, "outside the project period 2021-01-01 – 2022-12-31"),
    ("--date 2023-01-01 --hours 2", 2, "outside the project period"),
])
def test_invalid_input_is_one_line_error_and_writes_nothing(hcli: Cli, args: str, code: int, message: str) -> None:
    result = hcli(f"{LOG} {args} --as anna")
    assert result.exit_code == code
    assert message in result.output and result.output.count("\n") == 1
    assert _entries(hcli) == [] and _entries(hcli, 2019) == []


def test_a_future_date_inside_the_project_period_is_refused(hcli: Cli) -> None:
    result = hcli(f"{LOG} --date 2022-06-02 --hours 2 --as anna", JOURNEY_NOW="2022-06-01T12:00:00+00:00")
    assert result.exit_code == 2 and "is in the future" in result.output
    assert _entries(hcli) == []


def test_unknown_municipality_activity_and_empty_description_are_refused(hcli: Cli) -> None:
    unknown = hcli("hours log Umeåå --person A --date 2022-03-14 --hours 3 --activity inventory "
                   "--description x --as admin")
    assert unknown.exit_code == 4 and "unknown municipality 'Umeåå'; did you mean 'Umeå'?" in unknown.output
    bad = hcli("hours log Umeå --person A --date 2022-03-14 --hours 3 --activity golf --description x --as anna")
    assert bad.exit_code == 2 and "activity 'golf' must be one of" in bad.output
    empty = hcli("hours log Umeå --person A --date 2022-03-14 --hours 3 --activity policy --description ' ' --as anna")
    assert empty.exit_code == 2 and "description" in empty.output
    meeting = hcli("hours log Umeå --person A --date 2022-03-14 --hours 3 --activity network_meeting "
                   "--description x --as anna")
    assert meeting.exit_code == 2 and "network-meetings attend" in meeting.output
    nobody = hcli(LOG.replace("Anna Berg", "Ana Berg") + " --date 2022-03-14 --hours 3 --as anna")
    assert nobody.exit_code == 4 and nobody.output.count("\n") == 1
    assert "unknown person 'Ana Berg' in Umeå; did you mean 'Anna Berg'?" in nobody.output
    stranger = hcli(LOG.replace("Anna Berg", "Zlatan") + " --date 2022-03-14 --hours 3 --as anna")
    assert stranger.exit_code == 4 and "register them with `journey people add Umeå --name ...`" in stranger.output
    assert _entries(hcli) == []


def test_day_cap_and_access(hcli: Cli) -> None:
    hcli.ok(f"{LOG} --date 2022-03-14 --hours 8 --as anna")
    over = hcli(f"{LOG} --date 2022-03-14 --hours 6 --as anna")
    assert over.exit_code == 3 and "more than 13 h a day is refused" in over.output
    other = hcli(f"{LOG.replace('Umeå', 'Malmö')} --date 2022-03-15 --hours 2 --as anna")
    assert other.exit_code == 6
    assert hcli(f"{LOG} --date 2022-03-15 --hours 2 --as skr").exit_code == 6  # SKR reads, does not report
    hcli.ok(f"{LOG} --date 2022-03-15 --hours 2 --as admin")
    assert [e["hours"] for e in _entries(hcli)] == [8, 2]
    mine = json.loads(hcli.ok("hours list --year 2022 --json --as malin").output)
    assert mine == []  # Malmö's coordinator does not see Umeå's entries


def _meeting_setup(cli: Cli) -> None:
    cli.ok("network-meetings add physical --date 2022-03-24 --title 'Nätverksträff Stockholm' --as skr")
    cli.ok("network-meetings add digital --date 2022-05-10 --title 'Digital träff' --hours 2 --as skr")
    cli.ok("network-meetings add local --municipality Umeå --date 2022-06-02 --title 'Lokal heldag Umeå' --as anna")
    cli.ok("network-meetings attend 1 Umeå --person 'Anna Berg' --person 'Olle Ås' --as anna")
    cli.ok("network-meetings attend 1 Malmö --person 'Sara Lind' --as skr")
    cli.ok("network-meetings attend 2 Umeå --person 'Anna Berg' --as anna")
    cli.ok("network-meetings attend 3 Umeå --person 'Anna Berg' --person 'Olle Ås' --as anna")
    cli.ok(f"{LOG} --date 2022-03-14 --hours 5 --as anna")


def test_meetings_feed_the_time_report(hcli: Cli) -> None:
    _meeting_setup(hcli)
    data = json.loads(hcli.ok("network-meetings list --year 2022 --json --as skr").output)
    assert [(m["kind"], m["attendees"], m["hours"]) for m in data["meetings"]] == [
        ("PHYSICAL", 3, 7), ("DIGITAL", 1, 2), ("LOCAL", 2, 7)]
    assert data["missing"] == {"PHYSICAL": 1, "DIGITAL": 1}
    assert "Umeå" not in data["municipalities_without_local_meeting"] and len(
        data["municipalities_without_local_meeting"]) == 11
    summary = json.loads(hcli.ok("hours summary --year 2022 --json --as skr").output)
    umea = next(t for t in summary["municipalities"] if t["municipality"] == "Umeå")
    # Anna 7 + 2 + 7 + 5 at 505 kr (salary group 5, 2021 example table), Olle 7 + 7 at his own 400 kr
    assert {k: umea[k] for k in ("hours", "meeting_hours", "target", "meeting_target", "remaining", "value_sek")} == {
        "hours": 35, "meeting_hours": 30, "target": 500, "meeting_target": 250, "remaining": 465,
        "value_sek": 21 * 505 + 14 * 400}
    assert {(p["person"], p["hours"]) for p in summary["persons"]} == {("Anna Berg", 21), ("Olle Ås", 14),
                                                                      ("Sara Lind", 7)}
    assert summary["total"] == {"quarters": 168, "hours": 42, "value_sek": 16205, "unvalued_hours": 7}
    assert len(summary["municipalities"]) == 12  # every municipality, also those at 0 h
    assert summary["unit_costs"]["status"] == "example"


def test_attendance_is_all_or_nothing(hcli: Cli) -> None:
    _meeting_setup(hcli)
    before = _entries(hcli)
    again = hcli("network-meetings attend 1 Umeå --person 'Ny Person' --person 'Olle Ås' --as anna")
    assert again.exit_code == 3 and "already recorded" in again.output
    assert hcli("network-meetings attend 3 Malmö --person X --as skr").exit_code == 3  # Umeå's local meeting
    assert hcli("network-meetings attend 99 Umeå --person X --as anna").exit_code == 4
    unknown = hcli("network-meetings attend 2 Umeå --person 'Olle As' --as anna")
    assert unknown.exit_code == 4 and "did you mean 'Olle Ås'?" in unknown.output
    early = "2022-12-01T12:00:00+00:00"
    hcli.ok("network-meetings add digital --date 2022-12-15 --title Planerad --as skr", JOURNEY_NOW=early)
    future = hcli("network-meetings attend 4 Umeå --person X --as anna", JOURNEY_NOW=early)
    assert future.exit_code == 3 and "in the future" in future.output
    assert hcli("network-meetings add physical --date 2022-09-01 --title T --as anna").exit_code == 6
    assert hcli("network-meetings add local --date 2022-09-01 --title T --as skr").exit_code == 2
    assert hcli("network-meetings add digital --date 2023-02-01 --title T --as skr").exit_code == 2  # after the project
    assert _entries(hcli) == before


def test_export_xlsx_and_csv_for_the_payment_claim(hcli: Cli, tmp_path: Path) -> None:
    from openpyxl import load_workbook

    _meeting_setup(hcli)
    xlsx, csv_path = tmp_path / "tid.xlsx", tmp_path / "tid.csv"
    out = hcli.ok(f"hours export --year 2022 --xlsx {xlsx} --csv {csv_path} --as skr").output
    assert "7 rows, 42 h" in out and "EXEMPELVÄRDEN" in out
    book = load_workbook(xlsx)
    assert book.sheetnames == ["Sammanställning", "Per person", "Attest per månad", "Per etapp", "Tidrapport",
                               "Närvaro per månad", "Inställningar"]
    by_stage = list(book["Per etapp"].iter_rows(min_row=2, values_only=True))
    assert sorted(by_stage) == [("Malmö", "(inget ärende)", 7), ("Umeå", "(inget ärende)", 35)]
    summary = {r[0]: r for r in book["Sammanställning"].iter_rows(min_row=2, values_only=True)}
    assert summary["Umeå"][2:8] == (35, 30, 35, 0, 16205, 0)
    assert summary["Summa"][2] == 42 and summary["Summa"][6] == 16205
    entries = list(book["Tidrapport"].iter_rows(min_row=2, values_only=True))
    assert len(entries) == 7 and all(isinstance(r[5], datetime) for r in entries)
    assert sum(r[15] for r in entries) == 42 and all(r[18] for r in entries)  # every entry describes the work
    attendance = book["Närvaro per månad"]
    header = [c.value for c in attendance[1]]
    assert header[:4] == ["Kommun", "Deltagare", "Månad", "1"] and header[-2:] == [
        "Underskrift deltagare", "Underskrift närmaste chef"]
    rows = {(r[0], r[1], r[2]): dict(zip(header, r, strict=True))
            for r in attendance.iter_rows(min_row=2, values_only=True)}
    march = rows[("Umeå", "Anna Berg", "2022-03")]
    assert (march["14"], march["24"], march["Summa"]) == (5, 7, 12) and march["31"] is None
    assert rows[("Umeå", "Anna Berg", "2022-06")]["2"] == 7
    settings = dict(book["Inställningar"].iter_rows(min_row=2, values_only=True))
    assert settings["Omfattning"] == "Kalenderår 2022" and "EXEMPELVÄRDEN" in settings["Tabellens status"]
    assert "lönegrupp 5, övriga landet, 2021: 505.00 kr/h" in settings["Enhetskostnader som använts"]
    lines = csv_path.read_text(encoding="utf-8-sig").splitlines()
    assert lines[0].startswith("Ansökningsperiod;Id;Post;Avser post;Orsak;Datum;Månad;Kommun;Kommunkod;Person")
    assert len(lines) == 8 and any(";Anna Berg;Deltagare;;;5;505.00;7;3535.00;Nätverksmöte;Nätverksträff Stockholm;"
                                   in line for line in lines)
    assert (tmp_path / "tid.settings.csv").exists()
    assert hcli("hours export --year 2022 --as skr").exit_code == 2  # no output named


def test_export_of_another_year_is_empty(hcli: Cli, tmp_path: Path) -> None:
    _meeting_setup(hcli)
    hcli.ok(f"hours export --year 2021 --csv {tmp_path / 'x.csv'} --as skr")
    assert len((tmp_path / "x.csv").read_text(encoding="utf-8-sig").splitlines()) == 1


def test_swedish_output_writes_hours_and_kronor_with_a_decimal_comma(hcli: Cli) -> None:
    """Swedish writes 6,5 tim and 1 262,50 kr; tab-separated tables are pasted into Swedish Excel,
    which reads "1.5" as text or a date. JSON keeps numbers."""
    sv = {"JOURNEY_LANG": "sv"}
    logged = hcli.ok(f"{LOG} --date 2022-03-14 --hours 2.5 --as anna", **sv).output
    assert logged.strip() == "Registrerade 2,5 tim för Anna Berg (Umeå) den 2022-03-14, behovsinventering (post 1)"
    hcli.ok(f"{LOG} --date 2022-03-15 --hours 1,25 --as anna", **sv)
    lines = hcli.ok("hours summary --year 2022 --as skr", **sv).output.splitlines()
    # Anna Berg: salary group 5 at 505 kr/h in the example table: 3.75 h -> 1 893,75 kr
    assert lines[0].startswith("ESF-timmar 2022: 3,75 tim, 1\u00a0893,75 kr"), lines[0]
    umea = next(line.split("\t") for line in lines if line.startswith("Umeå\t"))
    assert umea[1] == "3,75" and umea[5] == "1\u00a0893,75", umea
    listed = hcli.ok("hours list --year 2022 --as skr", **sv).output
    assert "\t2,5\t" in listed and "\t1,25\t" in listed
    english = hcli.ok("hours summary --year 2022 --as skr").output
    assert english.startswith("ESF hours 2022: 3.75 h, 1\u00a0893.75 SEK"), english
    assert json.loads(hcli.ok("hours summary --year 2022 --json --as skr").output)["total"]["hours"] == 3.75


def test_a_national_total_groups_its_thousands_the_swedish_way() -> None:
    """More than four digits are grouped by a non-breaking space (531 286,25); four are not (1965,5)."""
    from journey.cli import _i18n

    before = _i18n.language()
    try:
        _i18n.install("sv")
        assert [_i18n.number(v) for v in ("6.5", "1965.5", "531286.25", "-12345", "7", None)] == [
            "6,5", "1965,5", "531\u00a0286,25", "-12\u00a0345", "7", ""]
        _i18n.install("en")
        assert _i18n.number("531286.25") == "531286.25"
    finally:
        _i18n.install(before)


def test_network_meetings_are_listed_in_swedish(hcli: Cli) -> None:
    """Kinds, host and what the year still lacks in the user's language (the kind ids stay the options)."""
    _meeting_setup(hcli)
    added = hcli.ok("network-meetings add digital --date 2022-09-13 --title 'Digital träff 2' --hours 2.5 --as skr",
                    JOURNEY_LANG="sv").output
    assert added.strip() == "Registrerade träff 4: digitalt nätverksmöte 2022-09-13 Digital träff 2 (2,5 tim)"
    lines = hcli.ok("network-meetings list --year 2022 --as skr", JOURNEY_LANG="sv").output.splitlines()
    rows = [line.split("\t") for line in lines if line[:1].isdigit()]
    assert [(r[2], r[5]) for r in rows] == [("Fysiskt nätverksmöte", "nätverket"), ("Digitalt nätverksmöte", "nätverket"),
                                            ("Lokal heldag", "Umeå"), ("Digitalt nätverksmöte", "nätverket")]
    assert rows[3][4] == "2,5"
    assert "Återstår att hålla i år: 1 fysisk" in lines
    english = hcli.ok("network-meetings list --year 2022 --as skr").output
    assert "Still to hold this year: 1 physical" in english and "\tphysical\t" in english
    empty = hcli.ok("network-meetings list --year 2023 --as skr", JOURNEY_LANG="sv").output.splitlines()
    assert empty[:2] == ["Inga träffar registrerade 2023", "Saknas för 2023: 2 fysiska, 2 digitala"], empty
    assert empty[2].startswith("Ingen lokal heldag 2023: Helsingborg, "), empty


def test_the_activity_help_names_every_activity_but_the_meetings(tmp_path: Path) -> None:
    from journey.domain.hours import MEETING_ACTIVITIES, Activity

    cli = Cli(f"sqlite:///{tmp_path / 'j.db'}", tmp_path)
    for lang in ("en", "sv"):
        text = " ".join(cli.ok("hours log --help", JOURNEY_LANG=lang).output.split()).replace("- ", "-")  # wrapped
        for activity in Activity:
            assert (f"{activity.value} (" in text or f" {activity.value}." in text) != (activity in MEETING_ACTIVITIES), \
                (lang, activity)
        assert "journey network-meetings attend" in text
