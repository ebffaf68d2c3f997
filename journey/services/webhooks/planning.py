"""Plan webhook deliveries for state changes, decisions and documents, inside the change's transaction.

Handlers registered on the domain events write one outbox row per interested subscription; the
rows commit or roll back with the change itself (exactly as reminders are planned), and the
delivery loop (:mod:`journey.services.webhooks.delivery`) sends them later.
"""

from __future__ import annotations

import uuid
from typing import Any

from journey.domain.case import Case, HistoryKind
from journey.domain.events import CaseAdvanced, CaseMigrated, CaseOpened, DocumentCreated, Event, MatterChanged
from journey.domain.municipality import slugify
from journey.domain.pause import CasePaused, CaseResumed
from journey.domain.webhooks import DECISION_EVIDENCE, EventType, body_of, cloud_event
from journey.ports.unit_of_work import UnitOfWork
from journey.ports.webhooks import Subscription
from journey.services.deps import Deps

_NS = uuid.UUID("6f1c2a1e-3b9d-4c55-9a51-4a0e2d7f5b10")


def event_id(key: str) -> str:
    """A stable id: the same change always gets the same CloudEvents id (receivers can de-duplicate)."""
    return str(uuid.uuid5(_NS, key))


def _municipality(uow: UnitOfWork, case: Case) -> dict[str, Any]:
    m = uow.municipalities.get(case.municipality_id)
    return {"name": m.name, "code": m.code, "slug": slugify(m.name), "county": m.county}


def _plan(uow: UnitOfWork, subs: list[Subscription], event_type: EventType, key: str, case: Case,
          data: dict[str, Any], at: Any) -> None:
    wanted = [s for s in subs if s.wants(event_type.value, case.municipality_id)]
    if not wanted:
        return
    municipality = _municipality(uow, case)
    envelope = cloud_event(event_id(key), event_type.value, f"municipality/{municipality['slug']}", at,
                           {"municipality": municipality, "case_id": case.id, "workflow": case.workflow,
                            "workflow_version": case.workflow_version, "state": case.state,
                            "status": case.status.value} | data)
    body = body_of(envelope).decode("utf-8")
    for subscription in wanted:
        uow.webhooks.plan(subscription.id, envelope["id"], event_type.value, body, at)


def on_event(event: Event, uow: UnitOfWork) -> None:
    """The one handler bootstrap registers for every announced event type."""
    subs = uow.webhooks.subscriptions()
    if not subs:  # nothing to plan: the case and its history are not read
        return
    case = uow.cases.get(event.case_id)
    if isinstance(event, CaseOpened):
        _plan(uow, subs, EventType.CASE_OPENED, f"opened:{event.case_id}", case, {"opened_in": event.state}, event.at)
    elif isinstance(event, CaseAdvanced):
        entry = uow.cases.history(event.case_id)[-1]
        data = {"from_state": event.from_state, "to_state": event.to_state, "trigger": event.trigger,
                "actor": event.actor, "history_seq": entry.seq, "evidence": entry.evidence, "comment": entry.comment}
        _plan(uow, subs, EventType.STATE_CHANGED, f"history:{event.case_id}:{entry.seq}", case, data, event.at)
        for kind in DECISION_EVIDENCE:
            if kind in entry.evidence:
                decision = {"evidence_kind": kind, "decision": entry.evidence[kind], "trigger": event.trigger,
                            "to_state": event.to_state, "actor": event.actor, "history_seq": entry.seq}
                _plan(uow, subs, EventType.DECISION_RECORDED, f"decision:{event.case_id}:{entry.seq}:{kind}", case, decision,
                      event.at)
    elif isinstance(event, MatterChanged) and event.reason == "DECISION":
        # a decision that keeps the case where it is (återremiss, bordläggning, bifall handing the matter on,
        # avslag): its DECIDED history entry; a decision that takes a step is announced with CaseAdvanced above
        entry = uow.cases.history(event.case_id)[-1]
        if entry.kind is HistoryKind.DECIDED:
            for kind, values in entry.evidence.items():
                decision = {"evidence_kind": kind, "decision": values, "trigger": None, "to_state": entry.to_state,
                            "actor": entry.actor, "history_seq": entry.seq, "comment": entry.comment}
                _plan(uow, subs, EventType.DECISION_RECORDED, f"decision:{event.case_id}:{entry.seq}:{kind}", case,
                      decision, event.at)
    elif isinstance(event, CasePaused | CaseResumed):
        entry = uow.cases.history(event.case_id)[-1]
        kind = EventType.CASE_PAUSED if isinstance(event, CasePaused) else EventType.CASE_RESUMED
        _plan(uow, subs, kind, f"history:{event.case_id}:{entry.seq}", case,
              {"actor": entry.actor, "comment": entry.comment, "history_seq": entry.seq}, event.at)
    elif isinstance(event, CaseMigrated):
        data = {"from_version": event.from_version, "to_version": event.to_version, "from_state": event.from_state,
                "to_state": event.to_state, "run_id": event.run_id, "rollback": event.rollback, "actor": event.actor}
        _plan(uow, subs, EventType.CASE_MIGRATED, f"migrated:{event.case_id}:{event.run_id}:{event.rollback}", case, data,
              event.at)
    elif isinstance(event, DocumentCreated):
        slug = _municipality(uow, case)["slug"]
        data = {"document_id": event.document_id, "doc_id": event.doc_id, "title": event.title, "format": event.format,
                "revision": event.revision, "file_name": event.file_name, "sha256": event.sha256,
                "state_path": event.state_path, "reason": event.reason,
                "download": f"/api/cases/{slug}/documents/{event.file_name}"}
        _plan(uow, subs, EventType.DOCUMENT_CREATED, f"document:{event.document_id}", case, data, event.at)


def wire(deps: Deps) -> None:
    for event_type in (CaseOpened, CaseAdvanced, MatterChanged, CasePaused, CaseResumed, CaseMigrated, DocumentCreated):
        deps.on(event_type, on_event)
