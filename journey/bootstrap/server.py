"""Builds `journey serve`: the password hasher, per-thread readers, and the ASGI application."""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from journey.server.context import ServerOptions as ServerOptions  # the CLI's `serve` options

if TYPE_CHECKING:
    from journey.bootstrap import App
    from journey.server.context import ServerContext


def password_hasher(app: App) -> Any:
    if "password_hasher" in app.overrides:
        return app.overrides["password_hasher"]
    from journey.adapters.passwords.argon2_hasher import Argon2Hasher

    return Argon2Hasher()


class _ThreadReaders:
    """One read connection per worker thread (sqlite3 and psycopg connections are not shared across threads)."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.local = threading.local()
        self.all: list[Any] = []
        self.lock = threading.Lock()

    def __call__(self) -> Any:
        read = getattr(self.local, "read", None)
        if read is None:
            from journey.adapters.readmodel.core import SqlReadModel

            read = self.local.read = SqlReadModel(self.url)
            with self.lock:
                self.all.append(read)
        return read

    def close(self) -> None:
        with self.lock:
            for read in self.all:
                try:
                    read.close()
                except Exception:  # sqlite3 refuses a close from another thread; the connection ends with it
                    pass
            self.all.clear()


def server_context(app: App, options: ServerOptions | None = None) -> ServerContext:
    from journey.adapters.calendars.ics_feed import IcalendarFeedWriter
    from journey.adapters.documents.files import ConfinedFiles
    from journey.adapters.readmodel.auth import CredentialQueries
    from journey.adapters.readmodel.documents import documents_of
    from journey.adapters.readmodel.feeds import FeedReads
    from journey.adapters.readmodel.matters import MatterQueries
    from journey.adapters.readmodel.monitor import MonitorQueries
    from journey.adapters.readmodel.reminders import ReminderQueries
    from journey.server.context import ServerContext, ServerOptions
    from journey.server.shared_views import SharedViews

    options = options or ServerOptions()
    readers = _ThreadReaders(app.database_url)
    deps = app.deps

    def close() -> None:
        readers.close()
        app.close()

    return ServerContext(
        deps=deps, hasher=password_hasher(app), read=readers, credentials=lambda: CredentialQueries(readers()),
        monitor_source=lambda: MonitorQueries(readers()), reminder_queries=lambda: ReminderQueries(readers()),
        matter_reads=lambda: MatterQueries(readers()),
        feed_queries=lambda: FeedReads(readers()), document_register=documents_of,
        document_files=ConfinedFiles(app.settings.output_dir), calendar_writer=IcalendarFeedWriter(),
        workflows=lambda: app.workflows, clock=app.clock, tz=ZoneInfo(app.settings.timezone),
        templates_dir=_web_templates(app), database=app.database_display(), close=close,
        options=options, views=SharedViews(options.view_seconds))


def _web_templates(app: App) -> Any:
    """templates/web of JOURNEY_TEMPLATES_DIR when it has one, else the pages shipped with journey."""
    from journey.config import PROJECT_ROOT

    custom = app.settings.templates_dir / "web"
    return custom if (custom / "_layout.html.j2").is_file() else PROJECT_ROOT / "templates" / "web"


def build_asgi(app: App, options: ServerOptions | None = None) -> Any:
    """The FastAPI application over ``app``'s database and settings."""
    from journey.server.app import create_app

    return create_app(server_context(app, options))
