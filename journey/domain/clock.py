"""The Clock port lives in the domain because every use case needs 'now' and tests freeze it."""

from __future__ import annotations

from datetime import datetime
from typing import Protocol


class Clock(Protocol):
    def now(self) -> datetime:
        """A timezone-aware UTC datetime."""
        ...
