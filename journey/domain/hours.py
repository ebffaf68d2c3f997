"""ESF time reporting (medfinansiering): time entries, network meetings and the yearly target.

Facts from the project (domain.md sections 0 and e, domain-facts.md): each municipality co-finances
about 500 h/year with its participants' actual time, about half of it at joint meetings; each
person reports and certifies their own time, with a description of the work, in quarter hours
here; the network meets 2 times physically and 2 times digitally a year, and each municipality
holds 1 local full-day meeting a year. The ESF rules (ceilings, periods, unit costs) are in
:mod:`journey.domain.esf`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum

from journey.domain import limits
from journey.domain.errors import InputError
from journey.domain.esf import JOINT_MEETING_HOURS_PER_YEAR as JOINT_MEETING_HOURS_PER_YEAR
from journey.domain.esf import QUARTERS_PER_HOUR, EntryKind, parse_quarters
from journey.domain.esf import TARGET_HOURS_PER_YEAR as TARGET_HOURS_PER_YEAR
from journey.domain.messages import msg
from journey.domain.text import check_name, check_text


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

    @property
    def label(self) -> str:
        return ACTIVITY_LABELS[self]


ACTIVITY_LABELS = {
    Activity.NETWORK_MEETING: "Nätverksmöte", Activity.LOCAL_MEETING: "Lokal heldag",
    Activity.TEAM_MEETING: "Teammöte", Activity.INVENTORY: "Behovsinventering", Activity.POLICY: "Policyarbete",
    Activity.PROCUREMENT: "Affärer och upphandling", Activity.DIALOGUE: "Dialog med sociala företag",
    Activity.TRAINING: "Kompetensutveckling", Activity.OTHER: "Övrigt",
}
MEETING_ACTIVITIES = (Activity.NETWORK_MEETING, Activity.LOCAL_MEETING)


class MeetingKind(StrEnum):
    PHYSICAL = "PHYSICAL"
    DIGITAL = "DIGITAL"
    LOCAL = "LOCAL"  # local full-day meeting, held by one municipality

    @property
    def label(self) -> str:
        return MEETING_KIND_LABELS[self]


MEETING_KIND_LABELS = {MeetingKind.PHYSICAL: "Fysiskt nätverksmöte", MeetingKind.DIGITAL: "Digitalt nätverksmöte",
                       MeetingKind.LOCAL: "Lokal heldag"}


REQUIRED_MEETINGS = {MeetingKind.PHYSICAL: 2, MeetingKind.DIGITAL: 2}  # per year, network-wide
REQUIRED_LOCAL_MEETINGS = 1  # per municipality and year
DEFAULT_MEETING_QUARTERS = {MeetingKind.PHYSICAL: 7 * QUARTERS_PER_HOUR, MeetingKind.DIGITAL: 3 * QUARTERS_PER_HOUR,
                            MeetingKind.LOCAL: 7 * QUARTERS_PER_HOUR}


@dataclass(frozen=True)
class EntryTotal:
    """The sum of one person's rows in one municipality and year, and the part at meetings (a GROUP BY row, #14)."""

    municipality_id: int
    person_id: int
    year: int
    quarters: int
    meeting_quarters: int  # attendance at network or local meetings


@dataclass(frozen=True)
class TimeEntry:
    """One appended row of the time report; ``quarters`` is negative for a reversal or withdrawal."""

    municipality_id: int
    person_id: int
    person: str  # the person's name when the row was written
    day: date
    quarters: int
    activity: Activity
    description: str
    stage: str = ""  # the case's stage on ``day`` (from its history)
    meeting_id: int | None = None
    kind: EntryKind = EntryKind.ENTRY
    corrects_id: int | None = None  # the row a correction, reversal or withdrawal refers to
    reason: str = ""  # why a row was corrected or withdrawn
    claim_period_id: int | None = None  # the claim period it is reported in (None: the one covering ``day``)
    id: int | None = None
    created_by: str = ""
    created_at: datetime | None = None


@dataclass(frozen=True)
class NetworkMeeting:
    kind: MeetingKind
    day: date
    title: str
    quarters: int
    municipality_id: int | None = None
    id: int | None = None


def check_person(name: str) -> str:
    return check_name(name, msg("person"), limits.PERSON, required=False)


def parse_activity(text: str) -> Activity:
    """An activity id ('inventory') or its Swedish label ('Behovsinventering'), any case."""
    value = text.strip().lower().replace("-", "_").replace(" ", "_")
    by_label = {a.label.lower().replace(" ", "_"): a for a in Activity}
    if value in by_label:
        return by_label[value]
    try:
        return Activity(value)
    except ValueError:
        raise InputError(msg("activity {text!r} must be one of: {value}",
            text=text, value=', '.join(a.value for a in Activity))) from None


def parse_meeting_kind(text: str) -> MeetingKind:
    try:
        return MeetingKind(text.strip().upper())
    except ValueError:
        raise InputError(msg("meeting kind {text!r} must be one of: physical, digital, local", text=text)) from None


def parse_meeting_quarters(text: str | None, kind: MeetingKind) -> int:
    return DEFAULT_MEETING_QUARTERS[kind] if text is None else parse_quarters(text)


def check_description(text: str) -> str:
    description = " ".join(check_text(text, "description", limits.DESCRIPTION, multiline=True).split())
    if not description:
        raise InputError(msg("a time entry needs --description of the work (ESF requires it)"))
    return description
