"""Reminder commands: preview what is planned, list what was sent, send what is due now."""

from __future__ import annotations

from typing import Any

import click

from journey.cli._common import actor_option, echo, echo_json, echo_table, get_app, json_option
from journey.cli._i18n import _, translate_message, translate_stored


@click.group()
def reminders() -> None:
    """Reminder emails planned from the workflow's reminder rules (see docs/reminders.md)."""


def _views(app: Any) -> tuple[Any, Any, Any]:
    from zoneinfo import ZoneInfo

    return app.read_model(), app.reminder_reads(), ZoneInfo(app.settings.timezone)


@reminders.command()
@click.argument("municipality", required=False)
@json_option
@actor_option
def upcoming(municipality: str | None, as_json: bool, actor: str | None) -> None:
    """Preview planned reminders with their dates and the reason for each date.

    Dates are local (Europe/Stockholm). A reminder with no date waits for a board meeting
    to be imported; one marked "pausad" waits for its case to be resumed.

    \b
    Example:
        journey reminders upcoming Karlstad
        journey reminders upcoming --json
    """
    from journey.services.reminders.views import upcoming as upcoming_view

    app = get_app()
    read, queries, tz = _views(app)
    rows = upcoming_view(read, queries, actor, tz, municipality, app.workflows, app.clock.now())
    if as_json:
        echo_json(rows)
        return
    echo_table([_("When (Stockholm)"), _("Municipality"), _("Reminder"), _("To"), _("State"), _("Why this date")],
               [[r["due_local"] or "-", r["municipality"], r["title"], r["recipient"], r["state_title"],
                 (_("[paused] ") if r["held"] else _("[overdue, not sent yet] ") if r["late"] else "") + r["reason"]]
                for r in rows],
               title=_("{count} planned reminder(s)").format(count=len(rows)))
    if any(r["late"] for r in rows):
        echo(_("Overdue reminders go out at the scheduler's next run (`journey reminders send-due`), or expire "
               "if their meeting has been held."))


@reminders.command()
@click.argument("municipality", required=False)
@json_option
@actor_option
def sent(municipality: str | None, as_json: bool, actor: str | None) -> None:
    """List reminders that were sent (and those that failed for good), newest first.

    \b
    Example:
        journey reminders sent Umeå --json
    """
    from journey.services.reminders.views import sent as sent_view

    app = get_app()
    read, queries, tz = _views(app)
    rows = sent_view(read, queries, actor, tz, municipality, app.workflows)
    if as_json:
        echo_json(rows)
        return
    echo_table([_("Sent (Stockholm)"), _("Status"), _("Municipality"), _("Reminder"), _("To"), _("Attempts"), _("Note")],
               [[r["sent_local"] or "-", r["status_label"], r["municipality"], r["title"], r["recipient"], r["attempts"],
                 translate_stored(r["last_error"]) if r["status"] == "FAILED" else r["reason"]] for r in rows],
               title=_("{count} reminder(s)").format(count=len(rows)))


@reminders.command()
@click.argument("municipality", required=False)
@click.option("--id", "reminder_id", type=int, help="Only this reminder (its id from `journey reminders sent --json`).")
@actor_option
def retry(municipality: str | None, reminder_id: int | None, actor: str | None) -> None:
    """Put reminders that failed for good back in the queue, e.g. after adding a missing address.

    They go out at the next sweep. Reminders for a state the case has already left stay failed.

    \b
    Example:
        journey meetings board Karlstad KS --secretary-email ks@karlstad.se
        journey reminders retry Karlstad
    """
    from journey.services.reminders.retry import retry_failed

    result = retry_failed(get_app().deps, actor, municipality, reminder_id)
    ids = f": {', '.join(map(str, result.requeued))}" if result.requeued else ""
    echo(_("{count} reminder(s) back in the queue{ids}").format(count=len(result.requeued), ids=ids))
    for rid, why in result.skipped:
        echo(_("left failed: {rid} ({why})").format(rid=rid, why=why))


@reminders.command("send-due")
@click.option("--batch", default=20, show_default=True, help="Reminders claimed per database round trip.")
def send_due(batch: int) -> None:
    """Send every reminder that is due now, once, then exit (for cron or a manual catch-up).

    Uses the same claim-and-mark sweep as `journey scheduler run`, so it is safe to run
    while the scheduler runs. SMTP settings come from JOURNEY_SMTP_HOST, _PORT, _FROM (the
    sender, required), _USER, _PASSWORD, _STARTTLS, _SSL and _TIMEOUT.

    The sender and the server are checked first: an invalid JOURNEY_SMTP_FROM or a refused
    login exits 78, an unreachable server 75, and every reminder stays queued with no
    attempt counted.

    \b
    Example:
        JOURNEY_SMTP_HOST=smtp.kommun.se JOURNEY_SMTP_FROM=journey@kommun.se journey reminders send-due
    """
    from journey.bootstrap.reminders import sweep_once

    echo(summary(sweep_once(get_app(), batch)))


def summary(result: Any) -> str:
    """One line about a sweep, e.g. ``3 sent (1 late), 0 to retry, 1 failed``."""
    expired, rolled = getattr(result, "expired", 0), getattr(result, "rolled", 0)
    return (_("{sent} sent ({late} late), {retrying} to retry, {failed} failed").format(
                sent=result.sent, late=result.late, retrying=result.retrying, failed=result.failed)
            + (_("; {count} not delivered to every recipient").format(count=result.partial) if result.partial else "")
            + (_("; {count} expired (meeting passed)").format(count=expired) if expired else "")
            + (_("; {count} matters moved to a later meeting").format(count=rolled) if rolled else "")
            + (_("; stopped early: {reason}").format(reason=translate_message(result.stopped)) if result.stopped else ""))
