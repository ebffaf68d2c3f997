"""``journey webhooks``: outbound CloudEvents webhooks for state changes, decisions and documents."""

from __future__ import annotations

import click

from journey.cli._common import actor_option, echo_json, echo_table, get_app, json_option
from journey.cli._i18n import _


@click.group()
def webhooks() -> None:
    """Subscribe URLs to journey's events and send the outbox (admins)."""


@webhooks.command("add")
@click.argument("url")
@click.option("--event", "events", multiple=True, metavar="TYPE",
              help="Only these events (repeatable): case.opened, case.state_changed, case.paused, case.resumed, "
                   "case.migrated, decision.recorded, document.created (or the last word). Default: all.")
@click.option("--municipality", metavar="NAME", help="Only this municipality's events.")
@actor_option
def add(url: str, events: tuple[str, ...], municipality: str | None, actor: str | None) -> None:
    """Subscribe URL; prints the signing secret once (HMAC-SHA256, see docs/security.md).

    \b
    Example:
        journey webhooks add https://diarium.kommun.se/journey --event state_changed --as admin
    """
    from journey.services.webhooks.subscriptions import add_webhook

    row = add_webhook(get_app().deps, actor, url, events, municipality)
    click.echo(row["secret"])
    click.echo(_("webhook #{id} -> {url} ({value}); the secret above is shown only now").format(
        id=row['id'], url=row['url'], value=', '.join(row['events']) or _('every event')), err=True)


@webhooks.command("list")
@json_option
@actor_option
def list_(as_json: bool, actor: str | None) -> None:
    """List subscriptions with pending and failed deliveries (secrets are never shown).

    \b
    Example:
        journey webhooks list --as admin
    """
    from journey.services.webhooks.subscriptions import list_webhooks

    rows = list_webhooks(get_app().deps, actor)
    if as_json:
        echo_json(rows)
        return
    echo_table([_("Id"), _("URL"), _("Events"), _("Municipality"), _("Active"), _("Pending"), _("Failed")],
               [[r["id"], r["url"], " ".join(t.rsplit(".", 1)[-1] for t in r["event_types"]) or "all",
                 r["municipality"] or "", "yes" if r["active"] else "no", r["pending"], r["failed"]] for r in rows])


@webhooks.command("remove")
@click.argument("webhook_id", type=int)
@actor_option
def remove(webhook_id: int, actor: str | None) -> None:
    """Stop sending to webhook WEBHOOK_ID (its pending deliveries fail).

    \b
    Example:
        journey webhooks remove 2 --as admin
    """
    from journey.services.webhooks.subscriptions import remove_webhook

    remove_webhook(get_app().deps, actor, webhook_id)
    click.echo(_("webhook #{webhook_id} removed").format(webhook_id=webhook_id))


@webhooks.command("send-due")
def send_due() -> None:
    """Send every due webhook delivery now (the scheduler does this on each tick).

    \b
    Example:
        journey webhooks send-due
    """
    from journey.bootstrap.webhooks import deliver_once

    result = deliver_once(get_app())
    click.echo(_("{sent} sent, {retrying} to retry, {failed} failed").format(
        sent=result.sent, retrying=result.retrying, failed=result.failed))
