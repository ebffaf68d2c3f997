"""Deadline upkeep, run before every sweep (the scheduler's and `journey reminders send-due`).

Idempotent, in one transaction per case:
- **Rollover.** A matter whose target meeting has passed without its decision moves to the body's
  next meeting: the miss is recorded once and told once, and the reminders are re-planned.
- **Never stale.** A planned reminder whose meeting has passed is expired with its reason.
- **Repeats.** A stall reminder with ``repeat`` is planned again (to the ``escalate_to`` roles too)
  once the previous one has gone out, while the case stays in the state.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from journey.domain.case import CaseStatus
from journey.domain.reminders import (
    Reminder,
    ReminderStatus,
    idempotency_key,
    local_date,
    meeting_passed,
    rule_from_spec,
)
from journey.ports.unit_of_work import UnitOfWork
from journey.services.deps import Deps


@dataclass
class UpkeepResult:
    rolled: int = 0  # matters moved to a later meeting
    expired: int = 0  # planned reminders whose meeting had passed
    repeated: int = 0  # stall reminders planned again


def keep_deadlines(deps: Deps, tz: ZoneInfo) -> UpkeepResult:
    result = UpkeepResult()
    planner = deps.replanner
    if planner is None:
        return result
    now = deps.clock.now()
    today = now.astimezone(tz).date()
    with deps.uow() as uow:
        case_ids = [c.id or 0 for c in uow.cases.all() if c.status is CaseStatus.ACTIVE]
    for case_id in case_ids:
        with deps.uow() as uow:
            matter = uow.matters.open_for(case_id)
            if matter is not None and planner.roll_over(uow, case_id, matter, today, now):
                result.rolled += 1
            result.expired += _expire_passed(uow, case_id, today)
            planner.sync_case(uow, case_id, today)
            result.repeated += _repeat(deps, uow, case_id, now, tz)
            uow.commit()
    return result


def _expire_passed(uow: UnitOfWork, case_id: int, today: date) -> int:
    expired = 0
    repo = uow.reminders
    for r in repo.planned(case_id=case_id, anchor="board_meeting"):
        passed = meeting_passed(uow.board_meetings.meeting(r.meeting_id) if r.meeting_id else None, today)
        if passed:
            r.expire(passed)
            repo.save(r)
            expired += 1
    return expired


def _repeat(deps: Deps, uow: UnitOfWork, case_id: int, now: datetime, tz: ZoneInfo) -> int:
    """Plan the next round of each repeating stall reminder once its last round went out.

    The next round falls ``repeat`` days after the last one was sent (so a late round never
    brings a burst); it goes to the rule's roles and its ``escalate_to`` roles.
    """
    case = uow.cases.get(case_id)
    spec = deps.workflows().get(case.workflow, case.workflow_version)
    planner = deps.replanner
    repo = uow.reminders
    rows = repo.for_case(case_id)
    added = 0
    for path in {r.state_path for r in rows if r.status is not ReminderStatus.CANCELLED}:
        state = spec.state(path)
        if state is None or path.split(".")[0] != case.stage:
            continue
        for rule in (rule_from_spec(s) for s in state.reminders):
            if not rule.repeat_days:
                continue
            mine = [r for r in rows if r.state_path == path and r.rule_id == rule.id]
            if not mine:
                continue
            entered = max(r.entered_at for r in mine)
            mine = [r for r in mine if r.entered_at == entered]
            last = max(r.round for r in mine)
            current = [r for r in mine if r.round == last]
            sent = [r.sent_at for r in current if r.status is ReminderStatus.SENT and r.sent_at is not None]
            if len(sent) < len(current) or planner is None:
                continue  # still planned or sending, failed, or cancelled: no next round yet
            nxt, base = last + 1, current[0]
            offset = (local_date(max(sent), tz) - local_date(entered, tz)).days - base.shift_days + rule.repeat_days
            for role in dict.fromkeys(rule.to + rule.escalate_to):
                row = Reminder(None, case_id, case.municipality_id, rule.id, path, role, rule.template, rule.title,
                               rule.subject, "state_entry", rule.board, offset, entered,
                               f"{idempotency_key(case_id, path, rule.id, role, entered)}/round{nxt}",
                               local_time=rule.at.strftime("%H:%M"), shift_days=base.shift_days, created_at=now,
                               round=nxt)
                row.set_due(planner.due(row, uow), paused=case.status is CaseStatus.PAUSED)
                escalated = role in rule.escalate_to and role not in rule.to
                row.reason += f" (påminnelse {nxt}{', eskalerad' if escalated else ''})"
                added += repo.add(row)
    return added
