"""A migrated test database in milliseconds: the schema ``journey init`` makes, copied from a template.

Running every migration costs 0.3 s (SQLite) to 0.5 s (PostgreSQL) per test, about half of the
suite's time. Each test process therefore runs ``init`` once per backend, on a template database,
and copies it into every test database that asks: the SQLite file as it is, the PostgreSQL schema
as ``pg_dump`` writes it (renamed to the test's schema). ``tests/test_schema_template.py`` checks
that a copy holds exactly what ``init`` makes; the migrations themselves are tested on databases
that ``init`` builds (``tests/test_migrations_schema.py``, ``tests/test_migration.py``).
"""

from __future__ import annotations

import atexit
import re
import shutil
import subprocess
import tempfile
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from journey.adapters.sql.urls import psycopg_conninfo
from journey.bootstrap import App
from journey.config import Settings

SettingsFor = Callable[[str], Settings]  # the settings an app on a database URL runs with

_made: dict[str, object] = {}  # backend -> template (SQLite: its file; PostgreSQL: its SQL with a placeholder)
_PLACEHOLDER = "__journey_test_schema__"


def _sqlite_path(url: str) -> Path:
    return Path(url.removeprefix("sqlite:///"))


def _pg_schema(url: str) -> str:
    options = unquote(urlsplit(url).query)
    found = re.search(r"search_path=([A-Za-z0-9_]+)", options)
    assert found, f"no search_path in the test database URL {url!r}"
    return found.group(1)


def _server(url: str) -> str:
    """The test server's connection string, without the test schema's search path."""
    return psycopg_conninfo(url.split("?", 1)[0])


def pg_dump(url: str, *options: str) -> list[str]:
    """The lines ``pg_dump`` writes for the schema of ``url``, without comments and psql meta-commands
    (``\\restrict``)."""
    dumped = subprocess.run(["pg_dump", "--no-owner", "--inserts", *options, "-n", _pg_schema(url), _server(url)],
                            capture_output=True, text=True, check=True).stdout
    return [line for line in dumped.splitlines() if not line.startswith(("--", "\\"))]


def _build(settings_for: SettingsFor, url: str) -> None:
    app = App(settings_for(url))
    try:
        app.init_database()
    finally:
        app.close()


def _sqlite_template(settings_for: SettingsFor) -> Path:
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

        _made["admin"] = psycopg.connect(_server(url), autocommit=True, connect_timeout=5)
        atexit.register(_made["admin"].close)  # not left for the garbage collector (a ResourceWarning at exit)
    return _made["admin"]


def _pg_template(settings_for: SettingsFor, admin: Any, like_url: str) -> str | None:
    """The template schema's SQL, or None where ``pg_dump`` is not installed (then ``init`` runs)."""
    if "postgres" not in _made:
        if shutil.which("pg_dump") is None:
            _made["postgres"] = None
            return None
        schema = f"tpl_{uuid.uuid4().hex[:12]}"
        url = like_url.replace(f"search_path%3D{_pg_schema(like_url)}", f"search_path%3D{schema}")
        admin.execute(f'CREATE SCHEMA "{schema}"')
        try:
            _build(settings_for, url)
            dumped = pg_dump(url, "--no-privileges")
        finally:
            admin.execute(f'DROP SCHEMA "{schema}" CASCADE')
        skipped = ("CREATE SCHEMA ", "ALTER SCHEMA ", "SET ", "SELECT pg_catalog.set_config")  # statements only
        _made["postgres"] = "\n".join(line for line in dumped if not line.startswith(skipped)).replace(schema,
                                                                                                        _PLACEHOLDER)
    return _made["postgres"]  # type: ignore[return-value]


def migrated(url: str, settings_for: SettingsFor) -> None:
    """Give the empty test database at ``url`` the schema ``journey init`` makes (a copy of the template).

    A database that has a schema already (a second app on it) is given ``init`` again, which is safe to
    repeat; so is one on a machine without ``pg_dump``."""
    if url.startswith("sqlite:///"):
        target = _sqlite_path(url)
        if not target.exists():
            shutil.copyfile(_sqlite_template(settings_for), target)
            return
    else:
        admin = _admin(url)
        schema = _pg_schema(url)
        empty = admin.execute("SELECT to_regclass(%s)", (f'"{schema}".alembic_version',)).fetchone()[0] is None
        sql = _pg_template(settings_for, admin, url) if empty else None
        if sql is not None:
            with admin.transaction():
                admin.execute(sql.replace(_PLACEHOLDER, schema))
            return
    _build(settings_for, url)
