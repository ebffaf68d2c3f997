"""Concrete document tools for bootstrap: sandboxed renderer, .docx/.html/.md writers, files staged then named."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from journey.adapters.documents.renderer import SandboxRenderer
from journey.adapters.files import StagedFile
from journey.ports.documents import DocumentTools

BASE_DOCX = "base.docx"


def base_document(templates_dir: Path, municipality_slug: str | None) -> Path | None:
    """The Word document a municipality's .docx files start from, found like its template overrides.

    ``<templates>/municipalities/<slug>/documents/base.docx``, else ``<templates>/documents/base.docx``,
    else none (python-docx's blank A4 document with journey's styles).
    """
    folders = [templates_dir / "documents"]
    if municipality_slug:
        folders.insert(0, templates_dir / "municipalities" / municipality_slug / "documents")
    return next((f / BASE_DOCX for f in folders if (f / BASE_DOCX).is_file()), None)


def docx_writer(templates_dir: Path) -> Any:
    def _docx(html: str, meta: dict[str, Any]) -> bytes:
        from journey.adapters.documents.docx_writer import html_to_docx

        return html_to_docx(html, title=meta["title"], subject=meta.get("subject", ""),
                            comments=meta.get("comments", ""), created=meta.get("created"),
                            diarienummer=meta.get("diarienummer", ""),
                            base=base_document(Path(templates_dir), meta.get("municipality")))

    return _docx


def _html(html: str, meta: dict[str, Any]) -> bytes:
    return html.encode("utf-8")


def _md(html: str, meta: dict[str, Any]) -> bytes:
    from journey.adapters.documents.markdown_writer import html_to_markdown

    return html_to_markdown(html, meta.get("diarienummer", "")).encode("utf-8")


def make_tools(templates_dir: Path, output_dir: Path, timeout: float = 10.0) -> DocumentTools:
    return DocumentTools(renderer=SandboxRenderer(templates_dir, timeout=timeout),
                         writers={"docx": docx_writer(templates_dir), "html": _html, "md": _md},
                         output_dir=Path(output_dir), stage=StagedFile)
