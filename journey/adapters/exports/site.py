"""A folder of static HTML pages (the offline dashboard), each written whole (temporary file, then rename)."""

from __future__ import annotations

import os
from pathlib import Path


class DirectorySite:
    """Implements :class:`~journey.ports.exports.SiteWriter` for a folder on disk."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def write(self, relative: str, text: str) -> Path:
        target = self.root / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = target.with_name(f".{target.name}.tmp")
        tmp.write_text(text, encoding="utf-8")
        os.replace(tmp, target)
        return target
