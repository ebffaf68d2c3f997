"""Overdue for the monitor, the exports and the dashboard: late, with the reasons (issue #11 §4).

A case is overdue when its matter missed a target meeting in the current stage, or it has stayed
in the stage longer than the stage's ``expected_duration``. Reminders play no part: sending one
never clears it. Kept apart from the monitor's read queries so both can change alone.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from journey.domain.deadlines import Missed, overdue_reasons
from journey.domain.esf import local_day
from journey.domain.spec import WorkflowSpec


def overdue_of(r: dict[str, Any], specs: dict[tuple[str, int], WorkflowSpec | None],
               missed: dict[int, list[dict[str, Any]]], now: datetime) -> dict[str, Any]:
    """``overdue`` (how many reasons), ``overdue_reasons`` and ``oldest_overdue`` for one matrix row."""
    if r["id"] is None or r["status"] != "ACTIVE":
        return {"overdue": 0, "overdue_reasons": [], "oldest_overdue": None}
    spec = specs.get((r["workflow"], r["workflow_version"]))
    stage = spec.state(r["stage"]) if spec else None
    entered = r["stage_entered_at"]
    misses = [m for m in missed.get(r["id"], []) if m["at"] is not None and m["at"] >= entered]
    reasons = overdue_reasons(local_day(entered), local_day(now), stage.expected_days if stage else None,
                              [Missed(m["board"], m["meeting_date"], m["outcome"]) for m in misses])
    since = [m["at"] for m in misses]
    if stage is not None and stage.expected_days is not None and (now - entered).days > stage.expected_days:
        since.append(entered)
    return {"overdue": len(reasons), "overdue_reasons": reasons, "oldest_overdue": min(since) if since else None}
