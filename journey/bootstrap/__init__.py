"""The one place that picks concrete adapters and wires features together.

Nothing heavy is imported at module level: read-only commands use the light read model and
never load SQLAlchemy; write commands build the engine on first use.
"""

from __future__ import annotations

from functools import cached_property
from typing import TYPE_CHECKING, Any

from journey.adapters.clock import SystemClock
from journey.adapters.readmodel.core import SqlReadModel
from journey.config import Settings
from journey.definitions.catalog import WorkflowCatalog
from journey.domain.clock import Clock

if TYPE_CHECKING:
    from journey.services.deps import Deps


class App:
    """Everything a command needs, built lazily from settings."""

    def __init__(self, settings: Settings | None = None, *, clock: Clock | None = None,
                 overrides: dict[str, Any] | None = None) -> None:
        self.settings = settings or Settings.from_env()
        self.clock: Clock = clock or _clock_from(self.settings)
        self.overrides = overrides or {}

    @cached_property
    def database_url(self) -> str:
        from journey.adapters.sql.urls import normalize_url

        return normalize_url(self.settings.database_url)

    @cached_property
    def engine(self) -> Any:
        from journey.adapters.sql.engine import make_engine

        return make_engine(self.database_url)

    @cached_property
    def workflows(self) -> WorkflowCatalog:
        return WorkflowCatalog.from_directory(self.settings.workflows_dir)

    @cached_property
    def _read_model(self) -> SqlReadModel:
        return SqlReadModel(self.database_url)

    def read_model(self) -> SqlReadModel:
        """The read-only query side, connected on first query and closed by :meth:`close`."""
        return self._read_model

    def _uow(self) -> Any:
        from journey.adapters.sql.unit_of_work import SqlUnitOfWork

        return SqlUnitOfWork(self.engine)

    @cached_property
    def deps(self) -> Deps:
        import journey.adapters.sql.tables.all  # noqa: F401  (all tables known before the first session)
        from journey.services.deps import Deps

        deps = Deps(uow=self._uow, workflows=lambda: self.workflows, clock=self.clock,
                    timezone=self.settings.timezone)
        wire_features(self, deps)
        return deps

    def init_database(self) -> list[str]:
        from journey.adapters.sql import schema_upgrade as schema

        return schema.upgrade(self.engine)

    def close(self) -> None:
        if "_read_model" in self.__dict__:
            self._read_model.close()
        if "engine" in self.__dict__:
            self.engine.dispose()


def _clock_from(settings: Settings) -> Clock:
    if not settings.now:
        return SystemClock()
    from datetime import datetime

    from journey.adapters.clock import FixedClock
    from journey.domain.errors import InputError

    try:
        return FixedClock(datetime.fromisoformat(settings.now))
    except ValueError:
        raise InputError(f"JOURNEY_NOW={settings.now!r} is not an ISO date-time") from None


def wire_features(app: App, deps: Deps) -> None:
    """Register each feature's event handlers and repositories; handlers run inside the advance's transaction."""
    from journey.adapters.sql.transfer_store import SqlTransferStore
    from journey.bootstrap.documents import wire_documents
    from journey.bootstrap.reminders import wire_reminders

    wire_documents(app, deps)  # issue 4: documents rendered on state entry
    wire_reminders(app, deps)  # issue 3: reminders planned on entry, cancelled on exit
    deps.transfer_store = lambda: SqlTransferStore(app.engine)
