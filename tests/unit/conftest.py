"""The unit tier: use cases on in-memory fakes (tests/fakes/). No database, no network, no files.

Run it alone with ``pytest tests/unit``. Every test here gets a fresh :class:`FakeApp`; the
socket guard makes a test that reaches for the network fail instead of silently slowing down.
"""

from __future__ import annotations

import socket
from collections.abc import Iterator
from typing import Any

import pytest

from journey.domain.access import Role
from journey.domain.municipality import Municipality
from tests.fakes import FakeApp, bootstrap_fakes
from tests.unit.support import ADMIN, COORDINATOR, SKR, TOWN


@pytest.fixture(autouse=True)
def _no_network(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args: Any, **kwargs: Any) -> None:
        raise RuntimeError("a unit test tried to open a network connection")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)


@pytest.fixture
def fake() -> Iterator[FakeApp]:
    """Hudiksvall with its coordinator, SKR's process supporter, an admin and a KS with contacts."""
    app = bootstrap_fakes()
    with app.deps.uow() as uow:
        town = uow.municipalities.add(Municipality(None, "2184", TOWN, "Gävleborgs län"))
        uow.municipalities.add(Municipality(None, "1780", "Karlstad", "Värmlands län"))
        uow.users.add(ADMIN, Role.ADMIN.value, None, "Ada Admin", "ada@example.org")
        uow.users.add(COORDINATOR, Role.COORDINATOR.value, town.id, "Anna Berg", "anna@hudiksvall.se")
        uow.users.add(SKR, Role.SKR.value, None, "Sven Skr", "sven@skr.se")
        uow.board_meetings.upsert_board(town.id or 0, "KS", name="Kommunstyrelsen",
                                        secretary_email="ks.sekreterare@hudiksvall.se",
                                        chair_email="ks.ordforande@hudiksvall.se")
        uow.commit()
    yield app
