"""Setting up: ``journey init`` creates or upgrades the schema; ``journey demo`` shows a whole network."""

from __future__ import annotations

from typing import TYPE_CHECKING

import click

from journey.cli._common import get_app

if TYPE_CHECKING:
    from journey.bootstrap import App


def _where(app: App) -> str:
    return app.database_display()


@click.command()
def init() -> None:
    """Create the database schema, or upgrade it to this version of journey (safe to repeat).

    \b
    Example:
        journey init
        JOURNEY_DATABASE_URL=postgresql://journey@db/journey journey init
    """
    app = get_app()
    heads = app.init_database()
    click.echo(f"Database ready at {_where(app)} (schema {', '.join(heads)})")


@click.command()
@click.option("--as", "actor", default="demo", show_default=True, help="Who the demo acts as (open mode only).")
def demo(actor: str) -> None:
    """Set up the 12 network municipalities and walk their cases to varied stages, then show status.

    Uses the configured database (the embedded SQLite file by default). Municipalities
    that already have a case are left as they are, so running it twice changes nothing.

    \b
    Example:
        journey demo
    """
    from journey.services.demo import run_demo

    app = get_app()
    app.init_database()
    report = run_demo(app.deps, actor, progress=lambda m: click.echo(f"  {m}"))
    click.echo(f"Demo ready at {_where(app)}: {report.opened} cases opened, {report.advances} audited advances.")
    click.echo("")
    ctx = click.get_current_context()
    from journey.cli.cases import status

    ctx.invoke(status, municipality=None, as_json=False, actor=actor)
    click.echo("\nTry: journey why Umeå   |   journey history Hudiksvall   |   journey workflows show handbook")
