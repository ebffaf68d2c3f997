"""The sweep: claim due reminders, send each once, mark it sent. Safe to run from several processes.

Delivery is at-least-once in one narrow window: if the process dies after the SMTP server
accepted a message but before the SENT mark commits, the row stays SENDING until its lease
ends and is then sent again, with the same Message-ID. Everything else is exactly once: rows are
claimed by compare-and-set (``FOR UPDATE SKIP LOCKED`` on PostgreSQL), and only the claimer may
mark them.
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from journey.domain.access import Role
from journey.domain.errors import JourneyError, MailError
from journey.domain.language import board_forms, genitive, recipient_line, running_date
from journey.domain.reminders import ROLES, Reminder, ReminderStatus, retry_delay
from journey.ports.mail import CalendarEvent, EmailRenderer, Mailer, OutgoingEmail
from journey.ports.unit_of_work import UnitOfWork
from journey.services.deps import Deps

log = logging.getLogger("journey.reminders")
MAX_ATTEMPTS = 8
LATE_AFTER = timedelta(hours=24)


@dataclass
class SweepResult:
    sent: int = 0
    retrying: int = 0
    failed: int = 0
    late: int = 0


@dataclass(frozen=True)
class SweepOptions:
    worker: str
    tz: ZoneInfo
    batch: int = 20
    lease: timedelta = timedelta(minutes=10)


def message_id(key: str) -> str:
    return f"<reminder.{hashlib.sha256(key.encode()).hexdigest()[:32]}@journey>"


def _recipients(uow: UnitOfWork, r: Reminder) -> list[str]:
    users = uow.users.list()
    if r.recipient_role == "coordinator":
        found = [u["email"] for u in users if u["role"] == Role.COORDINATOR.value
                 and u["municipality_id"] == r.municipality_id]
    elif r.recipient_role == "skr":
        found = [u["email"] for u in users if u["role"] == Role.SKR.value]
    else:
        board = uow.board_meetings.board(r.municipality_id, r.board) or {}
        found = [board.get("secretary_email" if r.recipient_role == "board_secretary" else "chair_email", "")]
    return sorted({e for e in found if e})


def compose(deps: Deps, uow: UnitOfWork, renderer: EmailRenderer, r: Reminder, now: datetime,
            tz: ZoneInfo) -> OutgoingEmail:
    """The email for one reminder; raises MailError(temporary=False) when nobody can receive it."""
    to = _recipients(uow, r)
    if not to:
        raise MailError(f"no email address for {r.recipient_role} ({ROLES[r.recipient_role]})", temporary=False)
    case = uow.cases.get(r.case_id)
    municipality = uow.municipalities.get(r.municipality_id)
    spec = deps.workflows().get(case.workflow, case.workflow_version)
    state = spec.state(r.state_path)
    meeting = uow.board_meetings.meeting(r.meeting_id) if r.meeting_id else None
    assert r.due_at is not None
    due_day = r.due_at.astimezone(tz).date()
    late_days = (now - r.due_at).days if now - r.due_at > LATE_AFTER else 0
    board = meeting.board_name or meeting.board_code if meeting is not None else r.board
    context: dict[str, Any] = {
        "municipality": municipality.name, "rule_title": r.title, "recipient_role": ROLES[r.recipient_role],
        "municipality_formal": municipality.formal_name,
        "recipient": recipient_line(r.recipient_role, municipality.formal_name, board),
        "state_title": state.title if state else r.state_path, "workflow_title": spec.title,
        "due_date": running_date(due_day, weekday=True), "due_date_iso": due_day.isoformat(), "reason": r.reason,
        "late_days": late_days, "meeting": None,
    }
    calendar = None
    if meeting is not None:
        forms = board_forms(meeting.board_name or meeting.board_code)
        context["meeting"] = {"board": meeting.board_code, "board_name": meeting.board_name,
                              "board_in_text": forms["in_text"], "board_genitive": forms["genitive"],
                              "date": running_date(meeting.day, weekday=True), "date_iso": meeting.day.isoformat(),
                              "time": meeting.start, "location": meeting.location}
        calendar = CalendarEvent(f"board-meeting-{meeting.id}@journey", meeting.day, meeting.start,
                                 f"{genitive(forms['name'])} sammanträde, {municipality.formal_name}", meeting.location,
                                 f"{r.title}: {state.title if state else r.state_path}")
    subject, text, html = renderer.render(r.template, r.subject, context)
    return OutgoingEmail(tuple(to), subject, text, html, message_id(r.idempotency_key), calendar,
                         (("X-Journey-Reminder", r.idempotency_key),))


def _settle(deps: Deps, r: Reminder, worker: str, **values: Any) -> bool:
    with deps.uow() as uow:
        done = bool(uow.reminders.finish(r.id, worker, **values))
        uow.commit()
    if not done:
        log.warning("reminder %s was taken over by another worker (lease expired?)", r.id)
    return done


def send_due_reminders(deps: Deps, mailer: Mailer, renderer: EmailRenderer, options: SweepOptions) -> SweepResult:
    """Send every reminder due now; returns what happened. Stops early while SMTP is unreachable."""
    result = SweepResult()
    try:
        while True:
            now = deps.clock.now()
            with deps.uow() as uow:
                claimed = uow.reminders.claim_due(now, options.batch, options.worker, now + options.lease)
                uow.commit()
            if not claimed:
                return result
            if not _send_batch(deps, mailer, renderer, options, claimed, now, result):
                return result
    finally:
        mailer.close()


def _send_batch(deps: Deps, mailer: Mailer, renderer: EmailRenderer, options: SweepOptions, claimed: list[Reminder],
                now: datetime, result: SweepResult) -> bool:
    for i, r in enumerate(claimed):
        try:
            with deps.uow() as uow:
                email = compose(deps, uow, renderer, r, now, options.tz)
            mailer.send(email)
        except MailError as exc:
            if exc.temporary and r.attempts < MAX_ATTEMPTS:
                result.retrying += 1
                _settle(deps, r, options.worker, status=ReminderStatus.PLANNED.value, last_error=str(exc)[:1000],
                        send_after=now + retry_delay(r.attempts))
                if exc.connection:
                    for rest in claimed[i + 1:]:  # not attempted: back in the queue, attempt not counted
                        _settle(deps, rest, options.worker, status=ReminderStatus.PLANNED.value,
                                attempts=rest.attempts - 1, send_after=now + retry_delay(r.attempts))
                    log.warning("SMTP unreachable, %d reminder(s) wait for the next sweep: %s", len(claimed) - i, exc)
                    return False
                continue
            result.failed += 1
            _settle(deps, r, options.worker, status=ReminderStatus.FAILED.value, last_error=str(exc)[:1000],
                    send_after=None)
            log.error("reminder %s failed for good: %s", r.id, exc)
            continue
        except JourneyError as exc:  # template error, workflow gone: not deliverable as it stands
            result.failed += 1
            _settle(deps, r, options.worker, status=ReminderStatus.FAILED.value, last_error=str(exc)[:1000],
                    send_after=None)
            log.error("reminder %s failed: %s", r.id, exc)
            continue
        assert r.due_at is not None
        late = now - r.due_at > LATE_AFTER
        note = f"; skickad {(now - r.due_at).days} dagar sent" if late else ""
        if r.attempts > 1 and not r.last_error:
            note += "; återupptagen efter avbrott (kan ha skickats en gång tidigare)"
        if _settle(deps, r, options.worker, status=ReminderStatus.SENT.value, sent_at=now, send_after=None,
                   reason=(r.reason + note)[:1000]):
            result.sent += 1
            result.late += late
            log.info("sent reminder %s (%s) to %s", r.id, r.rule_id, ", ".join(email.to))
    return True
