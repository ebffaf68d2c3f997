"""Shared fixtures: a real database per test (SQLite always, PostgreSQL when configured), the CLI.

``JOURNEY_TEST_DATABASE_URL`` names a PostgreSQL server; each test gets its own schema there,
so tests can run in parallel. When the variable is set and the server is unreachable the
tests fail rather than skip.
"""

from __future__ import annotations

import os
import shlex
import shutil
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from journey.adapters.clock import FixedClock
from journey.bootstrap import App
from journey.config import Settings

ROOT = Path(__file__).resolve().parent.parent
WORKFLOWS = ROOT / "workflows"
TEMPLATES = ROOT / "templates"
PG_URL = os.environ.get("JOURNEY_TEST_DATABASE_URL", "")
NOW = datetime(2022, 3, 1, 9, 0, tzinfo=UTC)

BACKENDS = ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]


def workflows_v1(target: Path) -> Path:
    """The shipped workflows as they were before handbook@2 (version 1 only): for tests that publish a version."""
    shutil.copytree(WORKFLOWS, target, ignore=shutil.ignore_patterns("*-v2.yaml"))
    return target


def _pg_schema_url(schema: str) -> str:
    base = PG_URL.replace("postgresql://", "postgresql+psycopg://", 1) if PG_URL.startswith("postgresql://") else PG_URL
    sep = "&" if "?" in base else "?"
    return f"{base}{sep}options=-csearch_path%3D{schema}"


PRIVATE_DIRS = {"HOME": "home", "XDG_CACHE_HOME": "cache", "XDG_DATA_HOME": "data", "XDG_CONFIG_HOME": "config",
                "XDG_STATE_HOME": "state", "JOURNEY_HOME": "journey"}
SESSION_ENV = {"JOURNEY_LANG": "en"}  # the suite checks English output; tests/test_i18n.py checks Swedish


@pytest.fixture(scope="session", autouse=True)
def _private_dirs(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """HOME, the XDG directories and JOURNEY_HOME point into a temporary directory for the whole session,
    subprocesses included: the suite never writes into the developer's home, cache or data directory."""
    old = {name: os.environ.get(name) for name in [*PRIVATE_DIRS, *SESSION_ENV]}
    base = tmp_path_factory.mktemp("private")
    for name, sub in PRIVATE_DIRS.items():
        (base / sub).mkdir()
        os.environ[name] = str(base / sub)
    os.environ.update(SESSION_ENV)
    yield
    for name, value in old.items():
        if value is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = value


@pytest.fixture(scope="session")
def pg_admin() -> Iterator[Any]:
    """A psycopg connection to the test server (fails loudly when configured but unreachable)."""
    if not PG_URL:
        pytest.skip("JOURNEY_TEST_DATABASE_URL is not set")
    import psycopg

    conn = psycopg.connect(PG_URL.replace("postgresql+psycopg://", "postgresql://"), autocommit=True, connect_timeout=5)
    yield conn
    conn.close()


def make_database_url(backend: str, tmp_path: Path, request: pytest.FixtureRequest) -> str:
    if backend == "sqlite":
        return f"sqlite:///{tmp_path / 'journey.db'}"
    admin = request.getfixturevalue("pg_admin")
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin.execute(f'CREATE SCHEMA "{schema}"')
    request.addfinalizer(lambda: admin.execute(f'DROP SCHEMA "{schema}" CASCADE'))
    return _pg_schema_url(schema)


@pytest.fixture(params=BACKENDS)
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """An empty database: SQLite file, or a fresh schema on the PostgreSQL test server."""
    return make_database_url(request.param, tmp_path, request)


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'journey.db'}"


def make_settings(database_url: str, tmp_path: Path, **overrides: Any) -> Settings:
    settings = Settings(database_url=database_url, workflows_dir=WORKFLOWS, templates_dir=TEMPLATES,
                        output_dir=tmp_path / "documents")
    from dataclasses import replace

    return replace(settings, **overrides)


def migrated(database_url: str, tmp_path: Path) -> None:
    """The empty test database given the schema ``journey init`` makes, copied from a template that
    ``init`` built once in this process (tests/schema_template.py)."""
    from tests.schema_template import migrated as copy_template

    copy_template(database_url, lambda url: make_settings(url, tmp_path / "template"))


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(NOW)


@pytest.fixture
def app(database_url: str, tmp_path: Path, clock: FixedClock) -> Iterator[App]:
    """An initialised app on a real database with a frozen clock."""
    migrated(database_url, tmp_path)
    application = App(make_settings(database_url, tmp_path), clock=clock)
    yield application
    application.close()


class Cli:
    """Runs the real CLI in-process against one database, like a user at a shell."""

    def __init__(self, database_url: str, tmp_path: Path, now: datetime = NOW) -> None:
        self.env = {"JOURNEY_DATABASE_URL": database_url, "JOURNEY_WORKFLOWS_DIR": str(WORKFLOWS),
                    "JOURNEY_TEMPLATES_DIR": str(TEMPLATES), "JOURNEY_HOME": str(tmp_path / "home"),
                    "JOURNEY_OUTPUT_DIR": str(tmp_path / "documents"), "JOURNEY_NOW": now.isoformat(),
                    "JOURNEY_USER": "", "JOURNEY_DEBUG": ""}
        self.runner = CliRunner()

    def __call__(self, command: str | list[str], **env: str) -> Result:
        from journey.cli import cli

        args = shlex.split(command) if isinstance(command, str) else command
        return self.runner.invoke(cli, args, env={**self.env, **env}, catch_exceptions=False)

    def ok(self, command: str | list[str], **env: str) -> Result:
        result = self(command, **env)
        assert result.exit_code == 0, f"{command!r} exited {result.exit_code}: {result.output}"
        return result


@pytest.fixture
def cli(database_url: str, tmp_path: Path) -> Cli:
    """The CLI on an initialised database (as after `journey init`; tests/test_schema_template.py runs init itself)."""
    migrated(database_url, tmp_path)
    return Cli(database_url, tmp_path)


@pytest.fixture
def served(database_url: str, tmp_path: Path, clock: FixedClock) -> Iterator[Any]:
    """A seeded app (users with passwords, two open cases) and its ASGI server, in-process."""
    from journey.bootstrap.server import build_asgi
    from tests.server_support import fast_hasher, seed

    migrated(database_url, tmp_path)
    application = App(make_settings(database_url, tmp_path), clock=clock, overrides={"password_hasher": fast_hasher()})
    seed(application)
    yield application, build_asgi(application)
    application.close()


@pytest.fixture
def cli_env(served: Any, tmp_path: Path) -> Any:
    """Run the CLI against the served app's database; returns its output (exit 0 asserted)."""
    runner = Cli(served[0].settings.database_url, tmp_path)

    def run(args: list[str]) -> str:
        return runner.ok(args).output

    return run
