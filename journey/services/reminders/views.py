"""Read side for reminders and board calendars: what is planned, what went out, which meetings."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from journey.definitions.catalog import WorkflowCatalog
from journey.domain import labels
from journey.domain.access import Action, Actor, authorize, sees_every_municipality
from journey.domain.reminders import ROLES, ReminderStatus
from journey.services.actors import match_municipality
from journey.services.cases.views import reader, workflow_specs


def _scope(read: Any, username: str | None, municipality: str | None) -> tuple[Actor, int | None]:
    actor = reader(read, username)
    if municipality:
        m = match_municipality(municipality, read.municipalities())
        authorize(actor, Action.READ, m["id"], m["name"])
        return actor, m["id"]
    if sees_every_municipality(actor):
        return actor, None
    return actor, actor.municipality_id if actor.municipality_id is not None else -1


def state_title_of(workflows: WorkflowCatalog | None, row: dict[str, Any]) -> str:
    """The reminder's state by its title in the case's workflow (any version that knows it)."""
    if workflows is None or not row.get("workflow"):
        return str(row["state_path"])
    specs = workflow_specs(workflows, row["workflow"], row["workflow_version"])
    return labels.state_title(specs, row["state_path"])


def _present(row: dict[str, Any], tz: ZoneInfo, workflows: WorkflowCatalog | None = None) -> dict[str, Any]:
    due = row["due_at"].astimezone(tz) if row["due_at"] else None
    sent = row["sent_at"].astimezone(tz) if row["sent_at"] else None
    return row | {"state_title": state_title_of(workflows, row), "status_label": labels.reminder_status(row["status"]),
                  "due_local": due.strftime("%Y-%m-%d %H:%M") if due else "",
                  "sent_local": sent.strftime("%Y-%m-%d %H:%M") if sent else "",
                  "recipient": ROLES.get(row["recipient_role"], row["recipient_role"]),
                  "held": row["case_status"] == "PAUSED" and row["status"] == ReminderStatus.PLANNED.value,
                  "meeting": {"board": row["board"], "date": row["meeting_date"]} if row.get("meeting_date") else None}


def upcoming(read: Any, queries: Any, username: str | None, tz: ZoneInfo,
             municipality: str | None = None, workflows: WorkflowCatalog | None = None,
             now: datetime | None = None) -> list[dict[str, Any]]:
    """Planned reminders, soonest first; those without a date (no meeting in the calendar) last.

    With ``workflows`` each reminder's ``state_title`` is its state's title (else its path). With
    ``now``, ``late`` marks a planned reminder whose time has passed unsent (the scheduler was not
    running): the next sweep sends it, or expires it when its meeting has been held.
    """
    _, municipality_id = _scope(read, username, municipality)
    statuses = (ReminderStatus.PLANNED.value, ReminderStatus.SENDING.value)
    rows = [_present(r, tz, workflows) for r in queries.reminders(statuses, municipality_id)]
    if now is not None:
        for r in rows:
            r["late"] = bool(r["status"] == ReminderStatus.PLANNED.value and not r["held"] and r["due_at"]
                             and r["due_at"] < now)
    return rows


def sent(read: Any, queries: Any, username: str | None, tz: ZoneInfo,
         municipality: str | None = None, workflows: WorkflowCatalog | None = None) -> list[dict[str, Any]]:
    """Sent, failed and expired (never sent: their meeting had passed) reminders, newest first."""
    _, municipality_id = _scope(read, username, municipality)
    statuses = (ReminderStatus.SENT.value, ReminderStatus.FAILED.value, ReminderStatus.EXPIRED.value)
    return [_present(r, tz, workflows) for r in queries.reminders(statuses, municipality_id, newest_sent_first=True)]


def meetings(read: Any, queries: Any, username: str | None, municipality: str | None = None) -> list[dict[str, Any]]:
    _, municipality_id = _scope(read, username, municipality)
    rows: list[dict[str, Any]] = queries.meetings(municipality_id)
    return rows
