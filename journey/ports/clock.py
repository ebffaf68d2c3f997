"""The Clock port: every use case needs 'now'. ``adapters/clock.SystemClock`` and ``domain/clock.FixedClock`` satisfy it."""

from __future__ import annotations

from datetime import datetime
from typing import Protocol


class Clock(Protocol):
    def now(self) -> datetime:
        """A timezone-aware UTC datetime."""
        ...
