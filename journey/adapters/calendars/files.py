"""Read a board calendar file: CSV, XLSX or ICS, chosen by the file's suffix.

CSV may be UTF-8 (with or without BOM), UTF-16 with BOM, or Windows-1252 as Swedish Excel saves
"CSV (semikolonavgränsad)"; the delimiter (semicolon, comma or tab) is taken from the header row.
"""

from __future__ import annotations

import codecs
import csv
import io
from datetime import date
from pathlib import Path
from zoneinfo import ZoneInfo

from journey.adapters.calendars.tables import HEADER_SEARCH, read_rows
from journey.domain.board_meetings import MeetingRow, check_board, header_column
from journey.domain.errors import CalendarFileError
from journey.domain.messages import msg

ICS_SUFFIXES = (".ics", ".ical", ".ifb", ".icalendar")
XLSX_SUFFIXES = (".xlsx", ".xlsm")
OLD_EXCEL = (".xls", ".ods", ".numbers")


def read_calendar(path: Path, board: str | None, tz: ZoneInfo, today: date | None = None) -> list[MeetingRow]:
    """All rows of the file, or :class:`CalendarFileError` naming file and line for the first bad one.

    ``today`` (the import date) bounds how far a recurring ICS series is expanded.
    """
    suffix = path.suffix.lower()
    if suffix in OLD_EXCEL:
        raise CalendarFileError(msg("{path}: {suffix} is not read; save the plan as .xlsx or as CSV",
            path=path, suffix=suffix))
    if not path.is_file():
        raise CalendarFileError(msg("{path}: not a file", path=path) if path.exists()
                                else msg("{path}: no such file", path=path))
    if suffix in XLSX_SUFFIXES:
        from journey.adapters.calendars.xlsx import read_xlsx

        return read_xlsx(path, board)
    text = decode(path.read_bytes(), str(path))
    if suffix in ICS_SUFFIXES:
        if not board:
            raise CalendarFileError(msg("{path}: an ICS calendar needs --board (KS, KF or the nämnd's code)", path=path))
        from journey.adapters.calendars.ics import parse_ics

        return parse_ics(text, str(path), check_board(board, f"{path}:1"), tz, today)
    return parse_csv(text, str(path), board)


def decode(data: bytes, filename: str) -> str:
    """UTF-8 (BOM or not), UTF-16 with a BOM, else Windows-1252 (what Swedish Excel writes)."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError as exc:
            raise CalendarFileError(msg("{filename}:{data}: not UTF-16 text ({reason})",
                filename=filename, data=_line(data, exc.start), reason=exc.reason)) from None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252")
    except UnicodeDecodeError as exc:
        raise CalendarFileError(msg("{filename}:{data}: neither UTF-8 nor Windows-1252 text (byte 0x{value:02x})",
            filename=filename, data=_line(data, exc.start), value=data[exc.start])) from None


def _line(data: bytes, offset: int) -> int:
    return data[:offset].count(b"\n") + 1


def _delimiter(text: str) -> str:
    """The delimiter that splits one of the first lines into a header naming a date column; else the commonest."""
    lines = [line for line in text.splitlines() if line.strip()][:HEADER_SEARCH]
    by_count = sorted((";", ",", "\t"), key=lambda d: (-sum(line.count(d) for line in lines), d != ";"))
    for delimiter in by_count:
        for cells in csv.reader(lines, delimiter=delimiter):
            if any(header_column(cell) == "date" for cell in cells):
                return delimiter
    return by_count[0]


def parse_csv(text: str, filename: str, board: str | None = None) -> list[MeetingRow]:
    """The meetings of a CSV sammanträdesplan; errors name ``filename:line``."""
    if not text.strip():
        raise CalendarFileError(msg("{filename}:1: empty file", filename=filename))
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(text))
    rows = []
    try:
        for cells in reader:
            rows.append((reader.line_num, cells))
    except csv.Error as exc:
        raise CalendarFileError(msg("{filename}:{line}: {exc}", filename=filename, line=reader.line_num, exc=exc)) from None
    return read_rows(rows, lambda line: f"{filename}:{line}", board, strict_width=True)
