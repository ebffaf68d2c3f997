"""In-memory repositories, one per port; each reads and writes its unit of work's copy of the tables."""

from __future__ import annotations

import copy
import dataclasses
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any

from journey.domain.case import Case, HistoryEntry
from journey.domain.deals import Deal, DealEvent
from journey.domain.document_jobs import DocumentJob, JobStatus, after_failure
from journey.domain.errors import ConcurrentChangeError, NotFoundError
from journey.domain.municipality import Municipality, normalize_name, slugify
from journey.domain.reminders import INTERRUPTED, Meeting, Reminder, ReminderStatus

if TYPE_CHECKING:
    from tests.fakes.unit_of_work import FakeUnitOfWork, Tables


class _Repository:
    def __init__(self, uow: FakeUnitOfWork) -> None:
        self._uow = uow

    @property
    def t(self) -> Tables:
        tables = self._uow._tables
        if tables is None:
            raise RuntimeError("repository used outside its unit of work (`with uow:`)")
        return tables


# --- core -----------------------------------------------------------------------------------------------------------


def _municipality(row: dict[str, Any]) -> Municipality:
    return Municipality(row["id"], row["code"], row["name"], row["county"], row["workflow"])


class FakeMunicipalityRepository(_Repository):
    def add(self, municipality: Municipality) -> Municipality:
        row: dict[str, Any] = {
            "id": self.t.next_id("municipality"), "code": municipality.code, "name": normalize_name(municipality.name),
            "slug": slugify(municipality.name), "county": municipality.county, "workflow": municipality.workflow,
            "created_at": self._uow.db.now()}
        self.t.municipalities[row["id"]] = row
        return _municipality(row)

    def find(self, query: str) -> Municipality | None:
        q = normalize_name(query)
        for row in self.t.municipalities.values():
            if row["code"] == q or row["slug"] == slugify(q) or row["name"] == q:
                return _municipality(row)
        return None

    def get(self, municipality_id: int) -> Municipality:
        if municipality_id not in self.t.municipalities:
            raise NotFoundError(f"no municipality with id {municipality_id}")
        return _municipality(self.t.municipalities[municipality_id])

    def list(self) -> list[Municipality]:
        return [_municipality(r) for r in sorted(self.t.municipalities.values(), key=lambda r: r["name"])]

    def set_workflow(self, municipality_id: int, workflow: str) -> None:
        self.t.municipalities[municipality_id]["workflow"] = workflow


class FakeUserRepository(_Repository):
    def add(self, username: str, role: str, municipality_id: int | None, display_name: str, email: str,
            phone: str = "") -> None:
        user_id = self.t.next_id("user")
        self.t.users[user_id] = {"id": user_id, "username": username, "display_name": display_name, "email": email,
                                 "phone": phone, "role": role, "municipality_id": municipality_id,
                                 "created_at": self._uow.db.now()}

    def find(self, username: str) -> dict[str, Any] | None:
        return next((dict(u) for u in self.t.users.values() if u["username"] == username), None)

    def count(self) -> int:
        return len(self.t.users)

    def list(self) -> list[dict[str, Any]]:
        return [dict(u) for u in sorted(self.t.users.values(), key=lambda u: u["username"])]

    def with_role(self, role: str, municipality_id: int | None = None) -> list[dict[str, Any]]:
        return [u for u in self.list() if u["role"] == role and municipality_id in (None, u["municipality_id"])]


class FakeCaseRepository(_Repository):
    """``save`` is optimistically locked like the SQL one: a stale case raises ConcurrentChangeError."""

    def for_municipality(self, municipality_id: int) -> Case | None:
        return next((copy.copy(c) for c in self.t.cases.values() if c.municipality_id == municipality_id), None)

    def get(self, case_id: int) -> Case:
        if case_id not in self.t.cases:
            raise NotFoundError(f"no case with id {case_id}")
        return copy.copy(self.t.cases[case_id])

    def add(self, case: Case) -> Case:
        case.id, case.version = self.t.next_id("case"), 1
        self.t.cases[case.id] = copy.copy(case)
        return case

    def save(self, case: Case) -> None:
        assert case.id is not None
        committed = self._uow.db.committed.cases.get(case.id)
        if committed is not None and committed.version != self._uow._versions_at_begin.get(case.id):
            raise ConcurrentChangeError("another user changed this case at the same time; nothing was saved, try again")
        case.version = self.t.cases[case.id].version + 1
        self.t.cases[case.id] = copy.copy(case)

    def append_history(self, entry: HistoryEntry) -> HistoryEntry:
        seq = max((h.seq for h in self.t.history if h.case_id == entry.case_id), default=0) + 1
        stored = dataclasses.replace(entry, evidence=copy.deepcopy(entry.evidence), seq=seq)
        self.t.history.append(stored)
        return copy.deepcopy(stored)

    def history(self, case_id: int) -> list[HistoryEntry]:
        return copy.deepcopy(sorted((h for h in self.t.history if h.case_id == case_id), key=lambda h: h.seq))

    def all(self) -> list[Case]:
        return [copy.copy(self.t.cases[i]) for i in sorted(self.t.cases)]


# --- reminders, board calendars, pauses -----------------------------------------------------------------------------

_REMINDER_FIELDS = {f.name for f in dataclasses.fields(Reminder)}


class FakeReminderRepository(_Repository):
    def add(self, reminder: Reminder) -> bool:
        if any(r.idempotency_key == reminder.idempotency_key for r in self.t.reminders.values()):
            return False
        reminder.id = self.t.next_id("reminder")
        self.t.reminders[reminder.id] = copy.deepcopy(reminder)
        return True

    def save(self, reminder: Reminder) -> None:
        assert reminder.id in self.t.reminders
        self.t.reminders[reminder.id] = copy.deepcopy(reminder)

    def get(self, reminder_id: int) -> Reminder | None:
        found = self.t.reminders.get(reminder_id)
        return copy.deepcopy(found) if found else None

    def _where(self, status: ReminderStatus, **filters: Any) -> list[Reminder]:
        rows = [r for _, r in sorted(self.t.reminders.items()) if r.status is status
                and all(getattr(r, k) == v for k, v in filters.items() if v is not None)]
        return copy.deepcopy(rows)

    def planned(self, *, case_id: int | None = None, municipality_id: int | None = None,
                state_path: str | None = None, anchor: str | None = None) -> list[Reminder]:
        return self._where(ReminderStatus.PLANNED, case_id=case_id, municipality_id=municipality_id,
                           state_path=state_path, anchor=anchor)

    def for_case(self, case_id: int, state_path: str | None = None) -> list[Reminder]:
        return copy.deepcopy([r for _, r in sorted(self.t.reminders.items()) if r.case_id == case_id
                              and (state_path is None or r.state_path == state_path)])

    def failed(self, *, municipality_id: int | None = None, reminder_id: int | None = None) -> list[Reminder]:
        return self._where(ReminderStatus.FAILED, municipality_id=municipality_id, id=reminder_id)

    def claim_due(self, now: datetime, limit: int, worker: str, lease_until: datetime) -> list[Reminder]:
        """Rows due by ``now`` (PLANNED, or SENDING with an ended lease) become SENDING for ``worker``."""
        due = [(r.send_after, i) for i, r in sorted(self.t.reminders.items())
               if r.status in (ReminderStatus.PLANNED, ReminderStatus.SENDING)
               and r.send_after is not None and r.send_after <= now]
        claimed = [self.t.reminders[i] for _, i in sorted(due)[:limit]]
        for r in claimed:  # no attempt counted: only a send that reaches the server counts
            if r.status is ReminderStatus.SENDING:  # its sender stopped mid-send
                r.last_error = INTERRUPTED
            r.status, r.claimed_by, r.send_after = ReminderStatus.SENDING, worker, lease_until
        return copy.deepcopy(sorted(claimed, key=lambda r: r.due_at or now))

    def hold(self, reminder_id: int, worker: str, now: datetime, lease: timedelta) -> bool:
        """Still SENDING for ``worker``; renewed to ``now + lease`` when less than half of it is left."""
        r = self.t.reminders.get(reminder_id)
        if r is None or r.status is not ReminderStatus.SENDING or r.claimed_by != worker:
            return False
        if r.send_after is None or r.send_after - now < lease / 2:
            r.send_after = now + lease
        return True

    def finish(self, reminder_id: int, worker: str, **values: Any) -> bool:
        """Compare-and-set: only the worker holding the claim may settle the row."""
        unknown = set(values) - _REMINDER_FIELDS
        if unknown:
            raise TypeError(f"reminder has no column {sorted(unknown)}")
        r = self.t.reminders.get(reminder_id)
        if r is None or r.status is not ReminderStatus.SENDING or r.claimed_by != worker:
            return False
        for name, value in values.items():
            setattr(r, name, ReminderStatus(value) if name == "status" else value)
        return True


def _meeting(row: dict[str, Any], board: dict[str, Any]) -> Meeting:
    return Meeting(row["id"], board["code"], board["name"] or board["code"], row["meeting_date"], row["start_time"],
                   row["location"], row["title"], row["sequence"], board.get("kallelse_days"))


class FakeBoardMeetingRepository(_Repository):
    def closed_periods(self, municipality_id: int) -> list[Any]:
        return sorted(self.t.closed_periods.get(municipality_id, []), key=lambda p: p.first_day)

    def add_closed_period(self, municipality_id: int, period: Any) -> None:
        self.t.closed_periods.setdefault(municipality_id, []).append(period)

    def remove_closed_periods(self, municipality_id: int, day: date | None = None) -> int:
        periods = self.t.closed_periods.get(municipality_id, [])
        kept = [p for p in periods if day is not None and day not in p]
        self.t.closed_periods[municipality_id] = kept
        return len(periods) - len(kept)

    def supporters(self, municipality_id: int) -> list[dict[str, Any]]:
        ids = {u for m, u in self.t.supporters if m == municipality_id}
        return sorted((dict(u) for i, u in self.t.users.items() if i in ids), key=lambda u: u["username"])

    def set_supporter(self, municipality_id: int, user_id: int, assigned: bool) -> bool:
        key = (municipality_id, user_id)
        if assigned == (key in self.t.supporters):
            return False
        (self.t.supporters.add if assigned else self.t.supporters.discard)(key)
        return True

    def _board(self, municipality_id: int, code: str) -> dict[str, Any] | None:
        for b in self.t.boards.values():
            if b["municipality_id"] == municipality_id and (
                    b["code"].casefold() == code.casefold() or (b["name"] and b["name"].casefold() == code.casefold())):
                return b
        return None

    def board(self, municipality_id: int, code: str) -> dict[str, Any] | None:
        found = self._board(municipality_id, code)
        return dict(found) if found else None

    def boards(self, municipality_id: int) -> list[dict[str, Any]]:
        rows = [b for b in self.t.boards.values() if b["municipality_id"] == municipality_id]
        return [dict(b) for b in sorted(rows, key=lambda b: b["code"])]

    def upsert_board(self, municipality_id: int, code: str, **details: str | int | None) -> int:
        board = self._board(municipality_id, code)
        if board is None:
            board_id = self.t.next_id("board")
            board = self.t.boards[board_id] = {"id": board_id, "municipality_id": municipality_id, "code": code,
                                               "name": "", "secretary_email": "", "chair_email": "",
                                               "kallelse_days": None}
        board.update({k: v for k, v in details.items() if v is not None and v != ""})
        return int(board["id"])

    def meetings(self, municipality_id: int, board_code: str | None = None) -> list[Meeting]:
        board = self._board(municipality_id, board_code) if board_code else None
        found = [_meeting(m, self.t.boards[m["board_id"]]) for m in self.t.board_meetings.values()
                 if self.t.boards[m["board_id"]]["municipality_id"] == municipality_id
                 and (not board_code or (board is not None and m["board_id"] == board["id"]))]
        return sorted(found, key=lambda m: (m.day, m.board_code))

    def meeting(self, meeting_id: int) -> Meeting | None:
        row = self.t.board_meetings.get(meeting_id)
        return _meeting(row, self.t.boards[row["board_id"]]) if row else None

    def _meeting_row(self, board_id: int, day: date) -> dict[str, Any] | None:
        return next((m for m in self.t.board_meetings.values() if m["board_id"] == board_id
                     and m["meeting_date"] == day), None)

    def upsert_meeting(self, board_id: int, day: date, **details: str) -> bool:
        row = self._meeting_row(board_id, day)
        created = row is None
        if row is None:
            meeting_id = self.t.next_id("board_meeting")
            row = self.t.board_meetings[meeting_id] = {"id": meeting_id, "board_id": board_id, "meeting_date": day,
                                                       "start_time": "", "location": "", "title": "", "source": "",
                                                       "source_uid": "", "sequence": 0}
        elif details.get("start_time") and details["start_time"] != row["start_time"]:
            row["sequence"] += 1  # a changed time is a new version of the meeting
        row.update({k: v for k, v in details.items() if v})
        return created

    def find_meeting(self, board_id: int, *, day: date | None = None, uid: str = "") -> Meeting | None:
        if day is not None:
            row = self._meeting_row(board_id, day)
        elif uid:
            row = next((m for m in self.t.board_meetings.values() if m["board_id"] == board_id
                        and m["source_uid"] == uid), None)
        else:
            return None
        return _meeting(row, self.t.boards[board_id]) if row else None

    def move_meeting(self, board_id: int, day: date, new_day: date) -> bool:
        row = self._meeting_row(board_id, day)
        if row is None:
            return False
        if new_day != day:
            row["meeting_date"] = new_day
            row["sequence"] += 1
        return True

    def remove_meeting(self, board_id: int, day: date) -> bool:
        row = self._meeting_row(board_id, day)
        if row is None:
            return False
        for r in self.t.reminders.values():
            if r.meeting_id == row["id"]:
                r.meeting_id = None
        del self.t.board_meetings[row["id"]]
        return True


class FakePauseRepository(_Repository):
    def open_pause(self, case_id: int) -> dict[str, Any] | None:
        return next((dict(p) for p in self.t.pauses.values() if p["case_id"] == case_id and p["resumed_at"] is None),
                    None)

    def start(self, case_id: int, at: datetime, reason: str, actor: str) -> None:
        pause_id = self.t.next_id("pause")
        self.t.pauses[pause_id] = {"id": pause_id, "case_id": case_id, "paused_at": at, "resumed_at": None,
                                   "shift_days": 0, "reason": reason, "actor": actor}

    def finish(self, pause_id: int, at: datetime, shift_days: int) -> None:
        self.t.pauses[pause_id].update(resumed_at=at, shift_days=shift_days)

    def ledger(self, case_id: int) -> list[dict[str, Any]]:
        return [dict(p) for _, p in sorted(self.t.pauses.items()) if p["case_id"] == case_id]


# --- documents, case migrations -------------------------------------------------------------------------------------

_DOCUMENT_DEFAULTS = {"title": "", "template_source": "", "overridden": False, "size": 0, "sha256": "", "revision": 1,
                      "reason": "ENTERED", "actor": "", "deal_id": None}


class FakeDocumentRepository(_Repository):
    def next_revision(self, case_id: int, doc_id: str) -> int:
        return max((d["revision"] for d in self.t.documents.values() if d["case_id"] == case_id
                    and d["doc_id"] == doc_id), default=0) + 1

    def add(self, row: dict[str, Any]) -> int:
        key = (row["case_id"], row["doc_id"], row.get("revision", 1), row["format"])
        if any((d["case_id"], d["doc_id"], d["revision"], d["format"]) == key for d in self.t.documents.values()):
            raise ConcurrentChangeError(f"document {row['doc_id']} revision {row['revision']} was rendered by "
                                        "someone else at the same time; nothing was saved, try again")
        doc_id = self.t.next_id("document")
        self.t.documents[doc_id] = {"id": doc_id, **_DOCUMENT_DEFAULTS, **copy.deepcopy(row)}
        return doc_id

    def for_case(self, case_id: int) -> list[dict[str, Any]]:
        return [dict(d) for _, d in sorted(self.t.documents.items()) if d["case_id"] == case_id]

    # the outbox; a claim is kept in ``_claims`` beside the job (claimed_by, lease end or next try)

    def enqueue(self, job: DocumentJob) -> int:
        job_id = self.t.next_id("document_job")
        self.t.document_jobs[job_id] = dataclasses.replace(job, id=job_id)
        self.t.job_claims[job_id] = ("", None)
        return job_id

    def _due(self, job_id: int, now: datetime) -> bool:
        job, (_, until) = self.t.document_jobs[job_id], self.t.job_claims[job_id]
        return job.status is JobStatus.PENDING and (until is None or until <= now)

    def claim(self, job_id: int, worker: str, now: datetime, until: datetime) -> DocumentJob | None:
        if job_id not in self.t.document_jobs or not self._due(job_id, now):
            return None
        job = self.t.document_jobs[job_id] = dataclasses.replace(self.t.document_jobs[job_id],
                                                                 attempts=self.t.document_jobs[job_id].attempts + 1)
        self.t.job_claims[job_id] = (worker, until)
        return job

    def due_jobs(self, now: datetime, limit: int, case_id: int | None = None) -> list[int]:
        return [i for i in sorted(self.t.document_jobs) if self._due(i, now)
                and (case_id is None or self.t.document_jobs[i].case_id == case_id)][:limit]

    def finish(self, job_id: int, worker: str, now: datetime) -> bool:
        job = self.t.document_jobs.get(job_id)
        if job is None or job.status is not JobStatus.PENDING or self.t.job_claims[job_id][0] != worker:
            return False
        self.t.document_jobs[job_id] = dataclasses.replace(job, status=JobStatus.DONE, error="")
        self.t.job_claims[job_id] = ("", None)
        return True

    def fail(self, job_id: int, worker: str, error: str, now: datetime) -> DocumentJob | None:
        job = self.t.document_jobs.get(job_id)
        if job is None or job.status is not JobStatus.PENDING or self.t.job_claims[job_id][0] != worker:
            return None
        status, retry_at = after_failure(job.attempts, now)
        job = self.t.document_jobs[job_id] = dataclasses.replace(job, status=status, error=error[:2000])
        self.t.job_claims[job_id] = ("", retry_at)
        return job

    def open_jobs(self, case_ids: list[int] | None = None) -> list[DocumentJob]:
        return [j for _, j in sorted(self.t.document_jobs.items()) if j.status is not JobStatus.DONE
                and (case_ids is None or j.case_id in case_ids)]

    def retry(self, case_ids: list[int] | None = None) -> int:
        jobs = self.open_jobs(case_ids)
        for job in jobs:
            self.t.document_jobs[job.id] = dataclasses.replace(job, status=JobStatus.PENDING, attempts=0)
            self.t.job_claims[job.id] = ("", None)
        return len(jobs)


class FakeCaseMigrationRepository(_Repository):
    def start_run(self, workflows: list[str], to_version: int, actor: str, at: datetime) -> int:
        run_id = self.t.next_id("migration_run")
        self.t.migration_runs[run_id] = {
            "id": run_id, "workflows": ",".join(workflows), "to_version": to_version, "actor": actor,
            "status": "RUNNING", "started_at": at, "finished_at": None, "migrated": 0, "not_migrated": 0,
            "rolled_back_at": None, "rolled_back_by": ""}
        return run_id

    def finish_run(self, run_id: int, at: datetime, migrated: int, not_migrated: int) -> None:
        self.t.migration_runs[run_id].update(status="APPLIED", finished_at=at, migrated=migrated,
                                             not_migrated=not_migrated)

    def mark_rolled_back(self, run_id: int, at: datetime, actor: str) -> None:
        self.t.migration_runs[run_id].update(status="ROLLED_BACK", rolled_back_at=at, rolled_back_by=actor)

    def record_case(self, run_id: int, row: dict[str, Any]) -> None:
        row_id = self.t.next_id("case_migration")
        self.t.case_migrations[row_id] = {"id": row_id, "run_id": run_id, "rolled_back_at": None, **row}

    def case_rolled_back(self, run_id: int, case_id: int, at: datetime) -> None:
        (row,) = [r for r in self.t.case_migrations.values() if r["run_id"] == run_id and r["case_id"] == case_id]
        row["rolled_back_at"] = at

    def run(self, run_id: int) -> dict[str, Any] | None:
        found = self.t.migration_runs.get(run_id)
        return dict(found) if found else None

    def runs(self) -> list[dict[str, Any]]:
        return [dict(r) for _, r in sorted(self.t.migration_runs.items())]

    def cases(self, run_id: int) -> list[dict[str, Any]]:
        return [dict(r) for _, r in sorted(self.t.case_migrations.items()) if r["run_id"] == run_id]


# --- deals ----------------------------------------------------------------------------------------------------------


class FakeDealRepository(_Repository):
    """Deals and their append-only history; ``save`` is optimistically locked like the SQL one."""

    def next_number(self, case_id: int) -> int:
        return max((d.number for d in self.t.deals.values() if d.case_id == case_id), default=0) + 1

    def add(self, deal: Deal) -> Deal:
        if any(d.case_id == deal.case_id and d.number == deal.number for d in self.t.deals.values()):
            raise ConcurrentChangeError(f"deal {deal.number} was added by someone else at the same time; "
                                        "nothing was saved, try again")
        stored = dataclasses.replace(deal, id=self.t.next_id("deal"), version=1)
        self.t.deals[stored.id or 0] = stored
        return copy.deepcopy(stored)

    def save(self, deal: Deal) -> None:
        assert deal.id is not None
        committed = self._uow.db.committed.deals.get(deal.id)
        if committed is not None and committed.version != self._uow._deal_versions_at_begin.get(deal.id):
            raise ConcurrentChangeError("another user changed this case at the same time; nothing was saved, try again")
        deal.version = self.t.deals[deal.id].version + 1
        self.t.deals[deal.id] = copy.deepcopy(deal)

    def get(self, case_id: int, number: int) -> Deal | None:
        return next((copy.deepcopy(d) for d in self.t.deals.values() if d.case_id == case_id and d.number == number),
                    None)

    def for_case(self, case_id: int) -> list[Deal]:
        return [copy.deepcopy(d) for d in sorted(self.t.deals.values(), key=lambda d: d.number) if d.case_id == case_id]

    def all(self) -> list[Deal]:
        return [copy.deepcopy(d) for d in sorted(self.t.deals.values(), key=lambda d: (d.municipality_id, d.number))]

    def add_event(self, event: DealEvent) -> DealEvent:
        seq = max((e.seq for e in self.t.deal_events if e.deal_id == event.deal_id), default=0) + 1
        stored = dataclasses.replace(event, changes=copy.deepcopy(event.changes), seq=seq)
        self.t.deal_events.append(stored)
        return copy.deepcopy(stored)

    def events(self, deal_id: int) -> list[DealEvent]:
        return copy.deepcopy(sorted((e for e in self.t.deal_events if e.deal_id == deal_id), key=lambda e: e.seq))
