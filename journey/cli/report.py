"""Reports for SKR: the static HTML dashboard and workflow diagrams."""

from __future__ import annotations

from pathlib import Path

import click

from journey.cli._common import actor_option, get_app
from journey.cli._i18n import _


@click.group()
def report() -> None:
    """Static reports: the HTML dashboard and workflow diagrams."""


@report.command("html")
@click.argument("out_dir", type=click.Path(file_okay=False, path_type=Path))
@actor_option
def report_html(out_dir: Path, actor: str | None) -> None:
    """Write the HTML dashboard to OUT_DIR: index.html plus one page per municipality.

    Each municipality page shows its history, documents, reminders and the workflow diagram
    with the current state highlighted. Works offline (no scripts, no CDN). SKR staff and
    admins get every municipality; a coordinator gets their own.

    \b
    Example:
        journey report html rapport/ --as skr-anna
        xdg-open rapport/index.html
    """
    from journey.cli.monitor import progress_bar
    from journey.services.monitoring.report_html import write_report

    app = get_app()
    source = app.monitor_source()
    total = len(source.matrix())
    advance, close = progress_bar(total, _("Writing report pages"))
    try:
        result = write_report(source, lambda: app.workflows, actor, app.clock.now(),
                              app.report_site(out_dir), app.report_renderer(), advance)
    finally:
        close()
    click.echo(_("Wrote {index} and {pages} municipality pages").format(index=result.index, pages=result.pages))


@report.command("diagram")
@click.argument("workflow", required=False)
@click.option("--municipality", metavar="NAME", help="Highlight this municipality's current state.")
@click.option("--format", "fmt", type=click.Choice(["mermaid", "svg"]), default="mermaid", show_default=True,
              help="Mermaid text (stateDiagram-v2) or a standalone SVG.")
@actor_option
def report_diagram(workflow: str | None, municipality: str | None, fmt: str, actor: str | None) -> None:
    """Print WORKFLOW's diagram (name or name@version), or a municipality's with its state highlighted.

    \b
    Example:
        journey report diagram --municipality Umeå
        journey report diagram handbook@1 --format svg > handbook.svg
    """
    from journey.services.workflows.diagram_view import render_diagram

    app = get_app()
    click.echo(render_diagram(app.read_model(), lambda: app.workflows, actor, app.clock.now(), workflow,
                              municipality, fmt), nl=False)
