"""Planning the migration of running cases to a newer workflow version: pure, no I/O.

A newer version declares how old states map onto its own (``migrations: {from: 1, states:
{old.path: new.path}}``). A case's leaves are mapped step by step along the chain of versions
between its own and the target. A leaf maps, in order of preference, through

1. its own path in ``migrations.states``;
2. the nearest ancestor in ``migrations.states`` (a renamed stage carries its sub-states along
   when the new stage has them, otherwise the case lands in the mapped state itself);
3. the same path, when the new version still has that state.

A leaf that none of these reach leaves the case *blocked*: it is listed, never guessed.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from journey.domain.case import Case, CaseStatus, entered_and_exited
from journey.domain.errors import DefinitionError, NotFoundError
from journey.domain.messages import msg
from journey.domain.spec import WorkflowSpec


class Outcome(StrEnum):
    MOVE = "move"  # the state changes (renamed or removed state)
    RELABEL = "relabel"  # same state, only the workflow version changes
    BLOCKED = "blocked"  # no mapping for the case's state: listed and left alone
    CURRENT = "current"  # already on the target version
    NEWER = "newer"  # on a later version than the target: left alone


@dataclass(frozen=True)
class StateMap:
    """What one version declares about the version it migrates from."""

    source: int
    target: int
    states: tuple[tuple[str, str], ...] = ()
    lines: tuple[tuple[str, int | None], ...] = ()

    def get(self, path: str) -> str | None:
        return dict(self.states).get(path)


def state_map(spec: WorkflowSpec) -> StateMap:
    settings = dict(spec.migrations)
    triples = settings.get("states", ())
    return StateMap(int(settings.get("from", spec.version - 1)), spec.version,
                    tuple((old, new) for old, new, _ in triples), tuple((old, line) for old, _, line in triples))


def chain(get: Callable[[int], WorkflowSpec], from_version: int, to_version: int) -> list[WorkflowSpec]:
    """The specs from ``from_version`` to ``to_version`` following each version's ``migrations.from``.

    Raises :class:`NotFoundError` when a version is missing or the chain skips ``from_version``.
    """
    specs = [get(to_version)]
    while specs[-1].version > from_version:
        source = state_map(specs[-1]).source
        if source < from_version:
            raise NotFoundError(msg("no migration path from {name}@{from_version}: {key} migrates from version "
                                    "{source}",
                name=specs[-1].name, from_version=from_version, key=specs[-1].key, source=source))
        specs.append(get(source))
    return specs[::-1]


def check_chain(specs: list[WorkflowSpec]) -> list[DefinitionError]:
    """Every old path a version maps must be a state of the version it migrates from."""
    errors = []
    for old, new in zip(specs, specs[1:], strict=False):
        smap = state_map(new)
        lines = dict(smap.lines)
        for path, _ in smap.states:
            if old.state(path) is None:
                errors.append(DefinitionError(msg("{path!r} is not a state of {key}",
                                                  path=path, key=old.key), file=new.source_file,
                                              line=lines.get(path), key=f"migrations.states.{path}"))
    return errors


def _map_path(path: str, new: WorkflowSpec, smap: StateMap) -> str | None:
    target = smap.get(path)
    if target is not None:
        return target
    parts = path.split(".")
    for i in range(len(parts) - 1, 0, -1):
        mapped = smap.get(".".join(parts[:i]))
        if mapped is not None:
            carried = ".".join([mapped, *parts[i:]])
            return carried if new.state(carried) is not None else mapped
    return path if new.state(path) is not None else None


def translate_path(path: str, specs: list[WorkflowSpec]) -> str | None:
    """Where any state ``path`` of ``specs[0]`` ends up in ``specs[-1]`` (None: nowhere)."""
    current: str | None = path
    for spec in specs[1:]:
        if current is None:
            return None
        current = _map_path(current, spec, state_map(spec))
    return current


def map_leaves(leaves: tuple[str, ...], new: WorkflowSpec, smap: StateMap) -> tuple[tuple[str, ...], str]:
    """Map a case's leaves one version step; returns (new leaves, "") or ((), reason)."""
    result: list[str] = []
    for leaf in leaves:
        target = _map_path(leaf, new, smap)
        if target is None:
            return (), f"{leaf!r} has no counterpart in {new.key} and no mapping under migrations.states"
        result += [p for p in new.initial_leaves(target) if p not in result]
    stages = sorted({p.split(".", 1)[0] for p in result})
    if len(stages) != 1:
        return (), f"its states map to different stages ({', '.join(stages)}); map the stage as a whole"
    stage = new.state(stages[0])
    if stage is not None and stage.kind == "parallel":
        complete: list[str] = []
        for region in stage.children:
            inside = [p for p in result if p.startswith(region.path + ".")]
            if len(inside) > 1:
                return (), f"{' and '.join(inside)} would both be active in region {region.path!r}"
            complete += inside or list(new.initial_leaves(region.path))
        result = complete
    return tuple(result), ""


@dataclass(frozen=True)
class CasePlan:
    """Where one case would land; ``case_version`` is the optimistic-lock value the plan saw."""

    case_id: int
    municipality: str
    workflow: str
    from_version: int
    to_version: int
    from_state: str
    to_state: str
    from_status: str
    to_status: str
    case_version: int
    outcome: Outcome
    reason: str = ""
    keeps_stage_clock: bool = True
    exited: tuple[str, ...] = ()
    entered: tuple[str, ...] = ()
    reminders_cancelled: tuple[str, ...] = ()
    reminders_planned: tuple[str, ...] = ()
    documents_stale: tuple[str, ...] = ()
    documents_rendered: tuple[str, ...] = field(default=())

    @property
    def changes(self) -> bool:
        return self.outcome in (Outcome.MOVE, Outcome.RELABEL)


def _ids(spec: WorkflowSpec, paths: tuple[str, ...], what: str) -> tuple[str, ...]:
    found = []
    for path in paths:
        state = spec.state(path)
        if state is not None:
            found += [f"{path}:{item.id}" for item in getattr(state, what)]
    return tuple(found)


def plan_case(case: Case, municipality: str, specs: list[WorkflowSpec]) -> CasePlan:
    """Plan ``case`` along ``specs`` (its own version first, the target last)."""
    assert case.id is not None
    old, new = specs[0], specs[-1]
    base: dict[str, Any] = dict(
        case_id=case.id, municipality=municipality, workflow=case.workflow, from_version=case.workflow_version,
        to_version=new.version, from_state=case.state, to_state=case.state, from_status=case.status.value,
        to_status=case.status.value, case_version=case.version)
    if case.workflow_version >= new.version:
        outcome = Outcome.CURRENT if case.workflow_version == new.version else Outcome.NEWER
        return CasePlan(**base, outcome=outcome)
    leaves, stage = case.leaves, case.stage
    for spec in specs[1:]:
        smap = state_map(spec)
        leaves, reason = map_leaves(leaves, spec, smap)
        if reason:
            return CasePlan(**base, outcome=Outcome.BLOCKED, reason=reason)
        stage = (_map_path(stage, spec, smap) or "").split(".", 1)[0]
    to_state = ",".join(leaves)
    target = new.state(new.stage_of(leaves))
    status = case.status
    if status is not CaseStatus.PAUSED:
        status = CaseStatus.COMPLETED if target is not None and target.final else CaseStatus.ACTIVE
    exited, entered = entered_and_exited(case.leaves, leaves, False)
    return CasePlan(**{**base, "to_state": to_state, "to_status": status.value},
                    outcome=Outcome.MOVE if to_state != case.state else Outcome.RELABEL,
                    keeps_stage_clock=stage == new.stage_of(leaves), exited=tuple(exited), entered=tuple(entered),
                    reminders_cancelled=_ids(old, tuple(exited), "reminders"),
                    reminders_planned=_ids(new, tuple(entered), "reminders"),
                    documents_stale=_ids(old, tuple(exited), "documents"),
                    documents_rendered=_ids(new, tuple(entered), "documents"))
