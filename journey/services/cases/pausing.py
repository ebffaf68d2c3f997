"""Pause and resume a case: an audited suspension ledger; open deadlines shift by the pause length."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from journey.domain import limits
from journey.domain.case import Case, CaseStatus, HistoryEntry, HistoryKind
from journey.domain.errors import RefusedError
from journey.domain.messages import msg
from journey.domain.municipality import Municipality
from journey.domain.pause import CasePaused, CaseResumed, pause_days
from journey.domain.text import check_text
from journey.ports.unit_of_work import UnitOfWork
from journey.services.cases.lifecycle import case_for_change
from journey.services.deps import Deps


@dataclass(frozen=True)
class PauseResult:
    municipality: str
    status: str
    at: datetime
    paused_at: datetime | None = None
    shift_days: int = 0
    reminders: int = 0


def _case(uow: UnitOfWork, username: str | None, municipality: str) -> tuple[str, Municipality, Case]:
    actor, m, case = case_for_change(uow, username, municipality)
    return actor.username, m, case


def pause_case(deps: Deps, username: str | None, municipality: str, reason: str = "") -> PauseResult:
    """Pause the case: nothing is sent and it cannot advance until it is resumed."""
    reason = check_text(reason, "reason", limits.PAUSE_REASON, multiline=True)
    with deps.uow() as uow:
        actor, m, case = _case(uow, username, municipality)
        case_id = case.id or 0
        now = deps.clock.now()
        case.pause(m.name, now)
        uow.cases.save(case)
        uow.cases.append_history(HistoryEntry(case_id, HistoryKind.PAUSED, case.state, case.state, None, actor, now,
                                              {}, reason))
        uow.pauses.start(case_id, now, reason, actor)
        held = len(uow.reminders.planned(case_id=case_id))
        deps.publish([CasePaused(case_id, now, reason)], uow)
        uow.commit()
        return PauseResult(m.name, case.status.value, now, reminders=held)


def resume_case(deps: Deps, username: str | None, municipality: str, tz: ZoneInfo, comment: str = "") -> PauseResult:
    """Resume a paused case; its open deadlines move by the pause length in calendar days."""
    comment = check_text(comment, "comment", limits.COMMENT, multiline=True)
    with deps.uow() as uow:
        actor, m, case = _case(uow, username, municipality)
        case_id = case.id or 0
        pause = uow.pauses.open_pause(case_id)
        if case.status is not CaseStatus.PAUSED or pause is None:
            raise RefusedError(msg("{name}'s case is not paused", name=m.name))
        now = deps.clock.now()
        shift = pause_days(pause["paused_at"], now, tz)
        case.status, case.updated_at = CaseStatus.ACTIVE, now
        uow.cases.save(case)
        uow.cases.append_history(HistoryEntry(case_id, HistoryKind.RESUMED, case.state, case.state, None, actor, now,
                                              {}, comment or f"pausat {shift} dagar"))
        uow.pauses.finish(pause["id"], now, shift)
        moved = len(uow.reminders.planned(case_id=case_id))
        deps.publish([CaseResumed(case_id, now, pause["paused_at"], shift)], uow)
        uow.commit()
        return PauseResult(m.name, case.status.value, now, pause["paused_at"], shift, moved)
