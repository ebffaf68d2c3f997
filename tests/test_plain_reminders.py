"""The plain reminder repository (adapters/dbapi/repositories/reminders.py) against its ORM twin
(adapters/sql/repositories/reminders.py): the same calls on two fresh databases of one back end return the
same values and leave byte-identical rows behind (the outbox's claim, hold and finish included)."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

import pytest

from journey.bootstrap import App
from journey.domain.reminders import Reminder, ReminderStatus
from journey.ports.unit_of_work import UnitOfWork
from tests.conftest import NOW
from tests.plain_twins import run_twins, stored, twin_apps_fixture, umea_case  # noqa: F401  (the twin_apps fixture)


def _reminder(case_id: int, municipality_id: int, n: int) -> Reminder:
    return Reminder(None, case_id, municipality_id, f"rule{n % 2}", "policy" if n % 3 else "anchoring", "coordinator",
                    "reminder", f"Påminnelse {n}", "Ämne å", "entered" if n % 2 else "meeting", "KS" if n % 2 else "",
                    n, NOW, f"key-{n}", "08:30", ReminderStatus.PLANNED, date(2022, 3, n + 1),
                    NOW + timedelta(days=n, microseconds=n), NOW + timedelta(days=n - 3), n % 2, None, 0, "", None,
                    "skäl", "421 försök igen" if n % 2 else "", NOW, 1)


def _scenario(uow_factory: Callable[[], UnitOfWork]) -> list[Any]:
    seen: list[Any] = []
    lease = timedelta(minutes=10)
    with uow_factory() as uow:
        mid, cid = umea_case(uow, "policy")
        r = uow.reminders
        made = [_reminder(cid, mid, n) for n in range(6)]
        seen += [r.add(x) for x in made] + [r.add(_reminder(cid, mid, 2))] + [x.id for x in made]
        made[5].status, made[5].last_error, made[5].send_after = ReminderStatus.FAILED, "550 nej", None
        made[4].expire("mötet har passerat")
        made[4].status = ReminderStatus.EXPIRED
        r.save(made[5])
        r.save(made[4])
        seen += [r.get(made[0].id or 0), r.get(999), r.planned(), r.planned(case_id=cid, state_path="policy"),
                 r.planned(municipality_id=mid, anchor="meeting"), r.planned(case_id=cid + 1), r.for_case(cid),
                 r.for_case(cid, "anchoring"), r.failed(), r.failed(municipality_id=mid, reminder_id=made[5].id),
                 r.failed(reminder_id=made[0].id)]
        uow.commit()
    with uow_factory() as uow:
        r = uow.reminders
        first = r.claim_due(NOW, 2, "w1", NOW + lease)
        seen += [first, r.claim_due(NOW, 10, "w2", NOW + lease)]
        seen += [r.hold(first[0].id or 0, "w2", NOW, lease), r.hold(first[0].id or 0, "w1", NOW, lease),
                 r.hold(first[0].id or 0, "w1", NOW + timedelta(minutes=7), lease), r.get(first[0].id or 0)]
        seen += [r.finish(first[0].id or 0, "w2", status="SENT"),
                 r.finish(first[0].id or 0, "w1", status="SENT", sent_at=NOW, attempts=1, claimed_by=""),
                 r.finish(first[0].id or 0, "w1", status="FAILED")]
        taken = r.claim_due(NOW + timedelta(minutes=30), 10, "w3", NOW + timedelta(minutes=40))  # w1's lease ran out
        seen += [taken, r.for_case(first[0].case_id)]
        uow.commit()
    return [_plain(x) for x in seen]


def _plain(value: Any) -> Any:
    """Reminders as dicts (lists of them too), so that a difference shows field by field."""
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return dataclasses.asdict(value) if isinstance(value, Reminder) else value


def test_the_plain_reminder_repository_does_what_the_orm_one_does(twin_apps: tuple[App, App],
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    by_plain = run_twins(twin_apps, monkeypatch, {"reminders": "SqlReminderRepository"}, _scenario)
    claimed, again, *_ = by_plain[6 + 1 + 6 + 11:]
    assert len(claimed) == 2 and again and all(x["claimed_by"] == "w2" for x in again)
    orm, plain = twin_apps
    assert stored(plain, ("reminder",)) == stored(orm, ("reminder",))
