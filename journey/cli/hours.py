"""ESF time reporting: `journey hours log | correct | withdraw | list | summary | export | import | unit-costs`.

The claim commands (months, attest, approve, periods, lock, settings, audit) are in
:mod:`journey.cli.hours_claims`.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

import click

from journey.cli._common import (
    CSV_DELIMITERS,
    actor_option,
    csv_delimiter_option,
    echo,
    echo_json,
    echo_table,
    get_app,
    json_option,
    lower_first,
)
from journey.cli._i18n import _, kronor_text, number

# a literal, so the catalog holds it (tests/test_hours.py checks it names every activity but the meetings)
ACTIVITY_HELP = ("The kind of work: team_meeting (the project team's meetings), inventory (needs inventory), policy "
                 "(policy, guideline, action plan), procurement (deals, procurement, IOP), dialogue (with social "
                 "enterprises), training (competence development) or other. Network meetings and the local full "
                 "day are recorded with `journey network-meetings attend`.")
HIDDEN = ("municipality_id", "person_id", "rate_ore")


def _sek(value: Decimal | None) -> str:
    return "" if value is None else kronor_text(value)


def _clean(row: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in row.items() if k not in HIDDEN}


def _notes(result: dict[str, Any]) -> None:
    for name in result.get("moved_to", []):
        click.echo(_("Reported in claim period {name}: the period of the work date is locked").format(name=name))
    for month in result.get("reattest", []):
        click.echo(_("Note: {month} was attested; it must be attested (and approved) again").format(month=month))


@click.group()
def hours() -> None:
    """ESF time reporting: quarter hours per registered person, attested monthly, claimed per period."""


@hours.command("log")
@click.argument("municipality")
@click.option("--person", required=True, help="A registered person (`journey people list MUNICIPALITY`).")
@click.option("--date", "day", required=True, metavar="YYYY-MM-DD", help="The day the work was done.")
@click.option("--hours", "amount", required=True, metavar="H", help="Quarter hours: 2, 2.5, 2,75 or 1:15.")
@click.option("--activity", required=True, metavar="TYPE", help=ACTIVITY_HELP)
@click.option("--description", required=True, help="What was done (ESF requires a clear description).")
@actor_option
def hours_log(municipality: str, person: str, day: str, amount: str, activity: str, description: str,
              actor: str | None) -> None:
    """Log work of a registered person for MUNICIPALITY. Nothing is written if any value is invalid.

    The entry records the stage the case was in on the work date. Exit code 2 for a bad date
    (also outside the project period or in the future), hours that are not whole quarter hours,
    or an unknown activity; 3 over the 1 662 h yearly ceiling or the daily sanity ceiling, in a
    locked claim period, or outside the person's dates; 4 for an unknown municipality or person
    (with the close matches); 6 when you may not report for the municipality.

    \b
    Example:
        journey hours log Umeå --person "Anna Berg" --date 2022-03-14 --hours 2.5 \\
            --activity inventory --description "Kartläggning av sociala företag" --as anna
    """
    from journey.services.hours.entries import log_hours

    result = log_hours(get_app().deps, actor, municipality, person, day, amount, activity, description)
    row = result["rows"][0]
    stage = _(", stage {stage}").format(stage=row["stage"]) if row["stage"] else ""
    echo(_("Logged {hours} h for {person} ({municipality}) on {date}, {activity}{stage} (entry {id})").format(
        hours=number(row['hours']), person=row['person'], municipality=result['municipality'], date=row['date'],
        activity=lower_first(row['activity_label']), stage=stage, id=result['id']))
    _notes(result)


@hours.command("correct")
@click.argument("entry_id", type=int)
@click.option("--reason", required=True, help="Why (kept with the correction, shown in the claim).")
@click.option("--hours", "amount", metavar="H", help="The right hours.")
@click.option("--date", "day", metavar="YYYY-MM-DD", help="The right work date.")
@click.option("--activity", metavar="TYPE", help="The right activity (as for `journey hours log`).")
@click.option("--description", help="The right description.")
@click.option("--person", help="The right person (of the same municipality).")
@actor_option
def hours_correct(entry_id: int, reason: str, amount: str | None, day: str | None, activity: str | None,
                  description: str | None, person: str | None, actor: str | None) -> None:
    """Correct ENTRY_ID by appending: a reversal of it and the corrected version. The original stays.

    When the original's claim period is locked, both rows go into the next open claim period.
    Exit code 3 when the entry was already corrected or withdrawn.

    \b
    Example:
        journey hours correct 17 --hours 1.5 --reason "Mötet slutade tidigare" --as anna
    """
    from journey.services.hours.entries import correct_entry

    result = correct_entry(get_app().deps, actor, entry_id, reason, day=day, amount=amount, activity=activity,
                           description=description, person=person)
    reversal, new = result["rows"]
    echo(_("Corrected entry {entry_id}: reversal {id} ({hours} h), new version {id2}: {hours2} h for {person} "
           "on {date}").format(
        entry_id=entry_id, id=reversal['id'], hours=number(reversal['hours']), id2=new['id'], hours2=number(new['hours']),
        person=new['person'], date=new['date']))
    _notes(result)


@hours.command("withdraw")
@click.argument("entry_id", type=int)
@click.option("--reason", required=True, help="Why (kept with the withdrawal).")
@actor_option
def hours_withdraw(entry_id: int, reason: str, actor: str | None) -> None:
    """Withdraw ENTRY_ID by appending a negative copy of it; the original stays, audited.

    \b
    Example:
        journey hours withdraw 17 --reason "Registrerad två gånger" --as anna
    """
    from journey.services.hours.entries import withdraw_entry

    result = withdraw_entry(get_app().deps, actor, entry_id, reason)
    row = result["rows"][0]
    echo(_("Withdrew entry {entry_id} ({hours} h, entry {id})").format(
        entry_id=entry_id, hours=number(row['hours']), id=row['id']))
    _notes(result)


def _scope_options(f: Any) -> Any:
    f = click.option("--period", metavar="PERIOD", help="A claim period (id or name) instead of a year.")(f)
    return click.option("--year", type=int, help="Calendar year (default: this year).")(f)


def _year(year: int | None, period: str | None) -> int | None:
    if period:
        if year:
            raise click.UsageError(_("give --year or --period, not both"))
        return None
    return year or get_app().clock.now().year


@hours.command("list")
@click.argument("municipality", required=False)
@_scope_options
@click.option("--person", help="Only this person (needs MUNICIPALITY).")
@json_option
@actor_option
def hours_list(municipality: str | None, year: int | None, period: str | None, person: str | None, as_json: bool,
               actor: str | None) -> None:
    """List the rows of the time report with their status, for MUNICIPALITY or every one you may read.

    Status shows whether a row is current, corrected or withdrawn (and by which row), and whether
    its person-month is attested and approved.

    \b
    Example:
        journey hours list Umeå --year 2022
        journey hours list --period "Ansökan 3" --json
    """
    from journey.services.hours.entries import entries

    rows = entries(get_app().deps, actor, _year(year, period), municipality, period, person)
    if as_json:
        echo_json([_clean(r) for r in rows])
        return
    echo_table([_("Id"), _("Date"), _("Municipality"), _("Person"), _("Hours"), _("Activity"), _("Stage"),
                _("Row"), _("Attest"), _("Period"),
                _("Description")],
               [[r["id"], r["date"], r["municipality"], r["person"], number(r["hours"]), r["activity_label"],
                 r["stage_title"],
                _row_state(r), r["status_label"], r["claim_period"], r["description"]] for r in rows])


def _row_state(r: dict[str, Any]) -> str:
    ref = r['state_ref']
    return {"current": _("current"), "corrected": _("corrected by {ref}").format(ref=ref),
            "withdrawn": _("withdrawn by {ref}").format(ref=ref), "reversal": _("reverses {ref}").format(ref=ref),
            "withdrawal": _("withdraws {ref}").format(ref=ref)}[r["state"]]


@hours.command("summary")
@click.argument("municipality", required=False)
@_scope_options
@json_option
@actor_option
def hours_summary(municipality: str | None, year: int | None, period: str | None, as_json: bool,
                  actor: str | None) -> None:
    """Totals per municipality (against 500 h/year and ~250 h at joint meetings, with the pace) and per
    person, valued at each person's unit cost.

    \b
    Example:
        journey hours summary --year 2022
        journey hours summary Umeå --period "Ansökan 3" --json
    """
    from journey.services.hours.summary import summary

    app = get_app()
    data = summary(app.deps, actor, app.unit_costs(), _year(year, period), period, municipality, with_rows=as_json)
    if as_json:
        data = dict(data)
        data["rows"] = [_clean(r) for r in data["rows"]]
        echo_json(data)
        return
    scope = data["scope"]
    what = (_("claim period {name}").format(name=scope['period']['name']) if "period" in scope else f"{scope['year']}")
    warning = f" [{data['unit_costs']['warning']}]" if data["unit_costs"]["warning"] else ""
    yearly = "year" in scope
    echo_table([_("Municipality"), _("Hours"), _("Meetings h"), _("Participants h"), _("Staff h"), _("Value (SEK)"),
                *([_("Target"), _("Expected"), _("Pace")] if yearly else [])],
               [[m["municipality"], number(m["hours"]), number(m["meeting_hours"]), number(m["participant_hours"]),
                 number(m["staff_hours"]),
                 _sek(m["value_sek"]),
                 *([_("{target} (meetings {meeting_target})").format(
                     target=m['target'], meeting_target=m['meeting_target']), number(m['expected_hours']),
                    _("BEHIND") if m["behind"] else _("on pace")] if yearly else [])] for m in data["municipalities"]],
               title=_("ESF hours {what}: {hours} h, {value_sek} SEK{warning}").format(
                   what=what, hours=number(data['total']['hours']), value_sek=_sek(data['total']['value_sek']),
                   warning=warning))
    if data["persons"]:
        echo_table([_("Municipality"), _("Person"), _("Kind"), _("Group"), _("Unit cost"), _("Hours"), _("Value (SEK)")],
                   [[p["municipality"], p["person"], p["kind_label"], p["salary_group"],
                     _sek(p["unit_cost_sek"]) if p["unit_cost_sek"] is not None else "",
                     number(p["hours"]), _sek(p["value_sek"]) if p["valued"] else _("not valued")] for p in data["persons"]],
                   title=_("Per person"))


@hours.command("export")
@click.argument("municipality", required=False)
@_scope_options
@click.option("--csv", "csv_path", type=click.Path(dir_okay=False, path_type=Path),
              help="The claim's rows as CSV, and its settings next to it (FILE.settings.csv).")
@click.option("--xlsx", "xlsx_path", type=click.Path(dir_okay=False, path_type=Path),
              help="Workbook: summary, per person, attestation per month, per stage, rows, attendance, settings.")
@csv_delimiter_option
@actor_option
def hours_export(municipality: str | None, year: int | None, period: str | None, csv_path: Path | None,
                 xlsx_path: Path | None, csv_delimiter: str, actor: str | None) -> None:
    """Export a claim period (or a year) for the ESF payment claim as XLSX and/or CSV.

    The settings used (scope, project period, unit-cost table and its status, every unit cost
    applied) go into the workbook's sheet Inställningar, the CSV's FILE.settings.csv, and a
    stored record of the export. CSV files are UTF-8 with a BOM and semicolon-separated, as
    Swedish Excel opens them (--csv-delimiter comma for other tools).

    \b
    Example:
        journey hours export --period "Ansökan 3" --xlsx ansokan-3.xlsx --csv ansokan-3.csv
    """
    from journey.cli.monitor import progress_bar
    from journey.services.hours.export import claim_sheets, entries_sheet, record_export, settings_sheet
    from journey.services.hours.summary import summary

    if not (csv_path or xlsx_path):
        raise click.UsageError(_("give --csv FILE and/or --xlsx FILE"))
    if not (year or period):
        raise click.UsageError(_("give --period PERIOD (a claim) or --year YEAR"))
    app = get_app()
    data = summary(app.deps, actor, app.unit_costs(), _year(year, period), period, municipality)
    who = actor or "unknown"
    writer = app.sheet_writer()
    rows = data["rows"]
    files = []
    advance, close = progress_bar(len(rows) * (bool(csv_path) + 3 * bool(xlsx_path)), _("Exporting hours"))
    try:
        if csv_path:
            separator = CSV_DELIMITERS[csv_delimiter]
            files.append(str(writer.write_csv(csv_path, entries_sheet(rows), advance, separator)))
            settings_path = csv_path.with_name(csv_path.stem + ".settings.csv")
            files.append(str(writer.write_csv(settings_path, settings_sheet(data, who), delimiter=separator)))
        if xlsx_path:
            files.append(str(writer.write_xlsx(xlsx_path, claim_sheets(data, who), advance)))
    finally:
        close()
    for name in files:
        echo(_("Wrote {name}").format(name=name), err=True)
    export_id = record_export(app.deps, actor, data, files)
    warning = f" [{data['unit_costs']['warning']}]" if data["unit_costs"]["warning"] else ""
    echo(_("{count} rows, {hours} h, {value_sek} SEK (export {export_id}){warning}").format(
        count=len(rows), hours=number(data['total']['hours']), value_sek=_sek(data['total']['value_sek']),
        export_id=export_id, warning=warning))


@hours.command("import")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--municipality", help="For rows without a Kommun column or value.")
@click.option("--dry-run", is_flag=True, help="Check every row, write nothing.")
@actor_option
def hours_import(file: Path, municipality: str | None, dry_run: bool, actor: str | None) -> None:
    """Import time entries from a CSV (UTF-8 or Windows-1252, comma or semicolon) or XLSX file.

    Swedish headers: Kommun, Person, Datum, Timmar, Aktivitet, Beskrivning. All rows or nothing:
    the first problem is reported as FILE:LINE: COLUMN: problem, with the exit code of that kind
    of problem (2 bad value, 3 refused by a rule, 4 unknown person or municipality).

    \b
    Example:
        journey hours import tidrapport-mars.csv --municipality Umeå --as anna
    """
    from journey.services.hours.importing import import_hours

    app = get_app()
    table = app.hours_file_reader().read(file)
    result = import_hours(app.deps, actor, table, municipality, dry_run)
    entries = "" if dry_run else _(" (entries {first}–{last})").format(first=result['first_id'], last=result['last_id'])
    text = (_("Checked {rows} rows, {hours} h for {municipalities} from {file}{entries}") if dry_run else
            _("Imported {rows} rows, {hours} h for {municipalities} from {file}{entries}"))
    click.echo(text.format(rows=result['rows'], hours=number(result['hours']),
                           municipalities=", ".join(result['municipalities']), file=file, entries=entries))
    _notes(result)


@hours.command("unit-costs")
@click.option("--year", type=int, help="Only this year.")
@json_option
def hours_unit_costs(year: int | None, as_json: bool) -> None:
    """Show the unit-cost table (kr per hour per salary group, Stockholm and the rest of the country).

    The file is JOURNEY_ESF_UNIT_COSTS (default data/esf_unit_costs.yaml); its status says
    whether the figures are examples or Svenska ESF-rådet's.

    \b
    Example:
        journey hours unit-costs --year 2021
    """
    from journey.services.hours.entries import SALARY_GROUPS, kronor

    table = get_app().unit_costs()
    years = [y for y in sorted(table.years) if year is None or y == year]
    if year is not None and not years:
        raise click.UsageError(_("the table has no year {year}").format(year=year))
    if as_json:
        echo_json({"status": "example" if table.example else "official", "file": table.file, "source": table.source,
                   "years": {y: {r: {g: kronor(v) for g, v in groups.items()} for r, groups in table.years[y].items()}
                             for y in years}})
        return
    status = "EXEMPELVÄRDEN – inte Svenska ESF-rådets belopp" if table.example else "official"
    echo_table([_("Year"), _("Region"), *SALARY_GROUPS],
               [[y, region, *[number(kronor(table.years[y][region][g])) for g in SALARY_GROUPS]]
                for y in years for region in sorted(table.years[y])],
               title=_("Unit costs (kr/h) from {file}: {status}").format(file=table.file, status=status))


from journey.cli import hours_claims as _claims  # noqa: E402,F401  (registers the claim commands on `hours`)
