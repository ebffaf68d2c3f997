"""One database transaction per use case on a plain DB-API connection.

The repositories of the hot write paths speak SQL directly (``dbapi/repositories``); a feature
without one gets its ORM repository (``adapters/sql/repositories``) on the same connection and
transaction, so SQLAlchemy is imported only by a command that touches such a feature.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from journey.adapters.dbapi.connection import ConnectionPool, Db
from journey.adapters.dbapi.fallback import Fallback
from journey.adapters.dbapi.repositories.core import (
    PlainCaseRepository,
    PlainMunicipalityRepository,
    PlainUserRepository,
)
from journey.adapters.sql.errors import classify
from journey.domain.errors import DatabaseUnavailableError, JourneyError

if TYPE_CHECKING:
    from journey.ports.auth import CredentialRepository
    from journey.ports.case_migrations import CaseMigrationRepository
    from journey.ports.core import CaseRepository, MunicipalityRepository, SettingsRepository, UserRepository
    from journey.ports.deals import DealRepository
    from journey.ports.documents import DocumentRepository
    from journey.ports.hours import HoursRepository, PeopleRepository
    from journey.ports.matters import MatterRepository
    from journey.ports.reminders import BoardMeetingRepository, PauseRepository, ReminderRepository
    from journey.ports.webhooks import WebhookRepository

# feature -> its ORM repository: used where no plain one exists (the twin a plain one is tested against)
_ORM = {"hours": ("hours", "SqlHoursRepository"), "people": ("hours", "SqlPeopleRepository"),
        "reminders": ("reminders", "SqlReminderRepository"), "board_meetings": ("reminders", "SqlMeetingRepository"),
        "pauses": ("reminders", "SqlPauseRepository"), "documents": ("documents", "SqlDocumentRepository"),
        "case_migrations": ("case_migrations", "SqlMigrationRepository"),
        "auth": ("auth", "SqlCredentialRepository"), "webhooks": ("webhooks", "SqlWebhookRepository"),
        "deals": ("deals", "SqlDealRepository"), "matters": ("matters", "SqlMatterRepository"),
        "settings": ("settings", "SqlSettingsRepository")}
# feature -> its plain repository (module under dbapi/repositories, class)
_PLAIN: dict[str, tuple[str, str]] = {"hours": ("hours", "PlainHoursRepository"),
                                      "people": ("hours", "PlainPeopleRepository"),
                                      "documents": ("documents", "PlainDocumentRepository"),
                                      "reminders": ("reminders", "PlainReminderRepository")}
# feature -> its hot reads in plain SQL, in front of the ORM repository (dbapi/repositories/base.py)
_PLAIN_READS = {"board_meetings": ("reminders", "PlainMeetingReads"), "deals": ("deals", "PlainDealReads"),
                "matters": ("matters", "PlainMatterReads"), "webhooks": ("webhooks", "PlainWebhookReads")}


class Database:
    """What the units of work of one database share: the connection pool and the ORM fallback."""

    def __init__(self, url: str, busy_timeout_ms: int) -> None:
        self.pool = ConnectionPool(url, busy_timeout_ms)
        self.fallback = Fallback(self.pool.pg)

    def close(self) -> None:
        self.pool.close()


class PlainUnitOfWork:
    """``with uow: ...; uow.commit()``; leaving the block without commit rolls back."""

    def __init__(self, database: Database) -> None:
        self.database = database

    municipalities: MunicipalityRepository
    users: UserRepository
    cases: CaseRepository
    # built on first use by __getattr__ (plain or ORM, see _PLAIN and _ORM)
    reminders: ReminderRepository
    board_meetings: BoardMeetingRepository
    pauses: PauseRepository
    documents: DocumentRepository
    hours: HoursRepository
    people: PeopleRepository
    case_migrations: CaseMigrationRepository
    auth: CredentialRepository
    webhooks: WebhookRepository
    deals: DealRepository
    matters: MatterRepository
    settings: SettingsRepository

    def __enter__(self) -> PlainUnitOfWork:
        self.db = Db(self.database.pool.take(), self.database.pool.pg)
        self._after_commit: list[Callable[[], object]] = []
        self._session: Any = None
        self.municipalities = PlainMunicipalityRepository(self.db)
        self.users = PlainUserRepository(self.db)
        self.cases = self._cases = PlainCaseRepository(self.db)
        for name in _ORM:  # a fresh transaction gets fresh repositories
            self.__dict__.pop(name, None)
        self.database.fallback.push(self.db)
        return self

    def __exit__(self, *exc_info: object) -> None:
        exc = exc_info[1] if len(exc_info) > 1 else None
        known = classify(exc, self.database.pool.where) if isinstance(exc, Exception) else None
        broken = isinstance(known, DatabaseUnavailableError)  # a lost connection is not used again
        try:
            self._end_session()
            self.db.rollback()
        except Exception:  # noqa: BLE001 - a connection that cannot roll back is not used again
            broken = True
        finally:
            self.database.fallback.pop(self.db)
            self.database.pool.give_back(self.db.conn, broken=broken)
        if known is not None and isinstance(exc, Exception) and not isinstance(exc, JourneyError):
            raise known from exc

    def __getattr__(self, name: str) -> Any:
        """A feature repository, built on first use in this transaction."""
        if name in _PLAIN:
            repository = _plain(*_PLAIN[name])(self.db)
        elif name in _PLAIN_READS:
            repository = _plain(*_PLAIN_READS[name])(self.db, lambda: self._orm(name), self._flush)
        elif name in _ORM:
            repository = self._orm(name)
        else:
            raise AttributeError(name)
        self.__dict__[name] = repository
        return repository

    def _orm(self, name: str) -> Any:
        module, cls = _ORM[name]
        return getattr(__import__(f"journey.adapters.sql.repositories.{module}", fromlist=[cls]), cls)(self.session)

    def _flush(self) -> None:
        """Send the ORM session's pending writes, so that a plain read sees them."""
        if self._session is not None:
            self._session.flush()

    @property
    def session(self) -> Any:
        """The ORM session on this transaction (for features without a plain repository)."""
        if self._session is None:
            self._session = self.database.fallback.session()
        return self._session

    def _end_session(self) -> None:
        if self._session is not None:
            self._session.close()

    def commit(self) -> None:
        if self._session is not None:  # flushes and ends its transaction; the connection's is ended below
            self._session.commit()  # its objects stay attached, and its next use begins anew (BEGIN IMMEDIATE)
        self.db.commit()
        self._cases.transaction_ended()
        callbacks, self._after_commit = self._after_commit, []
        for callback in callbacks:
            callback()

    def after_commit(self, callback: Callable[[], object]) -> None:
        self._after_commit.append(callback)

    def rollback(self) -> None:
        self._after_commit = []
        if self._session is not None:
            self._session.rollback()
        self.db.rollback()
        self._cases.transaction_ended()


def _plain(module: str, cls: str) -> Any:
    return getattr(__import__(f"journey.adapters.dbapi.repositories.{module}", fromlist=[cls]), cls)
