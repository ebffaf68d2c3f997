"""Issue 12: migration 0006 keeps existing time entries, maps them to people by name and reports the
ambiguous ones (`journey people review`); entries, attestations and the audit log stay append-only."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import DBAPIError

from journey.adapters.clock import FixedClock
from journey.adapters.sql import schema_upgrade as schema
from journey.adapters.sql.column_types import UTCDateTime
from journey.bootstrap import App
from tests.conftest import Cli, make_settings

LATE = datetime(2022, 12, 31, 12, 0, tzinfo=UTC)
T0 = datetime(2022, 1, 1, tzinfo=UTC)


def _table(table: str, /, **columns: Any) -> sa.TableClause:
    return sa.table(table, *(sa.column(n, t) for n, t in columns.items()))


MUNICIPALITY = _table("municipality", id=sa.Integer, code=sa.String, name=sa.String, slug=sa.String,
                      county=sa.String, workflow=sa.String, created_at=UTCDateTime())
CASE = _table("journey_case", id=sa.Integer, municipality_id=sa.Integer, workflow=sa.String,
              workflow_version=sa.Integer, state=sa.String, stage=sa.String, status=sa.String,
              opened_at=UTCDateTime(), stage_entered_at=UTCDateTime(), updated_at=UTCDateTime(), version=sa.Integer)
HISTORY = _table("case_history", case_id=sa.Integer, seq=sa.Integer, kind=sa.String, from_state=sa.String,
                 to_state=sa.String, trigger=sa.String, actor=sa.String, at=UTCDateTime(), evidence=sa.JSON,
                 comment=sa.String)
MEETING = _table("network_meeting", id=sa.Integer, kind=sa.String, date=sa.Date, title=sa.String, hours=sa.Integer,
                 municipality_id=sa.Integer, created_by=sa.String, created_at=UTCDateTime())
ENTRY = _table("time_entry", municipality_id=sa.Integer, person=sa.String, date=sa.Date, hours=sa.Integer,
               activity=sa.String, description=sa.String, stage=sa.String, meeting_id=sa.Integer,
               created_by=sa.String, created_at=UTCDateTime())


def _legacy(app: App) -> None:
    """A database at revision 0005 with whole-hour entries typed by name, as before issue 12."""
    from alembic import command

    with app.engine.connect() as conn:
        command.upgrade(schema._config(conn), "0005")  # type: ignore[arg-type]
        conn.commit()
    with app.engine.begin() as conn:
        conn.execute(MUNICIPALITY.insert(), [
            {"id": 1, "code": "2480", "name": "Umeå", "slug": "umea", "county": "Västerbottens län",
             "workflow": "handbook", "created_at": T0},
            {"id": 2, "code": "1280", "name": "Malmö", "slug": "malmo", "county": "Skåne län", "workflow": "handbook",
             "created_at": T0}])
        opened, advanced = datetime(2022, 1, 10, 10, tzinfo=UTC), datetime(2022, 2, 1, 23, 30, tzinfo=UTC)
        conn.execute(CASE.insert(), [{"id": 1, "municipality_id": 1, "workflow": "handbook", "workflow_version": 1,
                                      "state": "letter_of_intent", "stage": "letter_of_intent", "status": "ACTIVE",
                                      "opened_at": opened, "stage_entered_at": advanced, "updated_at": advanced,
                                      "version": 2}])
        conn.execute(HISTORY.insert(), [
            {"case_id": 1, "seq": 1, "kind": "OPENED", "from_state": None, "to_state": "interest", "trigger": None,
             "actor": "anna", "at": opened, "evidence": {}, "comment": ""},
            {"case_id": 1, "seq": 2, "kind": "ADVANCED", "from_state": "interest", "to_state": "letter_of_intent",
             "trigger": "confirm_interest", "actor": "anna", "at": advanced, "evidence": {}, "comment": ""}])
        conn.execute(MEETING.insert(), [{"id": 1, "kind": "PHYSICAL", "date": date(2022, 3, 24), "title": "Träff",
                                         "hours": 7, "municipality_id": None, "created_by": "skr",
                                         "created_at": T0}])
        rows = [(1, "Anna Berg", date(2022, 1, 20), 3, "letter_of_intent", None),  # typed after the advance
                (1, "anna  berg", date(2022, 2, 1), 2, "letter_of_intent", None),  # advanced 00:30 Swedish time on 2 Feb
                (1, "Anna Berg", date(2022, 2, 2), 1, "letter_of_intent", None),
                (1, "Ana Berg", date(2022, 2, 3), 4, "letter_of_intent", None),
                (1, "Sara Lind", date(2022, 3, 24), 7, "letter_of_intent", 1),
                (2, "Sara Lind", date(2022, 3, 24), 7, "", 1),
                (1, "Olle Ås", date(2021, 12, 1), 1, "letter_of_intent", None)]
        conn.execute(ENTRY.insert(), [
            {"municipality_id": m, "person": p, "date": d, "hours": h, "stage": s, "meeting_id": meeting,
             "activity": "network_meeting" if meeting else "inventory", "description": "Arbete", "created_by": "anna",
             "created_at": T0} for m, p, d, h, s, meeting in rows])


@pytest.fixture
def migrated(database_url: str, tmp_path: Path) -> tuple[App, Cli]:
    app = App(make_settings(database_url, tmp_path), clock=FixedClock(LATE))
    _legacy(app)
    from alembic.script import ScriptDirectory

    assert app.init_database() == [ScriptDirectory(str(schema.ALEMBIC)).get_current_head()]
    cli = Cli(database_url, tmp_path, now=LATE)
    yield app, cli
    app.close()


def test_existing_entries_are_kept_as_people_and_quarter_hours(migrated: tuple[App, Cli]) -> None:
    _, cli = migrated
    rows = json.loads(cli.ok("hours list --json").output) + json.loads(cli.ok("hours list --year 2021 --json").output)
    got = [(r["municipality"], r["person"], r["date"], r["hours"], r["stage"]) for r in rows]
    assert sorted(got) == sorted([
        ("Umeå", "Anna Berg", "2022-01-20", 3, "interest"),  # stage on the work date, recomputed
        ("Umeå", "Anna Berg", "2022-02-01", 2, "interest"),  # spelling merged
        ("Umeå", "Anna Berg", "2022-02-02", 1, "letter_of_intent"),
        ("Umeå", "Ana Berg", "2022-02-03", 4, "letter_of_intent"),
        ("Umeå", "Sara Lind", "2022-03-24", 7, "letter_of_intent"),
        ("Malmö", "Sara Lind", "2022-03-24", 7, ""),
        ("Umeå", "Olle Ås", "2021-12-01", 1, "")])  # before the case was opened
    meetings = json.loads(cli.ok("network-meetings list --year 2022 --json").output)["meetings"]
    assert [(m["hours"], m["attendees"]) for m in meetings] == [(7, 2)]
    again = cli("network-meetings attend 1 Umeå --person 'Sara Lind'")
    assert again.exit_code == 3 and "already recorded" in again.output


def test_ambiguous_names_are_reported_for_review(migrated: tuple[App, Cli]) -> None:
    _, cli = migrated
    review = {(r["municipality"], r["name"]): r["review_note"]
              for r in json.loads(cli.ok("people review --json").output)}
    assert set(review) == {("Malmö", "Sara Lind"), ("Umeå", "Ana Berg"), ("Umeå", "Anna Berg"), ("Umeå", "Olle Ås"),
                           ("Umeå", "Sara Lind")}  # everyone lacks a salary group; four also have a note
    assert "merged spellings: 'Anna Berg', 'anna berg'" in review[("Umeå", "Anna Berg")]
    assert "similar name in the same municipality: 'Ana Berg'" in review[("Umeå", "Anna Berg")]
    assert "similar name in the same municipality: 'Anna Berg'" in review[("Umeå", "Ana Berg")]
    assert "the same name has entries in Malmö" in review[("Umeå", "Sara Lind")]
    assert "the same name has entries in Umeå" in review[("Malmö", "Sara Lind")]
    assert review[("Umeå", "Olle Ås")] == ""
    audit = json.loads(cli.ok("hours audit --json").output)
    assert sum(a["action"] == "PERSON_MIGRATED" for a in audit) == 5
    # The fix for a misspelt name: move its entries with a correction, then mark the person reviewed.
    ana = next(r for r in json.loads(cli.ok("hours list Umeå --json").output) if r["person"] == "Ana Berg")
    cli.ok(f"hours correct {ana['id']} --person 'Anna Berg' --reason 'Felstavat namn vid registreringen'")
    cli.ok("people update Umeå 'Anna Berg' --reviewed --salary-group 5")
    persons = json.loads(cli.ok("hours summary Umeå --year 2022 --json").output)["persons"]
    assert {p["person"]: p["hours"] for p in persons} == {"Anna Berg": 10, "Ana Berg": 0, "Sara Lind": 7}


@pytest.mark.parametrize("statement", [
    "UPDATE time_entry SET quarters = 1", "DELETE FROM time_entry", "UPDATE hours_attestation SET actor = 'x'",
    "DELETE FROM esf_audit", "UPDATE esf_audit SET actor = 'x'",
])
def test_rows_are_append_only_in_the_database(migrated: tuple[App, Cli], statement: str) -> None:
    app, cli = migrated
    cli.ok("hours attest Umeå --person 'Olle Ås' --month 2021-12 --on-paper")
    with pytest.raises(DBAPIError, match="append-only"), app.engine.begin() as conn:
        conn.execute(sa.text(statement))


def test_an_export_from_before_0006_without_hours_still_imports(database_url: str, tmp_path: Path) -> None:
    """Empty hours tables in the old shape are skipped; ones with rows are refused (upgrade, then export)."""
    from tests._demo_export import read_lines, write_lines
    from tests.conftest import make_database_url

    source = Cli(f"sqlite:///{tmp_path / 'src.db'}", tmp_path / "src", now=LATE)
    source.ok("init")
    source.ok("municipalities seed")
    backup = tmp_path / "backup.json.gz"
    source.ok(f"export {backup}")
    doc = read_lines(backup)
    doc["tables"]["time_entry"]["columns"] = ["id", "municipality_id", "person", "date", "hours"]  # as in 0005
    old = write_lines(doc, tmp_path / "old.json")
    Cli(database_url, tmp_path).ok(f"import {old}")
    doc["tables"]["time_entry"]["rows"] = [[1, 1, "Anna Berg", "2022-03-14", 3]]
    doc["counts"]["time_entry"] = 1
    write_lines(doc, old)
    other = Cli(make_database_url("sqlite", tmp_path / "other", None), tmp_path / "other")  # type: ignore[arg-type]
    refused = other(f"import {old}")
    assert refused.exit_code == 2 and "time_entry.hours: column unknown" in refused.output
