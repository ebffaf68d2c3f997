"""Fakes of ESF time reporting's ports: ``uow.hours`` and ``uow.people``.

They keep the semantics of ``journey.adapters.sql.repositories.hours``: time entries are
append-only (a correction adds rows, nothing is changed or deleted, except that locking a claim
period pins the unassigned rows it covers), stored settings are only what was set (the defaults
live in ``EsfSettings``), and a person's lock is a no-op because a fake unit of work already has
the tables to itself. Where the database would refuse a row through a constraint that the SQL unit
of work translates, the fake raises the same journey error; a missing referenced row (a foreign
key the database would refuse untranslated) raises ``LookupError``, a bug in the caller.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from journey.domain.errors import ConcurrentChangeError, NotFoundError
from journey.domain.esf import Attestation, ClaimPeriod, ClaimStatus, EntryKind, month_bounds
from journey.domain.hours import EntryTotal, NetworkMeeting, TimeEntry
from journey.domain.people import Person, person_key
from tests.fakes.repositories import _Repository

# what PlainUnitOfWork's error mapping (adapters/sql/errors.classify) makes of a unique constraint on these tables
_SAME_TIME = "another user recorded the same at the same time; nothing was saved, try again"
_EXPORT_COLUMNS = {"claim_period_id", "year", "municipality_id", "settings", "files", "actor", "at"}
_EXPORT_REQUIRED = {"settings", "actor", "at"}


class FakeHoursRepository(_Repository):
    """``uow.hours``: entries, network meetings, claim periods, attestations, settings, exports and audit."""

    def _must_exist(self, table: dict[int, Any], key: int | None, what: str) -> None:
        if key is not None and key not in table:
            raise LookupError(f"{what} {key} does not exist (a foreign key the database would refuse)")

    # entries

    def add_entry(self, entry: TimeEntry, actor: str, at: datetime) -> int:
        if entry.quarters == 0:
            raise ValueError("a time entry of 0 quarter hours breaks ck_time_entry_quarters_nonzero")
        self._must_exist(self.t.municipalities, entry.municipality_id, "municipality")
        self._must_exist(self.t.people, entry.person_id, "person")
        self._must_exist(self.t.network_meetings, entry.meeting_id, "network meeting")
        self._must_exist(self.t.time_entries, entry.corrects_id, "time entry")
        self._must_exist(self.t.claim_periods, entry.claim_period_id, "claim period")
        if entry.kind is EntryKind.ENTRY and entry.meeting_id is not None and self.attended(entry.meeting_id,
                                                                                            entry.person_id):
            raise ConcurrentChangeError(_SAME_TIME)  # uq_time_entry_attendance
        entry_id = self.t.next_id("time_entry")
        self.t.time_entries[entry_id] = dataclasses.replace(entry, id=entry_id, created_by=actor, created_at=at)
        return entry_id

    def entry(self, entry_id: int) -> TimeEntry | None:
        return self.t.time_entries.get(entry_id)

    def _entries(self) -> list[TimeEntry]:
        return [e for _, e in sorted(self.t.time_entries.items())]

    def followers(self, entry_id: int) -> list[TimeEntry]:
        """The rows that correct, reverse or withdraw ``entry_id``, oldest first."""
        return [e for e in self._entries() if e.corrects_id == entry_id]

    def rows(self, first: date | None = None, last: date | None = None, municipality_id: int | None = None,
             person_id: int | None = None) -> list[TimeEntry]:
        """Every row in the date range (both ends included), by date, person and id."""
        found = [e for e in self._entries() if (first is None or e.day >= first) and (last is None or e.day <= last)
                 and municipality_id in (None, e.municipality_id) and person_id in (None, e.person_id)]
        return sorted(found, key=lambda e: (e.day, e.person, e.id or 0))

    def totals(self, first: date | None, last: date | None,
               municipality_ids: Sequence[int] | None) -> list[EntryTotal]:
        groups: dict[tuple[int, int, int], list[int]] = {}
        for e in self.rows(first, last):
            if municipality_ids is None or e.municipality_id in municipality_ids:
                sums = groups.setdefault((e.municipality_id, e.person_id, e.day.year), [0, 0])
                sums[0] += e.quarters
                sums[1] += e.quarters if e.meeting_id is not None else 0
        return [EntryTotal(*key, q, mq) for key, (q, mq) in groups.items()]

    def year_totals(self, person_ids: Sequence[int], first: date | None = None,
                    last: date | None = None) -> dict[tuple[int, int], int]:
        out: dict[tuple[int, int], int] = {}
        for e in self.rows(first, last):
            if e.person_id in person_ids:
                out[(e.person_id, e.day.year)] = out.get((e.person_id, e.day.year), 0) + e.quarters
        return out

    def person_total(self, person_id: int, first: date, last: date) -> int:
        return sum(e.quarters for e in self.rows(first, last, person_id=person_id))

    def month_rows(self, person_id: int, month: str) -> tuple[int, int]:
        """(total quarter hours, id of the newest row) of the person's month; (0, 0) when empty."""
        first, last = month_bounds(month)
        mine = self.rows(first, last, person_id=person_id)
        return sum(e.quarters for e in mine), max((e.id or 0 for e in mine), default=0)

    def attended(self, meeting_id: int, person_id: int) -> bool:
        return any(e.meeting_id == meeting_id and e.person_id == person_id and e.kind is EntryKind.ENTRY
                   for e in self.t.time_entries.values())

    # network meetings

    def add_meeting(self, meeting: NetworkMeeting, actor: str, at: datetime) -> NetworkMeeting:
        self._must_exist(self.t.municipalities, meeting.municipality_id, "municipality")
        stored = dataclasses.replace(meeting, id=self.t.next_id("network_meeting"))
        self.t.network_meetings[stored.id or 0] = {"meeting": stored, "created_by": actor, "created_at": at}
        return stored

    def meeting(self, meeting_id: int) -> NetworkMeeting | None:
        row = self.t.network_meetings.get(meeting_id)
        return row["meeting"] if row else None

    def meetings(self, first: date, last: date) -> list[NetworkMeeting]:
        found = [r["meeting"] for r in self.t.network_meetings.values() if first <= r["meeting"].day <= last]
        return sorted(found, key=lambda m: (m.day, m.id or 0))

    def attendance(self, first: date, last: date) -> list[tuple[int, int, int]]:
        """(meeting id, municipality id, person id) of every attendance still standing in the range."""
        sums: dict[tuple[int, int, int], int] = {}
        for e in self.rows(first, last):
            if e.meeting_id is not None:
                key = (e.meeting_id, e.municipality_id, e.person_id)
                sums[key] = sums.get(key, 0) + e.quarters
        return [key for key, total in sorted(sums.items()) if total > 0]

    # claim periods

    def claim_periods(self) -> list[ClaimPeriod]:
        return sorted(self.t.claim_periods.values(), key=lambda p: (p.start, p.id or 0))

    def add_claim_period(self, period: ClaimPeriod, actor: str, at: datetime) -> ClaimPeriod:
        if any(p.name == period.name for p in self.t.claim_periods.values()):
            raise ConcurrentChangeError(_SAME_TIME)  # claim_period.name is unique
        stored = ClaimPeriod(self.t.next_id("claim_period"), period.name, period.start, period.end, period.status)
        self.t.claim_periods[stored.id or 0] = stored
        return stored

    def lock_claim_period(self, period_id: int, actor: str, at: datetime) -> int:
        """Lock the period and pin every unassigned row it covers to it; returns how many rows were pinned."""
        period = self.t.claim_periods.get(period_id)
        if period is None:
            raise NotFoundError(f"no claim period with id {period_id}")
        self.t.claim_periods[period_id] = dataclasses.replace(period, status=ClaimStatus.LOCKED, locked_by=actor,
                                                              locked_at=at)
        pinned = [i for i, e in self.t.time_entries.items()
                  if e.claim_period_id is None and period.start <= e.day <= period.end]
        for i in pinned:
            self.t.time_entries[i] = dataclasses.replace(self.t.time_entries[i], claim_period_id=period_id)
        return len(pinned)

    # attestations

    def attestations(self, person_ids: Sequence[int] | None = None) -> list[Attestation]:
        return [a for _, a in sorted(self.t.attestations.items()) if person_ids is None or a.person_id in person_ids]

    def add_attestation(self, attestation: Attestation) -> None:
        self._must_exist(self.t.people, attestation.person_id, "person")
        self.t.attestations[self.t.next_id("hours_attestation")] = attestation

    # settings, exports, audit

    def settings(self) -> dict[str, str]:
        """Only what was stored: no row means the default of ``EsfSettings``."""
        return {key: row["value"] for key, row in self.t.esf_settings.items()}

    def set_setting(self, key: str, value: str, actor: str, at: datetime) -> None:
        self.t.esf_settings[key] = {"value": value, "changed_by": actor, "changed_at": at}

    def add_export(self, row: dict[str, Any]) -> int:
        unknown, missing = set(row) - _EXPORT_COLUMNS, _EXPORT_REQUIRED - set(row)
        if unknown or missing:
            raise TypeError(f"hours_export has no column {sorted(unknown)}, needs {sorted(missing)}")
        export_id = self.t.next_id("hours_export")
        self.t.hours_exports[export_id] = {"id": export_id, "claim_period_id": None, "year": None,
                                           "municipality_id": None, "files": "", **row}
        return export_id

    def audit(self, action: str, actor: str, at: datetime, municipality_id: int | None, subject: str,
              detail: dict[str, Any]) -> None:
        audit_id = self.t.next_id("esf_audit")
        self.t.esf_audit[audit_id] = {  # stored as the SQL table stores it: subject cut, detail as JSON text
            "id": audit_id, "at": at, "actor": actor, "action": action, "municipality_id": municipality_id,
            "subject": subject[:200], "detail": json.dumps(detail, ensure_ascii=False, default=str)[:4000]}

    def audit_log(self, municipality_ids: Sequence[int] | None, limit: int) -> list[dict[str, Any]]:
        found = [r for _, r in sorted(self.t.esf_audit.items(), reverse=True)
                 if municipality_ids is None or r["municipality_id"] in municipality_ids][:limit]
        return [{**r, "detail": json.loads(r["detail"] or "{}")} for r in found]


class FakePeopleRepository(_Repository):
    """``uow.people``: names are unique per municipality by :func:`person_key`, as ``uq_person_municipality_name``."""

    def _refuse_taken(self, person: Person, person_id: int | None) -> None:
        key = person_key(person.name)
        if any(i != person_id and row["municipality_id"] == person.municipality_id and row["name_key"] == key
               for i, row in self.t.people.items()):
            raise ConcurrentChangeError(_SAME_TIME)

    def add(self, person: Person, actor: str, at: datetime) -> Person:
        if person.municipality_id not in self.t.municipalities:
            raise LookupError(f"person refers to municipality {person.municipality_id}, which does not exist")
        self._refuse_taken(person, None)
        stored = dataclasses.replace(person, id=self.t.next_id("person"))
        self.t.people[stored.id or 0] = {"person": stored, "municipality_id": stored.municipality_id,
                                         "name_key": person_key(stored.name), "created_by": actor, "created_at": at,
                                         "updated_by": "", "updated_at": None}
        return stored

    def save(self, person: Person, actor: str, at: datetime) -> None:
        row = self.t.people.get(person.id or 0)
        if row is None:
            raise NotFoundError(f"no person with id {person.id}")
        # as the SQL update: every detail but the municipality, which a person never changes
        stored = dataclasses.replace(person, municipality_id=row["municipality_id"])
        self._refuse_taken(stored, person.id)
        row.update(person=stored, name_key=person_key(stored.name), updated_by=actor, updated_at=at)

    def get(self, person_id: int) -> Person:
        row = self.t.people.get(person_id)
        if row is None:
            raise NotFoundError(f"no person with id {person_id}")
        return row["person"]

    def list(self, municipality_id: int | None = None) -> list[Person]:
        found = [r for _, r in sorted(self.t.people.items()) if municipality_id in (None, r["municipality_id"])]
        return [r["person"] for r in sorted(found, key=lambda r: (r["municipality_id"], r["name_key"]))]

    def lock(self, person_id: int) -> None:
        """Nothing to hold: a fake unit of work works on its own copy and commits it whole."""
