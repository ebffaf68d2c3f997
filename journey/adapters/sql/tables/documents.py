"""The document register table: one row per generated file, with its provenance."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index, UniqueConstraint
from sqlmodel import Field, SQLModel

from journey.adapters.sql.column_types import UTCDateTime
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
