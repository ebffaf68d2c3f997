"""The document register: one row per generated file, with its provenance (table ``document``)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from journey.adapters.sql.tables.documents import DocumentRecord
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
