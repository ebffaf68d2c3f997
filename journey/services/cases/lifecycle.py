"""Use cases that change cases: open a municipality's case and advance it, audited and atomic."""

from __future__ import annotations

import difflib
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

from journey.domain import evidence as evidence_rules
from journey.domain import guards, limits
from journey.domain.access import Action, Actor, authorize
from journey.domain.case import (
    Case,
    CaseStatus,
    HistoryEntry,
    HistoryKind,
    entered_and_exited,
    late_start,
    late_start_evidence,
)
from journey.domain.document_jobs import DocumentJob
from journey.domain.errors import (
    ConcurrentChangeError,
    GuardRefusedError,
    InputError,
    NotFoundError,
    RefusedError,
    TransitionNotAllowedError,
)
from journey.domain.events import CaseOpened, Event, StateEntered
from journey.domain.evidence import parse_pairs as parse_pairs  # the CLI's -e KEY=VALUE parsing
from journey.domain.messages import joined, msg
from journey.domain.municipality import Municipality, slugify
from journey.domain.spec import TransitionSpec, WorkflowSpec, format_state
from journey.domain.text import check_text
from journey.ports.unit_of_work import UnitOfWork
from journey.services.actors import match_municipality, resolve_actor
from journey.services.cases.automatic import AutomaticStep, awarded_deals, labels, take_automatic_steps
from journey.services.deps import Deps


@dataclass(frozen=True)
class Advanced:
    municipality: str
    trigger: str
    from_state: str
    to_state: str
    history_seq: int
    dry_run: bool = False
    automatic: tuple[AutomaticStep, ...] = ()  # steps the engine took by itself afterwards (deal_awarded)
    documents: tuple[dict[str, Any], ...] = ()  # register rows of the files this change wrote (title, format, path)
    waiting: tuple[DocumentJob, ...] = ()  # the case's documents not rendered yet: failed, tried again later
    from_title: str = ""  # the workflow's titles of the states and the step, for people to read
    to_title: str = ""
    trigger_title: str = ""


def actor_in(uow: UnitOfWork, username: str | None) -> Actor:
    return resolve_actor(username, uow.users.find, uow.users.count)


def find_municipality(uow: UnitOfWork, query: str) -> Municipality:
    """By kommunkod, name or slug through the indexed columns; all are listed only when none matches,
    to word the error ("did you mean ...") as :func:`match_municipality` does."""
    found = uow.municipalities.find(query)
    if found is not None:
        return found
    municipalities = uow.municipalities.list()
    rows = [{"id": m.id, "code": m.code, "name": m.name, "slug": slugify(m.name)} for m in municipalities]
    row = match_municipality(query, rows)
    return next(m for m in municipalities if m.id == row["id"])


def case_for_change(uow: UnitOfWork, username: str | None, municipality: str) -> tuple[Actor, Municipality, Case]:
    """The actor, the municipality and its case, once the actor is allowed to change that case."""
    actor = actor_in(uow, username)
    m = find_municipality(uow, municipality)
    authorize(actor, Action.CHANGE_CASE, m.id, m.name)
    case = uow.cases.for_municipality(m.id or 0)
    if case is None:
        raise NotFoundError(msg("{name} has no case yet: run `journey open {name}`", name=m.name))
    return actor, m, case


def open_case(deps: Deps, username: str | None, municipality: str, workflow: str | None = None, *,
              at: str | None = None, via: str | None = None, raw_evidence: Mapping[str, str] | None = None,
              comment: str = "") -> Case:
    """Open the municipality's case in the initial state of its workflow (latest version).

    ``at``: start at a later stage, because the municipality took the earlier steps before
    journey; ``via`` names the step that led there (default: the first one into the stage) and
    ``raw_evidence`` its evidence, as for an advance. Both are recorded in the OPENED entry.
    """
    with deps.uow() as uow:
        actor = actor_in(uow, username)
        m = find_municipality(uow, municipality)
        authorize(actor, Action.CHANGE_CASE, m.id, m.name)
        existing = uow.cases.for_municipality(m.id or 0)
        if existing is not None:
            raise RefusedError(msg("{name} already has a case (state {state}); see `journey status {name}`",
                name=m.name, state=existing.state))
        spec = deps.workflows().get(workflow or m.workflow)
        if (via or raw_evidence) and not at:
            raise InputError(msg("evidence (-e) and --via belong to opening at a later stage: add --at STAGE"))
        trigger, stored = None, {}
        if at:
            start = late_start(spec, at)
            step = start.via(via)
            trigger, stored = step.trigger, late_start_evidence(start, step, spec, raw_evidence or {})
        if workflow and workflow != m.workflow:
            uow.municipalities.set_workflow(m.id or 0, workflow)
        now = deps.clock.now()
        leaves = spec.initial_leaves(at or spec.initial)
        final = spec.state(spec.stage_of(leaves))
        status = CaseStatus.COMPLETED if final is not None and final.final else CaseStatus.ACTIVE
        case = uow.cases.add(Case(None, m.id or 0, spec.name, spec.version, format_state(leaves), status, now, now,
                                  now))
        assert case.id is not None
        # the case record's own words are Swedish, as the municipality's records are (docs/translations.md)
        note = f"öppnat med {spec.key}" + (f", från {spec.state_title(at)} ({trigger}): de tidigare stegen togs "
                                           f"innan journey användes" if at else "")
        uow.cases.append_history(HistoryEntry(case.id, HistoryKind.OPENED, None, case.state, trigger, actor.username,
                                              now, stored, "; ".join(p for p in (note, comment) if p)))
        events: list[Event] = [CaseOpened(case.id, now, m.name, spec.key, case.state, trigger, stored)]
        events += [StateEntered(case.id, now, path, trigger, stored) for path in entered_and_exited((), leaves, False)[1]]
        deps.publish(events, uow)
        uow.commit()
        return case


def _unknown_trigger(spec: WorkflowSpec, trigger: str) -> NotFoundError:
    close = difflib.get_close_matches(trigger, spec.triggers(), n=1)
    hint = msg("; did you mean {name!r}?", name=close[0]) if close else ""
    return NotFoundError(msg("workflow {key} has no trigger {trigger!r}{hint}", key=spec.key, trigger=trigger, hint=hint))


def advance_case(deps: Deps, username: str | None, municipality: str, trigger: str,
                 raw_evidence: Mapping[str, str], comment: str = "", dry_run: bool = False, *,
                 expected_version: int | None = None) -> Advanced:
    """Fire ``trigger`` on the municipality's case if its guards pass; record evidence and history.

    The state change, the history row and whatever the event handlers write (reminders,
    document records) commit together or not at all. ``dry_run`` checks everything and
    reports where the case would go, writing nothing. Evidence a feature holds for the step
    (a matter's proposal and final decision) fills what ``raw_evidence`` does not give.
    ``expected_version``: the case version the caller saw (a web form, an API client); when the
    case has changed since, nothing happens and ConcurrentChangeError (exit 5, HTTP 409) says so.
    """
    comment = check_text(comment, "comment", limits.COMMENT, multiline=True)
    with deps.uow() as uow:
        actor, m, case = case_for_change(uow, username, municipality)
        ensure_version(case, expected_version, m.name)
        case.ensure_can_advance(m.name)
        spec = deps.workflows().get(case.workflow, case.workflow_version)
        if trigger not in spec.triggers():
            raise _unknown_trigger(spec, trigger)
        transition = allowed_transition(spec, case, trigger, m.name)
        kinds = [k for g in transition.guards if (k := spec.evidence_kind(g)) is not None]
        given = evidence_rules.collect(kinds, raw_evidence, trigger, deps.today())
        for provide in deps.evidence_providers:
            for kind, fields in provide(uow, case, spec, transition).items():
                if kind in given:
                    given[kind] = {**fields, **given[kind]}
        result = take_step(deps, uow, actor.username, m.name, case, spec, transition, given, comment, dry_run=dry_run)
        if dry_run:
            return result
        automatic = take_automatic_steps(deps, uow, case, spec, municipality=m.name, actor=actor.username,
                                         now=deps.clock.now())
        rows, waiting = commit_with_documents(uow, case.id or 0)
        written = tuple({k: r[k] for k in ("doc_id", "title", "format", "revision", "path")} for r in rows)
        return replace(result, automatic=tuple(automatic), documents=written, waiting=waiting)


def commit_with_documents(uow: UnitOfWork, case_id: int) -> tuple[tuple[dict[str, Any], ...], tuple[DocumentJob, ...]]:
    """Commit a change of the case; its documents are rendered once it has (the outbox). The register rows
    that wrote, and the case's documents still waiting (failed, tried again later)."""
    before = {r["id"] for r in uow.documents.for_case(case_id)}
    uow.commit()
    written = tuple(r for r in uow.documents.for_case(case_id) if r["id"] not in before)
    return written, tuple(j for j in uow.documents.open_jobs([case_id]) if j.attempts)


def ensure_version(case: Case, expected: int | None, name: str) -> None:
    """Refuse a change made from a stale view of the case (optimistic lock, checked before anything)."""
    if expected is not None and case.version != expected:
        raise ConcurrentChangeError(msg("{name}'s case was changed by someone else since you read it (version "
                                        "{expected}, now {version}); nothing was saved: reload and try again",
            name=name, expected=expected, version=case.version))


def allowed_transition(spec: WorkflowSpec, case: Case, trigger: str, name: str) -> TransitionSpec:
    transition = spec.transition(trigger, case.leaves)
    if transition is None:
        allowed = sorted({t.trigger for t in spec.transitions_from(case.leaves)}) or ["none"]
        raise TransitionNotAllowedError(
            msg("{trigger!r} is not allowed while {name} is in {state!r}; allowed now: {allowed}",
                trigger=trigger, name=name, state=case.state, allowed=', '.join(allowed)))
    return transition


def take_step(deps: Deps, uow: UnitOfWork, actor: str, name: str, case: Case, spec: WorkflowSpec,
              transition: TransitionSpec, given: dict[str, dict[str, Any]], comment: str, *,
              dry_run: bool = False) -> Advanced:
    """Fire ``transition`` with the evidence ``given`` inside the caller's unit of work (no commit)."""
    leaves = case.leaves
    awarded = labels(awarded_deals(uow, case.id or 0)) if guards.DEAL_AWARDED in transition.guards else ()
    ctx = guards.GuardContext(spec, leaves, given, awarded)
    with deps.machines.attached(spec, leaves) as model:
        moved = model.trigger(transition.trigger, context=ctx)
        new_leaves = model.leaves()
    if not moved:
        problems = tuple(p for g in transition.guards for p in guards.evaluate(g, ctx))
        raise GuardRefusedError(msg("{trigger!r} refused for {name}: lacking {problems}",
            trigger=transition.trigger, name=name, problems=joined(problems)), problems)
    if dry_run:
        return Advanced(name, transition.trigger, case.state, format_state(new_leaves), 0, dry_run=True,
                        from_title=spec.state_title(case.state), to_title=spec.state_title(format_state(new_leaves)),
                        trigger_title=spec.trigger_title(transition.trigger))
    now = deps.clock.now()
    old_state = case.state
    stored: dict[str, Any] = {k: v for k, v in given.items() if v}
    events = case.advance(spec, name, transition.trigger, new_leaves, reflexive=transition.source == transition.dest,
                          actor=actor, at=now, evidence=stored)
    uow.cases.save(case)
    entry = uow.cases.append_history(HistoryEntry(case.id or 0, HistoryKind.ADVANCED, old_state, case.state,
                                                  transition.trigger, actor, now, stored, comment))
    deps.publish(events, uow)
    return Advanced(name, transition.trigger, old_state, case.state, entry.seq, from_title=spec.state_title(old_state),
                    to_title=spec.state_title(case.state), trigger_title=spec.trigger_title(transition.trigger))
