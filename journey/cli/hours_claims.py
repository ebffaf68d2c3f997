"""ESF claims: `journey hours months | attest | approve | periods | lock | settings | audit`.

Registered on the `hours` group when :mod:`journey.cli.hours` is imported.
"""

from __future__ import annotations

import click

from journey.cli._common import actor_option, echo_json, echo_table, get_app, json_option
from journey.cli._i18n import _, number
from journey.cli.hours import hours


@hours.command("months")
@click.argument("municipality", required=False)
@click.option("--year", type=int, help="Calendar year (default: the whole project period).")
@json_option
@actor_option
def hours_months(municipality: str | None, year: int | None, as_json: bool, actor: str | None) -> None:
    """Each person's months with time: hours, attested (by whom), approved (by whom).

    \b
    Example:
        journey hours months Umeå --year 2022
    """
    from journey.services.hours.claims import months_overview

    rows = months_overview(get_app().deps, actor, municipality, year)
    if as_json:
        echo_json(rows)
        return
    echo_table([_("Municipality"), _("Person"), _("Month"), _("Hours"), _("Status"), _("Attested by"), _("Approved by")],
               [[r["municipality"], r["person"], r["month"], number(r["hours"]), r["status_label"], r["attested_by"],
                 r["approved_by"]] for r in rows])


@hours.command("attest")
@click.argument("municipality")
@click.option("--person", required=True, help="Whose month.")
@click.option("--month", required=True, metavar="YYYY-MM", help="The month, after it is over.")
@click.option("--on-paper", is_flag=True, help="Record the person's signed monthly certificate (coordinator).")
@actor_option
def hours_attest(municipality: str, person: str, month: str, on_paper: bool, actor: str | None) -> None:
    """The person certifies their time of a month (from their own account, or --on-paper).

    A later change to that month voids the attestation: it must be attested again.

    \b
    Example:
        journey hours attest Umeå --person "Anna Berg" --month 2022-03 --as anna.berg
        journey hours attest Umeå --person "Olle Ås" --month 2022-03 --on-paper --as anna
    """
    from journey.services.hours.claims import attest_month

    r = attest_month(get_app().deps, actor, municipality, person, month, on_paper)
    how = _(" (signed certificate on paper)") if r["method"] == "PAPER" else ""
    click.echo(_("Attested {month} for {person} ({municipality}): {hours} h{how}").format(
        month=r['month'], person=r['person'], municipality=r['municipality'], hours=number(r['hours']), how=how))


@hours.command("approve")
@click.argument("municipality")
@click.option("--month", required=True, metavar="YYYY-MM", help="The month.")
@click.option("--person", "persons", multiple=True, help="Only these people (default: every attested one).")
@actor_option
def hours_approve(municipality: str, month: str, persons: tuple[str, ...], actor: str | None) -> None:
    """A manager of MUNICIPALITY approves attested months (role manager, or admin).

    \b
    Example:
        journey hours approve Umeå --month 2022-03 --as chef.umea
    """
    from journey.services.hours.claims import approve_month

    for r in approve_month(get_app().deps, actor, municipality, month, list(persons) or None):
        click.echo(_("Approved {month} for {person} ({municipality}): {hours} h, attested by {attested_by}").format(
            month=r['month'], person=r['person'], municipality=r['municipality'], hours=number(r['hours']),
            attested_by=r['attested_by']))


@hours.group("periods")
def periods() -> None:
    """Claim periods (ansökningsperioder), as the ESF decision's conditions set them."""


@periods.command("add")
@click.option("--start", required=True, metavar="YYYY-MM-DD")
@click.option("--end", required=True, metavar="YYYY-MM-DD")
@click.option("--name", default="", help="E.g. 'Ansökan 1' (default: the dates).")
@actor_option
def periods_add(start: str, end: str, name: str, actor: str | None) -> None:
    """Add a claim period inside the project period (SKR or admin); periods do not overlap.

    \b
    Example:
        journey hours periods add --start 2021-01-01 --end 2021-06-30 --name "Ansökan 1" --as skr-ekonom
    """
    from journey.services.hours.claims import add_period

    p = add_period(get_app().deps, actor, start, end, name)
    click.echo(_("Added claim period {id} {name!r}: {start} – {end}").format(
        id=p['id'], name=p['name'], start=p['start'], end=p['end']))


@periods.command("list")
@json_option
@actor_option
def periods_list(as_json: bool, actor: str | None) -> None:
    """List the claim periods and whether they are locked.

    \b
    Example:
        journey hours periods list
    """
    from journey.services.hours.claims import list_periods

    rows = list_periods(get_app().deps, actor)
    if as_json:
        echo_json(rows)
        return
    echo_table([_("Id"), _("Name"), _("Start"), _("End"), _("Status"), _("Locked by")],
               [[p["id"], p["name"], p["start"], p["end"], p["status"].lower(), p["locked_by"]] for p in rows])


@hours.command("lock")
@click.argument("period")
@click.option("--allow-unapproved", is_flag=True, help="Lock although some person-months are not approved.")
@actor_option
def hours_lock(period: str, allow_unapproved: bool, actor: str | None) -> None:
    """Lock claim PERIOD (id or name) once it is over (SKR or admin). Its rows never change again;
    a later correction of them goes into the next open claim period.

    Exit code 3 when months in it are not approved (unless --allow-unapproved) or it is not over.

    \b
    Example:
        journey hours lock "Ansökan 1" --as skr-ekonom
    """
    from journey.services.hours.claims import lock_period

    p = lock_period(get_app().deps, actor, period, allow_unapproved)
    extra = _(", {count} person-months not approved").format(count=p['unapproved']) if p["unapproved"] else ""
    click.echo(_("Locked claim period {name} ({start} – {end}): {rows} rows{extra}").format(
        name=p['name'], start=p['start'], end=p['end'], rows=p['rows'], extra=extra))


@hours.command("settings")
@click.option("--period-start", metavar="YYYY-MM-DD", help="First day of the project period (work time).")
@click.option("--period-end", metavar="YYYY-MM-DD", help="Last day of the project period.")
@click.option("--unit-cost-year", metavar="YEAR", help="Which year's unit costs apply: 'start' (the project's start "
              "year, ESF's rule), 'work' (each work date's year) or a year.")
@click.option("--annual-ceiling", "annual", metavar="H", help="Eligible hours per person and calendar year.")
@click.option("--daily-ceiling", "daily", metavar="H", help="Sanity ceiling per person and day.")
@json_option
@actor_option
def hours_settings(period_start: str | None, period_end: str | None, unit_cost_year: str | None, annual: str | None,
                   daily: str | None, as_json: bool, actor: str | None) -> None:
    """Show or change the network's ESF settings (changing: SKR or admin; audited).

    \b
    Example:
        journey hours settings
        journey hours settings --period-end 2023-02-28 --as skr-ekonom
    """
    from journey.services.hours.claims import change_settings, show_settings

    values = {"period_start": period_start, "period_end": period_end, "unit_cost_year": unit_cost_year,
              "annual_ceiling_hours": annual, "daily_ceiling_hours": daily}
    app = get_app()
    if any(v is not None for v in values.values()):
        data = change_settings(app.deps, actor, values)
        if not as_json:
            click.echo(_("Changed the ESF settings"))
    else:
        data = show_settings(app.deps, actor)
    if as_json:
        echo_json(data)
        return
    labels = {"period_start": _("period start"), "period_end": _("period end"), "unit_cost_year": _("unit cost year"),
              "annual_ceiling_hours": _("annual ceiling hours"), "daily_ceiling_hours": _("daily ceiling hours")}
    for key, value in data.items():
        click.echo(f"{labels.get(key, key.replace('_', ' '))}: {value}")


@hours.command("audit")
@click.argument("municipality", required=False)
@click.option("--limit", type=int, default=50, show_default=True)
@json_option
@actor_option
def hours_audit(municipality: str | None, limit: int, as_json: bool, actor: str | None) -> None:
    """The newest audited ESF changes: people, corrections, attestations, approvals, locks, exports.

    \b
    Example:
        journey hours audit Umeå --limit 20
    """
    from journey.cli._common import short_time
    from journey.services.hours.claims import audit_log

    rows = audit_log(get_app().deps, actor, municipality, limit)
    if as_json:
        echo_json(rows)
        return
    echo_table([_("When (Stockholm)"), _("Who"), _("Action"), _("Municipality"), _("Subject"), _("Detail")],
               [[short_time(r["at"].isoformat()), r["actor"], r["action"].lower(), r["municipality"], r["subject"],
                 "; ".join(f"{k}={v}" for k, v in r["detail"].items())] for r in rows])
