"""Jinja2 for the live pages (templates/web): autoescaped, strict, Swedish dates."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from journey.domain.text import swedish_number


def make_environment(directory: Path, tz: ZoneInfo) -> Environment:
    env = Environment(loader=FileSystemLoader(str(directory)), autoescape=select_autoescape(default=True),
                      undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True)

    def local(value: Any, fmt: str) -> str:
        if isinstance(value, str) and value:
            try:
                value = datetime.fromisoformat(value)
            except ValueError:
                return str(value)
        if isinstance(value, datetime):
            return value.astimezone(tz).strftime(fmt)
        if isinstance(value, date):
            return value.strftime("%Y-%m-%d")
        return "" if value is None else str(value)

    env.filters["day"] = lambda v: local(v, "%Y-%m-%d")
    env.filters["minute"] = lambda v: local(v, "%Y-%m-%d %H:%M")
    env.filters["sek"] = lambda v: f"{int(v):,}".replace(",", "\u00a0")  # 1 250 000: Swedish digit grouping
    env.filters["number"] = swedish_number  # hours: 6,5 and 531 286,25
    return env
