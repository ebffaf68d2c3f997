"""Port for serving registered document files: read one, only from inside the output directory."""

from __future__ import annotations

from typing import Protocol


class DocumentFiles(Protocol):
    def read(self, path: str) -> bytes:
        """The file's bytes; NotFoundError if missing, PermissionDeniedError if outside the output directory."""
        ...
