"""Use cases over workflow definitions: validate files, describe a workflow."""

from __future__ import annotations

from dataclasses import asdict
from pathlib import Path
from typing import Any

from journey.definitions.loader import load_all, read_raw
from journey.definitions.machine import build_machine
from journey.domain.spec import WorkflowSpec


def validate_files(files: list[Path], workflows_dir: Path) -> list[WorkflowSpec]:
    """Load ``files`` (or the whole directory) with the directory's other workflows as bases.

    Each spec is also compiled into a state machine, so what validates here also runs.
    """
    directory = sorted(p for p in workflows_dir.rglob("*.yaml")) if workflows_dir.is_dir() else []
    targets = [p.resolve() for p in files] or [p.resolve() for p in directory]
    bases = [p for p in directory if p.resolve() not in targets]
    chosen = {str(p) for p in targets}
    read: dict[Path, Any] = {}

    def key(path: Path) -> tuple[object, object]:
        if path not in read:
            read[path] = read_raw(path)
        return read[path].get("workflow"), read[path].get("version")

    keys = {key(p) for p in targets}
    # a base with the same name and version as a target is the file being edited: skip it
    bases = [p for p in bases if key(p) not in keys]
    specs = [s for s in load_all(targets + bases, read) if str(Path(s.source_file).resolve()) in chosen]
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
