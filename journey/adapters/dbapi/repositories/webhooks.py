"""The webhooks' hot read in plain SQL: the subscriptions every change is checked against."""

from __future__ import annotations

from typing import Any

from journey.adapters.dbapi.repositories.base import PlainReads
from journey.adapters.sql.stored import utc
from journey.ports.webhooks import Subscription

_SUBSCRIPTION = "id, url, secret, event_types, municipality_id, active, created_at, created_by"


def _subscription(r: tuple[Any, ...]) -> Subscription:
    return Subscription(r[0], r[1], r[2], tuple(r[3].split()), r[4], bool(r[5]), utc(r[6]), r[7])


class PlainWebhookReads(PlainReads):
    def subscriptions(self, active_only: bool = True) -> list[Subscription]:
        sql, params = f"SELECT {_SUBSCRIPTION} FROM webhook", list[Any]()
        if active_only:
            sql, params = sql + " WHERE active = ?", [True]
        return [_subscription(r) for r in self._all(sql + " ORDER BY id", params)]
