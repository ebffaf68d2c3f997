"""ESF time reporting in plain SQL (the ORM's twins: adapters/sql/repositories/hours.py).

Time entries are append-only: rows are inserted and, when a claim period is locked, the
unassigned rows it covers get its id; nothing else changes or deletes them.
"""

from __future__ import annotations

import builtins
import json
from collections.abc import Sequence
from datetime import date as Date
from datetime import datetime
from typing import Any

from journey.adapters.dbapi.connection import Db, among
from journey.adapters.sql.stored import day, utc
from journey.domain.errors import NotFoundError
from journey.domain.esf import Attestation, ClaimPeriod, ClaimStatus, EntryKind, MonthStatus, month_bounds
from journey.domain.hours import Activity, EntryTotal, MeetingKind, NetworkMeeting, TimeEntry
from journey.domain.messages import msg
from journey.domain.people import Person, PersonKind, person_key

_ENTRY = ("id, municipality_id, person_id, person, date, quarters, activity, description, stage, meeting_id, kind, "
          "corrects_id, reason, claim_period_id, created_by, created_at")
_MEETING = "id, kind, date, title, quarters, municipality_id"
_PERIOD = "id, name, start_date, end_date, status, locked_by, locked_at"
_ATTESTATION = "person_id, month, kind, actor, at, last_entry_id, quarters, method"
_PERSON = ("id, municipality_id, name, kind, function, department, share_percent, salary_group, unit_cost_ore, "
           "start_date, end_date, username, review_note")
_AUDIT = ("id", "at", "actor", "action", "municipality_id", "subject", "detail")
_EXPORT = {"claim_period_id": None, "year": None, "municipality_id": None, "settings": None, "files": "",
           "actor": None, "at": None}  # the columns of hours_export and the model's defaults


def _entry(r: tuple[Any, ...]) -> TimeEntry:
    return TimeEntry(r[1], r[2], r[3], day(r[4]), r[5], Activity(r[6]), r[7], r[8], r[9], EntryKind(r[10]), r[11],
                     r[12], r[13], r[0], r[14], utc(r[15]))


def _meeting(r: tuple[Any, ...]) -> NetworkMeeting:
    return NetworkMeeting(MeetingKind(r[1]), day(r[2]), r[3], r[4], r[5], r[0])


def _period(r: tuple[Any, ...]) -> ClaimPeriod:
    return ClaimPeriod(r[0], r[1], day(r[2]), day(r[3]), ClaimStatus(r[4]), r[5], utc(r[6]))


_KINDS = {kind.value: kind for kind in PersonKind}  # thousands of people per summary: a look-up, not an Enum call


def _person(r: tuple[Any, ...]) -> Person:
    return Person(r[0], r[1], r[2], _KINDS.get(r[3]) or PersonKind(r[3]), r[4], r[5], r[6], r[7], r[8], day(r[9]),
                  day(r[10]), r[11], r[12])


def _range(first: Date | None, last: Date | None) -> tuple[list[str], list[Any]]:
    where: list[str] = []
    params: list[Any] = []
    if first is not None:
        where.append("date >= ?")
        params.append(first)
    if last is not None:
        where.append("date <= ?")
        params.append(last)
    return where, params


def _where(conditions: list[str]) -> str:
    return f" WHERE {' AND '.join(conditions)}" if conditions else ""


class PlainHoursRepository:
    """``uow.hours``: writes and reads inside the caller's transaction."""

    def __init__(self, db: Db) -> None:
        self.db = db

    def _year(self) -> str:
        """The calendar year of a row's date, as SQLAlchemy's ``extract('year', ...)`` renders it."""
        return "EXTRACT(year FROM date)" if self.db.pg else "CAST(STRFTIME('%Y', date) AS INTEGER)"

    # entries

    def add_entry(self, entry: TimeEntry, actor: str, at: datetime) -> int:
        return self.db.insert("time_entry", {
            "municipality_id": entry.municipality_id, "person_id": entry.person_id, "person": entry.person,
            "date": entry.day, "quarters": entry.quarters, "activity": entry.activity.value,
            "description": entry.description, "stage": entry.stage, "meeting_id": entry.meeting_id,
            "kind": entry.kind.value, "corrects_id": entry.corrects_id, "reason": entry.reason,
            "claim_period_id": entry.claim_period_id, "created_by": actor, "created_at": at})

    def entry(self, entry_id: int) -> TimeEntry | None:
        row = self.db.one(f"SELECT {_ENTRY} FROM time_entry WHERE id = ?", (entry_id,))
        return _entry(row) if row else None

    def followers(self, entry_id: int) -> list[TimeEntry]:
        """The rows that correct, reverse or withdraw ``entry_id``, oldest first."""
        rows = self.db.all(f"SELECT {_ENTRY} FROM time_entry WHERE corrects_id = ? ORDER BY id", (entry_id,))
        return [_entry(r) for r in rows]

    def rows(self, first: Date | None = None, last: Date | None = None, municipality_id: int | None = None,
             person_id: int | None = None) -> list[TimeEntry]:
        """Every row in the date range (both ends included), by date, person and id."""
        where, params = _range(first, last)
        if municipality_id is not None:
            where.append("municipality_id = ?")
            params.append(municipality_id)
        if person_id is not None:
            where.append("person_id = ?")
            params.append(person_id)
        rows = self.db.all(f"SELECT {_ENTRY} FROM time_entry{_where(where)} ORDER BY date, person, id", params)
        return [_entry(r) for r in rows]

    def totals(self, first: Date | None, last: Date | None,
               municipality_ids: Sequence[int] | None) -> list[EntryTotal]:
        """One GROUP BY: memory follows people, not the number of rows. Within one calendar year the
        year is not computed per row."""
        one_year = first is not None and last is not None and first.year == last.year
        year = str(int(first.year)) if one_year and first is not None else self._year()
        where, params = _range(first, last)
        if municipality_ids is not None:
            condition, ids = among("municipality_id", sorted(set(municipality_ids)))
            where.append(condition)
            params += ids
        group = "municipality_id, person_id" + ("" if one_year else f", {year}")
        rows = self.db.all(f"SELECT municipality_id, person_id, {year}, SUM(quarters), "
                           f"SUM(CASE WHEN meeting_id IS NULL THEN 0 ELSE quarters END) "
                           f"FROM time_entry{_where(where)} GROUP BY {group}", params)
        return [EntryTotal(int(m), int(p), int(y), int(q), int(mq)) for m, p, y, q, mq in rows]

    def year_totals(self, person_ids: Sequence[int], first: Date | None = None,
                    last: Date | None = None) -> dict[tuple[int, int], int]:
        year = self._year()
        condition, params = among("person_id", sorted(set(person_ids)))
        where, dates = _range(first, last)
        rows = self.db.all(f"SELECT person_id, {year}, SUM(quarters) FROM time_entry{_where([condition, *where])} "
                           f"GROUP BY person_id, {year}", [*params, *dates])
        return {(int(p), int(y)): int(q) for p, y, q in rows}

    def person_total(self, person_id: int, first: Date, last: Date) -> int:
        return int(self.db.scalar("SELECT COALESCE(SUM(quarters), 0) FROM time_entry "
                                  "WHERE person_id = ? AND date >= ? AND date <= ?", (person_id, first, last)))

    def month_rows(self, person_id: int, month: str) -> tuple[int, int]:
        """(total quarter hours, id of the newest row) of the person's month; (0, 0) when empty."""
        first, last = month_bounds(month)
        row = self.db.one("SELECT COALESCE(SUM(quarters), 0), COALESCE(MAX(id), 0) FROM time_entry "
                          "WHERE person_id = ? AND date >= ? AND date <= ?", (person_id, first, last))
        assert row is not None
        total, newest = row
        return int(total), int(newest or 0)

    def attended(self, meeting_id: int, person_id: int) -> bool:
        row = self.db.one("SELECT id FROM time_entry WHERE meeting_id = ? AND person_id = ? AND kind = ? LIMIT 1",
                          (meeting_id, person_id, EntryKind.ENTRY.value))
        return row is not None

    # meetings

    def add_meeting(self, meeting: NetworkMeeting, actor: str, at: datetime) -> NetworkMeeting:
        new_id = self.db.insert("network_meeting", {
            "kind": meeting.kind.value, "date": meeting.day, "title": meeting.title, "quarters": meeting.quarters,
            "municipality_id": meeting.municipality_id, "created_by": actor, "created_at": at})
        return NetworkMeeting(MeetingKind(meeting.kind.value), meeting.day, meeting.title, meeting.quarters,
                              meeting.municipality_id, new_id)

    def meeting(self, meeting_id: int) -> NetworkMeeting | None:
        row = self.db.one(f"SELECT {_MEETING} FROM network_meeting WHERE id = ?", (meeting_id,))
        return _meeting(row) if row else None

    def meetings(self, first: Date, last: Date) -> list[NetworkMeeting]:
        rows = self.db.all(f"SELECT {_MEETING} FROM network_meeting WHERE date >= ? AND date <= ? "
                           "ORDER BY date, id", (first, last))
        return [_meeting(r) for r in rows]

    def attendance(self, first: Date, last: Date) -> list[tuple[int, int, int]]:
        """(meeting id, municipality id, person id) of every attendance still standing in the range."""
        rows = self.db.all("SELECT meeting_id, municipality_id, person_id FROM time_entry "
                           "WHERE meeting_id IS NOT NULL AND date >= ? AND date <= ? "
                           "GROUP BY meeting_id, municipality_id, person_id HAVING SUM(quarters) > 0", (first, last))
        return [(int(m or 0), int(mid), int(pid)) for m, mid, pid in rows]

    # claim periods

    def claim_periods(self) -> list[ClaimPeriod]:
        return [_period(r) for r in self.db.all(f"SELECT {_PERIOD} FROM claim_period ORDER BY start_date")]

    def add_claim_period(self, period: ClaimPeriod, actor: str, at: datetime) -> ClaimPeriod:
        """A new period is stored open or as given, never locked by anyone (the model's defaults)."""
        new_id = self.db.insert("claim_period", {
            "name": period.name, "start_date": period.start, "end_date": period.end, "status": period.status.value,
            "created_by": actor, "created_at": at, "locked_by": "", "locked_at": None})
        return ClaimPeriod(new_id, period.name, period.start, period.end, ClaimStatus(period.status.value), "", None)

    def lock_claim_period(self, period_id: int, actor: str, at: datetime) -> int:
        """Lock the period and pin every unassigned row it covers to it; returns how many rows were pinned."""
        row = self.db.one("SELECT start_date, end_date FROM claim_period WHERE id = ?", (period_id,))
        if row is None:
            raise NotFoundError(msg("no claim period with id {period_id}", period_id=period_id))
        self.db.execute("UPDATE claim_period SET status = ?, locked_by = ?, locked_at = ? WHERE id = ?",
                        (ClaimStatus.LOCKED.value, actor, at, period_id))
        pinned = self.db.execute("UPDATE time_entry SET claim_period_id = ? "
                                 "WHERE claim_period_id IS NULL AND date >= ? AND date <= ?",
                                 (period_id, day(row[0]), day(row[1])))
        return int(pinned.rowcount or 0)

    # attestations

    def attestations(self, person_ids: Sequence[int] | None = None) -> list[Attestation]:
        where: list[str] = []
        params: list[int] = []
        if person_ids is not None:
            condition, params = among("person_id", list(person_ids))
            where.append(condition)
        rows = self.db.all(f"SELECT {_ATTESTATION} FROM hours_attestation{_where(where)} ORDER BY id", params)
        return [Attestation(r[0], r[1], MonthStatus(r[2]), r[3], utc(r[4]), r[5], r[6], r[7]) for r in rows]

    def add_attestation(self, attestation: Attestation) -> None:
        self.db.insert("hours_attestation", {
            "person_id": attestation.person_id, "month": attestation.month, "kind": attestation.kind.value,
            "method": attestation.method, "last_entry_id": attestation.last_entry_id,
            "quarters": attestation.quarters, "actor": attestation.actor, "at": attestation.at})

    # settings, exports, audit

    def settings(self) -> dict[str, str]:
        return {k: v for k, v in self.db.all("SELECT key, value FROM esf_setting")}

    def set_setting(self, key: str, value: str, actor: str, at: datetime) -> None:
        if self.db.one("SELECT key FROM esf_setting WHERE key = ?", (key,)) is None:
            self.db.execute("INSERT INTO esf_setting (key, value, changed_by, changed_at) VALUES (?, ?, ?, ?)",
                            (key, value, actor, at))
        else:
            self.db.execute("UPDATE esf_setting SET value = ?, changed_by = ?, changed_at = ? WHERE key = ?",
                            (value, actor, at, key))

    def add_export(self, row: dict[str, Any]) -> int:
        unknown = set(row) - set(_EXPORT)
        if unknown:  # column names go into the statement: only the table's own
            raise TypeError(f"hours_export has no column {sorted(unknown)}")
        return self.db.insert("hours_export", {**_EXPORT, **row})

    def audit(self, action: str, actor: str, at: datetime, municipality_id: int | None, subject: str,
              detail: dict[str, Any]) -> None:
        self.db.insert("esf_audit", {"at": at, "actor": actor, "action": action, "municipality_id": municipality_id,
                                     "subject": subject[:200],
                                     "detail": json.dumps(detail, ensure_ascii=False, default=str)[:4000]})

    def audit_log(self, municipality_ids: Sequence[int] | None, limit: int) -> list[dict[str, Any]]:
        where: list[str] = []
        params: list[Any] = []
        if municipality_ids is not None:
            condition, ids = among("municipality_id", list(municipality_ids))
            where.append(condition)
            params += ids
        rows = self.db.all(f"SELECT {', '.join(_AUDIT)} FROM esf_audit{_where(where)} ORDER BY id DESC LIMIT ?",
                           [*params, int(limit)])
        return [{"id": r[0], "at": utc(r[1]), "actor": r[2], "action": r[3], "municipality_id": r[4],
                 "subject": r[5], "detail": json.loads(r[6] or "{}")} for r in rows]


class PlainPeopleRepository:
    """``uow.people``: the people who report time, per municipality."""

    def __init__(self, db: Db) -> None:
        self.db = db

    def add(self, person: Person, actor: str, at: datetime) -> Person:
        new_id = self.db.insert("person", {
            "municipality_id": person.municipality_id, "name": person.name, "name_key": person_key(person.name),
            **self._fill(person), "created_by": actor, "created_at": at, "updated_by": "", "updated_at": None})
        return Person(new_id, person.municipality_id, person.name, PersonKind(person.kind.value), person.function,
                      person.department, person.share_percent, person.salary_group, person.unit_cost_ore,
                      person.start, person.end, person.username, person.review_note)

    def save(self, person: Person, actor: str, at: datetime) -> None:
        values = {"name": person.name, "name_key": person_key(person.name), **self._fill(person),
                  "updated_by": actor, "updated_at": at}
        done = self.db.execute(f"UPDATE person SET {', '.join(f'{k} = ?' for k in values)} WHERE id = ?",
                               [*values.values(), person.id])
        if done.rowcount != 1:
            raise NotFoundError(msg("no person with id {id}", id=person.id))

    @staticmethod
    def _fill(person: Person) -> dict[str, Any]:
        return {"kind": person.kind.value, "function": person.function, "department": person.department,
                "share_percent": person.share_percent, "salary_group": person.salary_group,
                "unit_cost_ore": person.unit_cost_ore, "start_date": person.start, "end_date": person.end,
                "username": person.username, "review_note": person.review_note}

    def get(self, person_id: int) -> Person:
        row = self.db.one(f"SELECT {_PERSON} FROM person WHERE id = ?", (person_id,))
        if row is None:
            raise NotFoundError(msg("no person with id {person_id}", person_id=person_id))
        return _person(row)

    def lock(self, person_id: int) -> None:
        """Hold the person's row until the transaction ends (PostgreSQL; SQLite's write lock is already held)."""
        self.db.one("SELECT id FROM person WHERE id = ?" + (" FOR UPDATE" if self.db.pg else ""), (person_id,))

    def list(self, municipality_id: int | None = None) -> builtins.list[Person]:
        """Every person (of one municipality), by municipality and name."""
        where, params = ("", []) if municipality_id is None else (" WHERE municipality_id = ?", [municipality_id])
        rows = self.db.all(f"SELECT {_PERSON} FROM person{where} ORDER BY municipality_id, name_key", params)
        return [_person(r) for r in rows]
