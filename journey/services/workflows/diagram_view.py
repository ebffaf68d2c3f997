"""`journey report diagram`: a workflow's diagram, optionally highlighting a municipality's state."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from journey.definitions.catalog import WorkflowCatalog
from journey.domain.errors import InputError
from journey.domain.messages import msg
from journey.domain.spec import parse_state
from journey.ports.core import ReadModel
from journey.services.cases.views import status
from journey.services.workflows import diagram


def render_diagram(read: ReadModel, workflows: Callable[[], WorkflowCatalog], username: str | None, now: datetime,
                   workflow: str | None, municipality: str | None, fmt: str) -> str:
    """Mermaid text or SVG; with ``municipality`` its case's workflow version and state are used."""
    name, _, version = (workflow or "").partition("@")
    if version and not version.isdigit():
        raise InputError(msg("workflow {workflow!r} must be NAME or NAME@VERSION", workflow=workflow))
    leaves: tuple[str, ...] = ()
    if municipality:
        row = status(read, workflows, username, now, municipality)[0]
        case_name, _, case_version = row["workflow"].partition("@")
        if name and (name, version or case_version) != (case_name, case_version):
            raise InputError(msg("{municipality} follows {workflow}, not {workflow2}",
                municipality=row['municipality'], workflow=row['workflow'], workflow2=workflow))
        name, version, leaves = case_name, case_version, parse_state(row["state"])
    if not name:
        raise InputError(msg("name a WORKFLOW or give --municipality"))
    spec = workflows().get(name, int(version) if version else None)
    return diagram.mermaid(spec, leaves) if fmt == "mermaid" else diagram.svg(spec, leaves) + "\n"
