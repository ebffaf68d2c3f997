"""Coordinator commands: open, advance, status, why, history."""

from __future__ import annotations

from typing import Any

import click

from journey.cli._common import actor_option, echo_json, echo_table, get_app, json_option, short_time


@click.command("open")
@click.argument("municipality")
@click.option("--workflow", metavar="NAME", help="Workflow or variant to follow (default: the municipality's).")
@actor_option
def open_(municipality: str, workflow: str | None, actor: str | None) -> None:
    """Open MUNICIPALITY's case in the first stage of its workflow.

    \b
    Example:
        journey open Härjedalen --as anna
    """
    from journey.services.cases.lifecycle import open_case

    app = get_app()
    case = open_case(app.deps, actor, municipality, workflow)
    click.echo(f"Opened case for {municipality} on {case.workflow}@{case.workflow_version}, state {case.state}")


@click.command()
@click.argument("municipality")
@click.argument("trigger")
@click.option("-e", "--evidence", multiple=True, metavar="KEY=VALUE",
              help="Evidence for the step, repeatable: organ=KS meeting_date=2022-09-01 paragraph=45 "
                   "diarienummer='KS 2022/123'. Prefix with the kind (board_decision.organ=KS) when ambiguous.")
@click.option("--comment", default="", help="Free-text comment stored in the history.")
@click.option("--dry-run", is_flag=True, help="Check the step and its evidence, show where it leads, save nothing.")
@actor_option
def advance(municipality: str, trigger: str, evidence: tuple[str, ...], comment: str, dry_run: bool,
            actor: str | None) -> None:
    """Move MUNICIPALITY's case on by TRIGGER, recording evidence; `journey why` shows what is needed.

    \b
    Example:
        journey advance Hudiksvall adopt_policy --as anna \\
            -e organ=KS -e meeting_date=2022-09-01 -e paragraph=112 \\
            -e diarienummer="KS 2022/245" -e title="Riktlinje för sociala företag" -e document_type=riktlinje
    """
    from journey.services.cases.lifecycle import advance_case, parse_pairs

    app = get_app()
    result = advance_case(app.deps, actor, municipality, trigger, parse_pairs(evidence), comment, dry_run)
    if result.dry_run:
        click.echo(f"{result.municipality}: {result.from_state} -> {result.to_state} ({result.trigger}) would be "
                   "allowed; nothing saved (dry run)")
        return
    click.echo(f"{result.municipality}: {result.from_state} -> {result.to_state} ({result.trigger}, "
               f"history #{result.history_seq})")


@click.command()
@click.argument("municipality", required=False)
@json_option
@actor_option
def status(municipality: str | None, as_json: bool, actor: str | None) -> None:
    """Show where MUNICIPALITY's case stands, or every case you may read.

    \b
    Example:
        journey status Umeå
        journey status --json
    """
    from journey.services.cases.views import status as status_view

    app = get_app()
    rows = status_view(app.read_model(), lambda: app.workflows, actor, app.clock.now(), municipality)
    if as_json:
        echo_json(rows[0] if municipality else rows)
        return
    if municipality:
        _print_case(rows[0])
        return
    echo_table(["Municipality", "Stage", "Status", "Days", "Last change", "Next"],
               [[r["municipality"], r["state_summary"], r["status"], r["days_in_stage"],
                 short_time((r["last_change"] or {}).get("at")), ", ".join(r["next_triggers"])] for r in rows])


def _print_case(row: dict[str, Any]) -> None:
    last = row["last_change"] or {}
    lines = [
        ("Municipality", f"{row['municipality']} ({row['code']})"),
        ("Workflow", row["workflow"]),
        ("Stage", row["state_title"] + (f"  [handbook stage {row['handbook_stage']}]" if row["handbook_stage"] else "")),
        ("State", row["state"]),
        ("Status", row["status"]),
        ("In stage since", f"{short_time(row['stage_entered_at'])} ({row['days_in_stage']} days)"),
        ("Last change", f"{short_time(last.get('at'))} {last.get('trigger') or last.get('kind', '')} by "
                        f"{last.get('actor', '')}" if last else "none"),
        ("Next steps", ", ".join(row["next_triggers"]) or "none (journey complete)"),
    ]
    width = max(len(k) for k, _ in lines)
    for key, value in lines:
        click.echo(f"{key.ljust(width)}  {value}")


@click.command()
@click.argument("municipality")
@json_option
@actor_option
def why(municipality: str, as_json: bool, actor: str | None) -> None:
    """Explain what each possible next step of MUNICIPALITY's case still lacks.

    \b
    Example:
        journey why Karlstad
    """
    from journey.services.cases.views import why as why_view

    app = get_app()
    data = why_view(app.read_model(), lambda: app.workflows, actor, municipality)
    if as_json:
        echo_json(data)
        return
    click.echo(f"{data['municipality']} is in: {data['state_title']} [{data['status']}]")
    if not data["steps"]:
        click.echo("No further steps: the journey is complete.")
    for step in data["steps"]:
        click.echo(f"\n  {step['trigger']}  ->  {step['dest_title']}   ({step['title']})")
        if not step["guards"]:
            click.echo("    needs nothing more")
        for guard in step["guards"]:
            if guard["evidence"]:
                click.echo(f"    evidence: {guard['description']}")
            elif guard["lacking"]:
                click.echo(f"    blocked:  {guard['description']}")
                for item in guard["lacking"]:
                    click.echo(f"      - {item}")
            else:
                click.echo(f"    ok:       {guard['description']}")
        if step["ready"]:
            click.echo(f"    try:      {step['command']}")


def _text(value: Any) -> str:
    return ", ".join(map(str, value)) if isinstance(value, list) else str(value)


@click.command()
@click.argument("municipality")
@json_option
@actor_option
def history(municipality: str, as_json: bool, actor: str | None) -> None:
    """Show the full audit history of MUNICIPALITY's case, oldest first.

    \b
    Example:
        journey history Malmö --json
    """
    from journey.services.cases.views import history as history_view

    app = get_app()
    data = history_view(app.read_model(), actor, municipality)
    if as_json:
        echo_json(data)
        return
    rows = []
    for e in data["entries"]:
        ev = "; ".join(f"{k}: " + ", ".join(f"{f}={_text(v)}" for f, v in fields.items())
                       for k, fields in e["evidence"].items())
        rows.append([e["seq"], short_time(e["at"]), e["actor"], e["trigger"] or e["kind"].lower(),
                     f"{e['from_state'] or '-'} -> {e['to_state']}", ev, e["comment"]])
    echo_table(["#", "When", "Actor", "Step", "Change", "Evidence", "Comment"], rows,
               title=f"{data['municipality']} ({data['workflow']})")
