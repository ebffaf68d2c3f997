"""What the reminder sweep needs to send email: the message, a mailer and an email renderer."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any, Protocol

from journey.domain.errors import JourneyError


class MailError(JourneyError):
    """Delivery failed. ``temporary``: retry later (server down, 4xx); else give up (5xx)."""

    def __init__(self, message: str, *, temporary: bool, connection: bool = False) -> None:
        super().__init__(message)
        self.temporary, self.connection = temporary, connection


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
