"""The document outbox (issue #14 §3): a change records what to render; it is rendered after the change commits.

Why: rendering inside the change held the database's write lock for the whole render (tens of
milliseconds, up to the render timeout), and a failing template failed the change. Now the change
(advance, open, a matter's decision, a correction) records a :class:`DocumentJob` in its own
transaction and asks its unit of work to settle the job once it has committed:

1. claim the job for a lease and read its template data (short transaction);
2. render the files in memory and write and sync them under temporary names, holding no transaction;
3. name the files, add their register rows and mark the job done (short transaction): only the
   claim that still holds the job registers anything, so a job is done exactly once.

A deal's change (``services/deals/register.py``) records a job the same way, its items
("", "deal<N>_<template>"): the deal's documents from its record.

A failed attempt is recorded on the job and tried again after 1, 2, 4 ... minutes, by the
scheduler or by the next command that changes something; after five attempts it waits for
`journey documents retry`. The documents carry the date of the change and show the history up
to it, whenever they are rendered.
"""

from __future__ import annotations

import os
import socket
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Any

from journey.domain.access import Action, authorize, visible_municipality_ids
from journey.domain.deals import Deal
from journey.domain.document_jobs import DocumentJob
from journey.domain.errors import JourneyError
from journey.domain.events import Event, EvidenceCorrected, MatterChanged, StateEntered
from journey.domain.spec import DocumentSpec, StateSpec, WorkflowSpec
from journey.ports.documents import DocumentTools
from journey.ports.unit_of_work import UnitOfWork
from journey.services.cases.lifecycle import actor_in, find_municipality
from journey.services.deals.documents import job_items, listed_title, prepare_job
from journey.services.deps import Deps
from journey.services.documents.rendering import (
    context_for,
    created_events,
    declared,
    input_digest,
    latest_rows,
    prepare,
    register,
    render_files,
    staged,
)

LEASE_MARGIN = timedelta(seconds=60)  # beyond the render timeout of every document of the job
RETRY_ON_CHANGE = 3  # due jobs of other cases a change also tries after its own


@dataclass
class Settled:
    """What settling some jobs did: the register rows written, and the jobs that failed this time."""

    rows: list[dict[str, Any]] = field(default_factory=list)
    failed: list[DocumentJob] = field(default_factory=list)


def worker_id() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


# Recording jobs: the handlers bootstrap registers, run inside the change ----------------------------------------

def _record(deps: Deps, tools: DocumentTools, uow: UnitOfWork, case_id: int, items: list[tuple[StateSpec,
            DocumentSpec]], reason: str, event: Event, conditional: bool) -> None:
    history = uow.cases.history(case_id)
    last = history[-1] if history else None
    job = DocumentJob(0, case_id, tuple((s.path, d.id) for s, d in items), reason, last.actor if last else "journey",
                      event.at, last.seq if last else 0, conditional)
    enqueue(deps, tools, uow, job)


def enqueue(deps: Deps, tools: DocumentTools, uow: UnitOfWork, job: DocumentJob) -> int:
    """Record ``job`` in the change's transaction; it is settled once the change has committed."""
    job_id = uow.documents.enqueue(job)
    uow.after_commit(lambda: settle(deps, tools, [job_id]))
    return job_id


def enqueue_deal_documents(deps: Deps, tools: DocumentTools, uow: UnitOfWork, case_id: int, deal: Deal, *,
                           reason: str, actor: str, at: datetime) -> int | None:
    """Record a job rendering the deal's documents (None: its form has none)."""
    items = job_items(deal)
    if not items:
        return None
    history = uow.cases.history(case_id)
    return enqueue(deps, tools, uow, DocumentJob(0, case_id, items, reason, actor, at,
                                                  history[-1].seq if history else 0, False))


def on_state_entered(deps: Deps, tools: DocumentTools) -> Callable[[Event, UnitOfWork], None]:
    """Entering a state that declares documents records a job to render them."""

    def handle(event: Event, uow: UnitOfWork) -> None:
        assert isinstance(event, StateEntered)
        case = uow.cases.get(event.case_id)
        spec = deps.workflows().get(case.workflow, case.workflow_version)
        state = spec.state(event.path)
        if state is not None and state.documents:
            _record(deps, tools, uow, event.case_id, [(state, d) for d in state.documents], "ENTERED", event, True)

    return handle


def on_matter_changed(deps: Deps, tools: DocumentTools) -> Callable[[Event, UnitOfWork], None]:
    """A matter's facts or decisions changed: its state's documents, once rendered, get a new revision."""

    def handle(event: Event, uow: UnitOfWork) -> None:
        assert isinstance(event, MatterChanged)
        case = uow.cases.get(event.case_id)
        spec = deps.workflows().get(case.workflow, case.workflow_version)
        items = [item for row in latest_rows(uow, event.case_id).values() if row["state_path"] == event.state_path
                 and (item := declared(spec, row["state_path"], row["doc_id"])) is not None]
        if items:
            _record(deps, tools, uow, event.case_id, items, event.reason, event, False)

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
        for row in latest_rows(uow, event.case_id).values():
            item = declared(spec, row["state_path"], row["doc_id"])
            if item is None or (row["created_at"] < event.entry_at and row["state_path"] not in event.states):
                continue
            old = context_for(uow, spec, case, *item, before, event.at, matters_before)
            if input_digest(old) != input_digest(context_for(uow, spec, case, *item, history, event.at)):
                items.append(item)
        if items:
            _record(deps, tools, uow, event.case_id, items, "CORRECTED", event, False)

    return handle


# Settling jobs: after the change has committed -----------------------------------------------------------------

def settle(deps: Deps, tools: DocumentTools, job_ids: list[int], *, others: int = RETRY_ON_CHANGE,
           worker: str | None = None) -> Settled:
    """Render ``job_ids``, then up to ``others`` other due jobs. Never raises for a failed render or file."""
    worker = worker or worker_id()
    done = Settled()
    todo = list(job_ids)
    if others:
        with deps.uow() as uow:
            todo += [i for i in uow.documents.due_jobs(deps.clock.now(), others + len(todo)) if i not in todo][:others]
    for job_id in todo:
        rows, failed = run_job(deps, tools, job_id, worker)
        done.rows += rows
        if failed is not None:
            done.failed.append(failed)
    return done


def run_job(deps: Deps, tools: DocumentTools, job_id: int, worker: str) -> tuple[list[dict[str, Any]],
                                                                                 DocumentJob | None]:
    """Claim, render and register one job: (register rows, None), or ([], the job as failed); ([], None)
    when another worker holds it or it is done."""
    now = deps.clock.now()
    timeout = float(getattr(tools.renderer, "timeout", 10.0))
    try:
        with deps.uow() as uow:
            job = uow.documents.claim(job_id, worker, now, now + LEASE_MARGIN + timedelta(seconds=timeout * 4))
            if job is None:
                return [], None
            case = uow.cases.get(job.case_id)
            spec = deps.workflows().get(case.workflow, case.workflow_version)
            history = [e for e in uow.cases.history(job.case_id) if not job.seq or e.seq <= job.seq]
            if history:  # the state the case was in just after the change (an automatic step may have followed)
                case = replace(case, state=history[-1].to_state)
            m = uow.municipalities.get(case.municipality_id)
            prepared = prepare(uow, spec, case, _items(spec, job), now=job.at, conditional=job.conditional,
                               history=history) + prepare_job(uow, spec, case, m, job.items, history=history,
                                                              now=job.at)
            uow.commit()
        files = render_files(tools, spec, m, prepared, now=job.at)
        with staged(tools, m, files) as ready, deps.uow() as uow:
            if not uow.documents.finish(job_id, worker, deps.clock.now()):
                return [], None  # the lease ran out and another worker took the job over
            rows = register(uow, tools, case, m, ready, actor=job.actor, reason=job.reason, now=job.at)
            deps.publish(created_events(rows), uow)
            uow.commit()
        return rows, None
    except Exception as exc:  # noqa: BLE001  the change has committed: a failure is recorded, never raised
        error = str(exc) if isinstance(exc, JourneyError) else f"{type(exc).__name__}: {exc}"
        with deps.uow() as uow:
            failed = uow.documents.fail(job_id, worker, error.splitlines()[0] if error else type(exc).__name__,
                                        deps.clock.now())
            uow.commit()
        return [], failed


def _items(spec: WorkflowSpec, job: DocumentJob) -> list[tuple[StateSpec, DocumentSpec]]:
    """The job's documents that the workflow still declares."""
    return [item for path, doc_id in job.items if (item := declared(spec, path, doc_id)) is not None]


def retry(deps: Deps, tools: DocumentTools, case_ids: list[int] | None = None) -> Settled:
    """Make the open jobs (of ``case_ids``, else all) due now and render them."""
    with deps.uow() as uow:
        uow.documents.retry(case_ids)
        jobs = [j.id for j in uow.documents.open_jobs(case_ids)]
        uow.commit()
    return settle(deps, tools, jobs, others=0)


# What a user asks of the outbox: which documents wait, and try them again ----------------------------------------

@dataclass(frozen=True)
class Waiting:
    """A job not done yet, for people to read."""

    municipality: str
    job: DocumentJob
    titles: tuple[str, ...]  # the documents' titles (their ids where the workflow no longer declares them)


def _scope(uow: UnitOfWork, username: str | None, municipality: str | None, action: Action) -> dict[int, str]:
    """The cases ``username`` may see (or change): {case id: municipality name}."""
    actor = actor_in(uow, username)
    if municipality:
        m = find_municipality(uow, municipality)
        authorize(actor, action, m.id, m.name)
        case = uow.cases.for_municipality(m.id or 0)
        return {case.id or 0: m.name} if case is not None else {}
    allowed = visible_municipality_ids(actor)
    if action is Action.CHANGE_CASE and allowed is None:
        authorize(actor, action)
    names = {m.id: m.name for m in uow.municipalities.list() if allowed is None or m.id in allowed}
    return {c.id or 0: names[c.municipality_id] for c in uow.cases.all() if c.municipality_id in names}


def waiting_documents(deps: Deps, username: str | None, municipality: str | None = None) -> list[Waiting]:
    """The documents of the visible cases (or ``municipality``'s) that are not rendered yet."""
    with deps.uow() as uow:
        cases = _scope(uow, username, municipality, Action.READ)
        jobs = uow.documents.open_jobs(list(cases))
        out = []
        for job in jobs:
            case = uow.cases.get(job.case_id)
            spec = deps.workflows().get(case.workflow, case.workflow_version)
            titles = {(s.path, d.id): str(d.get("title") or d.id) for s, d in _items(spec, job)}
            out.append(Waiting(cases[job.case_id], job, tuple(titles.get(i) or listed_title(i[1]) or i[1]
                                                              for i in job.items)))
        return out


def retry_documents(deps: Deps, tools: DocumentTools, username: str | None,
                    municipality: str | None = None) -> tuple[Settled, list[Waiting]]:
    """Try the waiting documents again now (given-up ones too); what was written and what still waits."""
    with deps.uow() as uow:
        cases = list(_scope(uow, username, municipality, Action.CHANGE_CASE))
    settled = retry(deps, tools, cases)
    return settled, waiting_documents(deps, username, municipality)
