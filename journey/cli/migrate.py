"""``journey migrate``: move running cases to another workflow version, list runs, roll back."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

import click

from journey.cli._common import actor_option, echo, echo_json, echo_table, get_app, json_option, short_time
from journey.cli._i18n import _

REFUSED, CONFLICT = 3, 5  # see journey.domain.errors.ExitCode


def _notes(p: Any) -> str:
    if p.reason:
        return str(p.reason)
    parts = []
    if p.reminders_cancelled or p.reminders_planned:
        parts.append("reminders: " + ", ".join([f"-{r}" for r in p.reminders_cancelled] +
                                               [f"+{r}" for r in p.reminders_planned]))
    if p.documents_stale or p.documents_rendered:
        parts.append("documents: " + ", ".join([f"stale {d}" for d in p.documents_stale] +
                                               [f"new {d}" for d in p.documents_rendered]))
    if p.from_status != p.to_status:
        parts.append(f"status {p.from_status} -> {p.to_status}")
    if not p.keeps_stage_clock:
        parts.append(_("stage clock restarts"))
    return "; ".join(parts)


def _print_plan(plan: Any, dry_run: bool) -> None:
    from journey.services.case_migrations import Outcome

    counts = ", ".join(f"{plan.count(o)} {o.value}" for o in Outcome if plan.count(o))
    head = _("Dry run: nothing changed.") if dry_run else _("Plan:")
    echo(_("{head} {count} case(s) of {workflows} to version {to_version}{value}").format(
        head=head, count=len(plan.cases), workflows=', '.join(plan.workflows), to_version=plan.to_version,
        value=': ' + counts if counts else ''))
    echo_table([_("Municipality"), _("Version"), _("From state"), _("To state"), _("Outcome"), _("Notes")],
               [[p.municipality, f"{p.from_version} -> {p.to_version}", p.from_state, p.to_state, p.outcome.value,
                 _notes(p)] for p in plan.cases])
    for name, count in plan.skipped.items():
        echo(_("{name}: {count} case(s) left as they are ({name} has no version {to_version})").format(
            name=name, count=count, to_version=plan.to_version))


@click.group(invoke_without_command=True)
@click.option("--to", "to_version", type=int, metavar="VERSION", help="Target workflow version.")
@click.option("--workflow", metavar="NAME", help="Only cases of this workflow (default: every workflow that has "
              "VERSION).")
@click.option("--municipality", "municipalities", multiple=True, metavar="NAME",
              help="Only this municipality's case (repeatable).")
@click.option("--dry-run", is_flag=True, help="Show where each case would land; change nothing.")
@json_option
@actor_option
@click.pass_context
def migrate(ctx: click.Context, to_version: int | None, workflow: str | None, municipalities: tuple[str, ...],
            dry_run: bool, as_json: bool, actor: str | None) -> None:
    """Move running cases to VERSION of their workflow, one transaction per case.

    The new workflow file maps renamed and removed states (migrations: states:). A case
    whose state has no mapping is listed as blocked and left alone; a case changed since
    the plan is refused, not overwritten. Reminders and documents follow the new states.
    Applying needs the admin role; exit code 3 when some case was not migrated.

    \b
    Example:
        journey migrate --to 2 --dry-run
        journey migrate --to 2 --as admin
        journey migrate --to 2 --municipality Laxå --municipality Tierp --as admin
        journey migrate runs
        journey migrate rollback --as admin
    """
    if ctx.invoked_subcommand is not None:
        if to_version is not None or dry_run or municipalities or workflow:
            raise click.UsageError(_("--to, --workflow, --municipality and --dry-run go without a subcommand"))
        return
    if to_version is None:
        raise click.UsageError(_("give --to VERSION, or a subcommand (runs, rollback)"))
    from journey.services.case_migrations import apply_migration, plan_migration

    app = get_app()
    plan = plan_migration(app.deps, actor, to_version, workflow, municipalities)
    if dry_run:
        if as_json:
            echo_json({"dry_run": True, "to_version": plan.to_version, "workflows": plan.workflows,
                       "cases": [asdict(p) for p in plan.cases], "skipped": plan.skipped})
        else:
            _print_plan(plan, True)
        return
    result = apply_migration(app.deps, actor, plan)
    if as_json:
        echo_json({"dry_run": False, "run": result.run_id, "to_version": plan.to_version,
                   "workflows": plan.workflows, "cases": [asdict(p) for p in plan.cases], "skipped": plan.skipped,
                   "migrated": [p.municipality for p in result.migrated],
                   "not_migrated": [{"municipality": m, "reason": r} for m, r in result.refused]})
    else:
        _print_plan(plan, False)
        if result.run_id is None:
            echo(_("Nothing to migrate: every case in scope is already on that version or blocked."))
        else:
            echo(_("Migration run {run_id}: {count} case(s) migrated (undo with `journey migrate rollback "
                   "{run_id}`).").format(run_id=result.run_id, count=len(result.migrated)))
    for name, reason in result.refused:
        echo(_("not migrated: {name}: {reason}").format(name=name, reason=reason), err=True)
    if result.refused:
        raise click.exceptions.Exit(REFUSED)


@migrate.command("runs")
@json_option
@actor_option
def runs(as_json: bool, actor: str | None) -> None:
    """List migration runs, newest last.

    \b
    Example:
        journey migrate runs --json
    """
    from journey.services.case_migrations import list_runs

    rows = list_runs(get_app().deps, actor)
    if as_json:
        echo_json(rows)
        return
    echo_table([_("Run"), _("Workflows"), _("To"), _("Status"), _("By"), _("Started"), _("Migrated"),
                _("Not migrated"), _("Rolled back")],
               [[r["id"], r["workflows"], r["to_version"], r["status"], r["actor"],
                 short_time(r["started_at"].isoformat()), r["migrated"], r["not_migrated"],
                 short_time(r["rolled_back_at"].isoformat()) if r["rolled_back_at"] else ""] for r in rows])


@migrate.command("rollback")
@click.argument("run", type=int, required=False)
@json_option
@actor_option
def rollback(run: int | None, as_json: bool, actor: str | None) -> None:
    """Put the cases migration RUN moved (default: the latest run) back on their previous version.

    A case that changed after the migration is left as it is and reported (exit code 5);
    run the command again after dealing with it. Needs the admin role.

    \b
    Example:
        journey migrate rollback --as admin
        journey migrate rollback 3 --as admin
    """
    from journey.services.case_migrations import rollback_run

    result = rollback_run(get_app().deps, actor, run)
    if as_json:
        echo_json({"run": result.run_id, "restored": result.restored, "complete": result.complete,
                   "not_restored": [{"municipality": m, "reason": r} for m, r in result.refused]})
    else:
        rest = "." if result.complete else _(", {count} left as they are.").format(count=len(result.refused))
        echo(_("Rolled back migration run {run_id}: {count} case(s) restored{rest}").format(
            run_id=result.run_id, count=len(result.restored), rest=rest))
    for name, reason in result.refused:
        echo(_("not restored: {name}: {reason}").format(name=name, reason=reason), err=True)
    if result.refused:
        raise click.exceptions.Exit(CONFLICT)
