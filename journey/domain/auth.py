"""Credentials for the shared deployment: password rules, session and token secrets, login throttling.

Secrets (session cookies, API tokens, calendar feed tokens) are random, shown to their owner once
and stored only as SHA-256 digests: whoever reads the database cannot log in with them. Passwords
are hashed by a slow hasher (argon2, an adapter); this module only states the rules.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from journey.domain.errors import InputError
from journey.domain.messages import msg

MIN_PASSWORD_LENGTH = 12
MAX_PASSWORD_LENGTH = 1024  # a hasher given megabytes would be a denial of service
SESSION_LIFETIME = timedelta(hours=12)  # absolute: log in again after this, however active
SESSION_IDLE = timedelta(hours=2)  # idle sessions end sooner
SESSION_TOUCH_EVERY = timedelta(minutes=1)  # how often last-seen is written (not on every request)
LOGIN_WINDOW = timedelta(minutes=15)
MAX_FAILURES_PER_USER = 5  # failed logins per username within the window
MAX_FAILURES_PER_CLIENT = 20  # failed logins per client address within the window
TOKEN_PREFIX = "jt_"  # API and feed tokens start with this, so a leaked one can be found in logs and code
PREFIX_SHOWN = 10  # how much of a token `journey tokens list` shows (prefix + a few characters)


class TokenScope(StrEnum):
    """Stored values never change meaning."""

    API = "api"  # bearer token for the JSON API, acting as its user
    FEED = "feed"  # read-only calendar feed of one municipality, usable in a URL


def check_password(password: str) -> None:
    """Raise :class:`InputError` unless ``password`` is acceptable (length only: passphrases welcome)."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise InputError(msg("the password must have at least {min_password_length} characters",
            min_password_length=MIN_PASSWORD_LENGTH))
    if len(password) > MAX_PASSWORD_LENGTH:
        raise InputError(msg("the password must have at most {max_password_length} characters",
            max_password_length=MAX_PASSWORD_LENGTH))
    if password.strip() != password or "\n" in password:
        raise InputError(msg("the password must not start or end with white space"))


def new_secret() -> str:
    """A random URL-safe secret with 256 bits of entropy (sessions)."""
    return secrets.token_urlsafe(32)


def new_token() -> str:
    """A random API or feed token: ``jt_`` and 256 bits of entropy."""
    return TOKEN_PREFIX + secrets.token_urlsafe(32)


def digest(secret: str) -> str:
    """The stored form of a session or token secret (SHA-256 hex): enough for 256-bit random secrets."""
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def csrf_token(session_secret: str) -> str:
    """The anti-CSRF token of a session: derived from the cookie's secret, never stored."""
    return hmac.new(session_secret.encode("utf-8"), b"journey-csrf", hashlib.sha256).hexdigest()


def same_secret(a: str, b: str) -> bool:
    """Constant-time comparison of two secrets."""
    return hmac.compare_digest(a.encode("utf-8"), b.encode("utf-8"))


@dataclass(frozen=True)
class SessionRecord:
    """A stored login session (``token_hash`` is the digest of the cookie's secret)."""

    token_hash: str
    username: str
    created_at: datetime
    last_seen_at: datetime
    expires_at: datetime

    def valid_at(self, now: datetime) -> bool:
        return now < self.expires_at and now - self.last_seen_at < SESSION_IDLE


@dataclass(frozen=True)
class TokenRecord:
    """A stored API or feed token; ``municipality_id`` is set for feed tokens."""

    id: int
    username: str
    name: str
    scope: TokenScope
    prefix: str
    municipality_id: int | None
    created_at: datetime
    created_by: str
    last_used_at: datetime | None = None
    revoked_at: datetime | None = None

    @property
    def active(self) -> bool:
        return self.revoked_at is None


def throttled(user_failures: int, client_failures: int) -> bool:
    """True when another login attempt must wait (too many recent failures for the user or the client)."""
    return user_failures >= MAX_FAILURES_PER_USER or client_failures >= MAX_FAILURES_PER_CLIENT
