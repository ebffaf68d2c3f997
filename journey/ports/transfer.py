"""Ports of export and import: every table out of, and back into, a database."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Any, Protocol

Progress = Callable[[str], None]
Section = tuple[str, list[str], Iterable[list[Any]]]
"""One table in an export: its name, its column names, and its rows (JSON values, in column order)."""
Batch = list[list[Any]] | bytes
"""Rows read for an export: JSON values in column order, or the rows already written as JSON lines
(one compact JSON array per row, each ending in a newline) by a store that can do so faster."""


class TransferStore(Protocol):
    """Every table's rows out of and back into a database, streamed in batches."""

    @property
    def dialect(self) -> str: ...
    def table_names(self) -> list[str]: ...
    def known_revisions(self) -> set[str]: ...
    def schema_revisions(self) -> list[str]: ...

    def dump(self, progress: Progress) -> AbstractContextManager[Iterator[tuple[str, list[str], Iterator[Batch]]]]:
        """Every table in dependency order as (name, columns, batches of rows), read in one transaction."""
        ...

    def row_counts(self) -> dict[str, int]: ...
    def is_initialised(self) -> bool: ...
    def prepare(self) -> None: ...

    def load(self, sections: Iterable[Section], progress: Progress) -> None:
        """Check each row against this schema and insert it in batches, all in one transaction.

        A row that does not fit raises ``ValueError`` (one line naming table, row and column); any
        error, including one raised by ``sections`` itself, rolls everything back.
        """
        ...


class ExportFiles(Protocol):
    """The export file on disk: written whole (gzip when its name ends in .gz), read back decompressed."""

    def check_target(self, path: Path) -> None:
        """Refuse (``NotFoundError``) a path whose folder does not exist, before any work is done."""
        ...

    def write(self, path: Path, chunks: Iterable[bytes]) -> None:
        """Write ``chunks`` one after another to ``path`` so that the file appears whole or not at all."""
        ...

    def read(self, path: Path) -> bytes:
        """The file's bytes, gunzipped when gzip; ``NotFoundError`` or a one-line ``InputError``."""
        ...

    def lines(self, path: Path) -> AbstractContextManager[Iterator[bytes]]:
        """The file's lines (with their ``\\n``), gunzipped when gzip, read as they are consumed.

        ``NotFoundError``, or a one-line ``InputError`` for a damaged gzip stream.
        """
        ...
