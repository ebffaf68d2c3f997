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


def existing_sqlite_file(url: str) -> Path:
    """The SQLite file behind ``url``, which must exist and be a file (the engine's, the unit of work's and
    the read model's one check): :class:`NotInitialisedError` when missing, :class:`DatabaseConfigError`
    for a directory."""
    from journey.domain.errors import DatabaseConfigError, NotInitialisedError
    from journey.domain.messages import msg

    path = sqlite_path(url)
    if path is not None and path.is_dir():
        raise DatabaseConfigError(msg("{path} is a directory, not a database: check --db / JOURNEY_DATABASE_URL",
                                      path=path))
    if path is None or not path.exists():
        raise NotInitialisedError(msg("no database at {path}: run `journey init` (or check --db / "
                                      "JOURNEY_DATABASE_URL)", path=path or url))
    return path


def psycopg_conninfo(url: str) -> str:
    """The connection string libpq takes (through psycopg 3 or psycopg2) for a PostgreSQL URL;
    :class:`DatabaseConfigError` for another driver (``postgresql+asyncpg://`` ...)."""
    from journey.domain.errors import DatabaseConfigError
    from journey.domain.messages import msg

    parts = urlsplit(url.replace("postgresql+psycopg://", "postgresql://", 1))
    if parts.scheme not in ("postgresql", "postgres"):
        raise DatabaseConfigError(msg("the database URL cannot be used: driver {scheme!r} is not supported "
                                      "(expected postgresql:// or postgresql+psycopg://)", scheme=parts.scheme))
    return parts._replace(scheme="postgresql").geturl()
