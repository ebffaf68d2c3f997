"""ESF co-financing rules (Socialfonden 2014–2020): quarter hours, ceilings, periods, unit costs, pace.

Facts (shared/domain-facts.md, "ESF co-financing with work time"): everyone whose time is
co-financing reports and certifies their own time; staff time is valued by unit cost per salary
group (programme area 1: groups 1–6 and 7a–7c, chosen from the occupation when entering the
project); at most 1 662 hours per person and calendar year are eligible; claims cover a claim
period (ansökningsperiod). Quantities are exact: time in whole quarter hours (int), money in öre
(int) or :class:`~decimal.Decimal` kronor, never float. The people who report time are in
:mod:`journey.domain.people`, the unit costs in :mod:`journey.domain.unit_costs`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from zoneinfo import ZoneInfo

from journey.domain.errors import InputError, RefusedError
from journey.domain.messages import msg

QUARTERS_PER_HOUR = 4
ANNUAL_CEILING_HOURS = 1662  # per person and calendar year (Socialfonden 2014–2020)
DAILY_SANITY_HOURS = 13  # a sanity check against typing errors, not an ESF rule of this programme
TARGET_HOURS_PER_YEAR = 500  # per municipality (the letter of intent)
JOINT_MEETING_HOURS_PER_YEAR = 250  # "about half of them at joint project meetings"
PACE_WARNING_SHARE = Decimal("0.8")  # R8: warn when year-to-date hours are below 80 % of pro rata
PROJECT_START, PROJECT_END = date(2021, 1, 1), date(2022, 12, 31)  # the network's work period
ZONE = ZoneInfo("Europe/Stockholm")


class EntryKind(StrEnum):
    """How a row of the time report came about. Rows are never changed or deleted, only appended."""

    ENTRY = "ENTRY"  # reported work
    CORRECTION = "CORRECTION"  # the corrected version of an earlier row (with a REVERSAL of that row)
    REVERSAL = "REVERSAL"  # cancels an earlier row's hours (negative), part of a correction
    WITHDRAWAL = "WITHDRAWAL"  # cancels an earlier row's hours (negative) without a new version

    @property
    def label(self) -> str:
        return {"ENTRY": "Ny", "CORRECTION": "Rättelse", "REVERSAL": "Återföring", "WITHDRAWAL": "Återtagen"}[self.value]


class ClaimStatus(StrEnum):
    OPEN = "OPEN"
    LOCKED = "LOCKED"


class MonthStatus(StrEnum):
    """A person's month: reported, attested by the person, approved by a manager."""

    REPORTED = "REPORTED"
    ATTESTED = "ATTESTED"
    APPROVED = "APPROVED"
    CHANGED = "CHANGED"  # attested or approved, then changed: must be attested again

    @property
    def label(self) -> str:
        return {"REPORTED": "Ej attesterad", "ATTESTED": "Attesterad", "APPROVED": "Godkänd",
                "CHANGED": "Ändrad efter attest"}[self.value]


# Quantities --------------------------------------------------------------------------------------

_HOURS = re.compile(r"^(\d{1,2})(?:[.,](\d{1,2}))?$")
_HOURS_MINUTES = re.compile(r"^(\d{1,2}):([0-5]\d)$")


def parse_quarters(text: str | int | float | Decimal, ceiling_hours: int = DAILY_SANITY_HOURS) -> int:
    """'2.5', '2,5', '2:30' or 2.5 -> 10 quarter hours; only whole quarter hours above 0."""
    raw = str(text).strip()
    if isinstance(text, float | Decimal) and not isinstance(text, bool):
        raw = format(Decimal(str(text)).normalize(), "f")
    quarters: int | None = None
    if m := _HOURS.match(raw):
        fraction = Decimal(f"0.{m.group(2)}") if m.group(2) else Decimal(0)
        scaled = (int(m.group(1)) + fraction) * QUARTERS_PER_HOUR
        quarters = int(scaled) if scaled == scaled.to_integral_value() else None
    elif m := _HOURS_MINUTES.match(raw):
        minutes = int(m.group(1)) * 60 + int(m.group(2))
        quarters = minutes // 15 if minutes % 15 == 0 else None
    else:
        raise InputError(msg("hours {text!r} must be a number of hours such as 2, 2.5, 2,75 or 1:15", text=text))
    if quarters is None:
        raise InputError(msg("hours {text!r} must be whole quarter hours (.25, .5, .75 or :15, :30, :45)", text=text))
    if quarters <= 0:
        raise InputError(msg("hours {text!r} must be more than 0", text=text))
    if quarters > ceiling_hours * QUARTERS_PER_HOUR:
        raise InputError(msg("hours {text!r} is more than {ceiling_hours} h in one entry",
            text=text, ceiling_hours=ceiling_hours))
    return quarters


def plain(value: Decimal) -> Decimal:
    """Without trailing zeros and never in exponent form: 500.00 -> 500, 2.50 -> 2.5."""
    return value.quantize(Decimal(1)) if value == value.to_integral_value() else value.normalize()


def hours(quarters: int) -> Decimal:
    """Exact hours: 10 -> Decimal('2.5'), 8 -> Decimal('2') (what :func:`plain` gives, at a fraction of the cost:
    an exact quotient of integers has no trailing zeros)."""
    whole, rest = divmod(quarters, QUARTERS_PER_HOUR)
    return Decimal(quarters) / QUARTERS_PER_HOUR if rest else Decimal(whole)


def hours_number(quarters: int) -> int | float:
    """For JSON: an int when whole, else an exactly representable float (quarters are binary fractions)."""
    return quarters // QUARTERS_PER_HOUR if quarters % QUARTERS_PER_HOUR == 0 else quarters / QUARTERS_PER_HOUR


def format_hours(quarters: int) -> str:
    """'2.5', '-1.25', '3' (the CLI's text output)."""
    return format(hours(quarters), "f")


def parse_sek(text: str | int | float | Decimal, what: str = msg("unit cost")) -> int:
    """'412.50', '412,5' or 412 kronor -> öre (int); at most two decimals, not negative."""
    raw = str(text).strip().replace(" ", "").replace("\u00a0", "").replace(",", ".")
    try:
        value = Decimal(raw)
    except InvalidOperation:
        raise InputError(msg("{what} {text!r} is not an amount in kronor such as 412 or 412.50",
                             what=what, text=text)) from None
    if not value.is_finite() or value < 0 or value != value.quantize(Decimal("0.01")):
        raise InputError(msg("{what} {text!r} must be kronor with at most two decimals, not negative",
            what=what, text=text))
    return int(value * 100)


_CENT, _TEN_THOUSANDTH = Decimal("0.01"), Decimal("0.0001")


def kronor(ore: int) -> Decimal:
    return (Decimal(ore) / 100).quantize(_CENT)


def value_sek(quarters: int, ore_per_hour: int) -> Decimal:
    """Exact co-financing value in kronor: quarter hours × unit cost (no rounding, at most 4 decimals)."""
    exact = (Decimal(quarters) * Decimal(ore_per_hour) / (QUARTERS_PER_HOUR * 100)).quantize(_TEN_THOUSANDTH)
    cents = exact.quantize(_CENT)
    return cents if exact == cents else plain(exact)


# Dates -------------------------------------------------------------------------------------------

def parse_date(text: str, what: str = msg("date")) -> date:
    value = str(text).strip()
    if not re.match(r"^\d{4}-\d{2}-\d{2}$", value):
        raise InputError(msg("{what} {text!r} is not a date like 2022-03-14", what=what, text=text))
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise InputError(msg("{what} {text!r} is not a date like 2022-03-14", what=what, text=text)) from None


def parse_month(text: str) -> str:
    """'2022-03' (also '2022-3') -> '2022-03'."""
    m = re.match(r"^(\d{4})-(\d{1,2})$", str(text).strip())
    if not m or not 1 <= int(m.group(2)) <= 12:
        raise InputError(msg("month {text!r} is not a month like 2022-03", text=text))
    return f"{m.group(1)}-{int(m.group(2)):02d}"


def month_of(day: date) -> str:
    return f"{day.year}-{day.month:02d}"


def month_bounds(month: str) -> tuple[date, date]:
    year, number = int(month[:4]), int(month[5:7])
    first = date(year, number, 1)
    following = date(year + (number == 12), number % 12 + 1, 1)
    return first, following - timedelta(days=1)


def local_day(at: datetime) -> date:
    """The Swedish calendar day of a stored UTC time."""
    return at.astimezone(ZONE).date()


# Settings ----------------------------------------------------------------------------------------

@dataclass(frozen=True)
class EsfSettings:
    """The network's settings (stored, changeable, audited): project period, unit-cost year, ceilings."""

    period_start: date = PROJECT_START
    period_end: date = PROJECT_END
    unit_cost_year: str = "start"  # "start": the project's start year (ESF's rule), "work": the work date's year, or a year
    annual_ceiling_hours: int = ANNUAL_CEILING_HOURS
    daily_ceiling_hours: int = DAILY_SANITY_HOURS

    KEYS = ("period_start", "period_end", "unit_cost_year", "annual_ceiling_hours", "daily_ceiling_hours")

    @classmethod
    def from_stored(cls, stored: dict[str, str]) -> EsfSettings:
        base = cls()
        values = {k: stored[k] for k in cls.KEYS if stored.get(k)}
        return base.changed(values) if values else base

    def changed(self, values: dict[str, str]) -> EsfSettings:
        """A copy with ``values`` (text, as typed) applied; raises :class:`InputError` on a bad value."""
        start = parse_date(values["period_start"], msg("period start")) if "period_start" in values else self.period_start
        end = parse_date(values["period_end"], msg("period end")) if "period_end" in values else self.period_end
        if end < start:
            raise InputError(msg("the project period ends ({end}) before it starts ({start})", end=end, start=start))
        year = values.get("unit_cost_year", self.unit_cost_year).strip().lower()
        if year not in ("start", "work") and not (year.isdigit() and 2014 <= int(year) <= 2030):
            raise InputError(msg("unit-cost year {year!r} must be 'start', 'work' or a year such as 2021", year=year))
        annual = _positive(values.get("annual_ceiling_hours", self.annual_ceiling_hours), "annual ceiling", 2500)
        daily = _positive(values.get("daily_ceiling_hours", self.daily_ceiling_hours), "daily ceiling", 24)
        return EsfSettings(start, end, year, annual, daily)

    def as_text(self) -> dict[str, str]:
        return {"period_start": self.period_start.isoformat(), "period_end": self.period_end.isoformat(),
                "unit_cost_year": self.unit_cost_year, "annual_ceiling_hours": str(self.annual_ceiling_hours),
                "daily_ceiling_hours": str(self.daily_ceiling_hours)}

    def check_in_period(self, day: date) -> None:
        if not self.period_start <= day <= self.period_end:
            raise InputError(msg("date {day} is outside the project period {period_start} – {period_end}",
                day=day, period_start=self.period_start, period_end=self.period_end))

    def cost_year(self, day: date) -> int:
        if self.unit_cost_year == "start":
            return self.period_start.year
        if self.unit_cost_year == "work":
            return day.year
        return int(self.unit_cost_year)


def _positive(value: str | int, what: str, most: int) -> int:
    text = str(value).strip()
    if not text.isdigit() or not 1 <= int(text) <= most:
        raise InputError(msg("{what} {value!r} must be whole hours from 1 to {most}", what=what, value=value, most=most))
    return int(text)


def check_ceilings(settings: EsfSettings, name: str, day: date, day_quarters: int, year_quarters: int) -> None:
    """``day_quarters``/``year_quarters``: the person's totals including the new rows."""
    if day_quarters > settings.daily_ceiling_hours * QUARTERS_PER_HOUR:
        raise RefusedError(msg("{name} would have {day_quarters} h on {day}; more than {daily_ceiling_hours} h "
                               "a day is refused as a likely typing error",
            name=name, day_quarters=format_hours(day_quarters), day=day,
            daily_ceiling_hours=settings.daily_ceiling_hours))
    if year_quarters > settings.annual_ceiling_hours * QUARTERS_PER_HOUR:
        raise RefusedError(msg("{name} would have {year_quarters} h in {year}; at most {annual_ceiling_hours} h "
                               "per person and calendar year are eligible",
            name=name, year_quarters=format_hours(year_quarters), year=day.year,
            annual_ceiling_hours=settings.annual_ceiling_hours))


# Claim periods -----------------------------------------------------------------------------------

@dataclass(frozen=True)
class ClaimPeriod:
    """An ansökningsperiod: once locked, its rows never change; later corrections go to the next open one."""

    id: int | None
    name: str
    start: date
    end: date
    status: ClaimStatus = ClaimStatus.OPEN
    locked_by: str = ""
    locked_at: datetime | None = None

    def covers(self, day: date) -> bool:
        return self.start <= day <= self.end

    @property
    def label(self) -> str:
        return f"{self.name} ({self.start} – {self.end})"


def new_claim_period(name: str, start: date, end: date, settings: EsfSettings,
                     existing: list[ClaimPeriod]) -> ClaimPeriod:
    if end < start:
        raise InputError(msg("the claim period ends ({end}) before it starts ({start})", end=end, start=start))
    if start < settings.period_start or end > settings.period_end:
        raise InputError(msg("the claim period {start} – {end} is not inside the project period {period_start} "
                             "– {period_end}",
            start=start, end=end, period_start=settings.period_start, period_end=settings.period_end))
    name = name.strip() or f"{start} – {end}"
    for p in existing:
        if p.start <= end and start <= p.end:
            raise RefusedError(msg("the claim period {start} – {end} overlaps {label}",
                start=start, end=end, label=p.label))
        if p.name.casefold() == name.casefold():
            raise RefusedError(msg("a claim period is already named {name!r}", name=name))
    return ClaimPeriod(None, name, start, end)


def report_period(periods: list[ClaimPeriod], day: date) -> tuple[ClaimPeriod | None, bool]:
    """The claim period a row dated ``day`` is reported in, and whether it was moved past a locked one.

    The period covering the date while it is open; when that one is locked, the next open period
    after it. No period covering the date: None (the row joins the period created for it later).
    """
    ordered = sorted(periods, key=lambda p: p.start)
    natural = next((p for p in ordered if p.covers(day)), None)
    if natural is None or natural.status is ClaimStatus.OPEN:
        return natural, False
    following = next((p for p in ordered if p.start > natural.end and p.status is ClaimStatus.OPEN), None)
    if following is None:
        raise RefusedError(msg("claim period {label} is locked and no open claim period follows it; an admin or "
                               "SKR adds the next one with `journey hours periods add`", label=natural.label))
    return following, True


def check_new_entry_period(periods: list[ClaimPeriod], day: date) -> ClaimPeriod | None:
    """New work may not be added to a locked claim period (corrections of existing rows may)."""
    natural = next((p for p in periods if p.covers(day)), None)
    if natural is not None and natural.status is ClaimStatus.LOCKED:
        raise RefusedError(msg("claim period {label} is locked; its entries cannot change (correct an existing "
                               "entry with `journey hours correct`, it goes into the next open period)",
            label=natural.label))
    return natural


# Pace --------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Pace:
    year: int
    target_hours: int
    expected_quarters: int  # pro rata to date
    done_quarters: int

    @property
    def behind(self) -> bool:
        return self.expected_quarters > 0 and Decimal(self.done_quarters) < PACE_WARNING_SHARE * self.expected_quarters


def pace(done_quarters: int, target_hours: int, today: date, settings: EsfSettings, year: int | None = None) -> Pace:
    """Year-to-date against the pro-rata share of the yearly target, over the project days of that year."""
    year = year or today.year
    first = max(date(year, 1, 1), settings.period_start)
    last = min(date(year, 12, 31), settings.period_end)
    if last < first:
        return Pace(year, 0, 0, done_quarters)
    total_days = (last - first).days + 1
    elapsed = min(max((today - first).days + 1, 0), total_days)
    full = target_hours * QUARTERS_PER_HOUR
    return Pace(year, target_hours, full * elapsed // total_days, done_quarters)


# Attestation -------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Attestation:
    """One attestation (by the person) or approval (by a manager) of a person's month, append-only."""

    person_id: int
    month: str
    kind: MonthStatus  # ATTESTED or APPROVED
    actor: str
    at: datetime
    last_entry_id: int  # the newest row of that month it covers; a later row voids it
    quarters: int
    method: str = ""  # SELF: by the person's own account; PAPER: a signed certificate recorded by the coordinator


def month_status(last_entry_id: int, records: list[Attestation]) -> tuple[MonthStatus, Attestation | None,
                                                                            Attestation | None]:
    """Status of a person's month given its newest row id and its attestations (oldest first)."""
    attested = next((r for r in reversed(records) if r.kind is MonthStatus.ATTESTED), None)
    approved = next((r for r in reversed(records) if r.kind is MonthStatus.APPROVED), None)
    if attested is None:
        return MonthStatus.REPORTED, None, None
    if attested.last_entry_id < last_entry_id:
        return MonthStatus.CHANGED, attested, approved
    if approved is not None and approved.last_entry_id >= last_entry_id and approved.at >= attested.at:
        return MonthStatus.APPROVED, attested, approved
    return MonthStatus.ATTESTED, attested, None


def row_attestation(row_id: int, records: list[Attestation]) -> tuple[MonthStatus, Attestation | None,
                                                                      Attestation | None]:
    """Status of one row: approved or attested once an approval or attestation of its month covered it.

    The earliest covering records count, so the status of a row (and so a locked claim's export)
    never changes afterwards; a later change to the month needs a new attestation for the new rows.
    """
    attested = next((r for r in records if r.kind is MonthStatus.ATTESTED and r.last_entry_id >= row_id), None)
    approved = next((r for r in records if r.kind is MonthStatus.APPROVED and r.last_entry_id >= row_id), None)
    if approved is not None:
        return MonthStatus.APPROVED, attested, approved
    if attested is not None:
        return MonthStatus.ATTESTED, attested, None
    return MonthStatus.REPORTED, None, None


# Stage on the work date --------------------------------------------------------------------------

def stage_on(changes: list[tuple[date, str]], day: date) -> str:
    """The case's top-level stage at the end of ``day``; ``changes`` are (local day, stage) oldest first."""
    stage = ""
    for when, s in changes:
        if when > day:
            break
        stage = s
    return stage
