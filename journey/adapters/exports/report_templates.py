"""Jinja2 for the static HTML report (templates/report): autoescaped, strict, with date filters."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

TIMEZONE = ZoneInfo("Europe/Stockholm")


def _local(value: datetime) -> datetime:
    """A stored (UTC) time in Swedish local time, the one time zone people read (a naive value is UTC)."""
    return (value if value.tzinfo else value.replace(tzinfo=UTC)).astimezone(TIMEZONE)


# The text strftime("%Y-%m-%d") and ("%Y-%m-%d %H:%M") give, formatted directly: thousands of times per report

def _day(value: Any) -> str:
    if not isinstance(value, datetime):
        return value or ""
    at = _local(value)
    return f"{at.year}-{at.month:02}-{at.day:02}"


def _minute(value: Any) -> str:
    if not isinstance(value, datetime):
        return value or ""
    at = _local(value)
    return f"{at.year}-{at.month:02}-{at.day:02} {at.hour:02}:{at.minute:02}"


def _kr(value: Any) -> str:
    """450000 -> '450 000 kr' (non-breaking spaces, as in Swedish print)."""
    if value is None or value == "":
        return ""
    return f"{int(value):,}".replace(",", "\u00a0") + "\u00a0kr"


class JinjaReportTemplates:
    """``render(name, context)``: what :func:`journey.services.monitoring.report_html.write_report` needs."""

    def __init__(self, templates_dir: Path) -> None:
        from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

        # auto_reload off: the templates are read once per report, not checked on disk again for every page
        self.env = Environment(loader=FileSystemLoader(templates_dir / "report"),
                               autoescape=select_autoescape(["j2", "html"]), undefined=StrictUndefined,
                               trim_blocks=True, lstrip_blocks=True, auto_reload=False)
        self.env.filters["day"] = _day
        self.env.filters["minute"] = _minute
        self.env.filters["kr"] = _kr

    def __call__(self, name: str, context: dict[str, Any]) -> str:
        return self.env.get_template(name).render(**context)
