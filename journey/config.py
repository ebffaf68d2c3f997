"""Settings from ``JOURNEY_*`` environment variables. Imports nothing from journey; no I/O at import."""

from __future__ import annotations

import os
from dataclasses import dataclass, field, replace
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def default_home() -> Path:
    """Where the embedded SQLite database lives: ``$JOURNEY_HOME`` or ``$XDG_DATA_HOME/journey``."""
    if os.environ.get("JOURNEY_HOME"):
        return Path(os.environ["JOURNEY_HOME"]).expanduser()
    xdg = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(xdg) / "journey"


@dataclass(frozen=True)
class Settings:
    database_url: str
    workflows_dir: Path
    templates_dir: Path
    output_dir: Path
    user: str | None = None
    timezone: str = "Europe/Stockholm"
    smtp: dict[str, str] = field(default_factory=dict)
    now: str | None = None  # JOURNEY_NOW: freeze the clock (rehearsals, tests)

    @classmethod
    def from_env(cls, env: dict[str, str] | None = None) -> Settings:
        env = dict(os.environ if env is None else env)
        home = Path(env["JOURNEY_HOME"]).expanduser() if env.get("JOURNEY_HOME") else default_home()
        url = env.get("JOURNEY_DATABASE_URL") or f"sqlite:///{home / 'journey.db'}"
        return cls(
            database_url=url,
            workflows_dir=Path(env.get("JOURNEY_WORKFLOWS_DIR") or PROJECT_ROOT / "workflows"),
            templates_dir=Path(env.get("JOURNEY_TEMPLATES_DIR") or PROJECT_ROOT / "templates"),
            output_dir=Path(env.get("JOURNEY_OUTPUT_DIR") or home / "documents"),
            user=env.get("JOURNEY_USER") or None,
            timezone=env.get("JOURNEY_TIMEZONE") or "Europe/Stockholm",
            smtp={k[len("JOURNEY_SMTP_"):].lower(): v for k, v in env.items() if k.startswith("JOURNEY_SMTP_")},
            now=env.get("JOURNEY_NOW") or None,
        )

    def with_database(self, url: str) -> Settings:
        return replace(self, database_url=url)
