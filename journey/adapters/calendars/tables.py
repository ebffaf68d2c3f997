"""Tabular sammanträdesplaner (CSV rows, XLSX sheets): find the header row, map its columns, read each row.

The header is the first row, among the first ten, that names a date column (``date`` or ``Datum``), so a
title row above it ("Sammanträdesplan 2023") is read past. Column names may be English or Swedish
(:data:`journey.domain.board_meetings.HEADER_ALIASES`).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from datetime import date, datetime, time, timedelta
from typing import Any

from journey.domain.board_meetings import (
    IGNORE,
    MeetingRow,
    board_and_name,
    check_email,
    header_column,
    header_help,
    parse_day,
    parse_time,
)
from journey.domain.errors import CalendarFileError
from journey.domain.messages import msg

HEADER_SEARCH = 10
Where = Callable[[int], str]
_MIDNIGHT = re.compile(r"^(\d{4}-\d{2}-\d{2})[ T]00:00(?::00)?$")


def text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return " ".join(str(value).split())


def _day(value: Any, where: str) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    raw = text(value)
    match = _MIDNIGHT.match(raw)
    return parse_day(match.group(1) if match else raw, where)


def _time(value: Any, where: str) -> str:
    if isinstance(value, datetime):
        value = value.time()
    if isinstance(value, timedelta):  # an Excel duration format such as [h]:mm
        value = (datetime.min + value).time() if timedelta(0) <= value < timedelta(days=1) else text(value)
    if isinstance(value, float | int) and not isinstance(value, bool) and 0 <= value < 1:  # a fraction of a day
        value = (datetime.min + timedelta(minutes=round(value * 24 * 60))).time()
    if isinstance(value, time):
        return value.strftime("%H:%M")
    return parse_time(text(value), where)


def _columns(cells: Sequence[Any], where: str, board: str | None) -> list[str]:
    columns = [header_column(text(c)) for c in cells]
    named = [c for c in columns if c]
    if None in columns or len(named) != len(set(named)) or "date" not in named or ("board" not in named and not board):
        raise _header_error(cells, where, board)
    return [c or IGNORE for c in columns]


def _header_error(cells: Sequence[Any], where: str, board: str | None) -> CalendarFileError:
    columns = [header_column(text(c)) for c in cells]
    unknown = [text(c) for c, col in zip(cells, columns, strict=True) if col is None]
    named = [c for c in columns if c]
    twice = sorted({c for c in named if named.count(c) > 1})
    extra = f"; unknown: {', '.join(unknown)}" if unknown else ""
    extra += f"; named twice: {', '.join(twice)}" if twice else ""
    return CalendarFileError(msg("{where}: header must have date{value} (columns: {value2}){extra}",
        where=where, value='' if board else ' and board', value2=header_help(), extra=extra))


def _is_empty(cells: Sequence[Any]) -> bool:
    return not any(text(c) for c in cells)


def find_header(rows: Sequence[tuple[int, Sequence[Any]]]) -> int | None:
    """The index in ``rows`` of the header row, or None when none of the first rows names a date column."""
    seen = 0
    for index, (_, cells) in enumerate(rows):
        if _is_empty(cells):
            continue
        if any(header_column(text(c)) == "date" for c in cells):
            return index
        seen += 1
        if seen >= HEADER_SEARCH:
            break
    return None


def read_rows(rows: Sequence[tuple[int, Sequence[Any]]], where: Where, board: str | None,
              strict_width: bool = False, allow_empty: bool = False) -> list[MeetingRow]:
    """Every meeting below the header; ``rows`` are ``(line or row number, cells)``.

    Raises :class:`CalendarFileError` naming ``where(line)`` for the header or the first bad row.
    With ``strict_width`` (CSV) a row with more non-empty cells than the header has columns is refused.
    """
    start = find_header(rows)
    if start is None:
        first = next(((line, cells) for line, cells in rows if not _is_empty(cells)), None)
        if first is None:
            raise CalendarFileError(msg("{value}: empty file", value=where(1)))
        raise _header_error(first[1], where(first[0]), board)
    header_line, header = rows[start]
    columns = _columns(header, where(header_line), board)
    meetings = []
    for line, cells in rows[start + 1:]:
        if _is_empty(cells):
            continue
        at = where(line)
        if strict_width and len(cells) > len(columns) and not _is_empty(cells[len(columns):]):
            raise CalendarFileError(msg("{at}: {count} columns, the header has {count2}",
                at=at, count=len(cells), count2=len(columns)))
        meetings.append(_meeting(dict(_pairs(columns, cells)), at, board, line))
    if not meetings and not allow_empty:
        raise CalendarFileError(msg("{value}: no meetings in the file", value=where(header_line + 1)))
    return meetings


def _pairs(columns: Iterable[str], cells: Sequence[Any]) -> Iterable[tuple[str, Any]]:
    for index, column in enumerate(columns):
        if column:
            yield column, cells[index] if index < len(cells) else None


def _meeting(cell: dict[str, Any], where: str, board: str | None, line: int) -> MeetingRow:
    code, well_known_name = board_and_name(text(cell.get("board")) or board or "", where)
    return MeetingRow(
        board=code, day=_day(cell.get("date"), where), start=_time(cell.get("time"), where),
        location=text(cell.get("location")), title=text(cell.get("title")),
        board_name=text(cell.get("board_name"))[:200] or well_known_name,
        secretary_email=check_email(text(cell.get("secretary_email")), where),
        chair_email=check_email(text(cell.get("chair_email")), where), line=line)
