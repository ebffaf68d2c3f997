"""The document register: one row per generated file, with its provenance (table ``document``)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import func, or_, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from journey.adapters.sql.tables.documents import DocumentJobRecord, DocumentRecord
from journey.domain.document_jobs import DocumentJob, JobStatus, after_failure
from journey.domain.errors import ConcurrentChangeError
from journey.domain.messages import msg


class SqlDocumentRepository:
    """Bound to one unit of work's session (``uow.documents``)."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def next_revision(self, case_id: int, doc_id: str) -> int:
        statement = select(func.max(DocumentRecord.revision)).where(DocumentRecord.case_id == case_id,
                                                                    DocumentRecord.doc_id == doc_id)
        return int(self.session.exec(statement).one() or 0) + 1

    def add(self, row: dict[str, Any]) -> int:
        record = DocumentRecord(**row)
        self.session.add(record)
        try:
            self.session.flush()
        except IntegrityError:
            raise ConcurrentChangeError(msg("document {doc_id} revision {revision} was rendered by someone else "
                                            "at the same time; nothing was saved, try again",
                doc_id=row['doc_id'], revision=row['revision'])) from None
        return record.id or 0

    def for_case(self, case_id: int) -> list[dict[str, Any]]:
        statement = select(DocumentRecord).where(DocumentRecord.case_id == case_id).order_by(col(DocumentRecord.id))
        return [r.model_dump() for r in self.session.exec(statement)]

    # the outbox (issue #14 §3) ------------------------------------------------------------------------------

    def enqueue(self, job: DocumentJob) -> int:
        record = DocumentJobRecord(case_id=job.case_id, items=[list(i) for i in job.items], reason=job.reason,
                                   actor=job.actor, at=job.at, seq=job.seq, conditional=job.conditional)
        self.session.add(record)
        self.session.flush()
        return record.id or 0

    def claim(self, job_id: int, worker: str, now: datetime, until: datetime) -> DocumentJob | None:
        """Take the job for ``worker`` until ``until`` if it is pending and not held or waiting; else None."""
        J = DocumentJobRecord
        statement = (update(J).where(col(J.id) == job_id, col(J.status) == JobStatus.PENDING.value,
                                     or_(col(J.retry_at).is_(None), col(J.retry_at) <= now))
                     .values(claimed_by=worker, retry_at=until, attempts=J.attempts + 1))
        if self.session.execute(statement).rowcount != 1:  # type: ignore[attr-defined]
            return None
        return self._job(job_id)

    def due_jobs(self, now: datetime, limit: int, case_id: int | None = None) -> list[int]:
        J = DocumentJobRecord
        statement = select(J.id).where(col(J.status) == JobStatus.PENDING.value,
                                       or_(col(J.retry_at).is_(None), col(J.retry_at) <= now))
        if case_id is not None:
            statement = statement.where(J.case_id == case_id)
        return [int(i) for i in self.session.exec(statement.order_by(col(J.id)).limit(limit)) if i is not None]

    def finish(self, job_id: int, worker: str, now: datetime) -> bool:
        """Mark the job done if ``worker`` still holds it (False: its claim was lost, register nothing)."""
        J = DocumentJobRecord
        statement = (update(J).where(col(J.id) == job_id, col(J.claimed_by) == worker,
                                     col(J.status) == JobStatus.PENDING.value)
                     .values(status=JobStatus.DONE.value, done_at=now, retry_at=None, error=""))
        return bool(self.session.execute(statement).rowcount == 1)  # type: ignore[attr-defined]

    def fail(self, job_id: int, worker: str, error: str, now: datetime) -> DocumentJob | None:
        """Record a failed attempt: tried again later, or FAILED after the last attempt."""
        record = self.session.get(DocumentJobRecord, job_id)
        if record is None or record.claimed_by != worker or record.status != JobStatus.PENDING.value:
            return None
        status, retry_at = after_failure(record.attempts, now)
        record.status, record.retry_at, record.error, record.claimed_by = status.value, retry_at, error[:2000], ""
        self.session.add(record)
        self.session.flush()
        return _job(record)

    def open_jobs(self, case_ids: list[int] | None = None) -> list[DocumentJob]:
        """Jobs not done (pending, waiting to be tried again, or given up), oldest first."""
        J = DocumentJobRecord
        statement = select(J).where(col(J.status) != JobStatus.DONE.value)
        if case_ids is not None:
            statement = statement.where(col(J.case_id).in_(case_ids))
        return [_job(r) for r in self.session.exec(statement.order_by(col(J.id)))]

    def retry(self, case_ids: list[int] | None = None) -> int:
        """Make every job not done due now, given-up ones with fresh attempts; how many."""
        J = DocumentJobRecord
        statement = (update(J).where(col(J.status) != JobStatus.DONE.value)
                     .values(status=JobStatus.PENDING.value, retry_at=None, claimed_by="",
                             attempts=0))
        if case_ids is not None:
            statement = statement.where(col(J.case_id).in_(case_ids))
        return int(self.session.execute(statement).rowcount)  # type: ignore[attr-defined]

    def _job(self, job_id: int) -> DocumentJob | None:
        record = self.session.get(DocumentJobRecord, job_id, populate_existing=True)
        return _job(record) if record is not None else None


def _job(r: DocumentJobRecord) -> DocumentJob:
    return DocumentJob(r.id or 0, r.case_id, tuple((str(a), str(b)) for a, b in r.items), r.reason, r.actor, r.at,
                       r.seq, r.conditional, JobStatus(r.status), r.attempts, r.error)
