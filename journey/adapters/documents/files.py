"""Read registered document files for download, confined to the output directory (no path traversal)."""

from __future__ import annotations

from pathlib import Path

from journey.domain.errors import NotFoundError, PermissionDeniedError
from journey.domain.messages import msg


class ConfinedFiles:
    def __init__(self, root: Path) -> None:
        self.root = Path(root).resolve()

    def read(self, path: str) -> bytes:
        target = Path(path).resolve()  # symlinks and '..' resolved before the check
        if not target.is_relative_to(self.root):
            raise PermissionDeniedError(msg("the document lies outside the document directory; it is not served"))
        try:
            return target.read_bytes()
        except (FileNotFoundError, IsADirectoryError, NotADirectoryError):
            raise NotFoundError(msg("the file {name} is no longer on disk", name=target.name)) from None
