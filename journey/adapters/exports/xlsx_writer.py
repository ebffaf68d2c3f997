"""Write :class:`~journey.ports.exports.Sheet` tables as an XLSX workbook (openpyxl) or CSV.

Text is data, never a formula (OWASP "CSV injection"): a text cell that begins with ``=``,
``+``, ``-``, ``@``, a tab or a carriage return (or their fullwidth forms) is written to CSV
with a leading apostrophe, and to XLSX as a text cell with Excel's quote prefix (the text
itself unchanged). Numbers stay numbers.

Swedish Excel (issue 13): CSV is UTF-8 with a BOM and semicolon-separated by default (Excel with
Swedish regional settings splits on ``;``; ``delimiter=","`` on request). Text stays text: a
kommunkod such as ``0114`` keeps its leading zero (a text cell in XLSX, quoted digits in CSV never
turn into a number in the file). Dates are dates: an XLSX date cell with the number format
``yyyy-mm-dd`` (``yyyy-mm-dd hh:mm`` for times), ISO text in CSV. Times are shown in Swedish local
time (Europe/Stockholm), as everywhere people read them.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Sequence
from datetime import date, datetime
from pathlib import Path
from typing import Any, BinaryIO
from zoneinfo import ZoneInfo

from journey.adapters.files import write_atomically
from journey.domain.messages import msg
from journey.ports.exports import Sheet

Progress = Callable[[int], None]
TIMEZONE = ZoneInfo("Europe/Stockholm")
DELIMITERS = {"semicolon": ";", "comma": ","}
TEXT = "@"
DATE, DATETIME = "yyyy-mm-dd", "yyyy-mm-dd hh:mm"
FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\uff1d", "\uff0b", "\uff0d", "\uff20")


def is_formula_like(value: Any) -> bool:
    """Text a spreadsheet would read as a formula (or a DDE command) if it were typed in."""
    return isinstance(value, str) and value.startswith(FORMULA_START)


def local(value: datetime) -> datetime:
    """A stored (UTC) time as Swedish local time without a zone; a naive value is taken as UTC."""
    aware = value if value.tzinfo else value.replace(tzinfo=ZoneInfo("UTC"))
    return aware.astimezone(TIMEZONE).replace(tzinfo=None, microsecond=0)


def csv_value(value: Any) -> Any:
    """A cell for CSV: dates as ISO text, times as local 'YYYY-MM-DD HH:MM', formula-like text behind an apostrophe."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return local(value).strftime("%Y-%m-%d %H:%M")
    if isinstance(value, date):
        return value.isoformat()
    return "'" + value if is_formula_like(value) else value


def _cell(value: Any) -> Any:
    if isinstance(value, datetime):
        return local(value)  # Excel has no time zones: Swedish local time
    return value


def _append(ws: Any, row: Sequence[Any], text_columns: frozenset[int] = frozenset()) -> None:
    ws.append([str(v) if i in text_columns and v not in (None, "") else _cell(v) for i, v in enumerate(row)])
    for i, (cell, value) in enumerate(zip(ws[ws.max_row], row, strict=False)):
        if is_formula_like(value):  # openpyxl would store "=..." as a live formula
            cell.value, cell.data_type, cell.quotePrefix = value, "s", True
        elif i in text_columns:
            cell.data_type, cell.number_format = "s", TEXT
        elif isinstance(value, datetime):
            cell.number_format = DATETIME
        elif isinstance(value, date):
            cell.number_format = DATE


def write_xlsx(path: Path, sheets: Sequence[Sheet], progress: Progress = lambda _: None) -> Path:
    """One worksheet per sheet: bold frozen header, auto-filter, widths from content; ``progress(n)`` per row."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    workbook = Workbook()
    workbook.remove(workbook.active)
    for sheet in sheets:
        ws = workbook.create_sheet(sheet.title[:31])
        texts = frozenset(i for i, h in enumerate(sheet.headers) if sheet.formats.get(h) == TEXT)
        _append(ws, list(sheet.headers))
        for cell in ws[1]:
            cell.font = Font(bold=True)
        widths = [len(str(h)) for h in sheet.headers]
        for row in sheet.rows:
            _append(ws, row, texts)
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
            if fmt and fmt != TEXT:  # text columns and date cells got their format in _append
                for (cell,) in ws.iter_rows(min_row=2, min_col=index, max_col=index):
                    cell.number_format = fmt
        ws.freeze_panes = "A2"
        if sheet.rows:
            ws.auto_filter.ref = f"A1:{ws.cell(row=1 + len(sheet.rows), column=len(sheet.headers)).coordinate}"
    write_atomically(path, workbook.save)  # a killed export leaves the old file or none, never half of one
    return path


def write_csv(path: Path, sheet: Sheet, progress: Progress = lambda _: None, delimiter: str = ";") -> Path:
    """UTF-8 with BOM (Excel opens Swedish letters correctly), semicolon-separated by default, ISO dates."""
    if delimiter not in DELIMITERS.values():
        raise ValueError(msg("CSV delimiter must be ';' or ',', not {delimiter!r}", delimiter=delimiter))

    def write(raw: BinaryIO) -> None:
        handle = io.TextIOWrapper(raw, encoding="utf-8-sig", newline="")
        writer = csv.writer(handle, delimiter=delimiter)
        writer.writerow([csv_value(h) for h in sheet.headers])
        for row in sheet.rows:
            writer.writerow([csv_value(v) for v in row])
            progress(1)
        if sheet.total_row is not None:
            writer.writerow([csv_value(v) for v in sheet.total_row])
        handle.flush()
        handle.detach()  # the raw file stays open for write_atomically to sync and name

    write_atomically(path, write)
    return path
