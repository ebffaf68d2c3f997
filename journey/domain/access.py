"""Who may do what: coordinators act on their own municipality, SKR staff read everything."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from journey.domain.errors import PermissionDeniedError


class Role(StrEnum):
    COORDINATOR = "COORDINATOR"  # lokal projektsamordnare: reads and advances own municipality
    SKR = "SKR"  # SKR project staff: reads all, manages the registry of municipalities and users
    ADMIN = "ADMIN"  # operator: everything, including corrections on any case


class Action(StrEnum):
    READ = "read"
    CHANGE_CASE = "change case"
    MANAGE_REGISTRY = "manage registry"


@dataclass(frozen=True)
class Actor:
    """The person behind a command. ``open_mode`` is set while no users are registered."""

    username: str
    role: Role
    municipality_id: int | None = None
    open_mode: bool = False


def authorize(actor: Actor, action: Action, municipality_id: int | None = None, municipality: str = "") -> None:
    """Raise :class:`PermissionDeniedError` unless ``actor`` may perform ``action``."""
    if actor.open_mode or actor.role is Role.ADMIN:
        return
    if actor.role is Role.SKR and action in (Action.READ, Action.MANAGE_REGISTRY):
        return
    if actor.role is Role.COORDINATOR and action in (Action.READ, Action.CHANGE_CASE):
        if municipality_id is not None and municipality_id == actor.municipality_id:
            return
    target = f" for {municipality}" if municipality else ""
    raise PermissionDeniedError(f"{actor.username} ({actor.role.value.lower()}) may not {action.value}{target}")
