"""Pausing a case: the events, and how long a pause counts for when deadlines move."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from journey.domain.events import Event


@dataclass(frozen=True)
class CasePaused(Event):
    reason: str = ""


@dataclass(frozen=True)
class CaseResumed(Event):
    paused_at: datetime | None = None
    shift_days: int = 0


def pause_days(paused_at: datetime, resumed_at: datetime, tz: ZoneInfo) -> int:
    """Whole calendar days between pause and resume in local time (same day = 0)."""
    return max(0, (resumed_at.astimezone(tz).date() - paused_at.astimezone(tz).date()).days)
