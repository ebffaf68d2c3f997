"""Use cases for the registry: municipalities (incl. the 12 network ones) and users with roles."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from journey.domain.access import Action, Role, authorize
from journey.domain.addresses import check_address
from journey.domain.errors import InputError, RefusedError
from journey.domain.municipality import NETWORK_MUNICIPALITIES, Municipality, normalize_name, slugify
from journey.services.cases.lifecycle import actor_in, find_municipality
from journey.services.deps import Deps

_CODE = re.compile(r"^\d{4}$")
_USERNAME = re.compile(r"^[\w.@+-]{1,100}$")


@dataclass(frozen=True)
class SeedResult:
    added: list[str]
    existing: list[str]


def add_municipality(deps: Deps, username: str | None, code: str, name: str, county: str = "",
                     workflow: str = "handbook") -> Municipality:
    if not _CODE.match(code):
        raise InputError(f"kommunkod {code!r} must be four digits (e.g. 1280 for Malmö)")
    name = normalize_name(name)
    if not name:
        raise InputError("a municipality needs a name")
    deps.workflows().get(workflow)  # an unknown workflow is an error now, not at `journey open`
    with deps.uow() as uow:
        authorize(actor_in(uow, username), Action.MANAGE_REGISTRY)
        for m in uow.municipalities.list():
            if m.code == code or slugify(m.name) == slugify(name):
                raise RefusedError(f"{m.name} ({m.code}) is already registered")
        added = uow.municipalities.add(Municipality(None, code, name, county, workflow))
        uow.commit()
        return added


def seed_network(deps: Deps, username: str | None) -> SeedResult:
    """Register the 12 municipalities of Utvecklingsnätverk sociala företag; existing ones are kept."""
    with deps.uow() as uow:
        authorize(actor_in(uow, username), Action.MANAGE_REGISTRY)
        known = {m.code for m in uow.municipalities.list()}
        added, existing = [], []
        for m in NETWORK_MUNICIPALITIES:
            if m.code in known:
                existing.append(m.name)
            else:
                uow.municipalities.add(m)
                added.append(m.name)
        uow.commit()
        return SeedResult(added, existing)


def add_user(deps: Deps, username: str | None, new_username: str, role: str, municipality: str | None,
             display_name: str = "", email: str = "") -> None:
    """Register a user. A coordinator belongs to exactly one municipality."""
    if not _USERNAME.match(new_username):
        raise InputError(f"username {new_username!r} may hold letters, digits and . @ + - _ only")
    try:
        parsed = Role(role.upper())
    except ValueError:
        raise InputError(f"role {role!r} must be one of: {', '.join(r.value.lower() for r in Role)}") from None
    if parsed is Role.COORDINATOR and not municipality:
        raise InputError("a coordinator needs --municipality")
    email = check_address(email, "email") if email.strip(" ") else ""
    with deps.uow() as uow:
        actor = actor_in(uow, username)
        authorize(actor, Action.MANAGE_REGISTRY)
        if actor.open_mode and parsed is not Role.ADMIN and uow.users.count() == 0:
            raise RefusedError("register an admin first (`journey users add NAME --role admin`); "
                               "the first user ends open mode")
        if uow.users.find(new_username) is not None:
            raise RefusedError(f"user {new_username!r} already exists")
        municipality_id = find_municipality(uow, municipality).id if municipality else None
        uow.users.add(new_username, parsed.value, municipality_id, display_name, email)
        uow.commit()


def list_users(deps: Deps, username: str | None) -> list[dict[str, Any]]:
    """Every registered user with their municipality's name (SKR staff and admins only)."""
    with deps.uow() as uow:
        authorize(actor_in(uow, username), Action.MANAGE_REGISTRY)
        rows = uow.users.list()
        names = {m.id: m.name for m in uow.municipalities.list()}
    return [{"username": r["username"], "role": r["role"], "municipality": names.get(r["municipality_id"]),
             "name": r["display_name"], "email": r["email"]} for r in rows]
