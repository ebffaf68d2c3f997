"""Manage webhook subscriptions (admins) and look at the outbox."""

from __future__ import annotations

import secrets
from dataclasses import asdict
from typing import Any

from journey.domain.access import Role, require_role
from journey.domain.errors import NotFoundError
from journey.domain.messages import msg
from journey.domain.webhooks import check_url, parse_event_types
from journey.services.cases.lifecycle import actor_in, find_municipality
from journey.services.deps import Deps


def add_webhook(deps: Deps, username: str | None, url: str, events: tuple[str, ...] = (),
                municipality: str | None = None) -> dict[str, Any]:
    """Subscribe ``url``; returns the row with its signing ``secret`` (shown once by the CLI)."""
    check_url(url)
    types = parse_event_types(events)
    secret = "whsec_" + secrets.token_urlsafe(32)
    with deps.uow() as uow:
        actor = actor_in(uow, username)
        require_role(actor, {Role.ADMIN}, "manage webhooks")
        municipality_id = find_municipality(uow, municipality).id if municipality else None
        webhook_id = uow.webhooks.add_subscription(url, secret, types, municipality_id, deps.clock.now(),
                                                   actor.username)
        uow.commit()
    return {"id": webhook_id, "url": url, "events": list(types), "municipality": municipality, "secret": secret}


def list_webhooks(deps: Deps, username: str | None) -> list[dict[str, Any]]:
    """Subscriptions without their secrets, with counts of pending and failed deliveries."""
    with deps.uow() as uow:
        require_role(actor_in(uow, username), {Role.ADMIN}, "manage webhooks")
        names = {m.id: m.name for m in uow.municipalities.list()}
        pending = uow.webhooks.deliveries("PLANNED", 100000)
        failed = uow.webhooks.deliveries("FAILED", 100000)
        rows = []
        for s in uow.webhooks.subscriptions(active_only=False):
            row = asdict(s)
            row.pop("secret")
            row["municipality"] = names.get(s.municipality_id)
            row["created_at"] = s.created_at.isoformat()
            row["pending"] = sum(1 for d in pending if d.webhook_id == s.id)
            row["failed"] = sum(1 for d in failed if d.webhook_id == s.id)
            rows.append(row)
        return rows


def remove_webhook(deps: Deps, username: str | None, webhook_id: int) -> None:
    with deps.uow() as uow:
        require_role(actor_in(uow, username), {Role.ADMIN}, "manage webhooks")
        if not uow.webhooks.deactivate(webhook_id):
            raise NotFoundError(msg("no active webhook with id {webhook_id} (see `journey webhooks list`)",
                webhook_id=webhook_id))
        uow.commit()
