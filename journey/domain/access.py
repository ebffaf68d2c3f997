"""Who may do what: coordinators act on their own municipality, SKR staff read everything.

Process supporters (SKR's processtödjare, who support municipalities at a distance) read every
municipality like SKR staff but change nothing and do not manage the registry.
A manager (närmaste chef) reads their own municipality and approves its people's attested ESF months.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from typing import TypeVar

from journey.domain.errors import PermissionDeniedError
from journey.domain.messages import msg

T = TypeVar("T")


class Role(StrEnum):
    COORDINATOR = "COORDINATOR"  # lokal projektsamordnare: reads and advances own municipality
    SKR = "SKR"  # SKR project staff: reads all, manages the registry of municipalities and users
    ADMIN = "ADMIN"  # operator: everything, including corrections on any case
    PROCESS_SUPPORTER = "PROCESS_SUPPORTER"  # SKR processtödjare: reads every municipality, changes nothing
    MANAGER = "MANAGER"  # närmaste chef: reads own municipality, approves its people's attested ESF months


class Action(StrEnum):
    READ = "read"
    CHANGE_CASE = "change case"
    MANAGE_REGISTRY = "manage registry"
    APPROVE_HOURS = "approve hours"  # a manager approves attested months of time reports
    MANAGE_CLAIMS = "manage ESF claims"  # claim periods, locking, the network's ESF settings


@dataclass(frozen=True)
class Actor:
    """The person behind a command. ``open_mode`` is set while no users are registered."""

    username: str
    role: Role
    municipality_id: int | None = None
    open_mode: bool = False


def sees_every_municipality(actor: Actor) -> bool:
    """SKR staff, admins and open mode read every municipality; a coordinator only their own."""
    return actor.open_mode or actor.role in (Role.SKR, Role.ADMIN, Role.PROCESS_SUPPORTER)


def visible_municipality_ids(actor: Actor) -> frozenset[int] | None:
    """The municipalities ``actor`` may read: None for all, else the coordinator's own (possibly none)."""
    if sees_every_municipality(actor):
        return None
    return frozenset() if actor.municipality_id is None else frozenset({actor.municipality_id})


def visible(actor: Actor, rows: list[T], key: Callable[[T], int | None]) -> list[T]:
    """The rows ``actor`` may read, ``key`` giving each row's municipality id."""
    allowed = visible_municipality_ids(actor)
    return rows if allowed is None else [r for r in rows if key(r) in allowed]


ACTION_TEXT = {Action.READ: msg("read"), Action.CHANGE_CASE: msg("change case"),
               Action.MANAGE_REGISTRY: msg("manage registry"), Action.APPROVE_HOURS: msg("approve hours"),
               Action.MANAGE_CLAIMS: msg("manage ESF claims")}  # what a refusal says the actor may not do


def authorize(actor: Actor, action: Action, municipality_id: int | None = None, municipality: str = "") -> None:
    """Raise :class:`PermissionDeniedError` unless ``actor`` may perform ``action``."""
    if actor.open_mode or actor.role is Role.ADMIN:
        return
    if actor.role is Role.SKR and action in (Action.READ, Action.MANAGE_REGISTRY, Action.MANAGE_CLAIMS):
        return
    if actor.role is Role.PROCESS_SUPPORTER and action is Action.READ:
        return
    if actor.role is Role.COORDINATOR and action in (Action.READ, Action.CHANGE_CASE):
        if municipality_id is not None and municipality_id == actor.municipality_id:
            return
    if actor.role is Role.MANAGER and action in (Action.READ, Action.APPROVE_HOURS):
        if municipality_id is not None and municipality_id == actor.municipality_id:
            return
    doing = ACTION_TEXT.get(action, action.value)
    if municipality:
        raise PermissionDeniedError(msg("{username} ({role}) may not {action} for {municipality}",
                                        username=actor.username, role=actor.role.value.lower(), action=doing,
                                        municipality=municipality))
    raise PermissionDeniedError(msg("{username} ({role}) may not {action}", username=actor.username,
                                    role=actor.role.value.lower(), action=doing))


def require_role(actor: Actor, roles: set[Role], doing: str) -> None:
    """Raise :class:`PermissionDeniedError` unless the actor has one of ``roles`` (or open mode)."""
    if actor.open_mode or actor.role in roles:
        return
    raise PermissionDeniedError(msg("{username} ({value}) may not {doing}",
        username=actor.username, value=actor.role.value.lower(), doing=doing))
