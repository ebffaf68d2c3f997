"""Read-only reminder and calendar queries over the fast read model (plain SQL, no ORM import)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

REMINDER_KEYS = ("id", "municipality_id", "municipality", "case_status", "rule_id", "title", "state_path",
                 "recipient_role", "anchor", "board", "due_at", "status", "attempts", "sent_at", "reason", "last_error",
                 "meeting_date", "workflow", "workflow_version")
REMINDER_SQL = """SELECT r.id, r.municipality_id, m.name, c.status, r.rule_id, r.title, r.state_path, r.recipient_role,
 r.anchor, r.board, r.due_at, r.status, r.attempts, r.sent_at, r.reason, r.last_error, bm.meeting_date, c.workflow,
 c.workflow_version
 FROM reminder r JOIN municipality m ON m.id = r.municipality_id JOIN journey_case c ON c.id = r.case_id
 LEFT JOIN board_meeting bm ON bm.id = r.meeting_id"""
MEETING_KEYS = ("municipality_id", "municipality", "board", "board_name", "secretary_email", "chair_email", "date",
                "time", "location", "title")
MEETING_SQL = """SELECT b.municipality_id, m.name, b.code, b.name, b.secretary_email, b.chair_email, bm.meeting_date,
 bm.start_time, bm.location, bm.title FROM board_meeting bm JOIN board b ON b.id = bm.board_id
 JOIN municipality m ON m.id = b.municipality_id"""


def utc(value: Any) -> datetime | None:
    if value is None:
        return None
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    assert isinstance(value, datetime)
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _date(value: Any) -> date | None:
    if value is None or isinstance(value, date):
        return value
    return date.fromisoformat(str(value)[:10])


class ReminderQueries:
    def __init__(self, read: Any) -> None:
        self.read = read

    def reminders(self, statuses: tuple[str, ...], municipality_id: int | None = None,
                  newest_sent_first: bool = False) -> list[dict[str, Any]]:
        marks = ", ".join("?" for _ in statuses)
        sql, params = f"{REMINDER_SQL} WHERE r.status IN ({marks})", tuple[Any, ...](statuses)
        if municipality_id is not None:
            sql, params = sql + " AND r.municipality_id = ?", (*params, municipality_id)
        order = " ORDER BY (r.sent_at IS NULL), r.sent_at DESC, r.id DESC" if newest_sent_first else \
            " ORDER BY CASE WHEN r.due_at IS NULL THEN 1 ELSE 0 END, r.due_at, r.id"
        rows = []
        for values in self.read.query(sql + order, params):
            row = dict(zip(REMINDER_KEYS, values, strict=True))
            row["due_at"], row["sent_at"] = utc(row["due_at"]), utc(row["sent_at"])
            row["meeting_date"] = _date(row["meeting_date"])
            rows.append(row)
        return rows

    def meetings(self, municipality_id: int | None = None) -> list[dict[str, Any]]:
        sql, params = MEETING_SQL, tuple[Any, ...]()
        if municipality_id is not None:
            sql, params = sql + " WHERE b.municipality_id = ?", (municipality_id,)
        rows = [dict(zip(MEETING_KEYS, v, strict=True)) for v in self.read.query(sql + " ORDER BY bm.meeting_date, b.code",
                                                                                  params)]
        for row in rows:
            row["date"] = _date(row["date"])
        return rows
