"""iCalendar (RFC 5545) board calendars through ``icalendar`` and ``recurring-ical-events``.

Reading: every VEVENT is a meeting of one board, its time read in the local zone (Europe/Stockholm).
Time zones come from the file's VTIMEZONE blocks, IANA names or Windows names such as
``W. Europe Standard Time`` (icalendar maps those to IANA zones). A series (RRULE, RDATE, EXDATE) is
expanded from its first meeting up to its UNTIL or COUNT, but never more than :data:`HORIZON_YEARS`
years after the import date. A moved occurrence (a RECURRENCE-ID override) counts at its new date;
a cancelled event or occurrence (STATUS:CANCELLED) is not a meeting. Errors name ``file:line``.

Writing: the meeting attachment of a reminder, and a municipality's subscribable calendar.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from journey.adapters.files import write_atomically
from journey.domain.board_meetings import CalendarEntry, CalendarFeed, MeetingRow
from journey.domain.errors import CalendarFileError
from journey.domain.messages import msg
from journey.ports.mail import CalendarEvent

HORIZON_YEARS = 3
MEETING_HOURS = 2  # the length written for a timed meeting (journey stores no end time)
PRODID = "-//journey//sammantraden//SV"
REFRESH = timedelta(hours=6)
_DATES = ("DTSTART", "DTEND", "RECURRENCE-ID", "EXDATE", "RDATE")
_CHECKED = {*_DATES, "RRULE", "UID", "STATUS", "SUMMARY", "LOCATION"}
_QUOTED = re.compile(r"'([^']+)'")


# -- Reading --------------------------------------------------------------------------------------------


def _unfold(text: str) -> list[tuple[int, str]]:
    """Logical lines with the physical line number each starts on."""
    lines: list[tuple[int, str]] = []
    for number, raw in enumerate(text.splitlines(), start=1):
        if raw[:1] in (" ", "\t") and lines:
            lines[-1] = (lines[-1][0], lines[-1][1] + raw[1:])
        elif raw.strip():
            lines.append((number, raw))
    return lines


@dataclass
class _Source:
    """Where one VEVENT sits in the file: its BEGIN line and the first line of each property."""

    begin: int
    lines: dict[str, tuple[int, str]] = field(default_factory=dict)

    def line(self, prop: str | None) -> int:
        return self.lines.get(prop or "", (self.begin, ""))[0]

    def value(self, prop: str) -> str:
        return self.lines.get(prop, (0, ""))[1]


def _scan(text: str, filename: str) -> list[_Source]:
    """The VEVENTs of the file in order (icalendar keeps no line numbers); unclosed blocks are errors."""
    sources: list[_Source] = []
    stack: list[tuple[str, int]] = []
    for number, line in _unfold(text):
        name_params, _, value = _split(line)
        name, component = name_params.split(";", 1)[0].strip().upper(), value.strip().upper()
        if name == "BEGIN":
            stack.append((component, number))
            if component == "VEVENT":
                sources.append(_Source(number))
        elif name == "END":
            if stack and stack[-1][0] == component:
                stack.pop()
        elif stack and stack[-1][0] == "VEVENT" and sources:
            sources[-1].lines.setdefault(name, (number, value.strip()))
    if stack:
        component, number = stack[-1]
        raise CalendarFileError(msg("{filename}:{number}: BEGIN:{component} is not closed (END:{component} "
                                    "missing)", filename=filename, number=number, component=component))
    return sources


def _split(line: str) -> tuple[str, str, str]:
    """``NAME;PARAM="a:b":value`` -> name and parameters, ``:``, value (a colon may sit in a quoted parameter)."""
    quoted = False
    for index, char in enumerate(line):
        if char == '"':
            quoted = not quoted
        elif char == ":" and not quoted:
            return line[:index], ":", line[index + 1:]
    return line, "", ""


def _line_of(text: str, message: str, after: int = 0) -> int:
    """The line holding the content line quoted in an icalendar error message, else ``after`` or 1."""
    for quoted in _QUOTED.findall(message):
        for number, line in _unfold(text):
            if number >= after and quoted.strip() and quoted.strip() in line:
                return number
    return after or 1


def _check(event: Any, source: _Source, filename: str, text: str) -> None:
    for prop, message in event.errors:
        name = (prop or "").upper()
        if prop is not None and name not in _CHECKED:
            continue  # a broken property journey does not read (ATTENDEE, X-…) does not matter
        where = f"{filename}:{source.line(name) if prop else _line_of(text, message, source.begin)}"
        if name in _DATES:
            raise CalendarFileError(msg("{where}: {name} {name2!r} is not a date (YYYYMMDD or YYYYMMDDTHHMMSS)",
                where=where, name=name, name2=source.value(name)))
        raise CalendarFileError(msg("{where}: {name}: {message}", where=where, name=name or msg("content line"),
                                    message=message))
    if event.get("DTSTART") is None:
        raise CalendarFileError(msg("{filename}:{begin}: VEVENT without DTSTART", filename=filename, begin=source.begin))
    start, end = event["DTSTART"].dt, event["DTEND"].dt if event.get("DTEND") is not None else None
    try:
        backwards = end is not None and type(start) is type(end) and end < start
    except TypeError:  # a floating time against one with a zone: nothing to compare
        backwards = False
    if backwards:
        raise CalendarFileError(msg("{filename}:{value}: DTEND {value2!r} is before DTSTART {value3!r}",
            filename=filename, value=source.line('DTEND'), value2=source.value('DTEND'), value3=source.value('DTSTART')))
    for name in ("DTSTART", "RECURRENCE-ID"):
        prop = event.get(name)
        tzid = prop.params.get("TZID") if prop is not None else None
        if tzid and isinstance(prop.dt, datetime) and prop.dt.tzinfo is None:
            raise CalendarFileError(msg("{filename}:{name}: time zone {tzid!r} is unknown (no VTIMEZONE in the "
                                        "file, not an IANA or Windows zone name)",
                filename=filename, name=source.line(name), tzid=tzid))


def _day(value: date) -> date:
    return value.date() if isinstance(value, datetime) else value


def _local(value: date, tz: ZoneInfo) -> tuple[date, str]:
    if isinstance(value, datetime):
        at = value.replace(tzinfo=tz) if value.tzinfo is None else value.astimezone(tz)
        return at.date(), at.strftime("%H:%M")
    return value, ""


def _stamp(value: date) -> str:
    if isinstance(value, datetime):
        return value.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ") if value.tzinfo else value.strftime("%Y%m%dT%H%M%S")
    return value.strftime("%Y%m%d")


def _years_later(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def _identity(uid: str, key: str) -> str:
    """The event a meeting came from, short enough to store (long UIDs are hashed)."""
    identity = f"{uid}/{key}" if key else uid
    return identity if len(identity) <= 300 else "sha256:" + hashlib.sha256(identity.encode()).hexdigest()


def _clean(value: Any) -> str:
    return " ".join(str(value or "").split())[:200]


def parse_ics(text: str, filename: str, board: str, tz: ZoneInfo, today: date | None = None) -> list[MeetingRow]:
    """The meetings of ``board`` in an iCalendar file, cancelled occurrences marked ``cancelled``.

    Every row carries the event's UID (with the original date of an occurrence of a series), so a
    later import of the same calendar moves or removes the meetings it imported before.
    """
    import icalendar
    import recurring_ical_events

    sources = _scan(text, filename)
    try:
        calendar = icalendar.Calendar.from_ical(text)
    except ValueError as exc:
        message = (str(exc).strip().splitlines() or [""])[0]
        raise CalendarFileError(msg("{filename}:{text}: not an iCalendar file ({message})",
            filename=filename, text=_line_of(text, message), message=message)) from None
    events: list[Any] = list(calendar.walk("VEVENT"))  # icalendar types a property as any of its value types
    if not events:
        raise CalendarFileError(msg("{filename}:1: no VEVENT found: is this an iCalendar file?", filename=filename))
    if len(sources) != len(events):
        sources = [_Source(1) for _ in events]
    for event, source in zip(events, sources, strict=True):
        _check(event, source, filename, text)

    series = {str(e.get("UID", "")) for e in events if e.get("RRULE") or e.get("RDATE") or e.get("RECURRENCE-ID")}
    begin: dict[tuple[str, str], int] = {}
    for event, source in zip(events, sources, strict=True):
        rid = event.get("RECURRENCE-ID")
        begin.setdefault((str(event.get("UID", "")), _stamp(rid.dt) if rid is not None else ""), source.begin)
    first = min(_day(e["DTSTART"].dt) for e in events)
    last = max([_years_later(today or date.today(), HORIZON_YEARS),
                *(_day(e["DTSTART"].dt) for e in events if str(e.get("UID", "")) not in series)])
    try:
        occurrences = list(recurring_ical_events.of(calendar).between(first, last + timedelta(days=1)))
    except Exception as exc:  # the library's own errors on a series it cannot expand
        raise CalendarFileError(msg("{filename}:1: cannot expand the recurring events: {exc}",
            filename=filename, exc=exc)) from None

    rows = []
    for occurrence in occurrences:
        uid = str(occurrence.get("UID", ""))
        rid = occurrence.get("RECURRENCE-ID")  # older recurring-ical-events set it on overrides only
        key = _stamp((rid or occurrence["DTSTART"]).dt) if uid and uid in series else ""
        day, start = _local(occurrence["DTSTART"].dt, tz)
        rows.append(MeetingRow(
            board, day, start, location=_clean(occurrence.get("LOCATION")), title=_clean(occurrence.get("SUMMARY")),
            line=begin.get((uid, key)) or begin.get((uid, ""), 1), uid=_identity(uid, key) if uid else "",
            cancelled=str(occurrence.get("STATUS", "")).upper() == "CANCELLED"))
    return sorted(rows, key=lambda r: (r.day, r.start, r.line))


# -- Writing --------------------------------------------------------------------------------------------


def _event(entry: CalendarEntry, tz: ZoneInfo, stamp: datetime) -> Any:
    """One VEVENT; a timed event is written in UTC, an all-day one as dates."""
    import icalendar

    event = icalendar.Event()
    event.add("uid", entry.uid)
    event.add("dtstamp", stamp.astimezone(UTC))
    if entry.start:
        hour, minute = (int(p) for p in entry.start.split(":"))
        begin = datetime.combine(entry.day, time(hour, minute), tzinfo=tz).astimezone(UTC)
        event.add("dtstart", begin)
        event.add("dtend", begin + timedelta(hours=MEETING_HOURS))
    else:
        event.add("dtstart", entry.day)
        event.add("dtend", entry.day + timedelta(days=1))
        event.add("transp", "TRANSPARENT")
    event.add("sequence", entry.sequence)
    event.add("summary", entry.summary)
    for name, value in (("location", entry.location), ("description", entry.description),
                        ("related-to", entry.related_to)):
        if value:
            event.add(name, value)
    if entry.category:
        event.add("categories", [entry.category])
    return event


def _calendar(entries: Iterable[CalendarEntry], tz: ZoneInfo, stamp: datetime, name: str = "") -> bytes:
    import icalendar

    calendar = icalendar.Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    if name:  # a subscribed calendar: its name (RFC 7986 and the common X- names) and how often to refresh it
        calendar.add("name", name)
        calendar.add("x-wr-calname", name)
        calendar.add("x-wr-timezone", str(tz))
        calendar.add("refresh-interval", REFRESH, parameters={"VALUE": "DURATION"})
        calendar.add("x-published-ttl", "PT6H")
    for entry in entries:
        calendar.add_component(_event(entry, tz, stamp))
    return bytes(calendar.to_ical())


def build_ics(event: CalendarEvent, tz: ZoneInfo, stamp: datetime) -> str:
    """A METHOD:PUBLISH calendar with one meeting, sent along with a reminder."""
    entry = CalendarEntry(event.uid, event.day, event.summary, event.start, event.location, event.description)
    return _calendar([entry], tz, stamp).decode("utf-8")


def build_feed(feed: CalendarFeed, tz: ZoneInfo, stamp: datetime) -> bytes:
    """The subscribable calendar: stable UIDs, SEQUENCE from the data, refreshed every six hours."""
    return _calendar(feed.entries, tz, stamp, feed.name)


def write_feed(path: Path, data: bytes) -> None:
    """Write atomically and world-readable, so a web server publishing the file never serves half of it."""
    write_atomically(path, data)
