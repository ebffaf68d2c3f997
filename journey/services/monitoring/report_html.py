"""The static HTML dashboard: the monitoring matrix plus one page per municipality.

Each municipality page holds its history, documents, reminders (counted per status, listed when
overdue, next or failed) and the workflow diagram with
the current state highlighted. Everything is inline (CSS and SVG): it works offline from a
USB stick or a file share. Data comes from a few set-based queries, whatever the count.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path, PurePosixPath
from typing import Any
from urllib.parse import quote

from journey.definitions.catalog import WorkflowCatalog
from journey.domain import labels
from journey.domain.deals import FORM_LABELS, STATUS_LABELS, DealForm, DealStatus
from journey.domain.errors import NotFoundError
from journey.domain.reminders import ROLES
from journey.domain.spec import WorkflowSpec, parse_state
from journey.ports.exports import ReportRenderer, SiteWriter
from journey.ports.monitoring import ReportSource
from journey.services.cases.views import with_corrections, workflow_specs
from journey.services.monitoring.monitor import build, state_label
from journey.services.workflows import diagram


@dataclass(frozen=True)
class ReportResult:
    index: Path
    pages: int


def _evidence(entry: dict[str, Any]) -> str:
    """The evidence as a person reads it: kind titles, field labels and choices by their labels."""
    text = "; ".join(f"{title}: " + ", ".join(f"{label}: {value}" for label, value in fields)
                     for title, fields in entry.get("evidence_labels") or [])
    for c in entry.get("corrected") or []:
        text += f" (rättat i #{c['seq']} av {c['actor']}: {c['reason']})"
    return text


def _deal(deal: dict[str, Any]) -> dict[str, Any]:
    """A deal row with its Swedish labels; the value keeps its basis (totalt or per år)."""
    try:
        form, status = FORM_LABELS[DealForm(deal["form"])], STATUS_LABELS[DealStatus(deal["status"])]
    except ValueError:
        form, status = deal["form"], deal["status"]
    basis = {"TOTAL": "totalt", "PER_YEAR": "per år"}.get(str(deal["value_basis"]), "")
    return deal | {"form_title": form, "status_title": status, "basis_text": basis}


def _document(doc: dict[str, Any], slug: str, site: SiteWriter) -> dict[str, Any]:
    """The document copied into ``dokument/<slug>/`` beside index.html, linked relative to the page.

    The report folder then holds everything it links: copied to a file share or a USB stick, the
    links still work. A file no longer on disk is listed by name without a link.
    """
    name = PurePosixPath(str(doc.get("path") or "").replace("\\", "/")).name
    relative = f"dokument/{slug}/{name}"
    copied = bool(name) and site.copy(relative, str(doc.get("path")))
    return doc | {"uri": "../" + quote(relative) if copied else "", "name": name}


def write_report(source: ReportSource, workflows: Callable[[], WorkflowCatalog], username: str | None,
                 now: datetime, site: SiteWriter, render: ReportRenderer,
                 progress: Callable[[int], None] = lambda _: None) -> ReportResult:
    """Write ``index.html`` and ``kommun/<slug>.html`` for every municipality the actor may read.

    The pages replace the previous report's together when all are written; a report that fails
    half-way leaves the previous one as it was."""
    try:
        result = _write_pages(source, workflows, username, now, site, render, progress)
    except BaseException:
        site.discard()
        raise
    site.publish()
    return result


def _write_pages(source: ReportSource, workflows: Callable[[], WorkflowCatalog], username: str | None,
                 now: datetime, site: SiteWriter, render: ReportRenderer,
                 progress: Callable[[int], None]) -> ReportResult:
    data = build(source, workflows, username, now)
    registry = workflows()
    history, documents = source.history(), source.documents()
    # the overdue and the next planned reminder, the failed ones, and counts: bounded whatever their number
    shown = source.planned_reminders(now)
    for case_id, failed in source.failed_reminders().items():
        shown.setdefault(case_id, []).extend(failed)
    counts = source.reminder_counts()
    deals = source.deals()
    diagrams: dict[tuple[str, str], tuple[str, str]] = {}
    reminder_labels = _PerWorkflow(_reminder_labels, lambda m: (m["state_path"], m["rule_id"], m["recipient_role"],
                                                               m["status"]))
    state_labels = _PerWorkflow(state_label, lambda state: state)
    for row in data["rows"]:
        case_id = row["case_id"]
        spec = _spec(registry, row["workflow"]) if case_id is not None else None
        key = (row["workflow"], row["state"])
        if key not in diagrams:  # one drawing per workflow version and state, however many municipalities
            leaves = parse_state(row["state"])
            diagrams[key] = (diagram.svg(spec, leaves), diagram.mermaid(spec, leaves)) if spec else ("", "")
        drawing, mermaid = diagrams[key]
        specs = _specs(registry, row["workflow"]) if case_id is not None else []
        entries = []
        for e in with_corrections(history.get(case_id or -1, []), spec):
            e = e | labels.entry_labels(specs, e)
            entries.append(e | {"evidence_text": _evidence(e),
                                "to_label": state_labels(row["workflow"], spec, e["to_state"]),
                                "from_label": state_labels(row["workflow"], spec, e["from_state"]) if e["from_state"]
                                else ""})
        page = render("municipality.html.j2", {
            "row": row, "history": entries,
            "documents": [_document(d, row["slug"], site) | _document_labels(spec, d)
                          for d in documents.get(case_id or -1, [])],
            "reminders": [m | reminder_labels(row["workflow"], spec, m) for m in shown.get(case_id or -1, [])],
            "reminder_counts": [(labels.reminder_status(status), n) for status, n in
                                sorted(counts.get(case_id or -1, {}).items(), key=lambda c: _STATUS_ORDER.get(c[0], 9))],
            "deals": [_deal(d) for d in deals.get(case_id or -1, [])],
            "diagram": drawing, "mermaid": mermaid, "data": data,
            "now": now})
        site.write(f"kommun/{row['slug']}.html", page)
        progress(1)
    index = site.write("index.html", render("index.html.j2", {"data": data, "now": now}))
    return ReportResult(index, len(data["rows"]))


_STATUS_ORDER = {"PLANNED": 0, "SENDING": 1, "SENT": 2, "FAILED": 3, "EXPIRED": 4, "CANCELLED": 5}


def _specs(registry: WorkflowCatalog, key: str) -> list[WorkflowSpec]:
    name, _, version = key.partition("@")
    return workflow_specs(registry, name, int(version)) if version.isdigit() else []


def _document_labels(spec: WorkflowSpec | None, doc: dict[str, Any]) -> dict[str, Any]:
    return {"title": spec.document_title(doc["state_path"], doc["doc_id"]) if spec else doc["doc_id"],
            "state_title": state_label(spec, doc["state_path"]) if spec else doc["state_path"]}


class _PerWorkflow:
    """``work(spec, item)`` worked out once per workflow and ``key(item)``: the rows are many (history,
    reminders), their states, rules and statuses few."""

    def __init__(self, work: Callable[[WorkflowSpec | None, Any], Any], key: Callable[[Any], Hashable]) -> None:
        self.work, self.key = work, key
        self._seen: dict[tuple[str, Hashable], Any] = {}

    def __call__(self, workflow: str, spec: WorkflowSpec | None, item: Any) -> Any:
        key = (workflow, self.key(item))
        if key not in self._seen:
            self._seen[key] = self.work(spec, item)
        return self._seen[key]


def _reminder_labels(spec: WorkflowSpec | None, reminder: dict[str, Any]) -> dict[str, Any]:
    return {"title": spec.reminder_title(reminder["state_path"], reminder["rule_id"]) if spec else reminder["rule_id"],
            "state_title": state_label(spec, reminder["state_path"]) if spec else reminder["state_path"],
            "recipient": ROLES.get(reminder["recipient_role"], reminder["recipient_role"]),
            "status_label": labels.reminder_status(reminder["status"])}


def _spec(registry: WorkflowCatalog, key: str) -> WorkflowSpec | None:
    name, _, version = key.partition("@")
    try:
        return registry.get(name, int(version))
    except (NotFoundError, ValueError):
        return None
