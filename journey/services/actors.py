"""Turn a username into an :class:`Actor`, and municipality text into a municipality."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from journey.domain import limits
from journey.domain.access import Actor, Role
from journey.domain.errors import NotFoundError, PermissionDeniedError
from journey.domain.messages import msg
from journey.domain.text import check_name


def default_username(explicit: str | None) -> str:
    """The entry point passes the login name when neither --as nor JOURNEY_USER was given."""
    return explicit or "unknown"


def resolve_actor(username: str | None, find_user: Callable[[str], dict[str, Any] | None],
                  count_users: Callable[[], int]) -> Actor:
    """While no user is registered everyone acts in open mode; afterwards only registered users."""
    name = default_username(username)
    user = find_user(name)
    if user is None:
        if count_users() == 0:  # the name goes into the history as it is: check it like a username
            return Actor(check_name(name, msg("acting user (--as)"), limits.USERNAME), Role.ADMIN, None, open_mode=True)
        raise PermissionDeniedError(msg("{name!r} is not a registered user (use --as NAME or JOURNEY_USER; an "
                                        "admin adds users with `journey users add`)", name=name))
    return Actor(user["username"], Role(user["role"]), user.get("municipality_id"))


def match_municipality(query: str, rows: list[dict[str, Any]]) -> dict[str, Any]:
    """Find a municipality by kommunkod, name or ASCII slug ('Malmö', 'malmo', '1280')."""
    # imported here, so that resolve_actor alone (journey monitor) does not load the register of every kommun
    from journey.domain.municipality import normalize_name, slugify

    q = normalize_name(query)
    for row in rows:
        if q == row["code"] or q.casefold() == row["name"].casefold() or slugify(q) == row["slug"]:
            return row
    import difflib

    names = [r["name"] for r in rows]
    close = difflib.get_close_matches(q, names, n=1, cutoff=0.6) or difflib.get_close_matches(
        slugify(q), [r["slug"] for r in rows], n=1, cutoff=0.6)
    hint = msg("; did you mean {name!r}?", name=next((r['name'] for r in rows if r['slug'] in close), close[0])) \
        if close else ""
    if not rows:
        hint = msg("; no municipalities are registered (try `journey municipalities seed`)")
    raise NotFoundError(msg("unknown municipality {query!r}{hint}", query=query, hint=hint))
