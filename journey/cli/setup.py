"""Setting up: ``journey init`` creates or upgrades the schema; ``journey demo`` shows a whole network."""

from __future__ import annotations

from typing import TYPE_CHECKING

import click

from journey.cli._common import get_app
from journey.cli._i18n import _, translate_message

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
    click.echo(_("Database ready at {app} (schema {heads})").format(app=_where(app), heads=', '.join(heads)))


@click.command()
@click.option("--as", "actor", default="demo", show_default=True, help="Who the demo acts as (open mode only).")
def demo(actor: str) -> None:
    """Set up the 12 network municipalities and walk their cases to varied stages, then show status.

    Writes into its own demo home ($JOURNEY_HOME/demo: journey.db and documents/), never
    into your real database, unless --db (or JOURNEY_DATABASE_URL) names one; a named
    database that holds real (non-demo) cases is refused (exit 3) and left untouched.
    Municipalities that already have a case are left as they are, so running it twice
    changes nothing.

    \b
    Example:
        journey demo
        journey --db sqlite:///rehearsal.db demo
    """
    from journey.bootstrap import app_from_environment
    from journey.services.demo import run_demo

    root = click.get_current_context().find_root()
    if root.obj is None:
        root.obj = app_from_environment(database=root.params.get("database"), workflows=root.params.get("workflows"),
                                        demo=True, creates_database=True)
        root.call_on_close(root.obj.close)
    app = get_app()
    app.init_database()
    report = run_demo(app.deps, actor, progress=lambda m: click.echo(f"  {translate_message(m)}"))
    click.echo(_("Demo ready at {app}: {opened} cases opened, {advances} audited advances.").format(
        app=_where(app), opened=report.opened, advances=report.advances))
    click.echo("")
    ctx = click.get_current_context()
    from journey.cli.cases import status

    ctx.invoke(status, municipality=None, as_json=False, actor=actor)
    if app.settings.demo_home is not None:  # no database named: the demo wrote into its own home, which the
        # other commands read only when told to
        click.echo(_("\nThe other commands read the demo database when you first run:\n  export JOURNEY_DATABASE_URL={url}")
                   .format(url=app.settings.database_url))
    click.echo(_("\nTry: journey why Umeå   |   journey history Hudiksvall   |   journey workflows show handbook"))
