"""Use cases for the registry: municipalities (incl. the 12 network ones) and users with roles."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from journey.domain import limits
from journey.domain.access import Action, Role, authorize
from journey.domain.addresses import check_address, check_phone
from journey.domain.errors import InputError, RefusedError
from journey.domain.kommuner import KOMMUNER
from journey.domain.messages import msg
from journey.domain.municipality import NETWORK_MUNICIPALITIES, Municipality, slugify
from journey.domain.text import check_name
from journey.services.cases.lifecycle import actor_in, find_municipality
from journey.services.deps import Deps

_USERNAME = re.compile(r"[\w.@+-]+")


@dataclass(frozen=True)
class SeedResult:
    added: list[str]
    existing: list[str]


def add_municipality(deps: Deps, username: str | None, code: str, name: str, county: str = "",
                     workflow: str = "handbook") -> Municipality:
    code = code.strip(" ")
    if not (len(code) == 4 and code.isascii() and code.isdigit()):
        raise InputError(msg("kommunkod {code!r} must be four digits 0-9 (e.g. 1280 for Malmö)", code=code))
    name = check_name(name, msg("municipality name"), limits.MUNICIPALITY_NAME)
    if not any(c.isalpha() for c in name):
        raise InputError(msg("municipality name {name!r} needs letters", name=name))
    county = check_name(county, msg("county"), limits.MUNICIPALITY_NAME, required=False)
    if len(slugify(name)) > limits.MUNICIPALITY_NAME:
        raise InputError(msg("municipality name {name!r} is too long once written in ASCII for file names", name=name))
    deps.workflows().get(workflow)  # an unknown workflow is an error now, not at `journey open`
    with deps.uow() as uow:
        authorize(actor_in(uow, username), Action.MANAGE_REGISTRY)
        for m in uow.municipalities.list():
            if m.code == code or slugify(m.name) == slugify(name):
                raise RefusedError(msg("{name} ({code}) is already registered", name=m.name, code=m.code))
        added = uow.municipalities.add(Municipality(None, code, name, county, workflow))
        uow.commit()
        return added


def seed_network(deps: Deps, username: str | None) -> SeedResult:
    """Register the 12 municipalities of Utvecklingsnätverk sociala företag; existing ones are kept."""
    return _seed(deps, username, NETWORK_MUNICIPALITIES)


def seed_all(deps: Deps, username: str | None) -> SeedResult:
    """Register all 290 Swedish municipalities (SCB's list); existing ones are kept."""
    return _seed(deps, username, tuple(Municipality(None, k.code, k.name, k.county) for k in KOMMUNER))


def _seed(deps: Deps, username: str | None, municipalities: tuple[Municipality, ...]) -> SeedResult:
    """One transaction; a municipality already registered by kommunkod or by name is left as it is."""
    with deps.uow() as uow:
        authorize(actor_in(uow, username), Action.MANAGE_REGISTRY)
        registered = uow.municipalities.list()
        codes, names = {m.code for m in registered}, {slugify(m.name) for m in registered}
        added, existing = [], []
        for m in municipalities:
            if m.code in codes or slugify(m.name) in names:
                existing.append(m.name)
            else:
                uow.municipalities.add(m)
                added.append(m.name)
        uow.commit()
        return SeedResult(added, existing)


def check_username(username: str) -> str:
    """A username: letters, digits and . @ + - _ (one script, ASCII digits), at most 100 characters."""
    if not _USERNAME.fullmatch(username):
        raise InputError(msg("username {username!r} may hold letters, digits and . @ + - _ only", username=username))
    return check_name(username, msg("username"), limits.USERNAME)


def add_user(deps: Deps, username: str | None, new_username: str, role: str, municipality: str | None,
             display_name: str = "", email: str = "", phone: str = "") -> None:
    """Register a user. A coordinator belongs to exactly one municipality."""
    new_username = check_username(new_username)
    display_name = check_name(display_name, msg("display name"), limits.DISPLAY_NAME, required=False)
    try:
        parsed = Role(role.upper())
    except ValueError:
        raise InputError(msg("role {role!r} must be one of: {value}",
            role=role, value=', '.join(r.value.lower() for r in Role))) from None
    if parsed in (Role.COORDINATOR, Role.MANAGER) and not municipality:
        raise InputError(msg("a {value} needs --municipality", value=parsed.value.lower()))
    email = check_address(email, msg("email")) if email.strip(" ") else ""
    phone = check_phone(phone)
    with deps.uow() as uow:
        actor = actor_in(uow, username)
        authorize(actor, Action.MANAGE_REGISTRY)
        if actor.open_mode and parsed is not Role.ADMIN and uow.users.count() == 0:
            raise RefusedError(msg("register an admin first (`journey users add NAME --role admin`); the first user ends "
                                   "open mode"))
        if uow.users.find(new_username) is not None:
            raise RefusedError(msg("user {new_username!r} already exists", new_username=new_username))
        municipality_id = find_municipality(uow, municipality).id if municipality else None
        uow.users.add(new_username, parsed.value, municipality_id, display_name, email, phone)
        uow.commit()


def list_users(deps: Deps, username: str | None) -> list[dict[str, Any]]:
    """Every registered user with their municipality's name (SKR staff and admins only)."""
    with deps.uow() as uow:
        authorize(actor_in(uow, username), Action.MANAGE_REGISTRY)
        rows = uow.users.list()
        names = {m.id: m.name for m in uow.municipalities.list()}
    return [{"username": r["username"], "role": r["role"], "municipality": names.get(r["municipality_id"]),
             "name": r["display_name"], "email": r["email"], "phone": r.get("phone") or ""} for r in rows]
