"""Swedish working days: move a date that falls on a weekend or holiday to the previous working day.

The holiday names come from an adapter (the ``holidays`` package); here only the rule lives,
and every move is explained ("2022-12-25 är juldagen → flyttad till fredag 2022-12-23").
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta

HolidayName = Callable[[date], str | None]

WEEKDAYS = ("måndag", "tisdag", "onsdag", "torsdag", "fredag", "lördag", "söndag")
MONTHS = ("januari", "februari", "mars", "april", "maj", "juni", "juli", "augusti", "september", "oktober",
          "november", "december")


def no_holidays(_: date) -> str | None:
    return None


def why_closed(day: date, holiday_name: HolidayName) -> str | None:
    """Why ``day`` is not a working day (holiday name or weekday), or None when it is one."""
    name = holiday_name(day)
    if name:
        return name.lower()
    if day.weekday() >= 5:
        return WEEKDAYS[day.weekday()]
    return None


@dataclass(frozen=True)
class Shifted:
    """A date after applying the working-day rule; ``reason`` is empty when it did not move."""

    original: date
    day: date
    reason: str = ""

    @property
    def moved(self) -> bool:
        return self.day != self.original


def previous_working_day(day: date, holiday_name: HolidayName) -> Shifted:
    """``day`` itself if it is a working day, else the closest earlier one, with the reason."""
    closed: list[str] = []
    current = day
    while (why := why_closed(current, holiday_name)) is not None:
        closed.append(f"{current.isoformat()} är {why}")
        current -= timedelta(days=1)
    if not closed:
        return Shifted(day, day)
    return Shifted(day, current, f"{'; '.join(closed)} → flyttad till {WEEKDAYS[current.weekday()]} {current}")


def swedish_date(day: date) -> str:
    """``måndag 7 mars 2022``: for emails, independent of the OS locale."""
    return f"{WEEKDAYS[day.weekday()]} {day.day} {MONTHS[day.month - 1]} {day.year}"
