"""Every error journey raises on purpose, and the process exit code each one maps to.

    JourneyError                       1  (base)
    ├── InputError                     2  bad command-line input (malformed evidence, bad value)
    │   ├── EvidenceError              2
    │   ├── CalendarFileError          2  a calendar file row is invalid (starts with file:line)
    │   ├── HoursFileError             2  an hours import file is invalid (starts with file:line: column)
    │   ├── DecisionInputError         2  an unknown outcome, a meeting date after today, an empty chain
    │   └── AddressError               2  an e-mail address is not one journey can send to
    ├── RefusedError                   3  the rules say no
    │   ├── TransitionNotAllowedError  3  trigger not valid in the current state
    │   ├── GuardRefusedError          3  evidence or another condition is lacking
    │   └── MatterRefusedError         3  no open matter, or a decision that does not fit its chain
    ├── NotFoundError                  4  unknown municipality, case, workflow, trigger, user, history entry
    │   └── BoardNotFoundError         4  a body the municipality has no board for (KS and KF always exist)
    ├── ConcurrentChangeError          5  another coordinator changed the case first
    ├── PermissionDeniedError          6  the actor's role does not allow the action
    │   └── AuthenticationError        6  no valid login, session or token (HTTP 401)
    │       └── TooManyAttemptsError   6  login attempts rate-limited (HTTP 429)
    ├── DefinitionError                7  a workflow file is invalid (names file, line and key)
    │   └── DefinitionErrors           7  several at once (the first is the message)
    ├── TemplateError                  7  a document template is missing, invalid, unsafe, too slow or too big
    ├── NotInitialisedError            8  the database has no schema yet: run `journey init`
    ├── DatabaseLockedError           75  the database stayed locked (EX_TEMPFAIL): retry
    ├── DatabaseUnavailableError      75  the database server cannot be reached (EX_TEMPFAIL): nothing changed
    ├── DatabaseConfigError           78  no such database or role, login refused, bad URL or driver, a file
    │                                     that is not a database, a mistyped SQLite path (EX_CONFIG)
    ├── StorageError                  74  disk full, read-only or I/O error (EX_IOERR): nothing was saved
    │   └── DocumentWriteError        74  a rendered document could not be stored (nothing was saved)
    ├── EmailTemplateError             1  a reminder template is missing, fails or loops (fails that reminder only)
    └── MailError                      1  one reminder could not be delivered (recorded on it, retried if temporary)
        ├── MailUnavailableError      75  the SMTP server cannot be reached (EX_TEMPFAIL): nothing sent, retry
        └── MailConfigError           78  JOURNEY_SMTP_FROM or the SMTP login is refused (EX_CONFIG): nothing sent

Internal signals of the render adapter, never shown as such: WorkerTimeout, WorkerCrashed.
"""

from __future__ import annotations

from enum import IntEnum

from journey.domain.messages import message_of, msg


class ExitCode(IntEnum):
    """Documented process exit codes (see docs/cli.md)."""

    OK = 0
    ERROR = 1
    USAGE = 2
    REFUSED = 3
    NOT_FOUND = 4
    CONFLICT = 5
    PERMISSION = 6
    DEFINITION = 7
    NOT_INITIALISED = 8
    IO = 74
    LOCKED = 75
    UNAVAILABLE = 75  # the same code: temporary, retry later
    CONFIG = 78


class JourneyError(Exception):
    """Root of all deliberate errors; ``str(err)`` is a one-line message for the user."""

    exit_code: ExitCode = ExitCode.ERROR


class InputError(JourneyError):
    exit_code = ExitCode.USAGE


class EvidenceError(InputError):
    """Evidence given on the command line is malformed or unknown for the trigger."""


class RefusedError(JourneyError):
    exit_code = ExitCode.REFUSED


class TransitionNotAllowedError(RefusedError):
    """The trigger exists in the workflow but not from the case's current state."""


class GuardRefusedError(RefusedError):
    """A guard (usually required evidence) is not satisfied."""

    def __init__(self, message: str, problems: tuple[str, ...] = ()) -> None:
        super().__init__(message)
        self.problems = problems


class MatterRefusedError(RefusedError):
    """A matter (ärende) cannot take this decision or change: none is open, or another body decides now."""


class NotFoundError(JourneyError):
    exit_code = ExitCode.NOT_FOUND


class BoardNotFoundError(NotFoundError):
    """The municipality has no board with that code or name (KS and KF always exist)."""


class ConcurrentChangeError(JourneyError):
    exit_code = ExitCode.CONFLICT


class PermissionDeniedError(JourneyError):
    exit_code = ExitCode.PERMISSION


class AuthenticationError(PermissionDeniedError):
    """Nobody is logged in, or the password, session or token is wrong, expired or revoked."""


class TooManyAttemptsError(AuthenticationError):
    """Too many failed logins for this user or client; ``retry_after`` seconds until the next try."""

    def __init__(self, message: str, retry_after: int) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class DefinitionError(JourneyError):
    """A workflow definition is invalid. ``location`` is ``file:line``; ``key`` a dotted path."""

    exit_code = ExitCode.DEFINITION

    def __init__(self, message: str, *, file: str = "", line: int | None = None, key: str = "") -> None:
        self.file, self.line, self.key, self.detail = file, line, key, message
        where = file + (f":{line}" if line else "") if file else ""
        prefix = ": ".join(p for p in (where, key) if p)
        super().__init__(msg("{prefix}: {message}", prefix=prefix, message=message) if prefix else message)


class DefinitionErrors(DefinitionError):
    """Several definition problems at once; ``str`` is the first, ``errors`` holds all."""

    def __init__(self, errors: list[DefinitionError]) -> None:
        self.errors = errors
        first = errors[0]
        super().__init__(first.detail, file=first.file, line=first.line, key=first.key)
        self.args = (message_of(first) if len(errors) == 1 else
                     msg("{first} (and {count} more)", first=message_of(first), count=len(errors) - 1),)


class NotInitialisedError(JourneyError):
    exit_code = ExitCode.NOT_INITIALISED


class DatabaseLockedError(JourneyError):
    exit_code = ExitCode.LOCKED


class DatabaseUnavailableError(JourneyError):
    """The database server cannot be reached (refused, timed out, shutting down): retry later."""

    exit_code = ExitCode.UNAVAILABLE


class DatabaseConfigError(JourneyError):
    """The database settings are wrong: no such database, role or file, login refused, bad URL or driver."""

    exit_code = ExitCode.CONFIG


class StorageError(JourneyError):
    """The disk refused a write (full, read-only, I/O error); nothing was saved."""

    exit_code = ExitCode.IO


class MailError(JourneyError):
    """Delivery of one message failed. ``temporary``: retry later (4xx); else give up (5xx).

    ``uncertain``: the whole message was sent but no reply came (timeout, lost connection), so
    the server may have accepted it; a retry may deliver a second copy (same Message-ID).
    """

    def __init__(self, message: str, *, temporary: bool, uncertain: bool = False) -> None:
        super().__init__(message)
        self.temporary, self.uncertain = temporary, uncertain


class MailUnavailableError(MailError):
    """The SMTP server cannot be reached or closes the service (421): no message was attempted."""

    exit_code = ExitCode.UNAVAILABLE

    def __init__(self, message: str) -> None:
        super().__init__(message, temporary=True)


class MailConfigError(MailError):
    """The sender address or the SMTP login is refused: nothing can be sent until the settings are fixed."""

    exit_code = ExitCode.CONFIG

    def __init__(self, message: str) -> None:
        super().__init__(message, temporary=False)


class TemplateError(JourneyError):
    """A document template failed; the message names the template (file:line) and the cause."""

    exit_code = ExitCode.DEFINITION

    def __init__(self, message: str, template: str = "") -> None:
        self.template = template
        super().__init__(message)


class DocumentWriteError(StorageError):
    """A rendered document could not be stored; the change that triggered it was rolled back."""


class CalendarFileError(InputError):
    """A row of a calendar file is invalid; the message starts with ``file:line:`` (``file:sheet:row:``)."""


class HoursFileError(InputError):
    """A file given to `journey hours import` cannot be read; the message starts with ``file:line:``.

    Problems in a row's values keep their own class (and exit code) with ``file:line: column:`` in front.
    """


class DecisionInputError(InputError):
    """A decision given on the command line is malformed: unknown outcome, a date after today, an empty chain."""


class AddressError(InputError):
    """An e-mail address is not one journey can send to (see journey.domain.addresses)."""


class EmailTemplateError(JourneyError):
    """A reminder template is missing or fails to render (names the template and line)."""


class WorkerTimeout(Exception):  # noqa: N818  (internal: the render worker took too long; never shown as such)
    """Internal to the render adapter: becomes a :class:`TemplateError`."""


class WorkerCrashed(Exception):  # noqa: N818  (internal: the render worker died)
    """Internal to the render adapter: the worker is restarted and the job becomes a :class:`TemplateError`."""
