"""Ports of exports people open: tables for CSV/XLSX, and the static HTML site of the dashboard."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol


@dataclass(frozen=True)
class Sheet:
    """One table: a CSV file or one worksheet. ``formats`` maps a header to an Excel number format."""

    title: str
    headers: Sequence[str]
    rows: Sequence[Sequence[Any]]
    formats: dict[str, str] = field(default_factory=dict)
    total_row: Sequence[Any] | None = None


Progress = Callable[[int], None]


class SheetWriter(Protocol):
    """Writes tables as files: CSV (one sheet) or an XLSX workbook; returns the path written."""

    def write_csv(self, path: Path, sheet: Sheet, progress: Progress = ...) -> Path: ...
    def write_xlsx(self, path: Path, sheets: Sequence[Sheet], progress: Progress = ...) -> Path: ...


class SiteWriter(Protocol):
    """A folder of static pages: ``write("kommun/umea.html", html)``; each page appears whole."""

    def write(self, relative: str, text: str) -> Path: ...


ReportRenderer = Callable[[str, dict[str, Any]], str]  # template name, context -> HTML (autoescaped)
