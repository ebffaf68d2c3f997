"""Why a case cannot move yet: each possible next step and what its guards still lack."""

from __future__ import annotations

from dataclasses import dataclass

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
