"""Use cases over workflow definitions: validate files, describe a workflow."""

from __future__ import annotations

from dataclasses import asdict
from pathlib import Path
from typing import Any

from journey.definitions.catalog import require_workflow_files
from journey.definitions.loader import load_drafts
from journey.definitions.machine import build_machine
from journey.domain.spec import WorkflowSpec


def validate_files(files: list[Path], workflows_dir: Path) -> list[WorkflowSpec]:
    """Load ``files`` (or the whole directory) with the directory's other workflows as bases.

    Each spec is also compiled into a state machine, so what validates here also runs.
    """
    targets = [f for path in files for f in (require_workflow_files(path) if path.is_dir() else [path])]
    specs = load_drafts(targets or require_workflow_files(workflows_dir), workflows_dir)
    for spec in specs:
        build_machine(spec)
    return specs


def describe(spec: WorkflowSpec) -> dict[str, Any]:
    return {
        "name": spec.name,
        "version": spec.version,
        "title": spec.title,
        "extends": spec.extends,
        "initial": spec.initial,
        "states": [{"path": s.path, "title": s.title, "kind": s.kind, "final": s.final,
                    "handbook_stage": s.handbook_stage,
                    "reminders": [r.id for r in s.reminders], "documents": [d.id for d in s.documents],
                    "matter": asdict(s.matter) if s.matter else None}
                   for s in spec.all_states()],
        "transitions": [{"trigger": t.trigger, "source": t.source, "dest": t.dest, "title": t.title,
                         "guards": list(t.guards), "backward": is_backward(spec, t.source, t.dest)}
                        for t in spec.transitions],
        "evidence": [{"name": e.name, "title": e.title, "fields": [asdict(f) for f in e.fields]} for e in spec.evidence],
    }


def is_backward(spec: WorkflowSpec, source: str, dest: str) -> bool:
    """A step to an earlier top-level stage (e.g. back to the political intent after an avslag)."""
    order = [s.path for s in spec.states]
    a, b = source.split(".", 1)[0], dest.split(".", 1)[0]
    return a in order and b in order and order.index(b) < order.index(a)
