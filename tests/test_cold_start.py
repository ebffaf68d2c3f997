"""Write commands load only what they touch (issue 14, item 6): `journey advance` (its documents
rendered and registered, its reminders planned) and `journey hours log` go through the plain
repositories (adapters/dbapi) and load neither a table module nor SQLAlchemy. `journey monitor`
reads through plain DB-API (adapters/readmodel) and loads neither either.
Speed itself is measured by benchmarks/bench_national.py, not here."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

from tests.conftest import Cli

TABLES = "journey.adapters.sql.tables."
PROBE = ("import json, runpy, sys\n"
         "sys.argv = ['journey', *json.loads(sys.argv[1])]\n"
         "try:\n"
         "    runpy.run_module('journey', run_name='__main__', alter_sys=True)\n"
         "except SystemExit as exit:\n"
         "    assert not exit.code, exit.code\n"
         f"print(json.dumps({{'tables': sorted(m.removeprefix({TABLES!r}) for m in sys.modules "
         f"if m.startswith({TABLES!r})), 'sqlalchemy': 'sqlalchemy' in sys.modules, "
         "'drivers': sorted(m for m in ('psycopg', 'psycopg2') if m in sys.modules), "
         f"'services': sorted(m for m in sys.modules if m.startswith('journey.services.'))}}))\n")


def _probe(cli: Cli, *args: str) -> dict[str, Any]:
    done = subprocess.run([sys.executable, "-c", PROBE, json.dumps(args)], capture_output=True, text=True,
                          env={"PATH": "/usr/bin:/bin", **cli.env, "JOURNEY_USER": "anna"}, check=False)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.splitlines()[-1])  # type: ignore[no-any-return]


def _loaded(cli: Cli, *args: str) -> tuple[set[str], bool]:
    """The table modules the command loaded, and whether it imported SQLAlchemy."""
    found = _probe(cli, *args)
    return set(found["tables"]), found["sqlalchemy"]


def test_an_advance_with_documents_and_hours_log_import_no_orm(sqlite_url: str, tmp_path: Path) -> None:
    cli = Cli(sqlite_url, tmp_path)
    cli.ok("init")
    cli.ok("municipalities seed")
    cli.ok("open Umeå --as anna")
    cli.ok("people add Umeå --name 'Anna Berg' --salary-group 5 --as anna")

    advance, orm = _loaded(cli, "advance", "Umeå", "confirm_interest", "-e", "registered_date=2021-01-12",
                           "-e", "contact=Anna")
    assert (advance, orm) == (set(), False)  # the avsiktsförklaring rendered and registered without the ORM
    assert "avsiktsforklaring" in cli.ok("documents list Umeå").output
    logged, sqlalchemy = _loaded(cli, "hours", "log", "Umeå", "--person", "Anna Berg", "--date", "2021-02-01",
                                 "--hours", "2", "--activity", "inventory", "--description", "Kartläggning")
    assert logged == set(), logged  # its repositories are plain (adapters/dbapi/repositories/hours.py)
    assert not sqlalchemy


def test_an_advance_that_only_reads_the_features_imports_no_orm(sqlite_url: str, tmp_path: Path) -> None:
    """Issue 14, item 6: the unit of work runs on a plain DB-API connection; a step without documents reads
    documents, matters, reminders and webhooks in plain SQL, so SQLAlchemy (several times Python's start-up)
    is never imported. Its history row is written all the same."""
    cli = Cli(sqlite_url, tmp_path)
    cli.ok("init")
    cli.ok("municipalities seed")
    cli.ok("open Umeå --as anna")
    cli.ok("advance Umeå confirm_interest -e registered_date=2021-01-12 -e contact=Anna --as anna")
    cli.ok("advance Umeå sign_letter_of_intent -e 'signatories=Anna, Bo' -e signed_date=2021-02-01 --as anna")
    tables, orm = _loaded(cli, "advance", "Umeå", "form_local_team", "-e", "coordinator=Anna Berg", "-e",
                          "members=Anna, Bo, Cecilia", "-e", "time_reporting_from=2022-01-10")
    assert (tables, orm) == (set(), False)
    assert "Anna, Bo, Cecilia" in cli.ok("history Umeå").output


def test_monitor_loads_no_table_module_and_no_sqlalchemy(sqlite_url: str, tmp_path: Path) -> None:
    """The read side never imports SQLAlchemy or SQLModel (which imports it): `journey monitor` at national
    size must start within a few times Python's own start-up (benchmarks/bench_national.py)."""
    cli = Cli(sqlite_url, tmp_path)
    cli.ok("init")
    cli.ok("municipalities seed")
    cli.ok("open Umeå --as anna")
    assert _loaded(cli, "monitor") == (set(), False)
    # nor another feature's use cases: formatting its hours the Swedish way once loaded the whole hours service
    services = _probe(cli, "monitor")["services"]
    assert not [m for m in services if m.startswith(("journey.services.hours", "journey.services.documents"))], services


def test_monitor_on_postgresql_reads_through_psycopg2_alone(database_url: str, tmp_path: Path) -> None:
    """Importing psycopg 3 alone costs about three times ``import click``; the read side's psycopg2 about as
    much as click (docs/performance.md), so a read command on PostgreSQL loads psycopg2 only."""
    cli = Cli(database_url, tmp_path)
    cli.ok("init")
    cli.ok("municipalities seed")
    cli.ok("open Umeå --as anna")
    found = _probe(cli, "monitor")
    postgres = not database_url.startswith("sqlite")
    assert found["drivers"] == (["psycopg2"] if postgres else []), found
    assert not found["sqlalchemy"]
