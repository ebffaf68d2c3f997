"""Municipalities, users and cases in plain SQL: every unit of work uses these (no ORM twin)."""

from __future__ import annotations

import builtins
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

from journey.adapters.dbapi.connection import Db
from journey.adapters.sql.errors import CONFLICT
from journey.adapters.sql.stored import loads, utc
from journey.domain.case import Case, CaseStatus, HistoryEntry, HistoryKind
from journey.domain.errors import ConcurrentChangeError, NotFoundError
from journey.domain.messages import msg
from journey.domain.municipality import Municipality, normalize_name, slugify

_MUNICIPALITY = "id, code, name, county, workflow"
_USER = ("id", "username", "display_name", "email", "phone", "role", "municipality_id", "created_at")
_CASE = ("id, municipality_id, workflow, workflow_version, state, status, opened_at, stage_entered_at, updated_at, "
         "version")
_HISTORY = "case_id, kind, from_state, to_state, trigger, actor, at, evidence, comment, seq"


def _municipality(r: tuple[Any, ...]) -> Municipality:
    return Municipality(r[0], r[1], r[2], r[3], r[4])


class PlainMunicipalityRepository:
    def __init__(self, db: Db) -> None:
        self.db = db

    def add(self, m: Municipality) -> Municipality:
        name = normalize_name(m.name)
        new_id = self.db.insert("municipality", {"code": m.code, "name": name, "slug": slugify(m.name),
                                                 "county": m.county, "workflow": m.workflow,
                                                 "created_at": datetime.now(UTC)})
        return Municipality(new_id, m.code, name, m.county, m.workflow)

    def find(self, query: str) -> Municipality | None:
        q = normalize_name(query)  # each column has a unique index
        row = self.db.one(f"SELECT {_MUNICIPALITY} FROM municipality WHERE code = ? OR slug = ? OR name = ? "
                          "ORDER BY name LIMIT 1", (q, slugify(q), q))
        return _municipality(row) if row else None

    def get(self, municipality_id: int) -> Municipality:
        row = self.db.one(f"SELECT {_MUNICIPALITY} FROM municipality WHERE id = ?", (municipality_id,))
        if row is None:
            raise NotFoundError(msg("no municipality with id {municipality_id}", municipality_id=municipality_id))
        return _municipality(row)

    def list(self) -> list[Municipality]:
        return [_municipality(r) for r in self.db.all(f"SELECT {_MUNICIPALITY} FROM municipality ORDER BY name")]

    def set_workflow(self, municipality_id: int, workflow: str) -> None:
        self.db.execute("UPDATE municipality SET workflow = ? WHERE id = ?", (workflow, municipality_id))


def _user(r: tuple[Any, ...]) -> dict[str, Any]:
    user = dict(zip(_USER, r, strict=True))
    user["created_at"] = utc(user["created_at"])
    return user


class PlainUserRepository:
    def __init__(self, db: Db) -> None:
        self.db = db

    def add(self, username: str, role: str, municipality_id: int | None, display_name: str, email: str,
            phone: str = "") -> None:
        self.db.insert("app_user", {"username": username, "role": role, "municipality_id": municipality_id,
                                    "display_name": display_name, "email": email, "phone": phone,
                                    "created_at": datetime.now(UTC)})

    def find(self, username: str) -> dict[str, Any] | None:
        row = self.db.one(f"SELECT {', '.join(_USER)} FROM app_user WHERE username = ?", (username,))
        return _user(row) if row else None

    def count(self) -> int:
        return int(self.db.scalar("SELECT COUNT(*) FROM app_user"))

    def list(self) -> list[dict[str, Any]]:
        return [_user(r) for r in self.db.all(f"SELECT {', '.join(_USER)} FROM app_user ORDER BY username")]

    def with_role(self, role: str, municipality_id: int | None = None) -> builtins.list[dict[str, Any]]:
        sql = f"SELECT {', '.join(_USER)} FROM app_user WHERE role = ?"
        params: builtins.list[Any] = [role]
        if municipality_id is not None:  # the (role, municipality) index
            sql, params = sql + " AND municipality_id = ?", [role, municipality_id]
        return [_user(r) for r in self.db.all(sql + " ORDER BY username", params)]


def _case(r: tuple[Any, ...]) -> Case:
    return Case(r[0], r[1], r[2], r[3], r[4], CaseStatus(r[5]), utc(r[6]), utc(r[7]), utc(r[8]), r[9])


def _stored(case: Case) -> tuple[Any, ...]:
    return (case.workflow, case.workflow_version, case.state, case.stage, case.status.value, case.stage_entered_at,
            case.updated_at)


def _entry(r: tuple[Any, ...]) -> HistoryEntry:
    return HistoryEntry(r[0], HistoryKind(r[1]), r[2], r[3], r[4], r[5], utc(r[6]), dict(loads(r[7]) or {}), r[8],
                        r[9])


class PlainCaseRepository:
    """Saving writes only a changed case, with ``WHERE version = <loaded>`` (optimistic lock).

    A case this transaction has written is read back from memory until the transaction ends: its row
    is locked (PostgreSQL's row lock, SQLite's write lock), so the database would give the same values.
    The handlers of one advance read it several times.
    """

    def __init__(self, db: Db) -> None:
        self.db = db
        self._loaded: dict[int, tuple[int, tuple[Any, ...]]] = {}  # id -> (version, stored values) as loaded
        self._written: dict[int, Case] = {}  # id -> the case as this transaction wrote it

    def _wrote(self, case: Case) -> None:
        assert case.id is not None
        self._written[case.id] = replace(case, opened_at=utc(case.opened_at), updated_at=utc(case.updated_at),
                                         stage_entered_at=utc(case.stage_entered_at))

    def transaction_ended(self) -> None:
        """Forget what this transaction wrote (its locks are gone: the next read asks the database)."""
        self._written.clear()

    def _track(self, row: tuple[Any, ...]) -> Case:
        case = _case(row)
        assert case.id is not None
        self._loaded[case.id] = (case.version, _stored(case))
        return case

    def for_municipality(self, municipality_id: int) -> Case | None:
        row = self.db.one(f"SELECT {_CASE} FROM journey_case WHERE municipality_id = ?", (municipality_id,))
        return self._track(row) if row else None

    def get(self, case_id: int) -> Case:
        if case_id in self._written:
            return replace(self._written[case_id])
        row = self.db.one(f"SELECT {_CASE} FROM journey_case WHERE id = ?", (case_id,))
        if row is None:
            raise NotFoundError(msg("no case with id {case_id}", case_id=case_id))
        return self._track(row)

    def all(self) -> list[Case]:
        return [self._track(r) for r in self.db.all(f"SELECT {_CASE} FROM journey_case ORDER BY id")]

    def add(self, case: Case) -> Case:
        case.id = self.db.insert("journey_case", {
            "municipality_id": case.municipality_id, "workflow": case.workflow,
            "workflow_version": case.workflow_version, "state": case.state, "stage": case.stage,
            "status": case.status.value, "opened_at": case.opened_at, "stage_entered_at": case.stage_entered_at,
            "updated_at": case.updated_at, "version": 1})
        case.version = 1
        self._loaded[case.id] = (1, _stored(case))
        self._wrote(case)
        return case

    def save(self, case: Case) -> None:
        assert case.id is not None
        version, before = self._loaded[case.id]
        now = _stored(case)
        if now == before:
            return
        done = self.db.execute("UPDATE journey_case SET workflow = ?, workflow_version = ?, state = ?, stage = ?, "
                               "status = ?, stage_entered_at = ?, updated_at = ?, version = ? "
                               "WHERE id = ? AND version = ?", (*now, version + 1, case.id, version))
        if done.rowcount != 1:
            raise ConcurrentChangeError(CONFLICT)
        self._loaded[case.id] = (version + 1, now)
        case.version = version + 1
        self._wrote(case)

    def append_history(self, entry: HistoryEntry) -> HistoryEntry:
        last = self.db.scalar("SELECT MAX(seq) FROM case_history WHERE case_id = ?", (entry.case_id,))
        seq = (last or 0) + 1
        self.db.insert("case_history", {
            "case_id": entry.case_id, "seq": seq, "kind": entry.kind.value, "from_state": entry.from_state,
            "to_state": entry.to_state, "trigger": entry.trigger, "actor": entry.actor, "at": entry.at,
            "evidence": entry.evidence, "comment": entry.comment})
        return HistoryEntry(entry.case_id, entry.kind, entry.from_state, entry.to_state, entry.trigger, entry.actor,
                            utc(entry.at), dict(entry.evidence), entry.comment, seq)

    def history(self, case_id: int) -> list[HistoryEntry]:
        rows = self.db.all(f"SELECT {_HISTORY} FROM case_history WHERE case_id = ? ORDER BY seq", (case_id,))
        return [_entry(r) for r in rows]
