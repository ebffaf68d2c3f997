"""Plan reminders when a case enters a state, cancel them when it leaves, shift them on pause.

Driven only by events (StateEntered/StateExited/CasePaused/CaseResumed), so whatever publishes
those (advance, open, a workflow-version migration) gets reminders that follow, in the same
transaction as the change.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from journey.definitions.catalog import WorkflowCatalog
from journey.domain.case import CaseStatus, HistoryEntry, HistoryKind, latest_evidence
from journey.domain.deadlines import MISSED, PROTOKOLL_DAYS, awaiting_protokoll, with_closed_periods
from journey.domain.events import MatterChanged, StateEntered, StateExited
from journey.domain.matters import Matter
from journey.domain.pause import CasePaused, CaseResumed
from journey.domain.reminders import (
    RESPONSIBLE,
    Due,
    Meeting,
    Reminder,
    ReminderRule,
    ReminderStatus,
    due_after_entry,
    due_for_meeting,
    idempotency_key,
    local_date,
    meeting_passed,
    pick_target,
    rule_from_spec,
)
from journey.domain.workdays import HolidayName
from journey.ports.clock import Clock
from journey.ports.unit_of_work import UnitOfWork
from journey.services.deps import Deps

DEFAULT_BOARD = "KS"


def responsible_board(uow: UnitOfWork, case_id: int) -> str:
    """The board named in the case's latest ``responsible_board`` evidence (as corrected), else KS."""
    board = latest_evidence(uow.cases.history(case_id), "responsible_board").get("board")
    return str(board) if board else DEFAULT_BOARD


NOTICE = "notice"  # a message sent at once (a missed meeting), never re-planned or expired
MISSED_SUBJECT = "Ärendet hann inte till sammanträdet – {{ municipality }}"
DONE = (ReminderStatus.SENT, ReminderStatus.SENDING, ReminderStatus.FAILED, ReminderStatus.EXPIRED)
MEETING_ANCHOR = "board_meeting"


@dataclass
class ReminderPlanner:
    workflows: Callable[[], WorkflowCatalog]
    holiday_name: HolidayName
    tz: ZoneInfo
    clock: Clock | None = None

    def today(self) -> date:
        return (self.clock.now() if self.clock else datetime.now(UTC)).astimezone(self.tz).date()

    def holidays(self, uow: UnitOfWork, municipality_id: int) -> HolidayName:
        """Swedish holidays and the municipality's closed periods (sommaruppehåll, klämdagar)."""
        return with_closed_periods(self.holiday_name, uow.board_meetings.closed_periods(municipality_id))

    def due(self, r: Reminder, uow: UnitOfWork) -> Due | None:
        rule = _rule_of(r)
        holidays = self.holidays(uow, r.municipality_id)
        if r.anchor == "state_entry":
            return due_after_entry(rule, local_date(r.entered_at, self.tz), holidays, self.tz, r.shift_days)
        meeting = uow.board_meetings.meeting(r.meeting_id) if r.meeting_id else None
        return due_for_meeting(rule, meeting, holidays, self.tz, r.shift_days) if meeting else None

    def on_entered(self, event: Any, uow: UnitOfWork) -> None:
        assert isinstance(event, StateEntered)
        case = uow.cases.get(event.case_id)
        state = self.workflows().get(case.workflow, case.workflow_version).state(event.path)
        if state is None or not state.reminders:
            return
        repo = uow.reminders
        for spec in state.reminders:
            rule = rule_from_spec(spec)
            if rule.anchor != "state_entry":
                continue
            for role in rule.to:
                reminder = Reminder(
                    None, event.case_id, case.municipality_id, rule.id, event.path, role, rule.template, rule.title,
                    rule.subject, rule.anchor, rule.board, rule.offset_days, event.at,
                    idempotency_key(event.case_id, event.path, rule.id, role, event.at),
                    local_time=rule.at.strftime("%H:%M"), created_at=event.at)
                reminder.set_due(self.due(reminder, uow), paused=case.status is CaseStatus.PAUSED)
                repo.add(reminder)
        self.sync(uow, event.case_id, event.path, event.at, today=local_date(event.at, self.tz))

    def meeting_rules(self, case: Any, state_path: str) -> list[ReminderRule]:
        state = self.workflows().get(case.workflow, case.workflow_version).state(state_path)
        rules = [rule_from_spec(s) for s in state.reminders] if state else []
        return [r for r in rules if r.anchor == MEETING_ANCHOR]

    def target(self, uow: UnitOfWork, case: Any, body: str, rules: list[ReminderRule], floor: date,
               matter: Matter | None, current: set[int], today: date) -> Meeting | None:
        """The one meeting every meeting-relative reminder of the stage aims at (see docs/reminders.md).

        A meeting set by hand on the matter; else the matter's meeting that was held but whose
        minutes may not be justerade yet (no decision recorded, 14 days); else the meeting already
        aimed at while it is still ahead (``current``); else the first meeting whose deadline can
        still be kept.
        """
        meetings = uow.board_meetings.meetings(case.municipality_id, body)
        after = matter.earliest_next_meeting() if matter is not None else None
        held = matter.planned_meeting if matter is not None else None
        if matter is not None and held is not None and awaiting_protokoll(held, today) \
                and not any(d.meeting_date >= held for d in matter.decisions):
            waiting = next((m for m in meetings if m.day == held), None)
            if waiting is not None:
                return waiting
        if matter is not None and matter.target_meeting is not None:
            chosen = next((m for m in meetings if m.day == matter.target_meeting), None)
            if chosen is not None and chosen.day >= floor:
                return chosen
        kept = [m for m in meetings if m.id in current and m.day >= today and (after is None or m.day > after)]
        if kept:
            return kept[0]
        deadlines = [r.offset_days for r in rules if r.deadline] or [min(r.offset_days for r in rules)]
        return pick_target(meetings, floor, min(deadlines), after)

    def sync(self, uow: UnitOfWork, case_id: int, state_path: str, entered_at: datetime,
             today: date | None = None, keep: bool = True, resumed: bool = False) -> int:
        """Point every meeting-relative reminder of one state entry at its target meeting; returns how many moved.

        A planned row moves with its target; a rule already sent (or expired) for the target is not
        planned again; a new target gets new rows. A reminder whose date passed before it was planned
        against a meeting is expired, not sent; so is one whose day came while the case was paused
        (``resumed``). The stage's matter remembers the target (a miss is found against it).
        """
        case = uow.cases.get(case_id)
        rules = self.meeting_rules(case, state_path)
        if not rules:
            return 0
        today = today or self.today()
        repo = uow.reminders
        rows = [r for r in repo.for_case(case_id, state_path) if r.entered_at == entered_at]
        shift = max((r.shift_days for r in rows if r.status is ReminderStatus.PLANNED), default=0)
        floor = max(local_date(entered_at, self.tz) + timedelta(days=shift), today)
        matter = uow.matters.open_for(case_id, state_path) if "." not in state_path else None
        body = matter.next_body if matter is not None else None
        paused = case.status is CaseStatus.PAUSED
        holidays = self.holidays(uow, case.municipality_id)
        current = {r.meeting_id for r in rows if keep and r.meeting_id and r.status is not ReminderStatus.CANCELLED}
        targets: dict[str, Meeting | None] = {}
        moved = 0
        for rule in rules:
            board = body or self._board(uow, case_id, rule)
            if board not in targets:
                same = [r for r in rules if (body or self._board(uow, case_id, r)) == board]
                targets[board] = self.target(uow, case, board, same, floor, matter, current, today)
            target = targets[board]
            for role in rule.to:
                mine = [r for r in rows if r.rule_id == rule.id and r.recipient_role == role]
                planned = [r for r in mine if r.status is ReminderStatus.PLANNED]
                done = target is not None and any(r.meeting_id == target.id and r.status in DONE for r in mine)
                due = due_for_meeting(rule, target, holidays, self.tz, shift) if target else None
                aimed = planned[0].meeting_id if planned else None
                passed = meeting_passed(uow.board_meetings.meeting(aimed), today) if aimed else ""
                if passed:
                    row = planned[0]
                    row.expire(passed)
                    repo.save(row)
                    mine = [r for r in mine if r.id != row.id] + [row]
                    planned = []
                    done = done or (target is not None and row.meeting_id == target.id)
                    moved += 1
                if planned:
                    row = planned[0]
                    if done:
                        _cancel(row, f"redan skickad inför {target.board_code if target else board}-sammanträdet")
                        repo.save(row)
                        moved += 1
                        continue
                    before = (row.due_at, row.send_after, row.meeting_id, row.status, row.board)
                    new_meeting = row.meeting_id != (target.id if target else None)
                    row.board = board
                    row.set_due(due, paused=paused)
                    if new_meeting:
                        _expire_if_past(row, due, today)
                    elif resumed and due is not None and due.day < today:
                        row.expire("dagen passerade medan ärendet var pausat")
                    if (row.due_at, row.send_after, row.meeting_id, row.status, row.board) != before:
                        repo.save(row)
                        moved += 1
                elif not mine or (target is not None and not done):
                    key = idempotency_key(case_id, state_path, rule.id, role, entered_at)
                    row = Reminder(None, case_id, case.municipality_id, rule.id, state_path, role, rule.template,
                                   rule.title, rule.subject, MEETING_ANCHOR, board, rule.offset_days, entered_at,
                                   key if not mine else f"{key}/{len(mine) + 1}", local_time=rule.at.strftime("%H:%M"),
                                   shift_days=shift, created_at=self.clock.now() if self.clock else entered_at)
                    row.set_due(due, paused=paused)
                    _expire_if_past(row, due, today)
                    if repo.add(row) and mine:
                        moved += 1
        if matter is not None and body is not None:
            planned_day = targets[body].day if targets.get(body) is not None else None  # type: ignore[union-attr]
            if matter.planned_meeting != planned_day:
                matter.planned_meeting = planned_day
                uow.matters.save(matter)
        return moved

    def _board(self, uow: UnitOfWork, case_id: int, rule: ReminderRule) -> str:
        board = rule.board
        if board == RESPONSIBLE or (not board and any(role.startswith("board_") for role in rule.to)):
            board = responsible_board(uow, case_id)
        return board

    def entries(self, uow: UnitOfWork, case_id: int) -> list[tuple[str, datetime]]:
        """The current entries (state path, entry time) of the case that have meeting-relative reminders."""
        case = uow.cases.get(case_id)
        latest: dict[str, datetime] = {}
        for r in uow.reminders.for_case(case_id):
            if r.anchor == MEETING_ANCHOR and r.state_path.split(".")[0] == case.stage \
                    and r.entered_at >= case.stage_entered_at - timedelta(seconds=1):
                latest[r.state_path] = max(latest.get(r.state_path, r.entered_at), r.entered_at)
        return sorted(latest.items())

    def sync_case(self, uow: UnitOfWork, case_id: int, today: date | None = None, keep: bool = True,
                  resumed: bool = False) -> int:
        """Re-aim every current entry of the case; ``keep``: a target still ahead stays (not after a pause)."""
        return sum(self.sync(uow, case_id, path, at, today, keep, resumed) for path, at in self.entries(uow, case_id))

    def on_exited(self, event: Any, uow: UnitOfWork) -> None:
        assert isinstance(event, StateExited)
        repo = uow.reminders
        for reminder in repo.planned(case_id=event.case_id, state_path=event.path):
            _cancel(reminder, f"ärendet lämnade {event.path}" + (f" ({event.trigger})" if event.trigger else ""))
            repo.save(reminder)

    def on_paused(self, event: Any, uow: UnitOfWork) -> None:
        assert isinstance(event, CasePaused)
        repo = uow.reminders
        for reminder in repo.planned(case_id=event.case_id):
            reminder.send_after = None
            repo.save(reminder)

    def on_resumed(self, event: Any, uow: UnitOfWork) -> None:
        """Shift open deadlines by the pause; meeting reminders re-aim at the meeting now reachable."""
        assert isinstance(event, CaseResumed)
        repo = uow.reminders
        for reminder in repo.planned(case_id=event.case_id):
            reminder.shift_days += event.shift_days
            if reminder.anchor == "state_entry":
                reminder.set_due(self.due(reminder, uow))
            repo.save(reminder)
        self.sync_case(uow, event.case_id, local_date(event.at, self.tz), keep=False, resumed=True)

    def on_matter_changed(self, event: Any, uow: UnitOfWork) -> None:
        """A decision that keeps the matter (återremiss, bordläggning) or hands it on re-aims the reminders."""
        assert isinstance(event, MatterChanged)
        today = local_date(event.at, self.tz)
        matter = uow.matters.open_for(event.case_id)
        if matter is not None:
            self.roll_over(uow, event.case_id, matter, today, event.at)
        self.sync_case(uow, event.case_id, today)

    def roll_over(self, uow: UnitOfWork, case_id: int, matter: Matter, today: date, now: datetime) -> bool:
        """The matter's target meeting passed without its decision (or with återremiss/bordläggning).

        Without any decision recorded, the meeting counts as missed only 14 days after it (when its
        minutes are justerade at the latest; ``PROTOKOLL_DAYS``). The miss is recorded once (a MISSED
        history entry) and told once to the coordinators and the municipality's SKR process
        supporters (two rows in the outbox, unique per meeting); the caller then re-plans, so the
        reminders aim at the body's next meeting.
        """
        planned, body = matter.planned_meeting, matter.next_body
        if planned is None or body is None:
            return False
        later = [d for d in matter.decisions if d.meeting_date >= planned]
        if later and not later[-1].outcome.keeps_body:
            return False
        if not later and today <= planned + timedelta(days=PROTOKOLL_DAYS):
            return False  # still ahead, or held and its minutes may not be justerade yet
        why = later[-1].outcome.value if later else "inget beslut"
        case = uow.cases.get(case_id)
        if matter.target_meeting is not None and matter.target_meeting <= max(planned, today):
            matter.target_meeting = None
        matter.planned_meeting = None
        uow.matters.save(matter)
        meeting = next((m for m in uow.board_meetings.meetings(case.municipality_id, body) if m.day == planned), None)
        label = f"{matter.title} ({matter.diarienummer})" if matter.diarienummer else matter.title
        text = f"{body}-sammanträdet {planned} passerade utan beslut ({why}) i ärendet {label}"
        added = False
        for role in ("coordinator", "skr"):
            notice = Reminder(None, case_id, case.municipality_id, MISSED, matter.state_path, role, "missed_meeting",
                              "Ärendet hann inte till sammanträdet", MISSED_SUBJECT, NOTICE, body, 0, now,
                              f"{case_id}/{matter.state_path}/{MISSED}/{matter.id}/{planned.isoformat()}/{role}",
                              created_at=now, meeting_id=meeting.id if meeting else None)
            notice.due_at = notice.send_after = now
            notice.nominal_date, notice.reason = today, text
            added = uow.reminders.add(notice) or added
        if added:
            case.updated_at = now
            uow.cases.save(case)
            uow.cases.append_history(HistoryEntry(case_id, HistoryKind.MISSED, case.state, case.state, None, "journey",
                                                  now, {MISSED: {"board": body, "meeting_date": planned.isoformat(),
                                                                 "outcome": why}}, text))
        return added

    def replan_meetings(self, uow: UnitOfWork, municipality_id: int) -> int:
        """Re-aim meeting-relative reminders after the calendar changed; returns how many moved."""
        cases = sorted({r.case_id for r in uow.reminders.planned(municipality_id=municipality_id)}
                       | {c.id or 0 for c in uow.cases.all() if c.municipality_id == municipality_id
                          and c.status is CaseStatus.ACTIVE})
        return sum(self.sync_case(uow, case_id) for case_id in cases)


def _rule_of(r: Reminder) -> ReminderRule:
    hour, minute = (int(p) for p in r.local_time.split(":"))
    return ReminderRule(r.rule_id, r.title, r.anchor, r.offset_days, r.board, (r.recipient_role,), r.template,
                        r.subject, time(hour, minute))


def _cancel(r: Reminder, why: str) -> None:
    r.status, r.send_after = ReminderStatus.CANCELLED, None
    r.reason += f"; avbruten: {why}"


def _expire_if_past(r: Reminder, due: Due | None, today: date) -> None:
    if due is not None and due.meeting is not None and due.day < today:
        r.expire(f"datumet hade passerat när påminnelsen planerades mot sammanträdet {due.meeting.day}")


def wire(deps: Deps, planner: ReminderPlanner) -> None:
    deps.on(StateEntered, planner.on_entered)
    deps.on(StateExited, planner.on_exited)
    deps.on(CasePaused, planner.on_paused)
    deps.on(CaseResumed, planner.on_resumed)
    deps.on(MatterChanged, planner.on_matter_changed)
    deps.replanner = planner
