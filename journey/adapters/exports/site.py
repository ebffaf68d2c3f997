"""A folder of static HTML pages (the offline dashboard), each written whole (temporary file, then rename).

The pages are a regenerable artifact: they are renamed into place whole but not synced one by
one (291 syncs cost about as much as reading the national data). A reader (a browser, a copy to
a file share) sees each page old or new, never half written; after a power loss some pages may
be empty or old, and running ``journey report html`` again repairs them. Copied documents are
synced as before.
"""

from __future__ import annotations

from pathlib import Path

from journey.adapters.files import default_mode, remove_stale, write_atomically


class DirectorySite:
    """Implements :class:`~journey.ports.exports.SiteWriter` for a folder on disk."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self._tidied: set[Path] = set()  # directories made and their stale temporary files removed (once each)
        self._mode: int | None = None  # a page's permissions, from the umask read once per site

    def write(self, relative: str, text: str) -> Path:
        target = self.root / relative
        if target.parent not in self._tidied:
            target.parent.mkdir(parents=True, exist_ok=True)
            remove_stale(target.parent)
            self._tidied.add(target.parent)
        if self._mode is None:
            self._mode = default_mode()
        write_atomically(target, text.encode("utf-8"), self._mode, durable=False, tidy=False)
        return target

    def copy(self, relative: str, source: str) -> bool:
        """Copy a generated document into the site; False (nothing written) if it is no longer on disk."""
        try:
            data = Path(source).read_bytes()
        except (FileNotFoundError, IsADirectoryError, NotADirectoryError, PermissionError):
            return False
        write_atomically(self.root / relative, data)
        return True
