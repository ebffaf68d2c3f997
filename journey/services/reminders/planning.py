"""Plan reminders when a case enters a state, cancel them when it leaves, shift them on pause.

Driven only by events (StateEntered/StateExited/CasePaused/CaseResumed), so whatever publishes
those (advance, open, a workflow-version migration) gets reminders that follow, in the same
transaction as the change.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import time
from typing import Any
from zoneinfo import ZoneInfo

from journey.definitions.catalog import WorkflowCatalog
from journey.domain.case import CaseStatus, latest_evidence
from journey.domain.events import StateEntered, StateExited
from journey.domain.pause import CasePaused, CaseResumed
from journey.domain.reminders import (
    RESPONSIBLE,
    Due,
    Reminder,
    ReminderRule,
    ReminderStatus,
    due_after_entry,
    due_before_meeting,
    idempotency_key,
    local_date,
    rule_from_spec,
)
from journey.domain.workdays import HolidayName
from journey.ports.unit_of_work import UnitOfWork
from journey.services.deps import Deps

DEFAULT_BOARD = "KS"


def responsible_board(uow: UnitOfWork, case_id: int) -> str:
    """The board named in the case's latest ``responsible_board`` evidence (as corrected), else KS."""
    board = latest_evidence(uow.cases.history(case_id), "responsible_board").get("board")
    return str(board) if board else DEFAULT_BOARD


@dataclass
class ReminderPlanner:
    workflows: Callable[[], WorkflowCatalog]
    holiday_name: HolidayName
    tz: ZoneInfo

    def due(self, r: Reminder, uow: UnitOfWork) -> Due | None:
        hour, minute = (int(p) for p in r.local_time.split(":"))
        rule = ReminderRule(r.rule_id, r.title, r.anchor, r.offset_days, r.board, (r.recipient_role,), r.template,
                            r.subject, time(hour, minute))
        entered = local_date(r.entered_at, self.tz)
        if r.anchor == "state_entry":
            return due_after_entry(rule, entered, self.holiday_name, self.tz, r.shift_days)
        meetings = uow.board_meetings.meetings(r.municipality_id, r.board)
        return due_before_meeting(rule, entered, meetings, self.holiday_name, self.tz, r.shift_days)

    def on_entered(self, event: Any, uow: UnitOfWork) -> None:
        assert isinstance(event, StateEntered)
        case = uow.cases.get(event.case_id)
        state = self.workflows().get(case.workflow, case.workflow_version).state(event.path)
        if state is None or not state.reminders:
            return
        repo = uow.reminders
        for spec in state.reminders:
            rule = rule_from_spec(spec)
            board = rule.board
            if board == RESPONSIBLE or (not board and any(role.startswith("board_") for role in rule.to)):
                board = responsible_board(uow, event.case_id)
            for role in rule.to:
                reminder = Reminder(
                    None, event.case_id, case.municipality_id, rule.id, event.path, role, rule.template, rule.title,
                    rule.subject, rule.anchor, board, rule.offset_days, event.at,
                    idempotency_key(event.case_id, event.path, rule.id, role, event.at),
                    local_time=rule.at.strftime("%H:%M"), created_at=event.at)
                reminder.set_due(self.due(reminder, uow), paused=case.status is CaseStatus.PAUSED)
                repo.add(reminder)

    def on_exited(self, event: Any, uow: UnitOfWork) -> None:
        assert isinstance(event, StateExited)
        repo = uow.reminders
        for reminder in repo.planned(case_id=event.case_id, state_path=event.path):
            reminder.status = ReminderStatus.CANCELLED
            reminder.send_after = None
            reminder.reason += f"; avbruten: ärendet lämnade {event.path}" + (f" ({event.trigger})" if event.trigger else "")
            repo.save(reminder)

    def on_paused(self, event: Any, uow: UnitOfWork) -> None:
        assert isinstance(event, CasePaused)
        repo = uow.reminders
        for reminder in repo.planned(case_id=event.case_id):
            reminder.send_after = None
            repo.save(reminder)

    def on_resumed(self, event: Any, uow: UnitOfWork) -> None:
        assert isinstance(event, CaseResumed)
        repo = uow.reminders
        for reminder in repo.planned(case_id=event.case_id):
            reminder.shift_days += event.shift_days
            reminder.set_due(self.due(reminder, uow))
            repo.save(reminder)

    def replan_meetings(self, uow: UnitOfWork, municipality_id: int) -> int:
        """Recompute meeting-relative reminders after the calendar changed; returns how many moved."""
        repo = uow.reminders
        moved = 0
        for reminder in repo.planned(municipality_id=municipality_id, anchor="board_meeting"):
            before = (reminder.due_at, reminder.meeting_id)
            paused = uow.cases.get(reminder.case_id).status is CaseStatus.PAUSED
            reminder.set_due(self.due(reminder, uow), paused=paused)
            if (reminder.due_at, reminder.meeting_id) != before:
                moved += 1
                repo.save(reminder)
        return moved


def wire(deps: Deps, planner: ReminderPlanner) -> None:
    deps.on(StateEntered, planner.on_entered)
    deps.on(StateExited, planner.on_exited)
    deps.on(CasePaused, planner.on_paused)
    deps.on(CaseResumed, planner.on_resumed)
    deps.replanner = planner
