"""Fakes of the web server's ports: credentials (``uow.auth``) and the webhook outbox (``uow.webhooks``)."""

from __future__ import annotations

import copy
import dataclasses
from datetime import datetime
from typing import Any

from journey.domain.auth import LOGIN_WINDOW, SessionRecord, TokenRecord, TokenScope
from journey.ports.webhooks import Delivery, Subscription
from tests.fakes.repositories import _Repository


class FakeCredentialRepository(_Repository):
    def password_hash(self, username: str) -> str | None:
        return self.t.passwords.get(username)

    def set_password_hash(self, username: str, password_hash: str, at: datetime) -> None:
        self.t.passwords[username] = password_hash

    def add_session(self, token_hash: str, username: str, at: datetime, expires_at: datetime) -> None:
        self.t.sessions[token_hash] = SessionRecord(token_hash, username, at, at, expires_at)

    def session(self, token_hash: str) -> SessionRecord | None:
        return self.t.sessions.get(token_hash)

    def touch_session(self, token_hash: str, at: datetime) -> None:
        if token_hash in self.t.sessions:
            self.t.sessions[token_hash] = dataclasses.replace(self.t.sessions[token_hash], last_seen_at=at)

    def end_session(self, token_hash: str) -> None:
        self.t.sessions.pop(token_hash, None)

    def end_sessions_of(self, username: str) -> int:
        ended = [k for k, s in self.t.sessions.items() if s.username == username]
        for key in ended:
            del self.t.sessions[key]
        return len(ended)

    def add_token(self, token_hash: str, username: str, name: str, scope: str, prefix: str,
                  municipality_id: int | None, at: datetime, created_by: str) -> int:
        token_id = self.t.next_id("api_token")
        self.t.tokens[token_hash] = TokenRecord(token_id, username, name, TokenScope(scope), prefix, municipality_id,
                                                at, created_by)
        return token_id

    def token(self, token_hash: str) -> TokenRecord | None:
        return self.t.tokens.get(token_hash)

    def tokens(self, username: str | None = None) -> list[TokenRecord]:
        return sorted((t for t in self.t.tokens.values() if username is None or t.username == username),
                      key=lambda t: t.id)

    def _by_id(self, token_id: int) -> tuple[str, TokenRecord] | None:
        return next(((k, t) for k, t in self.t.tokens.items() if t.id == token_id), None)

    def revoke_token(self, token_id: int, at: datetime) -> TokenRecord | None:
        found = self._by_id(token_id)
        if found is None:
            return None
        key, token = found
        if token.revoked_at is None:
            token = self.t.tokens[key] = dataclasses.replace(token, revoked_at=at)
        return token

    def touch_token(self, token_id: int, at: datetime) -> None:
        found = self._by_id(token_id)
        if found is not None:
            self.t.tokens[found[0]] = dataclasses.replace(found[1], last_used_at=at)

    def record_attempt(self, username: str, client: str, at: datetime, success: bool) -> None:
        self.t.login_attempts[:] = [a for a in self.t.login_attempts if a[2] >= at - 4 * LOGIN_WINDOW]
        self.t.login_attempts.append((username, client, at, success))

    def failures_since(self, username: str, client: str, since: datetime) -> tuple[int, int]:
        failed = [a for a in self.t.login_attempts if not a[3] and a[2] >= since]
        return sum(a[0] == username for a in failed), sum(a[1] == client for a in failed)


class FakeWebhookRepository(_Repository):
    def add_subscription(self, url: str, secret: str, event_types: tuple[str, ...], municipality_id: int | None,
                         at: datetime, created_by: str) -> int:
        webhook_id = self.t.next_id("webhook")
        self.t.webhooks[webhook_id] = Subscription(webhook_id, url, secret, event_types, municipality_id, True, at,
                                                   created_by)
        return webhook_id

    def subscriptions(self, active_only: bool = True) -> list[Subscription]:
        return [s for _, s in sorted(self.t.webhooks.items()) if s.active or not active_only]

    def subscription(self, webhook_id: int) -> Subscription | None:
        return self.t.webhooks.get(webhook_id)

    def deactivate(self, webhook_id: int) -> bool:
        found = self.t.webhooks.get(webhook_id)
        if found is None:
            return False
        self.t.webhooks[webhook_id] = dataclasses.replace(found, active=False)
        return True

    def plan(self, webhook_id: int, event_id: str, event_type: str, body: str, at: datetime) -> None:
        delivery_id = self.t.next_id("webhook_delivery")
        self.t.deliveries[delivery_id] = {"delivery": Delivery(delivery_id, webhook_id, event_id, event_type, body,
                                                               "PLANNED", 0, at, at), "claimed_by": ""}

    def claim_due(self, now: datetime, limit: int, worker: str, lease_until: datetime) -> list[Delivery]:
        """Compare-and-set, as the SQL adapter: due PLANNED rows and SENDING rows whose lease ran out."""
        due = sorted((row["delivery"].send_after, i) for i, row in self.t.deliveries.items()
                     if row["delivery"].status in ("PLANNED", "SENDING") and row["delivery"].send_after is not None
                     and row["delivery"].send_after <= now)
        claimed = []
        for _, i in due[:limit]:
            row = self.t.deliveries[i]
            d = row["delivery"]
            row["delivery"] = dataclasses.replace(d, status="SENDING", send_after=lease_until, attempts=d.attempts + 1)
            row["claimed_by"] = worker
            claimed.append(row["delivery"])
        return copy.deepcopy(sorted(claimed, key=lambda d: d.id))

    def finish(self, delivery_id: int, worker: str, **values: Any) -> bool:
        row = self.t.deliveries.get(delivery_id)
        if row is None or row["delivery"].status != "SENDING" or row["claimed_by"] != worker:
            return False
        row["delivery"] = dataclasses.replace(row["delivery"], **values)
        return True

    def deliveries(self, status: str | None = None, limit: int = 100) -> list[Delivery]:
        rows = [row["delivery"] for _, row in sorted(self.t.deliveries.items(), reverse=True)]
        return [d for d in rows if status is None or d.status == status][:limit]
