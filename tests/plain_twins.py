"""What the tests of a plain repository against its ORM twin share (tests/test_plain_*.py): two fresh
databases of one back end, the same scenario on each (one with the feature on its ORM repository), and
the rows each database holds afterwards."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from pprint import pformat
from typing import Any

import pytest

from journey.bootstrap import App
from journey.domain.case import Case, CaseStatus
from journey.domain.municipality import Municipality
from journey.ports.unit_of_work import UnitOfWork
from tests.conftest import BACKENDS, NOW, FixedClock, make_database_url, make_settings, migrated


@pytest.fixture(params=BACKENDS, name="twin_apps")
def twin_apps_fixture(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[App, App]]:
    """Two initialised apps on fresh databases of one back end: (the ORM's, the plain one's)."""
    made = []
    for name in ("orm", "plain"):
        (tmp_path / name).mkdir()
        url = make_database_url(request.param, tmp_path / name, request)
        migrated(url, tmp_path / name)
        app = App(make_settings(url, tmp_path / name), clock=FixedClock(NOW))
        made.append(app)
    yield made[0], made[1]
    for app in made:
        app.close()


def run_twins(apps: tuple[App, App], monkeypatch: pytest.MonkeyPatch, features: dict[str, str],
              scenario: Callable[[Callable[[], UnitOfWork]], list[Any]]) -> list[Any]:
    """The scenario on both apps; ``features`` maps each feature to its ORM repository class, whose
    name the ORM app's unit of work must show. Fails unless both give the same reprs (True is not 1),
    dict keys sorted; returns the plain app's results."""
    from journey.adapters.dbapi import unit_of_work

    orm, plain = apps
    with monkeypatch.context() as patched:  # the same unit of work with these features on their ORM repository
        patched.setattr(unit_of_work, "_PLAIN", {k: v for k, v in unit_of_work._PLAIN.items() if k not in features})
        with orm.deps.uow() as uow:
            assert {f: type(getattr(uow, f)).__name__ for f in features} == features
        by_orm = scenario(orm.deps.uow)
    by_plain = scenario(plain.deps.uow)
    with plain.deps.uow() as uow:
        assert all(type(getattr(uow, f)).__name__.startswith("Plain") for f in features)
    assert pformat(by_plain) == pformat(by_orm)
    return by_plain


def umea_case(uow: UnitOfWork, state: str) -> tuple[int, int]:
    """Umeå and its case (handbook@2) in ``state``: (municipality id, case id)."""
    m = uow.municipalities.add(Municipality(None, "2480", "Umeå", "Västerbottens län"))
    case = uow.cases.add(Case(None, m.id or 0, "handbook", 2, state, CaseStatus.ACTIVE, NOW, NOW, NOW))
    return m.id or 0, case.id or 0


def stored(app: App, tables: tuple[str, ...]) -> dict[str, list[Any]]:
    """Every row of ``tables`` as the database holds it (SQLite: value and storage class; PostgreSQL:
    the row's text), in a stable order."""
    with app.engine.connect() as conn:
        raw = conn.connection.dbapi_connection
        assert raw is not None
        cursor = raw.cursor()
        rows = {}
        for table in tables:
            if app.database_url.startswith("sqlite"):
                cursor.execute(f"SELECT * FROM {table}")
                rows[table] = sorted([(v, type(v).__name__) for v in row] for row in cursor.fetchall())
            else:
                cursor.execute(f"SELECT t::text FROM {table} t")
                rows[table] = sorted(r[0] for r in cursor.fetchall())
        return rows
