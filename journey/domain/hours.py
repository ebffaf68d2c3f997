"""ESF time reporting (medfinansiering): time entries, network meetings and the yearly target.

Facts from the project (domain.md sections 0 and e): each municipality co-finances about
500 h/year with its participants' actual time, reported in whole hours with a description of
the work; the network meets 2 times physically and 2 times digitally a year, and each
municipality holds 1 local full-day meeting a year.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from journey.domain import limits
from journey.domain.errors import InputError
from journey.domain.text import check_name, check_text, parse_iso_date

TARGET_HOURS_PER_YEAR = 500  # per municipality
MAX_HOURS_PER_DAY = 13  # ESF+ ceiling per person and day
DEFAULT_HOURLY_RATE = 300  # SEK; set the project's unit cost with --rate or JOURNEY_HOURLY_RATE


class Activity(StrEnum):
    """Activity types of a time entry (stored lower-case; a stored value never changes meaning)."""

    NETWORK_MEETING = "network_meeting"  # one of the network's physical or digital meetings
    LOCAL_MEETING = "local_meeting"  # the municipality's yearly local full-day meeting
    TEAM_MEETING = "team_meeting"  # the local project team's work meetings
    INVENTORY = "inventory"  # needs inventory, mapping social enterprises
    POLICY = "policy"  # policy, guideline, action plan work
    PROCUREMENT = "procurement"  # deals, procurement, IOP
    DIALOGUE = "dialogue"  # dialogue with social enterprises
    TRAINING = "training"  # competence development
    OTHER = "other"


class MeetingKind(StrEnum):
    PHYSICAL = "PHYSICAL"
    DIGITAL = "DIGITAL"
    LOCAL = "LOCAL"  # local full-day meeting, held by one municipality


REQUIRED_MEETINGS = {MeetingKind.PHYSICAL: 2, MeetingKind.DIGITAL: 2}  # per year, network-wide
REQUIRED_LOCAL_MEETINGS = 1  # per municipality and year
DEFAULT_MEETING_HOURS = {MeetingKind.PHYSICAL: 7, MeetingKind.DIGITAL: 3, MeetingKind.LOCAL: 7}


@dataclass(frozen=True)
class TimeEntry:
    municipality_id: int
    person: str
    day: date
    hours: int
    activity: Activity
    description: str
    stage: str = ""
    meeting_id: int | None = None


@dataclass(frozen=True)
class NetworkMeeting:
    kind: MeetingKind
    day: date
    title: str
    hours: int
    municipality_id: int | None = None
    id: int | None = None


def parse_day(text: str) -> date:
    day = parse_iso_date(text)
    if day is None:
        raise InputError(f"date {text!r} is not a date like 2022-03-14")
    return day


def check_person(name: str) -> str:
    return check_name(name, "person", limits.PERSON, required=False)


def parse_hours(text: str | int) -> int:
    """Whole hours, 1 to 13 (ESF time is reported in whole hours)."""
    value = str(text).strip()
    if not value.isdigit():
        raise InputError(f"hours {text!r} must be a whole number of hours from 1 to {MAX_HOURS_PER_DAY}")
    hours = int(value)
    if not 1 <= hours <= MAX_HOURS_PER_DAY:
        raise InputError(f"hours {hours} must be from 1 to {MAX_HOURS_PER_DAY}")
    return hours


def parse_activity(text: str) -> Activity:
    try:
        return Activity(text.strip().lower().replace("-", "_"))
    except ValueError:
        raise InputError(f"activity {text!r} must be one of: {', '.join(a.value for a in Activity)}") from None


def parse_meeting_kind(text: str) -> MeetingKind:
    try:
        return MeetingKind(text.strip().upper())
    except ValueError:
        raise InputError(f"meeting kind {text!r} must be one of: physical, digital, local") from None


def make_entry(municipality_id: int, person: str, day: str, hours: str | int, activity: str, description: str,
               stage: str = "") -> TimeEntry:
    """Validate raw input into a :class:`TimeEntry`; raise :class:`InputError` on the first problem."""
    person = check_person(person)
    if not person:
        raise InputError("a time entry needs --person")
    description = check_text(description, "description", limits.DESCRIPTION, multiline=True)
    if not description:
        raise InputError("a time entry needs --description of the work (ESF requires it)")
    return TimeEntry(municipality_id, person, parse_day(day), parse_hours(hours), parse_activity(activity),
                     description, stage)


def co_financing_value(hours: int, rate: float) -> float:
    return round(hours * rate, 2)
