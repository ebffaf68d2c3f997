"""Files written whole: a reader sees the old file or the new one, never half of it.

The data goes to a ``.tmp-PID-*`` file beside the target first. A process killed mid-write
leaves that file behind; the next write into the directory removes it (its process is gone,
or on a shared file system it is older than an hour), so leftovers never accumulate.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import time
from collections.abc import Callable
from contextlib import suppress
from pathlib import Path
from typing import BinaryIO

Writer = Callable[[BinaryIO], None]
STALE_AFTER = 3600.0  # seconds: a .tmp-* file this old belongs to no running write


def _umask() -> int:
    """The process umask (read without changing it where Linux tells it; else set and restored at once)."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except (OSError, ValueError):
        pass
    current = os.umask(0o022)
    os.umask(current)
    return current


def default_mode() -> int:
    """What ``open()`` would give a new file: 0666 less the umask (0644 under umask 022, 0640 under 027)."""
    return 0o666 & ~_umask()


def write_atomically(path: Path, data: bytes | Writer, mode: int | None = None, *, durable: bool = True,
                     tidy: bool = True) -> None:
    """Write ``data`` (bytes, or a callback that writes into the open binary file) to ``path`` whole.

    The data is synced, then the file appears under ``path`` in one rename. ``mode``: the new
    file's permissions (default: those of any new file, 0666
    less the umask, so colleagues in the group can read documents and report pages).
    ``durable=False`` skips the sync, for files that are regenerated anyway (the HTML report): a
    reader still sees the old file or the new one, but after a power loss the new one may be empty.
    ``tidy=False``: the caller created the directory and removed its stale temporary files already
    (:func:`remove_stale`), once for many files.
    """
    if tidy:
        path.parent.mkdir(parents=True, exist_ok=True)
        remove_stale(path.parent)
    tmp = _temporary(path.parent, path.suffix, data, mode, durable)
    try:
        os.replace(tmp, path)
    except BaseException:
        with suppress(FileNotFoundError):
            os.unlink(tmp)
        raise


def _temporary(directory: Path, suffix: str, data: bytes | Writer, mode: int | None, durable: bool) -> Path:
    """``data`` written (and synced when ``durable``) to a new ``.tmp-PID-*`` file in ``directory``."""
    fd, tmp = tempfile.mkstemp(dir=directory, prefix=f".tmp-{os.getpid()}-", suffix=suffix)
    try:
        with os.fdopen(fd, "wb") as fh:
            if isinstance(data, bytes):
                fh.write(data)
            else:
                data(fh)
            fh.flush()
            if durable:
                os.fsync(fh.fileno())
            os.fchmod(fh.fileno(), default_mode() if mode is None else mode)
    except BaseException:
        with suppress(FileNotFoundError):
            os.unlink(tmp)
        raise
    return Path(tmp)


class StagedFile:
    """Data written and synced under a temporary name beside where it will go; :meth:`place` names it.

    Lets a caller do the slow part (writing, syncing) before it takes a lock and only the rename
    under it. A staged file never placed is removed by :meth:`discard`, or by the next write into
    the directory once its process is gone.
    """

    def __init__(self, directory: Path, data: bytes, suffix: str = "", mode: int | None = None) -> None:
        directory.mkdir(parents=True, exist_ok=True)
        remove_stale(directory)
        self.path: Path | None = _temporary(directory, suffix, data, mode, True)

    def place(self, path: Path) -> None:
        """Give the file its name (one rename, in the same directory): readers see the old file or this one."""
        if self.path is None:
            raise ValueError("a staged file is placed once")
        if path.parent != self.path.parent:
            raise ValueError(f"{path} is not in {self.path.parent}")
        os.replace(self.path, path)
        self.path = None

    def discard(self) -> None:
        """Remove the file if it was not placed (again: nothing)."""
        if self.path is not None:
            with suppress(FileNotFoundError):
                os.unlink(self.path)
            self.path = None


def remove_stale(directory: Path) -> None:
    """Remove ``.tmp-*`` files (and a report's staging folders) left by a killed write: its process is
    gone, or it is older than an hour."""
    cutoff = time.time() - STALE_AFTER
    with suppress(OSError):
        for entry in os.scandir(directory):
            if not entry.name.startswith(".tmp-") or entry.is_symlink():
                continue
            with suppress(OSError):
                if not _running(entry.name) or entry.stat(follow_symlinks=False).st_mtime < cutoff:
                    if entry.is_dir(follow_symlinks=False):
                        shutil.rmtree(entry.path, ignore_errors=True)
                    else:
                        os.unlink(entry.path)


def _running(name: str) -> bool:
    """Whether the process that named ``.tmp-PID-*`` still runs (unknown: assume it does)."""
    pid = name.split("-")[1] if name.count("-") >= 2 else ""
    if not pid.isdigit():
        return True
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return False
    except OSError:  # another user's process
        return True
    return True
