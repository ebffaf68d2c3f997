"""Factories and reads for the unit tier: a case standing in a given state, board meetings, committed rows."""

from __future__ import annotations

from datetime import date, datetime

from journey.domain.case import Case, CaseStatus, HistoryEntry, HistoryKind
from journey.domain.reminders import Reminder
from tests.fakes import FakeApp

COORDINATOR, SKR, ADMIN = "anna", "sven", "ada"  # the users the `fake` fixture registers
TOWN = "Hudiksvall"


def case_in(app: FakeApp, state: str, municipality: str = TOWN) -> Case:
    """A case already standing in ``state`` (a factory: nothing is planned for that state)."""
    now = app.clock.now()
    with app.deps.uow() as uow:
        m = uow.municipalities.find(municipality)
        assert m is not None and m.id is not None
        case = uow.cases.add(Case(None, m.id, "handbook", 1, state, CaseStatus.ACTIVE, now, now, now))
        uow.cases.append_history(HistoryEntry(case.id or 0, HistoryKind.OPENED, None, state, None, ADMIN, now))
        uow.commit()
    return case


def add_meeting(app: FakeApp, day: date, board: str = "KS", municipality: str = TOWN) -> None:
    with app.deps.uow() as uow:
        m = uow.municipalities.find(municipality)
        assert m is not None and m.id is not None
        board_id = uow.board_meetings.upsert_board(m.id, board)
        uow.board_meetings.upsert_meeting(board_id, day, start_time="13:00", location="Stadshuset")
        uow.commit()


def current_case(app: FakeApp, municipality: str = TOWN) -> Case | None:
    with app.deps.uow() as uow:
        m = uow.municipalities.find(municipality)
        assert m is not None and m.id is not None
        return uow.cases.for_municipality(m.id)


def history(app: FakeApp, case_id: int) -> list[HistoryEntry]:
    with app.deps.uow() as uow:
        return uow.cases.history(case_id)


def reminders(app: FakeApp) -> list[Reminder]:
    """Every committed reminder row, in id order (what `SELECT * FROM reminder` would show)."""
    return [r for _, r in sorted(app.db.committed.reminders.items())]


def at(text: str) -> datetime:
    return datetime.fromisoformat(text)
