"""What changed between two versions of a workflow: states, transitions and evidence kinds.

Renames come from the declared ``migrations.states`` of the versions in between (see
:mod:`journey.domain.case_migration`); a similarity heuristic only *suggests* renames for removed
states that have no mapping, it never decides one.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable
from dataclasses import dataclass, field

from journey.domain.case_migration import state_map, translate_path
from journey.domain.messages import joined, msg
from journey.domain.spec import DocumentSpec, ReminderSpec, StateSpec, TransitionSpec, WorkflowSpec

SIMILAR = 0.6


@dataclass(frozen=True)
class Change:
    """One line of a diff. ``kind`` is added, removed, renamed or changed."""

    kind: str
    what: str  # state | transition | evidence
    old: str = ""
    new: str = ""
    detail: str = ""


@dataclass
class WorkflowDiff:
    old: str
    new: str
    changes: list[Change] = field(default_factory=list)
    hints: list[str] = field(default_factory=list)

    def of(self, what: str, kind: str | None = None) -> list[Change]:
        return [c for c in self.changes if c.what == what and (kind is None or c.kind == kind)]


def _listed(names: list[str]) -> str:
    return ", ".join(names) or msg("none")


def _state_details(a: StateSpec, b: StateSpec) -> str:
    """What changed in a state, each part translatable where shown (the YAML keys stay as written)."""
    parts = []
    for attr in ("title", "kind", "final", "handbook_stage"):
        if getattr(a, attr) != getattr(b, attr):
            parts.append(f"{attr}: {getattr(a, attr)!r} -> {getattr(b, attr)!r}")
    for attr in ("reminders", "documents"):
        before = {x.id: x for x in getattr(a, attr)}
        after = {x.id: x for x in getattr(b, attr)}
        if list(before) != list(after):
            parts.append(msg("{attr}: {before} -> {after}", attr=attr, before=_listed(list(before)),
                             after=_listed(list(after))))
        for ident, old in before.items():
            new = after.get(ident)
            if new is not None and new != old:  # the same id, declared otherwise: name what differs
                parts.append(msg("{attr} {id}: {keys} changed", attr=attr, id=ident, keys=", ".join(_changed(old, new))))
    return joined(parts)


def _changed(old: ReminderSpec | DocumentSpec, new: ReminderSpec | DocumentSpec) -> list[str]:
    """The YAML keys whose values differ between two declarations of one reminder or document."""
    def keys(item: ReminderSpec | DocumentSpec) -> dict[str, object]:
        return dict(item.settings) | ({"template": item.template} if isinstance(item, DocumentSpec) else {})

    a, b = keys(old), keys(new)
    return sorted(k for k in a.keys() | b.keys() if a.get(k) != b.get(k))


def _similarity(a: StateSpec, b: StateSpec) -> float:
    ids = difflib.SequenceMatcher(None, a.id, b.id).ratio()
    titles = difflib.SequenceMatcher(None, a.title.casefold(), b.title.casefold()).ratio()
    same_place = a.path.rsplit(".", 1)[0] == b.path.rsplit(".", 1)[0] if "." in a.path or "." in b.path else True
    return max(ids, titles) * (1.0 if same_place else 0.8)


def _diff_states(diff: WorkflowDiff, specs: list[WorkflowSpec]) -> dict[str, str | None]:
    old, new = specs[0], specs[-1]
    moved = {s.path: translate_path(s.path, specs) for s in old.all_states()}
    declared = {path for spec in specs[1:] for path, _ in state_map(spec).states}
    targets = set()
    unmapped = []
    for s in old.all_states():
        target = moved[s.path]
        if target == s.path and (kept := new.state(s.path)) is not None:
            detail = _state_details(s, kept)
            if detail:
                diff.changes.append(Change("changed", "state", s.path, s.path, detail))
        elif target is None:
            unmapped.append(s)
            diff.changes.append(Change("removed", "state", s.path, "", msg("no mapping: cases here would be blocked")))
        elif old.state(target) is None:
            targets.add(target)
            how = msg("declared") if s.path in declared else msg("carried with its parent")
            diff.changes.append(Change("renamed", "state", s.path, target, how))
        else:
            diff.changes.append(Change("removed", "state", s.path, target, msg("cases move to {target}", target=target)))
    added = [s for s in new.all_states() if old.state(s.path) is None and s.path not in targets]
    for s in added:
        diff.changes.append(Change("added", "state", "", s.path, s.title))
    for gone in unmapped:
        scored = sorted(((_similarity(gone, s), s.path) for s in added), reverse=True)
        if scored and scored[0][0] >= SIMILAR:
            diff.hints.append(msg("{path} may have been renamed {name} (similarity {score:.2f}); if so, declare it "
                                  "under migrations.states in {file}", path=gone.path, name=scored[0][1],
                                  score=scored[0][0], file=new.source_file or new.key))
    return moved


def _diff_transitions(diff: WorkflowDiff, old: list[TransitionSpec], new: list[TransitionSpec],
                      moved: dict[str, str | None]) -> None:
    def ends(t: TransitionSpec) -> tuple[str, str]:
        return moved.get(t.source) or t.source, moved.get(t.dest) or t.dest

    Rule = Callable[[TransitionSpec, TransitionSpec], bool]
    rules: list[tuple[Rule, str]] = [
        (lambda a, b: a.trigger == b.trigger and ends(a) == (b.source, b.dest), "same"),
        (lambda a, b: ends(a) == (b.source, b.dest), "renamed"),  # same move under another trigger name
        (lambda a, b: a.trigger == b.trigger, "changed"),  # same trigger, moved source or destination
    ]
    left, right = list(old), list(new)
    for rule, kind in rules:
        for a in list(left):
            b = next((b for b in right if rule(a, b)), None)
            if b is None:
                continue
            left.remove(a)
            right.remove(b)
            guards = msg("guards: {before} -> {after}", before=_listed(list(a.guards)), after=_listed(list(b.guards))) \
                if a.guards != b.guards else ""
            if kind == "renamed":
                diff.changes.append(Change("renamed", "transition", a.trigger, b.trigger,
                                           joined(p for p in (f"{b.source} -> {b.dest}", guards) if p)))
            elif kind == "changed" or guards:
                path = msg("{old} becomes {new}", old=f"{a.source} -> {a.dest}", new=f"{b.source} -> {b.dest}") \
                    if kind == "changed" else ""
                diff.changes.append(Change("changed", "transition", a.trigger, b.trigger,
                                           joined(p for p in (path, guards) if p)))
    diff.changes += [Change("removed", "transition", t.trigger, "", f"{t.source} -> {t.dest}") for t in left]
    diff.changes += [Change("added", "transition", "", t.trigger, f"{t.source} -> {t.dest}") for t in right]


def diff_specs(specs: list[WorkflowSpec]) -> WorkflowDiff:
    """Diff the first spec of a migration chain against the last (see ``migration.chain``)."""
    old, new = specs[0], specs[-1]
    diff = WorkflowDiff(old.key, new.key)
    moved = _diff_states(diff, specs)
    _diff_transitions(diff, list(old.transitions), list(new.transitions), moved)
    before, after = {e.name: e for e in old.evidence}, {e.name: e for e in new.evidence}
    diff.changes += [Change("removed", "evidence", n) for n in before if n not in after]
    diff.changes += [Change("added", "evidence", "", n, after[n].title) for n in after if n not in before]
    diff.changes += [Change("changed", "evidence", n, n, msg("fields: {names}",
                                                             names=", ".join(f.name for f in after[n].fields)))
                     for n in before if n in after and before[n].fields != after[n].fields]
    return diff
