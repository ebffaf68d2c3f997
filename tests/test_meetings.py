"""Board meeting calendars: CSV and ICS import, bad rows (file:line, exit 2, nothing written), editing."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from journey.adapters.calendars.files import parse_csv, read_calendar
from journey.adapters.calendars.ics import build_ics, parse_ics
from journey.domain.errors import CalendarFileError
from journey.ports.mail import CalendarEvent
from tests.conftest import Cli
from tests.reminder_support import at

TZ = ZoneInfo("Europe/Stockholm")
ICS = """BEGIN:VCALENDAR\r
VERSION:2.0\r
BEGIN:VEVENT\r
DTSTART;TZID=Europe/Stockholm:20220420T130000\r
SUMMARY:Kommunstyrelsen\\, ordinarie sammanträde\r
LOCATION:Sessionssalen\\, Stads\r
 huset\r
END:VEVENT\r
BEGIN:VEVENT\r
DTSTART:20221123T080000Z\r
SUMMARY:Kommunstyrelsen\r
END:VEVENT\r
BEGIN:VEVENT\r
DTSTART;VALUE=DATE:20221214\r
END:VEVENT\r
END:VCALENDAR\r
"""


def test_ics_events_in_local_time_with_unfolding_and_escapes() -> None:
    rows = parse_ics(ICS, "ks.ics", "KS", TZ)
    assert [(r.day, r.start) for r in rows] == [(date(2022, 4, 20), "13:00"), (date(2022, 11, 23), "09:00"),
                                                (date(2022, 12, 14), "")]
    assert rows[0].title == "Kommunstyrelsen, ordinarie sammanträde" and rows[0].location == "Sessionssalen, Stadshuset"


def test_ics_round_trip_of_a_meeting_attachment() -> None:
    event = CalendarEvent("m-1@journey", date(2022, 4, 20), "13:00", "Sammanträde; KS, Karlstad", "Sal\nB")
    text = build_ics(event, TZ, at("2022-03-01T09:00:00+00:00"))
    assert all(len(line.encode()) <= 75 for line in text.split("\r\n"))
    [row] = parse_ics(text, "x.ics", "KS", TZ)
    assert (row.day, row.start, row.title) == (date(2022, 4, 20), "13:00", "Sammanträde; KS, Karlstad")


@pytest.mark.parametrize(("text", "message"), [
    ("board,date\nKS,2022-02-30\n", "ks.csv:2: date '2022-02-30' is not a date"),
    ("board,date,time\nKS,2022-02-01,13\nKS,2022-03-01,25:00\n", "ks.csv:2: time '13' is not a time"),
    ("board,date\nKS,2022-02-01\nKS,2022-02-01,extra\n", "ks.csv:3: 3 columns, the header has 2"),
    ("board;date;secretary_email\nKS;2022-02-01;nobody\n",
     "ks.csv:2: email address 'nobody' is not a valid email address: it has no @"),
    ("styrelse,datum\nKS,2022-02-01\n", "ks.csv:1: header must have date and board"),
])
def test_bad_csv_rows_name_file_and_line(text: str, message: str) -> None:
    with pytest.raises(CalendarFileError) as err:
        parse_csv(text, "ks.csv")
    assert str(err.value).startswith(message)


def test_bad_ics_date_names_the_line(tmp_path: Path) -> None:
    path = tmp_path / "ks.ics"
    path.write_text(ICS.replace("20221123T080000Z", "2022-11-23"))
    with pytest.raises(CalendarFileError) as err:
        read_calendar(path, "KS", TZ)
    assert str(err.value) == f"{path}:10: DTSTART '2022-11-23' is not a date (YYYYMMDD or YYYYMMDDTHHMMSS)"
    with pytest.raises(CalendarFileError, match="needs --board"):
        read_calendar(path, None, TZ)


@pytest.fixture
def town(cli: Cli) -> Cli:
    cli.ok("municipalities seed")
    return cli


def test_import_list_and_edit_through_the_cli(town: Cli, tmp_path: Path) -> None:
    csv_file = tmp_path / "plan.csv"
    csv_file.write_text("\ufeffboard;date;time;location;board_name;secretary_email\n"
                        "KS;2022-04-20;13:00;Sessionssalen;Kommunstyrelsen;ks@karlstad.se\n"
                        "KF;2022-04-25;18:00;Sessionssalen;Kommunfullmäktige;\n", encoding="utf-8")
    out = town.ok(f"meetings import {csv_file} -m Karlstad").output
    assert "2 added, 0 updated" in out
    ics_file = tmp_path / "ks.ics"
    ics_file.write_text(ICS)
    assert "2 added, 1 updated" in town.ok(f"meetings import {ics_file} -m Karlstad --board KS").output
    town.ok("meetings add Karlstad KS 2023-01-18 --time 9.30")
    town.ok("meetings move Karlstad KS 2022-12-14 2022-12-15")
    town.ok("meetings remove Karlstad KF 2022-04-25")
    listed = json.loads(town.ok("meetings list Karlstad --json").output)
    assert [(m["board"], m["date"], m["time"]) for m in listed] == [
        ("KS", "2022-04-20", "13:00"), ("KS", "2022-11-23", "09:00"), ("KS", "2022-12-15", ""),
        ("KS", "2023-01-18", "09:30")]
    assert listed[0]["location"] == "Sessionssalen, Stadshuset" and listed[0]["secretary_email"] == "ks@karlstad.se"
    missing = town("meetings move Karlstad KS 2022-01-01 2022-01-02")
    assert missing.exit_code == 4 and "no meeting on 2022-01-01" in missing.output


def test_a_bad_row_is_one_line_exit_2_and_nothing_is_written(town: Cli, tmp_path: Path) -> None:
    csv_file = tmp_path / "plan.csv"
    csv_file.write_text("board,date\nKS,2022-04-20\nKS,2022-05-18\nKS,20220615\n")
    result = town(f"meetings import {csv_file} -m Karlstad")
    assert result.exit_code == 2
    assert result.output.strip() == f"Error: {csv_file}:4: date '20220615' is not a date (YYYY-MM-DD)"
    assert json.loads(town.ok("meetings list --json").output) == []
    assert town("meetings add Karlstad KS 2022-04-31").exit_code == 2


def test_only_the_municipalitys_own_coordinator_may_edit_its_calendar(town: Cli) -> None:
    town.ok("users add admin --role admin")
    town.ok("users add anna --role coordinator --municipality Umeå --as admin")
    refused = town("meetings add Karlstad KS 2022-04-20 --as anna")
    assert refused.exit_code == 6
    town.ok("meetings add Umeå KS 2022-04-20 --as anna")
