"""Set-based read queries for SKR's national monitoring view and the HTML report.

A handful of queries regardless of how many municipalities there are: one for municipalities
and their cases, one for the last change of every case, one each for planned reminders,
documents and (report only) the full history. Tables that other features add (``reminder``,
``document``) may be missing in an older database; they then read as empty.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, date, datetime
from typing import Any

from journey.adapters.readmodel.core import SqlReadModel, _row
from journey.adapters.sql.stored import sqlite_utc_text, utc

MATRIX_KEYS = ("municipality_id", "municipality", "code", "slug", "county", "m_workflow", "id", "workflow",
               "workflow_version", "state", "stage", "status", "opened_at", "stage_entered_at", "updated_at")
MATRIX_SQL = ("SELECT m.id, m.name, m.code, m.slug, m.county, m.workflow, c.id, c.workflow, c.workflow_version, "
              "c.state, c.stage, c.status, c.opened_at, c.stage_entered_at, c.updated_at "
              "FROM municipality m LEFT JOIN journey_case c ON c.municipality_id = m.id ORDER BY m.name")
LAST_KEYS = ("case_id", "seq", "kind", "trigger", "actor", "at", "to_state")
LAST_SQL = ("SELECT h.case_id, h.seq, h.kind, h.trigger, h.actor, h.at, h.to_state FROM case_history h "
            "JOIN (SELECT case_id, MAX(seq) AS seq FROM case_history GROUP BY case_id) last "
            "ON last.case_id = h.case_id AND last.seq = h.seq")
HISTORY_KEYS = ("case_id", "seq", "kind", "from_state", "to_state", "trigger", "actor", "at", "evidence", "comment")
REMINDER_KEYS = ("case_id", "rule_id", "state_path", "recipient_role", "due_at", "status", "sent_at")
DEAL_KEYS = ("case_id", "number", "form", "title", "counterparty", "org_number", "value_sek", "value_basis",
             "period_start", "period_end", "status", "status_date", "decided_date", "diarienummer")
DOCUMENT_KEYS = ("case_id", "state_path", "doc_id", "template", "format", "path", "created_at")


class MonitorQueries:
    """Read-only; wraps the app's :class:`SqlReadModel` (same lazily opened connection)."""

    def __init__(self, read: SqlReadModel) -> None:
        self.read = read
        self._tables: set[str] | None = None
        self.query_count = 0

    def _query(self, sql: str, params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
        self.query_count += 1
        return self.read.query(sql, params)

    def user(self, username: str) -> dict[str, Any] | None:
        return self.read.user(username)

    def user_count(self) -> int:
        return self.read.user_count()

    def has_table(self, name: str) -> bool:
        """Whether the table exists (older schemas lack some); all names are read in one query, once."""
        if self._tables is None:
            self.query_count += 1
            self._tables = self.read.table_names()
        return name in self._tables

    def matrix(self) -> list[dict[str, Any]]:
        """Every municipality with its case (case columns are None when it has none)."""
        return [_row(MATRIX_KEYS, r) for r in self._query(MATRIX_SQL)]

    def last_changes(self) -> dict[int, dict[str, Any]]:
        return {r[0]: _row(LAST_KEYS, r) for r in self._query(LAST_SQL)}

    def planned_reminders(self, now: datetime | None = None) -> dict[int, list[dict[str, Any]]]:
        """PLANNED reminders per case (due_at parsed, oldest first).

        Given ``now``: only what the report's pages show, so memory follows the overdue reminders, not
        every planned one (issue #14): the overdue ones (due before ``now``) and each case's next one.
        """
        if now is None:
            return self._grouped("reminder", REMINDER_KEYS, "status = 'PLANNED'", "due_at")
        return self._overdue_and_next(now)

    def _overdue_and_next(self, now: datetime) -> dict[int, list[dict[str, Any]]]:
        if not self.has_table("reminder"):
            return {}
        at: Any = now.astimezone(UTC) if self.read._pg else sqlite_utc_text(now)
        cols = ", ".join(f"r.{k}" for k in REMINDER_KEYS)
        # Case by case through the index on (case_id, status, due_at): its overdue range, then its next one. CROSS JOIN
        # keeps SQLite from starting at the reminders (as it may without ANALYZE's statistics), and the next due
        # times are worked out once per case (MATERIALIZED) before they are joined, whatever the index.
        rows = self._query("WITH n AS MATERIALIZED (SELECT c.id AS case_id, (SELECT MIN(x.due_at) FROM reminder x "
                           "WHERE x.case_id = c.id AND x.status = 'PLANNED' AND x.due_at >= ?) AS due_at "
                           "FROM journey_case c) "
                           f"SELECT {cols} FROM journey_case c CROSS JOIN reminder r WHERE r.case_id = c.id "
                           "AND r.status = 'PLANNED' AND r.due_at < ? "
                           "UNION ALL "
                           f"SELECT {cols} FROM n CROSS JOIN reminder r WHERE r.case_id = n.case_id "
                           "AND r.status = 'PLANNED' AND r.due_at = n.due_at", (at, at))
        grouped: dict[int, list[dict[str, Any]]] = defaultdict(list)
        for r in rows:  # thousands of rows: the two times parsed, nothing else to convert (no TIME_KEYS, no evidence)
            row = dict(zip(REMINDER_KEYS, r, strict=True))
            row["due_at"], row["sent_at"] = utc(row["due_at"]), utc(row["sent_at"])
            grouped[row["case_id"]].append(row)
        for found in grouped.values():
            found.sort(key=lambda row: row["due_at"])
        return dict(grouped)

    def next_due(self) -> dict[int, datetime]:
        """Each case's earliest PLANNED due time (overdue or not), for cases that have one.

        One look-up per case by the index on (case_id, status, due_at), however many reminders are planned.
        """
        if not self.has_table("reminder"):
            return {}
        rows = self._query("SELECT c.id, (SELECT MIN(r.due_at) FROM reminder r WHERE r.case_id = c.id "
                           "AND r.status = 'PLANNED') FROM journey_case c")
        return {int(case_id): utc(due) for case_id, due in rows if due is not None}

    def missed_meetings(self) -> dict[int, list[dict[str, Any]]]:
        """Recorded missed target meetings per case (see readmodel/deadlines.py)."""
        from journey.adapters.readmodel.deadlines import missed_meetings

        return missed_meetings(self._query, self.has_table)

    def failed_reminders(self) -> dict[int, list[dict[str, Any]]]:
        """FAILED reminders per case (they need someone to act; few, unlike the rest)."""
        return self._grouped("reminder", REMINDER_KEYS, "status = 'FAILED'", "due_at")

    def reminder_counts(self) -> dict[int, dict[str, int]]:
        """How many reminders of each status per case (one GROUP BY, whatever their number)."""
        if not self.has_table("reminder"):
            return {}
        counts: dict[int, dict[str, int]] = defaultdict(dict)
        for case_id, status, count in self._query("SELECT case_id, status, COUNT(*) FROM reminder "
                                                   "GROUP BY case_id, status"):
            counts[int(case_id)][str(status)] = int(count)
        return dict(counts)

    def documents(self) -> dict[int, list[dict[str, Any]]]:
        return self._grouped("document", DOCUMENT_KEYS, "", "created_at")

    def history(self) -> dict[int, list[dict[str, Any]]]:
        return self._grouped("case_history", HISTORY_KEYS, "", "seq")

    def esf_hours(self, year: int) -> dict[int, tuple[int, int]]:
        """(quarter hours, of which at joint meetings) per municipality in ``year``; empty before migration 0006."""
        if not self.has_table("esf_setting"):
            return {}
        first, last = date(year, 1, 1), date(year, 12, 31)
        params: tuple[Any, ...] = (first, last) if self.read._pg else (first.isoformat(), last.isoformat())
        # FILTER costs SQLite less than a CASE per entry; without meeting hours it sums to NULL, read as 0
        sums = "SUM(t.quarters) AS q, SUM(t.quarters) FILTER (WHERE t.meeting_id IS NOT NULL) AS mq"
        # Each municipality's range of the index on (municipality_id, date, meeting_id, quarters), read from the index
        # alone. PostgreSQL is asked for it per municipality (LATERAL: it has no skip scan); on SQLite CROSS JOIN
        # keeps the municipality as the outer loop, as it may not be without ANALYZE's statistics.
        if self.read._pg:
            rows = self._query(f"SELECT m.id, s.q, s.mq FROM municipality m CROSS JOIN LATERAL (SELECT {sums} "
                               "FROM time_entry t WHERE t.municipality_id = m.id AND t.date >= ? AND t.date <= ?) s "
                               "WHERE s.q IS NOT NULL", params)
        else:
            rows = self._query(f"SELECT m.id, {sums} FROM municipality m CROSS JOIN time_entry t "
                               "WHERE t.municipality_id = m.id AND t.date >= ? AND t.date <= ? GROUP BY m.id", params)
        return {int(r[0]): (int(r[1] or 0), int(r[2] or 0)) for r in rows}

    def esf_settings(self) -> dict[str, str]:
        """The network's stored ESF settings (project period ...); empty before migration 0006."""
        if not self.has_table("esf_setting"):
            return {}
        return {str(k): str(v) for k, v in self._query("SELECT key, value FROM esf_setting")}

    def deal_totals(self) -> list[dict[str, Any]]:
        """Deals counted and summed per municipality, form, status and value basis (empty before migration 0007)."""
        if not self.has_table("deal"):
            return []
        keys = ("municipality_id", "form", "status", "value_basis", "count", "value_sek")
        rows = self._query("SELECT municipality_id, form, status, value_basis, COUNT(*), COALESCE(SUM(value_sek), 0) "
                           "FROM deal GROUP BY municipality_id, form, status, value_basis")
        return [dict(zip(keys, r, strict=True)) for r in rows]

    def deals(self) -> dict[int, list[dict[str, Any]]]:
        """Every deal per case, by number (the report's municipality pages)."""
        if not self.has_table("deal"):
            return {}
        grouped: dict[int, list[dict[str, Any]]] = defaultdict(list)
        for r in self._query(f"SELECT {', '.join(DEAL_KEYS)} FROM deal ORDER BY case_id, number"):
            grouped[r[0]].append(dict(zip(DEAL_KEYS, r, strict=True)))
        return dict(grouped)

    def _grouped(self, table: str, keys: tuple[str, ...], where: str, order: str) -> dict[int, list[dict[str, Any]]]:
        if table != "case_history" and not self.has_table(table):
            return {}
        sql = f"SELECT {', '.join(keys)} FROM {table}" + (f" WHERE {where}" if where else "")
        grouped: dict[int, list[dict[str, Any]]] = defaultdict(list)
        for r in self._query(f"{sql} ORDER BY case_id, {order}"):
            row = _row(keys, r)
            for key in ("due_at", "sent_at"):
                if row.get(key) is not None:
                    row[key] = utc(row[key])
            grouped[row["case_id"]].append(row)
        return dict(grouped)
