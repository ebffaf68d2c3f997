"""Graph checks on a spec: unknown states, bad targets, unknown guards, duplicates, unreachable and dead-end
states, and states from which no final state can be reached. Every check is linear in the file."""

from __future__ import annotations

from collections import deque

from journey.domain import guards
from journey.domain.errors import DefinitionError
from journey.domain.matters import DECISION_FIELDS
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
        errors.append(_err(spec, None, "initial", f"{spec.initial!r} is not a top-level state"))
    seen: dict[tuple[str, str], int | None] = {}
    for t in spec.transitions:
        key = f"transitions[{t.trigger}]"
        source, dest = spec.state(t.source), spec.state(t.dest)
        if source is None:
            errors.append(_err(spec, t.line, f"{key}.source", f"unknown state {t.source!r}"))
        elif source.kind == "region":
            errors.append(_err(spec, t.line, f"{key}.source", f"{t.source!r} is a region; use one of its states"))
        if dest is None:
            errors.append(_err(spec, t.line, f"{key}.dest", f"unknown state {t.dest!r}"))
        elif dest.kind == "region":
            errors.append(_err(spec, t.line, f"{key}.dest", f"{t.dest!r} is a region; use one of its states"))
        elif dest.kind == "leaf" and _region_of(spec, t.dest) != _region_of(spec, t.source):
            errors.append(_err(spec, t.line, f"{key}.dest",
                               f"{t.dest!r} lies inside a parallel region; only its own region's states lead there"))
        for name in t.guards:
            if not guards.is_known(spec, name):
                errors.append(_err(spec, t.line, f"{key}.guards", f"unknown guard {name!r} (declare it under evidence:)"))
        if (t.trigger, t.source) in seen:
            errors.append(_err(spec, t.line, key, f"duplicate trigger {t.trigger!r} from {t.source!r}"))
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
            errors.append(_err(spec, state.line, where, "unreachable from the initial state"))
        elif not state.final and state.path not in exits:
            errors.append(_err(spec, state.line, where, "dead end: no transition leaves it and it is not final"))
        elif state.path not in finishing:
            errors.append(_err(spec, state.line, where, "no final state can be reached from here "
                                                        "(a cycle without a way out?)"))
    return errors


def _matter_problems(spec: WorkflowSpec, state: StateSpec) -> list[DefinitionError]:
    """A matter names steps out of its own state, and a decision kind a body's decision can fill."""
    matter = state.matter
    if matter is None:
        return []
    key = f"states.{state.path}.matter"
    if state.kind != "stage":
        return [_err(spec, matter.line, key, "only a plain stage (not a parallel one) can hold a matter")]
    problems = []
    kind = spec.evidence_kind(matter.decision)
    if kind is None:
        problems.append(_err(spec, matter.line, f"{key}.decision", f"unknown evidence kind {matter.decision!r}"))
    else:
        extra = [f.name for f in kind.fields if f.required and f.name not in DECISION_FIELDS]
        if extra:
            problems.append(_err(spec, matter.line, f"{key}.decision",
                                 f"{matter.decision!r} requires {', '.join(extra)}, which a decision does not give "
                                 f"(a decision gives {', '.join(DECISION_FIELDS)})"))
    for name, trigger in (("decides", matter.decides), ("on_avslag", matter.on_avslag)):
        if not trigger:
            continue
        step = next((t for t in spec.transitions if t.trigger == trigger and t.source == state.path), None)
        if step is None:
            problems.append(_err(spec, matter.line, f"{key}.{name}",
                                 f"no transition {trigger!r} leaves {state.path!r}"))
        elif name == "decides" and matter.decision not in step.guards:
            problems.append(_err(spec, matter.line, f"{key}.decides",
                                 f"{trigger!r} must name the decision kind {matter.decision!r} among its guards"))
        elif name == "on_avslag":
            needs = [g for g in step.guards if g != matter.decision]
            if needs:
                problems.append(_err(spec, matter.line, f"{key}.on_avslag",
                                     f"{trigger!r} needs {', '.join(needs)}; an avslag gives only the decision"))
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
