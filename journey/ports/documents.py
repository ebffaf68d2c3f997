"""Ports of the documents feature: the register and the sandboxed renderer."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, Protocol

from journey.domain.document import safe_filename
from journey.domain.document_jobs import DocumentJob


class DocumentRepository(Protocol):
    """The document register."""

    def next_revision(self, case_id: int, doc_id: str) -> int: ...
    def add(self, row: dict[str, Any]) -> int: ...
    def for_case(self, case_id: int) -> list[dict[str, Any]]: ...
    # the outbox: documents rendered after the change that asks for them commits
    def enqueue(self, job: DocumentJob) -> int: ...
    def claim(self, job_id: int, worker: str, now: datetime, until: datetime) -> DocumentJob | None: ...
    def due_jobs(self, now: datetime, limit: int, case_id: int | None = None) -> list[int]: ...
    def finish(self, job_id: int, worker: str, now: datetime) -> bool: ...
    def fail(self, job_id: int, worker: str, error: str, now: datetime) -> DocumentJob | None: ...
    def open_jobs(self, case_ids: list[int] | None = None) -> list[DocumentJob]: ...
    def retry(self, case_ids: list[int] | None = None) -> int: ...


class DocumentRenderer(Protocol):
    """Sandboxed template rendering."""

    def search_path(self, municipality_slug: str | None) -> list[Path]: ...
    def overrides(self) -> list[str]: ...
    def exists(self, name: str, municipality_slug: str | None = None) -> bool: ...
    def names(self) -> list[str]: ...
    def render(self, jobs: list[tuple[str, dict[str, Any]]], municipality_slug: str | None = None,
               strict: bool = True) -> list[Any]: ...
    def close(self) -> None: ...


Writer = Callable[[str, dict[str, Any]], bytes]


class StagedFile(Protocol):
    """A file written and synced under a temporary name in its folder, not yet under its own name."""

    def place(self, path: Path) -> None: ...  # one rename to ``path`` (in the same folder)
    def discard(self) -> None: ...  # remove it unless placed


@dataclass
class DocumentTools:
    """What rendering needs, built in bootstrap: the sandboxed renderer, one writer per format, and the
    files' staging (written and synced under a temporary name before they are named)."""

    renderer: DocumentRenderer
    writers: dict[str, Writer]
    output_dir: Path
    stage: Callable[[Path, bytes, str], StagedFile]  # (folder, data, suffix): written and synced, not yet named

    def folder(self, municipality: str) -> Path:
        """Where the documents of ``municipality`` (its name) go."""
        return self.output_dir / safe_filename(municipality)
