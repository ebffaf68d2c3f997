"""A migrated test database in milliseconds: the schema ``journey init`` makes, copied from a template.

Running every migration costs 0.3 s (SQLite) to 0.5 s (PostgreSQL) per test, about half of the
suite's time. Each test process therefore runs ``init`` once per backend, on a template database,
and copies it into every test database that asks: the SQLite file as it is, the PostgreSQL schema
as ``pg_dump`` writes it (renamed to the test's schema). ``tests/test_schema_template.py`` checks
that a copy holds exactly what ``init`` makes; the migrations themselves are tested on databases
that ``init`` builds (``tests/test_migrations_schema.py``, ``tests/test_migration.py``).
"""

from __future__ import annotations

import re
import shutil
import subprocess
import tempfile
import uuid
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from journey.bootstrap import App

_made: dict[str, object] = {}  # backend -> template (SQLite: its file; PostgreSQL: its SQL with a placeholder)
_PLACEHOLDER = "__journey_test_schema__"


def _sqlite_path(url: str) -> Path:
    return Path(url.removeprefix("sqlite:///"))


def _pg_schema(url: str) -> str:
    options = unquote(urlsplit(url).query)
    found = re.search(r"search_path=([A-Za-z0-9_]+)", options)
    assert found, f"no search_path in the test database URL {url!r}"
    return found.group(1)


def _conninfo(url: str) -> str:
    return url.replace("postgresql+psycopg://", "postgresql://", 1).split("?", 1)[0]


def _build(settings_for: object, url: str) -> None:
    app = App(settings_for(url))  # type: ignore[operator]
    try:
        app.init_database()
    finally:
        app.close()


def _sqlite_template(settings_for: object) -> Path:
    if "sqlite" not in _made:
        path = Path(tempfile.mkdtemp(prefix="journey-template-")) / "template.db"
        _build(settings_for, f"sqlite:///{path}")
        leftovers = [p.name for p in path.parent.iterdir() if p != path]
        assert not leftovers, f"the template database left {leftovers} behind (not checkpointed)"
        _made["sqlite"] = path
    return _made["sqlite"]  # type: ignore[return-value]


def _admin(url: str) -> Any:
    """An autocommit connection to the test server, one per process."""
    if "admin" not in _made:
        import psycopg

        _made["admin"] = psycopg.connect(_conninfo(url), autocommit=True, connect_timeout=5)
    return _made["admin"]


def _pg_template(settings_for: object, admin: Any, like_url: str) -> str | None:
    """The template schema's SQL, or None where ``pg_dump`` is not installed (then ``init`` runs)."""
    if "postgres" not in _made:
        pg_dump = shutil.which("pg_dump")
        if pg_dump is None:
            _made["postgres"] = None
            return None
        schema = f"tpl_{uuid.uuid4().hex[:12]}"
        admin.execute(f'CREATE SCHEMA "{schema}"')
        try:
            _build(settings_for, like_url.replace(f"search_path%3D{_pg_schema(like_url)}", f"search_path%3D{schema}"))
            dumped = subprocess.run([pg_dump, "--no-owner", "--no-privileges", "--inserts", "-n", schema,
                                     _conninfo(like_url)], capture_output=True, text=True, check=True).stdout
        finally:
            admin.execute(f'DROP SCHEMA "{schema}" CASCADE')
        # statements only: no schema of its own, no session settings, no psql meta-command (\restrict)
        skipped = ("CREATE SCHEMA ", "ALTER SCHEMA ", "--", "SET ", "SELECT pg_catalog.set_config", "\\")
        lines = [line for line in dumped.splitlines() if not line.startswith(skipped)]
        _made["postgres"] = "\n".join(lines).replace(schema, _PLACEHOLDER)
    return _made["postgres"]  # type: ignore[return-value]


def migrated(url: str, settings_for: object) -> None:
    """Give the empty test database at ``url`` the schema ``journey init`` makes (a copy of the template).

    ``settings_for(url)``: the settings a template app runs with."""
    if url.startswith("sqlite:///"):
        target = _sqlite_path(url)
        if target.exists():  # a second app on the same database: init again, as `journey init` is safe to repeat
            _build(settings_for, url)
        else:
            shutil.copyfile(_sqlite_template(settings_for), target)
        return
    admin = _admin(url)
    if admin.execute("SELECT to_regclass(%s)", (f'"{_pg_schema(url)}".alembic_version',)).fetchone()[0] is not None:
        _build(settings_for, url)
        return
    sql = _pg_template(settings_for, admin, url)
    if sql is None:
        _build(settings_for, url)
        return
    with admin.transaction():
        admin.execute(sql.replace(_PLACEHOLDER, _pg_schema(url)))
