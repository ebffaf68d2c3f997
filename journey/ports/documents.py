"""Ports of the documents feature: the register and the sandboxed renderer."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol


class DocumentRepository(Protocol):
    """The document register."""

    def next_revision(self, case_id: int, doc_id: str) -> int: ...
    def add(self, row: dict[str, Any]) -> int: ...
    def for_case(self, case_id: int) -> list[dict[str, Any]]: ...


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


@dataclass
class DocumentTools:
    """What rendering needs, built in bootstrap: the sandboxed renderer, one writer per format, storage."""

    renderer: DocumentRenderer
    writers: dict[str, Writer]
    output_dir: Path
    store: Callable[[Path, bytes], None]
