"""The static HTML dashboard: the monitoring matrix plus one page per municipality.

Each municipality page holds its history, documents, reminders and the workflow diagram with
the current state highlighted. Everything is inline (CSS and SVG): it works offline from a
USB stick or a file share. Data comes from a few set-based queries, whatever the count.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path, PurePosixPath
from typing import Any
from urllib.parse import quote

from journey.definitions.catalog import WorkflowCatalog
from journey.domain.deals import FORM_LABELS, STATUS_LABELS, DealForm, DealStatus
from journey.domain.errors import NotFoundError
from journey.domain.spec import WorkflowSpec, parse_state
from journey.ports.exports import ReportRenderer, SiteWriter
from journey.ports.monitoring import ReportSource
from journey.services.cases.views import with_corrections
from journey.services.monitoring.monitor import build, state_label
from journey.services.workflows import diagram


@dataclass(frozen=True)
class ReportResult:
    index: Path
    pages: int


def _value(value: Any) -> str:
    return ", ".join(map(str, value)) if isinstance(value, list | tuple) else str(value)


def _evidence(entry: dict[str, Any]) -> str:
    evidence = entry.get("evidence") or {}
    if entry.get("kind") == "CORRECTED" and isinstance(evidence.get("correction"), dict):
        body = evidence["correction"]
        return f"rättar #{body.get('entry')}: " + "; ".join(
            f"{kind}.{k}: {_value((body.get('previous') or {}).get(kind, {}).get(k))} → {_value(v)}"
            for kind, fields in (body.get("changes") or {}).items() for k, v in fields.items())
    text = "; ".join(f"{kind}: " + ", ".join(f"{k}={_value(v)}" for k, v in fields.items())
                     for kind, fields in evidence.items() if isinstance(fields, dict))
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
    """Write ``index.html`` and ``kommun/<slug>.html`` for every municipality the actor may read."""
    data = build(source, workflows, username, now)
    registry = workflows()
    history, documents, reminders = source.history(), source.documents(), source.reminders()
    deals = source.deals()
    diagrams: dict[tuple[str, str], tuple[str, str]] = {}
    for row in data["rows"]:
        case_id = row["case_id"]
        spec = _spec(registry, row["workflow"]) if case_id is not None else None
        key = (row["workflow"], row["state"])
        if key not in diagrams:  # one drawing per workflow version and state, however many municipalities
            leaves = parse_state(row["state"])
            diagrams[key] = (diagram.svg(spec, leaves), diagram.mermaid(spec, leaves)) if spec else ("", "")
        drawing, mermaid = diagrams[key]
        entries = [e | {"evidence_text": _evidence(e), "to_label": state_label(spec, e["to_state"]),
                        "from_label": state_label(spec, e["from_state"]) if e["from_state"] else ""}
                   for e in with_corrections(history.get(case_id or -1, []))]
        page = render("municipality.html.j2", {
            "row": row, "history": entries,
            "documents": [_document(d, row["slug"], site) for d in documents.get(case_id or -1, [])],
            "reminders": reminders.get(case_id or -1, []), "deals": [_deal(d) for d in deals.get(case_id or -1, [])],
            "diagram": drawing, "mermaid": mermaid, "data": data,
            "now": now})
        site.write(f"kommun/{row['slug']}.html", page)
        progress(1)
    index = site.write("index.html", render("index.html.j2", {"data": data, "now": now}))
    return ReportResult(index, len(data["rows"]))


def _spec(registry: WorkflowCatalog, key: str) -> WorkflowSpec | None:
    name, _, version = key.partition("@")
    try:
        return registry.get(name, int(version))
    except (NotFoundError, ValueError):
        return None
