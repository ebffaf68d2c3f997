"""Documents per state: render on entry (StateEntered), regenerate on request, record provenance.

Failure policy: documents are rendered and written *inside* the unit of work of the change
that entered the state. Files are written atomically (temporary file, then rename) and the
register rows join the same transaction, so if a template fails or a file cannot be written
the advance fails with a one-line error and nothing is saved. A file written just before a
failed commit stays on disk unregistered and is overwritten by the next attempt (same name).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from datetime import datetime
from typing import Any

from journey.domain.case import Case
from journey.domain.document import check_formats, condition_holds, safe_filename
from journey.domain.errors import DocumentWriteError, NotFoundError
from journey.domain.events import Event, StateEntered
from journey.domain.municipality import Municipality, slugify
from journey.domain.spec import DocumentSpec, StateSpec, WorkflowSpec, active_paths
from journey.ports.documents import DocumentTools
from journey.ports.unit_of_work import UnitOfWork
from journey.services.cases.lifecycle import case_for_change
from journey.services.deps import Deps
from journey.services.documents.context import build_context


def _digest(data: Any) -> str:
    return hashlib.sha256(json.dumps(data, sort_keys=True, ensure_ascii=False, default=str).encode()).hexdigest()


def produce(uow: UnitOfWork, tools: DocumentTools, spec: WorkflowSpec, case: Case, items: list[tuple[StateSpec,
            DocumentSpec]], *, actor: str, reason: str, now: datetime, formats: tuple[str, ...] | None = None,
            conditional: bool = True) -> list[dict[str, Any]]:
    """Render ``items`` for ``case``, store every format and add one register row per file."""
    m: Municipality = uow.municipalities.get(case.municipality_id)
    history = uow.cases.history(case.id or 0)
    municipality = {"name": m.name, "code": m.code, "county": m.county, "slug": slugify(m.name)}
    jobs = []
    for state, doc in items:
        context = build_context(spec=spec, state=state, doc=doc, municipality=municipality, case_state=case.state,
                                opened_at=case.opened_at, history=history, now=now)
        if not conditional or condition_holds(doc.get("when"), context["evidence"]):
            jobs.append((state, doc, context))
    rendered = tools.renderer.render([(doc.template, ctx) for _, doc, ctx in jobs], slugify(m.name))
    repo = uow.documents
    rows = []
    for (state, doc, context), result in zip(jobs, rendered, strict=True):
        revision = repo.next_revision(case.id or 0, doc.id)
        title = context["document"]["title"]
        input_hash = _digest(context)
        meta = {"title": title, "subject": f"{m.name}: {state.title}", "created": now,
                "comments": f"journey {spec.key} {state.path}; template {doc.template} sha256:{result.template_hash}; "
                            f"input sha256:{input_hash}"}
        stem = f"{now.date().isoformat()}_{safe_filename(title)}_v{revision}"
        for fmt in formats or check_formats(doc.get("formats"), f"{spec.key} {state.path} document {doc.id}"):
            data = tools.writers[fmt](result.html, meta)
            path = tools.output_dir / safe_filename(m.name) / f"{stem}.{fmt}"
            row = {"case_id": case.id, "municipality_id": m.id, "state_path": state.path, "doc_id": doc.id,
                   "title": title, "template": doc.template, "template_source": result.path,
                   "overridden": result.overridden,
                   "template_hash": result.template_hash, "input_hash": input_hash, "format": fmt,
                   "path": str(path), "size": len(data), "sha256": hashlib.sha256(data).hexdigest(),
                   "revision": revision, "reason": reason, "actor": actor, "created_at": now}
            repo.add(row)  # first: the unique (case, document, revision, format) row claims the file name
            try:
                tools.store(path, data)
            except OSError as exc:
                raise DocumentWriteError(f"could not write {path}: {exc.strerror or exc}; nothing was saved "
                                         "(the change was not applied), fix the output directory and retry") from None
            rows.append(row)
    return rows


def on_state_entered(deps: Deps, tools: DocumentTools) -> Callable[[Event, UnitOfWork], None]:
    """The handler bootstrap registers: render what the entered state declares, inside the change."""

    def handle(event: Event, uow: UnitOfWork) -> None:
        assert isinstance(event, StateEntered)
        case = uow.cases.get(event.case_id)
        spec = deps.workflows().get(case.workflow, case.workflow_version)
        state = spec.state(event.path)
        if state is None or not state.documents:
            return
        history = uow.cases.history(event.case_id)
        actor = history[-1].actor if history else "journey"
        produce(uow, tools, spec, case, [(state, d) for d in state.documents], actor=actor, reason="ENTERED",
                now=event.at)

    return handle


def find_document(spec: WorkflowSpec, leaves: tuple[str, ...], doc_id: str,
                  state_path: str | None = None) -> tuple[StateSpec, DocumentSpec]:
    """The state declaring ``doc_id``: the given one, else the one the case is in, else the only one."""
    found = [(s, d) for s in spec.all_states() for d in s.documents if d.id == doc_id
             and (state_path is None or s.path == state_path)]
    if not found:
        known = sorted({d.id for s in spec.all_states() for d in s.documents})
        raise NotFoundError(f"workflow {spec.key} declares no document {doc_id!r}"
                            + (f" in state {state_path!r}" if state_path else "") + f"; known: {', '.join(known)}")
    active = set(active_paths(leaves))
    current = [f for f in found if f[0].path in active]
    if len(current) == 1 or len(found) == 1:
        return (current or found)[0]
    raise NotFoundError(f"document {doc_id!r} is declared in several states ({', '.join(s.path for s, _ in found)}); "
                        "choose one with --state")


def render_document(deps: Deps, tools: DocumentTools, username: str | None, municipality: str, doc_id: str,
                    formats: tuple[str, ...] = (), state_path: str | None = None) -> list[dict[str, Any]]:
    """Explicitly (re)generate one document with the case's current data, as a new revision."""
    with deps.uow() as uow:
        actor, m, case = case_for_change(uow, username, municipality)
        spec = deps.workflows().get(case.workflow, case.workflow_version)
        item = find_document(spec, case.leaves, doc_id, state_path)
        chosen = check_formats(formats, "--format") if formats else None
        rows = produce(uow, tools, spec, case, [item], actor=actor.username, reason="REGENERATED",
                       now=deps.clock.now(), formats=chosen, conditional=False)
        uow.commit()
        return rows
