"""Coordinator commands: open, advance, status, why, history."""

from __future__ import annotations

from typing import Any

import click

from journey.cli._common import (
    actor_option,
    echo,
    echo_json,
    echo_table,
    get_app,
    json_option,
    print_waiting,
    short_time,
)
from journey.cli._i18n import _


@click.command("open")
@click.argument("municipality")
@click.option("--workflow", metavar="NAME", help="Workflow or variant to follow (default: the municipality's).")
@click.option("--at", "at", metavar="STAGE", help="Start at a later stage: the earlier steps were taken before journey.")
@click.option("--via", metavar="TRIGGER", help="With --at: the step that led there (default: the first into STAGE).")
@click.option("-e", "--evidence", multiple=True, metavar="KEY=VALUE",
              help="With --at: the evidence of that step (as for advance), and of earlier decisions if known.")
@click.option("--comment", default="", help="Free-text comment stored in the history.")
@actor_option
def open_(municipality: str, workflow: str | None, at: str | None, via: str | None, evidence: tuple[str, ...],
          comment: str, actor: str | None) -> None:
    """Open MUNICIPALITY's case in the first stage of its workflow, or at a later one.

    A municipality that already has decisions in place starts at a later stage with --at; the
    step that led there and its evidence are recorded as such in the history.

    \b
    Example:
        journey open Härjedalen --as anna
        journey open Umeå --at policy --via express_political_intent -e document="Mål och budget 2022" \
            -e decided_by=KF -e decided_date=2021-11-22 -e board=AMN -e officials_function=Näringslivskontoret
    """
    from journey.services.cases.lifecycle import open_case, parse_pairs

    app = get_app()
    case = open_case(app.deps, actor, municipality, workflow, at=at, via=via, raw_evidence=parse_pairs(evidence),
                     comment=comment)
    title = app.workflows.get(case.workflow, case.workflow_version).state_title(case.state)
    echo(_("Opened case for {municipality} on {workflow}@{workflow_version}, state {state}").format(
        municipality=municipality, workflow=case.workflow, workflow_version=case.workflow_version, state=title))


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
        echo(_("{municipality}: {from_state} -> {to_state} ({trigger}) would be allowed; nothing saved (dry run)").format(
            municipality=result.municipality, from_state=result.from_title, to_state=result.to_title,
            trigger=result.trigger))
        return
    echo(_("{municipality}: {from_state} -> {to_state} ({trigger}, history #{history_seq})").format(
        municipality=result.municipality, from_state=result.from_title, to_state=result.to_title, trigger=result.trigger,
        history_seq=result.history_seq))
    for step in result.automatic:
        click.echo(_("{municipality}: {from_state} -> {to_state} ({trigger}, automatic: deal {deal} is awarded, "
                     "history #{history_seq})").format(
            municipality=result.municipality, from_state=step.from_state, to_state=step.to_state, trigger=step.trigger,
            deal=step.deal, history_seq=step.history_seq))
    _print_documents(result.documents)
    print_waiting(result.waiting)


def _print_documents(documents: Any) -> None:
    """Which files the change wrote, and where: the folder once, then one file a line."""
    from pathlib import Path

    folders: dict[str, list[Any]] = {}
    for d in documents:
        folders.setdefault(str(Path(d["path"]).parent), []).append(d)
    for folder, rows in folders.items():
        echo(_("Documents written to {folder}/:").format(folder=folder))
        for d in rows:
            echo(f"  {Path(d['path']).name}  ({d['title']}, {d['format']}, v{d['revision']})")


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
    rows = status_view(app.read_model(), lambda: app.workflows, actor, app.clock.now(), municipality,
                       app.matter_reads() if municipality else None)
    if as_json:
        echo_json(rows[0] if municipality else rows)
        return
    if municipality:
        _print_case(rows[0])
        return
    echo_table([_("Municipality"), _("Stage"), _("Status"), _("Days"), _("Last change (Stockholm)"), _("Next")],
               [[r["municipality"], r["state_summary"], r["status_label"], r["days_in_stage"],
                 short_time((r["last_change"] or {}).get("at")), ", ".join(r["next_titles"])] for r in rows])


def _print_case(row: dict[str, Any]) -> None:
    last = row["last_change"] or {}
    lines = [
        (_("Municipality"), f"{row['municipality']} ({row['code']})"),
        (_("Workflow"), row["workflow"]),
        (_("Stage"), row["state_title"] + (_("  [handbook stage {stage}]").format(stage=row['handbook_stage'])
                                           if row["handbook_stage"] else "")),
        (_("Status"), row["status_label"]),
        (_("In stage since"), _("{since} ({days} days)").format(since=short_time(row['stage_entered_at']),
                                                                days=row['days_in_stage'])),
        (_("Last change"), _("{at} {what} by {actor}").format(at=short_time(last.get('at')),
                                                              what=last.get('title', ''),
                                                              actor=last.get('actor', '')) if last else _("none")),
        (_("Next steps"), _("none (withdrawn)") if row["status"] == "WITHDRAWN"
         else ", ".join(row["next_titles"]) or _("none (journey complete)")),
    ]
    matter = row.get("matter")
    if matter:
        lines.append((_("Open matter"), _matter_line(matter)))
    for c in row.get("corrections") or []:
        lines.append((_("Corrected #{entry}").format(entry=c['entry']), _correction_line(c)))
    width = max(len(k) for k, _ in lines)
    for key, value in lines:
        echo(f"{key.ljust(width)}  {value}")


def _matter_line(m: dict[str, Any]) -> str:
    where = _(", awaits {body}").format(body=m['next_body_name']) if m["next_body"] else ""
    when = _(" (target meeting {day})").format(day=m['target_meeting']) if m["target_meeting"] else ""
    dnr = m['diarienummer'] or _("no diarienummer yet")
    return f"{m['title']} [{dnr}]: {m['status_text']}{where}{when}"


def _correction_line(c: dict[str, Any]) -> str:
    changes = "; ".join(f"{x.get('field_label', x['field'])} {x['previous']!r} -> {x['value']!r}" for x in c["changes"])
    return _("{changes} by {actor} {at} (#{seq}): {reason}").format(changes=changes, actor=c['actor'],
                                                                   at=short_time(c['at']), seq=c['seq'], reason=c['reason'])


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
    data = why_view(app.read_model(), lambda: app.workflows, actor, municipality, app.matter_reads(), app.clock.now())
    if as_json:
        echo_json(data)
        return
    echo(_("{municipality} is in: {state_title} [{status}]").format(
        municipality=data['municipality'], state_title=data['state_title'], status=data['status_label']))
    if data["matter"]:
        echo(_("Open matter: {matter}").format(matter=_matter_line(data['matter'])))
    for c in data["corrections"]:
        echo(_("Corrected #{entry}: {c}").format(entry=c['entry'], c=_correction_line(c)))
    if not data["steps"]:
        echo(_("No further steps: the case was withdrawn.") if data["status"] == "WITHDRAWN"
             else _("No further steps: the journey is complete."))
    for step in data["steps"]:
        echo(f"\n  {step['title']} ({step['trigger']})  ->  {step['dest_title']}" if step['title'] != step['trigger']
             else f"\n  {step['trigger']}  ->  {step['dest_title']}")
        if step["decided_by_matter"]:
            echo(_("    decided by the matter: the last body's bifall takes this step"))
        if not step["guards"]:
            echo(_("    needs nothing more"))
        for guard in step["guards"]:
            if guard["evidence"]:
                echo(_("    evidence: {description}").format(description=guard['title']))
                for f in guard["fields"]:
                    optional = "" if f["required"] else _(", optional")
                    echo(f"      - {f['label']} ({f['name']}{optional})"
                         + (": " + ", ".join(c["label"] for c in f["choices"]) if f["choices"] else ""))
            elif guard["lacking"]:
                echo(_("    blocked:  {description}").format(description=guard['description']))
                for item in guard["lacking"]:
                    echo(f"      - {item}")
            else:
                echo(_("    ok:       {description}").format(description=guard['description']))
        if step["automatic"]:
            deals = data["awarded_deals"]
            awarded = _(" (awarded: {deals})").format(deals=", ".join(deals)) if deals else ""
            echo(_("    automatic: taken by itself when a deal is awarded and every guard passes{awarded}").format(
                awarded=awarded))
        if step["ready"]:
            echo(_("    try:      {command}").format(command=step['command']))


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
    data = history_view(app.read_model(), actor, municipality, lambda: app.workflows)
    if as_json:
        echo_json(data)
        return
    rows = []
    for e in data["entries"]:
        ev = "; ".join(f"{title}: " + ", ".join(f"{label}: {value}" for label, value in fields)
                       for title, fields in e["evidence_labels"])
        for c in e.get("corrected") or []:
            ev += f" [corrected in #{c['seq']} by {c['actor']}: {c['reason']}]"
        rows.append([e["seq"], short_time(e["at"]), e["actor"], e["trigger_title"],
                     f"{e['from_title'] or '-'} -> {e['to_title']}", ev, e["comment"]])
    echo_table(["#", _("When (Stockholm)"), _("Actor"), _("Step"), _("Change"), _("Evidence"), _("Comment")], rows,
               title=f"{data['municipality']} ({data['workflow']})")
