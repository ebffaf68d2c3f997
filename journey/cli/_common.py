"""Shared CLI pieces: the app in the click context, common options, output as text, table or JSON."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Sequence
from datetime import date, datetime
from typing import Any, TypeVar

import click

F = TypeVar("F", bound=Callable[..., Any])


def get_app(ctx: click.Context | None = None) -> Any:
    ctx = ctx or click.get_current_context()
    root = ctx.find_root()
    if root.obj is None:
        from journey.bootstrap import app_from_environment

        root.obj = app_from_environment(database=root.params.get("database"), workflows=root.params.get("workflows"))
        root.call_on_close(root.obj.close)
    return root.obj


def _login_if_unset(ctx: click.Context, _param: click.Parameter, value: str | None) -> str:
    if value:
        return value
    from journey.bootstrap import login_name

    return login_name()


def actor_option(f: F) -> F:
    return click.option("--as", "actor", metavar="NAME", envvar="JOURNEY_USER", callback=_login_if_unset,
                        help="Who is acting (a registered user). Defaults to $JOURNEY_USER, then the login name.")(f)


def json_option(f: F) -> F:
    return click.option("--json", "as_json", is_flag=True, help="Print JSON instead of text.")(f)


def _default(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")


def echo_json(data: Any) -> None:
    click.echo(json.dumps(data, ensure_ascii=False, indent=2, default=_default))


def echo_table(headers: Sequence[str], rows: Sequence[Sequence[Any]], title: str | None = None) -> None:
    """A rich table on a terminal, tab-separated columns when piped (cheap and grep-able)."""
    cells = [["" if c is None else str(c) for c in row] for row in rows]
    if sys.stdout.isatty():
        from rich.console import Console
        from rich.table import Table

        table = Table(*headers, title=title, show_lines=False)
        for row in cells:
            table.add_row(*row)
        Console().print(table)
        return
    if title:
        click.echo(title)
    click.echo("\t".join(headers))
    for row in cells:
        click.echo("\t".join(row))


def short_time(iso: str | None, zone: str = "Europe/Stockholm") -> str:
    """'2022-09-01T08:00:00+00:00' -> '2022-09-01 10:00' in Swedish local time (JSON output stays UTC)."""
    if not iso:
        return ""
    from zoneinfo import ZoneInfo

    return datetime.fromisoformat(iso).astimezone(ZoneInfo(zone)).strftime("%Y-%m-%d %H:%M")
