"""The export file on disk for `journey export` and `journey import` (the ``ExportFiles`` port)."""

from __future__ import annotations

import gzip
import io
import queue
import threading
import zlib
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO

from journey.adapters.files import write_atomically
from journey.domain.errors import InputError, NotFoundError
from journey.domain.messages import msg

GZIP_LEVEL = 1  # the fastest: much less time than level 6 for a file about a fifth larger


class ExportFile:
    """Writes through :func:`write_atomically` (gzip when the name ends in .gz); reads gzip or plain text."""

    def check_target(self, path: Path) -> None:
        if not path.parent.is_dir():
            raise NotFoundError(msg("no such directory {parent!r} for the export", parent=str(path.parent)))

    def write(self, path: Path, chunks: Iterable[bytes]) -> None:
        self.check_target(path)

        def plain(raw: BinaryIO) -> None:
            _pipelined(chunks, raw.write)

        def compress(raw: BinaryIO) -> None:
            with gzip.GzipFile(fileobj=raw, mode="wb", compresslevel=GZIP_LEVEL, mtime=0) as fh:
                plain(fh)  # type: ignore[arg-type]

        write_atomically(path, compress if path.suffix == ".gz" else plain)

    def read(self, path: Path) -> bytes:
        try:
            raw = path.read_bytes()
        except FileNotFoundError:
            raise NotFoundError(msg("no such file {path!r}", path=str(path))) from None
        try:
            return gzip.decompress(raw) if raw[:2] == b"\x1f\x8b" else raw
        except (EOFError, OSError, zlib.error) as exc:
            raise InputError(msg("{path}: damaged or truncated ({exc}); nothing was imported", path=path,
                                 exc=exc)) from None

    @contextmanager
    def lines(self, path: Path) -> Iterator[Iterator[bytes]]:
        try:
            raw = path.open("rb")
        except FileNotFoundError:
            raise NotFoundError(msg("no such file {path!r}", path=str(path))) from None
        with raw:
            zipped = raw.read(2) == b"\x1f\x8b"
            raw.seek(0)
            # a buffer over the gzip stream: its lines are then found in C, not one Python call each
            yield _guarded(io.BufferedReader(gzip.GzipFile(fileobj=raw, mode="rb"), 1 << 16) if zipped else raw, path)


def _pipelined(chunks: Iterable[bytes], write: Callable[[bytes], object]) -> None:
    """``write`` each chunk, in a second thread: compressing and writing (which let go of the GIL)
    overlap with producing the next chunks. At most a few chunks wait in between; an error on
    either side stops both and is raised here."""
    waiting: queue.Queue[bytes | None] = queue.Queue(maxsize=8)
    failed: list[BaseException] = []

    def writer() -> None:
        try:
            while (chunk := waiting.get()) is not None:
                write(chunk)
        except BaseException as exc:  # noqa: BLE001  (raised again in the producing thread)
            failed.append(exc)
            while waiting.get() is not None:  # let the producer finish putting
                pass

    thread = threading.Thread(target=writer, name="export-writer", daemon=True)
    thread.start()
    try:
        for chunk in chunks:
            if failed:
                break
            waiting.put(chunk)
    finally:
        waiting.put(None)
        thread.join()
    if failed:
        raise failed[0]


def _guarded(source: Iterable[bytes], path: Path) -> Iterator[bytes]:
    """``source``'s lines; a damaged gzip stream becomes a one-line ``InputError``."""
    try:
        yield from source
    except (EOFError, OSError, zlib.error) as exc:
        raise InputError(msg("{path}: damaged or truncated ({exc}); nothing was imported", path=path,
                                 exc=exc)) from None
