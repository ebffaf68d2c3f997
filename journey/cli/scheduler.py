"""``journey scheduler run``: the one process that sends reminder emails."""

from __future__ import annotations

import logging

import click

from journey.cli._common import echo, get_app
from journey.cli._i18n import _


@click.group()
def scheduler() -> None:
    """The reminder scheduler (run exactly one; a second one stays on standby)."""


@scheduler.command()
@click.option("--interval", default=60.0, show_default=True, type=click.FloatRange(min=0.2),
              help="Seconds between polls of the reminder outbox.")
@click.option("--once", is_flag=True, help="Take the lock, sweep once and exit (like `journey reminders send-due`).")
@click.option("-v", "--verbose", is_flag=True, help="Log every sweep.")
def run(interval: float, once: bool, verbose: bool) -> None:
    """Poll the reminder outbox and send due reminders over SMTP until stopped (Ctrl-C or SIGTERM).

    What fell due while no scheduler ran is sent at start-up. On PostgreSQL an advisory
    lock, on SQLite a lease row, makes a second scheduler wait instead of sending; the lock
    is renewed before every message. SMTP settings: JOURNEY_SMTP_HOST, _PORT, _FROM, _USER,
    _PASSWORD, _STARTTLS, _SSL, _TIMEOUT (the password is never logged).

    The sender and the server (connection, TLS, login) are checked at start: an invalid
    JOURNEY_SMTP_FROM or a refused login exits 78, an unreachable server 75, and nothing is
    claimed. A login refused later stops the scheduler (exit 78); an outage is waited out.

    \b
    Example:
        JOURNEY_SMTP_HOST=smtp.kommun.se JOURNEY_SMTP_FROM=journey@kommun.se journey scheduler run
    """
    from journey import scheduler as engine

    logging.basicConfig(level=logging.INFO if verbose else logging.WARNING,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    app = get_app()
    if once:
        from journey.bootstrap.reminders import check_mail

        check_mail(app)
        runner = engine.make_runner(app, interval)
        try:
            result = runner.tick()
        finally:
            runner.lock.release()
        if result is None:
            from journey.domain.errors import RefusedError

            raise RefusedError(_("another scheduler holds the reminder lock; nothing sent"))
        from journey.cli.reminders import summary

        echo(summary(result))
        return
    runner = engine.run(app, interval)
    echo(_("scheduler stopped: {sent} sent, {failed} failed in {ticks} sweep(s)").format(
        sent=runner.totals.sent, failed=runner.totals.failed, ticks=runner.ticks))
