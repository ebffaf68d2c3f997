"""Graph checks on a spec: unknown states, bad targets, unknown guards, duplicates, unreachable and dead-end
states, and states from which no final state can be reached. Every check is linear in the file."""

from __future__ import annotations

from collections import deque

from journey.domain import guards
from journey.domain.errors import DefinitionError
from journey.domain.matters import DECISION_FIELDS
from journey.domain.messages import msg
from journey.domain.spec import StateSpec, WorkflowSpec


def _err(spec: WorkflowSpec, line: int | None, key: str, message: str) -> DefinitionError:
    return DefinitionError(message, file=spec.source_file, line=line, key=key)


def _region_of(spec: WorkflowSpec, path: str) -> str | None:
    state = spec.state(path)
    return path.rsplit(".", 1)[0] if state is not None and state.kind == "leaf" else None


def check_graph(spec: WorkflowSpec) -> list[DefinitionError]:
    """Return every graph problem in ``spec`` (an empty list means it is sound)."""
    errors: list[DefinitionError] = []
    initial = spec.state(spec.initial)
    if spec.initial and (initial is None or "." in spec.initial):
        errors.append(_err(spec, None, "initial", msg("{initial!r} is not a top-level state", initial=spec.initial)))
    seen: dict[tuple[str, str], int | None] = {}
    for t in spec.transitions:
        key = f"transitions[{t.trigger}]"
        source, dest = spec.state(t.source), spec.state(t.dest)
        if source is None:
            errors.append(_err(spec, t.line, f"{key}.source", msg("unknown state {source!r}", source=t.source)))
        elif source.kind == "region":
            errors.append(_err(spec, t.line, f"{key}.source", msg("{source!r} is a region; use one of its states",
                source=t.source)))
        if dest is None:
            errors.append(_err(spec, t.line, f"{key}.dest", msg("unknown state {dest!r}", dest=t.dest)))
        elif dest.kind == "region":
            errors.append(_err(spec, t.line, f"{key}.dest", msg("{dest!r} is a region; use one of its states",
                dest=t.dest)))
        elif dest.kind == "leaf" and _region_of(spec, t.dest) != _region_of(spec, t.source):
            errors.append(_err(spec, t.line, f"{key}.dest",
                               msg("{dest!r} lies inside a parallel region; only its own region's states lead "
                                   "there", dest=t.dest)))
        for name in t.guards:
            if not guards.is_known(spec, name):
                errors.append(_err(spec, t.line, f"{key}.guards", msg("unknown guard {name!r} (declare it under "
                                                                      "evidence:)", name=name)))
        if (t.trigger, t.source) in seen:
            errors.append(_err(spec, t.line, key, msg("duplicate trigger {trigger!r} from {source!r}",
                trigger=t.trigger, source=t.source)))
        seen[(t.trigger, t.source)] = t.line
    for state in spec.all_states():
        errors += _matter_problems(spec, state)
    if errors or initial is None:
        return errors
    exits: dict[str, list[str]] = {}  # state path -> destinations of the transitions that leave it
    for t in spec.transitions:
        exits.setdefault(t.source, []).append(t.dest)
    reachable = _reachable(spec, exits)
    finishing = _finishing(spec, exits)
    for state in spec.all_states():
        if state.kind not in ("stage", "parallel", "leaf"):
            continue
        where = f"states.{state.path}"
        if state.path not in reachable:
            errors.append(_err(spec, state.line, where, msg("unreachable from the initial state")))
        elif not state.final and state.path not in exits:
            errors.append(_err(spec, state.line, where, msg("dead end: no transition leaves it and it is not final")))
        elif state.path not in finishing:
            errors.append(_err(spec, state.line, where, msg("no final state can be reached from here (a cycle without a "
                                                            "way out?)")))
    return errors


def _matter_problems(spec: WorkflowSpec, state: StateSpec) -> list[DefinitionError]:
    """A matter names steps out of its own state, and a decision kind a body's decision can fill."""
    matter = state.matter
    if matter is None:
        return []
    key = f"states.{state.path}.matter"
    if state.kind != "stage":
        return [_err(spec, matter.line, key, msg("only a plain stage (not a parallel one) can hold a matter"))]
    problems = []
    kind = spec.evidence_kind(matter.decision)
    if kind is None:
        problems.append(_err(spec, matter.line, f"{key}.decision", msg("unknown evidence kind {decision!r}",
            decision=matter.decision)))
    else:
        extra = [f.name for f in kind.fields if f.required and f.name not in DECISION_FIELDS]
        if extra:
            problems.append(_err(spec, matter.line, f"{key}.decision",
                                 msg("{decision!r} requires {extra}, which a decision does not give (a decision "
                                     "gives {decision_fields})",
                                     decision=matter.decision, extra=', '.join(extra),
                                     decision_fields=', '.join(DECISION_FIELDS))))
    for name, trigger in (("decides", matter.decides), ("on_avslag", matter.on_avslag)):
        if not trigger:
            continue
        step = next((t for t in spec.transitions if t.trigger == trigger and t.source == state.path), None)
        if step is None:
            problems.append(_err(spec, matter.line, f"{key}.{name}",
                                 msg("no transition {trigger!r} leaves {path!r}", trigger=trigger, path=state.path)))
        elif name == "decides" and matter.decision not in step.guards:
            problems.append(_err(spec, matter.line, f"{key}.decides",
                                 msg("{trigger!r} must name the decision kind {decision!r} among its guards",
                                     trigger=trigger, decision=matter.decision)))
        elif name == "on_avslag":
            needs = [g for g in step.guards if g != matter.decision]
            if needs:
                problems.append(_err(spec, matter.line, f"{key}.on_avslag",
                                     msg("{trigger!r} needs {needs}; an avslag gives only the decision",
                                         trigger=trigger, needs=', '.join(needs))))
    return problems


def _reachable(spec: WorkflowSpec, exits: dict[str, list[str]]) -> set[str]:
    reached: set[str] = set()
    queue = deque([spec.initial])
    while queue:
        path = queue.popleft()
        if path in reached:
            continue
        reached.add(path)
        state = spec.state(path)
        if state is not None and state.kind == "parallel":
            queue.extend(spec.initial_leaves(path))
        queue.extend(exits.get(path, ()))
    return reached


def _finishing(spec: WorkflowSpec, exits: dict[str, list[str]]) -> set[str]:
    """States from which a final state can be reached: one backward search from the final states, linear.

    A leaf of a parallel region finishes by reaching a final leaf of its region (the region is
    then complete), by a transition out of the stage, or through an exit of its stage that
    does not wait for the regions (no ``regions_complete`` guard).
    """
    entries: dict[str, list[str]] = {}  # destination -> sources: the graph walked backwards
    for source, dests in exits.items():
        for dest in dests:
            entries.setdefault(dest, []).append(source)
    done: set[str] = set()

    def search(start: list[str]) -> None:
        queue = deque(start)
        while queue:
            path = queue.popleft()
            if path not in done:
                done.add(path)
                queue.extend(entries.get(path, ()))

    search([s.path for s in spec.all_states() if s.final])
    escapes = {t.source for t in spec.transitions if t.dest in done and "regions_complete" not in t.guards}
    search([leaf.path for s in spec.all_states() if s.kind == "parallel" and s.path in escapes
            for region in s.children for leaf in region.children])
    return done
