"""The document register: one row per generated file, with its provenance (table ``document``)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Index, UniqueConstraint, func
from sqlalchemy.exc import IntegrityError
from sqlmodel import Field, Session, SQLModel, col, select

from journey.adapters.types import UTCDateTime
from journey.domain.errors import ConcurrentChangeError


class DocumentRecord(SQLModel, table=True):
    """Append-only in practice: regenerating adds a new ``revision``, earlier files stay as they were."""

    __tablename__ = "document"
    __table_args__ = (UniqueConstraint("case_id", "doc_id", "revision", "format"),
                      Index("ix_document_municipality", "municipality_id", "created_at"))
    id: int | None = Field(default=None, primary_key=True)
    case_id: int = Field(foreign_key="journey_case.id", index=True)
    municipality_id: int = Field(foreign_key="municipality.id")
    state_path: str = Field(max_length=500)
    doc_id: str = Field(max_length=100)
    title: str = Field(default="", max_length=300)
    template: str = Field(max_length=200)
    template_source: str = Field(default="", max_length=1000)
    overridden: bool = False  # a municipality override replaced the template or one of its partials
    template_hash: str = Field(max_length=64)
    input_hash: str = Field(max_length=64)
    format: str = Field(max_length=10)
    path: str = Field(max_length=1000)
    size: int = 0
    sha256: str = Field(default="", max_length=64)
    revision: int = 1
    reason: str = Field(default="ENTERED", max_length=20)
    actor: str = Field(default="", max_length=100)
    created_at: datetime = Field(sa_type=UTCDateTime)


class SqlDocumentRepository:
    """Bound to one unit of work's session (``uow.extension("documents")``)."""

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
            raise ConcurrentChangeError(f"document {row['doc_id']} revision {row['revision']} was rendered by "
                                        "someone else at the same time; nothing was saved, try again") from None
        return record.id or 0

    def for_case(self, case_id: int) -> list[dict[str, Any]]:
        statement = select(DocumentRecord).where(DocumentRecord.case_id == case_id).order_by(col(DocumentRecord.id))
        return [r.model_dump() for r in self.session.exec(statement)]
