"""Export and import of all data: SQLite -> JSON -> PostgreSQL (and back), refusing bad files."""

from __future__ import annotations

import gzip
import hashlib
import json
import subprocess
import sys
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from journey.adapters.readmodel.core import SqlReadModel
from journey.services.transfer import FORMAT_VERSION, checksum
from tests._demo_export import DemoSource, build_demo_source, read_lines, write_lines
from tests.conftest import Cli, make_database_url


@pytest.fixture
def demo_source(tmp_path_factory: pytest.TempPathFactory) -> DemoSource:
    return build_demo_source(tmp_path_factory)


def snapshot(url: str) -> dict[str, Any]:
    """Everything a user sees: every case's status row and its full history."""
    read = SqlReadModel(url.replace("postgresql+psycopg://", "postgresql://"))
    try:
        cases = read.cases()
        return {"cases": cases, "history": {c["municipality"]: read.history(c["id"]) for c in cases},
                "municipalities": read.municipalities()}
    finally:
        read.close()


def rewrite(source: Path, target: Path, change: Any, keep_checksum: bool = False) -> Path:
    doc = read_lines(source)
    change(doc)
    return write_lines(doc, target, keep_checksum)


def as_format_1(source: Path, target: Path) -> Path:
    """The same export as journey wrote it before streaming: one JSON document, its checksum inside."""
    doc = read_lines(source)
    doc["format_version"] = 1
    doc["sha256"] = checksum(doc)
    target.write_text(json.dumps(doc, ensure_ascii=False, separators=(",", ":")) + "\n", encoding="utf-8")
    return target


def assert_nothing_written(cli: Cli, export: Path) -> None:
    """A database that took no rows still accepts a whole import (import refuses non-empty targets)."""
    cli.ok("init")
    cli.ok(f"import {export}")


def test_export_file_is_json_lines_versioned_counted_and_checksummed(demo_source: DemoSource) -> None:
    raw = demo_source.export.read_bytes()
    doc = read_lines(demo_source.export)
    assert (doc["format"], doc["format_version"], doc["source_dialect"]) == ("journey-export", FORMAT_VERSION, "sqlite")
    assert FORMAT_VERSION == 2 and raw.count(b"\n") == 1 + len(doc["tables"]) + sum(doc["counts"].values()) + 1
    assert doc["counts"]["municipality"] == 12 and doc["counts"]["journey_case"] == 12
    assert doc["counts"] == {name: len(body["rows"]) for name, body in doc["tables"].items()}
    assert {"municipality", "journey_case", "case_history", "migration_run"} <= set(doc["tables"])
    before_trailer = raw[: raw.rstrip(b"\n").rfind(b"\n") + 1]
    assert doc["sha256"] == hashlib.sha256(before_trailer).hexdigest() and _head() in doc["schema_revisions"]


def test_sqlite_export_imports_into_each_backend_with_identical_status_and_history(
        database_url: str, tmp_path: Path, demo_source: DemoSource) -> None:
    cli = Cli(database_url, tmp_path)
    out = cli.ok(f"import {demo_source.export}")
    assert "Imported" in out.stdout and "loading case_history" in out.stderr  # progress on stderr
    assert snapshot(database_url) == snapshot(demo_source.url)
    # ids were inserted explicitly: new rows must still get fresh ids (PostgreSQL sequences reset)
    cli.ok("advance Laxå approve_inventory -e approved_by=Ledningsgruppen -e approved_date=2022-02-01 "
           "-e enterprises_identified=3 --as demo")
    cli.ok("municipalities add 0114 'Upplands Väsby' --as demo")
    cli.ok("open 'Upplands Väsby' --as demo")
    assert json.loads(cli.ok("status Laxå --json").output)["stage"] == "anchoring"


def test_round_trip_back_to_sqlite_is_identical(database_url: str, tmp_path: Path, demo_source: DemoSource,
                                                request: pytest.FixtureRequest) -> None:
    Cli(database_url, tmp_path).ok(f"import {demo_source.export}")
    again = tmp_path / "again.json.gz"
    Cli(database_url, tmp_path).ok(f"export {again} --as demo")
    assert gzip.decompress(again.read_bytes()).startswith(b'{"format":"journey-export","format_version":2,')
    back = make_database_url("sqlite", tmp_path / "back", request)
    Cli(back, tmp_path / "back").ok(f"import {again}")
    assert snapshot(back) == snapshot(demo_source.url)


@pytest.mark.parametrize(("damage", "message"), [
    (lambda raw: raw[: len(raw) // 2], "truncated (line "),
    (lambda raw: raw[: raw.rfind(b"\n", 0, len(raw) - 1) + 1], "truncated (it ends at line"),  # no trailer
    (lambda raw: raw[: raw.rfind(b"\n", 0, len(raw) // 2) + 1], "truncated (it ends at line"),  # at a row's end
    (lambda raw: raw.replace("Laxå".encode(), b"Laxa"), "checksum mismatch: the file was changed or damaged"),
    (lambda raw: raw.replace(b"Lax", b"Lay", 1), "checksum mismatch: the file was changed or damaged"),  # one byte
    (lambda raw: raw.replace(b'"format_version":2', b'"format_version":99'), "export format 99 is newer"),
    (lambda raw: b"", "truncated or not JSON"),
    (lambda raw: gzip.compress(raw)[:-40], "damaged or truncated"),
    (lambda raw: raw + b'[1]\n', "without the trailer"),  # a line after the trailer
])
def test_damaged_or_tampered_file_is_refused_with_one_line_and_nothing_written(
        database_url: str, tmp_path: Path, demo_source: DemoSource, damage: Any, message: str) -> None:
    bad = tmp_path / "bad.json"
    bad.write_bytes(damage(demo_source.export.read_bytes()))
    cli = Cli(database_url, tmp_path)
    result = cli(f"import {bad}")
    assert result.exit_code == 2
    assert result.stderr.count("\n") == 1 and message in result.stderr and "nothing was imported" in result.stderr
    assert_nothing_written(cli, demo_source.export)


def test_a_format_1_export_still_imports(database_url: str, tmp_path: Path, demo_source: DemoSource) -> None:
    old = as_format_1(demo_source.export, tmp_path / "old.json")
    Cli(database_url, tmp_path).ok(f"import {old}")
    assert snapshot(database_url) == snapshot(demo_source.url)


def _drop_history_row(doc: dict[str, Any]) -> None:
    doc["tables"]["case_history"]["rows"].pop()


def _orphan_history(doc: dict[str, Any]) -> None:
    row = list(doc["tables"]["case_history"]["rows"][-1])
    columns = doc["tables"]["case_history"]["columns"]
    row[columns.index("id")], row[columns.index("case_id")] = 99999, 4242
    doc["tables"]["case_history"]["rows"].append(row)
    doc["counts"]["case_history"] += 1


@pytest.mark.parametrize(("change", "keep", "code", "message"), [
    (_drop_history_row, True, 2, "checksum mismatch"),
    (_drop_history_row, False, 2, "table 'case_history' holds"),
    (lambda d: d["tables"].update(ghost={"columns": ["id"], "rows": []}) or d["counts"].update(ghost=0), False, 2,
     "table 'ghost' is unknown to this version of journey"),
    (lambda d: d["tables"]["municipality"]["rows"][0].__setitem__(-1, "yesterday"), False, 2,
     "municipality row 1, created_at"),
    (lambda d: d["tables"]["journey_case"]["rows"][0].__setitem__(0, None), False, 2, "journey_case row 1, id"),
    # later rows, after rows of the same shape were accepted (the fast path), are checked as fully
    (lambda d: d["tables"]["municipality"]["rows"][-1].__setitem__(-1, "yesterday"), False, 2,
     "municipality row 12, created_at"),
    (lambda d: d["tables"]["municipality"]["rows"][-1].__setitem__(2, "N" * 101), False, 2,
     "municipality row 12, name: 101 characters long"),
    (lambda d: d["tables"]["journey_case"]["rows"][-1].__setitem__(0, None), False, 2, "journey_case row 12, id"),
    (lambda d: d["tables"]["journey_case"]["rows"][-1].__setitem__(0, "7"), False, 2, "journey_case row 12, id"),
    (lambda d: d["schema_revisions"].append("0999"), False, 2, "schema revision 0999 unknown"),
    (_orphan_history, False, 3, "import failed and was undone, nothing was written"),
])
def test_partial_or_inconsistent_export_is_refused_before_writing(
        database_url: str, tmp_path: Path, demo_source: DemoSource, change: Any, keep: bool, code: int,
        message: str) -> None:
    bad = rewrite(demo_source.export, tmp_path / "bad.json", change, keep_checksum=keep)
    cli = Cli(database_url, tmp_path)
    result = cli(f"import {bad}")
    assert result.exit_code == code, result.output
    errors = [line for line in result.stderr.splitlines() if line.startswith("Error:")]
    assert len(errors) == 1 and message in errors[0] and "committed" not in result.stderr
    assert_nothing_written(cli, demo_source.export)


def test_import_into_a_database_that_holds_data_is_refused(sqlite_url: str, tmp_path: Path,
                                                           demo_source: DemoSource) -> None:
    cli = Cli(sqlite_url, tmp_path)
    cli.ok("init")
    cli.ok("municipalities add 1280 Malmö --as demo")
    result = cli(f"import {demo_source.export}")
    assert result.exit_code == 3 and "the target database is not empty (municipality has 1 rows)" in result.stderr
    assert [m["name"] for m in json.loads(cli.ok("municipalities list --json").output)] == ["Malmö"]


def test_export_needs_skr_or_admin(sqlite_url: str, tmp_path: Path, demo_source: DemoSource) -> None:
    cli = Cli(sqlite_url, tmp_path)
    cli.ok(f"import {demo_source.export}")
    cli.ok("users add admin --role admin --as demo")
    cli.ok("users add sara --role skr --as admin")
    cli.ok("users add anna --role coordinator --municipality Laxå --as admin")
    denied = cli(f"export {tmp_path / 'x.json'} --as anna")
    assert denied.exit_code == 6 and "may not export all data" in denied.stderr
    assert not (tmp_path / "x.json").exists()
    report = json.loads(cli.ok(f"export {tmp_path / 'x.json'} --as sara --json").stdout)
    assert report["counts"]["app_user"] == 3 and len(report["sha256"]) == 64
    assert cli(f"import {tmp_path / 'missing.json'}").exit_code == 4
    nowhere = cli(f"export {tmp_path / 'no' / 'such' / 'x.json'} --as admin")
    assert nowhere.exit_code == 4 and "no such directory" in nowhere.stderr


FOSSIL = Path(__file__).parent / "data" / "exports" / "core-format1.json"


def test_a_format_1_export_from_journey_0_1_still_imports_and_migrates(database_url: str, tmp_path: Path) -> None:
    """A kept fossil (core tables only, schema 0001): later tables import empty, ids and times as written."""
    import shutil

    from tests.conftest import workflows_v1

    cli = Cli(database_url, tmp_path)
    cli.ok(f"import {FOSSIL}")
    laxa = json.loads(cli.ok("history Laxå --json").output)
    assert [e["trigger"] for e in laxa["entries"]] == [None, "confirm_interest", "sign_letter_of_intent",
                                                        "form_local_team"]
    assert laxa["entries"][-1]["at"].startswith("2022-03-04T10:00:00")
    wf = workflows_v1(tmp_path / "wf")
    shutil.copy(Path(__file__).parent / "data" / "workflows" / "versions" / "handbook-v2.yaml", wf)
    cli.ok("migrate --to 2", JOURNEY_WORKFLOWS_DIR=str(wf), JOURNEY_NO_CACHE="1")
    assert {m: json.loads(cli.ok(f"status {m} --json", JOURNEY_WORKFLOWS_DIR=str(wf)).output)["state"]
            for m in ("Laxå", "Härjedalen")} == {"Laxå": "needs_analysis", "Härjedalen": "political_intent"}


def _head() -> str:
    from alembic.script import ScriptDirectory

    from journey.adapters.sql.schema_upgrade import ALEMBIC

    return str(ScriptDirectory(str(ALEMBIC)).get_current_head())


def test_a_file_nested_too_deeply_is_refused_in_one_line(tmp_path: Path) -> None:
    from journey.adapters.exports.export_file import ExportFile
    from journey.domain.errors import InputError
    from journey.services.transfer import read_export

    deep = tmp_path / "deep.json"
    deep.write_text("[" * 100_000 + "]" * 100_000)
    with pytest.raises(InputError, match="nested too deeply"):
        read_export(ExportFile(), deep)


_PEAK = """
import sys
from datetime import datetime
from journey.cli import cli
try:
    cli(sys.argv[1:], prog_name="journey")
except SystemExit as end:
    assert not end.code, end.code
print(next(line.split()[1] for line in open("/proc/self/status") if line.startswith("VmHWM:")))
"""


def _export_peak_kb(cli: Cli, target: Path) -> int:
    import os

    done = subprocess.run([sys.executable, "-c", _PEAK, "export", str(target), "--as", "demo"], check=True,
                          capture_output=True, text=True, env=os.environ | cli.env | {"JOURNEY_NOW": ""})
    return int(done.stdout.split()[-1])


def _add_history(url: str, rows: int) -> None:
    """``rows`` copies of the first history row, each with a 2 000-character comment."""
    import sqlite3

    with sqlite3.connect(url.removeprefix("sqlite:///")) as db:
        columns = [c[1] for c in db.execute("PRAGMA table_info(case_history)")
                   if c[1] not in ("id", "comment", "seq")]
        names = ", ".join(columns)
        db.execute(f"WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ?) "
                   f"INSERT INTO case_history ({names}, seq, comment) SELECT {names}, "
                   f"(SELECT MAX(seq) FROM case_history) + n.i, printf('%.2000c', 'x') "
                   f"FROM case_history, n WHERE case_history.id = (SELECT MIN(id) FROM case_history)", (rows,))


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="peak memory is read from /proc")
def test_export_memory_does_not_grow_with_the_rows(sqlite_url: str, tmp_path: Path, demo_source: DemoSource) -> None:
    """The export streams: ten times the rows (4 MB -> 40 MB of comments) leave its peak memory where it was."""
    cli = Cli(sqlite_url, tmp_path)
    cli.ok(f"import {demo_source.export}")
    _add_history(sqlite_url, 2_000)
    small = _export_peak_kb(cli, tmp_path / "small.json.gz")
    _add_history(sqlite_url, 18_000)
    large = _export_peak_kb(cli, tmp_path / "large.json.gz")
    assert read_lines(tmp_path / "large.json.gz")["counts"]["case_history"] > 20_000
    assert large - small < 20_000, f"peak {small} kB at 2 000 rows, {large} kB at 20 000"  # a full copy: > 80 MB


@pytest.mark.parametrize("stored", ["2022-03-01 09:00:00.000000", "2022-03-01 09:00:00.123456", "2022-03-01 09:00:00",
                                    "2022-03-01T09:00:00.500000", "2022-03-01"])
def test_sqlite_text_read_directly_gives_what_the_column_type_gives(stored: str) -> None:
    """The export reads SQLite's stored date-times and dates as text and rewrites them itself."""
    from sqlalchemy.dialects import sqlite

    from journey.adapters.sql.tables.core import HistoryRecord
    from journey.adapters.sql.transfer_store import _encode, _sqlite_value

    dialect = sqlite.dialect()
    column = HistoryRecord.__table__.columns["at"]  # type: ignore[attr-defined]
    convert = _sqlite_value(column, dialect)
    process = column.type.dialect_impl(dialect).result_processor(dialect, None)
    assert convert is not None and convert(stored) == _encode(process(stored))


@pytest.mark.parametrize(("row", "message"), [
    (b'[1,"0114"] [2]\n', "line {n}, column 12: Extra data"),
    (b'[1,"0114"\n', "line {n}, column 10"),
    (b'[1,"\xff"]\n', "damaged or truncated"),
])
def test_a_row_line_that_is_not_json_is_named_by_its_line(sqlite_url: str, tmp_path: Path, demo_source: DemoSource,
                                                            row: bytes, message: str) -> None:
    """Checksum right (recomputed), but a row line is not one JSON array: one line, nothing imported."""
    lines = demo_source.export.read_bytes().splitlines(keepends=True)
    first = next(i for i, line in enumerate(lines) if line.startswith(b"["))  # the first row
    lines[first] = row
    trailer = json.loads(lines[-1])
    trailer["sha256"] = hashlib.sha256(b"".join(lines[:-1])).hexdigest()
    bad = tmp_path / "bad.json"
    bad.write_bytes(b"".join(lines[:-1]) + json.dumps(trailer).encode() + b"\n")
    cli = Cli(sqlite_url, tmp_path)
    result = cli(f"import {bad}")
    assert result.exit_code == 2 and result.stderr.count("\n") == 1, result.output
    assert message.format(n=first + 1) in result.stderr and "nothing was imported" in result.stderr
    assert_nothing_written(cli, demo_source.export)


@pytest.mark.parametrize("value", ["2022-03-01T09:00:00+00:00", "2022-03-01T09:00:00.123456+00:00",
                                   "2022-03-01T10:00:00.5+01:00", "0999-12-31T23:59:59+00:00"])
def test_sqlite_text_written_directly_is_what_the_column_type_writes(value: str) -> None:
    """The import writes UTC date-times in SQLite's stored layout itself."""

    from sqlalchemy.dialects import sqlite

    from journey.adapters.sql.tables.core import HistoryRecord
    from journey.adapters.sql.transfer_store import _sqlite_bind

    dialect = sqlite.dialect()
    column = HistoryRecord.__table__.columns["at"]  # type: ignore[attr-defined]
    bind, process = _sqlite_bind(column, dialect), column.type.dialect_impl(dialect).bind_processor(dialect)
    assert bind is not None and process is not None
    assert bind(datetime.fromisoformat(value)) == process(datetime.fromisoformat(value))
    with pytest.raises(ValueError, match="naive"):
        bind(datetime(2022, 3, 1, 9))


def test_sqlite_export_written_by_sqlite_gives_the_values_python_gives(sqlite_url: str, tmp_path: Path,
                                                                        demo_source: DemoSource) -> None:
    """SQLite writes most rows' JSON itself; values outside the layouts it rewrites (and every other row)
    must come out as the column types' own reading gives them."""
    import sqlite3

    from sqlalchemy.dialects import sqlite

    from journey.adapters.sql.column_types import UTCDateTime
    from journey.adapters.sql.transfer_store import _sqlite_value, _tables

    cli = Cli(sqlite_url, tmp_path)
    cli.ok(f"import {demo_source.export}")
    with sqlite3.connect(sqlite_url.removeprefix("sqlite:///")) as db:
        for (trigger,) in db.execute("SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = "
                                     "'case_history'").fetchall():
            db.execute(f'DROP TRIGGER "{trigger}"')  # append-only: this test writes what a damaged file could hold
        for i, at in enumerate(["2022-03-01T09:00:00.500000", "2022-03-01 09:00:00", "2022-03-01 09:00:00.123456",
                                "2022-03-01"], 1):
            db.execute("UPDATE case_history SET at = ? WHERE id = ?", (at, i))
        db.execute("UPDATE case_history SET evidence = ? WHERE id = 5", ('{"å": "\\u00e5", "n": [1, 2.5, 1E2], '
                                                                         '"t": "tab\\there"}',))
        db.execute("UPDATE case_history SET comment = ? WHERE id = 6", ("ctrl \x01 \x1f \" \\ \u2028 😀 å",))
        db.execute("UPDATE reminder SET nominal_date = '2022-W09-2' WHERE id = 1")
        db.execute("UPDATE reminder SET nominal_date = '2022-03-02', sent_at = NULL WHERE id = 2")
        db.executemany("INSERT INTO login_attempt (username, client, at, success) VALUES (?, ?, ?, ?)",
                       [("a", "c", "2022-03-01 09:00:00.000000", 1), ("b", "c", "2022-03-01 09:00:00.000001", 0),
                        ("c", "c", "2022-03-01 09:00:00.000000", 2), ("d", "c", "2022-03-01 09:00:00.000000", "yes")])
        expected: dict[str, list[list[Any]]] = {}
        for table in _tables():
            converters = [_sqlite_value(c, sqlite.dialect()) for c in table.columns]
            keys = ", ".join(c.name for c in table.primary_key.columns)
            names = ", ".join(f'"{c.name}"' for c in table.columns)
            expected[table.name] = [[v if v is None or f is None else f(v) for f, v in zip(converters, row, strict=True)]
                                    for row in db.execute(f'SELECT {names} FROM "{table.name}" ORDER BY {keys}')]
    cli.ok(f"export {tmp_path / 'again.json'} --as demo")
    exported = read_lines(tmp_path / "again.json")

    def same(table: str) -> list[list[Any]]:
        utc = [isinstance(c.type, UTCDateTime) for c in next(t for t in _tables() if t.name == table).columns]
        return [[datetime.fromisoformat(v) if is_utc and v is not None else v for is_utc, v in zip(utc, row, strict=True)]
                for row in exported["tables"][table]["rows"]]

    for table, rows in expected.items():
        assert same(table) == [[datetime.fromisoformat(v) if isinstance(v, str) and "T" in v and v.endswith("+00:00")
                                else v for v in row] for row in rows], table
    assert [row[-1] for row in exported["tables"]["login_attempt"]["rows"]] == [True, False, True, True]
    assert exported["tables"]["reminder"]["rows"][0][14] == "2022-03-01"


def test_sqlite_import_leaves_the_journal_mode_and_the_indexes_as_init_makes_them(sqlite_url: str, tmp_path: Path,
                                                                                 demo_source: DemoSource) -> None:
    """The load drops the plain indexes and uses a rollback journal, inside its one transaction; a
    failed load leaves them as they were, a whole one rebuilds them."""
    import sqlite3

    def state(url: str) -> tuple[str, list[tuple[str, str]]]:
        with sqlite3.connect(url.removeprefix("sqlite:///")) as db:
            return (db.execute("PRAGMA journal_mode").fetchone()[0],
                    db.execute("SELECT name, sql FROM sqlite_master WHERE type = 'index' ORDER BY name").fetchall())

    cli = Cli(sqlite_url, tmp_path)
    cli.ok("init")
    initialised = state(sqlite_url)
    assert initialised[0] == "wal" and any("CREATE INDEX" in str(sql) for _, sql in initialised[1])
    bad = rewrite(demo_source.export, tmp_path / "bad.json", _orphan_history)
    assert cli(f"import {bad}").exit_code == 3
    assert state(sqlite_url) == initialised
    cli.ok(f"import {demo_source.export}")
    assert state(sqlite_url) == initialised


@pytest.mark.postgres
@pytest.mark.parametrize("database_url", ["postgres"], indirect=True)
def test_postgresql_import_leaves_the_references_and_indexes_as_init_makes_them(database_url: str, tmp_path: Path,
                                                                               demo_source: DemoSource) -> None:
    """The load drops the foreign keys and plain indexes inside its one transaction and adds them again
    after the rows: a failed load leaves them as they were, a whole one as init makes them, and a row
    that breaks a reference still fails the load."""
    import psycopg

    def state() -> tuple[list[tuple[str, str, str]], list[tuple[str, str]]]:
        with psycopg.connect(database_url.replace("postgresql+psycopg://", "postgresql://")) as db:
            keys = db.execute("SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) FROM pg_constraint "
                              "WHERE connamespace = current_schema()::regnamespace ORDER BY 1, 2").fetchall()
            indexes = db.execute("SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = current_schema() "
                                 "ORDER BY 1").fetchall()
        return keys, indexes

    cli = Cli(database_url, tmp_path)
    cli.ok("init")
    initialised = state()
    assert any("FOREIGN KEY" in definition for _, _, definition in initialised[0])
    assert any(" USING btree (" in create and "UNIQUE" not in create for _, create in initialised[1])
    bad = rewrite(demo_source.export, tmp_path / "bad.json", _orphan_history)
    failed = cli(f"import {bad}")
    assert failed.exit_code == 3 and "violates foreign key constraint" in failed.stderr, failed.output
    assert state() == initialised
    cli.ok(f"import {demo_source.export}")
    assert state() == initialised


@pytest.mark.postgres
@pytest.mark.parametrize("database_url", ["postgres"], indirect=True)
def test_values_copied_into_postgresql_come_out_as_they_went_in(database_url: str, tmp_path: Path,
                                                               demo_source: DemoSource) -> None:
    """The load copies rows into PostgreSQL with COPY: text with every character COPY escapes (tab,
    newline, backslash, a literal \\N), JSON documents, NULLs and date-times with fractions are what
    the export then gives back."""
    tricky = AWKWARD + " \\N \\. end"
    document = {"text": tricky, "n": [1, 2.5, None, True], "nested": {"\\N": "\t"}}

    def change(doc: dict[str, Any]) -> None:
        table = doc["tables"]["case_history"]
        columns = table["columns"]
        for i, row in enumerate(table["rows"][:4]):
            row[columns.index("comment")] = tricky[i:]
            row[columns.index("evidence")] = document if i % 2 else {}
            row[columns.index("at")] = f"2022-03-01T09:00:0{i}.{'5' * i}{'0' * (6 - i)}+00:00" if i else row[
                columns.index("at")]

    source = rewrite(demo_source.export, tmp_path / "tricky.json", change)
    cli = Cli(database_url, tmp_path)
    cli.ok(f"import {source}")
    cli.ok(f"export {tmp_path / 'back.json'} --as demo")

    def rows(path: Path) -> dict[str, list[list[Any]]]:  # SQLite writes a zero fraction out, PostgreSQL leaves it out
        return {name: [[datetime.fromisoformat(v) if isinstance(v, str) and v.endswith("+00:00") and "T" in v else v
                        for v in row] for row in table["rows"]] for name, table in read_lines(path)["tables"].items()}

    sent, back = rows(source), rows(tmp_path / "back.json")
    assert back["case_history"][:4] == sent["case_history"][:4]
    assert back["case_history"][1][9:11] == [document, tricky[1:]]
    assert back == sent


def test_the_sqlite_load_runs_out_of_wal_mode_though_the_app_keeps_its_connections(sqlite_url: str, tmp_path: Path,
                                                                                    demo_source: DemoSource) -> None:
    """The app keeps a connection open between its units of work (the import's own check of the
    actor is one); the load closes them first, as SQLite leaves WAL mode (and removes the -wal file)
    only when no other connection has the database open."""
    from journey.adapters.clock import FixedClock
    from journey.bootstrap import App
    from journey.services.transfer import import_data
    from tests.conftest import NOW, make_settings, migrated

    migrated(sqlite_url, tmp_path)
    app = App(make_settings(sqlite_url, tmp_path), clock=FixedClock(NOW))
    wal = Path(sqlite_url.removeprefix("sqlite:///") + "-wal")
    seen: list[tuple[str, bool]] = []
    try:
        with app.deps.uow() as uow:
            uow.municipalities.list()
        assert wal.exists()  # the unit of work's connection is open, idle
        import_data(app.deps, None, demo_source.export,
                    progress=lambda line: seen.append((getattr(line, "template", str(line)), wal.exists())))
    finally:
        app.close()
    loading = [exists for template, exists in seen if template.startswith("loading")]
    assert loading and not any(loading), seen


def test_an_export_whose_writing_fails_stops_reading_and_raises_that_error(tmp_path: Path) -> None:
    """Compression and writing run in a second thread: its error reaches the caller, and the rows stop."""
    from journey.adapters.exports.export_file import ExportFile

    produced: list[int] = []

    def chunks() -> Any:
        for i in range(1_000):
            produced.append(i)
            yield b"x" * 10

    def write(_: bytes) -> None:
        raise OSError("No space left on device")

    import journey.adapters.exports.export_file as export_file

    with pytest.raises(OSError, match="No space left"):
        export_file._pipelined(chunks(), write)
    assert len(produced) < 1_000
    ExportFile().write(tmp_path / "ok.json.gz", iter([b"a\n", b"b\n"]))
    assert gzip.decompress((tmp_path / "ok.json.gz").read_bytes()) == b"a\nb\n"
    assert not list(tmp_path.glob(".tmp-*"))


AWKWARD = ("".join(map(chr, range(1, 128))) + ' "quoted" \\ back\\slash\\ \\" new\nline\r\n tab\t é ß Å 😀 \u2028 \u2029 '
           "\u00a0 \ufeff \U0001f1f8\U0001f1ea")
DOCUMENTS = ['{"å": "\\u00e5", "n": [1, 2.5, 1E2, 1.0, -0, 0.1, 12345678901234567890, 1e400], "t": "tab\\there"}',
             '{\n  "dup": 1,\n  "dup": 2, "deep": {"a": [true, false, null, {}]}, "s": "\\ud83d\\ude00 \\"q\\" \\\\ \\/"}',
             "null", '"just text"', "[]", "  {}  ", '{"k\\u0001": "ctl \\u001f \\n", "": ""}']
INSTANTS = ["2022-03-01 09:00:00.123456+00", "2022-03-01 09:00:00.5+00", "2022-03-01 09:00:00.120000+00",
            "2022-03-01 09:00:00.000001+00", "2022-03-01 09:00:00+00", "2022-03-01 10:00:00.25+01",
            "0999-12-31 23:59:59.9+00", "2022-03-01 09:00:00.100000+00", "9999-12-29 23:59:59.999999+00"]


@pytest.mark.postgres
@pytest.mark.parametrize("database_url", ["postgres"], indirect=True)
def test_postgresql_writes_the_same_export_as_reading_the_rows_in_python(
        database_url: str, tmp_path: Path, demo_source: DemoSource, monkeypatch: pytest.MonkeyPatch) -> None:
    """PostgreSQL writes most rows' JSON lines itself: the file must be, byte for byte, the one reading
    every row through the column types and encoding it in Python writes. Text with every character JSON
    escapes, JSON documents as stored (whitespace, escapes, duplicate keys, numbers Python reads
    differently), date-times with and without fractions, dates, NULLs, booleans, and a date-time only
    Python reads (the year 1, outside what the server writes) which sends the rest of its table to Python."""
    import psycopg

    from journey.adapters.sql import transfer_store
    from journey.adapters.sql.transfer_store import SqlTransferStore

    cli = Cli(database_url, tmp_path)
    cli.ok(f"import {demo_source.export}")
    with psycopg.connect(database_url.replace("postgresql+psycopg://", "postgresql://"), autocommit=True) as db:
        case_id, seq = db.execute("SELECT case_id, MAX(seq) FROM case_history GROUP BY case_id ORDER BY case_id "
                                  "LIMIT 1").fetchone() or (0, 0)
        history = [(case_id, seq + i, AWKWARD[i * 7:i * 7 + 100], at, document, AWKWARD)
                   for i, (document, at) in enumerate(zip(DOCUMENTS + DOCUMENTS[:2], INSTANTS, strict=True), 1)]
        history.insert(3, (case_id, seq + 99, None, "0001-01-01 12:00:00+00", "{}", "only Python reads the year 1"))
        with db.cursor() as cursor:
            cursor.executemany("INSERT INTO case_history (case_id, seq, kind, from_state, to_state, trigger, actor, "
                               "at, evidence, comment) VALUES (%s, %s, 'ADVANCED', NULL, 'x', %s, 'tester', %s, %s, %s)",
                               history)
            cursor.executemany("UPDATE reminder SET nominal_date = %s, sent_at = %s, due_at = %s, subject = %s "
                               "WHERE id = (SELECT MIN(id) + %s FROM reminder)",
                               [(day, at, None, AWKWARD[:200], i) for i, (day, at) in enumerate(
                                   [(None, INSTANTS[0]), ("0001-01-01", INSTANTS[1]), ("9999-12-31", None),
                                    ("2022-03-02", INSTANTS[6])])])
            cursor.executemany("INSERT INTO login_attempt (username, client, at, success) VALUES (%s, %s, %s, %s)",
                               [("a\"b", "c\\d", INSTANTS[2], True), ("é", "\n", INSTANTS[3], False)])
            cursor.execute("INSERT INTO deal (case_id, municipality_id, number, form, status, status_date, title, "
                           "counterparty, org_number, value_sek, diarienummer, special_services, limit_reference, "
                           "reserved_main_aim, social_considerations, contract_conditions, details, created_by, "
                           "created_at, updated_at, version) SELECT id, municipality_id, 900 + n, 'IOP', 'signed', "
                           "'2022-03-01', %s, '', '', %s, '', n = 1, '', CASE n WHEN 1 THEN true WHEN 2 THEN false END, "
                           "'', '', %s, 'tester', %s, %s, 1 FROM journey_case, generate_series(1, 3) n WHERE id = %s",
                           (AWKWARD[:300], 2**53 + 1, DOCUMENTS[1], INSTANTS[4], INSTANTS[5], case_id))
    from_python: list[tuple[str, int]] = []
    python_batches = SqlTransferStore._python_batches

    def spy(connection: Any, table: Any, skip: int = 0) -> Any:
        from_python.append((table.name, skip))
        return python_batches(connection, table, skip)

    monkeypatch.setattr(SqlTransferStore, "_python_batches", staticmethod(spy))
    by_server = cli.ok(f"export {tmp_path / 'server.json'} --as demo")  # streamed in chunks (libpq 17 and later)
    rows = read_lines(tmp_path / "server.json")["tables"]["case_history"]["rows"]
    year_1 = next(i for i, row in enumerate(rows) if row[-1] == "only Python reads the year 1")
    assert from_python == [("case_history", year_1)] and year_1 < len(rows) - 1  # and the rows after it
    monkeypatch.setattr(psycopg.capabilities, "has_stream_chunked", lambda *_: False)
    by_cursor = cli.ok(f"export {tmp_path / 'cursor.json'} --as demo")  # through a server-side cursor
    monkeypatch.setattr(transfer_store, "_postgresql_lines", lambda *_: None)
    by_python = cli.ok(f"export {tmp_path / 'python.json'} --as demo")
    written = (tmp_path / "server.json").read_bytes()
    assert written == (tmp_path / "cursor.json").read_bytes() == (tmp_path / "python.json").read_bytes()
    assert by_server.stderr == by_cursor.stderr == by_python.stderr  # the same progress, table by table
    assert from_python[1] == from_python[0]
    for expected in ['"2022-03-01T09:00:00.500000+00:00"', '"2022-03-01T09:00:00+00:00"', '"0001-01-01T12:00:00+00:00"',
                     '"0999-12-31T23:59:59.900000+00:00"', '"0001-01-01"', "\\u0001\\u0002", "\\u001f !\\\"#",
                     "😀 \u2028", '{"dup":2,"deep":{"a":[true,false,null,{}]}', "Infinity", "12345678901234567890",
                     f"{2**53 + 1}", ",null,"]:
        assert expected in written.decode(), expected
