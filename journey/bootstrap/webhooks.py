"""Wires outbound webhooks: the planning handler, the HTTP sender, one delivery run."""

from __future__ import annotations

from typing import Any

from journey.services.deps import Deps


def wire_webhooks(app: Any, deps: Deps) -> None:
    from journey.services.webhooks.planning import wire

    wire(deps)


def make_sender(app: Any) -> Any:
    if "webhook_sender" in app.overrides:
        return app.overrides["webhook_sender"]
    from journey.adapters.http.webhook_sender import UrllibSender

    return UrllibSender()


def deliver_once(app: Any, batch: int = 20) -> Any:
    """Send every due webhook delivery now (the scheduler's loop and `journey webhooks send-due`)."""
    from journey.adapters.sql.scheduler_lease import holder_id
    from journey.services.webhooks.delivery import DeliveryOptions, send_due_webhooks

    return send_due_webhooks(app.deps, make_sender(app), DeliveryOptions(holder_id(), batch))
