"""The document register table: one row per generated file, with its provenance."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Column, Index, UniqueConstraint
from sqlmodel import Field, SQLModel

from journey.adapters.sql.column_types import UTCDateTime
from journey.adapters.sql.tables import core as _core  # noqa: F401  (foreign keys to journey_case, municipality)
from journey.adapters.sql.tables import deals as _deals  # noqa: F401  (document.deal_id refers to deal.id)
from journey.domain import limits


class DocumentRecord(SQLModel, table=True):
    """Append-only in practice: regenerating adds a new ``revision``, earlier files stay as they were."""

    __tablename__ = "document"
    __table_args__ = (UniqueConstraint("case_id", "doc_id", "revision", "format"),
                      Index("ix_document_municipality", "municipality_id", "created_at"))
    id: int | None = Field(default=None, primary_key=True)
    case_id: int = Field(foreign_key="journey_case.id", index=True)
    municipality_id: int = Field(foreign_key="municipality.id")
    state_path: str = Field(max_length=500)
    doc_id: str = Field(max_length=limits.IDENTIFIER)
    title: str = Field(default="", max_length=limits.DOCUMENT_TITLE)
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
    actor: str = Field(default="", max_length=limits.USERNAME)
    created_at: datetime = Field(sa_type=UTCDateTime)
    deal_id: int | None = Field(default=None, foreign_key="deal.id")  # a deal's document (state_path is "")


class DocumentJobRecord(SQLModel, table=True):
    """The document outbox (issue #14): one row per change whose documents are rendered after it commits."""

    __tablename__ = "document_job"
    __table_args__ = (Index("ix_document_job_due", "status", "retry_at"),)
    id: int | None = Field(default=None, primary_key=True)
    case_id: int = Field(foreign_key="journey_case.id", index=True)
    items: list[list[str]] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    reason: str = Field(default="ENTERED", max_length=20)
    actor: str = Field(default="", max_length=limits.USERNAME)
    at: datetime = Field(sa_type=UTCDateTime)
    seq: int = 0
    conditional: bool = True
    status: str = Field(default="PENDING", max_length=10)
    attempts: int = 0
    error: str = Field(default="", max_length=2000)
    claimed_by: str = Field(default="", max_length=100)
    retry_at: datetime | None = Field(default=None, sa_type=UTCDateTime)  # not before; a claim's lease end
    done_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
