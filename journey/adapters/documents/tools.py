"""Concrete document tools for bootstrap: sandboxed renderer, .docx/.html/.md writers, atomic storage."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from journey.adapters.documents.renderer import SandboxRenderer
from journey.adapters.files import write_atomically
from journey.ports.documents import DocumentTools


def store(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` atomically: readers see the old file or the whole new one."""
    write_atomically(path, data)


def _docx(html: str, meta: dict[str, Any]) -> bytes:
    from journey.adapters.documents.docx_writer import html_to_docx

    return html_to_docx(html, title=meta["title"], subject=meta.get("subject", ""), comments=meta.get("comments", ""),
                        created=meta.get("created"))


def _html(html: str, meta: dict[str, Any]) -> bytes:
    return html.encode("utf-8")


def _md(html: str, meta: dict[str, Any]) -> bytes:
    from journey.adapters.documents.markdown_writer import html_to_markdown

    return html_to_markdown(html).encode("utf-8")


def make_tools(templates_dir: Path, output_dir: Path, timeout: float = 10.0) -> DocumentTools:
    return DocumentTools(renderer=SandboxRenderer(templates_dir, timeout=timeout),
                         writers={"docx": _docx, "html": _html, "md": _md}, output_dir=Path(output_dir), store=store)
