"""Outbound webhooks: CloudEvents 1.0 envelopes, HMAC-SHA256 signatures, the retry schedule.

A subscriber receives one HTTP POST per event with ``Content-Type: application/cloudevents+json``
(CloudEvents structured mode) and the headers ``X-Journey-Timestamp`` (Unix seconds) and
``X-Journey-Signature: sha256=<hex>``, the HMAC-SHA256 of ``<timestamp>.<body>`` under the
subscription's secret. Verify the signature and reject timestamps older than a few minutes.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from journey.domain.errors import InputError
from journey.domain.messages import msg

SOURCE = "urn:journey"
SPEC_VERSION = "1.0"
MAX_ATTEMPTS = 10
CONTENT_TYPE = "application/cloudevents+json; charset=utf-8"


class EventType(StrEnum):
    """CloudEvents ``type`` values; stored, so they never change meaning."""

    CASE_OPENED = "se.skr.journey.case.opened"
    STATE_CHANGED = "se.skr.journey.case.state_changed"
    CASE_PAUSED = "se.skr.journey.case.paused"
    CASE_RESUMED = "se.skr.journey.case.resumed"
    CASE_MIGRATED = "se.skr.journey.case.migrated"
    DECISION_RECORDED = "se.skr.journey.decision.recorded"
    DOCUMENT_CREATED = "se.skr.journey.document.created"


class DeliveryStatus(StrEnum):
    PLANNED = "PLANNED"
    SENDING = "SENDING"
    SENT = "SENT"
    FAILED = "FAILED"


# Evidence kinds that are a decision of a political body (protokollsutdrag): announced as decisions.
DECISION_EVIDENCE = ("board_decision",)

_URL = re.compile(r"^https?://[^\s/$.?#][^\s]*$", re.IGNORECASE)


def check_url(url: str) -> str:
    if not _URL.match(url) or len(url) > 1000:
        raise InputError(msg("webhook URL {url!r} must be an http:// or https:// address", url=url))
    return url


def parse_event_types(names: tuple[str, ...]) -> tuple[str, ...]:
    """Full types, short ones (``decision.recorded``) or their last word (``state_changed``); empty means all."""
    short = {t.value.removeprefix("se.skr.journey."): t.value for t in EventType}
    known = {k.rsplit(".", 1)[-1]: v for k, v in short.items()} | short | {t.value: t.value for t in EventType}
    chosen = []
    for name in names:
        if name not in known:
            raise InputError(msg("unknown webhook event {name!r}; known: {short}",
                name=name, short=', '.join(sorted(short))))
        chosen.append(known[name])
    return tuple(sorted(set(chosen)))


def cloud_event(event_id: str, event_type: str, subject: str, time: datetime, data: dict[str, Any]) -> dict[str, Any]:
    """A CloudEvents 1.0 envelope (structured mode)."""
    return {"specversion": SPEC_VERSION, "id": event_id, "source": SOURCE, "type": event_type, "subject": subject,
            "time": time.isoformat().replace("+00:00", "Z"), "datacontenttype": "application/json", "data": data}


def body_of(envelope: dict[str, Any]) -> bytes:
    return json.dumps(envelope, ensure_ascii=False, sort_keys=True, default=str).encode("utf-8")


def signature(secret: str, timestamp: int, body: bytes) -> str:
    """``sha256=<hex>``: HMAC-SHA256 over ``<timestamp>.<body>`` with the subscription's secret."""
    mac = hmac.new(secret.encode("utf-8"), str(timestamp).encode("ascii") + b"." + body, hashlib.sha256)
    return "sha256=" + mac.hexdigest()


def retry_delay(attempts: int) -> timedelta:
    """1, 2, 4 … minutes, at most 6 hours between attempts."""
    return min(timedelta(minutes=2 ** max(0, attempts - 1)), timedelta(hours=6))
