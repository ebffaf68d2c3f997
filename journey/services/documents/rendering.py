"""Documents per state: their template data, rendering, the register, and regeneration on request.

Rendering holds no transaction: :func:`prepare` reads the template data, :func:`render_files`
renders and writes every format in memory, :func:`staged` writes and syncs each file under a
temporary name, and :func:`register` names the files (one rename each) and adds their register
rows in one short change: the write lock is never held while a file is written to disk. A file
named just before a failed commit stays on disk unregistered and is overwritten by the next
attempt (same name). Documents of a state entry go through the outbox (``outbox.py``).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from journey.domain.case import Case, HistoryEntry
from journey.domain.deals import Deal
from journey.domain.document import check_formats, condition_holds, safe_filename
from journey.domain.errors import DocumentWriteError, NotFoundError
from journey.domain.events import DocumentCreated, Event
from journey.domain.messages import msg
from journey.domain.municipality import Municipality, slugify
from journey.domain.spec import DocumentSpec, StateSpec, WorkflowSpec, active_paths
from journey.ports.documents import DocumentTools, StagedFile
from journey.ports.unit_of_work import UnitOfWork
from journey.services.cases.lifecycle import case_for_change
from journey.services.deals.views import deal_view
from journey.services.deps import Deps
from journey.services.documents.context import build_context


def input_digest(data: Any) -> str:
    return hashlib.sha256(json.dumps(data, sort_keys=True, ensure_ascii=False, default=str).encode()).hexdigest()


@dataclass(frozen=True)
class Prepared:
    """One document about to be rendered: where it is declared and its template data.

    A deal's document (``deal`` set) is registered with no state path, under the deal's id, and
    named and described after the deal ('affär 1 …', 'Affär 1 (IOP)').
    """

    state: StateSpec
    doc: DocumentSpec
    context: dict[str, Any]
    deal: Deal | None = None

    @property
    def state_path(self) -> str:
        return "" if self.deal else self.state.path

    @property
    def title(self) -> str:
        return str(self.context["document"]["title"])

    @property
    def file_title(self) -> str:
        """What the file is named after (before its date and revision)."""
        return f"affär {self.deal.number} {self.title}" if self.deal else self.title

    @property
    def origin(self) -> tuple[str, str]:
        """What the document belongs to: (its title, its id) in the file's properties."""
        return (self.deal.label, self.deal.label) if self.deal else (self.state.title, self.state.path)


@dataclass(frozen=True)
class Written:
    """One rendered file, not yet registered."""

    item: Prepared
    fmt: str
    data: bytes
    template_source: str
    overridden: bool
    template_hash: str
    input_hash: str


def prepare(uow: UnitOfWork, spec: WorkflowSpec, case: Case, items: list[tuple[StateSpec, DocumentSpec]], *,
            now: datetime, conditional: bool = True, history: list[HistoryEntry] | None = None) -> list[Prepared]:
    """The template data of ``items`` (reads only); with ``conditional`` only those whose ``when`` holds."""
    m: Municipality = uow.municipalities.get(case.municipality_id)
    history = uow.cases.history(case.id or 0) if history is None else history
    register = [deal_view(d) for d in uow.deals.for_case(case.id or 0)]
    out = []
    for state, doc in items:
        context = context_for(uow, spec, case, state, doc, history, now, register_deals=register)
        if doc.template.startswith("lagesrapport"):  # issue 12: the ESF figures of the report to SKR
            from journey.services.hours.report import esf_report  # only this report loads the hours feature

            context["esf"] = esf_report(uow, m.id or 0, now, context["evidence"], context["deals"])
        if not conditional or condition_holds(doc.get("when"), context["evidence"]):
            out.append(Prepared(state, doc, context))
    return out


def render_files(tools: DocumentTools, spec: WorkflowSpec, municipality: Municipality, prepared: list[Prepared], *,
                 now: datetime, formats: tuple[str, ...] | None = None) -> list[Written]:
    """Render and write every format of each prepared document, in memory (no database, no files).

    Raises TemplateError when a template fails or takes too long.
    """
    rendered = tools.renderer.render([(p.doc.template, p.context) for p in prepared], slugify(municipality.name))
    out = []
    for item, result in zip(prepared, rendered, strict=True):
        input_hash = input_digest(item.context)
        heading, origin = item.origin
        meta = {"title": item.title, "subject": f"{municipality.name}: {heading}", "created": now,
                "municipality": slugify(municipality.name),
                "diarienummer": str(item.context["document"].get("diarienummer") or ""),
                "comments": f"journey {spec.key} {origin}; template {item.doc.template} "
                            f"sha256:{result.template_hash}; input sha256:{input_hash}"}
        for fmt in formats or check_formats(item.doc.get("formats"),
                                            f"{spec.key} {item.state.path} document {item.doc.id}"):
            out.append(Written(item, fmt, tools.writers[fmt](result.html, meta), result.path, result.overridden,
                               result.template_hash, input_hash))
    return out


@contextmanager
def staged(tools: DocumentTools, municipality: Municipality,
           files: list[Written]) -> Iterator[list[tuple[Written, StagedFile]]]:
    """Each file written and synced under a temporary name in the municipality's folder, before the
    change that names and registers them (:func:`register`); those not named by then are removed."""
    folder = tools.folder(municipality.name)
    out: list[tuple[Written, StagedFile]] = []
    try:
        for f in files:
            try:
                out.append((f, tools.stage(folder, f.data, f".{f.fmt}")))
            except OSError as exc:
                raise DocumentWriteError(msg("could not write {path}: {value}", path=folder,
                                             value=exc.strerror or exc)) from None
        yield out
    finally:
        for _, file in out:
            file.discard()


def register(uow: UnitOfWork, tools: DocumentTools, case: Case, municipality: Municipality,
             files: list[tuple[Written, StagedFile]], *, actor: str, reason: str, now: datetime) -> list[dict[str, Any]]:
    """Name the staged files after their next revision and add one register row each (inside the caller's change)."""
    repo = uow.documents
    revisions: dict[str, int] = {}
    rows = []
    for f, file in files:
        doc = f.item.doc
        if doc.id not in revisions:
            revisions[doc.id] = repo.next_revision(case.id or 0, doc.id)
        revision = revisions[doc.id]
        stem = f"{now.date().isoformat()}_{safe_filename(f.item.file_title)}_v{revision}"
        path = tools.folder(municipality.name) / f"{stem}.{f.fmt}"
        row = {"case_id": case.id, "municipality_id": municipality.id, "state_path": f.item.state_path,
               "doc_id": doc.id, "title": f.item.title, "template": doc.template, "template_source": f.template_source,
               "overridden": f.overridden, "template_hash": f.template_hash, "input_hash": f.input_hash,
               "format": f.fmt, "path": str(path), "size": len(f.data), "sha256": hashlib.sha256(f.data).hexdigest(),
               "revision": revision, "reason": reason, "actor": actor, "created_at": now}
        if f.item.deal is not None:
            row["deal_id"] = f.item.deal.id
        row["id"] = repo.add(row)  # first: the unique (case, document, revision, format) row claims the file name
        try:
            file.place(path)
        except OSError as exc:
            raise DocumentWriteError(msg("could not write {path}: {value}", path=path,
                                         value=exc.strerror or exc)) from None
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


def latest_rows(uow: UnitOfWork, case_id: int) -> dict[str, dict[str, Any]]:
    """The latest register row of each document of the case."""
    rows: dict[str, dict[str, Any]] = {}
    for row in uow.documents.for_case(case_id):
        if row["doc_id"] not in rows or row["revision"] >= rows[row["doc_id"]]["revision"]:
            rows[row["doc_id"]] = row
    return rows


def declared(spec: WorkflowSpec, state_path: str, doc_id: str) -> tuple[StateSpec, DocumentSpec] | None:
    """Where ``spec`` declares document ``doc_id`` of state ``state_path``; None if it no longer does."""
    state = spec.state(state_path)
    doc = next((d for d in state.documents if d.id == doc_id), None) if state else None
    return (state, doc) if state is not None and doc is not None else None


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
    """Explicitly (re)generate one document with the case's current data, as a new revision.

    Rendered between two short transactions, like the outbox, so that a slow template holds no lock;
    unlike the outbox, a failure is the command's error and nothing is registered.
    """
    with deps.uow() as uow:
        actor, m, case = case_for_change(uow, username, municipality)
        spec = deps.workflows().get(case.workflow, case.workflow_version)
        item = find_document(spec, case.leaves, doc_id, state_path)
        chosen = check_formats(formats, "--format") if formats else None
        now = deps.clock.now()
        prepared = prepare(uow, spec, case, [item], now=now, conditional=False)
    return render_on_request(deps, tools, spec, case, m, prepared, actor=actor.username, now=now, formats=chosen)


def render_on_request(deps: Deps, tools: DocumentTools, spec: WorkflowSpec, case: Case, m: Municipality,
                      prepared: list[Prepared], *, actor: str, now: datetime,
                      formats: tuple[str, ...] | None = None) -> list[dict[str, Any]]:
    """Render ``prepared`` as new revisions (``REGENERATED``) holding no transaction, then register them in one
    short change; a failure is the caller's error and nothing is registered."""
    files = render_files(tools, spec, m, prepared, now=now, formats=formats)
    with staged(tools, m, files) as ready, deps.uow() as uow:
        rows = register(uow, tools, case, m, ready, actor=actor, reason="REGENERATED", now=now)
        deps.publish(created_events(rows), uow)
        uow.commit()
        return rows
