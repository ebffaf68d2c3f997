"""Reads for "overdue that means late": each case's missed target meetings and the decisions recorded since.

Kept apart from the monitor's queries so either can change alone; ``MonitorQueries.missed_meetings``
calls :func:`missed_meetings`.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Callable
from datetime import date
from typing import Any

from journey.adapters.sql.stored import utc

MISSED_SQL = "SELECT case_id, at, evidence FROM case_history WHERE kind = 'MISSED' ORDER BY case_id, seq"
DECIDED_SQL = ("SELECT m.case_id, d.body, d.meeting_date, d.outcome FROM matter_decision d "
               "JOIN matter m ON m.id = d.matter_id")


def missed_meetings(query: Callable[..., list[tuple[Any, ...]]],
                    has_table: Callable[[str], bool]) -> dict[int, list[dict[str, Any]]]:
    """Per case: every recorded miss (``at``, ``board``, ``meeting_date``, ``outcome``) not undone by
    a bifall or avslag recorded later for that very meeting."""
    decided: set[tuple[int, str]] = set()
    if has_table("matter_decision"):
        decided = {(r[0], str(r[2])[:10]) for r in query(DECIDED_SQL) if r[3] in ("bifall", "avslag")}
    found: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for case_id, at, evidence in query(MISSED_SQL):
        values = (json.loads(evidence) if isinstance(evidence, str) else evidence or {}).get("missed_meeting", {})
        day = str(values.get("meeting_date", ""))[:10]
        if not day or (case_id, day) in decided:
            continue
        found[case_id].append({"at": utc(at), "board": str(values.get("board", "")),
                               "meeting_date": date.fromisoformat(day), "outcome": str(values.get("outcome", ""))})
    return dict(found)
