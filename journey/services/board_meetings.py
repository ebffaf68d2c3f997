"""Board meeting calendars: import (all rows or nothing), add, move, remove, board contacts.

Every change re-plans the meeting-relative reminders of the municipality in the same transaction.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from journey.domain.access import Action, authorize
from journey.domain.board_meetings import MeetingRow, check_board, check_email
from journey.domain.errors import NotFoundError
from journey.domain.municipality import Municipality
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
    """Add or update every row (matched on board and date); one transaction for the whole file."""
    with deps.uow() as uow:
        m = _municipality(uow, username, municipality)
        repo = uow.board_meetings
        added = updated = 0
        for row in rows:
            board_id = repo.upsert_board(m.id, row.board, name=row.board_name, secretary_email=row.secretary_email,
                                         chair_email=row.chair_email)
            created = repo.upsert_meeting(board_id, row.day, start_time=row.start, location=row.location,
                                          title=row.title, source=f"{source}:{row.line}" if source else "")
            added, updated = added + created, updated + (not created)
        moved = _replan(deps, uow, m.id or 0)
        uow.commit()
        return CalendarChange(m.name, added, updated, 0, moved)


def add_meeting(deps: Deps, username: str | None, municipality: str, row: MeetingRow) -> CalendarChange:
    return import_meetings(deps, username, municipality, [row], "cli")


def _board_id(uow: UnitOfWork, m: Municipality, board: str) -> int:
    found = uow.board_meetings.board(m.id, board)
    if found is None:
        raise NotFoundError(f"{m.name} has no board {board!r} in its calendar")
    return int(found["id"])


def move_meeting(deps: Deps, username: str | None, municipality: str, board: str, day: date,
                 new_day: date) -> CalendarChange:
    with deps.uow() as uow:
        m = _municipality(uow, username, municipality)
        if not uow.board_meetings.move_meeting(_board_id(uow, m, board), day, new_day):
            raise NotFoundError(f"{m.name} {board} has no meeting on {day}")
        moved = _replan(deps, uow, m.id or 0)
        uow.commit()
        return CalendarChange(m.name, updated=1, reminders_moved=moved)


def remove_meeting(deps: Deps, username: str | None, municipality: str, board: str, day: date) -> CalendarChange:
    with deps.uow() as uow:
        m = _municipality(uow, username, municipality)
        if not uow.board_meetings.remove_meeting(_board_id(uow, m, board), day):
            raise NotFoundError(f"{m.name} {board} has no meeting on {day}")
        moved = _replan(deps, uow, m.id or 0)
        uow.commit()
        return CalendarChange(m.name, removed=1, reminders_moved=moved)


def set_board(deps: Deps, username: str | None, municipality: str, code: str, name: str = "",
              secretary_email: str = "", chair_email: str = "") -> CalendarChange:
    """Create a board or update its name and the addresses its reminders go to."""
    code = check_board(code)
    secretary_email = check_email(secretary_email, label="secretary email")
    chair_email = check_email(chair_email, label="chair email")
    with deps.uow() as uow:
        m = _municipality(uow, username, municipality)
        uow.board_meetings.upsert_board(m.id, code, name=name, secretary_email=secretary_email,
                                               chair_email=chair_email)
        moved = _replan(deps, uow, m.id or 0)
        uow.commit()
        return CalendarChange(m.name, reminders_moved=moved)
