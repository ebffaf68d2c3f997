"""Deadlines that tell the truth: closed periods, the kallelse, missed meetings and what "overdue" means.

- A municipality's **closed periods** (sommaruppehåll, klämdagar) are not working days: a deadline
  that falls in one moves to the last working day before it, like a weekend or a holiday.
- A board's **kallelse** goes out a number of working days before its meeting (7 unless the
  board says otherwise); a reminder to the board is sent before it.
- A target meeting without a recorded decision counts as **missed** only when the minutes should
  be ready: kommunallagen has them checked (justerade) within 14 days of the meeting, so until then
  the decision may simply not be registered yet. An återremiss or bordläggning is a miss at once.
- A case is **overdue** when its matter missed a target meeting (no decision, återremiss or
  bordläggning) or it has stayed in its stage longer than the stage's expected duration. Sending
  a reminder never changes that.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from journey.domain.messages import msg
from journey.domain.workdays import HolidayName, why_closed

DEFAULT_KALLELSE_DAYS = 7  # working days before the meeting that the kallelse goes out
MISSED = "missed_meeting"  # the evidence kind of a history entry that records a missed target meeting
PROTOKOLL_DAYS = 14  # days after a meeting within which its minutes are justerade (and its decisions known)


def awaiting_protokoll(meeting: date, today: date) -> bool:
    """The meeting has been held, but its minutes may not be justerade yet: no decision is no miss yet."""
    return meeting < today <= meeting + timedelta(days=PROTOKOLL_DAYS)


@dataclass(frozen=True)
class ClosedPeriod:
    """Days (both included) when a municipality works no deadlines."""

    first_day: date
    last_day: date
    label: str = ""

    def __contains__(self, day: object) -> bool:
        return isinstance(day, date) and self.first_day <= day <= self.last_day

    @property
    def text(self) -> str:
        return f"{self.label or 'stängt'} {self.first_day}–{self.last_day}"


def closed_period_problem(first: date, last: date) -> str | None:
    if last < first:
        return f"the period ends ({last}) before it begins ({first})"
    if (last - first).days > 92:
        return f"a closed period is at most three months ({first}–{last} is {(last - first).days + 1} days)"
    return None


def with_closed_periods(holiday_name: HolidayName, periods: Sequence[ClosedPeriod]) -> HolidayName:
    """A holiday look-up that also names the municipality's closed periods (so no deadline falls in one)."""
    if not periods:
        return holiday_name

    def name(day: date) -> str | None:
        found = holiday_name(day)
        if found:
            return found
        period = next((p for p in periods if day in p), None)
        return f"inom {period.text}" if period else None

    return name


def kallelse_day(meeting: date, working_days: int | None, holiday_name: HolidayName) -> date:
    """The day the kallelse goes out: ``working_days`` working days before the meeting."""
    left = DEFAULT_KALLELSE_DAYS if working_days is None else working_days
    day = meeting
    while left > 0:
        day -= timedelta(days=1)
        if why_closed(day, holiday_name) is None:
            left -= 1
    return day


@dataclass(frozen=True)
class Missed:
    """A target meeting that passed without the decision the matter awaited."""

    board: str
    day: date
    why: str = "inget beslut"  # or "återremiss", "bordläggning"


def parse_duration(value: object) -> int:
    """``90d`` -> 90, ``12w`` -> 84, ``90`` -> 90 (days); ValueError otherwise."""
    if isinstance(value, int) and not isinstance(value, bool) and value > 0:
        return value
    text = str(value).strip().lower() if isinstance(value, str) else ""
    unit = 7 if text.endswith("w") else 1
    number = text[:-1] if text[-1:] in ("d", "w") else text
    if not number.isdigit() or int(number) <= 0 or int(number) > 3650:
        raise ValueError(msg("expected duration {value!r} must look like 90d, 12w or 90 (days, at most 3650)",
            value=value))
    return int(number) * unit


def overdue_reasons(entered: date, today: date, expected_days: int | None,
                    missed: Iterable[Missed] = ()) -> list[str]:
    """Why a case in a stage entered on ``entered`` is late on ``today`` (empty: it is not)."""
    reasons = [f"{m.board}-sammanträdet {m.day} passerade utan beslut ({m.why})" for m in missed]
    days = (today - entered).days
    if expected_days is not None and days > expected_days:
        reasons.append(f"{days} dagar i steget, förväntat högst {expected_days}")
    return reasons
