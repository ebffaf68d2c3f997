"""A fixed clock: every use case needs 'now' (the ``Clock`` port, :mod:`journey.ports.clock`), and tests and demos set it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

TIMEZONE = "Europe/Stockholm"  # the one time zone people read times in (CLI, report, mails, exports)
LABEL = "svensk tid"


def local_minute(value: datetime | None, zone: str = TIMEZONE) -> str:
    """A stored time as '2022-09-01 10:00' in Swedish local time (a naive value is taken as UTC)."""
    if value is None:
        return ""
    aware = value if value.tzinfo else value.replace(tzinfo=UTC)
    return aware.astimezone(ZoneInfo(zone)).strftime("%Y-%m-%d %H:%M")


class FixedClock:
    """A clock that only moves when told to."""

    def __init__(self, at: datetime) -> None:
        self.at = at if at.tzinfo else at.replace(tzinfo=UTC)

    def now(self) -> datetime:
        return self.at

    def advance(self, delta: timedelta) -> None:
        self.at += delta
