"""A mailer that records what it sends (and fails when told to), and an e-mail renderer without templates."""

from __future__ import annotations

from typing import Any

from journey.domain.errors import MailError
from journey.ports.mail import Delivery, OutgoingEmail


class FakeMailer:
    """Records what it sends in ``sent``.

    ``fail_with(...)`` makes every send raise that error until ``recover()`` (a ``MailError``, or a
    ``MailConfigError`` / ``MailUnavailableError`` given as ``error``); ``refuse[address]`` makes
    the server refuse one recipient (the message still goes to the others); ``check_error`` is
    raised by :meth:`check`.
    """

    def __init__(self) -> None:
        self.sent: list[OutgoingEmail] = []
        self.failure: Exception | None = None
        self.check_error: MailError | None = None
        self.refuse: dict[str, str] = {}
        self.attempts = 0
        self.closed = 0

    def fail_with(self, message: str = "451 4.3.0 try again later", *, temporary: bool = True,
                  uncertain: bool = False, error: Exception | None = None) -> None:
        self.failure = error or MailError(message, temporary=temporary, uncertain=uncertain)

    def recover(self) -> None:
        self.failure = None

    def check(self) -> None:
        if self.check_error is not None:
            raise self.check_error

    def send(self, email: OutgoingEmail) -> Delivery:
        self.attempts += 1
        if self.failure is not None:
            raise self.failure
        refused = tuple((a, self.refuse[a]) for a in email.to if a in self.refuse)
        if len(refused) == len(email.to):
            raise MailError("every recipient was refused: " + "; ".join(f"{a} ({why})" for a, why in refused),
                            temporary=False)
        self.sent.append(email)
        return Delivery(refused)

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

    def close(self) -> None:
        pass
