"""What the server needs, built by the composition root (journey.bootstrap.server)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from journey.definitions.catalog import WorkflowCatalog
from journey.ports.auth import CredentialReads, PasswordHasher
from journey.ports.clock import Clock
from journey.ports.core import ReadModel
from journey.ports.downloads import DocumentFiles
from journey.ports.feeds import CalendarWriter, FeedQueries
from journey.ports.matters import MatterReadModel
from journey.ports.monitoring import MonitorSource
from journey.server.shared_views import DEFAULT_MAX_AGE, SharedViews
from journey.services.deps import Deps
from journey.services.documents.views import DocumentQuery


@dataclass
class ServerOptions:
    secure_cookies: bool | None = None  # None: Secure when the request came over https (directly or via the proxy)
    hsts: bool = True  # Strict-Transport-Security on https responses
    view_seconds: float = DEFAULT_MAX_AGE  # how long the national views are shared (0: built for every request)


@dataclass
class ServerContext:
    deps: Deps
    hasher: PasswordHasher
    read: Callable[[], ReadModel]  # this thread's read connection (sync routes run in a thread pool)
    credentials: Callable[[], CredentialReads]
    monitor_source: Callable[[], MonitorSource]
    reminder_queries: Callable[[], Any]
    matter_reads: Callable[[], MatterReadModel]
    feed_queries: Callable[[], FeedQueries]
    document_register: DocumentQuery
    document_files: DocumentFiles
    calendar_writer: CalendarWriter
    workflows: Callable[[], WorkflowCatalog]
    clock: Clock
    tz: ZoneInfo
    templates_dir: Path
    database: str
    close: Callable[[], None]
    options: ServerOptions
    views: SharedViews = field(default_factory=SharedViews)  # the national matrix and case list, shared
