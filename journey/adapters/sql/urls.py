"""Database URL helpers that import nothing heavy (used on the fast read path)."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import unquote, urlsplit


def normalize_url(url: str) -> str:
    """Accept ``postgresql://`` and ``postgres://`` and use the psycopg 3 driver for them."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


def sqlite_path(url: str) -> Path | None:
    """The file behind a ``sqlite:///path`` URL; None for other back ends and in-memory databases."""
    if not url.startswith("sqlite"):
        return None
    rest = url.split(":///", 1)[1] if ":///" in url else ""
    path = unquote(urlsplit("x:///" + rest).path[1:]) if rest else ""
    if not path or path == ":memory:":
        return None
    return Path(path)


def display(url: str) -> str:
    """Where the data lives, for messages: the SQLite path or host/database without credentials."""
    path = sqlite_path(url)
    if path is not None:
        return str(path)
    parts = urlsplit(url)
    return f"{parts.hostname or 'localhost'}:{parts.port or 5432}{parts.path}"
