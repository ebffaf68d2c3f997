"""The sweep: claim due reminders, send each, mark it sent. Safe to run from several processes.

The delivery guarantee (README, docs/reminders.md): every due reminder reaches the SMTP server
at least once; a second copy (same Message-ID) can only come from a send whose outcome journey
could not learn, and each such event concerns only the one message in flight:

- the sender stopped after the server accepted a message and before SENT was committed
  (SIGKILL, power loss, or a pause longer than its claim): the row stays SENDING until its
  claim lease ends, and the next sweep sends it again, marked :data:`INTERRUPTED`;
- the server's reply to the end of the message never came (timeout, lost connection): the row
  is retried, marked :data:`UNCERTAIN`, and the sweep stops there.

Everything else is exactly once. Rows are claimed by compare-and-set (``FOR UPDATE SKIP LOCKED``
on PostgreSQL). Just before each message the sender re-checks (and renews) its claim and, for
the scheduler, its lock (``fence``), so a claim or lock that ran out is never used again.

Poison stays out: a sender or login refused, or a server that cannot be reached, stops the
sweep with every row left PLANNED and no attempt counted (the error is raised to the caller);
a refused recipient fails only that recipient; only a send that reached the server counts as
an attempt (and an unexpected internal error, so that a bug cannot block the queue forever);
rendering is time-bounded, so one bad template fails only its reminders.
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from journey.domain import guards
from journey.domain.access import Role
from journey.domain.addresses import address_problem, normalize_address
from journey.domain.errors import DatabaseLockedError, JourneyError, MailConfigError, MailError, MailUnavailableError
from journey.domain.explain import missing_in_words
from journey.domain.language import board_forms, genitive, recipient_line, running_date
from journey.domain.messages import msg
from journey.domain.reminders import (
    INTERRUPTED,
    ROLES,
    Meeting,
    Reminder,
    ReminderStatus,
    meeting_passed,
    retry_delay,
    rule_from_spec,
)
from journey.ports.mail import CalendarEvent, Delivery, EmailRenderer, Mailer, OutgoingEmail
from journey.ports.reminders import SendFence
from journey.ports.unit_of_work import UnitOfWork
from journey.services.deps import Deps

log = logging.getLogger("journey.reminders")
MAX_ATTEMPTS = 8
LATE_AFTER = timedelta(hours=24)
UNCERTAIN = str(msg("no reply after the whole message was sent: it may have gone out once before"))
MAYBE_SENT_BEFORE = {INTERRUPTED: "återupptagen efter avbrott (kan ha skickats en gång tidigare)",
                     UNCERTAIN: "nytt försök efter uteblivet svar från servern (kan ha skickats en gång tidigare)"}


@dataclass
class SweepResult:
    sent: int = 0
    retrying: int = 0
    failed: int = 0
    late: int = 0
    partial: int = 0  # sent, but one or more recipients were refused (recorded on the reminder)
    expired: int = 0  # not sent: their meeting had passed
    rolled: int = 0  # matters moved to a later meeting (their target meeting passed without a decision)
    stopped: str = ""  # why the sweep stopped before the queue was empty, if it did


@dataclass(frozen=True)
class SweepOptions:
    worker: str
    tz: ZoneInfo
    batch: int = 20
    lease: timedelta = timedelta(minutes=10)
    send_budget: timedelta = timedelta(minutes=1)  # the longest one message may take (the mailer's bound)


def message_id(key: str) -> str:
    """``<reminder.HASH@journey>``; the mailer puts the sender's domain in place of ``journey``."""
    return f"<reminder.{hashlib.sha256(key.encode()).hexdigest()[:32]}@journey>"


def coordinators(uow: UnitOfWork, municipality_id: int) -> list[dict[str, Any]]:
    """By the (role, municipality) index: O(recipients), not O(users)."""
    return uow.users.with_role(Role.COORDINATOR.value, municipality_id)


def skr_recipients(uow: UnitOfWork, municipality_id: int) -> list[dict[str, Any]]:
    """The municipality's SKR process supporters; every SKR user only while none is assigned."""
    assigned = uow.board_meetings.supporters(municipality_id)
    return assigned or uow.users.with_role(Role.SKR.value)


def _recipients(uow: UnitOfWork, r: Reminder) -> list[str]:
    if r.recipient_role == "coordinator":
        found = [u["email"] for u in coordinators(uow, r.municipality_id)]
    elif r.recipient_role == "skr":
        found = [u["email"] for u in skr_recipients(uow, r.municipality_id)]
    else:
        board = uow.board_meetings.board(r.municipality_id, r.board) or {}
        found = [board.get("secretary_email" if r.recipient_role == "board_secretary" else "chair_email", "")]
    return sorted({e for e in found if e})


def stale_because(uow: UnitOfWork, r: Reminder, now: datetime, tz: ZoneInfo) -> str:
    """Why ``r`` must not be sent any more ('' when it may): its meeting has passed."""
    if r.anchor != "board_meeting" or not r.meeting_id:
        return ""
    return meeting_passed(uow.board_meetings.meeting(r.meeting_id), now.astimezone(tz).date())


@dataclass(frozen=True)
class Draft:
    """Everything needed to render and send one reminder, read in one short transaction."""

    to: tuple[str, ...]
    invalid: tuple[tuple[str, str], ...]  # stored addresses that cannot be sent to, with why
    context: dict[str, Any]
    calendar: CalendarEvent | None
    reply_to: tuple[str, ...] = ()


def draft(deps: Deps, uow: UnitOfWork, r: Reminder, now: datetime, tz: ZoneInfo) -> Draft:
    """Recipients and template context; MailError(temporary=False) when nobody can receive it."""
    found = _recipients(uow, r)
    to = [a for a in found if not address_problem(normalize_address(a))]
    invalid = tuple((a[:80], f"not a valid address: {address_problem(normalize_address(a))}")
                    for a in found if a not in to)
    if not to:
        detail = "; ".join(f"{a!r} ({why})" for a, why in invalid)
        raise MailError(msg("no email address for {role} ({label}){detail}", role=r.recipient_role,
                            label=ROLES[r.recipient_role], detail=f": {detail}" if detail else ""), temporary=False)
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
        "missing": missing_in_words(spec, case.leaves, _awarded(uow, spec, case)),
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
        deadline = stage_deadline(uow, spec, r, meeting, tz)
        context["deadline"] = running_date(deadline, weekday=True) if deadline else None
        context["deadline_iso"] = deadline.isoformat() if deadline else None
    context.update(_people_and_matter(uow, r, municipality.formal_name))
    reply_to = tuple(a for a in (c["email"] for c in context["coordinators"])
                     if a and not address_problem(normalize_address(a)))
    return Draft(tuple(to), invalid, context, calendar, reply_to if r.recipient_role != "coordinator" else ())


def _awarded(uow: UnitOfWork, spec: Any, case: Any) -> tuple[str, ...]:
    if not any(guards.DEAL_AWARDED in t.guards for t in spec.transitions_from(case.leaves)):
        return ()
    return tuple(d.label for d in uow.deals.for_case(case.id or 0) if d.awarded)


def stage_deadline(uow: UnitOfWork, spec: Any, r: Reminder, meeting: Meeting, tz: ZoneInfo) -> date | None:
    """The stage's real deadline before ``meeting``: the due date of its ``deadline: true`` reminder."""
    state = spec.state(r.state_path)
    rules = [rule_from_spec(s) for s in state.reminders] if state else []
    ids = {x.id for x in rules if x.deadline}
    if not ids:
        return None
    for row in uow.reminders.for_case(r.case_id, r.state_path):
        if row.rule_id in ids and row.meeting_id == meeting.id and row.due_at is not None:
            return row.due_at.astimezone(tz).date()
    offset = min(x.offset_days for x in rules if x.deadline)
    return meeting.day + timedelta(days=offset)


def _people_and_matter(uow: UnitOfWork, r: Reminder, formal: str) -> dict[str, Any]:
    """The coordinators (name, e-mail, telephone) and the stage's matter (title, diarienummer)."""
    people = [{"name": c.get("display_name") or c["username"], "email": c.get("email") or "",
               "phone": c.get("phone") or ""} for c in coordinators(uow, r.municipality_id)]
    matter = next((m for m in reversed(uow.matters.for_case(r.case_id)) if m.state_path == r.state_path.split(".")[0]),
                  None)
    return {"coordinators": people, "coordinator": people[0] if people else None,
            "matter": {"title": matter.title, "diarienummer": matter.diarienummer} if matter else None}


def _email(renderer: EmailRenderer, r: Reminder, d: Draft) -> OutgoingEmail:
    subject, text, html = renderer.render(r.template, r.subject, d.context)
    return OutgoingEmail(d.to, subject, text, html, message_id(r.idempotency_key), d.calendar,
                         (("Auto-Submitted", "auto-generated"), ("X-Auto-Response-Suppress", "All"),
                          ("X-Journey-Reminder", r.idempotency_key)), d.reply_to)


class _Sweep:
    def __init__(self, deps: Deps, mailer: Mailer, renderer: EmailRenderer, options: SweepOptions,
                 fence: SendFence | None) -> None:
        self.deps, self.mailer, self.renderer, self.options, self.fence = deps, mailer, renderer, options, fence
        self.result = SweepResult()

    def settle(self, r: Reminder, **values: Any) -> bool:
        with self.deps.uow() as uow:
            done = uow.reminders.finish(r.id or 0, self.options.worker, **values)
            uow.commit()
        if not done:
            log.warning("reminder %s was taken over by another sender (its claim ran out)", r.id)
        return done

    def release(self, rows: list[Reminder], now: datetime) -> None:
        """Put claimed rows back in the queue as they were: PLANNED, due, no attempt counted."""
        for r in rows:
            self.settle_quietly(r, status=ReminderStatus.PLANNED.value, send_after=now, claimed_by="")

    def settle_quietly(self, r: Reminder, **values: Any) -> None:
        with self.deps.uow() as uow:
            uow.reminders.finish(r.id or 0, self.options.worker, **values)
            uow.commit()

    def fail(self, r: Reminder, error: str, attempts: int | None = None) -> None:
        self.result.failed += 1
        values: dict[str, Any] = {"status": ReminderStatus.FAILED.value, "last_error": error[:1000],
                                  "send_after": None}
        if attempts is not None:
            values["attempts"] = attempts
        self.settle(r, **values)
        log.error("reminder %s failed: %s", r.id, error)

    def expire(self, r: Reminder, why: str) -> None:
        """Never stale: a reminder whose meeting has passed is not sent."""
        self.result.expired += 1
        self.settle(r, status=ReminderStatus.EXPIRED.value, send_after=None, claimed_by="",
                    reason=(r.reason + f"; inte skickad: {why}")[:1000])
        log.warning("reminder %s expired: %s", r.id, why)

    def retry(self, r: Reminder, error: str, attempts: int, now: datetime) -> None:
        """Back in the queue after a backoff, this attempt counted; FAILED after MAX_ATTEMPTS."""
        if attempts >= MAX_ATTEMPTS:
            self.fail(r, error, attempts)
            return
        self.result.retrying += 1
        self.settle(r, status=ReminderStatus.PLANNED.value, attempts=attempts, last_error=error[:1000],
                    send_after=now + retry_delay(attempts), claimed_by="")
        log.warning("reminder %s will be retried (attempt %d): %s", r.id, attempts, error)

    def run(self) -> SweepResult:
        try:
            while True:
                if self.fence is not None and not self.fence.hold():
                    return self.stop(msg("another scheduler holds the reminder lock now; this one stops sending"))
                now = self.deps.clock.now()
                with self.deps.uow() as uow:
                    claimed = uow.reminders.claim_due(now, self.options.batch, self.options.worker,
                                                      now + self.options.lease)
                    uow.commit()
                if not claimed or not self.batch(claimed, now):
                    return self.result
        finally:
            self.mailer.close()
            self.renderer.close()

    def stop(self, why: str) -> SweepResult:
        log.warning("sweep stopped: %s", why)
        self.result.stopped = why
        return self.result

    def batch(self, claimed: list[Reminder], now: datetime) -> bool:
        """Send each claimed row; False when the sweep must stop (the rest is back in the queue)."""
        for i, r in enumerate(claimed):
            try:
                go_on = self.one(r, now)
            except BaseException:  # configuration, unreachable server, Ctrl-C: nothing else is attempted
                self.release(claimed[i:], now)
                raise
            if not go_on:
                self.release(claimed[i:], now)
                return False
        return True

    def one(self, r: Reminder, now: datetime) -> bool:
        try:
            with self.deps.uow() as uow:
                stale = stale_because(uow, r, now, self.options.tz)
                d = None if stale else draft(self.deps, uow, r, now, self.options.tz)
            if stale or d is None:
                self.expire(r, stale)
                return True
            email = _email(self.renderer, r, d)
        except DatabaseLockedError:
            raise
        except JourneyError as exc:  # no address, template error or endless loop, workflow gone
            self.fail(r, str(exc))
            return True
        except Exception as exc:  # a bug must not block the queue: retried a bounded number of times
            log.exception("reminder %s could not be prepared", r.id)
            self.retry(r, msg("internal error: {name}: {error}", name=type(exc).__name__, error=exc), r.attempts + 1, now)
            return True
        if self.fence is not None and not self.fence.hold():
            self.stop(msg("another scheduler holds the reminder lock now; this one stops sending"))
            return False
        with self.deps.uow() as uow:  # the claim is still ours, with time to spare: else never send
            held = uow.reminders.hold(r.id or 0, self.options.worker, self.deps.clock.now(),
                                      max(self.options.lease, 2 * self.options.send_budget))
            uow.commit()
        if not held:
            log.warning("reminder %s is no longer claimed by this sweep (taken over or changed); not sent", r.id)
            return True
        return self.deliver(r, email, d, now)

    def deliver(self, r: Reminder, email: OutgoingEmail, d: Draft, now: datetime) -> bool:
        attempts = r.attempts + 1  # from here on the server is reached: this attempt counts
        try:
            delivery = self.mailer.send(email)
        except (MailConfigError, MailUnavailableError):
            raise
        except MailError as exc:
            error = str(msg("no reply after the whole message was sent: it may have gone out once before: {error}",
                            error=exc)) if exc.uncertain else str(exc)
            if exc.temporary:
                self.retry(r, error, attempts, now)
            else:
                self.fail(r, error, attempts)
            if exc.uncertain:
                self.stop(msg("no reply from the SMTP server after reminder {id}; the rest waits for the next sweep",
                              id=r.id))
                return False
            return True
        except Exception as exc:  # a bug must not block the queue: retried a bounded number of times
            log.exception("sending reminder %s failed unexpectedly", r.id)
            self.mailer.close()
            self.retry(r, msg("internal error while sending: {name}: {error}", name=type(exc).__name__, error=exc),
                       attempts, now)
            return True
        self.sent(r, email, d, delivery, now, attempts)
        return True

    def sent(self, r: Reminder, email: OutgoingEmail, d: Draft, delivery: Delivery, now: datetime,
             attempts: int) -> None:
        assert r.due_at is not None
        late = now - r.due_at > LATE_AFTER
        note = f"; skickad {(now - r.due_at).days} dagar sent" if late else ""
        note += next((f"; {text}" for marker, text in MAYBE_SENT_BEFORE.items() if r.last_error.startswith(marker)),
                     "")
        refused = list(d.invalid) + list(delivery.refused)
        values: dict[str, Any] = {}
        if refused:
            note += "; ej levererad till " + ", ".join(f"{a} ({why})" for a, why in refused)
            values["last_error"] = msg("not delivered to {addresses}",
                                      addresses="; ".join(f"{a} ({why})" for a, why in refused))[:1000]
        if self.settle(r, status=ReminderStatus.SENT.value, sent_at=now, send_after=None, attempts=attempts,
                       reason=(r.reason + note)[:1000], **values):
            self.result.sent += 1
            self.result.late += late
            self.result.partial += bool(refused)
            accepted = [a for a in email.to if a not in {x for x, _ in delivery.refused}]
            log.info("sent reminder %s (%s) to %s", r.id, r.rule_id, ", ".join(accepted))
            if refused:
                log.warning("reminder %s not delivered to %s", r.id, "; ".join(f"{a} ({why})" for a, why in refused))


def send_due_reminders(deps: Deps, mailer: Mailer, renderer: EmailRenderer, options: SweepOptions,
                       fence: SendFence | None = None) -> SweepResult:
    """Send every reminder due now; returns what happened.

    Raises :class:`MailConfigError` or :class:`MailUnavailableError` (every row left PLANNED, no
    attempt counted) when nothing can be sent. ``fence`` is the scheduler's lock, renewed before
    each message; once it is lost the sweep stops.
    """
    from journey.services.reminders.upkeep import keep_deadlines

    try:
        upkeep = keep_deadlines(deps, options.tz)
    except BaseException:
        mailer.close()
        renderer.close()
        raise
    sweep = _Sweep(deps, mailer, renderer, options, fence)
    sweep.result.rolled, sweep.result.expired = upkeep.rolled, upkeep.expired
    return sweep.run()
