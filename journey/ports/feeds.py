"""Ports of the calendar feed: its items, the ICS writer, and the read of network meetings."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Protocol


@dataclass(frozen=True)
class FeedItem:
    """One VEVENT. ``uid`` is stable (the same meeting or deadline keeps it across feed fetches)."""

    uid: str
    summary: str
    start: date | datetime  # a date: an all-day event
    end: date | datetime | None = None
    location: str = ""
    description: str = ""
    category: str = ""


class CalendarWriter(Protocol):
    def write(self, name: str, items: list[FeedItem], stamp: datetime) -> bytes: ...


class FeedQueries(Protocol):
    def board_meetings(self, municipality_id: int) -> list[dict[str, Any]]: ...
    def network_meetings(self, municipality_id: int) -> list[dict[str, Any]]: ...
