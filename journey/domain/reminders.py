"""Reminder rules declared per state in the workflow YAML, and when each one falls due.

A rule is relative to the state entry (``offset: 60d`` = sixty days in the state) or to the next
meeting of a board (``relative_to: board_meeting``, ``board: KS``, ``offset: -4w`` = four weeks
before). Due dates are calendar dates moved back to the previous Swedish working day, sent at a
local time of day (default 08:00 Europe/Stockholm) and stored in UTC.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from typing import Any
from zoneinfo import ZoneInfo

from journey.domain.deadlines import kallelse_day
from journey.domain.language import genitive
from journey.domain.messages import msg
from journey.domain.spec import ReminderSpec
from journey.domain.workdays import HolidayName, previous_working_day

ROLES = {
    "coordinator": "lokal projektsamordnare",
    "skr": "SKR:s processtödjare",
    "board_secretary": "nämndsekreterare",
    "board_chair": "nämndens ordförande",
}
ANCHORS = ("state_entry", "board_meeting")
RESPONSIBLE = "responsible"  # the board named in the case's responsible_board evidence (KS until then)
KEYS = {"id", "title", "relative_to", "board", "offset", "to", "template", "subject", "at", "deadline", "repeat",
        "escalate_to"}
_OFFSET = re.compile(r"^([+-]?)(\d{1,4})\s*([dw]?)$")
_AT = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)$")
DEFAULT_SUBJECT = "Påminnelse: {{ rule_title }} – {{ municipality }}"
# last_error of a row claimed again after its sender stopped mid-send (killed, or stopped past its lease)
INTERRUPTED = str(msg("interrupted while sending: it may have gone out once before"))


class ReminderStatus(StrEnum):
    """Stored values never change meaning (monitoring reads them)."""

    PLANNED = "PLANNED"
    SENDING = "SENDING"
    SENT = "SENT"
    CANCELLED = "CANCELLED"
    FAILED = "FAILED"
    EXPIRED = "EXPIRED"  # not sent: its meeting (or its date, before it was planned) had passed


@dataclass(frozen=True)
class ReminderRule:
    id: str
    title: str
    anchor: str
    offset_days: int
    board: str
    to: tuple[str, ...]
    template: str
    subject: str = DEFAULT_SUBJECT
    at: time = time(8, 0)
    deadline: bool = False  # the stage's real deadline (the tjänsteskrivelse): it decides the target meeting
    repeat_days: int = 0  # a state-entry reminder sent again every so many days while the case stays
    escalate_to: tuple[str, ...] = ()  # roles that get the repeats too (e.g. skr after the coordinator)


@dataclass(frozen=True)
class Meeting:
    """One board meeting (sammanträde) from a municipality's sammanträdesplan."""

    id: int
    board_code: str
    board_name: str
    day: date
    start: str = ""
    location: str = ""
    title: str = ""
    sequence: int = 0  # grows whenever the date or time changes (the SEQUENCE of its iCalendar event)
    kallelse_days: int | None = None  # the board's: working days before the meeting that the kallelse goes out


@dataclass(frozen=True)
class Due:
    """When a reminder falls due and why: ``nominal`` before, ``day`` after the working-day rule."""

    nominal: date
    day: date
    due_at: datetime
    reason: str
    meeting: Meeting | None = None


def parse_offset(value: Any) -> int:
    """``-6w`` -> -42, ``14d`` -> 14, ``60`` -> 60 (calendar days)."""
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    match = _OFFSET.match(str(value).strip()) if isinstance(value, str) else None
    if match is None:
        raise ValueError(msg("offset {value!r} must look like 60d, -4w or 14 (days)", value=value))
    days = int(match.group(2)) * (7 if match.group(3) == "w" else 1)
    return -days if match.group(1) == "-" else days


def rule_problems(settings: dict[str, Any]) -> list[tuple[str, str]]:
    """Every problem with one rule's YAML settings, as (key, message) pairs."""
    problems = [(k, f"unknown key (allowed: {', '.join(sorted(KEYS))})") for k in settings if k not in KEYS]
    anchor = settings.get("relative_to", "state_entry")
    if anchor not in ANCHORS:
        problems.append(("relative_to", f"must be one of {', '.join(ANCHORS)}"))
    if anchor == "board_meeting" and not isinstance(settings.get("board"), str):
        problems.append(("board", f"a board_meeting reminder needs a board (KS, KF, a nämnd code or {RESPONSIBLE})"))
    try:
        parse_offset(settings.get("offset"))
    except ValueError as exc:
        problems.append(("offset", str(exc)))
    to = settings.get("to")
    to = [to] if isinstance(to, str) else to
    if not to or not isinstance(to, list | tuple) or any(r not in ROLES for r in to):
        problems.append(("to", f"must list recipient roles from: {', '.join(ROLES)}"))
    template = settings.get("template")
    if not isinstance(template, str) or not re.match(r"^[a-z][a-z0-9_]*$", template):
        problems.append(("template", "must name an email template in templates/emails (snake_case, no suffix)"))
    if "at" in settings and not _AT.match(str(settings["at"])):
        problems.append(("at", "must be a local time HH:MM, e.g. 08:00"))
    if "deadline" in settings and (not isinstance(settings["deadline"], bool) or anchor != "board_meeting"):
        problems.append(("deadline", "must be true or false, on a board_meeting reminder"))
    if "repeat" in settings:
        try:
            if anchor != "state_entry" or parse_offset(settings["repeat"]) <= 0:
                problems.append(("repeat", "must be a positive interval (30d, 4w) on a state_entry reminder"))
        except ValueError as exc:
            problems.append(("repeat", str(exc)))
    if "escalate_to" in settings:
        escalate = settings["escalate_to"]
        escalate = [escalate] if isinstance(escalate, str) else escalate
        if not isinstance(escalate, list | tuple) or any(r not in ROLES for r in escalate) or "repeat" not in settings:
            problems.append(("escalate_to", f"must list recipient roles from: {', '.join(ROLES)} (with repeat)"))
    return problems


def rule_from_spec(spec: ReminderSpec) -> ReminderRule:
    """Build a rule from validated settings (the loader rejects invalid ones first)."""
    s = dict(spec.settings)
    to = s.get("to")
    hour, minute = (int(p) for p in str(s.get("at", "08:00")).split(":"))
    return ReminderRule(
        id=spec.id, title=str(s.get("title") or spec.id.replace("_", " ")),
        anchor=str(s.get("relative_to", "state_entry")), offset_days=parse_offset(s.get("offset")),
        board=str(s.get("board", "")), to=(to,) if isinstance(to, str) else tuple(to or ()),
        template=str(s.get("template")), subject=str(s.get("subject") or DEFAULT_SUBJECT), at=time(hour, minute),
        deadline=bool(s.get("deadline", False)), repeat_days=parse_offset(s["repeat"]) if "repeat" in s else 0,
        escalate_to=_roles(s.get("escalate_to")))


def _roles(value: Any) -> tuple[str, ...]:
    return (value,) if isinstance(value, str) else tuple(value or ())


def _span(days: int) -> str:
    n = abs(days)
    if n and n % 7 == 0:
        return "1 vecka" if n == 7 else f"{n // 7} veckor"
    return "1 dag" if n == 1 else f"{n} dagar"


def due_after_entry(rule: ReminderRule, entered: date, holiday_name: HolidayName, tz: ZoneInfo,
                    shift_days: int = 0) -> Due:
    nominal = entered + timedelta(days=rule.offset_days + shift_days)
    reason = f"{_span(rule.offset_days)} efter inträde {entered}"
    if shift_days:
        reason += f" + {shift_days} dagars paus"
    return _finish(rule, nominal, reason, holiday_name, tz)


def due_for_meeting(rule: ReminderRule, meeting: Meeting, holiday_name: HolidayName, tz: ZoneInfo,
                    shift_days: int = 0) -> Due:
    """The reminder date of ``rule`` for one given meeting (the stage's target meeting)."""
    nominal = meeting.day + timedelta(days=rule.offset_days)
    side = "före" if rule.offset_days < 0 else "efter"
    owner = genitive(meeting.board_code)
    reason = f"{_span(rule.offset_days)} {side} {owner} sammanträde {meeting.day}"
    if rule.offset_days == 0:
        reason = f"dagen för {owner} sammanträde {meeting.day}"
    if shift_days:
        reason += f" (efter {shift_days} dagars paus)"
    if any(role.startswith("board_") for role in rule.to):  # the board must have it before the kallelse goes out
        kallelse = kallelse_day(meeting.day, meeting.kallelse_days, holiday_name)
        if nominal >= kallelse:
            nominal = kallelse - timedelta(days=1)
            reason = f"före kallelsen {kallelse} till {owner} sammanträde {meeting.day}"
    return _finish(rule, nominal, reason, holiday_name, tz, meeting)


def meeting_passed(meeting: Meeting | None, today: date) -> str:
    """Why a reminder for ``meeting`` must not be sent any more ('' while it may): the meeting has been held."""
    if meeting is not None and meeting.day < today:
        return f"{genitive(meeting.board_code)} sammanträde {meeting.day} har redan varit"
    return ""


def pick_target(meetings: Sequence[Meeting], floor: date, lead_days: int, after: date | None = None) -> Meeting | None:
    """The first meeting on or after ``floor`` (and after ``after``) whose deadline (meeting + lead) is not past."""
    for meeting in sorted(meetings, key=lambda m: m.day):
        if meeting.day >= floor and meeting.day + timedelta(days=min(lead_days, 0)) >= floor \
                and (after is None or meeting.day > after):
            return meeting
    return None


def _finish(rule: ReminderRule, nominal: date, reason: str, holiday_name: HolidayName, tz: ZoneInfo,
            meeting: Meeting | None = None) -> Due:
    shifted = previous_working_day(nominal, holiday_name)
    if shifted.moved:
        reason += f"; {shifted.reason}"
    due_at = datetime.combine(shifted.day, rule.at, tzinfo=tz).astimezone(UTC)
    return Due(nominal, shifted.day, due_at, reason, meeting)


def local_date(at: datetime, tz: ZoneInfo) -> date:
    return at.astimezone(tz).date()


def idempotency_key(case_id: int, state_path: str, rule_id: str, role: str, entered_at: datetime) -> str:
    """Unique per state entry, rule and recipient role: re-entering a state plans new reminders."""
    return f"{case_id}/{state_path}/{rule_id}/{role}/{entered_at.astimezone(UTC).strftime('%Y%m%dT%H%M%S%f')}"


def retry_delay(attempts: int) -> timedelta:
    """Backoff after a failed delivery: 1, 2, 4 … minutes, at most one hour."""
    return timedelta(minutes=min(60, 2 ** max(0, attempts - 1)))


@dataclass
class Reminder:
    """One planned email to one recipient role (a row of the outbox)."""

    id: int | None
    case_id: int
    municipality_id: int
    rule_id: str
    state_path: str
    recipient_role: str
    template: str
    title: str
    subject: str
    anchor: str
    board: str
    offset_days: int
    entered_at: datetime
    idempotency_key: str
    local_time: str = "08:00"
    status: ReminderStatus = ReminderStatus.PLANNED
    nominal_date: date | None = None
    due_at: datetime | None = None
    send_after: datetime | None = None
    shift_days: int = 0
    meeting_id: int | None = None
    attempts: int = 0
    claimed_by: str = ""
    sent_at: datetime | None = None
    reason: str = ""
    last_error: str = ""
    created_at: datetime | None = None
    round: int = 1

    def expire(self, why: str) -> None:
        """Never sent: ``why`` is kept in its reason (``journey reminders sent`` shows it)."""
        self.status, self.send_after = ReminderStatus.EXPIRED, None
        self.reason += f"; inte skickad: {why}"

    def set_due(self, due: Due | None, paused: bool = False) -> None:
        """Apply a (re)computed due date; None means no meeting is in the calendar yet."""
        if due is None:
            self.nominal_date = self.due_at = self.send_after = self.meeting_id = None
            self.reason = f"inget kommande {self.board}-sammanträde att planera mot (journey meetings import)"
            return
        meeting_id = due.meeting.id if due.meeting else None
        if (due.due_at, meeting_id) == (self.due_at, self.meeting_id):  # unchanged: only re-armed, note kept
            self.send_after = None if paused else (self.send_after or due.due_at)
            return
        self.nominal_date, self.due_at, self.reason = due.nominal, due.due_at, due.reason
        self.meeting_id = meeting_id
        self.send_after = None if paused else due.due_at
