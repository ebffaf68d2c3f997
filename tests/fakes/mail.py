"""A mailer that records what it sends (and fails when told to), and an e-mail renderer without templates."""

from __future__ import annotations

from typing import Any

from journey.domain.errors import MailError
from journey.ports.mail import OutgoingEmail


class FakeMailer:
    """Records what it sends in ``sent``. ``fail_with(...)`` makes every send raise MailError until ``recover()``."""

    def __init__(self) -> None:
        self.sent: list[OutgoingEmail] = []
        self.failure: MailError | None = None
        self.attempts = 0
        self.closed = 0

    def fail_with(self, message: str = "451 4.3.0 try again later", *, temporary: bool,
                  connection: bool = False) -> None:
        self.failure = MailError(message, temporary=temporary, connection=connection)

    def recover(self) -> None:
        self.failure = None

    def send(self, email: OutgoingEmail) -> None:
        self.attempts += 1
        if self.failure is not None:
            raise self.failure
        self.sent.append(email)

    def close(self) -> None:
        self.closed += 1


class FakeEmailRenderer:
    """Plain text from the context, no templates: (subject, text, HTML). Records each call in ``calls``."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, dict[str, Any]]] = []

    def render(self, template: str, subject: str, context: dict[str, Any]) -> tuple[str, str, str]:
        self.calls.append((template, context))
        title = f"{context['rule_title']} – {context['municipality']}"
        text = f"{template}: {title}, senast {context['due_date']}"
        return f"Påminnelse: {title}", text, f"<p>{text}</p>"
