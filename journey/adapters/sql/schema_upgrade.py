"""Create or upgrade the database schema with Alembic (``journey init`` / ``journey db upgrade``)."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import Engine, inspect

ALEMBIC = Path(__file__).resolve().parent / "alembic"


def _config(connection: object) -> object:
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(ALEMBIC))
    cfg.attributes["connection"] = connection
    return cfg


def upgrade(engine: Engine) -> list[str]:
    """Apply every pending migration (all branches); return the revisions now current."""
    from alembic import command
    from alembic.runtime.migration import MigrationContext

    with engine.connect() as connection:
        command.upgrade(_config(connection), "heads")  # type: ignore[arg-type]
        connection.commit()
        return sorted(MigrationContext.configure(connection).get_current_heads())


def pending(engine: Engine) -> list[str]:
    """Revisions in the code that the database does not have yet."""
    from alembic.runtime.migration import MigrationContext
    from alembic.script import ScriptDirectory

    script = ScriptDirectory(str(ALEMBIC))
    with engine.connect() as connection:
        current = set(MigrationContext.configure(connection).get_current_heads())
    applied: set[str] = set()
    for rev in current:
        applied.update(r.revision for r in script.iterate_revisions(rev, "base"))
    return sorted(r.revision for r in script.walk_revisions() if r.revision not in applied)


def is_initialised(engine: Engine) -> bool:
    return inspect(engine).has_table("alembic_version")
