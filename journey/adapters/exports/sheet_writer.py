"""The :class:`~journey.ports.exports.SheetWriter` over the CSV and XLSX writers."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from journey.adapters.exports import xlsx_writer
from journey.ports.exports import Progress, Sheet


def _none(_: int) -> None:
    return None


class FileSheetWriter:
    def write_csv(self, path: Path, sheet: Sheet, progress: Progress = _none, delimiter: str = ";") -> Path:
        return xlsx_writer.write_csv(path, sheet, progress, delimiter)

    def write_xlsx(self, path: Path, sheets: Sequence[Sheet], progress: Progress = _none) -> Path:
        return xlsx_writer.write_xlsx(path, sheets, progress)
