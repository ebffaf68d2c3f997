"""Board meeting calendars (sammanträdesplaner) as imported rows, and strict parsing of their values."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import date

from journey.domain import limits
from journey.domain.errors import InputError
from journey.domain.text import check_name, check_text

_TIME = re.compile(r"([01]?[0-9]|2[0-3])[:.]([0-5][0-9])")
_EMAIL = re.compile(r"^[^@\s<>,;\"]+@[^@\s<>,;\"]+\.[^@\s<>,;\"]+$")
_BOARD = re.compile(r"[\w][\w .&-]*")


class CalendarFileError(InputError):
    """A row of a CSV or ICS calendar is invalid; the message starts with ``file:line:``."""


@dataclass(frozen=True)
class MeetingRow:
    """One meeting read from a file or typed on the command line."""

    board: str
    day: date
    start: str = ""
    location: str = ""
    title: str = ""
    board_name: str = ""
    secretary_email: str = ""
    chair_email: str = ""
    line: int = 0


def parse_day(text: str, where: str = "") -> date:
    try:
        if not re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", text.strip()):
            raise ValueError
        return date.fromisoformat(text.strip())
    except ValueError:
        raise _error(where, f"date {text!r} is not a date (YYYY-MM-DD)") from None


def parse_time(text: str, where: str = "") -> str:
    text = text.strip()
    if not text:
        return ""
    match = _TIME.fullmatch(text)
    if match is None:
        raise _error(where, f"time {text!r} is not a time (HH:MM)")
    return f"{int(match.group(1)):02d}:{match.group(2)}"


def check_email(text: str, where: str = "") -> str:
    text = text.strip()
    if text and not _EMAIL.match(text):
        raise _error(where, f"{text!r} is not an email address")
    return text


def check_board(text: str, where: str = "") -> str:
    try:
        text = check_name(text, "board", limits.BOARD_CODE, required=False)
    except InputError as exc:
        raise _error(where, str(exc)) from None
    if not _BOARD.fullmatch(text):
        raise _error(where, f"board {text!r} must be a short code such as KS, KF or SN (letters, digits, spaces)")
    return text


def check_row(row: MeetingRow, where: str = "") -> MeetingRow:
    """Check a meeting's free-text values (names, place, title) the same way whatever the source."""
    try:
        return replace(row, board=check_board(row.board, where),
                       board_name=check_name(row.board_name, "board_name", limits.BOARD_NAME, required=False),
                       location=check_text(row.location, "location", limits.MEETING_LOCATION),
                       title=check_text(row.title, "title", limits.MEETING_TITLE))
    except InputError as exc:
        if isinstance(exc, CalendarFileError) or not where:
            raise
        raise _error(where, str(exc)) from None


def check_board_name(text: str) -> str:
    return check_name(text, "board name", limits.BOARD_NAME, required=False)


def _error(where: str, message: str) -> InputError:
    return CalendarFileError(f"{where}: {message}") if where else InputError(message)
