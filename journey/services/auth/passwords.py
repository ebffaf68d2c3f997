"""Passwords and login sessions: set a password, log in (throttled), look up and end sessions."""

from __future__ import annotations

from dataclasses import dataclass

from journey.domain.access import Actor, Role
from journey.domain.auth import (
    LOGIN_WINDOW,
    MAX_PASSWORD_LENGTH,
    SESSION_LIFETIME,
    SESSION_TOUCH_EVERY,
    check_password,
    digest,
    new_secret,
    throttled,
)
from journey.domain.errors import AuthenticationError, NotFoundError, PermissionDeniedError, TooManyAttemptsError
from journey.domain.messages import msg
from journey.ports.auth import CredentialReads, PasswordHasher
from journey.services.cases.lifecycle import actor_in
from journey.services.deps import Deps

WRONG = msg("fel användarnamn eller lösenord")  # the same words whether the user exists or not


@dataclass(frozen=True)
class LoggedIn:
    """A new session: ``secret`` goes into the cookie and is never stored."""

    secret: str
    actor: Actor


def set_password(deps: Deps, hasher: PasswordHasher, username: str | None, target: str, password: str) -> int:
    """Set ``target``'s password (an admin for anyone, a user for themself); ends their sessions.

    Returns how many sessions were ended.
    """
    check_password(password)
    hashed = hasher.hash(password)  # slow: outside the transaction
    with deps.uow() as uow:
        actor = actor_in(uow, username)
        if not actor.open_mode and actor.role is not Role.ADMIN and actor.username != target:
            raise PermissionDeniedError(msg("{username} ({value}) may not set the password of {target}",
                username=actor.username, value=actor.role.value.lower(), target=target))
        if uow.users.find(target) is None:
            raise NotFoundError(msg("unknown user {target!r} (add it with `journey users add`)", target=target))
        uow.auth.set_password_hash(target, hashed, deps.clock.now())
        ended = uow.auth.end_sessions_of(target)
        uow.commit()
    return ended


_DUMMY: dict[int, str] = {}


def _dummy_hash(hasher: PasswordHasher) -> str:
    """A hash to verify against when the user is unknown, so both cases take as long."""
    key = id(hasher)
    if key not in _DUMMY:
        _DUMMY[key] = hasher.hash(new_secret())
    return _DUMMY[key]


def login(deps: Deps, hasher: PasswordHasher, username: str, password: str, client: str,
          replaces: str | None = None) -> LoggedIn:
    """Check the password and open a new session; ``replaces`` (a session secret the browser had) ends.

    Raises :class:`TooManyAttemptsError` after too many recent failures for the username or the
    client, :class:`AuthenticationError` for a wrong username or password (same message for both).
    """
    now = deps.clock.now()
    username = username.strip()[:200]
    with deps.uow() as uow:
        user_failures, client_failures = uow.auth.failures_since(username, client, now - LOGIN_WINDOW)
        stored = uow.auth.password_hash(username) if username else None
    if throttled(user_failures, client_failures):
        raise TooManyAttemptsError(msg("för många misslyckade inloggningar; vänta en stund och försök igen"),
                                   int(LOGIN_WINDOW.total_seconds()))
    ok = (hasher.verify(stored or _dummy_hash(hasher), password[:MAX_PASSWORD_LENGTH])
          and stored is not None and bool(password))
    rehash = hasher.hash(password) if ok and stored and hasher.needs_rehash(stored) else None
    secret = new_secret()
    with deps.uow() as uow:
        uow.auth.record_attempt(username, client, now, ok)
        if not ok:
            uow.commit()
            raise AuthenticationError(WRONG)
        actor = actor_in(uow, username)
        if replaces:  # session fixation: whatever session the browser brought ends here
            uow.auth.end_session(digest(replaces))
        if rehash:
            uow.auth.set_password_hash(username, rehash, now)
        uow.auth.add_session(digest(secret), username, now, now + SESSION_LIFETIME)
        uow.commit()
    return LoggedIn(secret, actor)


def session_user(deps: Deps, reads: CredentialReads, secret: str) -> str:
    """The username of a valid session (last-seen refreshed now and then); else AuthenticationError.

    Looked up on the read path; a write transaction only to refresh last-seen (at most once a
    minute) or to delete an expired session.
    """
    now = deps.clock.now()
    record = reads.session(digest(secret)) if secret else None
    if record is None or not record.valid_at(now):
        if record is not None:
            logout(deps, secret)
        raise AuthenticationError(msg("inte inloggad, eller sessionen har gått ut: logga in igen"))
    if now - record.last_seen_at >= SESSION_TOUCH_EVERY:
        with deps.uow() as uow:
            uow.auth.touch_session(record.token_hash, now)
            uow.commit()
    return record.username


def logout(deps: Deps, secret: str) -> None:
    with deps.uow() as uow:
        uow.auth.end_session(digest(secret))
        uow.commit()
