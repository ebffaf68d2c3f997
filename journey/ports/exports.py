"""Ports of exports people open: tables for CSV/XLSX, and the static HTML site of the dashboard."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol


@dataclass(frozen=True)
class Sheet:
    """One table: a CSV file or one worksheet. ``formats`` maps a header to an Excel number format
    (``"@"``: a text column, such as kommunkod, whose digits must stay text with their leading zeros)."""

    title: str
    headers: Sequence[str]
    rows: Sequence[Sequence[Any]]
    formats: dict[str, str] = field(default_factory=dict)
    total_row: Sequence[Any] | None = None


Progress = Callable[[int], None]


class SheetWriter(Protocol):
    """Writes tables as files: CSV (one sheet; ``delimiter`` ``;`` by default, for Swedish Excel, or ``,``)
    or an XLSX workbook; returns the path written."""

    def write_csv(self, path: Path, sheet: Sheet, progress: Progress = ..., delimiter: str = ...) -> Path: ...
    def write_xlsx(self, path: Path, sheets: Sequence[Sheet], progress: Progress = ...) -> Path: ...


class SiteWriter(Protocol):
    """A folder of static pages: ``write("kommun/umea.html", html)`` for each page, then ``publish()``.

    ``copy("dokument/umea/x.docx", source)`` copies a file into the folder (False if the source is
    gone), so pages link it relative to themselves and the folder can be copied as a whole.
    Nothing written shows until ``publish()``, which puts it all in place of the previous site;
    ``discard()`` forgets it (a report that failed half-way).
    """

    def write(self, relative: str, text: str) -> Path: ...
    def copy(self, relative: str, source: str) -> bool: ...
    def publish(self) -> None: ...
    def discard(self) -> None: ...


ReportRenderer = Callable[[str, dict[str, Any]], str]  # template name, context -> HTML (autoescaped)
