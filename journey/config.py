"""Settings from ``JOURNEY_*`` environment variables. Imports nothing from journey; no I/O at import."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def default_home() -> Path:
    """Where the embedded SQLite database lives: ``$JOURNEY_HOME`` or ``$XDG_DATA_HOME/journey``."""
    if os.environ.get("JOURNEY_HOME"):
        return Path(os.environ["JOURNEY_HOME"]).expanduser()
    xdg = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(xdg) / "journey"


def spec_cache_dir(env: Mapping[str, str] | None = None) -> Path | None:
    """Where parsed workflow specs are cached: ``$XDG_CACHE_HOME/journey``; None with ``JOURNEY_NO_CACHE``."""
    env = os.environ if env is None else env
    if env.get("JOURNEY_NO_CACHE"):
        return None
    return Path(env.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")) / "journey"


def login_name() -> str:
    """The operating system's login name (the actor when neither --as nor JOURNEY_USER is given)."""
    import getpass

    try:
        return getpass.getuser()
    except Exception:  # no login name in some containers
        return "unknown"


def debug_enabled() -> bool:
    """``JOURNEY_DEBUG`` set: let tracebacks through instead of one-line errors."""
    return bool(os.environ.get("JOURNEY_DEBUG"))


def ui_language(env: Mapping[str, str] | None = None) -> str:
    """The language of the command line: ``sv`` (the default) or ``en``.

    ``JOURNEY_LANG`` (``sv``, ``en``, also ``en_GB.UTF-8`` style) wins; otherwise the first of
    ``LC_ALL``, ``LC_MESSAGES`` and ``LANG`` that is set: an English locale gives English, anything
    else (``C``, ``POSIX``, a Swedish locale, nothing set) Swedish.
    """
    env = os.environ if env is None else env
    names = ("JOURNEY_LANG",) if env.get("JOURNEY_LANG", "").strip() else ("LC_ALL", "LC_MESSAGES", "LANG")
    for name in names:
        value = env.get(name, "").strip()
        if value:
            code = value.split(".")[0].split("@")[0].replace("-", "_").split("_")[0].lower()
            return "en" if code == "en" else "sv"
    return "sv"


def _demo_url(demo_home: Path) -> str:
    """The demo's own database in its home (``$JOURNEY_HOME/demo``)."""
    return f"sqlite:///{demo_home / 'journey.db'}"


def _documents_dir(home: Path, database_url: str) -> Path:
    """Where documents go unless JOURNEY_OUTPUT_DIR says: ``$JOURNEY_HOME/documents``, or beside the demo's
    database (``$JOURNEY_HOME/demo/documents``) when that is the one named, as `journey demo` suggests."""
    demo = home / "demo"
    return demo / "documents" if database_url == _demo_url(demo) else home / "documents"


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
    cache_dir: Path | None = None  # parsed workflow specs (JOURNEY_NO_CACHE: none)
    esf_unit_costs: Path = PROJECT_ROOT / "data" / "esf_unit_costs.yaml"  # JOURNEY_ESF_UNIT_COSTS
    demo_home: Path | None = None  # where `journey demo` writes when no database was named ($JOURNEY_HOME/demo)
    output_dir_given: bool = False  # JOURNEY_OUTPUT_DIR set: the demo's documents go there too
    render_timeout: str = ""  # JOURNEY_RENDER_TIMEOUT: seconds a document may take to render (checked in bootstrap)

    @classmethod
    def from_env(cls, env: dict[str, str] | None = None) -> Settings:
        env = dict(os.environ if env is None else env)
        home = Path(env["JOURNEY_HOME"]).expanduser() if env.get("JOURNEY_HOME") else default_home()
        url = env.get("JOURNEY_DATABASE_URL") or f"sqlite:///{home / 'journey.db'}"
        return cls(
            database_url=url,
            workflows_dir=Path(env.get("JOURNEY_WORKFLOWS_DIR") or PROJECT_ROOT / "workflows"),
            templates_dir=Path(env.get("JOURNEY_TEMPLATES_DIR") or PROJECT_ROOT / "templates"),
            output_dir=Path(env.get("JOURNEY_OUTPUT_DIR") or _documents_dir(home, url)),
            user=env.get("JOURNEY_USER") or None,
            timezone=env.get("JOURNEY_TIMEZONE") or "Europe/Stockholm",
            smtp={k[len("JOURNEY_SMTP_"):].lower(): v for k, v in env.items() if k.startswith("JOURNEY_SMTP_")},
            now=env.get("JOURNEY_NOW") or None,
            cache_dir=spec_cache_dir(env),
            esf_unit_costs=Path(env.get("JOURNEY_ESF_UNIT_COSTS") or PROJECT_ROOT / "data" / "esf_unit_costs.yaml"),
            demo_home=None if env.get("JOURNEY_DATABASE_URL") else home / "demo",
            output_dir_given=bool(env.get("JOURNEY_OUTPUT_DIR")),
            render_timeout=env.get("JOURNEY_RENDER_TIMEOUT", ""),
        )

    def with_database(self, url: str) -> Settings:
        """An explicitly named database (``--db``): the demo, too, uses it rather than its own home.

        Named as the demo's own database, its documents stay beside the demo's others."""
        output = self.output_dir
        if not self.output_dir_given and self.demo_home is not None and url == _demo_url(self.demo_home):
            output = self.demo_home / "documents"
        return replace(self, database_url=url, demo_home=None, output_dir=output)

    def for_demo(self) -> Settings:
        """`journey demo`'s settings: its own SQLite database and documents under ``demo_home``, unless a
        database was named (``--db`` or ``JOURNEY_DATABASE_URL``), which it then guards."""
        if self.demo_home is None:
            return self
        output = self.output_dir if self.output_dir_given else self.demo_home / "documents"
        return replace(self, database_url=_demo_url(self.demo_home), output_dir=output)
