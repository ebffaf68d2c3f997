"""One database transaction per use case; errors from the driver become journey errors."""

from __future__ import annotations

from functools import cached_property
from typing import TYPE_CHECKING

from sqlalchemy import Engine
from sqlmodel import Session

from journey.adapters.sql.errors import classify
from journey.adapters.sql.repositories.core import SqlCaseRepository, SqlMunicipalityRepository, SqlUserRepository
from journey.domain.errors import JourneyError

if TYPE_CHECKING:
    from journey.adapters.sql.repositories.auth import SqlCredentialRepository
    from journey.adapters.sql.repositories.case_migrations import SqlMigrationRepository
    from journey.adapters.sql.repositories.deals import SqlDealRepository
    from journey.adapters.sql.repositories.documents import SqlDocumentRepository
    from journey.adapters.sql.repositories.hours import SqlHoursRepository, SqlPeopleRepository
    from journey.adapters.sql.repositories.matters import SqlMatterRepository
    from journey.adapters.sql.repositories.reminders import (
        SqlMeetingRepository,
        SqlPauseRepository,
        SqlReminderRepository,
    )
    from journey.adapters.sql.repositories.settings import SqlSettingsRepository
    from journey.adapters.sql.repositories.webhooks import SqlWebhookRepository
    from journey.ports.core import CaseRepository, MunicipalityRepository, UserRepository


def translate(exc: Exception) -> JourneyError | None:
    """Map a database exception to the journey error a user should see, if it is a known kind."""
    return classify(exc)


_FEATURES = ("reminders", "board_meetings", "pauses", "documents", "hours", "people", "case_migrations", "auth",
             "webhooks", "deals", "matters", "settings")


class SqlUnitOfWork:
    """One session per use case; feature repositories are built on first use (their tables load then)."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    municipalities: MunicipalityRepository
    users: UserRepository
    cases: CaseRepository

    def __enter__(self) -> SqlUnitOfWork:
        self.session = Session(self.engine, expire_on_commit=False)
        self.municipalities = SqlMunicipalityRepository(self.session)
        self.users = SqlUserRepository(self.session)
        self.cases = SqlCaseRepository(self.session)
        for name in _FEATURES:  # a fresh transaction gets fresh repositories
            self.__dict__.pop(name, None)
        return self

    def __exit__(self, *exc_info: object) -> None:
        exc = exc_info[1] if len(exc_info) > 1 else None
        try:
            self.session.rollback()
        finally:
            self.session.close()
        if isinstance(exc, Exception) and not isinstance(exc, JourneyError):
            from journey.adapters.sql.urls import display

            mapped = classify(exc, display(self.engine.url.render_as_string(hide_password=True)))
            if mapped is not None:
                raise mapped from exc

    @cached_property
    def settings(self) -> SqlSettingsRepository:
        from journey.adapters.sql.repositories.settings import SqlSettingsRepository

        return SqlSettingsRepository(self.session)

    @cached_property
    def reminders(self) -> SqlReminderRepository:
        from journey.adapters.sql.repositories.reminders import SqlReminderRepository

        return SqlReminderRepository(self.session)

    @cached_property
    def board_meetings(self) -> SqlMeetingRepository:
        from journey.adapters.sql.repositories.reminders import SqlMeetingRepository

        return SqlMeetingRepository(self.session)

    @cached_property
    def pauses(self) -> SqlPauseRepository:
        from journey.adapters.sql.repositories.reminders import SqlPauseRepository

        return SqlPauseRepository(self.session)

    @cached_property
    def documents(self) -> SqlDocumentRepository:
        from journey.adapters.sql.repositories.documents import SqlDocumentRepository

        return SqlDocumentRepository(self.session)

    @cached_property
    def hours(self) -> SqlHoursRepository:
        from journey.adapters.sql.repositories.hours import SqlHoursRepository

        return SqlHoursRepository(self.session)

    @cached_property
    def people(self) -> SqlPeopleRepository:
        from journey.adapters.sql.repositories.hours import SqlPeopleRepository

        return SqlPeopleRepository(self.session)

    @cached_property
    def case_migrations(self) -> SqlMigrationRepository:
        from journey.adapters.sql.repositories.case_migrations import SqlMigrationRepository

        return SqlMigrationRepository(self.session)

    @cached_property
    def auth(self) -> SqlCredentialRepository:
        from journey.adapters.sql.repositories.auth import SqlCredentialRepository

        return SqlCredentialRepository(self.session)

    @cached_property
    def webhooks(self) -> SqlWebhookRepository:
        from journey.adapters.sql.repositories.webhooks import SqlWebhookRepository

        return SqlWebhookRepository(self.session)

    @cached_property
    def deals(self) -> SqlDealRepository:
        from journey.adapters.sql.repositories.deals import SqlDealRepository

        return SqlDealRepository(self.session)

    @cached_property
    def matters(self) -> SqlMatterRepository:
        from journey.adapters.sql.repositories.matters import SqlMatterRepository

        return SqlMatterRepository(self.session)

    def commit(self) -> None:
        self.session.commit()

    def rollback(self) -> None:
        self.session.rollback()
