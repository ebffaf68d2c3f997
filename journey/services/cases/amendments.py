"""Correcting an earlier history entry, and withdrawing a case: both audited, both atomic.

A correction never touches the entry it corrects: it appends a CORRECTED entry holding the new
values and the ones they replace; every view reads the history with corrections applied. A
decision the corrected entry recorded is corrected in its matter too, and documents whose data
changed are rendered again as new revisions. A withdrawal ends the case for good.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from journey.domain.case import HistoryEntry, HistoryKind, plan_correction
from journey.domain.errors import InputError
from journey.domain.events import EvidenceCorrected
from journey.domain.messages import msg
from journey.services.cases.lifecycle import case_for_change
from journey.services.deps import Deps
from journey.services.matters.recording import apply_correction


@dataclass(frozen=True)
class Corrected:
    municipality: str
    entry: int
    seq: int
    changes: dict[str, dict[str, Any]]
    previous: dict[str, dict[str, Any]]
    documents: int  # files rendered again


def correct_entry(deps: Deps, username: str | None, municipality: str, seq: int, raw: Mapping[str, str],
                  reason: str) -> Corrected:
    """Amend the evidence of history entry ``seq`` by appending a CORRECTED entry."""
    if not reason.strip():
        raise InputError(msg("--reason is required: say why the entry is corrected"))
    with deps.uow() as uow:
        actor, m, case = case_for_change(uow, username, municipality)
        case.ensure_can_change(m.name)
        spec = deps.workflows().get(case.workflow, case.workflow_version)
        history = uow.cases.history(case.id or 0)
        changes, previous = plan_correction(spec, history, seq, raw, m.name)
        entry = next(e for e in history if e.seq == seq)
        now = deps.clock.now()
        matters_before = tuple(uow.matters.for_case(case.id or 0))
        changed = apply_correction(uow, spec, case, seq, changes, m.name)
        case.updated_at = now
        uow.cases.save(case)  # the case's lock: a concurrent change is refused, not overwritten
        correction = uow.cases.append_history(HistoryEntry(
            case.id or 0, HistoryKind.CORRECTED, case.state, case.state, None, actor.username, now,
            {"correction": {"entry": seq, "changes": changes, "previous": previous}}, reason.strip()))
        before = len(uow.documents.for_case(case.id or 0))
        deps.publish([EvidenceCorrected(case.id or 0, now, seq, entry.at, correction.seq, matters_before,
                                        tuple(dict.fromkeys(changed)))], uow)
        uow.commit()  # its documents are rendered once it has committed (the outbox)
        rendered = len(uow.documents.for_case(case.id or 0)) - before
        return Corrected(m.name, seq, correction.seq, changes, previous, rendered)


@dataclass(frozen=True)
class Withdrawn:
    municipality: str
    state: str
    at: datetime
    reminders: int  # planned reminders cancelled
    matters: int  # open matters closed


def withdraw_case(deps: Deps, username: str | None, municipality: str, reason: str) -> Withdrawn:
    """End the case: WITHDRAWN for good, its reminders cancelled and its open matters closed."""
    with deps.uow() as uow:
        actor, m, case = case_for_change(uow, username, municipality)
        now, state = deps.clock.now(), case.state
        events = case.withdraw(m.name, now, actor.username, reason)
        uow.cases.save(case)
        uow.cases.append_history(HistoryEntry(case.id or 0, HistoryKind.WITHDRAWN, state, state, None, actor.username,
                                              now, {}, reason.strip()))
        pause = uow.pauses.open_pause(case.id or 0)
        if pause is not None:
            uow.pauses.finish(pause["id"], now, 0)
        planned = len(uow.reminders.planned(case_id=case.id))
        open_matters = sum(1 for mt in uow.matters.for_case(case.id or 0) if mt.is_open)
        deps.publish(events, uow)
        uow.commit()
        return Withdrawn(m.name, state, now, planned, open_matters)
