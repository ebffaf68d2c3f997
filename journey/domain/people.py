"""The people who report ESF time (deltagare and projektpersonal) and how their details are parsed."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from journey.domain import limits
from journey.domain.errors import InputError, RefusedError
from journey.domain.messages import msg
from journey.domain.text import check_name

SALARY_GROUPS = ("1", "2", "3", "4", "5", "6", "7a", "7b", "7c")  # ESF programme area 1


class PersonKind(StrEnum):
    """Stored values never change meaning."""

    PARTICIPANT = "PARTICIPANT"  # deltagare: the municipality's staff in the network (co-financing)
    STAFF = "STAFF"  # projektpersonal, e.g. the local coordinator at 20 % of full time

    @property
    def label(self) -> str:
        return _KIND_LABELS[self.value]


_KIND_LABELS = {"PARTICIPANT": "Deltagare", "STAFF": "Projektpersonal"}


def person_key(name: str) -> str:
    """Names compare without case and extra spaces: 'anna  Berg' matches 'Anna Berg'."""
    return " ".join(unicodedata.normalize("NFC", name).split()).casefold()


def clean_name(name: str, what: str = msg("name")) -> str:
    """A person's name: NFC, single spaces, no invisible, bidi or control characters, one script."""
    if not " ".join(name.split()):
        raise InputError(msg("a person needs a {what}", what=what))
    return check_name(name, what, limits.PERSON)


def parse_kind(text: str) -> PersonKind:
    value = text.strip().upper().replace("-", "_")
    aliases = {"DELTAGARE": "PARTICIPANT", "PROJEKTPERSONAL": "STAFF", "PERSONAL": "STAFF", "PROJECT_STAFF": "STAFF"}
    try:
        return PersonKind(aliases.get(value, value))
    except ValueError:
        raise InputError(msg("kind {text!r} must be participant or staff (deltagare or projektpersonal)",
                             text=text)) from None


def parse_salary_group(text: str) -> str:
    value = text.strip().lower().removeprefix("lönegrupp").strip()
    if value not in SALARY_GROUPS:
        raise InputError(msg("salary group {text!r} must be one of {salary_groups} (programme area 1)",
            text=text, salary_groups=', '.join(SALARY_GROUPS)))
    return value


def parse_share(text: str | int) -> int:
    value = str(text).strip().removesuffix("%").strip()
    if not value.isdigit() or not 1 <= int(value) <= 100:
        raise InputError(msg("share {text!r} must be a whole percent of full time from 1 to 100", text=text))
    return int(value)


def close_names(name: str, known: list[str]) -> list[str]:
    import difflib

    by_key = {person_key(k): k for k in known}
    return [by_key[k] for k in difflib.get_close_matches(person_key(name), list(by_key), n=3, cutoff=0.6)]


@dataclass(frozen=True)
class Person:
    """Someone whose time is reported for a municipality."""

    id: int | None
    municipality_id: int
    name: str
    kind: PersonKind = PersonKind.PARTICIPANT
    function: str = ""  # e.g. "Upphandlare"
    department: str = ""  # förvaltning
    share_percent: int | None = None  # project staff: share of full time (the coordinator's 20 %)
    salary_group: str = ""  # lönegrupp 1–6, 7a–7c
    unit_cost_ore: int | None = None  # a unit cost decided for this person, instead of the group's
    start: date | None = None  # in the project from
    end: date | None = None  # in the project until
    username: str = ""  # the person's own user account (attests their own months)
    review_note: str = ""  # set by the migration when a name was ambiguous

    def active_on(self, day: date) -> bool:
        return (self.start is None or self.start <= day) and (self.end is None or day <= self.end)

    def check_active(self, day: date) -> None:
        if not self.active_on(day):
            span = f"{self.start or '…'} – {self.end or '…'}"
            raise RefusedError(msg("{name} is not in the project on {day} (in the project {span})",
                name=self.name, day=day, span=span))
