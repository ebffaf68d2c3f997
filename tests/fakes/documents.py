"""Document rendering without Jinja or a worker process, and a file store that keeps bytes in memory."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from journey.ports.documents import DocumentTools, Writer


@dataclass(frozen=True)
class FakeRendered:
    name: str
    html: str
    path: str
    template_hash: str
    overridden: bool = False


class FakeDocumentRenderer:
    """Satisfies ``ports.documents.DocumentRenderer`` without Jinja or a worker process; records the jobs."""

    def __init__(self, templates: tuple[str, ...] = ()) -> None:
        self.templates = templates  # the names that exist; empty: every name exists
        self.jobs: list[tuple[str, dict[str, Any]]] = []

    def search_path(self, municipality_slug: str | None) -> list[Path]:
        return [Path("templates")]

    def overrides(self) -> list[str]:
        return []

    def exists(self, name: str, municipality_slug: str | None = None) -> bool:
        return not self.templates or name in self.templates

    def names(self) -> list[str]:
        return sorted(self.templates)

    def render(self, jobs: list[tuple[str, dict[str, Any]]], municipality_slug: str | None = None,
               strict: bool = True) -> list[Any]:
        self.jobs += jobs
        return [FakeRendered(name, f"<h1>{ctx['document']['title']}</h1>", f"templates/documents/{name}.html.j2",
                             "0" * 64) for name, ctx in jobs]

    def close(self) -> None:
        pass


class FakeFileStore:
    """Where generated documents would be written: ``files`` maps path to bytes; ``fail`` makes writes raise it.

    Called as the tools' ``stage``: the data counts as written once it is placed under its name."""

    def __init__(self) -> None:
        self.files: dict[Path, bytes] = {}
        self.fail: OSError | None = None

    def __call__(self, folder: Path, data: bytes, suffix: str) -> _FakeStaged:
        if self.fail is not None:
            raise self.fail
        return _FakeStaged(self, folder, data)


class _FakeStaged:
    def __init__(self, store: FakeFileStore, folder: Path, data: bytes) -> None:
        self.store, self.folder, self.data = store, folder, data

    def place(self, path: Path) -> None:
        assert path.parent == self.folder, (path, self.folder)
        self.store.files[path] = self.data

    def discard(self) -> None:
        pass


def _writer(fmt: str) -> Writer:
    def write(html: str, meta: dict[str, Any]) -> bytes:
        return f"{fmt}\n{meta['title']}\n{html}".encode()

    return write


def fake_document_tools(files: FakeFileStore) -> DocumentTools:
    writers = {fmt: _writer(fmt) for fmt in ("docx", "html", "md")}
    return DocumentTools(renderer=FakeDocumentRenderer(), writers=writers, output_dir=Path("documents"), stage=files)
