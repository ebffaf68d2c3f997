"""One database transaction per use case; errors from the driver become journey errors."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import Engine
from sqlalchemy.exc import IntegrityError, OperationalError, ProgrammingError
from sqlalchemy.orm.exc import StaleDataError
from sqlmodel import Session

from journey.adapters.sql.repositories.core import SqlCaseRepository, SqlMunicipalityRepository, SqlUserRepository
from journey.domain.errors import ConcurrentChangeError, DatabaseLockedError, JourneyError, NotInitialisedError

# Feature modules register repositories here (name -> factory taking the session), see bootstrap.
EXTENSIONS: dict[str, Callable[[Session], Any]] = {}


def translate(exc: Exception) -> JourneyError | None:
    """Map a database exception to the journey error a user should see, if it is a known kind."""
    text = str(getattr(exc, "orig", exc)).lower()
    if isinstance(exc, StaleDataError):
        return ConcurrentChangeError("another user changed this case at the same time; nothing was saved, try again")
    if isinstance(exc, OperationalError) and ("locked" in text or "busy" in text):
        return DatabaseLockedError("the database is locked by another process; nothing was saved, try again")
    if isinstance(exc, OperationalError | ProgrammingError) and ("no such table" in text or "does not exist" in text):
        return NotInitialisedError("the database has no journey schema yet: run `journey init`")
    if isinstance(exc, IntegrityError) and "case_history" in text:
        return ConcurrentChangeError("another user changed this case at the same time; nothing was saved, try again")
    return None


class SqlUnitOfWork:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._extensions: dict[str, Any] = {}

    def __enter__(self) -> SqlUnitOfWork:
        self.session = Session(self.engine, expire_on_commit=False)
        self.municipalities = SqlMunicipalityRepository(self.session)
        self.users = SqlUserRepository(self.session)
        self.cases = SqlCaseRepository(self.session)
        self._extensions = {}
        return self

    def __exit__(self, exc_type: Any, exc: Any, tb: Any) -> None:
        try:
            self.session.rollback()
        finally:
            self.session.close()
        if exc is not None and not isinstance(exc, JourneyError):
            mapped = translate(exc)
            if mapped is not None:
                raise mapped from exc

    def extension(self, name: str) -> Any:
        if name not in self._extensions:
            self._extensions[name] = EXTENSIONS[name](self.session)
        return self._extensions[name]

    def commit(self) -> None:
        self.session.commit()

    def rollback(self) -> None:
        self.session.rollback()
