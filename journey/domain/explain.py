"""Why a case cannot move yet: each possible next step and what its guards still lack."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from journey.domain import guards
from journey.domain.spec import WorkflowSpec


@dataclass(frozen=True)
class GuardStatus:
    name: str
    description: str
    lacking: tuple[str, ...]
    evidence: bool  # satisfied by evidence given with the advance, not by the case's state


@dataclass(frozen=True)
class NextStep:
    trigger: str
    title: str
    source: str
    dest: str
    guards: tuple[GuardStatus, ...]

    @property
    def ready(self) -> bool:
        """True when only evidence (given with the advance) is missing, no other condition."""
        return not any(g.lacking for g in self.guards if not g.evidence)


PLACEHOLDERS = {"date": "YYYY-MM-DD", "paragraph": "N", "int": "N", "people": "'Namn, Namn'",
                "diarienummer": "'KS YYYY/NNN'", "bool": "ja", "text": "'...'"}


def command_hint(spec: WorkflowSpec, step: NextStep, municipality: str) -> str:
    """A ready-to-edit ``journey advance`` line with a placeholder per required evidence field."""
    parts = [f"journey advance {municipality} {step.trigger}"]
    seen: set[str] = set()
    for guard in step.guards:
        kind = spec.evidence_kind(guard.name)
        for f in kind.fields if kind else ():
            if f.required and f.name not in seen:
                seen.add(f.name)
                value = "|".join(f.option("choices", ())) if f.type == "choice" else PLACEHOLDERS.get(f.type, "...")
                parts.append(f"-e {f.name}={value}")
    return " ".join(parts)


def next_steps(spec: WorkflowSpec, leaves: tuple[str, ...], awarded_deals: tuple[str, ...] = ()) -> list[NextStep]:
    """Every transition available from ``leaves`` with the state of each of its guards."""
    ctx = guards.GuardContext(spec, leaves, {}, awarded_deals)
    steps = []
    for t in spec.transitions_from(leaves):
        statuses = tuple(GuardStatus(g, guards.describe(spec, g), tuple(guards.evaluate(g, ctx)),
                                     spec.evidence_kind(g) is not None) for g in t.guards)
        steps.append(NextStep(t.trigger, t.title or t.trigger, t.source, t.dest, statuses))
    return steps


GUARD_WORDS = {  # the built-in guards as a person reads them
    "regions_complete": "alla delar av steget är klara",
    "deal_awarded": "en affär i affärsregistret är tilldelad (avtal tecknat), pågår eller är avslutad",
}


def _forward(spec: WorkflowSpec, source: str, dest: str) -> bool:
    """A step onwards: to a later stage, or to another leaf of the same parallel stage (not back, not in place)."""
    order = [s.path for s in spec.states]
    a, b = source.split(".", 1)[0], dest.split(".", 1)[0]
    if a not in order or b not in order:
        return source != dest
    return order.index(b) > order.index(a) or (a == b and source != dest)


def missing_in_words(spec: WorkflowSpec, leaves: tuple[str, ...], awarded_deals: tuple[str, ...] = ()
                     ) -> list[dict[str, Any]]:
    """What each step onwards still needs, in plain Swedish: ``[{"step": title, "missing": [text, ...]}]``.

    For a mail to officials, who do not run ``journey why``: evidence kinds by their titles with the labels of
    their required fields, and built-in conditions in words. Steps back or in place (an avslag) are left out.
    """
    result = []
    for step in next_steps(spec, leaves, awarded_deals):
        if not _forward(spec, step.source, step.dest):
            continue
        missing = []
        for guard in step.guards:
            kind = spec.evidence_kind(guard.name)
            if kind is not None:
                fields = [f.title for f in kind.fields if f.required]
                missing.append(f"{kind.title} ({', '.join(fields)})" if fields else kind.title)
            elif guard.lacking:
                missing.extend(lacking_in_words(spec, leaves, guard.name, guard.lacking))
        result.append({"step": step.title, "to": spec.state_title(step.dest), "missing": missing})
    return result


def lacking_in_words(spec: WorkflowSpec, leaves: tuple[str, ...], name: str, lacking: tuple[str, ...]) -> list[str]:
    """What a built-in guard still lacks, in Swedish (``Intern samverkan är inte klar (nu: ...)``)."""
    if not lacking:
        return []
    if name == "regions_complete":
        words = []
        for leaf in leaves:
            state = spec.state(leaf)
            if state is not None and state.kind == "leaf" and not state.final:
                words.append(f"{spec.state_title(leaf.rsplit('.', 1)[0])} är inte klar (nu: {state.title})")
        return words or [GUARD_WORDS[name]]
    if name == guards.DEAL_AWARDED:
        return ["ingen affär i affärsregistret är tilldelad ännu"]
    return list(lacking)
