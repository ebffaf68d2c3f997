"""Ports of board calendars: reading sammanträdesplaner from files, writing subscribable feeds."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from journey.domain.board_meetings import CalendarFeed, MeetingRow


class CalendarFiles(Protocol):
    """ICS, CSV and XLSX calendars in the municipality's time zone."""

    def read(self, path: Path, board: str | None, today: date | None = None) -> list[MeetingRow]:
        """Every meeting in the file (all or nothing; a bad row raises CalendarFileError naming file and line)."""
        ...

    def feed(self, feed: CalendarFeed, stamp: datetime) -> bytes:
        """The feed as an iCalendar document."""
        ...

    def write(self, path: Path, data: bytes) -> None:
        """Write atomically: subscribers see the old file or the whole new one."""
        ...
