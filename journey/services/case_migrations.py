"""Move running cases to a newer workflow version: a dry-run plan, apply, and rollback.

Each case migrates in its own transaction with a MIGRATED history entry, guarded by the
case's optimistic lock: a case changed since the plan is reported, never overwritten. Every
applied run is recorded (``migration_run``/``case_migration``) so it can be rolled back.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from journey.domain import limits
from journey.domain.access import Role, require_role
from journey.domain.case import Case, CaseStatus, HistoryEntry, HistoryKind, entered_and_exited
from journey.domain.case_migration import CasePlan, chain, check_chain, plan_case
from journey.domain.case_migration import Outcome as Outcome  # also the CLI's vocabulary
from journey.domain.errors import (
    ConcurrentChangeError,
    DefinitionErrors,
    NotFoundError,
    RefusedError,
)
from journey.domain.events import CaseMigrated, Event, StateEntered, StateExited
from journey.domain.limits import check_length
from journey.domain.messages import msg
from journey.domain.municipality import swedish_sort_key
from journey.domain.spec import WorkflowSpec, parse_state
from journey.ports.case_migrations import CaseMigrationRepository
from journey.ports.unit_of_work import UnitOfWork
from journey.services.cases.lifecycle import actor_in, find_municipality
from journey.services.deps import Deps

TRIGGER = "migrate"  # the ``trigger`` of the StateExited/StateEntered events a migration publishes


@dataclass
class MigrationPlan:
    to_version: int
    workflows: list[str]
    cases: list[CasePlan]
    skipped: dict[str, int] = field(default_factory=dict)  # workflow without the target version -> cases

    def count(self, outcome: Outcome) -> int:
        return sum(1 for c in self.cases if c.outcome is outcome)


@dataclass
class MigrationResult:
    run_id: int | None
    plan: MigrationPlan
    migrated: list[CasePlan] = field(default_factory=list)
    refused: list[tuple[str, str]] = field(default_factory=list)  # (municipality, reason)


def _repo(uow: UnitOfWork) -> CaseMigrationRepository:
    return uow.case_migrations


def _target_workflows(deps: Deps, to_version: int, workflow: str | None) -> list[str]:
    registry = deps.workflows()
    if workflow:
        registry.get(workflow, to_version)  # NotFoundError names the known versions
        return [workflow]
    names = [n for n in registry.names() if to_version in registry.versions(n)]
    if not names:
        known = ", ".join(f"{n}@{v}" for n in registry.names() for v in registry.versions(n))
        raise NotFoundError(msg("no workflow has version {to_version} (known: {value})",
            to_version=to_version, value=known or 'none'))
    return names


def plan_migration(deps: Deps, username: str | None, to_version: int, workflow: str | None = None,
                   municipalities: tuple[str, ...] = ()) -> MigrationPlan:
    """Where every case in scope would land on ``to_version``; changes nothing."""
    names = _target_workflows(deps, to_version, workflow)
    registry = deps.workflows()
    with deps.uow() as uow:
        require_role(actor_in(uow, username), {Role.SKR, Role.ADMIN}, "plan a workflow migration")
        wanted = {find_municipality(uow, q).id for q in municipalities}
        labels = {m.id: m.name for m in uow.municipalities.list()}
        cases = [c for c in uow.cases.all() if not wanted or c.municipality_id in wanted]
    missing = sorted(labels[mid] for mid in wanted - {c.municipality_id for c in cases})
    if missing:
        raise NotFoundError(msg("{value} has no case yet: nothing to migrate", value=missing[0]))
    chains: dict[tuple[str, int], list[WorkflowSpec] | str] = {}
    plans, skipped = [], Counter[str]()
    for case in cases:
        if case.workflow not in names:
            if not workflow:
                skipped[case.workflow] += 1
            continue
        key = (case.workflow, case.workflow_version)
        if key not in chains:
            chains[key] = _chain(registry.get, case.workflow, case.workflow_version, to_version)
        specs = chains[key]
        name = labels.get(case.municipality_id, str(case.municipality_id))
        if isinstance(specs, str):
            plans.append(CasePlan(**_plan_fields(case, name, to_version), outcome=Outcome.BLOCKED, reason=specs))
        else:
            plans.append(plan_case(case, name, specs))
    plans.sort(key=lambda p: swedish_sort_key(p.municipality))
    return MigrationPlan(to_version, names, plans, dict(skipped))


def _chain(get: Any, name: str, from_version: int, to_version: int) -> list[WorkflowSpec] | str:
    if from_version >= to_version:
        return [get(name, to_version)]
    try:
        specs = chain(lambda v: get(name, v), from_version, to_version)
    except NotFoundError as exc:
        return str(exc)
    errors = check_chain(specs)
    if errors:
        raise DefinitionErrors(errors)
    return specs


def _plan_fields(case: Case, name: str, to_version: int) -> dict[str, Any]:
    return dict(case_id=case.id, municipality=name, workflow=case.workflow, from_version=case.workflow_version,
                to_version=to_version, from_state=case.state, to_state=case.state, from_status=case.status.value,
                to_status=case.status.value, case_version=case.version)


def apply_migration(deps: Deps, username: str | None, plan: MigrationPlan) -> MigrationResult:
    """Migrate every case the plan moves, one transaction each; record the run for rollback."""
    result = MigrationResult(None, plan)
    todo = [p for p in plan.cases if p.changes]
    blocked = [(p.municipality, p.reason) for p in plan.cases if p.outcome is Outcome.BLOCKED]
    check_length(",".join(plan.workflows), limits.MIGRATION_WORKFLOWS, "the run's workflow names (use --workflow)")
    with deps.uow() as uow:
        actor = actor_in(uow, username)
        require_role(actor, {Role.ADMIN}, "migrate cases to another workflow version")
        if not todo:
            result.refused = blocked
            return result
        result.run_id = _repo(uow).start_run(plan.workflows, plan.to_version, actor.username, deps.clock.now())
        uow.commit()
    for item in todo:
        try:
            _apply_case(deps, actor.username, result.run_id, item)
            result.migrated.append(item)
        except (ConcurrentChangeError, RefusedError) as exc:
            result.refused.append((item.municipality, str(exc)))
    result.refused += blocked
    with deps.uow() as uow:
        _repo(uow).finish_run(result.run_id, deps.clock.now(), len(result.migrated), len(result.refused))
        uow.commit()
    return result


def _events(case_id: int, at: Any, old: str, new: str) -> list[Event]:
    exited, entered = entered_and_exited(parse_state(old), parse_state(new), False)
    return [StateExited(case_id, at, p, TRIGGER) for p in exited] + [StateEntered(case_id, at, p, TRIGGER) for p in entered]


def _apply_case(deps: Deps, actor: str, run_id: int, item: CasePlan) -> None:
    with deps.uow() as uow:
        case = uow.cases.get(item.case_id)
        if (case.version, case.workflow_version, case.state) != (item.case_version, item.from_version, item.from_state):
            raise ConcurrentChangeError(msg("changed since the plan (now {state} on version "
                                            "{workflow_version}); left as it is, plan again",
                state=case.state, workflow_version=case.workflow_version))
        now, before = deps.clock.now(), case.stage_entered_at
        case.workflow_version, case.state, case.status = item.to_version, item.to_state, CaseStatus(item.to_status)
        case.stage_entered_at = before if item.keeps_stage_clock else now
        case.updated_at = now
        uow.cases.save(case)  # UPDATE ... WHERE version = <loaded>: a concurrent change raises
        _repo(uow).record_case(run_id, dict(
            case_id=case.id, workflow=case.workflow, from_version=item.from_version, to_version=item.to_version,
            from_state=item.from_state, to_state=item.to_state, from_status=item.from_status, to_status=item.to_status,
            from_stage_entered_at=before, case_version=case.version, migrated_at=now))
        info = {"run": run_id, "workflow": case.workflow, "from_version": item.from_version,
                "to_version": item.to_version}
        uow.cases.append_history(HistoryEntry(item.case_id, HistoryKind.MIGRATED, item.from_state, item.to_state, None,
                                              actor, now, {"migration": info},
                                              f"flyttat från {case.workflow}@{item.from_version} till "
                                              f"@{item.to_version} (migreringskörning {run_id})"))
        events = _events(item.case_id, now, item.from_state, item.to_state)
        events.append(CaseMigrated(item.case_id, now, case.workflow, item.from_version, item.to_version,
                                   item.from_state, item.to_state, run_id, actor))
        deps.publish(events, uow)
        uow.commit()


@dataclass
class RollbackResult:
    run_id: int
    restored: list[str] = field(default_factory=list)
    refused: list[tuple[str, str]] = field(default_factory=list)
    complete: bool = False


def list_runs(deps: Deps, username: str | None) -> list[dict[str, Any]]:
    with deps.uow() as uow:
        require_role(actor_in(uow, username), {Role.SKR, Role.ADMIN}, "list migration runs")
        return _repo(uow).runs()


def rollback_run(deps: Deps, username: str | None, run_id: int | None = None) -> RollbackResult:
    """Put the cases a run moved back on their previous version and state, unless they moved on since."""
    with deps.uow() as uow:
        actor = actor_in(uow, username)
        require_role(actor, {Role.ADMIN}, "roll back a workflow migration")
        repo = _repo(uow)
        runs = repo.runs()
        if not runs:
            raise NotFoundError(msg("no migration run to roll back"))
        run = runs[-1] if run_id is None else repo.run(run_id)
        if run is None:
            raise NotFoundError(msg("no migration run {run_id} (known: {value})",
                run_id=run_id, value=', '.join(str(r['id']) for r in runs)))
        if run["status"] == "ROLLED_BACK":
            raise RefusedError(msg("migration run {run_id} was already rolled back at {at}{hint}", run_id=run["id"],
                                   at=f"{run['rolled_back_at']:%Y-%m-%d %H:%M}",
                                   hint=msg("; name an earlier run to roll that back") if run_id is None else ""))
        rows = [r for r in repo.cases(run["id"]) if r["rolled_back_at"] is None]
        labels = {c.id: m.name for m in uow.municipalities.list() if (c := uow.cases.for_municipality(m.id or 0))}
    result = RollbackResult(run["id"])
    for row in rows:
        name = labels.get(row["case_id"], str(row["case_id"]))
        try:
            _rollback_case(deps, actor.username, row)
            result.restored.append(name)
        except (ConcurrentChangeError, RefusedError) as exc:
            result.refused.append((name, str(exc)))
    if not result.refused:
        with deps.uow() as uow:
            _repo(uow).mark_rolled_back(run["id"], deps.clock.now(), actor.username)
            uow.commit()
        result.complete = True
    return result


def _rollback_case(deps: Deps, actor: str, row: dict[str, Any]) -> None:
    with deps.uow() as uow:
        case = uow.cases.get(row["case_id"])
        if (case.version, case.workflow_version, case.state) != (row["case_version"], row["to_version"], row["to_state"]):
            raise ConcurrentChangeError(msg("changed since the migration (now {state} on version "
                                            "{workflow_version}); left as it is",
                state=case.state, workflow_version=case.workflow_version))
        now, run_id = deps.clock.now(), row["run_id"]
        case.workflow_version, case.state = row["from_version"], row["from_state"]
        case.status, case.stage_entered_at = CaseStatus(row["from_status"]), row["from_stage_entered_at"]
        case.updated_at = now
        uow.cases.save(case)
        _repo(uow).case_rolled_back(run_id, case.id or 0, now)
        info = {"run": run_id, "rollback": True, "workflow": case.workflow, "from_version": row["to_version"],
                "to_version": row["from_version"]}
        uow.cases.append_history(HistoryEntry(row["case_id"], HistoryKind.MIGRATED, row["to_state"], row["from_state"],
                                              None, actor, now, {"migration": info},
                                              f"migreringskörning {run_id} återställd: tillbaka till "
                                              f"{case.workflow}@{row['from_version']}"))
        events = _events(row["case_id"], now, row["to_state"], row["from_state"])
        events.append(CaseMigrated(row["case_id"], now, case.workflow, row["to_version"], row["from_version"],
                                   row["to_state"], row["from_state"], run_id, actor, rollback=True))
        deps.publish(events, uow)
        uow.commit()
