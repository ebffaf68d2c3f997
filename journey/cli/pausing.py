"""Case lifecycle commands that are not transitions: pause and resume."""

from __future__ import annotations

import click

from journey.cli._common import actor_option, echo, get_app, short_time
from journey.cli._i18n import _


@click.group()
def case() -> None:
    """Pause or resume a municipality's case."""


@case.command()
@click.argument("municipality")
@click.option("--reason", default="", help="Why the case is paused (stored in the history and the pause ledger).")
@actor_option
def pause(municipality: str, reason: str, actor: str | None) -> None:
    """Pause MUNICIPALITY's case: no reminders go out and it cannot advance until resumed.

    \b
    Example:
        journey case pause Laxå --reason "Omorganisation, nytt mandat efter valet" --as anna
    """
    from journey.services.cases.pausing import pause_case

    result = pause_case(get_app().deps, actor, municipality, reason)
    echo(_("{municipality}: paused at {value} (Europe/Stockholm); {reminders} planned reminder(s) held").format(
        municipality=result.municipality, value=short_time(result.at.isoformat()), reminders=result.reminders))


@case.command()
@click.argument("municipality")
@click.option("--comment", default="", help="Comment for the history.")
@actor_option
def resume(municipality: str, comment: str, actor: str | None) -> None:
    """Resume MUNICIPALITY's paused case; open deadlines move by the pause length (calendar days).

    \b
    Example:
        journey case resume Laxå --as anna
    """
    from zoneinfo import ZoneInfo

    from journey.services.cases.pausing import resume_case

    app = get_app()
    result = resume_case(app.deps, actor, municipality, ZoneInfo(app.settings.timezone), comment)
    echo(_("{municipality}: resumed after {shift_days} day(s); {reminders} reminder(s) re-planned (see `journey "
           "reminders upcoming {municipality}`)").format(
        municipality=result.municipality, shift_days=result.shift_days, reminders=result.reminders))
