"""Read an hours import file: CSV (UTF-8 with or without BOM, or Windows-1252; comma or semicolon) or XLSX.

Only the shape is checked here (readable, a header, as many cells as the header); the values are
checked by the import use case, which names file, line and column for the first bad one.
"""

from __future__ import annotations

import csv
import io
from datetime import datetime
from pathlib import Path
from typing import Any

from journey.domain.errors import HoursFileError
from journey.domain.messages import msg
from journey.ports.hours import ImportRow, ImportTable


class HoursFileReaderImpl:
    def read(self, path: Path) -> ImportTable:
        if not path.is_file():
            raise HoursFileError(msg("{path}: no such file", path=path))
        if path.suffix.lower() in (".xlsx", ".xlsm"):
            return _read_xlsx(path)
        return _read_csv(path)


def _decode(path: Path, data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise HoursFileError(msg("{path}:{line}: neither UTF-8 nor Windows-1252 text", path=path, line=line)) from None


def _read_csv(path: Path) -> ImportTable:
    text = _decode(path, path.read_bytes())
    lines = text.splitlines()
    first = next((i for i, line in enumerate(lines) if line.strip()), None)
    if first is None:
        raise HoursFileError(msg("{path}:1: empty file", path=path))
    delimiter = ";" if lines[first].count(";") > lines[first].count(",") else ","
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    headers: tuple[str, ...] = ()
    rows: list[ImportRow] = []
    try:
        for values in reader:
            if not any(v.strip() for v in values):
                continue
            if not headers:
                headers = tuple(v.strip() for v in values)
                continue
            if len(values) != len(headers):
                raise HoursFileError(msg("{path}:{line_num}: {count} columns, the header has {count2}",
                    path=path, line_num=reader.line_num, count=len(values), count2=len(headers)))
            rows.append(ImportRow(reader.line_num, dict(zip(headers, values, strict=True))))
    except csv.Error as exc:
        raise HoursFileError(msg("{path}:{line_num}: not valid CSV ({exc})",
            path=path, line_num=reader.line_num, exc=exc)) from None
    return ImportTable(str(path), headers, tuple(rows))


def _cell(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.date() if value.time() == datetime.min.time() else value
    if value is None:
        return ""
    return value


def _read_xlsx(path: Path) -> ImportTable:
    from zipfile import BadZipFile

    from openpyxl import load_workbook

    try:
        book = load_workbook(path, read_only=True, data_only=True)
    except (BadZipFile, OSError, KeyError, ValueError) as exc:
        raise HoursFileError(msg("{path}: not a readable XLSX workbook ({name})",
                                 path=path, name=type(exc).__name__)) from None
    try:
        sheet = book["Tidrapport"] if "Tidrapport" in book.sheetnames else book.worksheets[0]
        headers: tuple[str, ...] = ()
        rows: list[ImportRow] = []
        for number, values in enumerate(sheet.iter_rows(values_only=True), start=1):
            cells = [_cell(v) for v in values]
            if not any(str(v).strip() for v in cells):
                continue
            if not headers:
                while cells and not str(cells[-1]).strip():
                    cells.pop()
                headers = tuple(str(v).strip() for v in cells)
                continue
            extra = [v for v in cells[len(headers):] if str(v).strip()]
            if extra:
                raise HoursFileError(msg("{path}:{number}: values beyond the last column of the header",
                    path=path, number=number))
            cells += [""] * (len(headers) - len(cells))
            rows.append(ImportRow(number, dict(zip(headers, cells[: len(headers)], strict=True))))
    finally:
        book.close()
    if not headers:
        raise HoursFileError(msg("{path}:1: empty workbook", path=path))
    return ImportTable(str(path), headers, tuple(rows))


