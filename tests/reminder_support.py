"""Shared pieces for the reminder tests: a real SMTP server on loopback and a small network of cases."""

from __future__ import annotations

import asyncio
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
from aiosmtpd.smtp import AuthResult, LoginPassword

from journey.adapters.clock import FixedClock
from journey.bootstrap import App
from journey.services.cases.lifecycle import open_case
from journey.services.registry import add_municipality, add_user
from tests.conftest import TEMPLATES, make_settings, migrated

REMIND_WORKFLOWS = Path(__file__).resolve().parent / "data" / "reminder_workflows"
TOWNS = (("1780", "Karlstad"), ("1880", "Örebro"), ("2361", "Härjedalen"))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Inbox:
    """An aiosmtpd handler that keeps every message it accepts.

    ``refuse`` maps recipient addresses to the reply their RCPT gets (e.g. ``550 5.1.1 ...``);
    the next ``late`` messages are answered only after ``delay`` seconds (the message is kept
    first, as a real server that accepted it); ``slow`` delays every answer.
    """

    messages: list[tuple[list[str], EmailMessage]] = field(default_factory=list)
    on_data: Callable[[EmailMessage], None] | None = None
    refuse: dict[str, str] = field(default_factory=dict)
    late: int = 0
    delay: float = 0.0
    slow: float = 0.0
    rcpt_delay: float = 0.0  # seconds before each RCPT is answered
    logins: list[str] = field(default_factory=list)
    credentials: tuple[str, str] = ("", "")  # the one login the server accepts (see SmtpServer(login=...))
    lock: threading.Lock = field(default_factory=threading.Lock)

    async def handle_RCPT(self, server: Any, session: Any, envelope: Any, address: str, options: list[str]) -> str:
        if self.rcpt_delay:
            await asyncio.sleep(self.rcpt_delay)
        if address in self.refuse:
            return self.refuse[address]
        envelope.rcpt_tos.append(address)
        envelope.rcpt_options.extend(options)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        msg = message_from_bytes(envelope.content, policy=policy.default)
        with self.lock:
            self.messages.append((list(envelope.rcpt_tos), msg))  # type: ignore[arg-type]
        if self.on_data is not None:
            self.on_data(msg)  # type: ignore[arg-type]
        if self.late > 0:
            self.late -= 1
            await asyncio.sleep(self.delay)
        elif self.slow:
            await asyncio.sleep(self.slow)
        return "250 Message accepted for delivery"

    def wait_for(self, count: int, timeout: float = 20.0) -> None:
        deadline = time.monotonic() + timeout
        while len(self.messages) < count and time.monotonic() < deadline:
            time.sleep(0.05)
        assert len(self.messages) >= count, f"expected {count} messages, got {len(self.messages)}"

    def ids(self) -> list[str]:
        return [str(m["Message-ID"]) for _, m in self.messages]


# aiosmtpd warns when AUTH runs without TLS; on loopback in a test that is what we want.
AUTH_WITHOUT_TLS = pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS:UserWarning")


def password_check(inbox: Inbox) -> Callable[..., AuthResult]:
    """An aiosmtpd authenticator that accepts exactly ``inbox.credentials`` (PLAIN or LOGIN)."""

    def authenticate(server: Any, session: Any, envelope: Any, mechanism: str, data: Any) -> AuthResult:
        user, password = inbox.credentials
        ok = isinstance(data, LoginPassword) and data.login == user.encode() and data.password == password.encode()
        if ok:
            inbox.logins.append(user)
        return AuthResult(success=ok, handled=False)

    return authenticate


class SmtpServer:
    """aiosmtpd on 127.0.0.1; ``options`` go to its SMTP class (enable_SMTPUTF8, auth_required ...)."""

    def __init__(self, port: int | None = None, *, login: tuple[str, str] | None = None, **options: Any) -> None:
        self.port = port or free_port()
        self.inbox = Inbox()
        self.options = options
        if login is not None:
            self.inbox.credentials = login
            self.options.update(authenticator=password_check(self.inbox), auth_required=True, auth_require_tls=False)
        self.controller: Controller | None = None

    def start(self) -> SmtpServer:
        self.controller = Controller(self.inbox, hostname="127.0.0.1", port=self.port, **self.options)
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


def make_app(database_url: str, tmp_path: Path, clock: FixedClock, port: int, *, workflows: Path = REMIND_WORKFLOWS,
             smtp_settings: dict[str, str] | None = None, **overrides: Any) -> App:
    """An initialised app on the reminder workflows; ``smtp_settings`` change JOURNEY_SMTP_* (``from``, ``timeout`` …)."""
    settings = make_settings(database_url, tmp_path, workflows_dir=workflows, templates_dir=TEMPLATES,
                             smtp={**smtp_env(port), **(smtp_settings or {})})
    migrated(database_url, tmp_path)
    return App(settings, clock=clock, overrides=overrides)


def seed(app: App, towns: tuple[tuple[str, str], ...] = TOWNS[:1], open_cases: bool = True) -> None:
    """Municipalities with a coordinator each (with an email address) and an SKR user; cases opened."""
    add_user(app.deps, None, "admin", "admin", None, "Admin", "admin@skr.se")
    add_user(app.deps, "admin", "pia", "skr", None, "Pia Processtöd", "pia@skr.se")
    add_towns(app, towns, open_cases)


def add_towns(app: App, towns: tuple[tuple[str, str], ...], open_cases: bool = True) -> None:
    """More municipalities (after :func:`seed`), each with a coordinator and, by default, an open case."""
    deps = app.deps
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
