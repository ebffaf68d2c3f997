"""The plain reads in front of the ORM repositories (adapters/dbapi/repositories/base.py): a case's
matters and deals, a municipality's boards and meetings and the webhook subscriptions read
in plain SQL give what the ORM repositories give, on SQLite and PostgreSQL; writes still go to the ORM
repository, and a plain read in the same transaction sees them."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path
from pprint import pformat
from typing import Any

import pytest

from journey.bootstrap import App
from journey.domain.deals import Deal, DealDetails, DealForm, DealStatus, ValueBasis
from journey.domain.matters import Decision, Matter, Outcome
from journey.domain.reminders import Reminder, ReminderStatus
from tests.conftest import BACKENDS, NOW, FixedClock, make_database_url, make_settings
from tests.plain_twins import umea_case


@pytest.fixture(params=BACKENDS)
def app(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[App]:
    made = App(make_settings(make_database_url(request.param, tmp_path, request), tmp_path), clock=FixedClock(NOW))
    made.init_database()
    yield made
    made.close()


def _reminder(case_id: int, municipality_id: int, n: int, status: ReminderStatus = ReminderStatus.PLANNED) -> Reminder:
    return Reminder(None, case_id, municipality_id, f"rule{n % 2}", "policy" if n % 3 else "anchoring", "coordinator",
                    "reminder", f"Påminnelse {n}", "Ämne å", "entered" if n % 2 else "meeting", "KS" if n % 2 else "",
                    n, NOW, f"key-{n}", "08:30", status, date(2022, 3, n + 1), NOW + timedelta(days=n, microseconds=n),
                    NOW + timedelta(days=n), n % 2, None, n, "", None, "skäl", "", NOW, 1 + n % 2)


def _reads(app: App, cid: int, mid: int) -> list[Any]:
    with app.deps.uow() as uow:
        return [uow.matters.for_case(cid), uow.matters.open_for(cid), uow.matters.open_for(cid, "anchoring"),
                uow.matters.open_for(cid, "nowhere"), uow.matters.for_case(cid + 1),
                uow.reminders.planned(case_id=cid), uow.reminders.planned(municipality_id=mid, state_path="policy"),
                uow.reminders.planned(anchor="meeting"), uow.reminders.planned(case_id=cid + 1),
                uow.board_meetings.boards(mid), uow.board_meetings.meetings(mid),
                uow.board_meetings.meetings(mid, "ks"), uow.board_meetings.meetings(mid, "Socialnämnden"),
                uow.board_meetings.meetings(mid, "nosuch"), uow.board_meetings.meetings(mid + 1),
                uow.webhooks.subscriptions(), uow.webhooks.subscriptions(active_only=False),
                uow.deals.for_case(cid), uow.deals.for_case(cid + 1)]


def test_plain_reads_give_what_the_orm_repositories_give(app: App, monkeypatch: pytest.MonkeyPatch) -> None:
    from journey.adapters.dbapi import unit_of_work

    with app.deps.uow() as uow:
        mid, cid = umea_case(uow, "anchoring")
        older = uow.matters.add(Matter(None, cid, "anchoring", "Förankring", ("KS", "KF"), NOW, "anna",
                                       diarienummer="KS 2022/12", proposal={"beslut": {"text": "ja"}},
                                       target_meeting=date(2022, 4, 5), updated_at=NOW))
        older.decisions.append(Decision("KS", Outcome.BIFALL, date(2022, 4, 5), 12, NOW, "anna", 3, 1))
        uow.matters.save(older)
        uow.matters.add(Matter(None, cid, "policy", "Riktlinje", ("KF",), NOW + timedelta(seconds=1), "bo",
                               planned_meeting=date(2022, 6, 1)))
        assert [x.title for x in uow.matters.for_case(cid)] == ["Förankring", "Riktlinje"]  # the ORM's writes seen
        for n in range(6):
            uow.reminders.add(_reminder(cid, mid, n, ReminderStatus.SENT if n == 4 else ReminderStatus.PLANNED))
        ks = uow.board_meetings.upsert_board(mid, "KS", name="Kommunstyrelsen", kallelse_days=5)
        sn = uow.board_meetings.upsert_board(mid, "SN", name="Socialnämnden", secretary_email="sn@umea.se")
        for board, day in ((ks, date(2022, 4, 5)), (sn, date(2022, 4, 5)), (ks, date(2022, 3, 1)), (sn, date(2022, 2, 1))):
            uow.board_meetings.upsert_meeting(board, day, start_time="13:00", location="Stadshuset")
        uow.webhooks.add_subscription("https://example.se/hook", "hemlig", ("case.advanced",), mid, NOW, "admin")
        other = uow.webhooks.add_subscription("https://example.se/all", "s", (), None, NOW, "admin")
        uow.webhooks.deactivate(other)
        assert len(uow.reminders.planned(case_id=cid)) == 5  # a plain read in the same transaction
        uow.deals.add(Deal(None, cid, mid, 2, DealForm.IOP, DealStatus.AWARDED, date(2022, 5, 2), "IOP Stadsodling",
                           "Föreningen Odla", "802400-1234", 250000, ValueBasis.PER_YEAR, date(2022, 6, 1),
                           date(2024, 5, 31), date(2022, 5, 2), "KS 2022/40", True, reserved_main_aim=False,
                           reserved_share=40, details=DealDetails(purpose="Odling", suppliers=("A AB", "B AB")),
                           created_by="anna", created_at=NOW, updated_at=NOW))
        uow.deals.add(Deal(None, cid, mid, 1, DealForm.DIRECT_AWARD, DealStatus.PLANNED, date(2022, 4, 1),
                           created_by="bo", created_at=NOW, updated_at=NOW))
        assert [d.number for d in uow.deals.for_case(cid)] == [1, 2]
        uow.commit()
    plain = _reads(app, cid, mid)
    monkeypatch.setattr(unit_of_work, "_PLAIN_READS", {})
    with app.deps.uow() as uow:
        assert type(uow.matters).__name__ == "SqlMatterRepository" and type(uow.deals).__name__ == "SqlDealRepository"
    assert pformat(plain) == pformat(_reads(app, cid, mid))  # reprs (True is not 1), dict keys sorted
    assert [len(x) if isinstance(x, list) else x is not None for x in plain] == [
        2, True, True, False, 0, 5, 3, 2, 0, 2, 4, 2, 2, 0, 0, 1, 2, 2, 0]
