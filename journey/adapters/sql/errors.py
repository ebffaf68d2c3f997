"""What a database driver's exception means for the user: the one place that reads driver errors.

Used by the unit of work, the engine factory, the read model and (through bootstrap) the CLI,
so that SQLite and PostgreSQL faults end in the same documented exit codes:

    the schema is missing on a reachable database   NotInitialisedError        8
    the server cannot be reached (refused, timeout)  DatabaseUnavailableError  75
    locked / busy                                    DatabaseLockedError       75
    no such database or role, bad password, bad URL,
      unknown driver, a file that is not a database  DatabaseConfigError       78
    read-only file, disk full, I/O error             StorageError              74
    a unique or version clash of two writers         ConcurrentChangeError      5

Nothing heavy is imported here: the read side calls :func:`classify` with plain sqlite3 or
psycopg exceptions, the write side with SQLAlchemy's wrappers (``exc.orig`` is the driver's).
"""

from __future__ import annotations

import re

from journey.domain.errors import (
    ConcurrentChangeError,
    DatabaseConfigError,
    DatabaseLockedError,
    DatabaseUnavailableError,
    JourneyError,
    NotInitialisedError,
    StorageError,
)
from journey.domain.messages import msg

NOT_INITIALISED = msg("the database has no journey schema yet: run `journey init`")
CONFLICT = msg("another user changed this case at the same time; nothing was saved, try again")

# PostgreSQL's own words (server messages are English with lc_messages=C, the default of the images)
_MISSING = re.compile(r'(database|role) "([^"]+)" does not exist')
_UNREACHABLE = ("connection refused", "could not connect", "timeout expired", "timed out", "no route to host",
                "network is unreachable", "server closed the connection", "could not translate host name",
                "failed to resolve host", "name or service not known", "temporary failure in name resolution",
                "the database system is starting up", "the database system is shutting down",
                "terminating connection", "connection is closed", "server conn crashed", "ssl syscall error",
                "connection reset", "too many connections")
_STORAGE = ("attempt to write a readonly database", "database or disk is full", "disk i/o error",
            "no space left on device", "read-only file system", "could not extend file",
            "could not write to file", "disk quota exceeded")


def _first_line(text: str) -> str:
    return (text.strip().splitlines() or [""])[0].strip()


def _is(exc: BaseException, module: str, *names: str) -> bool:
    """``isinstance`` by name, so that neither SQLAlchemy nor a driver has to be imported to ask."""
    return any(cls.__name__ in names and cls.__module__.startswith(module) for cls in type(exc).__mro__)


def is_integrity_error(exc: BaseException) -> bool:
    """A unique, foreign-key or check constraint refused the write (SQLAlchemy's wrapper or the driver's own)."""
    orig = getattr(exc, "orig", None) or exc
    return (_is(exc, "sqlalchemy", "IntegrityError") or _is(orig, "sqlite3", "IntegrityError")
            or _is(orig, "psycopg", "IntegrityError"))


def bad_url(exc: BaseException) -> DatabaseConfigError:
    """A database URL that SQLAlchemy cannot parse, or whose dialect or driver is not installed."""
    return DatabaseConfigError(msg("the database URL cannot be used: {exc} (expected sqlite:///PATH or "
                                   "postgresql://USER@HOST/DATABASE)", exc=_first_line(str(exc))))


def classify(exc: BaseException, where: str = "") -> JourneyError | None:
    """The journey error ``exc`` stands for, or None if it is not a known database fault.

    ``where``: the database as shown to the user (path or host:port/name, never the password).
    """
    if isinstance(exc, JourneyError):
        return exc
    orig = getattr(exc, "orig", None) or exc
    text = str(orig).lower()
    at = f" at {where}" if where else ""
    if _is(exc, "sqlalchemy", "StaleDataError"):
        return ConcurrentChangeError(CONFLICT)
    if _is(exc, "sqlalchemy", "NoSuchModuleError", "ArgumentError"):
        return bad_url(exc)
    if is_integrity_error(exc):
        if "case_history" in text:
            return ConcurrentChangeError(CONFLICT)
        if any(k in text for k in ("time_entry", "uq_person", "person.", "claim_period")):
            return ConcurrentChangeError(msg("another user recorded the same at the same time; nothing was saved, try "
                                             "again"))
        return None
    missing = _MISSING.search(text)
    if missing and ("fatal" in text or "connection" in text):
        kind, name = missing.groups()
        fix = "create it (createdb)" if kind == "database" else "create it (createuser) or use another user"
        return DatabaseConfigError(msg("{kind} \"{name}\" does not exist{at}: {fix}, or fix --db / "
                                       "JOURNEY_DATABASE_URL", kind=kind, name=name, at=at, fix=fix))
    if "password authentication failed" in text or "no password supplied" in text or (
            "no pg_hba.conf entry" in text):
        return DatabaseConfigError(msg("the database{at} refused the login: {orig}", at=at, orig=_first_line(str(orig))))
    if "file is not a database" in text or "database disk image is malformed" in text:
        return DatabaseConfigError(msg("{value} is not a journey database ({orig}): check --db / "
                                       "JOURNEY_DATABASE_URL",
            value=where or 'the database file', orig=_first_line(str(orig))))
    if "unable to open database file" in text:
        return DatabaseConfigError(msg("cannot open the database{at}: check the path in --db / "
                                       "JOURNEY_DATABASE_URL", at=at))
    if any(k in text for k in _STORAGE):
        return StorageError(msg("the database{at} cannot be written ({orig}); nothing was saved",
            at=at, orig=_first_line(str(orig))))
    if "locked" in text or "busy" in text or "lock timeout" in text:
        return DatabaseLockedError(msg("the database is locked by another process; nothing was saved, try again"))
    if any(k in text for k in _UNREACHABLE) and (
            _is(exc, "sqlalchemy", "OperationalError", "InterfaceError") or _is(orig, "psycopg", "Error")):
        return DatabaseUnavailableError(msg("cannot reach the database{at} ({orig}); nothing was changed, try "
                                            "again later", at=at, orig=_first_line(str(orig))))
    if "no such table" in text or ("does not exist" in text and ("relation" in text or "table" in text)) or (
            "undefinedtable" in type(orig).__name__.lower()):
        return NotInitialisedError(NOT_INITIALISED)
    if _is(orig, "psycopg", "OperationalError") and "connection" in text:
        return DatabaseUnavailableError(msg("cannot reach the database{at} ({orig}); nothing was changed, try "
                                            "again later", at=at, orig=_first_line(str(orig))))
    return None
