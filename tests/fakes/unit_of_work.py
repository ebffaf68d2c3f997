"""The fake unit of work: committed tables, and a private deep copy of them per ``with uow:``."""

from __future__ import annotations

import copy
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from journey.domain.case import Case, HistoryEntry
from journey.domain.deals import Deal, DealEvent
from journey.domain.document_jobs import DocumentJob
from journey.domain.esf import Attestation, ClaimPeriod
from journey.domain.hours import TimeEntry
from journey.domain.matters import Matter
from journey.domain.reminders import Reminder
from journey.ports.auth import CredentialRepository
from journey.ports.case_migrations import CaseMigrationRepository
from journey.ports.core import CaseRepository, MunicipalityRepository, SettingsRepository, UserRepository
from journey.ports.deals import DealRepository
from journey.ports.documents import DocumentRepository
from journey.ports.hours import HoursRepository, PeopleRepository
from journey.ports.matters import MatterRepository
from journey.ports.reminders import BoardMeetingRepository, PauseRepository, ReminderRepository
from journey.ports.webhooks import WebhookRepository
from tests.fakes.hours import FakeHoursRepository, FakePeopleRepository
from tests.fakes.matters import FakeMatterRepository
from tests.fakes.repositories import (
    FakeBoardMeetingRepository,
    FakeCaseMigrationRepository,
    FakeCaseRepository,
    FakeDealRepository,
    FakeDocumentRepository,
    FakeMunicipalityRepository,
    FakePauseRepository,
    FakeReminderRepository,
    FakeUserRepository,
)
from tests.fakes.serve import FakeCredentialRepository, FakeWebhookRepository

NOW = datetime(2022, 3, 1, 9, 0, tzinfo=UTC)


@dataclass
class Tables:
    """Every row the fake database holds; one deep copy of it per unit of work."""

    municipalities: dict[int, dict[str, Any]] = field(default_factory=dict)
    users: dict[int, dict[str, Any]] = field(default_factory=dict)
    cases: dict[int, Case] = field(default_factory=dict)
    history: list[HistoryEntry] = field(default_factory=list)
    reminders: dict[int, Reminder] = field(default_factory=dict)
    boards: dict[int, dict[str, Any]] = field(default_factory=dict)
    board_meetings: dict[int, dict[str, Any]] = field(default_factory=dict)
    closed_periods: dict[int, list[Any]] = field(default_factory=dict)  # municipality id -> ClosedPeriods
    supporters: set[tuple[int, int]] = field(default_factory=set)  # (municipality id, user id)
    pauses: dict[int, dict[str, Any]] = field(default_factory=dict)
    documents: dict[int, dict[str, Any]] = field(default_factory=dict)
    document_jobs: dict[int, DocumentJob] = field(default_factory=dict)
    job_claims: dict[int, tuple[str, datetime | None]] = field(default_factory=dict)  # claimed_by, retry_at
    people: dict[int, dict[str, Any]] = field(default_factory=dict)  # {"person": Person, "name_key": ...}
    time_entries: dict[int, TimeEntry] = field(default_factory=dict)  # append-only
    network_meetings: dict[int, dict[str, Any]] = field(default_factory=dict)  # {"meeting": NetworkMeeting, ...}
    claim_periods: dict[int, ClaimPeriod] = field(default_factory=dict)
    attestations: dict[int, Attestation] = field(default_factory=dict)
    esf_settings: dict[str, dict[str, Any]] = field(default_factory=dict)
    hours_exports: dict[int, dict[str, Any]] = field(default_factory=dict)
    esf_audit: dict[int, dict[str, Any]] = field(default_factory=dict)
    migration_runs: dict[int, dict[str, Any]] = field(default_factory=dict)
    case_migrations: dict[int, dict[str, Any]] = field(default_factory=dict)
    passwords: dict[str, str] = field(default_factory=dict)
    sessions: dict[str, Any] = field(default_factory=dict)
    tokens: dict[str, Any] = field(default_factory=dict)
    login_attempts: list[tuple[str, str, datetime, bool]] = field(default_factory=list)
    webhooks: dict[int, Any] = field(default_factory=dict)
    deliveries: dict[int, dict[str, Any]] = field(default_factory=dict)
    deals: dict[int, Deal] = field(default_factory=dict)
    deal_events: list[DealEvent] = field(default_factory=list)
    matters: dict[int, Matter] = field(default_factory=dict)
    settings: dict[str, str] = field(default_factory=dict)
    last_id: dict[str, int] = field(default_factory=dict)

    def next_id(self, table: str) -> int:
        self.last_id[table] = self.last_id.get(table, 0) + 1
        return self.last_id[table]


@dataclass
class FakeDatabase:
    """The committed state that every :class:`FakeUnitOfWork` starts from; ``commits`` counts commits."""

    now: Callable[[], datetime] = lambda: NOW
    committed: Tables = field(default_factory=Tables)
    commits: int = 0

    def uow(self) -> FakeUnitOfWork:
        return FakeUnitOfWork(self)


class FakeUnitOfWork:
    """``with uow: ...; uow.commit()`` over a private copy of the committed tables."""

    def __init__(self, db: FakeDatabase) -> None:
        self.db = db
        self._tables: Tables | None = None
        self._versions_at_begin: dict[int, int] = {}
        self._deal_versions_at_begin: dict[int, int] = {}
        # typed as the ports, so a type checker holds each fake to its Protocol
        self.municipalities: MunicipalityRepository = FakeMunicipalityRepository(self)
        self.users: UserRepository = FakeUserRepository(self)
        self.cases: CaseRepository = FakeCaseRepository(self)
        self.reminders: ReminderRepository = FakeReminderRepository(self)
        self.board_meetings: BoardMeetingRepository = FakeBoardMeetingRepository(self)
        self.pauses: PauseRepository = FakePauseRepository(self)
        self.documents: DocumentRepository = FakeDocumentRepository(self)
        self.hours: HoursRepository = FakeHoursRepository(self)
        self.people: PeopleRepository = FakePeopleRepository(self)
        self.case_migrations: CaseMigrationRepository = FakeCaseMigrationRepository(self)
        self.auth: CredentialRepository = FakeCredentialRepository(self)
        self.webhooks: WebhookRepository = FakeWebhookRepository(self)
        self.deals: DealRepository = FakeDealRepository(self)
        self.matters: MatterRepository = FakeMatterRepository(self)
        self.settings: SettingsRepository = FakeSettingsRepository(self)

    def _begin(self) -> None:
        self._after_commit: list[Callable[[], object]] = []
        self._tables = copy.deepcopy(self.db.committed)
        self._versions_at_begin = {i: c.version for i, c in self._tables.cases.items()}
        self._deal_versions_at_begin = {i: d.version for i, d in self._tables.deals.items()}

    def __enter__(self) -> FakeUnitOfWork:
        self._begin()
        return self

    def __exit__(self, *exc: object) -> None:
        self._tables = None  # whatever was not committed is gone

    def commit(self) -> None:
        if self._tables is None:
            raise RuntimeError("commit() outside `with uow:`")
        self.db.committed = copy.deepcopy(self._tables)
        self.db.commits += 1
        self._versions_at_begin = {i: c.version for i, c in self._tables.cases.items()}
        self._deal_versions_at_begin = {i: d.version for i, d in self._tables.deals.items()}
        callbacks, self._after_commit = self._after_commit, []
        for callback in callbacks:
            callback()
        if callbacks:  # as a new transaction would: what they committed is seen
            self._tables = copy.deepcopy(self.db.committed)

    def rollback(self) -> None:
        self._begin()

    def after_commit(self, callback: Callable[[], object]) -> None:
        self._after_commit.append(callback)


class FakeSettingsRepository:
    def __init__(self, uow: Any) -> None:
        self.uow = uow

    def get(self, key: str) -> str | None:
        return self.uow._tables.settings.get(key)

    def set(self, key: str, value: str) -> None:
        self.uow._tables.settings[key] = value
