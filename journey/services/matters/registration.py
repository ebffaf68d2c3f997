"""`journey matters register`: set the facts of the case's open matter, which documents then carry.

A matter starts with what the case knows (its title, the chain of bodies, the coordinator as
handläggare); the diarienummer arrives when the registry registers it, the proposal (what the
bodies decide on, e.g. which board becomes responsible) when it is drafted. Every change is a
REGISTERED history entry, and the state's documents are rendered again as new revisions.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any
from zoneinfo import ZoneInfo

from journey.domain import evidence as evidence_rules
from journey.domain.case import HistoryEntry, HistoryKind
from journey.domain.errors import DecisionInputError, InputError, MatterRefusedError
from journey.domain.events import MatterChanged
from journey.domain.matters import Matter, parse_chain
from journey.domain.messages import msg
from journey.domain.spec import EvidenceFieldSpec, StateSpec, WorkflowSpec
from journey.ports.unit_of_work import UnitOfWork
from journey.services.cases.lifecycle import case_for_change
from journey.services.deps import Deps
from journey.services.matters.recording import boards_of, open_matter, resolve_board

DIARIENUMMER = EvidenceFieldSpec("diarienummer", "diarienummer")


@dataclass(frozen=True)
class Facts:
    """What the command line gives; None leaves a fact as it is."""

    title: str | None = None
    diarienummer: str | None = None
    handlaggare: str | None = None
    forvaltning: str | None = None
    chain: str | None = None
    target: str | None = None
    proposal: dict[str, str] = field(default_factory=dict)

    @property
    def empty(self) -> bool:
        return all(v is None for v in (self.title, self.diarienummer, self.handlaggare, self.forvaltning, self.chain,
                                       self.target)) and not self.proposal


@dataclass(frozen=True)
class Registered:
    municipality: str
    matter: str
    changes: dict[str, Any]
    opened: bool  # the command opened the matter (a state whose matter is optional)
    documents: int  # files rendered again


def _text(value: str, option: str) -> str:
    text = " ".join(value.split())
    if not text:
        raise InputError(msg("{option} must not be empty", option=option))
    return text


def _matter_state(spec: WorkflowSpec, stage: str) -> StateSpec | None:
    state = spec.state(stage)
    return state if state is not None and state.matter is not None else None


def _find_or_open(uow: UnitOfWork, spec: WorkflowSpec, case: Any, name: str, actor: str, now: Any) -> tuple[Matter,
                                                                                                           bool]:
    matter = uow.matters.open_for(case.id or 0)
    if matter is not None:
        return matter, False
    state = _matter_state(spec, case.stage)
    if state is None:
        raise MatterRefusedError(msg("{name}'s case has no open matter: {state!r} needs no political decision",
            name=name, state=case.state))
    return open_matter(uow, case, state, now, actor), True


def register_matter(deps: Deps, username: str | None, municipality: str, facts: Facts,
                    tz: ZoneInfo | None = None) -> Registered:
    """Set the open matter's facts (opening an optional matter of the current state first)."""
    if facts.empty:
        raise InputError(msg("nothing to register: give --diarienummer, --handlaggare, --forvaltning, --title, --chain, "
                             "--target or -e KEY=VALUE"))
    with deps.uow() as uow:
        actor, m, case = case_for_change(uow, username, municipality)
        case.ensure_can_change(m.name)
        spec = deps.workflows().get(case.workflow, case.workflow_version)
        now = deps.clock.now()
        matter, opened = _find_or_open(uow, spec, case, m.name, actor.username, now)
        changes = _apply(uow, spec, case, m.name, matter, facts, now.astimezone(tz).date() if tz else now.date())
        if not changes and not opened:
            raise MatterRefusedError(msg("nothing changed: the matter {label!r} already holds these facts",
                label=matter.label))
        matter.updated_at = now
        uow.matters.save(matter)
        case.updated_at = now
        uow.cases.save(case)  # the case's lock guards its matters too
        facts_changed = {k: v for k, v in changes.items() if k != "proposal"}
        recorded: dict[str, Any] = ({"matter": facts_changed} if facts_changed else {}) | changes.get("proposal", {})
        uow.cases.append_history(HistoryEntry(case.id or 0, HistoryKind.REGISTERED, case.state, case.state, None,
                                              actor.username, now, recorded,
                                              f"ärende {matter.title}" + ("" if changes else ": öppnat")))
        before = len(uow.documents.for_case(case.id or 0))
        deps.publish([MatterChanged(case.id or 0, now, matter.state_path, "MATTER_UPDATED")], uow)
        uow.commit()  # its documents are rendered once it has committed (the outbox)
        rendered = len(uow.documents.for_case(case.id or 0)) - before
        return Registered(m.name, matter.label, changes, opened, rendered)


def _apply(uow: UnitOfWork, spec: WorkflowSpec, case: Any, name: str, matter: Matter, facts: Facts,
           today: date) -> dict[str, Any]:
    """Check every fact first (nothing is changed on bad input), then set those that differ."""
    wanted: dict[str, Any] = {}
    if facts.title is not None:
        wanted["title"] = _text(facts.title, "--title")
    if facts.diarienummer is not None:
        wanted["diarienummer"] = evidence_rules.parse_value("matter", DIARIENUMMER, facts.diarienummer)
    if facts.handlaggare is not None:
        wanted["handlaggare"] = _text(facts.handlaggare, "--handlaggare")
    if facts.forvaltning is not None:
        wanted["forvaltning"] = _text(facts.forvaltning, "--forvaltning")
    boards = boards_of(uow, case.municipality_id)
    if facts.chain is not None:
        chain = tuple(resolve_board(boards, body, name) for body in parse_chain(facts.chain))
        done = matter.position
        if tuple(b.casefold() for b in chain[:done]) != tuple(b.casefold() for b in matter.bodies[:done]) or \
                len(chain) <= done:
            raise MatterRefusedError(msg("{value} already gave bifall: the chain must still start with them and "
                                         "name a body after them", value=', '.join(matter.bodies[:done])))
        wanted["bodies"] = list(chain)
    if facts.target is not None:
        wanted["target_meeting"] = _target(uow, case, matter, facts.target, today, wanted.get("bodies"))
    if facts.proposal:
        wanted["proposal"] = _proposal(spec, matter, facts.proposal)
    changes: dict[str, Any] = {}
    for key, value in wanted.items():
        if key == "proposal":
            merged = {k: {**matter.proposal.get(k, {}), **v} for k, v in value.items()}
            delta = {k: {f: x for f, x in v.items() if matter.proposal.get(k, {}).get(f) != x} for k, v in merged.items()}
            delta = {k: v for k, v in delta.items() if v}
            if delta:
                matter.proposal = {**matter.proposal, **merged}
                changes["proposal"] = delta
            continue
        current = list(matter.bodies) if key == "bodies" else getattr(matter, key)
        if current != value:
            changes[key] = value.isoformat() if isinstance(value, date) else value
            setattr(matter, key, tuple(value) if key == "bodies" else value)
    return changes


def _target(uow: UnitOfWork, case: Any, matter: Matter, text: str, today: date, chain: list[str] | None) -> date:
    try:
        day = date.fromisoformat(text.strip())
    except ValueError:
        raise DecisionInputError(msg("--target {text!r} is not a date (YYYY-MM-DD)", text=text)) from None
    if day < today:
        raise DecisionInputError(msg("--target {day} is in the past; name a coming meeting", day=day))
    bodies = chain or list(matter.bodies)
    body = bodies[matter.position] if matter.position < len(bodies) else None
    if body is None:
        raise MatterRefusedError(msg("the matter {label!r} awaits no body", label=matter.label))
    days = [mt.day for mt in uow.board_meetings.meetings(case.municipality_id, body)]
    if days and day not in days:
        coming = ", ".join(d.isoformat() for d in days if d >= today)[:80] or msg("none coming")
        raise DecisionInputError(msg("--target {day}: {body} has no meeting that day (meetings: {coming})",
            day=day, body=body, coming=coming))
    return day


def _proposal(spec: WorkflowSpec, matter: Matter, raw: dict[str, str]) -> dict[str, dict[str, Any]]:
    """-e values for the evidence the bodies decide on: the kinds of the decided step besides the decision."""
    state = spec.state(matter.state_path)
    matter_spec = state.matter if state else None
    step = next((t for t in spec.transitions if matter_spec and t.trigger == matter_spec.decides
                 and t.source == matter.state_path), None)
    kinds = [k for g in (step.guards if step else ()) if (k := spec.evidence_kind(g)) is not None
             and not (matter_spec and k.name == matter_spec.decision)]
    if not kinds:
        raise InputError(msg("the matter {label!r} takes no proposal (-e): its decision is all the step needs",
            label=matter.label))
    return {k: v for k, v in evidence_rules.collect(kinds, raw, step.trigger if step else "").items() if v}
