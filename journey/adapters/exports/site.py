"""A folder of static HTML pages (the offline dashboard), each written whole (temporary file, then rename)."""

from __future__ import annotations

from pathlib import Path

from journey.adapters.files import write_atomically


class DirectorySite:
    """Implements :class:`~journey.ports.exports.SiteWriter` for a folder on disk."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def write(self, relative: str, text: str) -> Path:
        target = self.root / relative
        write_atomically(target, text.encode("utf-8"))
        return target

    def copy(self, relative: str, source: str) -> bool:
        """Copy a generated document into the site; False (nothing written) if it is no longer on disk."""
        try:
            data = Path(source).read_bytes()
        except (FileNotFoundError, IsADirectoryError, NotADirectoryError, PermissionError):
            return False
        write_atomically(self.root / relative, data)
        return True
