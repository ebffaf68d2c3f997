"""Registry commands: municipalities and users."""

from __future__ import annotations

import click

from journey.cli._common import actor_option, echo, echo_json, echo_table, get_app, json_option
from journey.cli._i18n import _


@click.group()
def municipalities() -> None:
    """Register and list municipalities."""


@municipalities.command("add")
@click.argument("code")
@click.argument("name")
@click.option("--county", default="", help="Län, e.g. 'Skåne län'.")
@click.option("--workflow", default="handbook", show_default=True, help="Workflow or variant its case follows.")
@actor_option
def municipalities_add(code: str, name: str, county: str, workflow: str, actor: str | None) -> None:
    """Register a municipality by kommunkod CODE and NAME.

    \b
    Example:
        journey municipalities add 2361 Härjedalen --county "Jämtlands län"
    """
    from journey.services.registry import add_municipality

    m = add_municipality(get_app().deps, actor, code, name, county, workflow)
    echo(_("Added {name} ({code}), workflow {workflow}").format(name=m.name, code=m.code, workflow=m.workflow))


@municipalities.command("seed")
@click.option("--all", "everything", is_flag=True,
              help="All 290 Swedish municipalities (SCB's list) instead of the 12 in the network.")
@actor_option
def municipalities_seed(everything: bool, actor: str | None) -> None:
    """Register the 12 municipalities of the network Utvecklingsnätverk sociala företag.

    With --all, register every Swedish municipality. Running it again adds only what is missing.

    \b
    Example:
        journey municipalities seed
        journey municipalities seed --all
    """
    from journey.services.registry import seed_all, seed_network

    result = (seed_all if everything else seed_network)(get_app().deps, actor)
    if everything:  # 290 names are too many to read; the count says what happened
        echo(_("Added {count} municipalities; {count2} already registered").format(
            count=len(result.added), count2=len(result.existing)))
        return
    echo(_("Added {count}: {value}").format(count=len(result.added), value=', '.join(result.added) or '-'))
    if result.existing:
        echo(_("Already registered {count}: {existing}").format(
            count=len(result.existing), existing=', '.join(result.existing)))


@municipalities.command("list")
@json_option
@actor_option
def municipalities_list(as_json: bool, actor: str | None) -> None:
    """List registered municipalities and the stage of each one's case.

    \b
    Example:
        journey municipalities list --json
    """
    from journey.services.cases.views import municipalities as municipalities_view

    rows = municipalities_view(get_app().read_model(), actor)
    if as_json:
        echo_json(rows)
        return
    echo_table([_("Code"), _("Name"), _("County"), _("Workflow"), _("Stage")],
               [[r["code"], r["name"], r["county"], r["workflow"], r["stage"] or "(no case)"] for r in rows])


@click.group()
def users() -> None:
    """Register and list users (coordinators, SKR staff, admins, managers)."""


@users.command("add")
@click.argument("username")
@click.option("--role", required=True,
              type=click.Choice(["coordinator", "skr", "process_supporter", "manager", "admin"], case_sensitive=False),
              help="coordinator: own municipality; skr: reads all, manages registry; process_supporter: reads all, "
                   "changes nothing; manager: approves attested ESF time of own municipality; admin: everything.")
@click.option("--municipality", metavar="NAME", help="The coordinator's or manager's municipality.")
@click.option("--name", "display_name", default="", help="Full name.")
@click.option("--email", default="", help="E-mail address for reminders.")
@click.option("--phone", default="", help="Telephone, shown to board secretaries in reminders (e.g. 070-123 45 67).")
@actor_option
def users_add(username: str, role: str, municipality: str | None, display_name: str, email: str, phone: str,
              actor: str | None) -> None:
    """Register USERNAME with a role. The first user must be an admin; it ends open mode.

    \b
    Example:
        journey users add admin --role admin
        journey users add anna --role coordinator --municipality Hudiksvall --email anna@hudiksvall.se \\
            --phone "0650-190 00" --as admin
    """
    from journey.services.registry import add_user

    add_user(get_app().deps, actor, username, role, municipality, display_name, email, phone)
    echo(_("Added user {username} ({value})").format(username=username, value=role.lower()))


@users.command("list")
@json_option
@actor_option
def users_list(as_json: bool, actor: str | None) -> None:
    """List registered users.

    \b
    Example:
        journey users list
    """
    from journey.services.registry import list_users

    data = list_users(get_app().deps, actor)
    if as_json:
        echo_json(data)
        return
    echo_table([_("Username"), _("Role"), _("Municipality"), _("Name"), _("E-mail"), _("Phone")],
               [[d["username"], d["role"].lower(), d["municipality"] or "", d["name"], d["email"], d["phone"]]
                for d in data])


@users.command("passwd")
@click.argument("username")
@actor_option
def users_passwd(username: str, actor: str | None) -> None:
    """Set USERNAME's password for `journey serve`, read from standard input (one line).

    At least 12 characters. On a terminal you are asked twice without echo. Setting a password
    ends the user's open web sessions. Admins set anyone's password, users their own.

    \b
    Example:
        printf '%s\\n' 'en lång lösenfras' | journey users passwd anna --as admin
    """
    import sys

    from journey.bootstrap.server import password_hasher
    from journey.services.auth.passwords import set_password

    if sys.stdin.isatty():
        password = click.prompt(_("Password"), hide_input=True, confirmation_prompt=True)
    else:
        password = sys.stdin.readline().rstrip("\r\n")
    app = get_app()
    ended = set_password(app.deps, password_hasher(app), actor, username, password)
    ended_text = _("; {count} web session(s) ended").format(count=ended) if ended else ""
    click.echo(_("Password set for {username}{ended}").format(username=username, ended=ended_text))


@municipalities.command("closed-periods")
@click.argument("municipality")
@click.option("--add", "add", metavar="FIRST:LAST", help="A closed period, e.g. 2022-07-01:2022-07-31, or one day.")
@click.option("--label", default="", help="What it is, e.g. sommaruppehåll or klämdag.")
@click.option("--remove", metavar="DAY|all", help="Remove the periods that contain DAY (or all of them).")
@json_option
@actor_option
def municipalities_closed_periods(municipality: str, add: str | None, label: str, remove: str | None,
                                  as_json: bool, actor: str | None) -> None:
    """List, add or remove MUNICIPALITY's closed periods: no deadline falls in one.

    A deadline inside a closed period moves to the last working day before it; planned
    reminders are re-planned at once.

    \b
    Example:
        journey municipalities closed-periods Karlstad --add 2022-07-01:2022-07-31 --label sommaruppehåll
        journey municipalities closed-periods Karlstad --add 2022-05-27 --label klämdag
    """
    from journey.services.deadline_settings import closed_periods

    periods = closed_periods(get_app().deps, actor, municipality, add, label, remove)
    if as_json:
        echo_json([{"first_day": p.first_day, "last_day": p.last_day, "label": p.label} for p in periods])
        return
    echo_table([_("First day"), _("Last day"), _("Label")], [[p.first_day, p.last_day, p.label] for p in periods])


@municipalities.command("supporter")
@click.argument("municipality")
@click.option("--add", "add", metavar="USERNAME", help="Assign this SKR process supporter.")
@click.option("--remove", metavar="USERNAME", help="Unassign this process supporter.")
@actor_option
def municipalities_supporter(municipality: str, add: str | None, remove: str | None, actor: str | None) -> None:
    """List, assign or unassign MUNICIPALITY's SKR process supporters (they get its SKR reminders).

    While none is assigned, SKR reminders go to every SKR user.

    \b
    Example:
        journey municipalities supporter Karlstad --add stina
    """
    from journey.services.deadline_settings import supporters

    found = supporters(get_app().deps, actor, municipality, add, remove)
    echo_table([_("User"), _("Name"), _("E-mail")], [[u["username"], u["display_name"], u["email"]] for u in found])
