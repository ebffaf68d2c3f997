"""Read a sammanträdesplan saved as an Excel workbook (.xlsx) with openpyxl.

Every sheet whose first rows hold a header naming a date column (``Datum`` or ``date``) is read;
other sheets (instructions, lists) are passed over. Errors name ``file:sheet:row``.
"""

from __future__ import annotations

import warnings
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from journey.adapters.calendars.tables import find_header, read_rows
from journey.domain.board_meetings import MeetingRow
from journey.domain.errors import CalendarFileError
from journey.domain.messages import msg


def _sheets(path: Path) -> list[tuple[str, list[tuple[int, tuple[Any, ...]]]]]:
    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        with warnings.catch_warnings():  # styles or extensions openpyxl does not read: not our concern
            warnings.simplefilter("ignore")
            workbook = load_workbook(path, data_only=True)
    except (zipfile.BadZipFile, InvalidFileException, KeyError, ValueError, TypeError) as exc:
        raise CalendarFileError(msg("{path}: not an Excel workbook (.xlsx): {exc}", path=path, exc=exc)) from None
    try:
        return [(sheet.title, list(enumerate(sheet.iter_rows(values_only=True), start=1)))
                for sheet in workbook.worksheets]
    finally:
        workbook.close()


def _where(path: Path, title: str) -> Callable[[int], str]:
    return lambda row: f"{path}:{title}:{row}"


def read_xlsx(path: Path, board: str | None) -> list[MeetingRow]:
    """The meetings of every sheet that has a header row; nothing unless all rows are good."""
    sheets = _sheets(path)
    if not sheets:
        raise CalendarFileError(msg("{path}: the workbook has no sheets", path=path))
    rows: list[MeetingRow] = []
    read = 0
    for title, sheet_rows in sheets:
        if find_header(sheet_rows) is not None:
            rows += read_rows(sheet_rows, _where(path, title), board, allow_empty=True)
            read += 1
    if not read:
        title, sheet_rows = sheets[0]
        read_rows(sheet_rows, lambda row: f"{path}:{title}:{row}", board)  # raises: no header row
    if not rows:
        raise CalendarFileError(msg("{path}: no meetings in the workbook", path=path))
    return rows
