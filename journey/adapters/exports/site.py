"""A folder of static HTML pages (the offline dashboard), published as a whole.

Every page and copied document is written into a private staging folder beside the report
(``.tmp-PID-*``, in the report's folder); :meth:`DirectorySite.publish` then puts each of its
folders (``kommun/``, ``dokument/``) in place of the previous report's in one rename (Linux's
``renameat2`` exchange; elsewhere two renames, a moment without the folder) and ``index.html``
last. A reader (a browser, a copy to a file share) sees the old report's pages or the new
one's, never a mix; a run that stops half-way leaves the previous report as it was, and the next
run removes what it left. Pages of municipalities no longer listed go with the old folder.

The pages are a regenerable artifact: they are not synced one by one (291 syncs cost about as
much as reading the national data), so after a power loss some pages may be empty or old, and
running ``journey report html`` again repairs them. Copied documents are synced. Writing into a
new folder is also what makes the report fast: on ext4, renaming a new file over an old one
starts writing it back to disk at once (``auto_da_alloc``), which tripled the time spent writing.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

from journey.adapters.files import default_mode, remove_stale, write_atomically

_RENAME_EXCHANGE = 2  # linux/fs.h


def _exchange(a: Path, b: Path) -> bool:
    """Swap two directories in one step (Linux ``renameat2(RENAME_EXCHANGE)``); False where it is not
    available (another system, an old C library, a file system without it)."""
    if not hasattr(os, "uname") or os.uname().sysname != "Linux":
        return False
    import ctypes

    try:
        renameat2 = ctypes.CDLL(None, use_errno=True).renameat2
    except (AttributeError, OSError):
        return False
    at_fdcwd = -100
    return bool(renameat2(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), _RENAME_EXCHANGE) == 0)


class DirectorySite:
    """Implements :class:`~journey.ports.exports.SiteWriter` for a folder on disk."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self._stage: Path | None = None  # the private folder this run writes into, made on the first write
        self._made: set[Path] = set()  # its subfolders made so far
        self._mode: int | None = None  # a page's permissions, from the umask read once per site

    def _staged(self, relative: str) -> Path:
        if self._stage is None:
            self.root.mkdir(parents=True, exist_ok=True)
            remove_stale(self.root)  # what a run that stopped half-way left
            self._stage = Path(tempfile.mkdtemp(dir=self.root, prefix=f".tmp-{os.getpid()}-"))
        target = self._stage / relative
        if target.parent not in self._made:
            target.parent.mkdir(parents=True, exist_ok=True)
            self._made.add(target.parent)
        return target

    def write(self, relative: str, text: str) -> Path:
        """Write a page; it appears under the returned path when the site is published."""
        if self._mode is None:
            self._mode = default_mode()
        # straight into the private folder: no reader sees it before publish(), so write_atomically's temporary
        # file and rename (0.02 s more for 291 pages) would buy nothing
        fd = os.open(self._staged(relative), os.O_WRONLY | os.O_CREAT | os.O_EXCL, self._mode)
        with os.fdopen(fd, "wb") as fh:
            fh.write(text.encode("utf-8"))
            os.fchmod(fh.fileno(), self._mode)  # the mode as given, whatever the umask takes away
        return self.root / relative

    def copy(self, relative: str, source: str) -> bool:
        """Copy a generated document into the site; False (nothing written) if it is no longer on disk."""
        try:
            data = Path(source).read_bytes()
        except (FileNotFoundError, IsADirectoryError, NotADirectoryError, PermissionError):
            return False
        write_atomically(self._staged(relative), data, tidy=False)
        return True

    def _taken(self) -> Path | None:
        """The staging folder of what was written so far; the next write starts a new one."""
        stage, self._stage, self._made = self._stage, None, set()
        return stage

    def discard(self) -> None:
        """Forget what was written (a report that failed): the previous site stays as it was."""
        stage = self._taken()
        if stage is not None:
            shutil.rmtree(stage, ignore_errors=True)

    def publish(self) -> None:
        """Put what was written in place of the previous report: folders first, then ``index.html``."""
        stage = self._taken()
        if stage is None:
            return
        try:
            entries = sorted(stage.iterdir(), key=lambda p: (not p.is_dir(), p.name))
            for entry in entries:
                target = self.root / entry.name
                if not entry.is_dir():
                    os.replace(entry, target)
                elif not target.is_dir() or target.is_symlink():
                    os.rename(entry, target)  # a first report, or a file in the way (refused: an error)
                elif not _exchange(entry, target):
                    os.rename(target, stage / f".old-{entry.name}")
                    os.rename(entry, target)
        finally:
            shutil.rmtree(stage, ignore_errors=True)  # the previous report's folders, or an unfinished run's pages
