"""Read-only matter queries over the fast read model (plain SQL, no ORM import)."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

from journey.adapters.readmodel.core import SqlReadModel, _row
from journey.adapters.sql.stored import utc

MATTER_KEYS = ("id", "case_id", "state_path", "title", "bodies", "status", "diarienummer", "handlaggare",
               "forvaltning", "proposal", "target_meeting", "opened_at", "opened_by", "closed_at", "updated_at")
DECISION_KEYS = ("id", "matter_id", "seq", "body", "outcome", "meeting_date", "paragraph", "recorded_at", "actor",
                 "history_seq")


def _date(value: Any) -> date | None:
    if value is None or isinstance(value, date):
        return value
    return date.fromisoformat(str(value)[:10])


def _json(value: Any) -> Any:
    return json.loads(value) if isinstance(value, str) else value


class MatterQueries:
    """Wraps the app's :class:`SqlReadModel` (same lazily opened connection)."""

    def __init__(self, read: SqlReadModel) -> None:
        self.read = read

    def matters(self, case_id: int) -> list[dict[str, Any]]:
        sql = f"SELECT {', '.join(MATTER_KEYS)} FROM matter WHERE case_id = ? ORDER BY id"
        rows = []
        for values in self.read.query(sql, (case_id,)):
            row = _row(MATTER_KEYS, values)
            row["bodies"], row["proposal"] = _json(row["bodies"]) or [], _json(row["proposal"]) or {}
            row["target_meeting"] = _date(row["target_meeting"])
            row["closed_at"] = utc(row["closed_at"])
            rows.append(row)
        return rows

    def decisions(self, case_id: int) -> list[dict[str, Any]]:
        sql = (f"SELECT d.{', d.'.join(DECISION_KEYS)} FROM matter_decision d JOIN matter m ON m.id = d.matter_id "
               "WHERE m.case_id = ? ORDER BY d.matter_id, d.seq")
        rows = []
        for values in self.read.query(sql, (case_id,)):
            row = dict(zip(DECISION_KEYS, values, strict=True))
            row["meeting_date"] = _date(row["meeting_date"])
            row["recorded_at"] = utc(row["recorded_at"])
            rows.append(row)
        return rows

    def boards(self, municipality_id: int) -> list[dict[str, Any]]:
        rows = self.read.query("SELECT code, name FROM board WHERE municipality_id = ? ORDER BY code", (municipality_id,))
        return [{"code": r[0], "name": r[1]} for r in rows]

    def meetings(self, municipality_id: int) -> list[dict[str, Any]]:
        sql = ("SELECT b.code, bm.meeting_date FROM board_meeting bm JOIN board b ON b.id = bm.board_id "
               "WHERE b.municipality_id = ? ORDER BY bm.meeting_date")
        return [{"board": r[0], "date": _date(r[1])} for r in self.read.query(sql, (municipality_id,))]

    def documents(self, case_id: int) -> list[dict[str, Any]]:
        keys = ("state_path", "doc_id", "title", "revision", "reason", "format", "path", "created_at")
        sql = f"SELECT {', '.join(keys)} FROM document WHERE case_id = ? ORDER BY id"
        return [_row(keys, r) for r in self.read.query(sql, (case_id,))]
