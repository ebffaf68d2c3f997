"""Write :class:`~journey.ports.exports.Sheet` tables as an XLSX workbook (openpyxl) or CSV.

Text is data, never a formula (OWASP "CSV injection"): a text cell that begins with ``=``,
``+``, ``-``, ``@``, a tab or a carriage return (or their fullwidth forms) is written to CSV
with a leading apostrophe, and to XLSX as a text cell with Excel's quote prefix (the text
itself unchanged). Numbers stay numbers.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Sequence
from datetime import date, datetime
from pathlib import Path
from typing import Any, BinaryIO

from journey.adapters.files import write_atomically
from journey.ports.exports import Sheet

Progress = Callable[[int], None]
FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\uff1d", "\uff0b", "\uff0d", "\uff20")


def is_formula_like(value: Any) -> bool:
    """Text a spreadsheet would read as a formula (or a DDE command) if it were typed in."""
    return isinstance(value, str) and value.startswith(FORMULA_START)


def csv_value(value: Any) -> Any:
    """A cell for CSV: dates as ISO text, formula-like text behind an apostrophe, numbers as they are."""
    if value is None:
        return ""
    if isinstance(value, date | datetime):
        return value.isoformat()
    return "'" + value if is_formula_like(value) else value


def _cell(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.replace(tzinfo=None)  # Excel has no time zones; values are UTC
    return value


def _append(ws: Any, row: Sequence[Any]) -> None:
    ws.append([_cell(v) for v in row])
    for cell, value in zip(ws[ws.max_row], row, strict=False):
        if is_formula_like(value):  # openpyxl would store "=..." as a live formula
            cell.value, cell.data_type, cell.quotePrefix = value, "s", True


def write_xlsx(path: Path, sheets: Sequence[Sheet], progress: Progress = lambda _: None) -> Path:
    """One worksheet per sheet: bold frozen header, auto-filter, widths from content; ``progress(n)`` per row."""
    from openpyxl import Workbook  # type: ignore[import-untyped]
    from openpyxl.styles import Font  # type: ignore[import-untyped]

    workbook = Workbook()
    workbook.remove(workbook.active)
    for sheet in sheets:
        ws = workbook.create_sheet(sheet.title[:31])
        _append(ws, list(sheet.headers))
        for cell in ws[1]:
            cell.font = Font(bold=True)
        widths = [len(str(h)) for h in sheet.headers]
        for row in sheet.rows:
            _append(ws, row)
            widths = [max(w, min(60, len(str(v)))) for w, v in zip(widths, row, strict=False)]
            progress(1)
        if sheet.total_row is not None:
            _append(ws, sheet.total_row)
            for cell in ws[ws.max_row]:
                cell.font = Font(bold=True)
        for index, header in enumerate(sheet.headers, start=1):
            letter = ws.cell(row=1, column=index).column_letter
            ws.column_dimensions[letter].width = widths[index - 1] + 2
            fmt = sheet.formats.get(header)
            if fmt is None and any(isinstance(r[index - 1], date) and not isinstance(r[index - 1], datetime)
                                   for r in sheet.rows[:1]):
                fmt = "yyyy-mm-dd"
            if fmt:
                for (cell,) in ws.iter_rows(min_row=2, min_col=index, max_col=index):
                    cell.number_format = fmt
        ws.freeze_panes = "A2"
        if sheet.rows:
            ws.auto_filter.ref = f"A1:{ws.cell(row=1 + len(sheet.rows), column=len(sheet.headers)).coordinate}"
    write_atomically(path, workbook.save, 0o644)  # a killed export leaves the old file or none, never half of one
    return path


def write_csv(path: Path, sheet: Sheet, progress: Progress = lambda _: None) -> Path:
    """UTF-8 with BOM (Excel opens Swedish letters correctly), comma-separated, ISO dates."""

    def write(raw: BinaryIO) -> None:
        handle = io.TextIOWrapper(raw, encoding="utf-8-sig", newline="")
        writer = csv.writer(handle)
        writer.writerow([csv_value(h) for h in sheet.headers])
        for row in sheet.rows:
            writer.writerow([csv_value(v) for v in row])
            progress(1)
        if sheet.total_row is not None:
            writer.writerow([csv_value(v) for v in sheet.total_row])
        handle.flush()
        handle.detach()  # the raw file stays open for write_atomically to sync and name

    write_atomically(path, write, 0o644)
    return path
