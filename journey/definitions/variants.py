"""Variants: a workflow that ``extends`` another and changes only what differs.

A municipality that integrates social enterprise into an existing steering document
instead of adopting a separate policy declares that in a few lines, not a copy.
"""

from __future__ import annotations

from typing import Any

from journey.definitions._yaml import LineDict
from journey.definitions.shape import VARIANT_KEYS, Problems

MERGE_SCALARS = ("workflow", "version", "title", "description", "initial", "migrations")


def parse_ref(ref: str) -> tuple[str, int | None]:
    """``handbook`` -> ("handbook", None); ``handbook@2`` -> ("handbook", 2)."""
    name, _, version = ref.partition("@")
    return name.strip(), int(version) if version.strip().isdigit() else None


def merge(base: LineDict, variant: LineDict, problems: Problems) -> LineDict:
    """Apply ``variant`` on top of the raw ``base`` definition; shape errors go to ``problems``."""
    for key in variant:
        if key not in VARIANT_KEYS:
            problems.add(variant, str(key), f"unknown key (allowed: {', '.join(sorted(VARIANT_KEYS))})", key)
    merged = LineDict()
    merged.file, merged.line = variant.file, variant.line
    for key, value in base.items():
        if key not in ("workflow", "version", "migrations", "extends"):
            merged[key] = value
            merged.lines[key] = base.lines.get(key, base.line or 0)
    for key in (*MERGE_SCALARS, "extends"):
        if key in variant:
            merged[key] = variant[key]
            merged.lines[key] = variant.lines[key]
    evidence = LineDict()
    for source in (base.get("evidence"), variant.get("evidence")):
        if isinstance(source, dict):
            for k, v in source.items():
                evidence[k] = v
                evidence.lines[k] = source.lines.get(k, 0) if isinstance(source, LineDict) else 0
    merged["evidence"] = evidence
    removed = set(_names(variant, "remove_states", problems))
    states = [s for s in (base.get("states") or []) if not (isinstance(s, dict) and s.get("id") in removed)]
    for new in variant.get("states") or []:
        ident = new.get("id") if isinstance(new, dict) else None
        index = next((i for i, s in enumerate(states) if isinstance(s, dict) and s.get("id") == ident), None)
        if index is None:
            states.append(new)
        else:
            states[index] = new
    merged["states"] = states
    dropped = set(_names(variant, "remove_transitions", problems))
    transitions = [t for t in (base.get("transitions") or []) if not (isinstance(t, dict) and t.get("trigger") in dropped)]
    transitions = [t for t in transitions if not (isinstance(t, dict) and _touches(t, removed))]
    merged["transitions"] = transitions + list(variant.get("transitions") or [])
    return merged


def _touches(transition: dict[str, Any], removed: set[str]) -> bool:
    sources = transition.get("source")
    sources = sources if isinstance(sources, list) else [sources]
    ends = [str(s).split(".", 1)[0] for s in sources] + [str(transition.get("dest", "")).split(".", 1)[0]]
    return any(e in removed for e in ends)


def _names(variant: LineDict, key: str, problems: Problems) -> list[str]:
    value = variant.get(key) or []
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        problems.add(variant, key, "must be a list of names", key)
        return []
    return value
