"""In-memory fakes of the ports, for the unit tier (tests/unit): no database, no network, no files.

``FakeUnitOfWork`` keeps the contract of ``journey.ports.unit_of_work.UnitOfWork``: each ``with uow:``
works on its own copy of the committed data; ``commit()`` publishes that copy to later units of
work and leaving the block without a commit throws it away. Repositories hand out copies, as the
SQL ones hand out fresh domain objects, so a change counts only once it is saved.

``bootstrap_fakes()`` wires a real :class:`journey.services.deps.Deps` around the fakes the way
``journey.bootstrap`` does around the real adapters: the real workflow catalog (``workflows/``), a
:class:`FixedClock`, the reminder planner and the document handler on state entry.

Modules: ``unit_of_work`` (tables, FakeDatabase, FakeUnitOfWork), ``repositories`` (one fake per
repository port of the core, reminders, documents and case migrations), ``hours`` (``uow.hours`` and
``uow.people``), ``serve`` (credentials, webhooks), ``mail`` (FakeMailer, FakeEmailRenderer),
``documents`` (renderer, writers, file store).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from journey.definitions.catalog import WorkflowCatalog
from journey.definitions.machine import MachineCache
from journey.domain.clock import FixedClock
from journey.domain.events import (
    CaseMigrated,
    CaseOpened,
    EvidenceCorrected,
    MatterChanged,
    StateEntered,
    StateExited,
)
from journey.services.deps import Deps
from journey.services.documents.outbox import on_evidence_corrected, on_matter_changed, on_state_entered
from journey.services.matters.recording import MatterFollower
from journey.services.reminders.planning import ReminderPlanner, wire
from tests.fakes.documents import FakeDocumentRenderer, FakeFileStore, FakeRendered, fake_document_tools
from tests.fakes.mail import FakeEmailRenderer, FakeMailer
from tests.fakes.unit_of_work import NOW, FakeDatabase, FakeUnitOfWork, Tables

__all__ = [
    "FakeApp",
    "FakeDatabase",
    "FakeDocumentRenderer",
    "FakeEmailRenderer",
    "FakeFileStore",
    "FakeMailer",
    "FakeRendered",
    "FakeUnitOfWork",
    "HOLIDAYS",
    "NOW",
    "TZ",
    "Tables",
    "WORKFLOWS",
    "bootstrap_fakes",
    "fake_document_tools",
    "fixed_holiday",
    "workflow_catalog",
]

ROOT = Path(__file__).resolve().parents[2]
WORKFLOWS = ROOT / "workflows"
TZ = ZoneInfo("Europe/Stockholm")

# Swedish public and de facto holidays as the `holidays` package names them (the adapter's source).
# Only these two years are known: a date outside them is a test bug, not a working day.
HOLIDAYS = {
    2022: {date(2022, 1, 1): "Nyårsdagen", date(2022, 1, 6): "Trettondedag jul", date(2022, 4, 15): "Långfredagen",
           date(2022, 4, 17): "Påskdagen", date(2022, 4, 18): "Annandag påsk", date(2022, 5, 1): "Första maj",
           date(2022, 5, 26): "Kristi himmelsfärdsdag", date(2022, 6, 5): "Pingstdagen",
           date(2022, 6, 6): "Nationaldagen", date(2022, 6, 24): "Midsommarafton",
           date(2022, 6, 25): "Midsommardagen", date(2022, 11, 5): "Alla helgons dag",
           date(2022, 12, 24): "Julafton", date(2022, 12, 25): "Juldagen", date(2022, 12, 26): "Annandag jul",
           date(2022, 12, 31): "Nyårsafton"},
    2023: {date(2023, 1, 1): "Nyårsdagen", date(2023, 1, 6): "Trettondedag jul", date(2023, 4, 7): "Långfredagen",
           date(2023, 4, 9): "Påskdagen", date(2023, 4, 10): "Annandag påsk", date(2023, 5, 1): "Första maj",
           date(2023, 5, 18): "Kristi himmelsfärdsdag", date(2023, 5, 28): "Pingstdagen",
           date(2023, 6, 6): "Nationaldagen", date(2023, 6, 23): "Midsommarafton",
           date(2023, 6, 24): "Midsommardagen", date(2023, 11, 4): "Alla helgons dag",
           date(2023, 12, 24): "Julafton", date(2023, 12, 25): "Juldagen", date(2023, 12, 26): "Annandag jul",
           date(2023, 12, 31): "Nyårsafton"},
}


def fixed_holiday(day: date) -> str | None:
    """A ``HolidayName`` for 2022 and 2023 (the real adapter loads the `holidays` package: slow to import)."""
    if day.year not in HOLIDAYS:
        raise LookupError(f"tests.fakes knows Swedish holidays of {sorted(HOLIDAYS)} only, not {day.year}")
    return HOLIDAYS[day.year].get(day)


# --- wiring ---------------------------------------------------------------------------------------------------------

_CATALOG: WorkflowCatalog | None = None
_MACHINES = MachineCache()  # machines are stateless between uses: share them for speed


def workflow_catalog() -> WorkflowCatalog:
    """The real catalog of the repository's ``workflows/``, loaded once per test session."""
    global _CATALOG
    if _CATALOG is None:
        _CATALOG = WorkflowCatalog.from_directory(WORKFLOWS)
    return _CATALOG


@dataclass
class FakeApp:
    """What a unit test touches: the use cases' Deps and the fakes behind them."""

    deps: Deps
    db: FakeDatabase
    clock: FixedClock
    files: FakeFileStore
    mailer: FakeMailer = field(default_factory=FakeMailer)
    email_renderer: FakeEmailRenderer = field(default_factory=FakeEmailRenderer)

    @property
    def document_renderer(self) -> FakeDocumentRenderer:
        assert self.deps.documents is not None
        return self.deps.documents.renderer  # type: ignore[return-value]


def bootstrap_fakes(now: datetime = NOW) -> FakeApp:
    """Deps around the fakes, wired as ``journey.bootstrap.wire_features`` wires the real adapters."""
    clock = FixedClock(now)
    db = FakeDatabase(now=clock.now)
    deps = Deps(uow=db.uow, workflows=workflow_catalog, clock=clock, machines=_MACHINES)
    files = FakeFileStore()
    follower = MatterFollower(deps.workflows)  # as bootstrap/matters.py: before documents
    deps.on(CaseOpened, follower.on_opened)
    deps.on(StateEntered, follower.on_entered)
    deps.on(StateExited, follower.on_exited)
    deps.on(CaseMigrated, follower.on_migrated)
    deps.evidence_providers.append(follower.evidence_for)
    tools = deps.documents = fake_document_tools(files)
    deps.on(StateEntered, on_state_entered(deps, tools))  # as bootstrap/documents.py
    deps.on(MatterChanged, on_matter_changed(deps, tools))
    deps.on(EvidenceCorrected, on_evidence_corrected(deps, tools))
    wire(deps, ReminderPlanner(deps.workflows, fixed_holiday, TZ, deps.clock))  # as bootstrap/reminders.py
    return FakeApp(deps, db, clock, files)
