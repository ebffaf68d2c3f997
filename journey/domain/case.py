"""A running case: one municipality's journey through one workflow version, and its history."""

from __future__ import annotations

import copy
from collections import deque
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime
from enum import StrEnum
from typing import Any

from journey.domain import evidence as evidence_rules
from journey.domain.errors import EvidenceError, GuardRefusedError, InputError, NotFoundError, RefusedError
from journey.domain.events import CaseAdvanced, CaseWithdrawn, Event, StateEntered, StateExited
from journey.domain.messages import joined, msg
from journey.domain.spec import EvidenceSpec, TransitionSpec, WorkflowSpec, active_paths, format_state, parse_state


class CaseStatus(StrEnum):
    """Stored values never change meaning."""

    ACTIVE = "ACTIVE"
    PAUSED = "PAUSED"
    COMPLETED = "COMPLETED"
    WITHDRAWN = "WITHDRAWN"  # the municipality left the network: final, nothing changes any more


class HistoryKind(StrEnum):
    OPENED = "OPENED"
    ADVANCED = "ADVANCED"
    PAUSED = "PAUSED"
    RESUMED = "RESUMED"
    MIGRATED = "MIGRATED"
    DECIDED = "DECIDED"  # a body's decision on a matter that did not move the case
    REGISTERED = "REGISTERED"  # a matter's facts set (diarienummer, handläggare, förvaltning, chain ...)
    MISSED = "MISSED"  # a matter's target meeting passed without its decision (rolled over to the next)
    CORRECTED = "CORRECTED"  # amends the evidence of an earlier entry, which itself stays as it was
    WITHDRAWN = "WITHDRAWN"


@dataclass
class Case:
    """The state of one municipality's journey; ``version`` is the optimistic-lock counter."""

    id: int | None
    municipality_id: int
    workflow: str
    workflow_version: int
    state: str
    status: CaseStatus
    opened_at: datetime
    stage_entered_at: datetime
    updated_at: datetime
    version: int = 1

    @property
    def leaves(self) -> tuple[str, ...]:
        return parse_state(self.state)

    @property
    def stage(self) -> str:
        return self.state.split(".", 1)[0].split(",", 1)[0]

    def ensure_can_change(self, name: str) -> None:
        """A withdrawn case is final (``name``: the municipality, for the message)."""
        if self.status is CaseStatus.WITHDRAWN:
            raise RefusedError(msg("{name}'s case was withdrawn; it can no longer change", name=name))

    def ensure_can_advance(self, name: str) -> None:
        """A paused case does not move."""
        self.ensure_can_change(name)
        if self.status is CaseStatus.PAUSED:
            raise RefusedError(msg("{name}'s case is paused; resume it before advancing", name=name))

    def ensure_can_pause(self, name: str) -> None:
        self.ensure_can_change(name)
        if self.status is not CaseStatus.ACTIVE:
            raise RefusedError(msg("{name}'s case is {value}; only an active case can be paused",
                name=name, value=self.status.value.lower()))

    def advance(self, spec: WorkflowSpec, name: str, trigger: str, new_leaves: tuple[str, ...], *, reflexive: bool,
                actor: str, at: datetime, evidence: dict[str, Any]) -> list[Event]:
        """Take a step the engine allowed: move, complete on a final state, and return what happened.

        ``reflexive``: the transition leads back to its own source (its state is left and re-entered).
        """
        self.ensure_can_advance(name)
        old_leaves, old_state = self.leaves, self.state
        self.move_to(new_leaves, at)
        target = spec.state(spec.stage_of(new_leaves))
        if target is not None and target.final:
            self.status = CaseStatus.COMPLETED
        case_id = self.id or 0
        exited, entered = entered_and_exited(old_leaves, new_leaves, reflexive)
        events: list[Event] = [StateExited(case_id, at, p, trigger, evidence) for p in exited]
        events += [StateEntered(case_id, at, p, trigger, evidence) for p in entered]
        events.append(CaseAdvanced(case_id, at, old_state, self.state, trigger, actor))
        return events

    def withdraw(self, name: str, at: datetime, actor: str, reason: str) -> list[Event]:
        """End the case for good: every state is left (its reminders cancelled, its matter closed)."""
        self.ensure_can_change(name)
        if not reason.strip():
            raise InputError(msg("--reason is required: say why the case is withdrawn"))
        case_id = self.id or 0
        events: list[Event] = [StateExited(case_id, at, p, "withdraw") for p in active_paths(self.leaves)[::-1]]
        self.status, self.updated_at = CaseStatus.WITHDRAWN, at
        events.append(CaseWithdrawn(case_id, at, self.state, actor, reason.strip()))
        return events

    def pause(self, name: str, at: datetime) -> None:
        self.ensure_can_pause(name)
        self.status, self.updated_at = CaseStatus.PAUSED, at

    def move_to(self, leaves: tuple[str, ...], at: datetime) -> None:
        new_state = format_state(leaves)
        if new_state.split(".", 1)[0].split(",", 1)[0] != self.stage:
            self.stage_entered_at = at
        self.state = new_state
        self.updated_at = at


@dataclass(frozen=True)
class HistoryEntry:
    """One append-only audit row: who moved which case from where to where, on what evidence."""

    case_id: int
    kind: HistoryKind
    from_state: str | None
    to_state: str
    trigger: str | None
    actor: str
    at: datetime
    evidence: dict[str, Any] = field(default_factory=dict)
    comment: str = ""
    seq: int = 0


def entered_and_exited(old: tuple[str, ...], new: tuple[str, ...], reflexive: bool) -> tuple[list[str], list[str]]:
    """The state paths a transition leaves and enters (ancestors included), outermost first."""
    before, after = active_paths(old), active_paths(new)
    exited = [p for p in before if p not in after]
    entered = [p for p in after if p not in before]
    if reflexive and not exited and not entered:
        exited = entered = [p for p in after if any(leaf == p for leaf in new)]
    return exited[::-1], entered


# --- corrections: the history stays append-only; a CORRECTED entry amends an earlier entry's evidence -------------

CORRECTABLE = (HistoryKind.OPENED, HistoryKind.ADVANCED, HistoryKind.DECIDED)


@dataclass(frozen=True)
class Correction:
    """What CORRECTED entry ``seq`` changed in entry ``entry``: new values and the values they replaced."""

    entry: int
    changes: dict[str, dict[str, Any]]
    previous: dict[str, dict[str, Any]]
    seq: int
    actor: str
    at: datetime
    reason: str


def corrections_of(entries: list[HistoryEntry]) -> dict[int, list[Correction]]:
    """Every correction, keyed by the entry it corrects, oldest first."""
    found: dict[int, list[Correction]] = {}
    for e in entries:
        body = e.evidence.get("correction") if e.kind is HistoryKind.CORRECTED else None
        if isinstance(body, Mapping):
            found.setdefault(int(body["entry"]), []).append(Correction(
                int(body["entry"]), dict(body.get("changes") or {}), dict(body.get("previous") or {}), e.seq, e.actor,
                e.at, e.comment))
    return found


def overlay(evidence: Mapping[str, Any], corrections: list[Correction]) -> dict[str, Any]:
    """``evidence`` with ``corrections`` applied in order (a copy; the stored entry is untouched)."""
    result = copy.deepcopy(dict(evidence))
    for c in corrections:
        for kind, fields in c.changes.items():
            result.setdefault(kind, {}).update(fields)
    return result


def corrected(entries: list[HistoryEntry]) -> list[HistoryEntry]:
    """The history as it now reads: each entry with its corrections applied."""
    found = corrections_of(entries)
    return [replace(e, evidence=overlay(e.evidence, found[e.seq])) if e.seq in found else e for e in entries]


def latest_evidence(entries: list[HistoryEntry], kind: str) -> dict[str, Any]:
    """The latest record of evidence ``kind`` as one whole, corrections applied; never fields merged across entries."""
    for e in reversed(corrected(entries)):
        if e.kind in CORRECTABLE and e.evidence.get(kind):
            return dict(e.evidence[kind])
    return {}


def plan_correction(spec: WorkflowSpec, entries: list[HistoryEntry], seq: int, raw: Mapping[str, str],
                    name: str) -> tuple[dict[str, dict[str, Any]], dict[str, dict[str, Any]]]:
    """Check a correction of entry ``seq``; return (changes, previous values) per evidence kind.

    Only the evidence kinds the entry holds can be corrected, with any of their fields (an
    optional field left out at the time may be added); values are parsed as in an advance.
    """
    entry = next((e for e in entries if e.seq == seq), None)
    if entry is None:
        last = max((e.seq for e in entries), default=0)
        raise NotFoundError(msg("{name}'s history has no entry #{seq} (entries #1 to #{last}; see `journey "
                                "history`)", name=name, seq=seq, last=last))
    current = overlay(entry.evidence, corrections_of(entries).get(seq, []))
    kinds = [k for name_ in current if (k := spec.evidence_kind(name_)) is not None]
    if entry.kind not in CORRECTABLE or not kinds:
        raise RefusedError(msg("entry #{seq} ({value}) records no evidence to correct",
            seq=seq, value=entry.trigger or entry.kind.value.lower()))
    if not raw:
        raise InputError(msg("give the corrected values with -e KEY=VALUE"))
    given = evidence_rules.collect(kinds, raw, entry.trigger or entry.kind.value.lower())
    changes = {k: {f: v for f, v in fields.items() if current.get(k, {}).get(f) != v} for k, fields in given.items()}
    changes = {k: fields for k, fields in changes.items() if fields}
    if not changes:
        raise RefusedError(msg("nothing to correct: entry #{seq} already holds these values", seq=seq))
    previous = {k: {f: current.get(k, {}).get(f) for f in fields} for k, fields in changes.items()}
    return changes, previous


# --- starting late: a case opened at a later stage, with the evidence of the step that led there --------------------


@dataclass(frozen=True)
class LateStart:
    """Opening at ``stage``: the steps that lead into it and the evidence kinds met on the way."""

    stage: str
    entering: tuple[TransitionSpec, ...]
    kinds: tuple[EvidenceSpec, ...]  # every evidence kind of a step before the stage (recorded if given)

    def via(self, trigger: str | None) -> TransitionSpec:
        if trigger is None:
            return self.entering[0]
        found = next((t for t in self.entering if t.trigger == trigger), None)
        if found is None:
            raise NotFoundError(msg("{trigger!r} does not lead into {stage!r}; steps into it: {value}",
                trigger=trigger, stage=self.stage, value=', '.join(t.trigger for t in self.entering)))
        return found


def late_start(spec: WorkflowSpec, stage: str) -> LateStart:
    """What ``journey open --at STAGE`` may record: the stage must be a later top-level stage."""
    target = spec.state(stage)
    if target is None or "." in stage:
        stages = ", ".join(s.path for s in spec.states)
        raise NotFoundError(msg("workflow {key} has no stage {stage!r} (stages: {stages})",
            key=spec.key, stage=stage, stages=stages))
    if stage == spec.initial:
        raise InputError(msg("{stage!r} is where every case starts; open without --at", stage=stage))
    before: set[str] = set()
    queue = deque([spec.initial])
    while queue:
        path = queue.popleft()
        if path in before or path == stage:
            continue
        before.add(path)
        state = spec.state(path)
        if state is not None and state.kind == "parallel":
            queue.extend(spec.initial_leaves(path))
            queue.extend(p for region in state.children for p in (leaf.path for leaf in region.children))
        queue.extend(t.dest for t in spec.transitions if t.source == path)
    steps = [t for t in spec.transitions if t.source in before]
    entering = tuple(t for t in steps if t.dest.split(".", 1)[0] == stage and t.source.split(".", 1)[0] != stage)
    if not entering:
        raise InputError(msg("no step leads into {stage!r} from an earlier stage", stage=stage))
    names = dict.fromkeys(g for t in steps for g in t.guards if spec.evidence_kind(g) is not None)
    return LateStart(stage, entering, tuple(k for n in names if (k := spec.evidence_kind(n)) is not None))


def late_start_evidence(start: LateStart, via: TransitionSpec, spec: WorkflowSpec,
                        raw: Mapping[str, str]) -> dict[str, dict[str, Any]]:
    """The evidence of a late start: ``via``'s kinds complete; other kinds on the way recorded when given.

    A bare field goes to ``via``'s kinds when they have it, else to the other kinds that have it;
    ``kind.field`` names one kind. A kind counts as given once one of its required fields is.
    """
    own = [k for g in via.guards if (k := spec.evidence_kind(g)) is not None]
    others = [k for k in start.kinds if k.name not in {o.name for o in own}]
    by_kind: dict[str, dict[str, str]] = {}
    for key, value in raw.items():
        kind_name, _, field_name = key.rpartition(".")
        if kind_name:
            targets = [k for k in own + others if k.name == kind_name]
        else:
            targets = [k for k in own if k.field(field_name)] or [k for k in others if k.field(field_name)]
        if not targets:
            known = sorted({f.name for k in own + others for f in k.fields})
            raise EvidenceError(msg("unknown evidence field {key!r} for opening at {stage!r}; expected one of: "
                                    "{known}", key=key, stage=start.stage, known=', '.join(known)))
        for kind in targets:
            by_kind.setdefault(kind.name, {})[f"{kind.name}.{field_name}"] = value
    given: dict[str, dict[str, Any]] = {}
    for kind in own + others:
        parsed = evidence_rules.collect([kind], by_kind.get(kind.name, {}), via.trigger)[kind.name]
        if kind in own or any(f.required and f.name in parsed for f in kind.fields):
            given[kind.name] = parsed
    lacking = [evidence_rules.describe_missing(k, m) for k in own + others if k.name in given
               and (m := evidence_rules.missing_fields(k, given[k.name]))]
    if lacking:
        raise GuardRefusedError(msg("opening at {stage!r} via {trigger!r}: lacking {lacking}",
            stage=start.stage, trigger=via.trigger, lacking=joined(lacking)),
                                tuple(lacking))
    return {k: v for k, v in given.items() if v}
