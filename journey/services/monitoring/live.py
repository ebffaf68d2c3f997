"""What the live pages of `journey serve` show: the national view and one municipality's page.

Composed from the same reads as the CLI (monitor, status, history, documents, reminders), with
the same visibility rules; the server only renders what these functions return.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from journey.definitions.catalog import WorkflowCatalog
from journey.domain import labels
from journey.domain.access import Action, authorize
from journey.domain.errors import NotFoundError, PermissionDeniedError
from journey.domain.hours import Activity
from journey.domain.spec import WorkflowSpec, parse_state
from journey.ports.core import ReadModel
from journey.ports.matters import MatterReadModel
from journey.ports.monitoring import MonitorSource
from journey.services.actors import match_municipality
from journey.services.cases.views import case_status, reader, why, workflow_specs
from journey.services.documents.views import DocumentQuery
from journey.services.matters.views import list_matters
from journey.services.monitoring.monitor import MonitorFilter, build, state_label
from journey.services.reminders.views import upcoming
from journey.services.workflows import diagram

ACTIVITY_LABELS = {Activity.TEAM_MEETING: "Teammöte", Activity.INVENTORY: "Kartläggning och inventering",
                   Activity.POLICY: "Policy- och planarbete", Activity.PROCUREMENT: "Affärer och upphandling",
                   Activity.DIALOGUE: "Dialog med sociala företag", Activity.TRAINING: "Kompetensutveckling",
                   Activity.OTHER: "Annat"}
OUTCOMES = {"bifall": "Bifall", "avslag": "Avslag", "återremiss": "Återremiss", "bordläggning": "Bordläggning"}


def esf_pace(hours: int, target: int, today: date) -> dict[str, Any]:
    """Hours so far against the share of the year's target that time has used up (whole days)."""
    day_of_year = today.timetuple().tm_yday
    days = 366 if today.year % 4 == 0 and (today.year % 100 != 0 or today.year % 400 == 0) else 365
    expected = round(target * day_of_year / days)
    return {"hours": hours, "target": target, "expected": expected, "share": round(100 * hours / target) if target else 0,
            "behind": hours < expected, "gap": max(0, expected - hours)}


def national(source: MonitorSource, workflows: Callable[[], WorkflowCatalog], username: str | None, now: datetime,
             tz: ZoneInfo, filters: MonitorFilter | None = None) -> dict[str, Any]:
    """The monitor's matrix, funnel and counties, plus each row's ESF pace and the totals of the pace."""
    data = build(source, workflows, username, now, filters)
    today = now.astimezone(tz).date()
    for row in data["rows"]:
        row["pace"] = esf_pace(row["esf_hours"], data["esf_target"], today)
        row["status_label"] = labels.case_status(row["status"]) if row["status"] else "ingen utvecklingsresa ännu"
    rows = data["rows"]
    data["pace"] = {"behind": sum(1 for r in rows if r["pace"]["behind"]),
                    "hours": sum(r["esf_hours"] for r in rows),
                    "expected": rows[0]["pace"]["expected"] if rows else 0}
    return data


def _value(value: Any) -> str:
    return ", ".join(map(str, value)) if isinstance(value, list | tuple) else str(value)


def evidence_text(evidence: dict[str, Any], specs: list[WorkflowSpec] | None = None) -> str:
    """Evidence as a person reads it: kind titles and field labels from the workflow, choices by their labels."""
    lines = labels.entry_labels(specs or [], {"evidence": evidence or {}})["evidence_labels"]
    return "; ".join(f"{title}: " + ", ".join(f"{label}: {value}" for label, value in fields) for title, fields in lines)


def _fields(spec: WorkflowSpec, guards: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The form fields of a step's evidence: ``kind.field`` names, labels, types, choices."""
    fields = []
    for guard in guards:
        kind = spec.evidence_kind(guard["name"]) if guard["evidence"] else None
        if not kind:
            continue
        for f in kind.fields:
            fields.append({"name": f"{kind.name}.{f.name}", "label": f.label or f.name, "type": f.type,
                           "required": f.required, "kind": kind.title,
                           "choices": [{"id": c, "label": f.choice_label(c)} for c in f.choices]})
    return fields


def file_name(path: str) -> str:
    return str(path).replace("\\", "/").rsplit("/", 1)[-1]


def ensure_may_change(read: ReadModel, username: str | None, query: str) -> None:
    """A form's first check: the user may change this municipality's case (403 before any input is read)."""
    actor = reader(read, username)
    m = match_municipality(query, read.municipalities())
    authorize(actor, Action.CHANGE_CASE, m["id"], m["name"])


def municipality(read: ReadModel, workflows: Callable[[], WorkflowCatalog], documents: DocumentQuery,
                 reminder_queries: Any, username: str | None, now: datetime, tz: ZoneInfo,
                 query: str, matters: MatterReadModel | None = None,
                 deals: Callable[[str], list[dict[str, Any]]] | None = None) -> dict[str, Any]:
    """Everything the municipality page shows; PermissionDeniedError for another coordinator's municipality.

    ``matters`` adds the case's matters (ärenden) and the open one's decision form; ``deals(name)``
    the deals register.
    """
    actor = reader(read, username)
    m = match_municipality(query, read.municipalities())
    authorize(actor, Action.READ, m["id"], m["name"])
    try:
        authorize(actor, Action.CHANGE_CASE, m["id"], m["name"])
        may_change = True
    except PermissionDeniedError:
        may_change = False
    page: dict[str, Any] = {"municipality": m, "may_change": may_change, "case": None, "steps": [], "history": [],
                            "documents": [], "reminders": [], "diagram": "", "activities": ACTIVITY_LABELS,
                            "matters": [], "open_matter": None, "deals": [], "outcomes": OUTCOMES, "people": [],
                            "today": now.astimezone(tz).date().isoformat()}
    rows = read.cases(m["id"])
    if not rows:
        return page
    row = rows[0]
    registry = workflows()
    page["case"] = case_status(row, registry, now)

    try:
        spec: WorkflowSpec | None = registry.get(row["workflow"], row["workflow_version"])
    except NotFoundError:
        spec = None
    if spec is not None:
        page["diagram"] = diagram.svg(spec, parse_state(row["state"]))
        steps = why(read, workflows, username, m["name"])["steps"]
        page["steps"] = [s | {"fields": _fields(spec, s["guards"])} for s in steps]
    specs = workflow_specs(registry, row["workflow"], row["workflow_version"])
    page["history"] = [e | labels.entry_labels(specs, e) | {
        "evidence_text": evidence_text(e["evidence"], specs), "to_label": state_label(spec, e["to_state"]),
        "from_label": state_label(spec, e["from_state"]) if e["from_state"] else ""} for e in read.history(row["id"])]
    page["documents"] = [d | {"file_name": file_name(d["path"]),
                              "state_title": state_label(spec, d["state_path"]) if spec else d["state_path"]}
                         for d in documents(read, row["id"])]
    page["reminders"] = upcoming(read, reminder_queries, username, tz, m["name"], now=now)
    if matters is not None:
        page["matters"] = list_matters(read, matters, workflows, username, now, m["name"])["matters"]
        page["open_matter"] = next((x for x in reversed(page["matters"]) if x["status"] == "OPEN"), None)
    if deals is not None:
        page["deals"] = deals(m["name"])
    return page
