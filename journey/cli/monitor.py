"""SKR's national monitoring view: `journey monitor` (matrix, JSON, CSV or XLSX export)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from journey.cli._common import (
    CSV_DELIMITERS,
    actor_option,
    csv_delimiter_option,
    echo,
    echo_json,
    get_app,
    json_option,
    terminal_safe,
)
from journey.cli._i18n import _, number

SYMBOL = {"done": "✓", "current": "●", "withdrawn": "✕ withdrawn", "": ""}


def progress_bar(total: int, label: str) -> Any:
    """A rich progress bar on stderr (only on a terminal); returns (advance, close)."""
    from rich.console import Console
    from rich.progress import Progress

    console = Console(stderr=True)
    bar = Progress(console=console, transient=True, disable=not console.is_terminal)
    bar.start()
    task = bar.add_task(label, total=total)
    return (lambda n=1: bar.advance(task, n)), bar.stop


@click.command()
@click.option("--county", default="", help="Only municipalities in this län (substring, e.g. 'Skåne').")
@click.option("--stage", default="", help="Only those in this stage (id like 'policy' or handbook number like 6).")
@click.option("--status", default="", help="Only cases with this status (ACTIVE, PAUSED, COMPLETED, WITHDRAWN).")
@click.option("--overdue", is_flag=True,
              help="Only overdue municipalities (a missed meeting or longer in a stage than expected).")
@click.option("--min-days", default=0, type=int, metavar="N", help="Only those at least N days in their stage.")
@click.option("--municipality", default="", help="Only names containing this text.")
@click.option("--csv", "csv_path", type=click.Path(dir_okay=False, path_type=Path),
              help="Write the status as CSV (UTF-8 with BOM, semicolon-separated for Swedish Excel).")
@click.option("--xlsx", "xlsx_path", type=click.Path(dir_okay=False, path_type=Path),
              help="Write the status and the funnel as an XLSX workbook.")
@csv_delimiter_option
@json_option
@actor_option
def monitor(county: str, stage: str, status: str, overdue: bool, min_days: int, municipality: str,
            csv_path: Path | None, xlsx_path: Path | None, csv_delimiter: str, as_json: bool,
            actor: str | None) -> None:
    """National view: every municipality × stage, days in stage, overdue, last change, next due date.

    SKR staff and admins see every municipality; a coordinator sees their own.
    ✓ marks a stage passed, ● the current stage with its days (⏸ when paused, ✕ where a
    withdrawn case ended); '!' marks an overdue case with why (a missed target meeting,
    longer in the stage than its expected duration).

    \b
    Example:
        journey monitor --as skr-anna
        journey monitor --county Skåne --overdue --json
        journey monitor --xlsx status.xlsx --csv status.csv
    """
    from journey.services.monitoring.monitor import MonitorFilter, build, status_sheets, to_json

    app = get_app()
    filters = MonitorFilter(county, stage, status, overdue, min_days, municipality)
    data = build(app.monitor_source(), lambda: app.workflows, actor, app.clock.now(), filters)
    if csv_path or xlsx_path:
        writer = app.sheet_writer()
        sheets = status_sheets(data)
        advance, close = progress_bar(len(data["rows"]) * (bool(csv_path) + bool(xlsx_path)), _("Exporting status"))
        try:
            if csv_path:
                echo(_("Wrote {csv_path}").format(
                    csv_path=writer.write_csv(csv_path, sheets[0], advance, CSV_DELIMITERS[csv_delimiter])), err=True)
            if xlsx_path:
                echo(_("Wrote {xlsx_path}").format(xlsx_path=writer.write_xlsx(xlsx_path, sheets, advance)), err=True)
        finally:
            close()
        if not as_json:
            return
    if as_json:
        echo_json(to_json(data))
        return
    _print_matrix(data)


def _print_matrix(data: dict[str, Any]) -> None:
    import sys

    stages = data["stages"]
    headers = [_("Municipality"), _("Län"), *[s["handbook_stage"] or s["id"] for s in stages], _("Days"), _("Overdue"),
               _("Last change"), _("Next due"), _("ESF h {year}").format(year=data['year']), _("Meeting h"), _("Deals")]
    rows = []
    for r in data["rows"]:
        mark = {"PAUSED": "⏸", "WITHDRAWN": "✕"}.get(r["status"], "●")
        cells = [f"{mark} {r['days_in_stage']}d" if r["cells"].get(s["id"]) == "current"
                 else SYMBOL[r["cells"].get(s["id"], "")] for s in stages]
        last = r["last_change"]
        rows.append([r["municipality"], r["county"].removesuffix(" län"), *cells,
                     "" if r["days_in_stage"] is None else str(r["days_in_stage"]),
                     ("! " + "; ".join(r["overdue_reasons"])) if r["overdue"] else "",
                     f"{last['at']:%Y-%m-%d} {last['title']}" if last else "",
                     f"{r['next_due']:%Y-%m-%d}" if r["next_due"] else "",
                     f"{number(r['esf']['hours'])}/{data['esf_target']}" + (_(" ! behind") if r["esf"]["behind"] else ""),
                     f"{number(r['esf']['meeting_hours'])}/{data['esf_meeting_target']}"
                     + (_(" ! behind") if r["esf"]["meetings_behind"] else ""),
                     _("{count} ({awarded} awarded)").format(count=r['deals']['count'], awarded=r['deals']['awarded'])
                     if r["deals"]["count"] else ""])
    legend = "  ".join(f"{s['handbook_stage'] or '-'} {s['title']}" for s in stages)
    totals = data["totals"]
    deals = data["deals"]
    title = _("Journey status {day}: {shown} of {municipalities} municipalities, {overdue} overdue; {deals} deals "
              "({awarded} awarded: {total} kr in total, {per_year} kr per year)").format(
        day=data['generated_at'][:10], shown=totals['shown'], municipalities=totals['municipalities'],
        overdue=totals['overdue'], deals=deals['count'], awarded=deals['awarded'], total=deals['value_total_sek'],
        per_year=deals['value_per_year_sek'])
    if sys.stdout.isatty():
        from rich.console import Console
        from rich.table import Table
        from rich.text import Text

        table = Table(*headers, title=title, caption=Text(terminal_safe(legend)), caption_justify="left")
        for row, r in zip(rows, data["rows"], strict=True):
            table.add_row(*[Text(terminal_safe(c)) for c in row], style="red" if r["overdue"] else None)
        Console().print(table)
        return
    lines = [title, "\t".join(headers), *("\t".join(terminal_safe(c, cell=True) for c in row) for row in rows)]
    echo("\n".join(lines))  # one write for the whole table, not one per municipality
