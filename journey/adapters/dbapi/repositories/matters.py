"""The matters' hot reads in plain SQL: a case's matters and its open one, with their decisions."""

from __future__ import annotations

from typing import Any

from journey.adapters.dbapi.repositories.base import PlainReads
from journey.adapters.sql.stored import day, loads, utc
from journey.domain.matters import Decision, Matter, MatterStatus, Outcome

_MATTER = ("id, case_id, state_path, title, bodies, opened_at, opened_by, status, diarienummer, handlaggare, "
           "forvaltning, proposal, target_meeting, closed_at, updated_at, planned_meeting")
_DECISION = "body, outcome, meeting_date, paragraph, recorded_at, actor, history_seq, seq, id"


class PlainMatterReads(PlainReads):
    def open_for(self, case_id: int, state_path: str | None = None) -> Matter | None:
        sql = f"SELECT {_MATTER} FROM matter WHERE case_id = ? AND status = ?"
        params: list[Any] = [case_id, MatterStatus.OPEN.value]
        if state_path is not None:
            sql, params = sql + " AND state_path = ?", [*params, state_path]
        rows = self._all(sql + " ORDER BY id DESC LIMIT 1", params)
        return self._matter(rows[0]) if rows else None

    def for_case(self, case_id: int) -> list[Matter]:
        return [self._matter(r) for r in self._all(f"SELECT {_MATTER} FROM matter WHERE case_id = ? ORDER BY id",
                                                   (case_id,))]

    def _matter(self, r: tuple[Any, ...]) -> Matter:
        decisions = [Decision(d[0], Outcome(d[1]), day(d[2]), d[3], utc(d[4]), d[5], d[6], d[7], d[8])
                     for d in self.db.all(f"SELECT {_DECISION} FROM matter_decision WHERE matter_id = ? ORDER BY seq",
                                          (r[0],))]
        return Matter(r[0], r[1], r[2], r[3], tuple(loads(r[4]) or ()), utc(r[5]), r[6], MatterStatus(r[7]), r[8],
                      r[9], r[10], dict(loads(r[11]) or {}), day(r[12]), utc(r[13]), utc(r[14]), decisions, day(r[15]))
