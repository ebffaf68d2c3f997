"""The system clock (timezone-aware UTC). ``FixedClock`` lives in the domain and is re-exported."""

from __future__ import annotations

from datetime import UTC, datetime

from journey.domain.clock import FixedClock

__all__ = ["FixedClock", "SystemClock"]


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)
