"""Send email over SMTP (``JOURNEY_SMTP_*``): UTF-8 multipart text + HTML, ICS attachment for meetings.

Headers are built with :mod:`email.policy` (which refuses CR/LF in header values) from
addresses checked here, so template output cannot add headers. The password is never logged
nor shown in ``repr``.
"""

from __future__ import annotations

import smtplib
import ssl
from dataclasses import dataclass, field
from datetime import datetime
from email import policy
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime
from typing import Any
from zoneinfo import ZoneInfo

from journey.adapters.calendars.ics import build_ics
from journey.domain.errors import InputError, MailError
from journey.ports.mail import OutgoingEmail


def _flag(value: str) -> bool:
    return value.strip().lower() in ("1", "true", "yes", "on")


@dataclass(frozen=True)
class SmtpSettings:
    host: str = "localhost"
    port: int = 25
    sender: str = "journey@localhost"
    user: str = ""
    password: str = field(default="", repr=False)
    starttls: bool = False
    use_ssl: bool = False
    timeout: float = 20.0

    @classmethod
    def from_env(cls, smtp: dict[str, str]) -> SmtpSettings:
        """From ``Settings.smtp`` (JOURNEY_SMTP_HOST, _PORT, _FROM, _USER, _PASSWORD, _STARTTLS, _SSL, _TIMEOUT)."""
        try:
            port = int(smtp.get("port") or (465 if _flag(smtp.get("ssl", "")) else 25))
            timeout = float(smtp.get("timeout") or 20)
        except ValueError:
            raise InputError("JOURNEY_SMTP_PORT and JOURNEY_SMTP_TIMEOUT must be numbers") from None
        return cls(host=smtp.get("host") or "localhost", port=port, sender=smtp.get("from") or "journey@localhost",
                   user=smtp.get("user", ""), password=smtp.get("password", ""),
                   starttls=_flag(smtp.get("starttls", "")), use_ssl=_flag(smtp.get("ssl", "")), timeout=timeout)


def address(text: str) -> Address:
    """A single mailbox; anything with line breaks, several addresses or no domain is refused."""
    if any(c in text for c in "\r\n\0,;<>\"") or text.count("@") != 1:
        raise MailError(f"invalid email address {text!r}", temporary=False)
    user, domain = text.strip().split("@")
    if not user or "." not in domain:
        raise MailError(f"invalid email address {text!r}", temporary=False)
    return Address(addr_spec=text.strip())


def compose(email: OutgoingEmail, sender: str, tz: ZoneInfo, now: datetime) -> EmailMessage:
    msg = EmailMessage(policy=policy.SMTP)
    msg["From"] = address(sender)
    msg["To"] = [address(a) for a in email.to]
    msg["Subject"] = " ".join(email.subject.split())
    msg["Date"] = format_datetime(now.astimezone(tz))
    msg["Message-ID"] = email.message_id
    for name, value in email.headers:
        msg[name] = " ".join(value.split())
    msg.set_content(email.text, charset="utf-8")
    msg.add_alternative(email.html, subtype="html", charset="utf-8")
    if email.calendar is not None:
        ics = build_ics(email.calendar, tz, now)
        msg.add_attachment(ics, subtype="calendar", charset="utf-8", filename="sammantrade.ics",
                           params={"method": "PUBLISH"})
    return msg


class SmtpMailer:
    """Keeps one connection open for a sweep; :meth:`close` ends it."""

    def __init__(self, settings: SmtpSettings, tz: ZoneInfo, now: Any) -> None:
        self.settings, self.tz, self.now = settings, tz, now
        self._conn: smtplib.SMTP | None = None

    def __repr__(self) -> str:
        return f"SmtpMailer({self.settings.host}:{self.settings.port}, user={self.settings.user or '-'})"

    def _connect(self) -> smtplib.SMTP:
        s = self.settings
        conn: smtplib.SMTP
        if s.use_ssl:
            conn = smtplib.SMTP_SSL(s.host, s.port, timeout=s.timeout, context=ssl.create_default_context())
        else:
            conn = smtplib.SMTP(s.host, s.port, timeout=s.timeout)
        try:
            if s.starttls:
                conn.starttls(context=ssl.create_default_context())
            if s.user:
                conn.login(s.user, s.password)
        except BaseException:
            conn.close()
            raise
        return conn

    def send(self, email: OutgoingEmail) -> None:
        msg = compose(email, self.settings.sender, self.tz, self.now())
        try:
            if self._conn is None:
                self._conn = self._connect()
            self._conn.send_message(msg)
        except smtplib.SMTPRecipientsRefused as exc:
            codes = [code for code, _ in exc.recipients.values()]
            raise MailError(f"recipients refused: {', '.join(map(str, codes))}",
                            temporary=all(400 <= c < 500 for c in codes)) from None
        except smtplib.SMTPResponseException as exc:
            self.close()
            detail = exc.smtp_error.decode(errors="replace") if isinstance(exc.smtp_error, bytes) else exc.smtp_error
            raise MailError(f"SMTP {exc.smtp_code}: {detail}", temporary=exc.smtp_code < 500) from None
        except (OSError, smtplib.SMTPException) as exc:
            self.close()
            raise MailError(f"SMTP server {self.settings.host}:{self.settings.port} unreachable: "
                            f"{type(exc).__name__}: {exc}", temporary=True, connection=True) from None

    def close(self) -> None:
        conn, self._conn = self._conn, None
        if conn is None:
            return
        try:
            conn.quit()
        except (OSError, smtplib.SMTPException):
            conn.close()
