"""Read the document register with plain SQL (no ORM), for fast ``journey documents list``."""

from __future__ import annotations

from typing import Any

from journey.adapters.readmodel.core import _row

KEYS = ("id", "state_path", "doc_id", "title", "template", "template_source", "overridden", "template_hash",
        "input_hash", "format", "path", "size", "sha256", "revision", "reason", "actor", "created_at", "deal_id")


def documents_of(read: Any, case_id: int) -> list[dict[str, Any]]:
    """Every register row of one case, oldest first."""
    sql = f"SELECT {', '.join(KEYS)} FROM document WHERE case_id = ? ORDER BY id"
    return [_row(KEYS, r) for r in read.query(sql, (case_id,))]
