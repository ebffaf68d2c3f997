"""The unit of work: one transaction per use case, every repository a typed attribute."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Protocol

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


class UnitOfWork(Protocol):
    """``with uow: ...; uow.commit()``; leaving the block without commit rolls back.

    Every repository is bound to this transaction. Feature repositories are built on first use,
    so a command loads only the storage of the features it touches.
    """

    municipalities: MunicipalityRepository
    users: UserRepository
    cases: CaseRepository

    @property
    def reminders(self) -> ReminderRepository: ...
    @property
    def board_meetings(self) -> BoardMeetingRepository: ...
    @property
    def pauses(self) -> PauseRepository: ...
    @property
    def documents(self) -> DocumentRepository: ...
    @property
    def hours(self) -> HoursRepository: ...
    @property
    def people(self) -> PeopleRepository: ...
    @property
    def case_migrations(self) -> CaseMigrationRepository: ...
    @property
    def auth(self) -> CredentialRepository: ...
    @property
    def webhooks(self) -> WebhookRepository: ...
    @property
    def deals(self) -> DealRepository: ...
    @property
    def matters(self) -> MatterRepository: ...
    @property
    def settings(self) -> SettingsRepository: ...

    def __enter__(self) -> UnitOfWork: ...
    def __exit__(self, *exc: object) -> None: ...
    def commit(self) -> None: ...
    def rollback(self) -> None: ...
    def after_commit(self, callback: Callable[[], object]) -> None:
        """Run ``callback`` once this transaction has committed (never if it rolls back)."""


UnitOfWorkFactory = Callable[[], UnitOfWork]
