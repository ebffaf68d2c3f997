"""Steps the engine takes by itself: a transition guarded by ``deal_awarded`` and needing no evidence.

The business stage is reached by the first awarded deal. When a deal becomes awarded
(tilldelad/avtal tecknat, or is recorded as ongoing or completed) while the case stands where
such a transition leaves from, or when an advance brings the case there after a deal was
awarded, the transition is taken in the same transaction and recorded in the case history with
the deal as evidence. A paused case does not move by itself; `journey why` then shows the step.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from journey.domain import guards
from journey.domain.case import Case, CaseStatus, HistoryEntry, HistoryKind
from journey.domain.deals import STATUS_LABELS, Deal
from journey.domain.spec import WorkflowSpec, format_state
from journey.ports.unit_of_work import UnitOfWork
from journey.services.deps import Deps


@dataclass(frozen=True)
class AutomaticStep:
    trigger: str
    from_state: str
    to_state: str
    history_seq: int
    deal: int  # the number of the deal that was the evidence


def uses_deals(spec: WorkflowSpec) -> bool:
    return any(guards.DEAL_AWARDED in t.guards for t in spec.transitions)


def awarded_deals(uow: UnitOfWork, case_id: int) -> list[Deal]:
    """The case's awarded (or later) deals, the first awarded first."""
    deals = [d for d in uow.deals.for_case(case_id) if d.awarded]
    return sorted(deals, key=lambda d: (d.decided_date or d.status_date, d.number))


def labels(deals: list[Deal]) -> tuple[str, ...]:
    return tuple(d.label for d in deals)


def evidence_of(deal: Deal) -> dict[str, dict[str, object]]:
    fields: dict[str, object] = {"deal": deal.number, "form": deal.form.value, "counterparty": deal.counterparty,
                                 "org_number": deal.org_number, "status": deal.status.value,
                                 "status_date": deal.status_date.isoformat()}
    if deal.decided_date:
        fields["decided_date"] = deal.decided_date.isoformat()
    if deal.diarienummer:
        fields["diarienummer"] = deal.diarienummer
    return {guards.DEAL_AWARDED: fields}


def take_automatic_steps(deps: Deps, uow: UnitOfWork, case: Case, spec: WorkflowSpec, *, municipality: str,
                         actor: str, now: datetime) -> list[AutomaticStep]:
    """Take every automatic transition whose guards pass, one after the other; return what was taken."""
    steps: list[AutomaticStep] = []
    if not uses_deals(spec):
        return steps
    for _ in range(len(spec.transitions)):  # bounded: each step leaves its state
        if case.status is not CaseStatus.ACTIVE:
            break
        candidates = [t for t in spec.transitions_from(case.leaves)
                      if t.source != t.dest and guards.is_automatic(spec, t.guards)]
        deals = awarded_deals(uow, case.id or 0) if candidates else []
        if not deals:
            break
        ctx = guards.GuardContext(spec, case.leaves, {}, labels(deals))
        taken = None
        for transition in candidates:
            with deps.machines.attached(spec, case.leaves) as model:
                if model.trigger(transition.trigger, context=ctx):
                    taken, new_leaves = transition, model.leaves()
                    break
        if taken is None:
            break
        first = deals[0]
        old_state = case.state
        evidence = evidence_of(first)
        events = case.advance(spec, municipality, taken.trigger, new_leaves, reflexive=False,
                              actor=actor, at=now, evidence=evidence)
        uow.cases.save(case)
        comment = f"automatiskt steg: {first.label} är {STATUS_LABELS[first.status]}"
        entry = uow.cases.append_history(HistoryEntry(case.id or 0, HistoryKind.ADVANCED, old_state,
                                                      format_state(new_leaves), taken.trigger, actor, now, evidence,
                                                      comment))
        deps.publish(events, uow)
        steps.append(AutomaticStep(taken.trigger, old_state, case.state, entry.seq, first.number))
    return steps
