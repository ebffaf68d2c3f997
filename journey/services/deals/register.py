"""Use cases of the deals register: add, update (status over time), list, show, render documents.

A deal may be recorded any time after the letter of intent, whatever stage the case is in, and a
case may have any number of deals. Each change is one transaction: the deal row, its append-only
history row, a document job for the documents of its form (a new revision when the deal changed;
rendered once the change has committed, so a slow or failing template neither holds the write
lock nor fails the change) and, when the deal is awarded, the automatic step of a transition
guarded by ``deal_awarded``.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from journey.domain.access import Action, authorize, visible
from journey.domain.case import Case
from journey.domain.deals import (
    Deal,
    DealEvent,
    DealEventKind,
    changed_deal,
    check_deal,
    describe_changes,
    new_deal,
)
from journey.domain.deals import (
    DealInput as DealInput,  # also what the CLI builds
)
from journey.domain.document import check_formats
from journey.domain.document_jobs import DocumentJob
from journey.domain.errors import InputError, NotFoundError, RefusedError
from journey.domain.messages import msg
from journey.domain.municipality import Municipality, swedish_sort_key
from journey.domain.spec import WorkflowSpec
from journey.ports.unit_of_work import UnitOfWork
from journey.services.cases.automatic import AutomaticStep, take_automatic_steps
from journey.services.cases.lifecycle import actor_in, case_for_change, commit_with_documents, find_municipality
from journey.services.deals.documents import prepare_deal_documents
from journey.services.deals.views import deal_view
from journey.services.deps import Deps
from journey.services.documents.outbox import enqueue_deal_documents
from journey.services.documents.rendering import render_on_request

LETTER_OF_INTENT = "letter_of_intent"


@dataclass(frozen=True)
class DealResult:
    municipality: str
    deal: dict[str, Any]
    documents: tuple[dict[str, Any], ...] = ()
    automatic: tuple[AutomaticStep, ...] = ()
    warnings: tuple[str, ...] = ()
    changes: dict[str, Any] | None = None
    waiting: tuple[DocumentJob, ...] = ()  # the case's documents not rendered yet: failed, tried again later


def ensure_after_letter_of_intent(spec: WorkflowSpec, case: Case, name: str) -> None:
    """Deals come after the letter of intent: the case's stage must lie beyond `letter_of_intent`.

    A workflow without that state allows deals once the case has left its initial stage.
    """
    order = [s.path for s in spec.states]
    mark = order.index(LETTER_OF_INTENT) if LETTER_OF_INTENT in order else order.index(spec.initial)
    if case.stage not in order or order.index(case.stage) <= mark:
        where = msg("the letter of intent is signed") if LETTER_OF_INTENT in order else msg(
            "the case has left its first stage")
        raise RefusedError(msg("{name}'s case is in {state!r}: deals can be recorded once {where} (the case has "
                               "passed {value!r})", name=name, state=case.state, where=where, value=order[mark]))


def _spec(deps: Deps, case: Case) -> WorkflowSpec:
    return deps.workflows().get(case.workflow, case.workflow_version)


def _today(deps: Deps) -> Any:
    return deps.clock.now().date()


def _after_change(deps: Deps, uow: UnitOfWork, spec: WorkflowSpec, case: Case, m: Municipality, deal: Deal,
                  actor: str, reason: str, render: bool) -> list[AutomaticStep]:
    """Inside the change: the job for the deal's documents, and the automatic step an award takes."""
    now = deps.clock.now()
    if render and deps.documents is not None:
        enqueue_deal_documents(deps, deps.documents, uow, case.id or 0, deal, reason=reason, actor=actor, at=now)
    return take_automatic_steps(deps, uow, case, spec, municipality=m.name, actor=actor, now=now) \
        if deal.awarded else []


def add_deal(deps: Deps, username: str | None, municipality: str, given: DealInput) -> DealResult:
    """Record a new deal for the municipality's case (status planerad unless given)."""
    today = _today(deps)
    with deps.uow() as uow:
        actor, m, case = case_for_change(uow, username, municipality)
        spec = _spec(deps, case)
        case_id = case.id or 0
        deal = new_deal(case_id, m.id or 0, uow.deals.next_number(case_id), given, today)
        ensure_after_letter_of_intent(spec, case, m.name)
        checked = check_deal(deal, today)
        now = deps.clock.now()
        deal = uow.deals.add(replace(checked.deal, created_by=actor.username, created_at=now, updated_at=now))
        blank = Deal(None, case_id, m.id or 0, deal.number, deal.form, deal.status, deal.status_date)
        facts = {"form": [None, deal.form.value]} | describe_changes(blank, deal)
        uow.deals.add_event(DealEvent(deal.id or 0, DealEventKind.ADDED, deal.status, deal.status_date,
                                      actor.username, now, given.comment.strip(), facts))
        automatic = _after_change(deps, uow, spec, case, m, deal, actor.username, "ENTERED", True)
        view = deal_view(deal, uow.deals.events(deal.id or 0))
        rows, waiting = commit_with_documents(uow, case.id or 0)
    return DealResult(m.name, view, rows, tuple(automatic), checked.warnings, waiting=waiting)


def update_deal(deps: Deps, username: str | None, municipality: str, number: int, given: DealInput) -> DealResult:
    """Change a deal's facts and/or move its status on; the history keeps every earlier value."""
    today = _today(deps)
    if not given.facts_given() and given.status is None and given.date is None and not given.comment.strip():
        raise InputError(msg("nothing to update: give --status, a fact such as --value, or --comment"))
    with deps.uow() as uow:
        actor, m, case = case_for_change(uow, username, municipality)
        spec = _spec(deps, case)
        before = _deal(uow, m, case, number)
        after = changed_deal(before, given, today)
        checked = check_deal(after, today)
        after = checked.deal
        changes = describe_changes(before, after)
        moved = after.status != before.status
        now = deps.clock.now()
        after = replace(after, updated_at=now)
        uow.deals.save(after)
        kind = DealEventKind.STATUS if moved else DealEventKind.CHANGED
        day = after.status_date if moved else today
        uow.deals.add_event(DealEvent(after.id or 0, kind, after.status, day, actor.username, now,
                                      given.comment.strip(), changes))
        automatic = _after_change(deps, uow, spec, case, m, after, actor.username, "CHANGED", bool(changes) or moved)
        view = deal_view(after, uow.deals.events(after.id or 0))
        rows, waiting = commit_with_documents(uow, case.id or 0)
    return DealResult(m.name, view, rows, tuple(automatic), checked.warnings, changes, waiting)


def _deal(uow: UnitOfWork, m: Municipality, case: Case, number: int) -> Deal:
    deal = uow.deals.get(case.id or 0, number)
    if deal is None:
        known = ", ".join(str(d.number) for d in uow.deals.for_case(case.id or 0)) or msg("none yet")
        raise NotFoundError(msg("{name} has no deal {number} (deals: {known})", name=m.name, number=number, known=known))
    return deal


def render_documents(deps: Deps, username: str | None, municipality: str, number: int,
                     formats: tuple[str, ...] = ()) -> list[dict[str, Any]]:
    """Render the deal's documents again from its current record, as a new revision.

    Rendered between two short transactions, like every document, so that a slow template holds no
    lock; a failure is the command's error and nothing is registered.
    """
    tools = deps.documents
    with deps.uow() as uow:
        actor, m, case = case_for_change(uow, username, municipality)
        deal = _deal(uow, m, case, number)
        if tools is None:
            raise RefusedError(msg("documents are not set up in this installation"))
        spec, now = _spec(deps, case), deps.clock.now()
        chosen = check_formats(formats, "--format") if formats else None
        prepared = prepare_deal_documents(uow, spec, case, m, deal, history=uow.cases.history(case.id or 0), now=now)
        if not prepared:
            raise NotFoundError(msg("{label}: a deal by {value} has no documents (IOP and direktupphandling "
                                    "have)", label=deal.label, value=deal.form.value))
    return render_on_request(deps, tools, spec, case, m, prepared, actor=actor.username, now=now, formats=chosen)


def _readable_case(uow: UnitOfWork, username: str | None, municipality: str) -> tuple[Municipality, Case]:
    actor = actor_in(uow, username)
    m = find_municipality(uow, municipality)
    authorize(actor, Action.READ, m.id, m.name)
    case = uow.cases.for_municipality(m.id or 0)
    if case is None:
        raise NotFoundError(msg("{name} has no case yet: run `journey open {name}`", name=m.name))
    return m, case


def list_deals(deps: Deps, username: str | None, municipality: str | None = None) -> list[dict[str, Any]]:
    """Deals of one municipality, or of every municipality the actor may read, by municipality and number."""
    with deps.uow() as uow:
        if municipality:
            m, case = _readable_case(uow, username, municipality)
            return [{"municipality": m.name, **deal_view(d)} for d in uow.deals.for_case(case.id or 0)]
        actor = actor_in(uow, username)
        names = {m.id: m.name for m in uow.municipalities.list()}
        deals = visible(actor, uow.deals.all(), lambda d: d.municipality_id)
        rows = [{"municipality": names.get(d.municipality_id, ""), **deal_view(d)} for d in deals]
    return sorted(rows, key=lambda r: (swedish_sort_key(r["municipality"]), r["number"]))


def show_deal(deps: Deps, username: str | None, municipality: str, number: int) -> dict[str, Any]:
    """One deal with its whole status history and its documents in the register."""
    with deps.uow() as uow:
        m, case = _readable_case(uow, username, municipality)
        deal = _deal(uow, m, case, number)
        documents = [d for d in uow.documents.for_case(case.id or 0) if d.get("deal_id") == deal.id]
        return {"municipality": m.name, **deal_view(deal, uow.deals.events(deal.id or 0)),
                "documents": [{k: d.get(k) for k in ("doc_id", "title", "revision", "format", "path", "reason",
                                                     "created_at")}
                              for d in documents]}
