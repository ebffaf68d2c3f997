"""Case lifecycle commands that are not transitions: pause and resume."""

from __future__ import annotations

import click

from journey.cli._common import actor_option, echo, get_app, short_time


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
    echo(f"{result.municipality}: paused at {short_time(result.at.isoformat())} (Europe/Stockholm); "
               f"{result.reminders} planned reminder(s) held")


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
    echo(f"{result.municipality}: resumed after {result.shift_days} day(s); "
               f"{result.reminders} reminder(s) re-planned (see `journey reminders upcoming {result.municipality}`)")
