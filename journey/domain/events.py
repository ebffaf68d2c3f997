"""Things that happened, announced by use cases to the handlers wired in bootstrap.

Handlers run inside the same unit of work as the change, so what they write
(reminders, document records) commits or rolls back together with it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any


@dataclass(frozen=True)
class Event:
    case_id: int
    at: datetime


@dataclass(frozen=True)
class CaseOpened(Event):
    """``trigger``/``evidence``: a case opened at a later stage (``journey open --at``) names the step that
    had already been taken before journey, and the evidence of it."""

    municipality: str
    workflow: str
    state: str
    trigger: str | None = None
    evidence: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class StateEntered(Event):
    """``path`` is any state the case now is in and was not before (stage, region or leaf)."""

    path: str
    trigger: str | None = None
    evidence: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class StateExited(Event):
    """``evidence``: what the step that left the state was given (a decision that closes its matter)."""

    path: str
    trigger: str | None = None
    evidence: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class CaseAdvanced(Event):
    from_state: str
    to_state: str
    trigger: str
    actor: str


@dataclass(frozen=True)
class CaseMigrated(Event):
    """A case moved to another version of its workflow (``rollback``: a migration undone).

    Published after the StateExited/StateEntered events for the paths that changed, so
    features can also re-evaluate what depends on unchanged states (e.g. reminder settings).
    """

    workflow: str
    from_version: int
    to_version: int
    from_state: str
    to_state: str
    run_id: int
    actor: str
    rollback: bool = False


@dataclass(frozen=True)
class DocumentCreated(Event):
    """A generated file was registered (``document_id`` is its register row)."""

    document_id: int
    doc_id: str
    title: str
    format: str
    revision: int
    file_name: str
    sha256: str
    state_path: str
    reason: str


@dataclass(frozen=True)
class CaseWithdrawn(Event):
    """The municipality left the network: the case ended for good (after StateExited for every path)."""

    state: str
    actor: str
    reason: str


@dataclass(frozen=True)
class MatterChanged(Event):
    """A matter's facts or decisions changed: its state's documents are rendered again.

    ``reason`` is the document register's reason for the new revisions (``MATTER_UPDATED``,
    ``DECISION`` or ``CORRECTED``).
    """

    state_path: str
    reason: str


@dataclass(frozen=True)
class EvidenceCorrected(Event):
    """History entry ``entry_seq`` (recorded at ``entry_at``) was amended by entry ``correction_seq``.

    ``matters_before``: the case's matters as they were before the correction reached them;
    ``states``: the states whose matter it changed. Documents rendered since ``entry_at``, and
    those of these states, whose data changed get a new revision.
    """

    entry_seq: int
    entry_at: datetime
    correction_seq: int
    matters_before: tuple[Any, ...] = ()
    states: tuple[str, ...] = ()
