"""Ports of the matters feature: the matters (ärenden) of each case, with their decisions."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from journey.domain.matters import Matter


class MatterRepository(Protocol):
    """Matters and their decisions, bound to one unit of work (``uow.matters``)."""

    def add(self, matter: Matter) -> Matter: ...
    def save(self, matter: Matter) -> None:
        """Store the matter's facts and status; decisions without an id are added, the others updated."""
        ...
    def for_case(self, case_id: int) -> list[Matter]:
        """Every matter of the case, oldest first, each with its decisions in order."""
        ...
    def open_for(self, case_id: int, state_path: str | None = None) -> Matter | None:
        """The case's open matter (of ``state_path``, when given)."""
        ...


class MatterReadModel(Protocol):
    """Plain reads for `journey matters list|show` (no ORM)."""

    def matters(self, case_id: int) -> list[dict[str, Any]]: ...
    def decisions(self, case_id: int) -> list[dict[str, Any]]: ...
    def boards(self, municipality_id: int) -> list[dict[str, Any]]: ...
    def meetings(self, municipality_id: int) -> list[dict[str, Any]]: ...
    def documents(self, case_id: int) -> list[dict[str, Any]]: ...
