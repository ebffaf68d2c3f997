"""`journey decide`: a body's decision on the case's open matter, and what it does to the case.

One transaction: the decision, its history entry, the step it causes (the final bifall fires
the transition the matter decides, an avslag the one the workflow names) and everything the
step's handlers write. A decision that keeps the case where it is renders the state's
documents again, as the matter now reads.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from journey.domain import evidence as evidence_rules
from journey.domain import guards, limits
from journey.domain.case import HistoryEntry, HistoryKind
from journey.domain.errors import DecisionInputError, EvidenceError, MatterRefusedError
from journey.domain.events import MatterChanged
from journey.domain.matters import (
    Decision,
    Effect,
    Matter,
    Outcome,
    board_name,
    decision_evidence,
    outcome_text,
    parse_outcome,
    target_meeting,
)
from journey.domain.messages import joined, msg
from journey.domain.spec import EvidenceFieldSpec, WorkflowSpec
from journey.domain.text import check_text
from journey.ports.unit_of_work import UnitOfWork
from journey.services.cases.lifecycle import Advanced, allowed_transition, case_for_change, ensure_version, take_step
from journey.services.deps import Deps
from journey.services.matters.recording import boards_of, resolve_board

PARAGRAPH = EvidenceFieldSpec("paragraph", "paragraph")


@dataclass(frozen=True)
class DecisionResult:
    municipality: str
    matter: str  # title and diarienummer
    body: str
    outcome: Outcome
    effect: Effect
    history_seq: int
    open_matter: str | None = None  # the case's open matter after the decision (this one, or one it opened)
    next_body: str | None = None
    target_meeting: date | None = None
    advanced: Advanced | None = None  # the step the decision took
    new_matter: bool = False  # avslag where the workflow names no step: a new matter opened
    hint: str = ""


def parse_meeting(text: str) -> date:
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise DecisionInputError(msg("--meeting {text!r} is not a date (YYYY-MM-DD)", text=text)) from None


def parse_paragraph(text: str | None) -> int | None:
    if text is None or not str(text).strip():
        return None
    try:
        return int(evidence_rules.parse_value("decision", PARAGRAPH, str(text)))
    except EvidenceError:
        raise DecisionInputError(msg("--paragraph {text!r} is not a paragraph number (e.g. 45 or '§ 45')",
                                     text=text)) from None


def next_meeting(uow: UnitOfWork, municipality_id: int, matter: Matter, today: date) -> date | None:
    body = matter.next_body
    if body is None:
        return None
    days = [m.day for m in uow.board_meetings.meetings(municipality_id, body)]
    return target_meeting(matter, days, today)


def decide(deps: Deps, username: str | None, municipality: str, board: str, outcome: str, meeting: str,
           paragraph: str | None = None, raw_evidence: dict[str, str] | None = None, comment: str = "",
           tz: ZoneInfo | None = None, *, expected_version: int | None = None) -> DecisionResult:
    """Record ``board``'s decision on the open matter; the chain and the workflow say what follows.

    ``expected_version``: the case version the caller saw; a changed case is ConcurrentChangeError.
    """
    chosen, day, number = parse_outcome(outcome), parse_meeting(meeting), parse_paragraph(paragraph)
    comment = check_text(comment, "comment", limits.COMMENT, multiline=True)
    with deps.uow() as uow:
        actor, m, case = case_for_change(uow, username, municipality)
        ensure_version(case, expected_version, m.name)
        case.ensure_can_advance(m.name)
        spec = deps.workflows().get(case.workflow, case.workflow_version)
        matter = uow.matters.open_for(case.id or 0)
        if matter is None:
            raise MatterRefusedError(msg("{name}'s case has no open matter (it is in {state!r}); a matter opens "
                                         "when the case enters a state that needs a decision, or with `journey matters "
                                         "register`", name=m.name, state=case.state))
        state = spec.state(matter.state_path)
        matter_spec = state.matter if state else None
        kind = spec.evidence_kind(matter_spec.decision) if matter_spec else None
        if matter_spec is None or kind is None:
            raise MatterRefusedError(msg("{key} declares no matter for {state_path!r}; record the decision with "
                                         "`journey advance {name} TRIGGER -e organ=... -e meeting_date=...`",
                key=spec.key, state_path=matter.state_path, name=m.name))
        boards = boards_of(uow, case.municipality_id)
        body = resolve_board(boards, board, m.name)
        if not matter.diarienummer:
            raise MatterRefusedError(msg("register the matter's diarienummer before recording decisions: "
                                         "journey matters register {name} --diarienummer 'KS 2022/123'", name=m.name))
        now = deps.clock.now()
        today = now.astimezone(tz).date() if tz else now.date()
        decision = Decision(body, chosen, day, number, now, actor.username)
        effect = matter.decide(decision, today)
        values = decision_evidence(matter, decision, [f.name for f in kind.fields])
        lacking = evidence_rules.missing_fields(kind, values)
        if effect is Effect.DECIDED and lacking:
            need = msg("give --paragraph N (the protokollsparagraf)") if lacking == ["paragraph"] else \
                msg("the decision lacks {fields}", fields=", ".join(lacking))
            raise MatterRefusedError(msg("bifall by {body} decides the matter {label!r}: {need}",
                body=body, label=matter.label, need=need))
        matter.updated_at = now
        uow.matters.save(matter)
        said = outcome_text(decision, board_name(body, boards))
        note = f"{said}: {matter.label}" + (f"; {comment}" if comment else "")
        result = _follow(deps, uow, spec, m.name, actor.username, case, matter, effect, kind.name, values,
                         raw_evidence or {}, note)
        decision.history_seq = result.history_seq
        matter.updated_at = now
        uow.matters.save(matter)
        if result.advanced is None:
            deps.publish([MatterChanged(case.id or 0, now, matter.state_path, "DECISION")], uow)
        current = uow.matters.open_for(case.id or 0)
        target = next_meeting(uow, case.municipality_id, current, today) if current else None
        uow.commit()
    return DecisionResult(m.name, matter.label, body, chosen, effect, result.history_seq, current.label if current
                          else None, current.next_body if current else None, target, result.advanced,
                          bool(result.new_matter), result.hint)


@dataclass
class _Followed:
    history_seq: int
    advanced: Advanced | None = None
    new_matter: Matter | None = None
    hint: str = ""


def _follow(deps: Deps, uow: UnitOfWork, spec: WorkflowSpec, name: str, actor: str, case: Any, matter: Matter,
            effect: Effect, kind: str, values: dict[str, Any], raw: dict[str, str], note: str) -> _Followed:
    """Take the step the decision causes, or record it as a DECIDED entry when the case stays."""
    state = spec.state(matter.state_path)
    assert state is not None and state.matter is not None
    matter_spec = state.matter
    now = deps.clock.now()
    if raw and effect is not Effect.DECIDED:
        raise DecisionInputError(msg("evidence (-e) goes with the final bifall only: it completes the step it decides"))
    if effect is Effect.DECIDED:
        step = allowed_transition(spec, case, matter_spec.decides, name)
        others = [k for g in step.guards if (k := spec.evidence_kind(g)) is not None and k.name != kind]
        given = evidence_rules.collect(others, raw, step.trigger)
        for proposed, fields in matter.proposal.items():
            if proposed in given:
                given[proposed] = {**fields, **given[proposed]}
        given[kind] = values
        ctx = guards.GuardContext(spec, case.leaves, given)
        problems = [p for g in step.guards for p in guards.evaluate(g, ctx)]
        if not problems:
            advanced = take_step(deps, uow, actor, name, case, spec, step, given, note)
            return _Followed(advanced.history_seq, advanced)
        missing = " ".join(f"-e {f.name}=..." for k in others for f in k.fields
                           if f.required and f.name not in given.get(k.name, {}))
        hint = msg("the matter is decided; {trigger} still lacks {problems}: {command}", trigger=step.trigger,
                   problems=joined(problems), command=f"journey advance {name} {step.trigger} {missing}".rstrip())
        return _Followed(_decided_entry(uow, case, actor, now, kind, values, note), hint=hint)
    if effect is Effect.REJECTED and matter_spec.on_avslag:
        step = allowed_transition(spec, case, matter_spec.on_avslag, name)
        advanced = take_step(deps, uow, actor, name, case, spec, step, {kind: values}, note)
        return _Followed(advanced.history_seq, advanced)
    seq = _decided_entry(uow, case, actor, now, kind, values, note)
    if effect is Effect.REJECTED:
        fresh = Matter(None, matter.case_id, matter.state_path, matter.title, matter.bodies, now, actor,
                       handlaggare=matter.handlaggare, forvaltning=matter.forvaltning,
                       proposal={k: dict(v) for k, v in matter.proposal.items()}, updated_at=now)
        return _Followed(seq, new_matter=uow.matters.add(fresh),
                         hint=msg("a new matter is open; register its diarienummer when it is taken up again"))
    return _Followed(seq)


def _decided_entry(uow: UnitOfWork, case: Any, actor: str, now: datetime, kind: str, values: dict[str, Any],
                   note: str) -> int:
    case.updated_at = now
    uow.cases.save(case)  # the case's lock guards the matter too
    entry = uow.cases.append_history(HistoryEntry(case.id or 0, HistoryKind.DECIDED, case.state, case.state, None,
                                                  actor, now, {kind: values}, note))
    return entry.seq
