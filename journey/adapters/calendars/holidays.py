"""Swedish public holidays and de facto holidays (midsommarafton, julafton, nyårsafton) in Swedish."""

from __future__ import annotations

from datetime import date
from functools import lru_cache
from typing import Any


@lru_cache(maxsize=64)
def _year(year: int) -> dict[date, str]:
    import holidays

    calendar: Any = holidays.country_holidays("SE", years=year, language="sv", include_sundays=False,
                                              categories=("public", "de_facto"))
    return dict(calendar.items())


def swedish_holiday(day: date) -> str | None:
    """The holiday's Swedish name, e.g. ``Juldagen``, or None (weekends are handled by the domain)."""
    return _year(day.year).get(day)
