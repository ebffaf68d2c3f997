"""Board meeting calendars (sammanträdesplaner) as imported rows, and strict parsing of their values.

Also what a calendar file's header may say (English or Swedish column names) and the stable
identities of the events in an exported calendar.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, replace
from datetime import date, datetime

from journey.domain import limits
from journey.domain.addresses import address_problem, normalize_address
from journey.domain.errors import CalendarFileError, InputError
from journey.domain.messages import msg
from journey.domain.text import check_name, check_text

_TIME = re.compile(r"^(?:kl\.?\s*)?([01]?\d|2[0-3])[:.]([0-5]\d)(?:[:.][0-5]\d)?"
                   r"(?:\s*[-–—]\s*(?:[01]?\d|2[0-3])[:.][0-5]\d(?:[:.][0-5]\d)?)?$", re.IGNORECASE)
_BOARD = re.compile(r"[\w][\w .&-]*")

COLUMNS = ("board", "date", "time", "location", "title", "board_name", "secretary_email", "chair_email")
# Header names a sammanträdesplan may use, after normalising (lower case, "_" as space, "e-post" as "epost").
HEADER_ALIASES: dict[str, tuple[str, ...]] = {
    "board": ("board", "nämnd", "namnd", "organ", "beslutsorgan", "instans", "nämnd/styrelse", "styrelse/nämnd"),
    "date": ("date", "datum", "sammanträdesdatum", "sammanträdesdag", "mötesdatum"),
    "time": ("time", "tid", "tidpunkt", "starttid", "klockslag", "kl", "start"),
    "location": ("location", "plats", "lokal", "sammanträdeslokal", "mötesplats"),
    "title": ("title", "titel", "rubrik", "benämning", "sammanträde", "möte"),
    "board_name": ("board name", "nämndens namn", "nämndnamn", "organets namn"),
    "secretary_email": ("secretary email", "sekreterare epost", "epost sekreterare", "sekreterarens epost",
                        "nämndsekreterare epost", "epost nämndsekreterare"),
    "chair_email": ("chair email", "ordförande epost", "epost ordförande", "ordförandens epost"),
}
# Columns a plan often carries that journey does not store: read past them, never refuse them.
IGNORED_HEADERS = frozenset({
    "veckodag", "dag", "vecka", "v", "vnr", "veckonummer", "sluttid", "end", "anmärkning", "anmärkningar",
    "kommentar", "kommentarer", "notering", "noteringar", "not", "övrigt", "sekreterare", "nämndsekreterare",
    "ordförande", "ärendestopp", "sista dag för ärenden", "utskick", "kallelse", "justering"})
_ALIAS = {alias: column for column, aliases in HEADER_ALIASES.items() for alias in aliases}
# Full names that stand for the codes reminder rules use (``board: KS``).
BOARD_CODES = {"kommunstyrelsen": "KS", "kommunfullmäktige": "KF"}
IGNORE = ""


@dataclass(frozen=True)
class MeetingRow:
    """One meeting read from a file or typed on the command line.

    ``uid`` identifies the event in the calendar it came from (an ICS UID, with the original date for an
    occurrence of a series), so a re-import recognises a moved meeting. A ``cancelled`` row is not a
    meeting: it removes the meeting imported earlier under the same ``uid``.
    """

    board: str
    day: date
    start: str = ""
    location: str = ""
    title: str = ""
    board_name: str = ""
    secretary_email: str = ""
    chair_email: str = ""
    line: int = 0
    uid: str = ""
    cancelled: bool = False


def parse_day(text: str, where: str = "") -> date:
    try:
        if not re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", text.strip()):
            raise ValueError
        return date.fromisoformat(text.strip())
    except ValueError:
        raise _error(where, msg("date {text!r} is not a date (YYYY-MM-DD)", text=text)) from None


def parse_time(text: str, where: str = "") -> str:
    """``13:00``, ``9.30``, ``kl. 13.00`` or ``13.00–16.00`` (the start is kept) -> ``HH:MM``."""
    text = text.strip()
    if not text:
        return ""
    match = _TIME.fullmatch(text)
    if match is None:
        raise _error(where, msg("time {text!r} is not a time (HH:MM)", text=text))
    return f"{int(match.group(1)):02d}:{match.group(2)}"


def check_email(text: str, where: str = "", label: str = msg("email address")) -> str:
    """A board contact address, checked as every address is (journey.domain.addresses); '' stays ''."""
    if not text.strip():
        return ""
    address = normalize_address(text)
    problem = address_problem(address)
    if problem:
        shown = text if len(text) <= 80 else text[:80] + "…"
        raise _error(where, msg("{label} {shown!r} is not a valid email address: {problem}",
            label=label, shown=shown, problem=problem))
    return address


def check_board(text: str, where: str = "") -> str:
    try:
        text = check_name(text, msg("board"), limits.BOARD_CODE, required=False)
    except InputError as exc:
        raise _error(where, str(exc)) from None
    if not _BOARD.fullmatch(text):
        raise _error(where, msg("board {text!r} must be a short code such as KS, KF or SN (letters, digits, "
                                "spaces)", text=text))
    return text


def board_and_name(text: str, where: str = "") -> tuple[str, str]:
    """The board code and, for a well-known full name, that name: ``Kommunstyrelsen`` -> ``("KS", "Kommunstyrelsen")``."""
    board = check_board(text, where)
    code = BOARD_CODES.get(board.casefold())
    return (code, board) if code else (board, "")


def normalise_header(text: str) -> str:
    text = " ".join(str(text).replace("_", " ").split()).strip(" .:").casefold()
    return re.sub(r"\be-?(post|mail)\b", lambda m: "e" + m.group(1), text)


def header_column(text: str) -> str | None:
    """The column a header cell names (``Nämnd`` -> ``board``), :data:`IGNORE` for an informative one, else None."""
    name = normalise_header(text)
    if name in _ALIAS:
        return _ALIAS[name]
    return IGNORE if name in IGNORED_HEADERS or not name else None


def header_help() -> str:
    return ", ".join(f"{c}/{HEADER_ALIASES[c][1]}" for c in COLUMNS).replace("epost", "e-post")


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
    return check_name(text, msg("board name"), limits.BOARD_NAME, required=False)


def _error(where: str, message: str) -> InputError:
    return CalendarFileError(msg("{where}: {message}", where=where, message=message)) if where else InputError(message)


# -- The exported calendar ---------------------------------------------------------------------------

UID_DOMAIN = "journey"


def meeting_uid(meeting_id: int) -> str:
    """The UID of a board meeting, the same in the exported calendar and in reminder attachments."""
    return f"board-meeting-{meeting_id}@{UID_DOMAIN}"


def deadline_uid(case_id: int, state_path: str, rule_id: str, entered_at: datetime, meeting_id: int | None) -> str:
    """One deadline per case, state entry, rule and (for a meeting reminder) meeting, whatever its recipients.

    A reminder that moves to another meeting is a new deadline; the old one leaves the calendar.
    """
    key = f"{state_path}/{rule_id}/{entered_at.isoformat()}/{meeting_id or ''}"
    return f"deadline-{case_id}-{hashlib.sha256(key.encode()).hexdigest()[:16]}@{UID_DOMAIN}"


@dataclass(frozen=True)
class CalendarEntry:
    """One event of an exported calendar: a meeting (timed, or all day when ``start`` is empty) or a deadline."""

    uid: str
    day: date
    summary: str
    start: str = ""
    location: str = ""
    description: str = ""
    sequence: int = 0
    related_to: str = ""
    category: str = ""


@dataclass(frozen=True)
class CalendarFeed:
    """A subscribable calendar: a municipality's board meetings and its reminders' deadlines."""

    name: str
    entries: tuple[CalendarEntry, ...]

    @property
    def meetings(self) -> int:
        return sum(e.uid.startswith("board-meeting-") for e in self.entries)

    @property
    def deadlines(self) -> int:
        return len(self.entries) - self.meetings
