"""Use cases that change cases: open a municipality's case and advance it, audited and atomic."""

from __future__ import annotations

import difflib
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from journey.domain import evidence as evidence_rules
from journey.domain import guards
from journey.domain.access import Action, Actor, authorize
from journey.domain.case import Case, CaseStatus, HistoryEntry, HistoryKind, entered_and_exited
from journey.domain.errors import (
    GuardRefusedError,
    NotFoundError,
    RefusedError,
    TransitionNotAllowedError,
)
from journey.domain.events import CaseOpened, Event, StateEntered
from journey.domain.evidence import parse_pairs as parse_pairs  # the CLI's -e KEY=VALUE parsing
from journey.domain.municipality import Municipality, slugify
from journey.domain.spec import WorkflowSpec, format_state
from journey.ports.unit_of_work import UnitOfWork
from journey.services.actors import match_municipality, resolve_actor
from journey.services.deps import Deps


@dataclass(frozen=True)
class Advanced:
    municipality: str
    trigger: str
    from_state: str
    to_state: str
    history_seq: int
    dry_run: bool = False


def actor_in(uow: UnitOfWork, username: str | None) -> Actor:
    return resolve_actor(username, uow.users.find, uow.users.count)


def find_municipality(uow: UnitOfWork, query: str) -> Municipality:
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
        raise NotFoundError(f"{m.name} has no case yet: run `journey open {m.name}`")
    return actor, m, case


def open_case(deps: Deps, username: str | None, municipality: str, workflow: str | None = None) -> Case:
    """Open the municipality's case in the initial state of its workflow (latest version)."""
    with deps.uow() as uow:
        actor = actor_in(uow, username)
        m = find_municipality(uow, municipality)
        authorize(actor, Action.CHANGE_CASE, m.id, m.name)
        existing = uow.cases.for_municipality(m.id or 0)
        if existing is not None:
            raise RefusedError(f"{m.name} already has a case (state {existing.state}); see `journey status {m.name}`")
        spec = deps.workflows().get(workflow or m.workflow)
        if workflow and workflow != m.workflow:
            uow.municipalities.set_workflow(m.id or 0, workflow)
        now = deps.clock.now()
        leaves = spec.initial_leaves(spec.initial)
        case = uow.cases.add(Case(None, m.id or 0, spec.name, spec.version, format_state(leaves), CaseStatus.ACTIVE,
                                  now, now, now))
        assert case.id is not None
        uow.cases.append_history(HistoryEntry(case.id, HistoryKind.OPENED, None, case.state, None, actor.username, now,
                                              {}, f"opened on {spec.key}"))
        events: list[Event] = [CaseOpened(case.id, now, m.name, spec.key, case.state)]
        events += [StateEntered(case.id, now, path) for path in entered_and_exited((), leaves, False)[1]]
        deps.publish(events, uow)
        uow.commit()
        return case


def _unknown_trigger(spec: WorkflowSpec, trigger: str) -> NotFoundError:
    close = difflib.get_close_matches(trigger, spec.triggers(), n=1)
    hint = f"; did you mean {close[0]!r}?" if close else ""
    return NotFoundError(f"workflow {spec.key} has no trigger {trigger!r}{hint}")


def advance_case(deps: Deps, username: str | None, municipality: str, trigger: str,
                 raw_evidence: Mapping[str, str], comment: str = "", dry_run: bool = False) -> Advanced:
    """Fire ``trigger`` on the municipality's case if its guards pass; record evidence and history.

    The state change, the history row and whatever the event handlers write (reminders,
    document records) commit together or not at all. ``dry_run`` checks everything and
    reports where the case would go, writing nothing.
    """
    with deps.uow() as uow:
        actor, m, case = case_for_change(uow, username, municipality)
        case.ensure_can_advance(m.name)
        spec = deps.workflows().get(case.workflow, case.workflow_version)
        if trigger not in spec.triggers():
            raise _unknown_trigger(spec, trigger)
        leaves = case.leaves
        transition = spec.transition(trigger, leaves)
        if transition is None:
            allowed = sorted({t.trigger for t in spec.transitions_from(leaves)}) or ["none"]
            raise TransitionNotAllowedError(
                f"{trigger!r} is not allowed while {m.name} is in {case.state!r}; allowed now: {', '.join(allowed)}")
        kinds = [k for g in transition.guards if (k := spec.evidence_kind(g)) is not None]
        given = evidence_rules.collect(kinds, raw_evidence, trigger)
        ctx = guards.GuardContext(spec, leaves, given)
        with deps.machines.attached(spec, leaves) as model:
            moved = model.trigger(trigger, context=ctx)
            new_leaves = model.leaves()
        if not moved:
            problems = tuple(p for g in transition.guards for p in guards.evaluate(g, ctx))
            raise GuardRefusedError(f"{trigger!r} refused for {m.name}: lacking {'; '.join(problems)}", problems)
        if dry_run:
            return Advanced(m.name, trigger, case.state, format_state(new_leaves), 0, dry_run=True)
        now = deps.clock.now()
        old_state = case.state
        stored: dict[str, Any] = {k: v for k, v in given.items() if v}
        events = case.advance(spec, m.name, trigger, new_leaves, reflexive=transition.source == transition.dest,
                              actor=actor.username, at=now, evidence=stored)
        uow.cases.save(case)
        entry = uow.cases.append_history(HistoryEntry(case.id or 0, HistoryKind.ADVANCED, old_state, case.state,
                                                      trigger, actor.username, now, stored, comment))
        deps.publish(events, uow)
        uow.commit()
        return Advanced(m.name, trigger, old_state, case.state, entry.seq)
