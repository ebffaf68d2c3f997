"""ESF time reporting: `journey hours log | list | summary | export`."""

from __future__ import annotations

from pathlib import Path

import click

from journey.cli._common import actor_option, echo_json, echo_table, get_app, json_option
from journey.services.hours.entries import DEFAULT_HOURLY_RATE, Activity

ACTIVITIES = ", ".join(a.value for a in Activity if a not in (Activity.NETWORK_MEETING, Activity.LOCAL_MEETING))


def _year_option(f):  # type: ignore[no-untyped-def]
    return click.option("--year", type=int, help="Calendar year (default: this year).")(f)


def _rate_option(f):  # type: ignore[no-untyped-def]
    return click.option("--rate", type=float, envvar="JOURNEY_HOURLY_RATE", default=DEFAULT_HOURLY_RATE,
                        show_default=True, help="Hourly rate in SEK for the co-financing value "
                        "(env JOURNEY_HOURLY_RATE; use the project's unit cost).")(f)


def _sek(value: float) -> str:
    return f"{value:,.0f}".replace(",", "\u00a0")


def _year(year: int | None) -> int:
    return year or get_app().clock.now().year


@click.group()
def hours() -> None:
    """ESF time reporting: whole hours per person against 500 h/year per municipality."""


@hours.command("log")
@click.argument("municipality")
@click.option("--person", required=True, help="Who did the work (participant or project staff).")
@click.option("--date", "day", required=True, metavar="YYYY-MM-DD", help="The day the work was done.")
@click.option("--hours", "amount", required=True, metavar="N", help="Whole hours, 1 to 13.")
@click.option("--activity", required=True, metavar="TYPE", help=f"One of: {ACTIVITIES}.")
@click.option("--description", required=True, help="What was done (ESF requires a clear description).")
@actor_option
def hours_log(municipality: str, person: str, day: str, amount: str, activity: str, description: str,
              actor: str | None) -> None:
    """Log whole hours of work for MUNICIPALITY. Nothing is written if any value is invalid.

    Exit code 2 for a bad date, hours or activity; 4 for an unknown municipality; 3 when the
    person would pass 13 hours that day; 6 when you may not report for the municipality.

    \b
    Example:
        journey hours log Umeå --person "Anna Berg" --date 2022-03-14 --hours 3 \\
            --activity inventory --description "Kartläggning av sociala företag" --as anna
    """
    from journey.services.hours.entries import log_hours

    entry = log_hours(get_app().deps, actor, municipality, person, day, amount, activity, description)
    click.echo(f"Logged {entry['hours']} h for {entry['person']} ({entry['municipality']}) on {entry['date']}, "
               f"{entry['activity']} (entry {entry['id']})")


@hours.command("list")
@click.argument("municipality", required=False)
@_year_option
@json_option
@actor_option
def hours_list(municipality: str | None, year: int | None, as_json: bool, actor: str | None) -> None:
    """List the year's time entries, for MUNICIPALITY or every one you may read.

    \b
    Example:
        journey hours list Umeå --year 2022
    """
    from journey.services.hours.entries import entries

    rows = entries(get_app().deps, actor, _year(year), municipality)
    if as_json:
        echo_json([{k: v for k, v in r.items() if k != "municipality_id"} for r in rows])
        return
    echo_table(["Date", "Municipality", "Person", "Hours", "Activity", "Description", "Stage"],
               [[r["date"], r["municipality"], r["person"], r["hours"], r["activity"], r["description"], r["stage"]]
                for r in rows])


@hours.command("summary")
@click.argument("municipality", required=False)
@_year_option
@_rate_option
@json_option
@actor_option
def hours_summary(municipality: str | None, year: int | None, rate: float, as_json: bool, actor: str | None) -> None:
    """Totals per municipality (against 500 h/year) and per person, with the co-financing value.

    \b
    Example:
        journey hours summary --year 2022 --rate 350
    """
    from journey.services.hours.entries import summary

    data = summary(get_app().deps, actor, _year(year), rate, municipality)
    if as_json:
        echo_json(data)
        return
    echo_table(["Municipality", "Hours", "of target", "Share", "Remaining", "Meetings h", "Value (SEK)"],
               [[t["municipality"], t["hours"], t["target"], f"{t['share']:.0%}", t["remaining"], t["meeting_hours"],
                 _sek(t["value_sek"])] for t in data["municipalities"]],
               title=f"ESF hours {data['year']} at {data['rate_sek']:g} SEK/h: {data['total']['hours']} h, "
                     f"{_sek(data['total']['value_sek'])} SEK")
    if data["persons"]:
        echo_table(["Municipality", "Person", "Hours", "Value (SEK)"],
                   [[p["municipality"], p["person"], p["hours"], _sek(p["value_sek"])]
                    for p in data["persons"]], title="Per person")


@hours.command("export")
@click.argument("municipality", required=False)
@_year_option
@_rate_option
@click.option("--csv", "csv_path", type=click.Path(dir_okay=False, path_type=Path), help="Entries as CSV.")
@click.option("--xlsx", "xlsx_path", type=click.Path(dir_okay=False, path_type=Path),
              help="Workbook: summary, per person, entries, monthly attendance with signature columns.")
@actor_option
def hours_export(municipality: str | None, year: int | None, rate: float, csv_path: Path | None,
                 xlsx_path: Path | None, actor: str | None) -> None:
    """Export the year's time report for the ESF payment claim as CSV and/or XLSX.

    \b
    Example:
        journey hours export --year 2022 --xlsx tidrapport-2022.xlsx --csv tidrapport-2022.csv
    """
    from journey.cli.monitor import progress_bar
    from journey.services.hours.entries import entries, summary
    from journey.services.hours.export import entries_sheet, hours_sheets

    if not (csv_path or xlsx_path):
        raise click.UsageError("give --csv FILE and/or --xlsx FILE")
    app = get_app()
    writer = app.sheet_writer()
    the_year = _year(year)
    totals = summary(app.deps, actor, the_year, rate, municipality)
    rows = entries(app.deps, actor, the_year, municipality)
    advance, close = progress_bar(len(rows) * (bool(csv_path) + 2 * bool(xlsx_path)), "Exporting hours")
    try:
        if csv_path:
            click.echo(f"Wrote {writer.write_csv(csv_path, entries_sheet(rows), advance)}", err=True)
        if xlsx_path:
            click.echo(f"Wrote {writer.write_xlsx(xlsx_path, hours_sheets(totals, rows), advance)}", err=True)
    finally:
        close()
    click.echo(f"{len(rows)} entries, {totals['total']['hours']} h, {_sek(totals['total']['value_sek'])} SEK "
               f"({the_year})")

