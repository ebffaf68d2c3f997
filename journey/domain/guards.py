"""Named guards that transitions reference from YAML; no YAML string is ever evaluated.

A guard name is either an evidence kind declared in the workflow (satisfied when every
required field was given) or one of the built-in guards registered here.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from journey.domain.evidence import describe_missing, missing_fields
from journey.domain.messages import msg
from journey.domain.spec import WorkflowSpec


@dataclass(frozen=True)
class GuardContext:
    """What a guard may look at: the workflow, the case's current leaves, the evidence given.

    ``awarded_deals`` labels the case's deals that are awarded (tilldelad/avtal tecknat) or later,
    from the deals register; only transitions that name ``deal_awarded`` need it filled.
    """

    spec: WorkflowSpec
    leaves: tuple[str, ...]
    evidence: Mapping[str, Mapping[str, Any]]
    awarded_deals: tuple[str, ...] = ()


Guard = Callable[[GuardContext], list[str]]


def _regions_complete(ctx: GuardContext) -> list[str]:
    """Every parallel region of the current stage sits in a final state."""
    problems: list[str] = []
    for leaf in ctx.leaves:
        state = ctx.spec.state(leaf)
        if state is not None and state.kind == "leaf" and not state.final:
            region = ctx.spec.state(leaf.rsplit(".", 1)[0])
            title = region.title if region else leaf
            problems.append(msg("{title} is not yet completed (now: {state})", title=title, state=state.title))
    return problems


def _deal_awarded(ctx: GuardContext) -> list[str]:
    """The deals register holds a deal that is awarded (tilldelad/avtal tecknat), ongoing or completed."""
    if ctx.awarded_deals:
        return []
    return [msg("no deal is awarded yet: record one with `journey deals add` (or `journey deals update "
                "--status tilldelad`); the case then moves on by itself")]


DEAL_AWARDED = "deal_awarded"
BUILTIN_GUARDS: dict[str, tuple[Guard, str]] = {
    "regions_complete": (_regions_complete, "all parallel sub-states are completed"),
    DEAL_AWARDED: (_deal_awarded, "a deal in the deals register is awarded (tilldelad/avtal tecknat) or later"),
}


def is_automatic(spec: WorkflowSpec, guard_names: tuple[str, ...]) -> bool:
    """A transition the engine takes by itself: it names ``deal_awarded`` and needs no evidence."""
    return DEAL_AWARDED in guard_names and not any(spec.evidence_kind(g) for g in guard_names)


def is_known(spec: WorkflowSpec, name: str) -> bool:
    return name in BUILTIN_GUARDS or spec.evidence_kind(name) is not None


def evaluate(name: str, ctx: GuardContext) -> list[str]:
    """Return what guard ``name`` still lacks; an empty list means it passes."""
    if name in BUILTIN_GUARDS:
        return BUILTIN_GUARDS[name][0](ctx)
    kind = ctx.spec.evidence_kind(name)
    if kind is None:
        return [msg("unknown guard {name!r}", name=name)]
    lacking = missing_fields(kind, ctx.evidence.get(name, {}))
    return [describe_missing(kind, lacking)] if lacking else []


def describe(spec: WorkflowSpec, name: str) -> str:
    """A human description of what a guard needs (for ``journey why``)."""
    if name in BUILTIN_GUARDS:
        return BUILTIN_GUARDS[name][1]
    kind = spec.evidence_kind(name)
    if kind is None:
        return name
    fields = ", ".join(f.name + ("" if f.required else "?") for f in kind.fields)
    return f"{kind.title} ({name}: {fields})"
