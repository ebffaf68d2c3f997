"""The one place that picks concrete adapters and wires features together.

Nothing heavy is imported at module level: read-only commands use the light read model and
never load SQLAlchemy; write commands build the engine on first use.
"""

from __future__ import annotations

from functools import cached_property
from typing import TYPE_CHECKING, Any

from journey.adapters.clock import SystemClock
from journey.adapters.readmodel.core import SqlReadModel
from journey.config import Settings, debug_enabled, login_name, ui_language
from journey.definitions.catalog import WorkflowCatalog, require_workflow_files
from journey.domain.messages import msg
from journey.ports.clock import Clock

if TYPE_CHECKING:
    from pathlib import Path

    from journey.adapters.dbapi.unit_of_work import Database
    from journey.domain.unit_costs import UnitCostTable
    from journey.ports.calendars import CalendarFiles
    from journey.ports.exports import ReportRenderer, SheetWriter, SiteWriter
    from journey.ports.hours import HoursFileReader
    from journey.ports.matters import MatterReadModel
    from journey.ports.monitoring import MonitorReadModel
    from journey.ports.reminders import ReminderReadModel
    from journey.ports.unit_of_work import UnitOfWork
    from journey.services.deps import Deps
    from journey.services.documents.views import DocumentQuery


class App:
    """Everything a command needs, built lazily from settings."""

    def __init__(self, settings: Settings | None = None, *, clock: Clock | None = None,
                 overrides: dict[str, Any] | None = None) -> None:
        self.settings = settings or Settings.from_env()
        self.clock: Clock = clock or _clock_from(self.settings)
        self.overrides = overrides or {}
        # Only `init`, `demo`, `import` and the test fixtures create a SQLite file; any other command on a
        # missing file (a mistyped --db) stops with one line and creates neither the file nor its directory.
        self.creates_database = True

    @cached_property
    def database_url(self) -> str:
        from journey.adapters.sql.urls import normalize_url

        return normalize_url(self.settings.database_url)

    @cached_property
    def engine(self) -> Any:
        from journey.adapters.sql.engine import make_engine
        from journey.bootstrap.documents import busy_timeout_ms

        return make_engine(self.database_url, create=self.creates_database, busy_timeout_ms=busy_timeout_ms(self.settings))

    @cached_property
    def workflows(self) -> WorkflowCatalog:
        require_workflow_files(self.settings.workflows_dir)  # a mistyped --workflows is an error, not "no steps"
        return WorkflowCatalog.from_directory(self.settings.workflows_dir, self.settings.cache_dir)

    @cached_property
    def _read_model(self) -> SqlReadModel:
        return SqlReadModel(self.database_url)

    def read_model(self) -> SqlReadModel:
        """The read-only query side, connected on first query and closed by :meth:`close`."""
        return self._read_model

    @cached_property
    def _database(self) -> Database:
        from journey.adapters.dbapi.unit_of_work import Database
        from journey.bootstrap.documents import busy_timeout_ms

        return Database(self.database_url, busy_timeout_ms(self.settings))

    def _uow(self) -> UnitOfWork:
        from journey.adapters.dbapi.unit_of_work import PlainUnitOfWork

        return PlainUnitOfWork(self._database)

    @cached_property
    def deps(self) -> Deps:
        from journey.services.deps import Deps  # the tables load with the repositories that use them

        deps = Deps(uow=self._uow, workflows=lambda: self.workflows, clock=self.clock,
                    timezone=self.settings.timezone)
        wire_features(self, deps)
        return deps

    # The read side and the exports, built here so that entry points never import an adapter.

    def monitor_source(self) -> MonitorReadModel:
        """Set-based reads for `journey monitor` and the dashboard."""
        from journey.adapters.readmodel.monitor import MonitorQueries

        return MonitorQueries(self.read_model())

    def matter_reads(self) -> MatterReadModel:
        """Plain reads of matters, decisions, boards and documents for the read commands."""
        from journey.adapters.readmodel.matters import MatterQueries

        return MatterQueries(self.read_model())

    def reminder_reads(self) -> ReminderReadModel:
        from journey.adapters.readmodel.reminders import ReminderQueries

        return ReminderQueries(self.read_model())

    def calendar_files(self) -> CalendarFiles:
        """Board calendars read from and written to files, in the configured time zone."""
        from zoneinfo import ZoneInfo

        from journey.adapters.calendars.gateway import FileCalendars

        return FileCalendars(ZoneInfo(self.settings.timezone))

    def document_register(self) -> DocumentQuery:
        from journey.adapters.readmodel.documents import documents_of

        return documents_of

    def sheet_writer(self) -> SheetWriter:
        from journey.adapters.exports.sheet_writer import FileSheetWriter

        return FileSheetWriter()

    def hours_file_reader(self) -> HoursFileReader:
        """Reads `journey hours import` files (CSV or XLSX)."""
        from journey.adapters.imports.hours_file import HoursFileReaderImpl

        return HoursFileReaderImpl()

    def unit_costs(self) -> UnitCostTable:
        """The ESF unit-cost table (JOURNEY_ESF_UNIT_COSTS, default data/esf_unit_costs.yaml)."""
        from journey.definitions.unit_costs import load_unit_costs

        return load_unit_costs(self.settings.esf_unit_costs)

    def report_site(self, out_dir: Path) -> SiteWriter:
        from journey.adapters.exports.site import DirectorySite

        return DirectorySite(out_dir)

    def report_renderer(self) -> ReportRenderer:
        from journey.adapters.exports.report_templates import JinjaReportTemplates

        return JinjaReportTemplates(self.settings.templates_dir)

    def database_display(self) -> str:
        """The database URL without its password, for messages."""
        from journey.adapters.sql.urls import display

        return display(self.database_url)

    def init_database(self) -> list[str]:
        from journey.adapters.sql import schema_upgrade as schema

        self.creates_database = True

        return schema.upgrade(self.engine)

    def close(self) -> None:
        """Close every connection the app holds; the app opens new ones if it is used again."""
        if "_read_model" in self.__dict__:
            self._read_model.close()
        if "_database" in self.__dict__:
            self._database.close()
        if "engine" in self.__dict__:
            self.engine.dispose()


__all__ = ["App", "app_from_environment", "debug_enabled", "login_name", "translate_database_error", "ui_language"]


def app_from_environment(database: str | None = None, workflows: str | None = None, *,
                         creates_database: bool = False, demo: bool = False) -> App:
    """The app an entry point runs: settings from ``JOURNEY_*``, overridden by --db and --workflows.

    ``creates_database``: the command may create a missing SQLite file (init, demo, import).
    ``demo``: `journey demo`'s own database and documents (``$JOURNEY_HOME/demo``) unless one is named.
    """
    from dataclasses import replace
    from pathlib import Path

    settings = Settings.from_env()
    if database:
        settings = settings.with_database(database)
    if demo:
        settings = settings.for_demo()
    if workflows:
        settings = replace(settings, workflows_dir=Path(workflows))
    app = App(settings)
    app.creates_database = creates_database
    return app


def _clock_from(settings: Settings) -> Clock:
    if not settings.now:
        return SystemClock()
    from datetime import datetime

    from journey.adapters.clock import FixedClock
    from journey.domain.errors import InputError

    try:
        return FixedClock(datetime.fromisoformat(settings.now))
    except ValueError:
        raise InputError(msg("JOURNEY_NOW={now!r} is not an ISO date-time", now=settings.now)) from None


def wire_features(app: App, deps: Deps) -> None:
    """Register each feature's event handlers and repositories; handlers run inside the advance's transaction."""
    from journey.bootstrap.documents import wire_documents
    from journey.bootstrap.matters import wire_matters
    from journey.bootstrap.reminders import wire_reminders
    from journey.bootstrap.webhooks import wire_webhooks

    wire_matters(app, deps)  # issue 10: before documents, so a document rendered on entry sees its matter
    wire_documents(app, deps)  # issue 4: documents rendered on state entry
    wire_reminders(app, deps)  # issue 3: reminders planned on entry, cancelled on exit
    wire_webhooks(app, deps)  # issue 15: webhook deliveries planned with every change (after documents)
    deps.transfer_store = lambda: _transfer_store(app)
    deps.export_files = _export_files


def _export_files() -> Any:
    from journey.adapters.exports.export_file import ExportFile  # gzip, tempfile: export and import only

    return ExportFile()


def _transfer_store(app: App) -> Any:
    from journey.adapters.sql.transfer_store import SqlTransferStore  # loads every table: export and import only

    return SqlTransferStore(app.engine, release=app.close)


def translate_database_error(exc: Exception, where: str = "") -> Any:
    """The journey error a database driver's exception stands for, if it is a known kind (else None).

    ``where``: the database as shown to the user (see :meth:`App.database_display`).
    """
    from journey.adapters.sql.errors import classify

    return classify(exc, where)
