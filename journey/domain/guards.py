"""Named guards that transitions reference from YAML; no YAML string is ever evaluated.

A guard name is either an evidence kind declared in the workflow (satisfied when every
required field was given) or one of the built-in guards registered here.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from journey.domain.evidence import missing_fields
from journey.domain.spec import WorkflowSpec


@dataclass(frozen=True)
class GuardContext:
    """What a guard may look at: the workflow, the case's current leaves, the evidence given."""

    spec: WorkflowSpec
    leaves: tuple[str, ...]
    evidence: Mapping[str, Mapping[str, Any]]


Guard = Callable[[GuardContext], list[str]]


def _regions_complete(ctx: GuardContext) -> list[str]:
    """Every parallel region of the current stage sits in a final state."""
    problems = []
    for leaf in ctx.leaves:
        state = ctx.spec.state(leaf)
        if state is not None and state.kind == "leaf" and not state.final:
            region = ctx.spec.state(leaf.rsplit(".", 1)[0])
            title = region.title if region else leaf
            problems.append(f"{title} is not yet completed (now: {state.title})")
    return problems


BUILTIN_GUARDS: dict[str, tuple[Guard, str]] = {
    "regions_complete": (_regions_complete, "all parallel sub-states are completed"),
}


def is_known(spec: WorkflowSpec, name: str) -> bool:
    return name in BUILTIN_GUARDS or spec.evidence_kind(name) is not None


def evaluate(name: str, ctx: GuardContext) -> list[str]:
    """Return what guard ``name`` still lacks; an empty list means it passes."""
    if name in BUILTIN_GUARDS:
        return BUILTIN_GUARDS[name][0](ctx)
    kind = ctx.spec.evidence_kind(name)
    if kind is None:
        return [f"unknown guard {name!r}"]
    lacking = missing_fields(kind, ctx.evidence.get(name, {}))
    return [f"{kind.title}: {', '.join(lacking)}"] if lacking else []


def describe(spec: WorkflowSpec, name: str) -> str:
    """A human description of what a guard needs (for ``journey why``)."""
    if name in BUILTIN_GUARDS:
        return BUILTIN_GUARDS[name][1]
    kind = spec.evidence_kind(name)
    if kind is None:
        return name
    fields = ", ".join(f.name + ("" if f.required else "?") for f in kind.fields)
    return f"{kind.title} ({name}: {fields})"
