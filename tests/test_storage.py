"""Storage guarantees: append-only history, optimistic locking, SQLite pragmas."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from journey.bootstrap import App
from journey.domain.errors import ConcurrentChangeError
from journey.services.cases.lifecycle import open_case
from journey.services.registry import seed_network


def test_history_rows_cannot_be_updated_or_deleted(app: App) -> None:
    seed_network(app.deps, None)
    open_case(app.deps, None, "Umeå")
    for statement in ("UPDATE case_history SET actor = 'x'", "DELETE FROM case_history"):
        with pytest.raises(DBAPIError, match="append-only"), app.engine.begin() as conn:
            conn.execute(text(statement))
    with app.engine.connect() as conn:
        assert conn.execute(text("SELECT actor FROM case_history")).scalar_one() != "x"


@pytest.mark.postgres
@pytest.mark.parametrize("database_url", ["postgres"], indirect=True)
def test_a_stale_case_write_is_refused(app: App) -> None:
    """Two coordinators load the same case; the second save finds the version moved on."""
    seed_network(app.deps, None)
    case_id = open_case(app.deps, None, "Umeå").id
    assert case_id is not None
    first, second = app.deps.uow(), app.deps.uow()
    with pytest.raises(ConcurrentChangeError, match="another user changed this case"), second:
        b = second.cases.get(case_id)
        with first:
            a = first.cases.get(case_id)
            a.move_to(("letter_of_intent",), datetime.now(UTC))
            first.cases.save(a)
            first.commit()
        b.move_to(("letter_of_intent",), datetime.now(UTC))
        second.cases.save(b)  # UPDATE ... WHERE version = 1 matches nothing now
    with app.deps.uow() as uow:
        assert uow.cases.get(case_id).version == 2


def test_timestamps_come_back_timezone_aware_in_utc(app: App) -> None:
    seed_network(app.deps, None)
    open_case(app.deps, None, "Malmö")
    with app.deps.uow() as uow:
        [case] = uow.cases.all()
        assert case.opened_at.tzinfo is not None and case.opened_at.utcoffset().total_seconds() == 0
        assert case.opened_at == app.clock.now()
