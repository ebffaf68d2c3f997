"""A small iCalendar (RFC 5545) reader for board calendars and writer for meeting attachments."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from journey.domain.board_meetings import MeetingRow
from journey.domain.errors import CalendarFileError
from journey.ports.mail import CalendarEvent

_DT = re.compile(r"^(\d{8})(?:T(\d{6})(Z?))?$")


def _unfold(text: str) -> list[tuple[int, str]]:
    """Logical lines with the physical line number each starts on."""
    lines: list[tuple[int, str]] = []
    for number, raw in enumerate(text.splitlines(), start=1):
        if raw[:1] in (" ", "\t") and lines:
            lines[-1] = (lines[-1][0], lines[-1][1] + raw[1:])
        elif raw.strip():
            lines.append((number, raw))
    return lines


def _unescape(value: str) -> str:
    return re.sub(r"\\([\\;,nN])", lambda m: "\n" if m.group(1) in "nN" else m.group(1), value)


def _start(name_params: str, value: str, where: str, tz: ZoneInfo) -> tuple[date, str]:
    match = _DT.match(value.strip())
    params = dict(p.split("=", 1) for p in name_params.split(";")[1:] if "=" in p)
    try:
        if match is None:
            raise ValueError
        day = datetime.strptime(match.group(1), "%Y%m%d").date()
        if not match.group(2):
            return day, ""
        at = datetime.strptime(match.group(1) + match.group(2), "%Y%m%d%H%M%S")
        source = UTC if match.group(3) else ZoneInfo(params.get("TZID", str(tz)).strip('"'))
        local = at.replace(tzinfo=source).astimezone(tz)
        return local.date(), local.strftime("%H:%M")
    except (ValueError, ZoneInfoNotFoundError):
        raise CalendarFileError(f"{where}: DTSTART {value!r} is not a date (YYYYMMDD or YYYYMMDDTHHMMSS)") from None


def parse_ics(text: str, filename: str, board: str, tz: ZoneInfo) -> list[MeetingRow]:
    """Every VEVENT becomes a meeting of ``board``; errors name ``filename:line``."""
    rows: list[MeetingRow] = []
    event: dict[str, str] | None = None
    begin = 0
    for number, line in _unfold(text):
        name_params, _, value = line.partition(":")
        name = name_params.split(";", 1)[0].upper()
        if name == "BEGIN" and value.upper() == "VEVENT":
            event, begin = {}, number
        elif name == "END" and value.upper() == "VEVENT" and event is not None:
            if "DTSTART" not in event:
                raise CalendarFileError(f"{filename}:{begin}: VEVENT without DTSTART")
            rows.append(MeetingRow(board, *_start(event["DTSTART"], event["_dt"], event["_where"], tz),
                                   location=event.get("LOCATION", ""), title=event.get("SUMMARY", ""), line=begin))
            event = None
        elif event is not None and name == "DTSTART":
            event.update(DTSTART=name_params, _dt=value, _where=f"{filename}:{number}")
        elif event is not None and name in ("SUMMARY", "LOCATION"):
            event[name] = " ".join(_unescape(value).split())[:200]
    if event is not None:
        raise CalendarFileError(f"{filename}:{begin}: VEVENT is not closed (END:VEVENT missing)")
    if not rows:
        raise CalendarFileError(f"{filename}:1: no VEVENT found: is this an iCalendar file?")
    return rows


def _escape(value: str) -> str:
    value = value.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")
    return value.replace("\r\n", "\\n").replace("\n", "\\n").replace("\r", "\\n")


def _fold(line: str) -> str:
    out, current = [], ""
    for char in line:
        if len((current + char).encode()) > 74:
            out.append(current)
            current = " "
        current += char
    return "\r\n".join([*out, current])


def build_ics(event: CalendarEvent, tz: ZoneInfo, stamp: datetime) -> str:
    """A METHOD:PUBLISH calendar with one event; timed events are written in UTC."""
    if event.start:
        hour, minute = (int(p) for p in event.start.split(":"))
        begin = datetime(event.day.year, event.day.month, event.day.day, hour, minute, tzinfo=tz).astimezone(UTC)
        when = [f"DTSTART:{begin:%Y%m%dT%H%M%SZ}", f"DTEND:{begin + timedelta(hours=2):%Y%m%dT%H%M%SZ}"]
    else:
        when = [f"DTSTART;VALUE=DATE:{event.day:%Y%m%d}", f"DTEND;VALUE=DATE:{event.day + timedelta(days=1):%Y%m%d}"]
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//journey//reminders//SV", "METHOD:PUBLISH",
             "BEGIN:VEVENT", f"UID:{_escape(event.uid)}", f"DTSTAMP:{stamp.astimezone(UTC):%Y%m%dT%H%M%SZ}", *when,
             f"SUMMARY:{_escape(event.summary)}"]
    if event.location:
        lines.append(f"LOCATION:{_escape(event.location)}")
    if event.description:
        lines.append(f"DESCRIPTION:{_escape(event.description)}")
    lines += ["END:VEVENT", "END:VCALENDAR"]
    return "\r\n".join(_fold(line) for line in lines) + "\r\n"
