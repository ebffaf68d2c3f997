"""A municipality's calendar as a subscribable feed: board meetings, network meetings and deadlines.

Read with the rights of the feed token's owner (the same visibility as everywhere else). UIDs
are stable: ``board-meeting-<id>@journey`` (as in reminder mails), ``network-meeting-<id>@journey``
and ``reminder-<id>@journey``, so a calendar updates events instead of duplicating them.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from journey.definitions.catalog import WorkflowCatalog
from journey.domain.access import Action, authorize
from journey.domain.hours import MeetingKind
from journey.domain.reminders import ROLES, ReminderStatus
from journey.domain.text import swedish_number
from journey.ports.core import ReadModel
from journey.ports.feeds import CalendarWriter, FeedItem, FeedQueries
from journey.services.actors import match_municipality
from journey.services.cases.views import reader
from journey.services.reminders.views import state_title_of


def municipality_id_of(read: ReadModel, slug: str) -> tuple[int, str]:
    m = match_municipality(slug, read.municipalities())
    return m["id"], m["name"]


def _meeting(row: dict[str, Any], tz: ZoneInfo) -> FeedItem:
    summary = f"Sammanträde {row['board_name'] or row['board']}"
    start: Any = row["date"]
    end = None
    if row.get("time"):
        hour, minute = (int(p) for p in str(row["time"]).split(":"))
        start = datetime.combine(row["date"], time(hour, minute), tz)
        end = start + timedelta(hours=3)
    return FeedItem(f"board-meeting-{row['id']}@journey", summary, start, end, row.get("location") or "",
                    row.get("title") or "", "Sammanträde")


def feed(read: ReadModel, reminder_queries: Any, network: FeedQueries, writer: CalendarWriter, username: str,
         municipality: str, now: datetime, tz: ZoneInfo, workflows: WorkflowCatalog | None = None) -> bytes:
    actor = reader(read, username)
    m = match_municipality(municipality, read.municipalities())
    authorize(actor, Action.READ, m["id"], m["name"])
    items = [_meeting(row, tz) for row in network.board_meetings(m["id"])]
    for row in network.network_meetings(m["id"]):
        items.append(FeedItem(f"network-meeting-{row['id']}@journey",
                              f"{_kind_label(row['kind'])}: {row['title']}", row["date"],
                              description=f"{swedish_number(row['hours'])} timmar", category="Nätverksträff"))
    statuses = (ReminderStatus.PLANNED.value, ReminderStatus.SENDING.value)
    for row in reminder_queries.reminders(statuses, m["id"]):
        if row["due_at"] is None:
            continue
        due = row["due_at"].astimezone(tz).date()
        items.append(FeedItem(f"reminder-{row['id']}@journey", f"Senast: {row['title']}", due,
                              description=f"{state_title_of(workflows, row)} – påminnelse till "
                                          f"{ROLES.get(row['recipient_role'], row['recipient_role'])}",
                              category="Tidsfrist"))
    return writer.write(f"{m['name']} – utvecklingsresan", items, now)


def _kind_label(kind: str) -> str:
    """A network meeting's kind as the other pages name it (Fysiskt nätverksmöte ...)."""
    try:
        return MeetingKind(str(kind).upper()).label
    except ValueError:
        return "Nätverksträff"
