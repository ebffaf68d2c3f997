"""Use cases over workflow definitions: validate files, describe a workflow."""

from __future__ import annotations

from dataclasses import asdict
from pathlib import Path
from typing import Any

from journey.definitions.loader import load_drafts, workflow_files
from journey.definitions.machine import build_machine
from journey.domain.spec import WorkflowSpec


def validate_files(files: list[Path], workflows_dir: Path) -> list[WorkflowSpec]:
    """Load ``files`` (or the whole directory) with the directory's other workflows as bases.

    Each spec is also compiled into a state machine, so what validates here also runs.
    """
    specs = load_drafts(files or workflow_files(workflows_dir), workflows_dir)
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
                    "reminders": [r.id for r in s.reminders], "documents": [d.id for d in s.documents]}
                   for s in spec.all_states()],
        "transitions": [{"trigger": t.trigger, "source": t.source, "dest": t.dest, "title": t.title,
                         "guards": list(t.guards)} for t in spec.transitions],
        "evidence": [{"name": e.name, "title": e.title, "fields": [asdict(f) for f in e.fields]} for e in spec.evidence],
    }
