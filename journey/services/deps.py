"""What use cases depend on, bundled once by bootstrap and passed in (no globals)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any
from zoneinfo import ZoneInfo

from journey.definitions.catalog import WorkflowCatalog
from journey.definitions.machine import MachineCache
from journey.domain.case import Case
from journey.domain.events import Event
from journey.domain.spec import TransitionSpec, WorkflowSpec
from journey.ports.clock import Clock
from journey.ports.documents import DocumentTools
from journey.ports.reminders import ReminderReplanner
from journey.ports.transfer import ExportFiles, TransferStore
from journey.ports.unit_of_work import UnitOfWork, UnitOfWorkFactory

EventHandler = Callable[[Event, UnitOfWork], None]
# Evidence a feature already holds for a step (e.g. a matter's decision): {kind: {field: value}}
EvidenceProvider = Callable[[UnitOfWork, Case, WorkflowSpec, TransitionSpec], dict[str, dict[str, Any]]]


@dataclass
class Deps:
    uow: UnitOfWorkFactory
    workflows: Callable[[], WorkflowCatalog]
    clock: Clock
    machines: MachineCache = field(default_factory=MachineCache)
    handlers: dict[type[Event], list[EventHandler]] = field(default_factory=dict)
    documents: DocumentTools | None = None  # renderer, writers and storage; None where documents are not wired
    replanner: ReminderReplanner | None = None  # re-plans meeting reminders after a calendar change
    transfer_store: Callable[[], TransferStore] | None = None  # export and import
    export_files: Callable[[], ExportFiles] | None = None  # the export file on disk (export and import)
    timezone: str = "Europe/Stockholm"  # where "today" is: a decision dated later is in the future

    def today(self) -> date:
        """Today's date where the municipalities are (the clock is UTC)."""
        return self.clock.now().astimezone(ZoneInfo(self.timezone)).date()
    evidence_providers: list[EvidenceProvider] = field(default_factory=list)  # fill what `advance` was not given

    def publish(self, events: list[Event], uow: UnitOfWork) -> None:
        """Run every handler for each event inside the caller's unit of work, in order."""
        for event in events:
            for handler in self.handlers.get(type(event), []):
                handler(event, uow)

    def on(self, event_type: type[Event], handler: EventHandler) -> None:
        self.handlers.setdefault(event_type, []).append(handler)
