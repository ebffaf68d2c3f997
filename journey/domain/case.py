"""A running case: one municipality's journey through one workflow version, and its history."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any

from journey.domain.spec import active_paths, format_state, parse_state


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
