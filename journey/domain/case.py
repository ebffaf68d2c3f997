"""A running case: one municipality's journey through one workflow version, and its history."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any

from journey.domain.errors import RefusedError
from journey.domain.events import CaseAdvanced, Event, StateEntered, StateExited
from journey.domain.spec import WorkflowSpec, active_paths, format_state, parse_state


class CaseStatus(StrEnum):
    """Stored values never change meaning."""

    ACTIVE = "ACTIVE"
    PAUSED = "PAUSED"
    COMPLETED = "COMPLETED"


class HistoryKind(StrEnum):
    OPENED = "OPENED"
    ADVANCED = "ADVANCED"
    PAUSED = "PAUSED"
    RESUMED = "RESUMED"
    MIGRATED = "MIGRATED"


@dataclass
class Case:
    """The state of one municipality's journey; ``version`` is the optimistic-lock counter."""

    id: int | None
    municipality_id: int
    workflow: str
    workflow_version: int
    state: str
    status: CaseStatus
    opened_at: datetime
    stage_entered_at: datetime
    updated_at: datetime
    version: int = 1

    @property
    def leaves(self) -> tuple[str, ...]:
        return parse_state(self.state)

    @property
    def stage(self) -> str:
        return self.state.split(".", 1)[0].split(",", 1)[0]

    def ensure_can_advance(self, name: str) -> None:
        """A paused case does not move (``name``: the municipality, for the message)."""
        if self.status is CaseStatus.PAUSED:
            raise RefusedError(f"{name}'s case is paused; resume it before advancing")

    def ensure_can_pause(self, name: str) -> None:
        if self.status is not CaseStatus.ACTIVE:
            raise RefusedError(f"{name}'s case is {self.status.value.lower()}; only an active case can be paused")

    def advance(self, spec: WorkflowSpec, name: str, trigger: str, new_leaves: tuple[str, ...], *, reflexive: bool,
                actor: str, at: datetime, evidence: dict[str, Any]) -> list[Event]:
        """Take a step the engine allowed: move, complete on a final state, and return what happened.

        ``reflexive``: the transition leads back to its own source (its state is left and re-entered).
        """
        self.ensure_can_advance(name)
        old_leaves, old_state = self.leaves, self.state
        self.move_to(new_leaves, at)
        target = spec.state(spec.stage_of(new_leaves))
        if target is not None and target.final:
            self.status = CaseStatus.COMPLETED
        case_id = self.id or 0
        exited, entered = entered_and_exited(old_leaves, new_leaves, reflexive)
        events: list[Event] = [StateExited(case_id, at, p, trigger) for p in exited]
        events += [StateEntered(case_id, at, p, trigger, evidence) for p in entered]
        events.append(CaseAdvanced(case_id, at, old_state, self.state, trigger, actor))
        return events

    def pause(self, name: str, at: datetime) -> None:
        self.ensure_can_pause(name)
        self.status, self.updated_at = CaseStatus.PAUSED, at

    def move_to(self, leaves: tuple[str, ...], at: datetime) -> None:
        new_state = format_state(leaves)
        if new_state.split(".", 1)[0].split(",", 1)[0] != self.stage:
            self.stage_entered_at = at
        self.state = new_state
        self.updated_at = at


@dataclass(frozen=True)
class HistoryEntry:
    """One append-only audit row: who moved which case from where to where, on what evidence."""

    case_id: int
    kind: HistoryKind
    from_state: str | None
    to_state: str
    trigger: str | None
    actor: str
    at: datetime
    evidence: dict[str, Any] = field(default_factory=dict)
    comment: str = ""
    seq: int = 0


def entered_and_exited(old: tuple[str, ...], new: tuple[str, ...], reflexive: bool) -> tuple[list[str], list[str]]:
    """The state paths a transition leaves and enters (ancestors included), outermost first."""
    before, after = active_paths(old), active_paths(new)
    exited = [p for p in before if p not in after]
    entered = [p for p in after if p not in before]
    if reflexive and not exited and not entered:
        exited = entered = [p for p in after if any(leaf == p for leaf in new)]
    return exited[::-1], entered
