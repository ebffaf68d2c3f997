"""API tokens (bearer) and calendar-feed tokens: created and shown once, stored hashed, revocable."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from journey.domain.access import Action, Actor, Role, authorize
from journey.domain.auth import PREFIX_SHOWN, TokenRecord, TokenScope, digest, new_token
from journey.domain.errors import AuthenticationError, InputError, NotFoundError, PermissionDeniedError
from journey.domain.messages import msg
from journey.ports.auth import CredentialReads
from journey.services.cases.lifecycle import actor_in, find_municipality
from journey.services.deps import Deps


@dataclass(frozen=True)
class NewToken:
    id: int
    username: str
    token: str  # shown once, never stored
    scope: str
    municipality: str | None


def _may_manage(actor: Actor, owner: str) -> None:
    if actor.open_mode or actor.role is Role.ADMIN or actor.username == owner:
        return
    raise PermissionDeniedError(msg("{username} ({value}) may not manage the tokens of {owner}",
        username=actor.username, value=actor.role.value.lower(), owner=owner))


def create_token(deps: Deps, username: str | None, owner: str, name: str = "",
                 feed_municipality: str | None = None) -> NewToken:
    """A new token acting as ``owner``: an API token, or a feed token for one municipality's calendar."""
    if len(name) > 200:
        raise InputError(msg("a token name has at most 200 characters"))
    secret = new_token()
    with deps.uow() as uow:
        actor = actor_in(uow, username)
        _may_manage(actor, owner)
        user = uow.users.find(owner)
        if user is None:
            raise NotFoundError(msg("unknown user {owner!r} (add it with `journey users add`)", owner=owner))
        municipality_id, municipality = None, None
        if feed_municipality:
            m = find_municipality(uow, feed_municipality)
            owner_actor = actor_in(uow, owner)
            authorize(owner_actor, Action.READ, m.id, m.name)  # the feed shows only what its owner may read
            municipality_id, municipality = m.id, m.name
        scope = TokenScope.FEED if feed_municipality else TokenScope.API
        token_id = uow.auth.add_token(digest(secret), owner, name, scope.value, secret[:PREFIX_SHOWN],
                                      municipality_id, deps.clock.now(), actor.username)
        uow.commit()
    return NewToken(token_id, owner, secret, scope.value, municipality)


def _present(t: TokenRecord, names: dict[int | None, str]) -> dict[str, Any]:
    row = asdict(t)
    row["scope"] = t.scope.value
    row["municipality"] = names.get(t.municipality_id)
    row["active"] = t.active
    for key in ("created_at", "last_used_at", "revoked_at"):
        row[key] = row[key].isoformat() if row[key] else None
    return row


def list_tokens(deps: Deps, username: str | None, owner: str | None = None) -> list[dict[str, Any]]:
    """Tokens (never their secrets: only the first characters) of ``owner``, or of everyone for an admin."""
    with deps.uow() as uow:
        actor = actor_in(uow, username)
        if owner is None and not (actor.open_mode or actor.role is Role.ADMIN):
            owner = actor.username
        if owner is not None:
            _may_manage(actor, owner)
        names: dict[int | None, str] = {m.id: m.name for m in uow.municipalities.list()}
        return [_present(t, names) for t in uow.auth.tokens(owner)]


def revoke_token(deps: Deps, username: str | None, token_id: int) -> dict[str, Any]:
    with deps.uow() as uow:
        actor = actor_in(uow, username)
        found = next((t for t in uow.auth.tokens() if t.id == token_id), None)
        if found is None:
            raise NotFoundError(msg("no token with id {token_id} (see `journey tokens list`)", token_id=token_id))
        _may_manage(actor, found.username)
        revoked = uow.auth.revoke_token(token_id, deps.clock.now())
        uow.commit()
        assert revoked is not None
        return _present(revoked, {})


def _valid(deps: Deps, reads: CredentialReads, secret: str, scope: TokenScope) -> TokenRecord:
    record = reads.token(digest(secret)) if secret else None
    if record is None or not record.active or record.scope is not scope:
        raise AuthenticationError(msg("ogiltig eller återkallad token"))
    now = deps.clock.now()
    if record.last_used_at is None or (now - record.last_used_at).total_seconds() >= 60:
        with deps.uow() as uow:
            uow.auth.touch_token(record.id, now)
            uow.commit()
    return record


def token_user(deps: Deps, reads: CredentialReads, secret: str) -> str:
    """The username an API bearer token acts as; AuthenticationError if unknown, revoked or a feed token."""
    return _valid(deps, reads, secret, TokenScope.API).username


def feed_user(deps: Deps, reads: CredentialReads, secret: str, municipality_id: int) -> str:
    """The username a calendar-feed token reads as, if it was made for this municipality."""
    record = _valid(deps, reads, secret, TokenScope.FEED)
    if record.municipality_id != municipality_id:
        raise AuthenticationError(msg("token för en annan kommuns kalender"))
    return record.username
