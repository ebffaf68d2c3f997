"""Board meeting calendars: import (all rows or nothing), add, move, remove, board contacts, export.

Every change re-plans the meeting-relative reminders of the municipality in the same transaction.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from zoneinfo import ZoneInfo

from journey.domain import limits
from journey.domain.access import Action, authorize
from journey.domain.board_meetings import (
    CalendarEntry,
    CalendarFeed,
    check_board_name,
    check_email,
    check_row,
    deadline_uid,
    meeting_uid,
)
from journey.domain.board_meetings import (  # MeetingRow, check_board, parse_day, parse_time: the CLI's too
    MeetingRow as MeetingRow,
)
from journey.domain.board_meetings import (
    check_board as check_board,
)
from journey.domain.board_meetings import (
    parse_day as parse_day,
)
from journey.domain.board_meetings import (
    parse_time as parse_time,
)
from journey.domain.errors import InputError, NotFoundError
from journey.domain.limits import check_length
from journey.domain.messages import msg
from journey.domain.municipality import Municipality
from journey.domain.reminders import ROLES, Meeting, Reminder
from journey.ports.unit_of_work import UnitOfWork
from journey.services.cases.lifecycle import actor_in, find_municipality
from journey.services.deps import Deps


@dataclass(frozen=True)
class CalendarChange:
    municipality: str
    added: int = 0
    updated: int = 0
    removed: int = 0
    reminders_moved: int = 0


def _municipality(uow: UnitOfWork, username: str | None, municipality: str) -> Municipality:
    actor = actor_in(uow, username)
    m = find_municipality(uow, municipality)
    authorize(actor, Action.CHANGE_CASE, m.id, m.name)
    return m


def _replan(deps: Deps, uow: UnitOfWork, municipality_id: int) -> int:
    planner = deps.replanner
    return planner.replan_meetings(uow, municipality_id) if planner else 0


def import_meetings(deps: Deps, username: str | None, municipality: str, rows: list[MeetingRow],
                    source: str = "") -> CalendarChange:
    """Add or update every row in one transaction: all rows or nothing.

    A row is matched to a meeting by the calendar event it came from (``uid``), else by board and date.
    A matched meeting on another date is moved there (its sequence grows). A cancelled row removes the
    meeting imported earlier from the same event; cancellations are applied first.
    """
    rows = [check_row(row, f"{source}:{row.line}" if source and row.line else "") for row in rows]
    if source:
        check_length(f"{source}:{max((r.line for r in rows), default=0)}", limits.MEETING_SOURCE, "calendar file name")
    with deps.uow() as uow:
        m = _municipality(uow, username, municipality)
        repo = uow.board_meetings
        added = updated = removed = 0
        for row in sorted(rows, key=lambda r: not r.cancelled):
            if row.cancelled:
                removed += _remove_cancelled(uow, m, row)
                continue
            board_id = repo.upsert_board(m.id or 0, row.board, name=row.board_name, secretary_email=row.secretary_email,
                                         chair_email=row.chair_email)
            previous = repo.find_meeting(board_id, uid=row.uid) if row.uid else None
            if previous is not None and previous.day != row.day:
                if repo.find_meeting(board_id, day=row.day) is not None:  # that date's meeting takes the event over
                    repo.remove_meeting(board_id, previous.day)
                else:
                    repo.move_meeting(board_id, previous.day, row.day)
            created = repo.upsert_meeting(board_id, row.day, start_time=row.start, location=row.location,
                                          title=row.title, source=f"{source}:{row.line}" if source else "",
                                          source_uid=row.uid)
            added, updated = added + created, updated + (not created)
        moved = _replan(deps, uow, m.id or 0)
        uow.commit()
        return CalendarChange(m.name, added, updated, removed, moved)


def _remove_cancelled(uow: UnitOfWork, m: Municipality, row: MeetingRow) -> int:
    board = uow.board_meetings.board(m.id or 0, row.board)
    if board is None or not row.uid:
        return 0
    found = uow.board_meetings.find_meeting(int(board["id"]), uid=row.uid)
    if found is None:
        return 0
    uow.board_meetings.remove_meeting(int(board["id"]), found.day)
    return 1


def add_meeting(deps: Deps, username: str | None, municipality: str, row: MeetingRow) -> CalendarChange:
    return import_meetings(deps, username, municipality, [row], "cli")


def _board_id(uow: UnitOfWork, m: Municipality, board: str) -> int:
    found = uow.board_meetings.board(m.id or 0, board)
    if found is None:
        raise NotFoundError(msg("{name} has no board {board!r} in its calendar", name=m.name, board=board))
    return int(found["id"])


def move_meeting(deps: Deps, username: str | None, municipality: str, board: str, day: date,
                 new_day: date) -> CalendarChange:
    with deps.uow() as uow:
        m = _municipality(uow, username, municipality)
        board_id = _board_id(uow, m, board)
        if uow.board_meetings.find_meeting(board_id, day=day) is None:
            raise NotFoundError(msg("{name} {board} has no meeting on {day}", name=m.name, board=board, day=day))
        if new_day != day and uow.board_meetings.find_meeting(board_id, day=new_day) is not None:
            raise InputError(msg("{name} {board} already has a meeting on {new_day}",
                name=m.name, board=board, new_day=new_day))
        uow.board_meetings.move_meeting(board_id, day, new_day)
        moved = _replan(deps, uow, m.id or 0)
        uow.commit()
        return CalendarChange(m.name, updated=1, reminders_moved=moved)


def remove_meeting(deps: Deps, username: str | None, municipality: str, board: str, day: date) -> CalendarChange:
    with deps.uow() as uow:
        m = _municipality(uow, username, municipality)
        if not uow.board_meetings.remove_meeting(_board_id(uow, m, board), day):
            raise NotFoundError(msg("{name} {board} has no meeting on {day}", name=m.name, board=board, day=day))
        moved = _replan(deps, uow, m.id or 0)
        uow.commit()
        return CalendarChange(m.name, removed=1, reminders_moved=moved)


MAX_KALLELSE_DAYS = 30


def set_board(deps: Deps, username: str | None, municipality: str, code: str, name: str = "",
              secretary_email: str = "", chair_email: str = "", kallelse_days: int | None = None) -> CalendarChange:
    """Create a board or update its name, the addresses its reminders go to and when its kallelse goes out.

    ``kallelse_days``: working days before a meeting that the board's kallelse goes out (7 when not
    set); reminders to its secretary and chair are timed before it.
    """
    code, name = check_board(code), check_board_name(name)
    if kallelse_days is not None and not 0 <= kallelse_days <= MAX_KALLELSE_DAYS:
        raise InputError(msg("--kallelse-days {days} must be 0 to {most} working days", days=kallelse_days,
                             most=MAX_KALLELSE_DAYS))
    secretary_email = check_email(secretary_email, label=msg("secretary email"))
    chair_email = check_email(chair_email, label=msg("chair email"))
    with deps.uow() as uow:
        m = _municipality(uow, username, municipality)
        uow.board_meetings.upsert_board(m.id or 0, code, name=name, secretary_email=secretary_email,
                                               chair_email=chair_email, kallelse_days=kallelse_days)
        moved = _replan(deps, uow, m.id or 0)
        uow.commit()
        return CalendarChange(m.name, reminders_moved=moved)


def calendar_feed(deps: Deps, username: str | None, municipality: str, tz: ZoneInfo) -> CalendarFeed:
    """The municipality's board meetings and the deadlines of its planned reminders, as calendar entries.

    A meeting's UID comes from its id and its SEQUENCE from the meeting (it grows when the meeting
    moves). A deadline is one entry per case, state entry, rule and meeting, whatever the recipient
    roles; its SEQUENCE is its meeting's (or, relative to a state entry, the days it moved by pauses).
    """
    with deps.uow() as uow:
        actor = actor_in(uow, username)
        m = find_municipality(uow, municipality)
        authorize(actor, Action.READ, m.id, m.name)
        meetings = {meeting.id: meeting for meeting in uow.board_meetings.meetings(m.id or 0)}
        entries = [_meeting_entry(meeting, m.name) for meeting in meetings.values()]
        deadlines: dict[str, list[Reminder]] = {}
        for r in uow.reminders.planned(municipality_id=m.id):
            if r.due_at is not None:
                uid = deadline_uid(r.case_id, r.state_path, r.rule_id, r.entered_at, r.meeting_id)
                deadlines.setdefault(uid, []).append(r)
        for uid, group in deadlines.items():
            entries.append(_deadline_entry(uow, deps, uid, group, meetings.get(group[0].meeting_id or 0), m.name, tz))
    entries.sort(key=lambda e: (e.day, e.start or "", e.uid))
    return CalendarFeed(f"Sammanträden och tidsfrister – {m.name}", tuple(entries))


def _meeting_entry(meeting: Meeting, municipality: str) -> CalendarEntry:
    return CalendarEntry(meeting_uid(meeting.id), meeting.day, f"Sammanträde {meeting.board_name} ({municipality})",
                         meeting.start, meeting.location, meeting.title, meeting.sequence, category="Sammanträde")


def _deadline_entry(uow: UnitOfWork, deps: Deps, uid: str, group: list[Reminder], meeting: Meeting | None,
                    municipality: str, tz: ZoneInfo) -> CalendarEntry:
    r = group[0]
    case = uow.cases.get(r.case_id)
    state = deps.workflows().get(case.workflow, case.workflow_version).state(r.state_path)
    day = min(x.due_at for x in group if x.due_at is not None).astimezone(tz).date()
    recipients = ", ".join(sorted({ROLES.get(x.recipient_role, x.recipient_role) for x in group}))
    lines = [f"Steg: {state.title if state else r.state_path}", f"Påminnelse till: {recipients}", r.reason]
    summary = f"{r.title} ({municipality})"
    if meeting is not None:
        summary = f"{r.title} inför {meeting.board_code} {meeting.day} ({municipality})"
        return CalendarEntry(uid, day, summary, description="\n".join(lines), sequence=meeting.sequence,
                             related_to=meeting_uid(meeting.id), category="Tidsfrist")
    return CalendarEntry(uid, day, summary, description="\n".join(lines), sequence=max(0, r.shift_days),
                         category="Tidsfrist")
