"""Ports of e-mail: the message, the mailer that delivers it and the renderer that writes it."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any, Protocol


@dataclass(frozen=True)
class CalendarEvent:
    """A board meeting sent along as an ICS attachment."""

    uid: str
    day: date
    start: str  # "HH:MM" local time, or "" for an all-day event
    summary: str
    location: str = ""
    description: str = ""


@dataclass(frozen=True)
class OutgoingEmail:
    to: tuple[str, ...]
    subject: str
    text: str
    html: str
    message_id: str  # stable per reminder: a resend after a crash carries the same Message-ID
    calendar: CalendarEvent | None = None
    headers: tuple[tuple[str, str], ...] = field(default_factory=tuple)


class Mailer(Protocol):
    def send(self, email: OutgoingEmail) -> None:
        """Deliver or raise :class:`MailError`."""
        ...

    def close(self) -> None: ...


class EmailRenderer(Protocol):
    def render(self, template: str, subject: str, context: dict[str, Any]) -> tuple[str, str, str]:
        """(subject, plain text, HTML) for ``templates/emails/<template>.txt.j2`` / ``.html.j2``."""
        ...
