"""Read a board calendar file: CSV (comma or semicolon, UTF-8 with or without BOM) or ICS."""

from __future__ import annotations

import csv
import io
from pathlib import Path
from zoneinfo import ZoneInfo

from journey.adapters.calendars.ics import parse_ics
from journey.domain.board_meetings import (
    CalendarFileError,
    MeetingRow,
    check_board,
    check_email,
    parse_day,
    parse_time,
)

CSV_COLUMNS = ("board", "date", "time", "location", "title", "board_name", "secretary_email", "chair_email")


def read_calendar(path: Path, board: str | None, tz: ZoneInfo) -> list[MeetingRow]:
    """All rows of the file, or :class:`CalendarFileError` naming file and line for the first bad one."""
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except FileNotFoundError:
        raise CalendarFileError(f"{path}: no such file") from None
    except UnicodeDecodeError as exc:
        raise CalendarFileError(f"{path}:1: not UTF-8 text ({exc.reason})") from None
    if path.suffix.lower() in (".ics", ".ical", ".ifb"):
        if not board:
            raise CalendarFileError(f"{path}: an ICS calendar needs --board (KS, KF or the nämnd's code)")
        return parse_ics(text, str(path), check_board(board, f"{path}:1"), tz)
    return parse_csv(text, str(path), board)


def parse_csv(text: str, filename: str, board: str | None = None) -> list[MeetingRow]:
    lines = text.splitlines()
    if not lines:
        raise CalendarFileError(f"{filename}:1: empty file")
    delimiter = ";" if lines[0].count(";") > lines[0].count(",") else ","
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    header = [h.strip().lower() for h in next(reader)]
    unknown = [h for h in header if h not in CSV_COLUMNS]
    if unknown or "date" not in header or ("board" not in header and not board):
        extra = f"; unknown: {', '.join(unknown)}" if unknown else ""
        raise CalendarFileError(f"{filename}:1: header must have date{'' if board else ' and board'} "
                                f"(columns: {', '.join(CSV_COLUMNS)}){extra}")
    rows = []
    for values in reader:
        where = f"{filename}:{reader.line_num}"
        if not any(v.strip() for v in values):
            continue
        if len(values) != len(header):
            raise CalendarFileError(f"{where}: {len(values)} columns, the header has {len(header)}")
        cell = dict(zip(header, values, strict=True))
        rows.append(MeetingRow(
            board=check_board(cell.get("board") or board or "", where), day=parse_day(cell["date"], where),
            start=parse_time(cell.get("time", ""), where), location=cell.get("location", "").strip(),
            title=cell.get("title", "").strip(), board_name=cell.get("board_name", "").strip(),
            secretary_email=check_email(cell.get("secretary_email", ""), where),
            chair_email=check_email(cell.get("chair_email", ""), where), line=reader.line_num))
    if not rows:
        raise CalendarFileError(f"{filename}:2: no meetings in the file")
    return rows
