"""The :class:`~journey.ports.calendars.CalendarFiles` over the ICS, CSV and XLSX readers and the feed writer."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from journey.adapters.calendars.files import read_calendar
from journey.adapters.calendars.ics import build_feed, write_feed
from journey.domain.board_meetings import CalendarFeed, MeetingRow


class FileCalendars:
    def __init__(self, tz: ZoneInfo) -> None:
        self.tz = tz

    def read(self, path: Path, board: str | None, today: date | None = None) -> list[MeetingRow]:
        return read_calendar(path, board, self.tz, today)

    def feed(self, feed: CalendarFeed, stamp: datetime) -> bytes:
        return build_feed(feed, self.tz, stamp)

    def write(self, path: Path, data: bytes) -> None:
        write_feed(path, data)
