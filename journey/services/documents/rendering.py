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
from datetime import date, datetime
from typing import Any

from journey.domain.case import Case, HistoryEntry
from journey.domain.document import check_formats, condition_holds, safe_filename
from journey.domain.errors import DocumentWriteError, NotFoundError
from journey.domain.events import DocumentCreated, Event, EvidenceCorrected, MatterChanged, StateEntered
from journey.domain.messages import msg
from journey.domain.municipality import Municipality, slugify
from journey.domain.spec import DocumentSpec, StateSpec, WorkflowSpec, active_paths
from journey.ports.documents import DocumentTools
from journey.ports.unit_of_work import UnitOfWork
from journey.services.cases.lifecycle import case_for_change
from journey.services.deals.views import deal_view
from journey.services.deps import Deps
from journey.services.documents.context import build_context
from journey.services.hours.report import esf_report


def _digest(data: Any) -> str:
    return hashlib.sha256(json.dumps(data, sort_keys=True, ensure_ascii=False, default=str).encode()).hexdigest()


def produce(uow: UnitOfWork, tools: DocumentTools, spec: WorkflowSpec, case: Case, items: list[tuple[StateSpec,
            DocumentSpec]], *, actor: str, reason: str, now: datetime, formats: tuple[str, ...] | None = None,
            conditional: bool = True) -> list[dict[str, Any]]:
    """Render ``items`` for ``case``, store every format and add one register row per file."""
    m: Municipality = uow.municipalities.get(case.municipality_id)
    history = uow.cases.history(case.id or 0)
    register = [deal_view(d) for d in uow.deals.for_case(case.id or 0)]
    jobs = []
    for state, doc in items:
        context = context_for(uow, spec, case, state, doc, history, now, register_deals=register)
        if doc.template.startswith("lagesrapport"):  # issue 12: the ESF figures of the report to SKR
            context["esf"] = esf_report(uow, m.id or 0, now, context["evidence"], context["deals"])
        if not conditional or condition_holds(doc.get("when"), context["evidence"]):
            jobs.append((state, doc, context))
    rendered = tools.renderer.render([(doc.template, ctx) for _, doc, ctx in jobs], slugify(m.name))
    repo = uow.documents
    rows = []
    for (state, doc, context), result in zip(jobs, rendered, strict=True):
        revision = repo.next_revision(case.id or 0, doc.id)
        title = context["document"]["title"]
        input_hash = _digest(context)
        meta = {"title": title, "subject": f"{m.name}: {state.title}", "created": now, "municipality": slugify(m.name),
                "diarienummer": str(context["document"].get("diarienummer") or ""),
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
            row["id"] = repo.add(row)  # first: the unique (case, document, revision, format) row claims the file name
            try:
                tools.store(path, data)
            except OSError as exc:
                raise DocumentWriteError(msg("could not write {path}: {value}; nothing was saved (the change "
                                             "was not applied), fix the output directory and retry",
                    path=path, value=exc.strerror or exc)) from None
            rows.append(row)
    return rows


def context_for(uow: UnitOfWork, spec: WorkflowSpec, case: Case, state: StateSpec, doc: DocumentSpec,
                history: list[HistoryEntry], now: datetime, matters: list[Any] | None = None,
                register_deals: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    """The template data of one document: the case, its (corrected) history, its matters and the calendar."""
    m = uow.municipalities.get(case.municipality_id)
    municipality = {"name": m.name, "code": m.code, "county": m.county, "slug": slugify(m.name)}
    matters = uow.matters.for_case(case.id or 0) if matters is None else matters
    calendar: dict[str, list[date]] = {}
    for meeting in uow.board_meetings.meetings(case.municipality_id):
        calendar.setdefault(meeting.board_code, []).append(meeting.day)
    boards = {b["code"]: b["name"] for b in uow.board_meetings.boards(case.municipality_id)}
    return build_context(spec=spec, state=state, doc=doc, municipality=municipality, case_state=case.state,
                         opened_at=case.opened_at, history=history, now=now, matters=matters, boards=boards,
                         meetings=calendar, register_deals=register_deals)


def _latest(uow: UnitOfWork, case_id: int) -> dict[str, dict[str, Any]]:
    """The latest register row of each document of the case."""
    rows: dict[str, dict[str, Any]] = {}
    for row in uow.documents.for_case(case_id):
        if row["doc_id"] not in rows or row["revision"] >= rows[row["doc_id"]]["revision"]:
            rows[row["doc_id"]] = row
    return rows


def _declared(spec: WorkflowSpec, row: dict[str, Any]) -> tuple[StateSpec, DocumentSpec] | None:
    state = spec.state(row["state_path"])
    doc = next((d for d in state.documents if d.id == row["doc_id"]), None) if state else None
    return (state, doc) if state is not None and doc is not None else None


def on_matter_changed(deps: Deps, tools: DocumentTools) -> Callable[[Event, UnitOfWork], None]:
    """A matter's facts or decisions changed: its state's documents, once rendered, get a new revision."""

    def handle(event: Event, uow: UnitOfWork) -> None:
        assert isinstance(event, MatterChanged)
        case = uow.cases.get(event.case_id)
        spec = deps.workflows().get(case.workflow, case.workflow_version)
        items = [item for row in _latest(uow, event.case_id).values() if row["state_path"] == event.state_path
                 and (item := _declared(spec, row)) is not None]
        if items:
            produce(uow, tools, spec, case, items, actor=_actor(uow, event.case_id), reason=event.reason, now=event.at,
                    conditional=False)

    return handle


def on_evidence_corrected(deps: Deps, tools: DocumentTools) -> Callable[[Event, UnitOfWork], None]:
    """Documents built from the corrected entry get a new revision: those rendered since it was recorded,
    and those of a state whose matter the correction changed, wherever the data they show changed."""

    def handle(event: Event, uow: UnitOfWork) -> None:
        assert isinstance(event, EvidenceCorrected)
        case = uow.cases.get(event.case_id)
        spec = deps.workflows().get(case.workflow, case.workflow_version)
        history = uow.cases.history(event.case_id)
        before = [e for e in history if e.seq != event.correction_seq]
        matters_before = list(event.matters_before)
        items = []
        for row in _latest(uow, event.case_id).values():
            item = _declared(spec, row)
            if item is None or (row["created_at"] < event.entry_at and row["state_path"] not in event.states):
                continue
            old = context_for(uow, spec, case, *item, before, event.at, matters_before)
            if _digest(old) != _digest(context_for(uow, spec, case, *item, history, event.at)):
                items.append(item)
        if items:
            produce(uow, tools, spec, case, items, actor=_actor(uow, event.case_id), reason="CORRECTED", now=event.at,
                    conditional=False)

    return handle


def _actor(uow: UnitOfWork, case_id: int) -> str:
    history = uow.cases.history(case_id)
    return history[-1].actor if history else "journey"


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
        rows = produce(uow, tools, spec, case, [(state, d) for d in state.documents], actor=actor, reason="ENTERED",
                       now=event.at)
        deps.publish(created_events(rows), uow)

    return handle


def created_events(rows: list[dict[str, Any]]) -> list[Event]:
    """One :class:`DocumentCreated` per registered file (webhooks announce them)."""
    return [DocumentCreated(r["case_id"], r["created_at"], r["id"], r["doc_id"], r["title"], r["format"], r["revision"],
                            str(r["path"]).replace("\\", "/").rsplit("/", 1)[-1], r["sha256"], r["state_path"],
                            r["reason"]) for r in rows]


def find_document(spec: WorkflowSpec, leaves: tuple[str, ...], doc_id: str,
                  state_path: str | None = None) -> tuple[StateSpec, DocumentSpec]:
    """The state declaring ``doc_id``: the given one, else the one the case is in, else the only one."""
    found = [(s, d) for s in spec.all_states() for d in s.documents if d.id == doc_id
             and (state_path is None or s.path == state_path)]
    if not found:
        known = sorted({d.id for s in spec.all_states() for d in s.documents})
        hint = msg("; a deal's documents are rendered with `journey deals documents MUNICIPALITY N`") \
            if doc_id.startswith("deal") and doc_id[4:5].isdigit() else ""
        where = msg(" in state {state!r}", state=state_path) if state_path else ""
        raise NotFoundError(msg("workflow {key} declares no document {doc_id!r}{where}; known: {known}{hint}",
                                key=spec.key, doc_id=doc_id, where=where, known=", ".join(known), hint=hint))
    active = set(active_paths(leaves))
    current = [f for f in found if f[0].path in active]
    if len(current) == 1 or len(found) == 1:
        return (current or found)[0]
    raise NotFoundError(msg("document {doc_id!r} is declared in several states ({value}); choose one with "
                            "--state", doc_id=doc_id, value=', '.join((s.path for s, _ in found))))


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
        deps.publish(created_events(rows), uow)
        uow.commit()
        return rows
