"""Files written whole: a reader sees the old file or the new one, never half of it."""

from __future__ import annotations

import os
import tempfile
from contextlib import suppress
from pathlib import Path


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


def write_atomically(path: Path, data: bytes, mode: int | None = None) -> None:
    """Write ``data`` to a temporary file beside ``path``, sync it, then rename it over ``path``.

    ``mode``: the new file's permissions; by default those of any new file (0666 less the umask),
    so colleagues in the group can read documents and report pages, never mkstemp's owner-only 0600.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-", suffix=path.suffix)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, default_mode() if mode is None else mode)
        os.replace(tmp, path)
    except BaseException:
        with suppress(FileNotFoundError):
            os.unlink(tmp)
        raise
