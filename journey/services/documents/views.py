"""Read side of the document register: a municipality's documents, newest revision last."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from journey.definitions.catalog import WorkflowCatalog
from journey.domain.access import Action, authorize
from journey.domain.errors import NotFoundError
from journey.domain.messages import msg
from journey.domain.spec import WorkflowSpec
from journey.ports.core import ReadModel
from journey.services.actors import match_municipality
from journey.services.cases.views import reader
from journey.services.deals.documents import listed_title

DocumentQuery = Callable[[Any, int], list[dict[str, Any]]]


def list_documents(read: ReadModel, query: DocumentQuery, username: str | None, municipality: str,
                   workflows: Callable[[], WorkflowCatalog] | None = None) -> dict[str, Any]:
    """``{"municipality": name, "documents": [...]}`` for a reader allowed to see the municipality.

    Each row has the ``title`` the file was rendered with. Given ``workflows``, it also has its state's
    ``state_title`` as the case's workflow names it (the id where it does not know it; "" for a deal's
    document), and a row from before titles were kept gets one from the workflow.
    """
    actor = reader(read, username)
    m = match_municipality(municipality, read.municipalities())
    authorize(actor, Action.READ, m["id"], m["name"])
    cases = read.cases(m["id"])
    if not cases:
        raise NotFoundError(msg("{name} has no case yet: run `journey open {name}`", name=m['name']))
    rows = query(read, cases[0]["id"])
    spec = _spec(workflows, cases[0]) if workflows is not None else None
    for row in rows:
        row["created_at"] = row["created_at"].isoformat()
        row["overridden"] = bool(row["overridden"])
        if workflows is not None:
            path = row["state_path"] or ""
            state = spec.state(path) if spec is not None and path else None
            if not row.get("title"):  # the register keeps the title each file was rendered with; older rows lack it
                deal = listed_title(row["doc_id"]) if not path else None
                row["title"] = deal or (spec.document_title(path, row["doc_id"]) if spec is not None else row["doc_id"])
            row["state_title"] = state.title if state is not None else path
    return {"municipality": m["name"], "documents": rows}


def _spec(workflows: Callable[[], WorkflowCatalog], case: dict[str, Any]) -> WorkflowSpec | None:
    try:
        return workflows().get(case["workflow"], int(case["workflow_version"]))
    except (NotFoundError, TypeError, ValueError):
        return None
