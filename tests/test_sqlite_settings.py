"""SQLite settings chosen on purpose (issue #14 §7): WAL, synchronous=FULL, a busy timeout longer than
the longest document render, foreign keys; JOURNEY_RENDER_TIMEOUT sets both."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import text

from journey.bootstrap import App
from tests.conftest import Cli, make_settings

NAMES = ("journal_mode", "synchronous", "busy_timeout", "foreign_keys")


def _pragmas(app: App) -> dict[str, object]:
    with app.engine.connect() as conn:
        return {name: conn.execute(text(f"PRAGMA {name}")).scalar() for name in NAMES}


def _uow_pragmas(app: App) -> dict[str, object]:
    """The same settings on a unit of work's own (plain DB-API) connection."""
    with app.deps.uow() as uow:
        return {name: uow.db.scalar(f"PRAGMA {name}") for name in NAMES}  # type: ignore[attr-defined]


def test_every_connection_gets_the_documented_settings(tmp_path: Path) -> None:
    app = App(make_settings(f"sqlite:///{tmp_path / 'j.db'}", tmp_path))
    try:
        app.init_database()
        documented = {"journal_mode": "wal", "synchronous": 2, "busy_timeout": 15000, "foreign_keys": 1}
        assert _pragmas(app) == documented
        assert _uow_pragmas(app) == documented
    finally:
        app.close()


def test_the_render_timeout_sets_the_busy_timeout_beyond_it(tmp_path: Path) -> None:
    app = App(make_settings(f"sqlite:///{tmp_path / 'j.db'}", tmp_path, render_timeout="20"))
    try:
        app.init_database()
        assert _pragmas(app)["busy_timeout"] == 25000
        assert _uow_pragmas(app)["busy_timeout"] == 25000
        from journey.bootstrap.documents import document_tools
        assert document_tools(app.settings).renderer.timeout == 20.0
    finally:
        app.close()


def test_a_bad_render_timeout_is_one_line_and_changes_nothing(cli: Cli) -> None:
    cli.ok("municipalities seed")
    for bad in ("abc", "0", "301", "nan"):
        result = cli("open Laxå", JOURNEY_RENDER_TIMEOUT=bad)
        assert result.exit_code == 2 and "JOURNEY_RENDER_TIMEOUT" in result.output, bad
        assert len(result.output.strip().splitlines()) == 1
    assert cli("open Laxå").exit_code == 0  # nothing was opened by the refused commands
    assert cli("open Laxå").exit_code != 0  # (a second open is refused: the check can fail)
