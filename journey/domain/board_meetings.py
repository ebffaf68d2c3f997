"""Board meeting calendars (sammanträdesplaner) as imported rows, and strict parsing of their values."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from journey.domain.addresses import address_problem, normalize_address
from journey.domain.errors import CalendarFileError, InputError

_TIME = re.compile(r"^([01]?\d|2[0-3])[:.]([0-5]\d)$")
_BOARD = re.compile(r"^[\wÅÄÖåäö][\wÅÄÖåäö .&-]{0,39}$")


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
        if not re.match(r"^\d{4}-\d{2}-\d{2}$", text.strip()):
            raise ValueError
        return date.fromisoformat(text.strip())
    except ValueError:
        raise _error(where, f"date {text!r} is not a date (YYYY-MM-DD)") from None


def parse_time(text: str, where: str = "") -> str:
    text = text.strip()
    if not text:
        return ""
    match = _TIME.match(text)
    if match is None:
        raise _error(where, f"time {text!r} is not a time (HH:MM)")
    return f"{int(match.group(1)):02d}:{match.group(2)}"


def check_email(text: str, where: str = "", label: str = "email address") -> str:
    """A board contact address, checked as every address is (journey.domain.addresses); '' stays ''."""
    if not text.strip():
        return ""
    address = normalize_address(text)
    problem = address_problem(address)
    if problem:
        shown = text if len(text) <= 80 else text[:80] + "…"
        raise _error(where, f"{label} {shown!r} is not a valid email address: {problem}")
    return address


def check_board(text: str, where: str = "") -> str:
    text = " ".join(text.split())
    if not _BOARD.match(text):
        raise _error(where, f"board {text!r} must be a short code such as KS, KF or SN (letters, digits, spaces)")
    return text


def _error(where: str, message: str) -> InputError:
    return CalendarFileError(f"{where}: {message}") if where else InputError(message)
