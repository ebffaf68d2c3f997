"""Matters (ärenden): a political matter beside the case, decided by a chain of bodies.

A state that needs a political decision declares a matter (``journey.domain.spec.MatterSpec``).
The matter has a title, a diarienummer (registered when it starts), a handläggare and a
förvaltning, the chain of deciding bodies (e.g. AMN → KS → KF) and their decisions. Each
decision is bifall, avslag, återremiss or bordläggning at a meeting (date and §):

- återremiss and bordläggning keep the matter with the same body, for a later meeting;
- bifall hands the matter to the next body; bifall by the last body decides it;
- avslag rejects it (the workflow says where the case goes then).

Pure rules only: storage, events and the case's transitions are the services' business.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum
from typing import Any

from journey.domain.errors import DecisionInputError, MatterRefusedError
from journey.domain.messages import msg

RESPONSIBLE = "responsible"  # in a chain: the municipality's responsible board
STANDING_BOARDS = {"KS": "Kommunstyrelsen", "KF": "Kommunfullmäktige"}  # every municipality has them


class Outcome(StrEnum):
    """What a body decided; stored values never change meaning."""

    BIFALL = "bifall"
    AVSLAG = "avslag"
    ATERREMISS = "återremiss"
    BORDLAGGNING = "bordläggning"

    @property
    def keeps_body(self) -> bool:
        """The matter stays with the same body, for a later meeting."""
        return self in (Outcome.ATERREMISS, Outcome.BORDLAGGNING)


def _fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.strip().casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def parse_outcome(text: str) -> Outcome:
    """'återremiss', 'aterremiss', 'Bordläggning', 'bordlaggning' ... -> the outcome (else exit 2)."""
    folded = _fold(text)
    for outcome in Outcome:
        if _fold(outcome.value) == folded:
            return outcome
    raise DecisionInputError(msg("unknown outcome {text!r}: use bifall, avslag, återremiss or bordläggning", text=text))


class MatterStatus(StrEnum):
    OPEN = "OPEN"  # pågående: awaiting a body's decision
    DECIDED = "DECIDED"  # bifall by the last body of the chain
    REJECTED = "REJECTED"  # avslag
    CLOSED = "CLOSED"  # ended without a decision: the case left the state, or was withdrawn


STATUS_TEXT = {MatterStatus.OPEN: "pågående", MatterStatus.DECIDED: "avgjort (bifall)",
               MatterStatus.REJECTED: "avslaget", MatterStatus.CLOSED: "avslutat utan beslut"}


class Effect(StrEnum):
    """What a decision does to its matter."""

    STAYS = "stays"  # återremiss or bordläggning: the same body decides at a later meeting
    NEXT_BODY = "next_body"  # bifall, and the chain goes on
    DECIDED = "decided"  # bifall by the last body
    REJECTED = "rejected"  # avslag


@dataclass
class Decision:
    """One body's decision at one meeting; ``history_seq`` is the history entry that records it."""

    body: str
    outcome: Outcome
    meeting_date: date
    paragraph: int | None
    recorded_at: datetime
    actor: str
    history_seq: int = 0
    seq: int = 0
    id: int | None = None


@dataclass
class Matter:
    """An ärende of one case, opened when the case enters ``state_path`` (or registered, when optional)."""

    id: int | None
    case_id: int
    state_path: str
    title: str
    bodies: tuple[str, ...]
    opened_at: datetime
    opened_by: str
    status: MatterStatus = MatterStatus.OPEN
    diarienummer: str = ""
    handlaggare: str = ""
    forvaltning: str = ""
    proposal: dict[str, dict[str, Any]] = field(default_factory=dict)  # evidence kinds the bodies decide on
    target_meeting: date | None = None  # set by hand; otherwise the next meeting of the next body
    closed_at: datetime | None = None
    updated_at: datetime | None = None
    decisions: list[Decision] = field(default_factory=list)
    planned_meeting: date | None = None  # the meeting its reminders aim at; a miss is found against it

    @property
    def is_open(self) -> bool:
        return self.status is MatterStatus.OPEN

    @property
    def position(self) -> int:
        """How many bodies of the chain have given bifall."""
        return sum(1 for d in self.decisions if d.outcome is Outcome.BIFALL)

    @property
    def next_body(self) -> str | None:
        """The body whose decision the matter awaits (None once it is decided, rejected or closed)."""
        if not self.is_open or self.position >= len(self.bodies):
            return None
        return self.bodies[self.position]

    @property
    def final_decision(self) -> Decision | None:
        """The last body's bifall, once the matter is decided."""
        return self.decisions[-1] if self.status is MatterStatus.DECIDED and self.decisions else None

    def earliest_next_meeting(self) -> date | None:
        """A later meeting than the last decision (the same body meets again after återremiss)."""
        return self.decisions[-1].meeting_date if self.decisions else None

    def decide(self, decision: Decision, today: date) -> Effect:
        """Record ``decision`` if it fits the chain; return what it does to the matter."""
        if decision.meeting_date > today:
            raise DecisionInputError(msg("the meeting date {meeting_date} is after today ({today}); record a "
                                         "decision once it has been taken",
                meeting_date=decision.meeting_date, today=today))
        if not self.is_open:
            raise MatterRefusedError(msg("the matter {label!r} is {value}; no body decides it now",
                label=self.label, value=STATUS_TEXT[self.status]))
        expected = self.next_body
        if expected is None or not same_board(decision.body, expected):
            raise MatterRefusedError(msg("the matter {label!r} awaits {expected}'s decision (chain {bodies}), "
                                         "not {body}'s",
                label=self.label, expected=expected, bodies=' → '.join(self.bodies), body=decision.body))
        last = self.decisions[-1] if self.decisions else None
        if last is not None:
            same = same_board(last.body, decision.body)
            if decision.meeting_date < last.meeting_date or (same and decision.meeting_date == last.meeting_date):
                when = msg("a later meeting than") if same else msg("on or after")
                raise MatterRefusedError(msg("{body}'s decision must be dated {when} the previous decision "
                                             "({body2} {meeting_date}, {value})",
                    body=decision.body, when=when, body2=last.body, meeting_date=last.meeting_date,
                    value=last.outcome.value))
        decision.body = expected
        decision.seq = len(self.decisions) + 1
        self.decisions.append(decision)
        self.target_meeting = None  # a hand-set target referred to the step just taken
        if decision.outcome is Outcome.AVSLAG:
            self.status, self.closed_at = MatterStatus.REJECTED, decision.recorded_at
            return Effect.REJECTED
        if decision.outcome.keeps_body:
            return Effect.STAYS
        if self.position < len(self.bodies):
            return Effect.NEXT_BODY
        self.status, self.closed_at = MatterStatus.DECIDED, decision.recorded_at
        return Effect.DECIDED

    def close(self, at: datetime, status: MatterStatus = MatterStatus.CLOSED) -> None:
        if self.is_open:
            self.status, self.closed_at = status, at

    @property
    def label(self) -> str:
        return f"{self.title} ({self.diarienummer})" if self.diarienummer else self.title


def same_board(a: str, b: str) -> bool:
    return _fold(a) == _fold(b)


def resolve_chain(bodies: Iterable[str], responsible: str) -> tuple[str, ...]:
    """Put the responsible board in for ``responsible``; a body named twice in a row decides once."""
    chain: list[str] = []
    for body in bodies:
        code = responsible if body == RESPONSIBLE else body
        if not chain or not same_board(chain[-1], code):
            chain.append(code)
    return tuple(chain)


def parse_chain(text: str) -> tuple[str, ...]:
    """'AMN, KS,KF' or 'AMN→KS→KF' -> ('AMN', 'KS', 'KF'); an empty chain is bad input."""
    parts = [p.strip() for p in text.replace("→", ",").replace(">", ",").split(",")]
    chain = tuple(p for p in parts if p)
    if not chain:
        raise DecisionInputError(msg("--chain {text!r}: name the deciding bodies in order, e.g. AMN,KS,KF", text=text))
    return chain


def decision_evidence(matter: Matter, decision: Decision, fields: Iterable[str]) -> dict[str, Any]:
    """The decision as evidence of the matter's decision kind (only the fields that kind has)."""
    values = {"organ": decision.body, "meeting_date": decision.meeting_date.isoformat(),
              "paragraph": decision.paragraph, "diarienummer": matter.diarienummer or None}
    return {name: values[name] for name in fields if values.get(name) is not None}


DECISION_FIELDS = ("organ", "meeting_date", "paragraph", "diarienummer")


def outcome_text(decision: Decision, board_name: str = "") -> str:
    """'återremiss i KS 2022-05-10 § 45' for history comments and views."""
    paragraph = f" § {decision.paragraph}" if decision.paragraph else ""
    return f"{decision.outcome.value} i {board_name or decision.body} {decision.meeting_date}{paragraph}"


def board_name(code: str, boards: Mapping[str, str]) -> str:
    """A body's name: the calendar's name for it, else the standing name of KS/KF, else the code."""
    for known, name in boards.items():
        if same_board(known, code) and name:
            return name
    return STANDING_BOARDS.get(code.upper(), code)


def target_meeting(matter: Matter, days: Iterable[date], today: date) -> date | None:
    """The meeting the matter aims at: the one set by hand, else the next meeting of the body it awaits.

    ``days`` are that body's meeting dates (its calendar). "Next" means on or after today and
    after the last decision (a matter sent back is taken up at a later meeting). None without
    a calendar, or once no body awaits the matter.
    """
    if matter.next_body is None:
        return None
    if matter.target_meeting is not None:
        return matter.target_meeting
    last = matter.earliest_next_meeting()
    return min((d for d in days if d >= today and (last is None or d > last)), default=None)
