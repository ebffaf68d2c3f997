"""ESF time reporting that holds up in a payment claim (#12): people, quarter hours, corrections by
appending, attestation, claim periods, settings, export records and an audit log.

Existing entries are kept. Each (municipality, name) becomes a registered person (a participant
without salary group); names that differ only in case or spacing are merged. Where the mapping may
be wrong the person gets a ``review_note``: spellings merged, the same name in another
municipality, or a similar name in the same one. `journey people review` lists them. Whole hours
become quarter hours (×4), and each entry's stage is recomputed from the case history for the
work date. Meeting lengths become quarter hours too.

Time entries, attestations and the audit log are append-only in the database too (triggers); the
one update allowed is pinning an unassigned entry to the claim period being locked.

Downgrade keeps original entries only (corrections, reversals and withdrawals are dropped) and
rounds quarter hours up to whole hours.

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-24
"""

from __future__ import annotations

import difflib
import json
import unicodedata
from collections import Counter, defaultdict
from datetime import UTC, date, datetime
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from alembic import op

from journey.adapters.sql.column_types import UTCDateTime

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

ZONE = ZoneInfo("Europe/Stockholm")
ACTOR = "migration 0006"
WHERE_ATTENDANCE = sa.text("kind = 'ENTRY' AND meeting_id IS NOT NULL")
APPEND_ONLY = ("hours_attestation", "esf_audit")  # never updated or deleted
TIME_ENTRY_COLUMNS = ("id", "municipality_id", "person_id", "person", "date", "quarters", "activity", "description",
                      "stage", "meeting_id", "kind", "corrects_id", "reason", "created_by", "created_at")
PG_APPEND_ONLY = """
CREATE OR REPLACE FUNCTION esf_append_only() RETURNS trigger AS $$
BEGIN RAISE EXCEPTION '% is append-only', TG_TABLE_NAME; END $$ LANGUAGE plpgsql
"""
PG_TIME_ENTRY = """
CREATE OR REPLACE FUNCTION time_entry_append_only() RETURNS trigger AS $$
DECLARE pinned integer := NEW.claim_period_id;
BEGIN
  IF OLD.claim_period_id IS NOT NULL THEN RAISE EXCEPTION 'time_entry is append-only'; END IF;
  NEW.claim_period_id := NULL;
  IF NEW IS DISTINCT FROM OLD THEN RAISE EXCEPTION 'time_entry is append-only'; END IF;
  NEW.claim_period_id := pinned;
  RETURN NEW;
END $$ LANGUAGE plpgsql
"""


def _protect() -> None:
    """Rows are only appended; the one update allowed is pinning a row to the claim period being locked."""
    if op.get_bind().dialect.name == "sqlite":
        for table in APPEND_ONLY:
            for name in ("update", "delete"):
                op.execute(f"CREATE TRIGGER {table}_no_{name} BEFORE {name.upper()} ON {table} "
                           f"BEGIN SELECT RAISE(ABORT, '{table} is append-only'); END")
        op.execute("CREATE TRIGGER time_entry_no_delete BEFORE DELETE ON time_entry "
                   "BEGIN SELECT RAISE(ABORT, 'time_entry is append-only'); END")
        op.execute(f"CREATE TRIGGER time_entry_no_update BEFORE UPDATE OF {', '.join(TIME_ENTRY_COLUMNS)} "
                   "ON time_entry BEGIN SELECT RAISE(ABORT, 'time_entry is append-only'); END")
        op.execute("CREATE TRIGGER time_entry_pinned_once BEFORE UPDATE OF claim_period_id ON time_entry "
                   "WHEN OLD.claim_period_id IS NOT NULL BEGIN SELECT RAISE(ABORT, 'time_entry is append-only'); END")
        return
    op.execute(PG_APPEND_ONLY)
    op.execute(PG_TIME_ENTRY)
    for table in APPEND_ONLY:
        op.execute(f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
                   "FOR EACH ROW EXECUTE FUNCTION esf_append_only()")
    op.execute("CREATE TRIGGER time_entry_no_delete BEFORE DELETE ON time_entry "
               "FOR EACH ROW EXECUTE FUNCTION esf_append_only()")
    op.execute("CREATE TRIGGER time_entry_append_only BEFORE UPDATE ON time_entry "
               "FOR EACH ROW EXECUTE FUNCTION time_entry_append_only()")


def _unprotect() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for table in APPEND_ONLY:
            for name in ("update", "delete"):
                op.execute(f"DROP TRIGGER IF EXISTS {table}_no_{name}")
        for name in ("time_entry_no_delete", "time_entry_no_update", "time_entry_pinned_once"):
            op.execute(f"DROP TRIGGER IF EXISTS {name}")
        return
    for table in APPEND_ONLY:
        op.execute(f"DROP TRIGGER IF EXISTS {table}_append_only ON {table}")
    op.execute("DROP TRIGGER IF EXISTS time_entry_no_delete ON time_entry")
    op.execute("DROP TRIGGER IF EXISTS time_entry_append_only ON time_entry")
    op.execute("DROP FUNCTION IF EXISTS time_entry_append_only()")
    op.execute("DROP FUNCTION IF EXISTS esf_append_only()")


def _tables() -> None:
    op.create_table(
        "person",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("municipality_id", sa.Integer, sa.ForeignKey("municipality.id"), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("name_key", sa.String(200), nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("function", sa.String(200), nullable=False, server_default=""),
        sa.Column("department", sa.String(200), nullable=False, server_default=""),
        sa.Column("share_percent", sa.Integer, nullable=True),
        sa.Column("salary_group", sa.String(3), nullable=False, server_default=""),
        sa.Column("unit_cost_ore", sa.Integer, nullable=True),
        sa.Column("start_date", sa.Date, nullable=True),
        sa.Column("end_date", sa.Date, nullable=True),
        sa.Column("username", sa.String(100), nullable=False, server_default=""),
        sa.Column("review_note", sa.String(1000), nullable=False, server_default=""),
        sa.Column("created_by", sa.String(100), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_by", sa.String(100), nullable=False, server_default=""),
        sa.Column("updated_at", UTCDateTime(), nullable=True),
        sa.UniqueConstraint("municipality_id", "name_key", name="uq_person_municipality_name"),
    )
    op.create_table(
        "claim_period",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("name", sa.String(100), nullable=False, unique=True),
        sa.Column("start_date", sa.Date, nullable=False),
        sa.Column("end_date", sa.Date, nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("created_by", sa.String(100), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("locked_by", sa.String(100), nullable=False, server_default=""),
        sa.Column("locked_at", UTCDateTime(), nullable=True),
    )
    op.create_table(
        "hours_attestation",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("person_id", sa.Integer, sa.ForeignKey("person.id"), nullable=False),
        sa.Column("month", sa.String(7), nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("method", sa.String(20), nullable=False, server_default=""),
        sa.Column("last_entry_id", sa.Integer, nullable=False),
        sa.Column("quarters", sa.Integer, nullable=False),
        sa.Column("actor", sa.String(100), nullable=False),
        sa.Column("at", UTCDateTime(), nullable=False),
    )
    op.create_index("ix_hours_attestation_person_month", "hours_attestation", ["person_id", "month"])
    op.create_table(
        "esf_setting",
        sa.Column("key", sa.String(50), primary_key=True),
        sa.Column("value", sa.String(200), nullable=False),
        sa.Column("changed_by", sa.String(100), nullable=False),
        sa.Column("changed_at", UTCDateTime(), nullable=False),
    )
    op.create_table(
        "hours_export",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("claim_period_id", sa.Integer, sa.ForeignKey("claim_period.id"), nullable=True),
        sa.Column("year", sa.Integer, nullable=True),
        sa.Column("municipality_id", sa.Integer, sa.ForeignKey("municipality.id"), nullable=True),
        sa.Column("settings", sa.String(20000), nullable=False),
        sa.Column("files", sa.String(2000), nullable=False, server_default=""),
        sa.Column("actor", sa.String(100), nullable=False),
        sa.Column("at", UTCDateTime(), nullable=False),
    )
    op.create_table(
        "esf_audit",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("at", UTCDateTime(), nullable=False),
        sa.Column("actor", sa.String(100), nullable=False),
        sa.Column("action", sa.String(40), nullable=False),
        sa.Column("municipality_id", sa.Integer, sa.ForeignKey("municipality.id"), nullable=True),
        sa.Column("subject", sa.String(200), nullable=False, server_default=""),
        sa.Column("detail", sa.String(4000), nullable=False, server_default=""),
    )
    op.create_index("ix_esf_audit_at", "esf_audit", ["at"])


def _key(name: str) -> str:
    return " ".join(unicodedata.normalize("NFC", name).split()).casefold()


def _day(value: Any) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value)[:10])


def _local_day(value: Any) -> date:
    at = value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
    at = at.replace(tzinfo=UTC) if at.tzinfo is None else at
    return at.astimezone(ZONE).date()


def _stage(state: str) -> str:
    return state.split(".", 1)[0].split(",", 1)[0]


def _map_people(conn: sa.Connection) -> None:
    """One person per municipality and name (case and spacing ignored), review notes where unsure."""
    now = datetime.now(UTC)
    entries = conn.execute(sa.text("SELECT te.id, te.municipality_id, te.person, te.date, te.hours, m.name "
                                   "FROM time_entry te JOIN municipality m ON m.id = te.municipality_id "
                                   "ORDER BY te.id")).all()
    if not entries:
        return
    names: dict[int, str] = {}
    spellings: dict[tuple[int, str], Counter[str]] = defaultdict(Counter)
    for _id, mid, person, _date, _hours, mname in entries:
        names[mid] = mname
        spellings[(mid, _key(person))][" ".join(unicodedata.normalize("NFC", person).split())] += 1
    municipalities_of: dict[str, set[int]] = defaultdict(set)
    for mid, key in spellings:
        municipalities_of[key].add(mid)
    person_ids: dict[tuple[int, str], int] = {}
    canonical: dict[tuple[int, str], str] = {}
    for (mid, key), counter in sorted(spellings.items()):
        name = counter.most_common(1)[0][0]
        canonical[(mid, key)] = name
        notes = []
        if len(counter) > 1:
            notes.append("merged spellings: " + ", ".join(repr(s) for s in sorted(counter)))
        others = sorted(names[o] for o in municipalities_of[key] if o != mid)
        if others:
            notes.append(f"the same name has entries in {', '.join(others)}: check whether it is one person "
                         "(the 1 662 h ceiling counts each registered person)")
        similar = [canonical.get((mid, k)) or spellings[(mid, k)].most_common(1)[0][0]
                   for (m2, k) in spellings if m2 == mid and k != key
                   and difflib.SequenceMatcher(None, k, key).ratio() >= 0.85]
        if similar:
            notes.append("similar name in the same municipality: " + ", ".join(repr(s) for s in sorted(similar))
                         + " (if it is the same person, move the entries with `journey hours correct --person`)")
        note = "; ".join(notes)
        conn.execute(sa.text("INSERT INTO person (municipality_id, name, name_key, kind, function, department, "
                             "salary_group, username, review_note, created_by, created_at, updated_by) VALUES "
                             "(:mid, :name, :key, 'PARTICIPANT', '', '', '', '', :note, :actor, :at, '')"),
                     {"mid": mid, "name": name, "key": key, "note": note[:1000], "actor": ACTOR, "at": now})
        person_id = conn.execute(sa.text("SELECT id FROM person WHERE municipality_id = :mid AND name_key = :key"),
                                 {"mid": mid, "key": key}).scalar_one()
        person_ids[(mid, key)] = int(person_id)
        conn.execute(sa.text("INSERT INTO esf_audit (at, actor, action, municipality_id, subject, detail) VALUES "
                             "(:at, :actor, 'PERSON_MIGRATED', :mid, :name, :detail)"),
                     {"at": now, "actor": ACTOR, "mid": mid, "name": name,
                      "detail": json.dumps({"entries": sum(counter.values()), "spellings": sorted(counter),
                                            "review_note": note}, ensure_ascii=False)[:4000]})
    changes: dict[int, list[tuple[date, str]]] = defaultdict(list)
    for mid, at, to_state in conn.execute(sa.text(
            "SELECT c.municipality_id, h.at, h.to_state FROM case_history h "
            "JOIN journey_case c ON c.id = h.case_id ORDER BY h.case_id, h.seq")):
        changes[int(mid)].append((_local_day(at), _stage(to_state or "")))
    updates = []
    for entry_id, mid, person, day, hours, _mname in entries:
        pair = (mid, _key(person))
        stage = ""
        for when, s in changes.get(mid, []):
            if when > _day(day):
                break
            stage = s
        updates.append({"id": entry_id, "pid": person_ids[pair], "name": canonical[pair], "q": int(hours) * 4,
                        "stage": stage})
    conn.execute(sa.text("UPDATE time_entry SET person_id = :pid, person = :name, quarters = :q, stage = :stage "
                         "WHERE id = :id"), updates)


def _swap_column(table: str, old: str, new: str, value: str) -> None:
    """Replace integer column ``old`` by ``new`` = ``value``, in place.

    On SQLite this uses ALTER TABLE (SQLite 3.35 or later) instead of batch mode: recreating
    network_meeting would drop a table that time entries reference, which foreign keys refuse.
    """
    if op.get_bind().dialect.name == "sqlite":
        op.execute(f"ALTER TABLE {table} ADD COLUMN {new} INTEGER NOT NULL DEFAULT 0")
        op.execute(f"UPDATE {table} SET {new} = {value}")
        op.execute(f"ALTER TABLE {table} DROP COLUMN {old}")
        return
    op.add_column(table, sa.Column(new, sa.Integer, nullable=True))
    op.execute(f"UPDATE {table} SET {new} = {value}")
    op.alter_column(table, new, existing_type=sa.Integer, nullable=False)
    op.drop_column(table, old)


def upgrade() -> None:
    _tables()
    _swap_column("network_meeting", "hours", "quarters", "hours * 4")
    with op.batch_alter_table("time_entry") as batch:
        batch.add_column(sa.Column("person_id", sa.Integer, nullable=True))
        batch.add_column(sa.Column("quarters", sa.Integer, nullable=True))
        batch.add_column(sa.Column("kind", sa.String(20), nullable=False, server_default="ENTRY"))
        batch.add_column(sa.Column("corrects_id", sa.Integer, nullable=True))
        batch.add_column(sa.Column("reason", sa.String(500), nullable=False, server_default=""))
        batch.add_column(sa.Column("claim_period_id", sa.Integer, nullable=True))
    _map_people(op.get_bind())
    with op.batch_alter_table("time_entry") as batch:
        batch.drop_constraint("uq_time_entry_meeting_person", type_="unique")
        batch.drop_constraint("ck_time_entry_hours_positive", type_="check")
        batch.drop_column("hours")
        batch.alter_column("person_id", existing_type=sa.Integer, nullable=False)
        batch.alter_column("quarters", existing_type=sa.Integer, nullable=False)
        batch.create_foreign_key("fk_time_entry_person", "person", ["person_id"], ["id"])
        batch.create_foreign_key("fk_time_entry_corrects", "time_entry", ["corrects_id"], ["id"])
        batch.create_foreign_key("fk_time_entry_claim_period", "claim_period", ["claim_period_id"], ["id"])
        batch.create_check_constraint("ck_time_entry_quarters_nonzero", "quarters <> 0")
    op.create_index("ix_time_entry_person_date", "time_entry", ["person_id", "date"])
    op.create_index("uq_time_entry_attendance", "time_entry", ["meeting_id", "person_id"], unique=True,
                    sqlite_where=WHERE_ATTENDANCE, postgresql_where=WHERE_ATTENDANCE)
    _protect()


def downgrade() -> None:
    _unprotect()
    op.drop_index("uq_time_entry_attendance", table_name="time_entry")
    op.drop_index("ix_time_entry_person_date", table_name="time_entry")
    op.execute("DELETE FROM time_entry WHERE kind <> 'ENTRY'")
    with op.batch_alter_table("time_entry") as batch:
        batch.add_column(sa.Column("hours", sa.Integer, nullable=True))
    op.execute("UPDATE time_entry SET hours = (quarters + 3) / 4")
    with op.batch_alter_table("time_entry") as batch:
        batch.drop_constraint("ck_time_entry_quarters_nonzero", type_="check")
        batch.drop_constraint("fk_time_entry_person", type_="foreignkey")
        batch.drop_constraint("fk_time_entry_corrects", type_="foreignkey")
        batch.drop_constraint("fk_time_entry_claim_period", type_="foreignkey")
        for column in ("person_id", "quarters", "kind", "corrects_id", "reason", "claim_period_id"):
            batch.drop_column(column)
        batch.alter_column("hours", existing_type=sa.Integer, nullable=False)
        batch.create_check_constraint("ck_time_entry_hours_positive", "hours > 0")
        batch.create_unique_constraint("uq_time_entry_meeting_person", ["meeting_id", "municipality_id", "person"])
    _swap_column("network_meeting", "quarters", "hours", "(quarters + 3) / 4")
    op.drop_index("ix_esf_audit_at", table_name="esf_audit")
    op.drop_table("esf_audit")
    op.drop_table("hours_export")
    op.drop_table("esf_setting")
    op.drop_index("ix_hours_attestation_person_month", table_name="hours_attestation")
    op.drop_table("hours_attestation")
    op.drop_table("claim_period")
    op.drop_table("person")
