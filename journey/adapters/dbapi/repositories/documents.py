"""The document register and the document outbox in plain SQL (the ORM's twin:
adapters/sql/repositories/documents.py, kept for tests/test_plain_documents.py)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from journey.adapters.dbapi.connection import Db, among
from journey.adapters.sql.errors import is_integrity_error
from journey.adapters.sql.stored import loads, utc
from journey.domain.document_jobs import DocumentJob, JobStatus, after_failure
from journey.domain.errors import ConcurrentChangeError
from journey.domain.messages import msg

_DOCUMENT = ("id", "case_id", "municipality_id", "state_path", "doc_id", "title", "template", "template_source",
             "overridden", "template_hash", "input_hash", "format", "path", "size", "sha256", "revision", "reason",
             "actor", "created_at", "deal_id")
_DEFAULTS = {"title": "", "template_source": "", "overridden": False, "size": 0, "sha256": "", "revision": 1,
             "reason": "ENTERED", "actor": "", "deal_id": None}  # the table's defaults, as the ORM inserts them
_JOB = "id, case_id, items, reason, actor, at, seq, conditional, status, attempts, error"
_PENDING, _DONE = JobStatus.PENDING.value, JobStatus.DONE.value


def _document(r: tuple[Any, ...]) -> dict[str, Any]:
    row = dict(zip(_DOCUMENT, r, strict=True))
    row["overridden"], row["created_at"] = bool(row["overridden"]), utc(row["created_at"])
    return row


def _job(r: tuple[Any, ...]) -> DocumentJob:
    return DocumentJob(r[0], r[1], tuple((str(a), str(b)) for a, b in loads(r[2])), r[3], r[4], utc(r[5]), r[6],
                       bool(r[7]), JobStatus(r[8]), r[9], r[10])


def _in(column: str, values: list[int] | None, params: list[Any]) -> str:
    """`` AND column IN (...)`` for ``values``, its parameters added to ``params`` (None: no condition)."""
    if values is None:
        return ""
    condition, ids = among(column, values)
    params += ids
    return f" AND {condition}"


class PlainDocumentRepository:
    """``uow.documents`` on the unit of work's connection."""

    def __init__(self, db: Db) -> None:
        self.db = db

    def next_revision(self, case_id: int, doc_id: str) -> int:
        last = self.db.scalar("SELECT MAX(revision) FROM document WHERE case_id = ? AND doc_id = ?", (case_id, doc_id))
        return int(last or 0) + 1

    def add(self, row: dict[str, Any]) -> int:
        values = _DEFAULTS | {k: v for k, v in row.items() if k != "id"}
        unknown = set(values) - set(_DOCUMENT)
        if unknown:
            raise TypeError(f"unknown document column {sorted(unknown)[0]!r}")
        try:
            return self.db.insert("document", values)
        except Exception as exc:
            if is_integrity_error(exc):
                raise ConcurrentChangeError(msg("document {doc_id} revision {revision} was rendered by someone else "
                                                "at the same time; nothing was saved, try again",
                                                doc_id=row['doc_id'], revision=row['revision'])) from None
            raise

    def for_case(self, case_id: int) -> list[dict[str, Any]]:
        rows = self.db.all(f"SELECT {', '.join(_DOCUMENT)} FROM document WHERE case_id = ? ORDER BY id", (case_id,))
        return [_document(r) for r in rows]

    # the outbox (issue #14 §3) ------------------------------------------------------------------------------

    def enqueue(self, job: DocumentJob) -> int:
        return self.db.insert("document_job", {
            "case_id": job.case_id, "items": [list(i) for i in job.items], "reason": job.reason, "actor": job.actor,
            "at": job.at, "seq": job.seq, "conditional": job.conditional, "status": _PENDING, "attempts": 0,
            "error": "", "claimed_by": "", "retry_at": None, "done_at": None})

    def claim(self, job_id: int, worker: str, now: datetime, until: datetime) -> DocumentJob | None:
        """Take the job for ``worker`` until ``until`` if it is pending and not held or waiting; else None."""
        done = self.db.execute("UPDATE document_job SET claimed_by = ?, retry_at = ?, attempts = attempts + 1 "
                               "WHERE id = ? AND status = ? AND (retry_at IS NULL OR retry_at <= ?)",
                               (worker, until, job_id, _PENDING, now))
        return self._job(job_id) if done.rowcount == 1 else None

    def due_jobs(self, now: datetime, limit: int, case_id: int | None = None) -> list[int]:
        sql = "SELECT id FROM document_job WHERE status = ? AND (retry_at IS NULL OR retry_at <= ?)"
        params: list[Any] = [_PENDING, now]
        if case_id is not None:
            sql, params = sql + " AND case_id = ?", [*params, case_id]
        return [int(r[0]) for r in self.db.all(sql + " ORDER BY id LIMIT ?", [*params, limit])]

    def finish(self, job_id: int, worker: str, now: datetime) -> bool:
        """Mark the job done if ``worker`` still holds it (False: its claim was lost, register nothing)."""
        done = self.db.execute("UPDATE document_job SET status = ?, done_at = ?, retry_at = NULL, error = '' "
                               "WHERE id = ? AND claimed_by = ? AND status = ?", (_DONE, now, job_id, worker, _PENDING))
        return bool(done.rowcount == 1)

    def fail(self, job_id: int, worker: str, error: str, now: datetime) -> DocumentJob | None:
        """Record a failed attempt: tried again later, or FAILED after the last attempt."""
        row = self.db.one("SELECT attempts, claimed_by, status FROM document_job WHERE id = ?", (job_id,))
        if row is None or row[1] != worker or row[2] != _PENDING:
            return None
        status, retry_at = after_failure(row[0], now)
        self.db.execute("UPDATE document_job SET status = ?, retry_at = ?, error = ?, claimed_by = '' WHERE id = ?",
                        (status.value, retry_at, error[:2000], job_id))
        return self._job(job_id)

    def open_jobs(self, case_ids: list[int] | None = None) -> list[DocumentJob]:
        """Jobs not done (pending, waiting to be tried again, or given up), oldest first."""
        params: list[Any] = [_DONE]
        where = _in("case_id", case_ids, params)
        return [_job(r) for r in self.db.all(f"SELECT {_JOB} FROM document_job WHERE status <> ?{where} ORDER BY id",
                                             params)]

    def retry(self, case_ids: list[int] | None = None) -> int:
        """Make every job not done due now, given-up ones with fresh attempts; how many."""
        params: list[Any] = [_PENDING, _DONE]
        where = _in("case_id", case_ids, params)
        done = self.db.execute("UPDATE document_job SET status = ?, retry_at = NULL, claimed_by = '', attempts = 0 "
                               f"WHERE status <> ?{where}", params)
        return int(done.rowcount)

    def _job(self, job_id: int) -> DocumentJob | None:
        row = self.db.one(f"SELECT {_JOB} FROM document_job WHERE id = ?", (job_id,))
        return _job(row) if row is not None else None
