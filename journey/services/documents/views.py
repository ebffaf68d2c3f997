"""Read side of the document register: a municipality's documents, newest revision last."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from journey.domain.access import Action, authorize
from journey.domain.errors import NotFoundError
from journey.domain.messages import msg
from journey.ports.core import ReadModel
from journey.services.actors import match_municipality
from journey.services.cases.views import reader

DocumentQuery = Callable[[Any, int], list[dict[str, Any]]]


def list_documents(read: ReadModel, query: DocumentQuery, username: str | None, municipality: str) -> dict[str, Any]:
    """``{"municipality": name, "documents": [...]}`` for a reader allowed to see the municipality."""
    actor = reader(read, username)
    m = match_municipality(municipality, read.municipalities())
    authorize(actor, Action.READ, m["id"], m["name"])
    cases = read.cases(m["id"])
    if not cases:
        raise NotFoundError(msg("{name} has no case yet: run `journey open {name}`", name=m['name']))
    rows = query(read, cases[0]["id"])
    for row in rows:
        row["created_at"] = row["created_at"].isoformat()
        row["overridden"] = bool(row["overridden"])
    return {"municipality": m["name"], "documents": rows}
