"""Shared pieces for the reminder tests: a real SMTP server on loopback and a small network of cases."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller

from journey.adapters.clock import FixedClock
from journey.bootstrap import App
from journey.services.cases.lifecycle import open_case
from journey.services.registry import add_municipality, add_user
from tests.conftest import TEMPLATES, make_settings

REMIND_WORKFLOWS = Path(__file__).resolve().parent / "data" / "reminder_workflows"
TOWNS = (("1780", "Karlstad"), ("1880", "Örebro"), ("2361", "Härjedalen"))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Inbox:
    """An aiosmtpd handler that keeps every message it accepts."""

    messages: list[tuple[list[str], EmailMessage]] = field(default_factory=list)
    on_data: Callable[[EmailMessage], None] | None = None
    lock: threading.Lock = field(default_factory=threading.Lock)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        msg = message_from_bytes(envelope.content, policy=policy.default)
        with self.lock:
            self.messages.append((list(envelope.rcpt_tos), msg))  # type: ignore[arg-type]
        if self.on_data is not None:
            self.on_data(msg)  # type: ignore[arg-type]
        return "250 Message accepted for delivery"

    def wait_for(self, count: int, timeout: float = 20.0) -> None:
        deadline = time.monotonic() + timeout
        while len(self.messages) < count and time.monotonic() < deadline:
            time.sleep(0.05)
        assert len(self.messages) >= count, f"expected {count} messages, got {len(self.messages)}"

    def ids(self) -> list[str]:
        return [str(m["Message-ID"]) for _, m in self.messages]


class SmtpServer:
    def __init__(self, port: int | None = None) -> None:
        self.port = port or free_port()
        self.inbox = Inbox()
        self.controller: Controller | None = None

    def start(self) -> SmtpServer:
        self.controller = Controller(self.inbox, hostname="127.0.0.1", port=self.port)
        self.controller.start()
        return self

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None


@pytest.fixture
def smtp() -> Iterator[SmtpServer]:
    server = SmtpServer().start()
    yield server
    server.stop()


def smtp_env(port: int) -> dict[str, str]:
    return {"host": "127.0.0.1", "port": str(port), "from": "journey@skr.se", "timeout": "5"}


def make_app(database_url: str, tmp_path: Path, clock: FixedClock, port: int, **overrides: Any) -> App:
    settings = make_settings(database_url, tmp_path, workflows_dir=REMIND_WORKFLOWS, templates_dir=TEMPLATES,
                             smtp=smtp_env(port))
    app = App(settings, clock=clock, overrides=overrides)
    app.init_database()
    return app


def seed(app: App, towns: tuple[tuple[str, str], ...] = TOWNS[:1], open_cases: bool = True) -> None:
    """Municipalities with a coordinator each (with an email address) and an SKR user; cases opened."""
    deps = app.deps
    add_user(deps, None, "admin", "admin", None, "Admin", "admin@skr.se")
    add_user(deps, "admin", "pia", "skr", None, "Pia Processtöd", "pia@skr.se")
    for code, name in towns:
        add_municipality(deps, "admin", code, name, workflow="remind")
        slug = name.lower().replace("ö", "o").replace("ä", "a").replace("å", "a")
        add_user(deps, "admin", f"coord_{slug}", "coordinator", name, f"Samordnare {name}", f"samordnare@{slug}.se")
        if open_cases:
            open_case(deps, "admin", name)


def rows(app: App) -> list[dict[str, Any]]:
    from sqlmodel import Session, select

    from journey.adapters.sql.tables.reminders import ReminderRecord

    with Session(app.engine) as session:
        return [r.model_dump() for r in session.exec(select(ReminderRecord).order_by(ReminderRecord.id))]


def at(text: str) -> datetime:
    return datetime.fromisoformat(text)
