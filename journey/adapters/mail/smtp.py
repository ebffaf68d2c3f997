"""Send email over SMTP (``JOURNEY_SMTP_*``): UTF-8 multipart text + HTML, ICS attachment for meetings.

Headers are built with :mod:`email.policy` (which refuses CR/LF in header values) from
addresses checked by :mod:`journey.domain.addresses`, so template output cannot add headers.
The password is never logged nor shown in ``repr``.

Errors are sorted by what they mean for the outbox (see docs/reminders.md):

- :class:`MailConfigError`: the sender is invalid or refused, the login is refused, TLS cannot
  be set up: nothing can be sent until the settings are fixed;
- :class:`MailUnavailableError`: the server cannot be reached or closes the service (421);
- :class:`MailError`: this one message failed; ``uncertain`` when the whole message went out
  and no reply came back (the server may have accepted it).

One refused recipient does not fail the others: :meth:`SmtpMailer.send` returns them in
:class:`Delivery` and the message goes to everyone the server accepted.
"""

from __future__ import annotations

import base64
import re
import smtplib
import ssl
import time
from dataclasses import dataclass, field
from datetime import datetime
from email import policy
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime
from typing import Any
from zoneinfo import ZoneInfo

from journey.adapters.calendars.ics import build_ics
from journey.domain.addresses import address_problem, ascii_domain, needs_smtputf8, normalize_address
from journey.domain.errors import InputError, MailConfigError, MailError, MailUnavailableError
from journey.domain.messages import msg
from journey.ports.mail import Delivery, OutgoingEmail

SERVICE_CLOSING, AUTH_REQUIRED = 421, 530


def _flag(value: str) -> bool:
    return value.strip().lower() in ("1", "true", "yes", "on")


@dataclass(frozen=True)
class SmtpSettings:
    host: str = "localhost"
    port: int = 25
    sender: str = ""
    user: str = ""
    password: str = field(default="", repr=False)
    starttls: bool = False
    use_ssl: bool = False
    timeout: float = 20.0  # each wait for the server

    @property
    def send_budget(self) -> float:
        """Seconds one message may take in all; a sweep keeps its claim at least twice as long."""
        return 3 * self.timeout

    @classmethod
    def from_env(cls, smtp: dict[str, str]) -> SmtpSettings:
        """From ``Settings.smtp`` (JOURNEY_SMTP_HOST, _PORT, _FROM, _USER, _PASSWORD, _STARTTLS, _SSL, _TIMEOUT)."""
        try:
            port = int(smtp.get("port") or (465 if _flag(smtp.get("ssl", "")) else 25))
            timeout = float(smtp.get("timeout") or 20)
        except ValueError:
            raise InputError(msg("JOURNEY_SMTP_PORT and JOURNEY_SMTP_TIMEOUT must be numbers")) from None
        if not 0 < timeout <= 3600:
            raise InputError(msg("JOURNEY_SMTP_TIMEOUT must be a number of seconds between 0 and 3600"))
        return cls(host=smtp.get("host") or "localhost", port=port, sender=smtp.get("from", ""),
                   user=smtp.get("user", ""), password=smtp.get("password", ""),
                   starttls=_flag(smtp.get("starttls", "")), use_ssl=_flag(smtp.get("ssl", "")), timeout=timeout)


def _header_address(text: str) -> Address:
    local, _, domain = text.rpartition("@")
    return Address(username=local, domain=ascii_domain(domain))


def address(text: str) -> Address:
    """A single mailbox checked as at entry (journey.domain.addresses); anything else is refused."""
    checked = normalize_address(text)
    problem = address_problem(checked)
    if problem:
        raise MailError(msg("invalid email address {value!r}: {problem}", value=text[:80], problem=problem), temporary=False)
    return _header_address(checked)


def in_domain(message_id: str, sender: str) -> str:
    """A Message-ID made by journey (``<...@journey>``) in the sender's own (ASCII) domain."""
    if not message_id.endswith("@journey>"):
        return message_id
    domain = ascii_domain(normalize_address(sender).rpartition("@")[2]) if "@" in sender else "journey.invalid"
    return f"{message_id[:-len('journey>')]}{domain}>"


def compose(email: OutgoingEmail, sender: str, tz: ZoneInfo, now: datetime,
            to: list[str] | None = None) -> EmailMessage:
    """The message to ``to`` (default: every address of ``email.to``, each checked)."""
    email_msg = EmailMessage(policy=policy.SMTP)
    email_msg["From"] = address(sender)
    email_msg["To"] = [address(a) for a in (email.to if to is None else to)]
    email_msg["Subject"] = " ".join(email.subject.split())
    email_msg["Date"] = format_datetime(now.astimezone(tz))
    email_msg["Message-ID"] = in_domain(email.message_id, sender)
    if email.reply_to:
        email_msg["Reply-To"] = [address(a) for a in email.reply_to]
    for name, value in email.headers:
        email_msg[name] = " ".join(value.split())
    email_msg.set_content(email.text, charset="utf-8")
    email_msg.add_alternative(email.html, subtype="html", charset="utf-8")
    if email.calendar is not None:
        ics = build_ics(email.calendar, tz, now)
        email_msg.add_attachment(ics, subtype="calendar", charset="utf-8", filename="sammantrade.ics",
                           params={"method": "PUBLISH"})
    return email_msg


def _wire(payload: bytes) -> bytes:
    """The DATA section as sent: CRLF line ends, leading dots doubled, the final ``.`` line."""
    data = re.sub(rb"(?:\r\n|\n|\r(?!\n))", b"\r\n", payload)
    data = re.sub(rb"(?m)^\.", b"..", data)
    return data + (b"" if data.endswith(b"\r\n") else b"\r\n") + b".\r\n"


def _text(reply: Any) -> str:
    text = reply.decode("utf-8", "replace") if isinstance(reply, bytes) else str(reply)
    return " ".join(text.split())[:300]


class SmtpMailer:
    """Keeps one connection open for a sweep; :meth:`close` ends it."""

    def __init__(self, settings: SmtpSettings, tz: ZoneInfo, now: Any) -> None:
        self.settings, self.tz, self.now = settings, tz, now
        self._conn: smtplib.SMTP | None = None

    def __repr__(self) -> str:
        return f"SmtpMailer({self.settings.host}:{self.settings.port}, user={self.settings.user or '-'})"

    @property
    def _server(self) -> str:
        return f"{self.settings.host}:{self.settings.port}"

    def _sender(self) -> str:
        sender = normalize_address(self.settings.sender)
        if not sender:
            raise MailConfigError(msg("JOURNEY_SMTP_FROM is not set: it is the sender of every reminder, e.g. "
                                      "JOURNEY_SMTP_FROM=journey@kommun.se"))
        problem = address_problem(sender)
        if problem:
            raise MailConfigError(msg("JOURNEY_SMTP_FROM {value!r} is not a valid email address: {problem}",
                value=self.settings.sender[:80], problem=problem))
        return sender

    def check(self) -> None:
        """The sender is valid, and the server takes a session and ``MAIL FROM`` it (then RSET: nothing sent)."""
        sender = self._sender()
        conn = self._connection()
        options = self._utf8_options(conn, sender)
        try:
            self._mail_from(conn, str(_header_address(sender).addr_spec), options)
            self._reset(conn)
        except (OSError, smtplib.SMTPException) as exc:
            self._drop()
            raise MailUnavailableError(msg("SMTP server {server} unreachable: {name}: {exc}",
                server=self._server, name=type(exc).__name__, exc=_text(str(exc)))) from None

    def _utf8_options(self, conn: smtplib.SMTP, sender: str, utf8: bool = False) -> list[str]:
        if needs_smtputf8(sender) and not conn.has_extn("smtputf8"):
            raise MailConfigError(msg("JOURNEY_SMTP_FROM {sender!r} has non-ASCII letters before the @, and "
                                      "{server} does not offer SMTPUTF8", sender=sender, server=self._server))
        if not (utf8 or needs_smtputf8(sender)):
            return []
        return ["SMTPUTF8"] + (["BODY=8BITMIME"] if conn.has_extn("8bitmime") else [])

    def _connection(self) -> smtplib.SMTP:
        if self._conn is not None:
            return self._conn
        s = self.settings
        try:
            if s.use_ssl:
                conn: smtplib.SMTP = smtplib.SMTP_SSL(s.host, s.port, timeout=s.timeout,
                                                      context=ssl.create_default_context())
            else:
                conn = smtplib.SMTP(s.host, s.port, timeout=s.timeout)
        except ssl.SSLCertVerificationError as exc:
            raise MailConfigError(msg("the TLS certificate of {server} is not trusted: {verify_message}",
                server=self._server, verify_message=exc.verify_message)) from None
        except (OSError, smtplib.SMTPException) as exc:
            raise MailUnavailableError(msg("SMTP server {server} unreachable: {name}: {exc}",
                server=self._server, name=type(exc).__name__, exc=_text(str(exc)))) from None
        try:
            self._start(conn)
        except BaseException:
            conn.close()
            raise
        self._conn = conn
        return conn

    def _start(self, conn: smtplib.SMTP) -> None:
        s = self.settings
        try:
            conn.ehlo_or_helo_if_needed()
            if s.starttls:
                if not conn.has_extn("starttls"):
                    raise MailConfigError(msg("JOURNEY_SMTP_STARTTLS is set but {server} does not offer STARTTLS",
                        server=self._server))
                conn.starttls(context=ssl.create_default_context())
                conn.ehlo()
            if s.user:
                if not conn.has_extn("auth"):
                    raise MailConfigError(msg("JOURNEY_SMTP_USER is set but {server} offers no login (AUTH){hint}",
                                              server=self._server, hint="" if s.starttls or s.use_ssl else msg(
                                                  "; it may need JOURNEY_SMTP_STARTTLS")))
                self._login(conn)
        except smtplib.SMTPAuthenticationError as exc:
            raise MailConfigError(msg("SMTP login as {user!r} refused by {server}: {smtp_code} {smtp_error} "
                                      "(check JOURNEY_SMTP_USER and JOURNEY_SMTP_PASSWORD)",
                user=s.user, server=self._server, smtp_code=exc.smtp_code, smtp_error=_text(exc.smtp_error))) from None
        except ssl.SSLCertVerificationError as exc:
            raise MailConfigError(msg("the TLS certificate of {server} is not trusted: {verify_message}",
                server=self._server, verify_message=exc.verify_message)) from None
        except smtplib.SMTPResponseException as exc:
            if exc.smtp_code == SERVICE_CLOSING or exc.smtp_code < 500:
                raise MailUnavailableError(msg("SMTP server {server} is not available: {smtp_code} {smtp_error}",
                    server=self._server, smtp_code=exc.smtp_code, smtp_error=_text(exc.smtp_error))) from None
            raise MailConfigError(msg("SMTP server {server} refused the session: {smtp_code} {smtp_error}",
                server=self._server, smtp_code=exc.smtp_code, smtp_error=_text(exc.smtp_error))) from None
        except smtplib.SMTPException as exc:
            if s.user and "authentication" in str(exc).lower():
                raise MailConfigError(msg("SMTP login as {user!r} impossible at {server}: {exc}",
                    user=s.user, server=self._server, exc=exc)) from None
            raise MailUnavailableError(msg("SMTP server {server} unreachable: {name}: {exc}",
                server=self._server, name=type(exc).__name__, exc=_text(str(exc)))) from None
        except OSError as exc:
            raise MailUnavailableError(msg("SMTP server {server} unreachable: {name}: {exc}",
                server=self._server, name=type(exc).__name__, exc=_text(str(exc)))) from None

    def _login(self, conn: smtplib.SMTP) -> None:
        """smtplib's login, or AUTH PLAIN in UTF-8 (RFC 4616) when the user or password is not ASCII."""
        s = self.settings
        if (s.user + s.password).isascii():
            conn.login(s.user, s.password)
            return
        if "plain" not in conn.esmtp_features.get("auth", "").lower().split():
            raise MailConfigError(msg("the SMTP user or password has non-ASCII characters, which needs AUTH "
                                      "PLAIN; {server} does not offer it", server=self._server))
        token = base64.b64encode(b"\0" + s.user.encode() + b"\0" + s.password.encode()).decode("ascii")
        code, reply = conn.docmd("AUTH", f"PLAIN {token}")
        if code not in (235, 503):
            raise smtplib.SMTPAuthenticationError(code, reply)

    def send(self, email: OutgoingEmail) -> Delivery:
        """One SMTP transaction, abandoned after :attr:`SmtpSettings.send_budget` seconds in all."""
        deadline = time.monotonic() + self.settings.send_budget
        sender = self._sender()
        conn = self._connection()
        refused, recipients = self._recipients(email.to, conn.has_extn("smtputf8"))
        if not recipients:
            raise MailError(msg("no recipient can be sent to: {refused}",
                                refused="; ".join(f"{a} ({why})" for a, why in refused)), temporary=False)
        options = self._utf8_options(conn, sender, any(needs_smtputf8(r) for r in recipients))
        email_msg = compose(email, sender, self.tz, self.now(), recipients)
        payload = email_msg.as_bytes(policy=policy.SMTPUTF8) if options else email_msg.as_bytes()
        envelope = [str(_header_address(r).addr_spec) for r in recipients]
        data_sent = False
        try:
            self._budget(conn, deadline)
            self._mail_from(conn, str(_header_address(sender).addr_spec), options)
            accepted = []
            server_refused: list[int] = []
            for rcpt, shown in zip(envelope, recipients, strict=True):
                self._budget(conn, deadline)
                code, reply = conn.rcpt(rcpt)
                if code == SERVICE_CLOSING:
                    raise MailUnavailableError(msg("SMTP server {server} closed the service: {code} {reply}",
                        server=self._server, code=code, reply=_text(reply)))
                if code in (250, 251):
                    accepted.append(rcpt)
                else:
                    refused.append((shown, f"{code} {_text(reply)}"))
                    server_refused.append(code)
            if not accepted:
                self._reset(conn)
                raise MailError(msg("every recipient was refused: {refused}",
                                    refused="; ".join(f"{a} ({why})" for a, why in refused)),
                                temporary=any(400 <= c < 500 for c in server_refused))
            self._budget(conn, deadline)
            self._expect(conn, "data", 354)
            self._budget(conn, deadline)
            conn.send(_wire(payload))
            data_sent = True
            self._budget(conn, deadline)
            code, reply = conn.getreply()
            if code != 250:
                self._refused(code, reply, "the message")
        except MailError:
            raise
        except (OSError, smtplib.SMTPException) as exc:
            self._drop()
            why = (msg("the message took longer than {seconds} s in all", seconds=f"{self.settings.send_budget:g}")
                   if time.monotonic() >= deadline else f"{type(exc).__name__}: {_text(str(exc))}")
            if data_sent:
                raise MailError(msg("no reply from {server} after the whole message was sent ({why}): it may "
                                    "have been accepted", server=self._server, why=why),
                                temporary=True, uncertain=True) from None
            raise MailError(msg("connection to {server} lost while sending: {why}",
                                server=self._server, why=why), temporary=True) from None
        return Delivery(tuple(refused))

    def _budget(self, conn: smtplib.SMTP, deadline: float) -> None:
        """The next wait for the server ends by the deadline (each wait at most the timeout)."""
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise TimeoutError("out of time")
        if conn.sock is not None:
            conn.sock.settimeout(min(self.settings.timeout, remaining))

    def _recipients(self, to: tuple[str, ...], smtputf8: bool) -> tuple[list[tuple[str, str]], list[str]]:
        refused, recipients = [], []
        for text in to:
            checked = normalize_address(text)
            problem = address_problem(checked)
            if problem:
                refused.append((text[:80], f"not a valid address: {problem}"))
            elif needs_smtputf8(checked) and not smtputf8:
                refused.append((checked, f"non-ASCII before the @ needs SMTPUTF8, which {self._server} does not offer"))
            elif checked not in recipients:
                recipients.append(checked)
        return refused, recipients

    def _mail_from(self, conn: smtplib.SMTP, sender: str, options: list[str]) -> None:
        code, reply = conn.mail(sender, options)
        if code == 250:
            return
        self._reset(conn)
        if code == SERVICE_CLOSING or code < 500:
            raise MailUnavailableError(msg("SMTP server {server} does not take mail now: {code} {reply}",
                server=self._server, code=code, reply=_text(reply)))
        if code == AUTH_REQUIRED:
            raise MailConfigError(msg("SMTP server {server} requires a login: {code} {reply} (set "
                                      "JOURNEY_SMTP_USER and JOURNEY_SMTP_PASSWORD)",
                server=self._server, code=code, reply=_text(reply)))
        raise MailConfigError(msg("SMTP server {server} refuses the sender {sender}: {code} {reply} (check "
                                  "JOURNEY_SMTP_FROM)",
            server=self._server, sender=sender, code=code, reply=_text(reply)))

    def _expect(self, conn: smtplib.SMTP, command: str, expected: int) -> None:
        conn.putcmd(command)
        code, reply = conn.getreply()
        if code != expected:
            self._reset(conn)
            self._refused(code, reply, command.upper())

    def _refused(self, code: int, reply: Any, what: str) -> None:
        if code == SERVICE_CLOSING:
            self._drop()
            raise MailUnavailableError(msg("SMTP server {server} closed the service: {code} {reply}",
                server=self._server, code=code, reply=_text(reply)))
        raise MailError(msg("SMTP {code} for {what}: {reply}",
                            code=code, what=what, reply=_text(reply)), temporary=code < 500)

    def _reset(self, conn: smtplib.SMTP) -> None:
        try:
            conn.rset()
        except (OSError, smtplib.SMTPException):
            self._drop()

    def _drop(self) -> None:
        conn, self._conn = self._conn, None
        if conn is not None:
            conn.close()

    def close(self) -> None:
        conn, self._conn = self._conn, None
        if conn is None:
            return
        try:
            conn.quit()
        except (OSError, smtplib.SMTPException):
            conn.close()
