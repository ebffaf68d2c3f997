"""The export file on disk for `journey export` and `journey import` (the ``ExportFiles`` port)."""

from __future__ import annotations

import gzip
from pathlib import Path
from typing import BinaryIO

from journey.adapters.files import write_atomically
from journey.domain.errors import InputError, NotFoundError
from journey.domain.messages import msg


class ExportFile:
    """Writes through :func:`write_atomically` (gzip when the name ends in .gz); reads gzip or plain JSON."""

    def check_target(self, path: Path) -> None:
        if not path.parent.is_dir():
            raise NotFoundError(msg("no such directory {parent!r} for the export", parent=str(path.parent)))

    def write(self, path: Path, data: bytes) -> None:
        self.check_target(path)
        if path.suffix != ".gz":
            write_atomically(path, data)
            return

        def compress(raw: BinaryIO) -> None:
            with gzip.GzipFile(fileobj=raw, mode="wb") as fh:
                fh.write(data)

        write_atomically(path, compress)

    def read(self, path: Path) -> bytes:
        try:
            raw = path.read_bytes()
        except FileNotFoundError:
            raise NotFoundError(msg("no such file {path!r}", path=str(path))) from None
        try:
            return gzip.decompress(raw) if raw[:2] == b"\x1f\x8b" else raw
        except (EOFError, OSError) as exc:
            raise InputError(msg("{path}: damaged or truncated ({exc}); nothing was imported", path=path, exc=exc)) from None
