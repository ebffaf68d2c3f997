"""The people who report ESF time: `journey people add | list | update | review`."""

from __future__ import annotations

from typing import Any

import click

from journey.cli._common import actor_option, echo_json, echo_table, get_app, json_option
from journey.cli._i18n import _


def _person_options(f: Any) -> Any:
    for option in reversed([
        click.option("--kind", metavar="KIND", help="participant (deltagare) or staff (projektpersonal)."),
        click.option("--function", "function", help="Function or title, e.g. 'Upphandlare'."),
        click.option("--department", help="Förvaltning, e.g. 'Kommunledningsförvaltningen'."),
        click.option("--share", metavar="PERCENT", help="Project staff: share of full time (the coordinator's 20)."),
        click.option("--salary-group", metavar="GROUP", help="ESF salary group of programme area 1: 1–6, 7a, 7b, 7c."),
        click.option("--unit-cost", metavar="KR", help="A unit cost decided for this person (kr/h), instead of the "
                     "group's."),
        click.option("--start", metavar="YYYY-MM-DD", help="In the project from."),
        click.option("--end", metavar="YYYY-MM-DD", help="In the project until."),
        click.option("--user", metavar="USERNAME", help="The person's own account (attests their own months)."),
    ]):
        f = option(f)
    return f


def _values(name: str | None, kind: str | None, function: str | None, department: str | None, share: str | None,
            salary_group: str | None, unit_cost: str | None, start: str | None, end: str | None,
            user: str | None) -> dict[str, Any]:
    return {"name": name, "kind": kind, "function": function, "department": department, "share": share,
            "salary_group": salary_group, "unit_cost": unit_cost, "start": start, "end": end, "user": user}


def _line(p: dict[str, Any]) -> str:
    cost = _("unit cost {cost} kr/h").format(cost=p['unit_cost_sek']) if p["unit_cost_sek"] is not None else (
        _("salary group {group}").format(group=p['salary_group']) if p["salary_group"] else _("no salary group"))
    share = f" {p['share_percent']} %" if p["share_percent"] else ""
    return f"{p['name']} ({p['municipality']}): {p['kind_label'].lower()}{share}, {cost}"


@click.group()
def people() -> None:
    """The people whose time is reported as ESF co-financing, per municipality."""


@people.command("add")
@click.argument("municipality")
@click.option("--name", required=True, help="Full name, as on the monthly certificate.")
@_person_options
@actor_option
def people_add(municipality: str, name: str, kind: str | None, function: str | None, department: str | None,
               share: str | None, salary_group: str | None, unit_cost: str | None, start: str | None,
               end: str | None, user: str | None, actor: str | None) -> None:
    """Register a person of MUNICIPALITY who reports time (its coordinator or an admin).

    Exit code 3 when the name is already registered there.

    \b
    Example:
        journey people add Umeå --name "Anna Berg" --kind participant --function Upphandlare \\
            --department Kommunledningsförvaltningen --salary-group 5 --as anna
        journey people add Umeå --name "Sara Ek" --kind staff --share 20 --salary-group 5 --as anna
    """
    from journey.services.hours.people import add_person

    values = _values(name, kind or "participant", function, department, share, salary_group, unit_cost, start, end,
                     user)
    click.echo(_("Registered {person}").format(person=_line(add_person(get_app().deps, actor, municipality, values))))


@people.command("update")
@click.argument("municipality")
@click.argument("name")
@click.option("--rename", "new_name", help="A new name.")
@_person_options
@click.option("--reviewed", is_flag=True, help="Clear the review note the migration set.")
@actor_option
def people_update(municipality: str, name: str, new_name: str | None, kind: str | None, function: str | None,
                  department: str | None, share: str | None, salary_group: str | None, unit_cost: str | None,
                  start: str | None, end: str | None, user: str | None, reviewed: bool, actor: str | None) -> None:
    """Change details of NAME in MUNICIPALITY; an empty value ('') clears an optional field. Audited.

    \b
    Example:
        journey people update Umeå "Anna Berg" --salary-group 4 --as anna
    """
    from journey.services.hours.people import update_person

    values = _values(new_name, kind, function, department, share, salary_group, unit_cost, start, end, user)
    click.echo(_("Updated {person}").format(
        person=_line(update_person(get_app().deps, actor, municipality, name, values, reviewed))))


@people.command("list")
@click.argument("municipality", required=False)
@json_option
@actor_option
def people_list(municipality: str | None, as_json: bool, actor: str | None) -> None:
    """List the registered people of MUNICIPALITY, or of every municipality you may read.

    \b
    Example:
        journey people list Umeå
    """
    from journey.services.hours.people import list_people

    rows = list_people(get_app().deps, actor, municipality)
    if as_json:
        echo_json(rows)
        return
    echo_table([_("Municipality"), _("Name"), _("Kind"), _("Share %"), _("Function"), _("Department"), _("Group"),
                _("Unit cost"), _("From"),
                _("Until"), _("User")],
               [[p["municipality"], p["name"], p["kind_label"], p["share_percent"], p["function"], p["department"],
                 p["salary_group"], p["unit_cost_sek"], p["start"], p["end"], p["user"]] for p in rows])


@people.command("review")
@click.argument("municipality", required=False)
@json_option
@actor_option
def people_review(municipality: str | None, as_json: bool, actor: str | None) -> None:
    """People to check: names the migration could not map with certainty, and people without a unit cost.

    Clear a review note with `journey people update MUNICIPALITY NAME --reviewed`.

    \b
    Example:
        journey people review
    """
    from journey.services.hours.people import list_people

    rows = list_people(get_app().deps, actor, municipality, review=True)
    if as_json:
        echo_json(rows)
        return
    if not rows:
        click.echo(_("Nothing to review"))
        return
    echo_table([_("Municipality"), _("Name"), _("To check")],
               [[p["municipality"], p["name"], " | ".join(p["problems"])] for p in rows])
