"""Send planned webhook deliveries: claim, sign, POST, settle. Safe to run from several processes.

At least once: a receiver may see an event twice (a crash between its 2xx and our SENT mark);
the CloudEvents ``id`` is stable, so receivers de-duplicate on it. Non-2xx answers and network
errors are retried with growing delays (:func:`journey.domain.webhooks.retry_delay`) up to
``MAX_ATTEMPTS``; ``410 Gone`` gives up at once.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import timedelta

from journey.domain.webhooks import CONTENT_TYPE, MAX_ATTEMPTS, DeliveryStatus, retry_delay, signature
from journey.ports.webhooks import Delivery, WebhookSender
from journey.services.deps import Deps

log = logging.getLogger("journey.webhooks")


@dataclass
class DeliveryResult:
    sent: int = 0
    retrying: int = 0
    failed: int = 0


@dataclass(frozen=True)
class DeliveryOptions:
    worker: str
    batch: int = 20
    lease: timedelta = timedelta(minutes=5)
    timeout: float = 10.0


def _settle(deps: Deps, d: Delivery, worker: str, **values: object) -> None:
    with deps.uow() as uow:
        done = uow.webhooks.finish(d.id, worker, **values)
        uow.commit()
    if not done:
        log.warning("webhook delivery %s was taken over by another worker (lease expired?)", d.id)


def send_due_webhooks(deps: Deps, sender: WebhookSender, options: DeliveryOptions) -> DeliveryResult:
    result = DeliveryResult()
    while True:
        now = deps.clock.now()
        with deps.uow() as uow:
            claimed = uow.webhooks.claim_due(now, options.batch, options.worker, now + options.lease)
            subscriptions = {s.id: s for s in uow.webhooks.subscriptions(active_only=False)}
            uow.commit()
        if not claimed:
            return result
        for d in claimed:
            sub = subscriptions.get(d.webhook_id)
            if sub is None or not sub.active:
                result.failed += 1
                _settle(deps, d, options.worker, status=DeliveryStatus.FAILED.value, send_after=None,
                        last_error="the subscription was removed")
                continue
            body = d.body.encode("utf-8")
            timestamp = int(now.timestamp())
            headers = {"Content-Type": CONTENT_TYPE, "User-Agent": "journey-webhooks/1",
                       "X-Journey-Event": d.event_type, "X-Journey-Delivery": str(d.id),
                       "X-Journey-Timestamp": str(timestamp), "X-Journey-Signature": signature(sub.secret, timestamp, body)}
            answer = sender.post(sub.url, body, headers, options.timeout)
            if 200 <= answer.status < 300:
                result.sent += 1
                _settle(deps, d, options.worker, status=DeliveryStatus.SENT.value, sent_at=now, send_after=None,
                        last_status=answer.status, last_error="")
                continue
            error = (answer.error or f"HTTP {answer.status}")[:1000]
            if answer.status == 410 or d.attempts >= MAX_ATTEMPTS:
                result.failed += 1
                _settle(deps, d, options.worker, status=DeliveryStatus.FAILED.value, send_after=None,
                        last_status=answer.status or None, last_error=error)
                log.error("webhook delivery %s to %s failed for good: %s", d.id, sub.url, error)
            else:
                result.retrying += 1
                _settle(deps, d, options.worker, status=DeliveryStatus.PLANNED.value,
                        send_after=now + retry_delay(d.attempts), last_status=answer.status or None, last_error=error)
                log.warning("webhook delivery %s to %s will be retried: %s", d.id, sub.url, error)
