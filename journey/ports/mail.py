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
    reply_to: tuple[str, ...] = ()  # checked addresses (the coordinator of the matter)


@dataclass(frozen=True)
class Delivery:
    """What the server did with one message: every recipient not listed in ``refused`` accepted it."""

    refused: tuple[tuple[str, str], ...] = ()  # (address, why): e.g. ("x@kommun.se", "550 no such user")


class Mailer(Protocol):
    def check(self) -> None:
        """Check the sender and reach the server (connect, TLS, login) before a sweep.

        Raises :class:`MailConfigError` (bad sender, login refused) or :class:`MailUnavailableError`.
        """
        ...

    def send(self, email: OutgoingEmail) -> Delivery:
        """Deliver to every recipient the server accepts; the others are listed in the result.

        Raises :class:`MailConfigError` or :class:`MailUnavailableError` when nothing can be sent
        (nothing attempted), or :class:`MailError` for this message (no recipient accepted it, the
        server refused the data, or the reply never came: ``uncertain``).
        """
        ...

    def close(self) -> None: ...


class EmailRenderer(Protocol):
    def render(self, template: str, subject: str, context: dict[str, Any]) -> tuple[str, str, str]:
        """(subject, plain text, HTML) for ``templates/emails/<template>.txt.j2`` / ``.html.j2``.

        Runs time- and memory-bounded; any failure (a loop that never ends included) is a
        one-line :class:`JourneyError`.
        """
        ...

    def close(self) -> None: ...
