"""Matters (ärenden): `journey matters list|show|register` and `journey decide`."""

from __future__ import annotations

from typing import Any

import click

from journey.cli._common import actor_option, echo_json, echo_table, get_app, json_option, short_time
from journey.cli._i18n import _, translate_message


@click.group()
def matters() -> None:
    """Matters (ärenden) that need political decisions: their facts, chain of bodies and decisions.

    A state that needs a decision opens its matter when the case enters it; register its
    diarienummer, then record each body's decision with `journey decide`.
    """


@matters.command("list")
@click.argument("municipality")
@json_option
@actor_option
def list_(municipality: str, as_json: bool, actor: str | None) -> None:
    """List MUNICIPALITY's matters, oldest first, with status and the body each awaits.

    \b
    Example:
        journey matters list Umeå
    """
    from journey.services.matters.views import list_matters

    app = get_app()
    data = list_matters(app.read_model(), app.matter_reads(), lambda: app.workflows, actor, app.clock.now(),
                        municipality)
    if as_json:
        echo_json(data)
        return
    echo_table(["#", _("Ärende"), _("Dnr"), _("Status"), _("Chain"), _("Next"), _("Target meeting")],
               [[m["number"], m["title"], m["diarienummer"], m["status_text"], _chain(m), m["next_body"] or "",
                 m["target_meeting"] or ""] for m in data["matters"]],
               title=_("{municipality}: {count} matter(s)").format(
                   municipality=data['municipality'], count=len(data['matters'])))


def _chain(m: dict[str, Any]) -> str:
    return " → ".join(b["code"] + (" ✓" if b["passed"] else " ●" if b["next"] else "") for b in m["chain"])


@matters.command()
@click.argument("municipality")
@click.argument("number", type=int, required=False)
@json_option
@actor_option
def show(municipality: str, number: int | None, as_json: bool, actor: str | None) -> None:
    """Show one matter of MUNICIPALITY (NUMBER from `matters list`; default: the open one).

    Facts, the chain of bodies with each decision, the target meeting, and the state's
    documents with the revision that carries the matter's current facts.

    \b
    Example:
        journey matters show Umeå
        journey matters show Umeå 1 --json
    """
    from journey.services.matters.views import show_matter

    app = get_app()
    data = show_matter(app.read_model(), app.matter_reads(), lambda: app.workflows, actor, app.clock.now(),
                       municipality, number)
    if as_json:
        echo_json(data)
        return
    m = data["matter"]
    target = (m["target_meeting"] or _("no meeting in the calendar")) + (_(" (set by hand)") if m["target_set_by_hand"]
                                                                          else "")
    lines = [(_("Ärende"), f"{m['number']}. {m['title']}"), (_("State"), f"{m['state_title']} ({m['state']})"),
             (_("Status"), m["status_text"]), (_("Diarienummer"), m["diarienummer"] or _("(not registered yet)")),
             (_("Handläggare"), m["handlaggare"] or _("(not set)")), (_("Förvaltning"), m["forvaltning"] or _("(not set)")),
             (_("Chain"), " → ".join(b["name"] for b in m["chain"]))]
    if m["next_body"]:
        lines += [(_("Awaits"), m["next_body_name"]), (_("Target meeting"), target)]
    for kind, fields in m["proposal"].items():
        lines.append((_("Proposal {kind}").format(kind=kind), ", ".join(f"{k}={v}" for k, v in fields.items())))
    width = max(len(k) for k, _ in lines)
    click.echo(f"{data['municipality']}")
    for key, value in lines:
        click.echo(f"  {key.ljust(width)}  {value}")
    click.echo(_("  Decisions:") if m["decisions"] else _("  Decisions: none yet"))
    for d in m["decisions"]:
        paragraph = f" § {d['paragraph']}" if d["paragraph"] else ""
        click.echo(_("    {meeting_date}  {body_name}{paragraph}: {outcome}  (history #{history_seq}, {actor})").format(
            meeting_date=d['meeting_date'], body_name=d['body_name'], paragraph=paragraph, outcome=d['outcome'],
            history_seq=d['history_seq'], actor=d['actor']))
    click.echo(_("  Documents:") if m["documents"] else _("  Documents: none for this state"))
    for doc in m["documents"]:
        click.echo(f"    {doc['title'] or doc['doc_id']} v{doc['revision']} ({', '.join(doc['formats'])}) "
                   f"{short_time(doc['created_at'])}: {translate_message(doc['note'])}")


@matters.command()
@click.argument("municipality")
@click.option("--diarienummer", metavar="DNR", help="The matter's diarienummer, e.g. 'KS 2022/312'.")
@click.option("--handlaggare", metavar="NAME", help="Handläggare: the official who prepares the matter.")
@click.option("--forvaltning", metavar="NAME", help="Förvaltning or unit that prepares it.")
@click.option("--title", metavar="TEXT", help="The matter's title (ärendemening).")
@click.option("--chain", metavar="BODIES", help="Deciding bodies in order, e.g. AMN,KS,KF (registered boards; "
              "KS and KF always exist).")
@click.option("--target", metavar="YYYY-MM-DD", help="The meeting the awaited body is to take it up at "
              "(default: its next meeting in the calendar).")
@click.option("-e", "--evidence", multiple=True, metavar="KEY=VALUE",
              help="The proposal the bodies decide on, e.g. board=AMN officials_function=Näringslivskontoret.")
@actor_option
def register(municipality: str, diarienummer: str | None, handlaggare: str | None, forvaltning: str | None,
             title: str | None, chain: str | None, target: str | None, evidence: tuple[str, ...],
             actor: str | None) -> None:
    """Set the facts of MUNICIPALITY's open matter; its documents are rendered again.

    Opens the current state's matter first when the workflow leaves opening it to you
    (optional: a political intent that needs a decision of its own).

    \b
    Example:
        journey matters register Umeå --diarienummer 'KS 2022/312' --handlaggare 'Anna Berg' \\
            --forvaltning Kommunledningskontoret
        journey matters register Umeå --chain AMN,KS,KF -e title='Riktlinje för sociala företag'
    """
    from journey.services.cases.lifecycle import parse_pairs
    from journey.services.matters.registration import Facts, register_matter

    app = get_app()
    facts = Facts(title, diarienummer, handlaggare, forvaltning, chain, target, parse_pairs(evidence))
    result = register_matter(app.deps, actor, municipality, facts, _zone(app))
    what = ", ".join(f"{k} {_value(v)}" for k, v in result.changes.items()) or _("opened")
    click.echo(_("{municipality}: matter {matter!r}: {what}").format(
        municipality=result.municipality, matter=result.matter, what=what))
    if result.documents:
        click.echo(_("{documents} document file(s) rendered again as new revisions (journey matters show "
                     "{municipality})").format(documents=result.documents, municipality=result.municipality))


def _value(value: Any) -> str:
    if isinstance(value, dict):
        return "; ".join(f"{k} " + ", ".join(f"{f}={v}" for f, v in fields.items()) for k, fields in value.items())
    if isinstance(value, list | tuple):
        return " → ".join(map(str, value))
    return repr(value)


def _zone(app: Any) -> Any:
    from zoneinfo import ZoneInfo

    return ZoneInfo(app.settings.timezone)


@click.command()
@click.argument("municipality")
@click.option("--board", required=True, metavar="CODE", help="The deciding body (KS, KF, or a board in the calendar).")
@click.option("--outcome", required=True, metavar="OUTCOME",
              help="bifall, avslag, återremiss or bordläggning (also without å/ä: aterremiss, bordlaggning).")
@click.option("--meeting", required=True, metavar="YYYY-MM-DD", help="The sammanträde's date (not after today).")
@click.option("--paragraph", metavar="N", help="The protokollsparagraf (§); required for the final bifall.")
@click.option("-e", "--evidence", multiple=True, metavar="KEY=VALUE",
              help="With the final bifall: evidence the decided step needs besides the decision.")
@click.option("--comment", default="", help="Free-text comment stored in the history.")
@actor_option
def decide(municipality: str, board: str, outcome: str, meeting: str, paragraph: str | None, evidence: tuple[str, ...],
           comment: str, actor: str | None) -> None:
    """Record a body's decision on MUNICIPALITY's open matter; the workflow says what follows.

    återremiss and bordläggning keep the matter with the same body for a later meeting; bifall
    hands it to the next body; bifall by the last body takes the step the matter decides; avslag
    takes the step the workflow names for it (e.g. back to drafting).

    \b
    Example:
        journey decide Umeå --board KS --outcome återremiss --meeting 2022-04-12 --paragraph 61
        journey decide Umeå --board KF --outcome bifall --meeting 2022-06-13 --paragraph 88
    """
    from journey.services.cases.lifecycle import parse_pairs
    from journey.services.matters.decisions import decide as record

    app = get_app()
    result = record(app.deps, actor, municipality, board, outcome, meeting, paragraph, parse_pairs(evidence), comment,
                    _zone(app))
    click.echo(_("{municipality}: {value} by {body} on {matter!r} (history #{history_seq})").format(
        municipality=result.municipality, value=result.outcome.value, body=result.body, matter=result.matter,
        history_seq=result.history_seq))
    if result.advanced is not None:
        step = result.advanced
        click.echo(f"{result.municipality}: {step.from_title or step.from_state} -> {step.to_title or step.to_state} "
                   f"({step.trigger})")
    if result.open_matter and result.next_body:
        target = result.target_meeting.isoformat() if result.target_meeting else _("no meeting in the calendar")
        click.echo(_("Open matter {open_matter!r} awaits {next_body} (target meeting: {target})").format(
            open_matter=result.open_matter, next_body=result.next_body, target=target))
    if result.hint:
        click.echo(translate_message(result.hint))
