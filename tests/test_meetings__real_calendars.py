"""Calendars as real tools write them, imported through the real CLI on SQLite and PostgreSQL (#11).

An Outlook export (Windows zone name with a VTIMEZONE, a series with EXDATE, a moved and a cancelled
occurrence, a cancelled meeting), a CSV saved by Swedish Excel (Windows-1252, semicolons, Swedish
headers) and an XLSX sammanträdesplan. A broken row in any of them is one line on stderr naming the
file and line (sheet and row), exit code 2, and nothing imported.
"""

from __future__ import annotations

import json
from datetime import date, datetime, time
from pathlib import Path

import pytest

from tests.conftest import Cli

OUTLOOK = """BEGIN:VCALENDAR
PRODID:-//Microsoft Corporation//Outlook 16.0 MIMEDIR//EN
VERSION:2.0
METHOD:PUBLISH
X-MS-OLK-FORCEINSPECTOROPEN:TRUE
BEGIN:VTIMEZONE
TZID:W. Europe Standard Time
BEGIN:STANDARD
DTSTART:16011028T030000
RRULE:FREQ=YEARLY;BYDAY=-1SU;BYMONTH=10
TZOFFSETFROM:+0200
TZOFFSETTO:+0100
END:STANDARD
BEGIN:DAYLIGHT
DTSTART:16010325T020000
RRULE:FREQ=YEARLY;BYDAY=-1SU;BYMONTH=3
TZOFFSETFROM:+0100
TZOFFSETTO:+0200
END:DAYLIGHT
END:VTIMEZONE
BEGIN:VEVENT
CLASS:PUBLIC
CREATED:20211101T120000Z
DESCRIPTION:Kallelse skickas en vecka före.\\n
DTEND;TZID="W. Europe Standard Time":20220119T160000
DTSTAMP:20211101T120000Z
DTSTART;TZID="W. Europe Standard Time":20220119T130000
EXDATE;TZID="W. Europe Standard Time":20220720T130000
LOCATION:Sessionssalen\\, Stadshuset
PRIORITY:5
RRULE:FREQ=MONTHLY;COUNT=8;BYDAY=3WE
SEQUENCE:0
SUMMARY;LANGUAGE=sv:Kommunstyrelsen
TRANSP:OPAQUE
UID:040000008200E00074C5B7101A82E0080000000010B5C3A7D4C9D701000000000000000
 0100000004A9B1C2
X-MICROSOFT-CDO-BUSYSTATUS:BUSY
BEGIN:VALARM
TRIGGER:-PT15M
ACTION:DISPLAY
DESCRIPTION:Reminder
END:VALARM
END:VEVENT
BEGIN:VEVENT
DTEND;TZID="W. Europe Standard Time":20220525T120000
DTSTAMP:20211101T120000Z
DTSTART;TZID="W. Europe Standard Time":20220525T090000
LOCATION:Rådhuset
RECURRENCE-ID;TZID="W. Europe Standard Time":20220518T130000
SEQUENCE:1
SUMMARY;LANGUAGE=sv:Kommunstyrelsen (flyttat)
UID:040000008200E00074C5B7101A82E0080000000010B5C3A7D4C9D701000000000000000
 0100000004A9B1C2
END:VEVENT
BEGIN:VEVENT
DTEND;TZID="W. Europe Standard Time":20220615T160000
DTSTAMP:20211101T120000Z
DTSTART;TZID="W. Europe Standard Time":20220615T130000
RECURRENCE-ID;TZID="W. Europe Standard Time":20220615T130000
SEQUENCE:1
STATUS:CANCELLED
SUMMARY;LANGUAGE=sv:Inställt: Kommunstyrelsen
UID:040000008200E00074C5B7101A82E0080000000010B5C3A7D4C9D701000000000000000
 0100000004A9B1C2
END:VEVENT
BEGIN:VEVENT
DTEND;TZID="W. Europe Standard Time":20221207T160000
DTSTAMP:20211101T120000Z
DTSTART;TZID="W. Europe Standard Time":20221207T130000
STATUS:CANCELLED
SUMMARY;LANGUAGE=sv:Inställt: extra sammanträde
UID:extra-2022-12@karlstad.se
END:VEVENT
BEGIN:VEVENT
DTEND;TZID="W. Europe Standard Time":20221123T160000
DTSTAMP:20211101T120000Z
DTSTART;TZID="W. Europe Standard Time":20221123T130000
SUMMARY;LANGUAGE=sv:Kommunstyrelsen\\, budget
UID:budget-2022@karlstad.se
END:VEVENT
END:VCALENDAR
""".replace("\n", "\r\n")


def _meetings(cli: Cli) -> list[tuple[str, str, str, str]]:
    return [(m["board"], m["date"], m["time"], m["location"])
            for m in json.loads(cli.ok("meetings list Karlstad --json").output)]


def _refused(cli: Cli, command: str) -> str:
    """The one stderr line of a refused import, after checking exit code 2 and that nothing was imported."""
    result = cli(command)
    assert result.exit_code == 2, result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and result.stdout == "", result.output
    assert json.loads(cli.ok("meetings list --json").output) == []
    return lines[0]


@pytest.fixture
def town(cli: Cli) -> Cli:
    cli.ok("municipalities seed")
    return cli


def test_an_outlook_export_with_a_windows_zone_series_moves_and_cancellations(town: Cli, tmp_path: Path) -> None:
    ics = tmp_path / "ks.ics"
    ics.write_bytes(OUTLOOK.encode("utf-8"))
    out = town.ok(f"meetings import {ics} -m Karlstad --board KS").output
    assert out.startswith("Karlstad: 7 added, 0 updated, 0 removed")
    # The third Wednesday, January to August, at 13:00 in Stockholm in winter and in summer alike;
    # July is an EXDATE, May moved to the 25th at 09:00, June cancelled; the cancelled
    # December meeting is left out and the single November meeting is kept.
    hall = "Sessionssalen, Stadshuset"
    assert _meetings(town) == [
        ("KS", "2022-01-19", "13:00", hall), ("KS", "2022-02-16", "13:00", hall), ("KS", "2022-03-16", "13:00", hall),
        ("KS", "2022-04-20", "13:00", hall), ("KS", "2022-05-25", "09:00", "Rådhuset"), ("KS", "2022-08-17", "13:00", hall),
        ("KS", "2022-11-23", "13:00", "")]
    titles = {m["date"]: m["title"] for m in json.loads(town.ok("meetings list Karlstad --json").output)}
    assert titles["2022-05-25"] == "Kommunstyrelsen (flyttat)" and titles["2022-11-23"] == "Kommunstyrelsen, budget"

    # Importing the same export again changes nothing.
    assert "0 added, 7 updated, 0 removed" in town.ok(f"meetings import {ics} -m Karlstad --board KS").output
    # Outlook later moves the May occurrence again, cancels August and the budget meeting: a re-import follows.
    changed = (OUTLOOK.replace("20220525T090000", "20220527T100000").replace("20220525T120000", "20220527T130000")
               .replace("RECURRENCE-ID;TZID=\"W. Europe Standard Time\":20220615T130000",
                        "RECURRENCE-ID;TZID=\"W. Europe Standard Time\":20220817T130000")
               .replace("DTSTART;TZID=\"W. Europe Standard Time\":20220615T130000",
                        "DTSTART;TZID=\"W. Europe Standard Time\":20220817T130000")
               .replace("DTEND;TZID=\"W. Europe Standard Time\":20220615T160000",
                        "DTEND;TZID=\"W. Europe Standard Time\":20220817T160000")
               .replace("SUMMARY;LANGUAGE=sv:Kommunstyrelsen\\, budget", "STATUS:CANCELLED\r\nSUMMARY:Inställt"))
    ics.write_bytes(changed.encode("utf-8"))
    out = town.ok(f"meetings import {ics} -m Karlstad --board KS").output
    assert out.startswith("Karlstad: 1 added, 5 updated, 2 removed")  # June is back; August and November gone
    assert [(d, t) for _, d, t, _ in _meetings(town)] == [
        ("2022-01-19", "13:00"), ("2022-02-16", "13:00"), ("2022-03-16", "13:00"), ("2022-04-20", "13:00"),
        ("2022-05-27", "10:00"), ("2022-06-15", "13:00")]


def test_windows_and_iana_zones_without_a_vtimezone_are_read_in_stockholm_time(town: Cli, tmp_path: Path) -> None:
    ics = tmp_path / "kf.ics"
    ics.write_text("BEGIN:VCALENDAR\r\nVERSION:2.0\r\n"
                   "BEGIN:VEVENT\r\nUID:a\r\nDTSTART;TZID=\"GMT Standard Time\":20220425T170000\r\nEND:VEVENT\r\n"
                   "BEGIN:VEVENT\r\nUID:b\r\nDTSTART;TZID=Europe/Helsinki:20221128T190000\r\nEND:VEVENT\r\n"
                   "BEGIN:VEVENT\r\nUID:c\r\nDTSTART:20221212T170000\r\nEND:VEVENT\r\n"
                   "END:VCALENDAR\r\n", encoding="utf-8")
    town.ok(f"meetings import {ics} -m Karlstad --board KF")
    assert [(d, t) for _, d, t, _ in _meetings(town)] == [
        ("2022-04-25", "18:00"), ("2022-11-28", "18:00"), ("2022-12-12", "17:00")]  # floating time: local


def test_an_open_ended_series_stops_three_years_after_the_import(town: Cli, tmp_path: Path) -> None:
    ics = tmp_path / "amn.ics"
    ics.write_text("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VEVENT\r\nUID:amn@umea.se\r\n"
                   "DTSTART;TZID=Europe/Stockholm:20220110T090000\r\nRRULE:FREQ=MONTHLY;BYMONTHDAY=10\r\n"
                   "END:VEVENT\r\nEND:VCALENDAR\r\n", encoding="utf-8")
    town.ok(f"meetings import {ics} -m Karlstad --board AMN")  # imported on 2022-03-01 (JOURNEY_NOW)
    dates = [d for _, d, _, _ in _meetings(town)]
    assert (dates[0], dates[-1], len(dates)) == ("2022-01-10", "2025-02-10", 38)


def test_a_swedish_excel_csv_in_windows_1252_with_semicolons(town: Cli, tmp_path: Path) -> None:
    plan = tmp_path / "sammanträdesplan 2022.csv"
    plan.write_bytes(("Sammanträdesplan 2022;;;;;\r\n"
                      "Nämnd;Veckodag;Datum;Tid;Plats;Sekreterare e-post\r\n"
                      "Kommunstyrelsen;onsdag;2022-04-20;kl. 13.00;Sessionssalen, Rådhuset;ks@karlstad.se\r\n"
                      "Kommunfullmäktige;måndag;2022-04-25;18.00–21.00;Rådhussalen;\r\n"
                      ";;;;;\r\n"
                      "Socialnämnden;tisdag;2022-05-17;;Lokal Älven;\r\n").encode("cp1252"))
    assert "3 added" in town.ok(["meetings", "import", str(plan), "-m", "Karlstad"]).output
    rows = json.loads(town.ok("meetings list Karlstad --json").output)
    assert [(m["board"], m["board_name"], m["date"], m["time"], m["location"]) for m in rows] == [
        ("KS", "Kommunstyrelsen", "2022-04-20", "13:00", "Sessionssalen, Rådhuset"),
        ("KF", "Kommunfullmäktige", "2022-04-25", "18:00", "Rådhussalen"),
        ("Socialnämnden", "", "2022-05-17", "", "Lokal Älven")]
    assert rows[0]["secretary_email"] == "ks@karlstad.se"


def test_an_xlsx_sammantradesplan(town: Cli, tmp_path: Path) -> None:
    from openpyxl import Workbook

    book = Workbook()
    info = book.active
    info.title = "Instruktioner"
    info.append(["Fyll i ett sammanträde per rad på bladet 2022."])
    sheet = book.create_sheet("2022")
    sheet.append(["Sammanträdesplan för Karlstads kommun"])
    sheet.append([])
    sheet.append(["Nämnd", "Datum", "Tid", "Plats", "Rubrik", "Ordförande e-post"])
    sheet.append(["KS", datetime(2022, 4, 20), time(13, 0), "Sessionssalen", "Ordinarie", "ordf@karlstad.se"])
    sheet.append(["AMN", date(2022, 5, 3), "08.30", "Lokal Klara", None, None])
    sheet.append([None, None, None, None, None, None])
    sheet.append(["KS", "2022-06-15", 0.5625, None, None, None])
    book.save(tmp_path / "plan.xlsx")
    assert "3 added" in town.ok(f"meetings import {tmp_path / 'plan.xlsx'} -m Karlstad").output
    rows = json.loads(town.ok("meetings list Karlstad --json").output)
    assert [(m["board"], m["date"], m["time"], m["location"], m["title"]) for m in rows] == [
        ("KS", "2022-04-20", "13:00", "Sessionssalen", "Ordinarie"), ("AMN", "2022-05-03", "08:30", "Lokal Klara", ""),
        ("KS", "2022-06-15", "13:30", "", "")]
    assert rows[0]["chair_email"] == "ordf@karlstad.se"


def test_a_broken_row_in_each_format_is_one_line_exit_2_and_nothing_imported(town: Cli, tmp_path: Path) -> None:
    csv_file = tmp_path / "plan.csv"
    csv_file.write_bytes("Nämnd;Datum;Tid\r\nKS;2022-04-20;13.00\r\nKS;2022-05-18;13.00\r\nKS;18/6 2022;13.00\r\n"
                         .encode("cp1252"))
    assert _refused(town, f"meetings import {csv_file} -m Karlstad") == (
        f"Error: {csv_file}:4: date '18/6 2022' is not a date (YYYY-MM-DD)")

    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.title = "Plan 2022"
    for row in (["Nämnd", "Datum", "Tid"], ["KS", date(2022, 4, 20), "13:00"], ["KS", date(2022, 5, 18), "halv två"]):
        sheet.append(row)
    book.save(tmp_path / "plan.xlsx")
    assert _refused(town, f"meetings import {tmp_path / 'plan.xlsx'} -m Karlstad") == (
        f"Error: {tmp_path / 'plan.xlsx'}:Plan 2022:3: time 'halv två' is not a time (HH:MM)")

    ics = tmp_path / "ks.ics"
    ics.write_bytes(OUTLOOK.replace("DTSTART;TZID=\"W. Europe Standard Time\":20221123T130000",
                                    "DTSTART;TZID=\"W. Europe Standard Time\":2022-11-23 13:00").encode("utf-8"))
    line = OUTLOOK.split("\r\n").index("DTSTART;TZID=\"W. Europe Standard Time\":20221123T130000") + 1
    assert _refused(town, f"meetings import {ics} -m Karlstad --board KS") == (
        f"Error: {ics}:{line}: DTSTART '2022-11-23 13:00' is not a date (YYYYMMDD or YYYYMMDDTHHMMSS)")

    ics.write_bytes(OUTLOOK.replace('TZID="W. Europe Standard Time":20221123', "TZID=Stadshustid:20221123")
                    .encode("utf-8"))
    assert _refused(town, f"meetings import {ics} -m Karlstad --board KS") == (
        f"Error: {ics}:{line}: time zone 'Stadshustid' is unknown "
        "(no VTIMEZONE in the file, not an IANA or Windows zone name)")


@pytest.mark.parametrize(("name", "content", "message"), [
    ("plan.csv", "\ufeffNämnd,Datum\nKS,2022-04-20\nKS,2022-05-18,extra\n".encode(),
     "plan.csv:3: 3 columns, the header has 2"),
    ("plan.csv", "Styrelse;Datum\nKS;2022-04-20\n".encode("cp1252"),
     "plan.csv:1: header must have date (columns: board/nämnd, date/datum"),
    ("plan.csv", b"Board;Date\nKS;2022-04-20\n\x81\n", "plan.csv:3: neither UTF-8 nor Windows-1252 text"),
    ("plan.xlsx", b"not a zip", "plan.xlsx: not an Excel workbook (.xlsx)"),
    ("plan.xls", b"", "plan.xls: .xls is not read; save the plan as .xlsx or as CSV"),
    ("ks.ics", b"BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nDTSTART:20220420T130000\r\nEND:VCALENDAR\r\n",
     "ks.ics:2: BEGIN:VEVENT is not closed (END:VEVENT missing)"),
    ("ks.ics", b"BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nUID:a\r\nDTSTART:20220420T130000Z\r\nRRULE:FREQ=SOMETIMES\r\n"
               b"END:VEVENT\r\nEND:VCALENDAR\r\n", "ks.ics:5: RRULE: "),
    ("ks.ics", b"board,date\r\nKS,2022-04-20\r\n", "ks.ics:1: not an iCalendar file"),
    ("ks.ics", b"BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nUID:a\r\nDTSTART:20220420T130000Z\r\nDTEND:20220420T120000Z\r\n"
               b"END:VEVENT\r\nEND:VCALENDAR\r\n",
     "ks.ics:5: DTEND '20220420T120000Z' is before DTSTART '20220420T130000Z'"),
])
def test_files_that_are_not_calendars_are_refused_by_name(town: Cli, tmp_path: Path, name: str, content: bytes,
                                                          message: str) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    assert _refused(town, f"meetings import {path} -m Karlstad --board KS").startswith(f"Error: {tmp_path}/{message}")
