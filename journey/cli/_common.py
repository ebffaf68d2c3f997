"""Shared CLI pieces: the app in the click context, common options, output as text, table or JSON."""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Callable, Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Any, TypeVar

import click

F = TypeVar("F", bound=Callable[..., Any])

CREATES_DATABASE = frozenset({"init", "demo", "import"})  # every other command needs an existing database


def get_app(ctx: click.Context | None = None) -> Any:
    ctx = ctx or click.get_current_context()
    root = ctx.find_root()
    if root.obj is None:
        from journey.bootstrap import app_from_environment

        root.obj = app_from_environment(database=root.params.get("database"), workflows=root.params.get("workflows"),
                                        creates_database=root.invoked_subcommand in CREATES_DATABASE)
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


# C0 controls but newline and tab, DEL, C1 controls (0x9b is a one-byte CSI) and the bidi controls
_UNSAFE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")
_UNSAFE_IN_CELL = re.compile("[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def _escape(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def terminal_safe(text: str, *, cell: bool = False) -> str:
    """``text`` with control and bidi characters shown as escapes (``ESC[2J`` becomes ``\\x1b[2J``).

    Stored text (evidence, comments, imported data) never reaches the terminal raw; in a
    table ``cell`` newlines and tabs are escaped too, so a value stays in its row and column.
    """
    return (_UNSAFE_IN_CELL if cell else _UNSAFE).sub(_escape, text)


def echo(message: Any = "", err: bool = False) -> None:
    """``click.echo`` for text that may hold stored values: see :func:`terminal_safe`."""
    click.echo(terminal_safe(str(message)), err=err)


def _default(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):  # exact hours and kronor: an int when whole, else the shortest float
        return int(value) if value == value.to_integral_value() else float(value)
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")


def echo_json(data: Any) -> None:
    """JSON with every control and bidi character escaped (JSON escapes only those below 0x20)."""
    text = json.dumps(data, ensure_ascii=False, indent=2, default=_default)
    click.echo(_UNSAFE.sub(lambda m: f"\\u{ord(m.group()):04x}", text))


def echo_table(headers: Sequence[str], rows: Sequence[Sequence[Any]], title: str | None = None) -> None:
    """A rich table on a terminal, tab-separated columns when piped (cheap and grep-able)."""
    if sys.stdout.isatty():
        from rich.console import Console
        from rich.table import Table
        from rich.text import Text

        table = Table(*headers, title=Text(terminal_safe(title)) if title else None, show_lines=False)
        for row in rows:  # Text: a value is shown as it is, never read as rich markup
            table.add_row(*[Text(terminal_safe("" if c is None else str(c))) for c in row])
        Console().print(table)
        return
    cells = [[terminal_safe("" if c is None else str(c), cell=True) for c in row] for row in rows]
    if title:
        echo(title)
    click.echo("\t".join(headers))
    for row in cells:
        click.echo("\t".join(row))


def lower_first(text: str) -> str:
    """A label inside a sentence: 'Digitalt nätverksmöte' -> 'digitalt nätverksmöte'."""
    return text[:1].lower() + text[1:]


def short_time(iso: str | None, zone: str = "Europe/Stockholm") -> str:
    """'2022-09-01T08:00:00+00:00' -> '2022-09-01 10:00' in Swedish local time (JSON output stays UTC)."""
    if not iso:
        return ""
    from zoneinfo import ZoneInfo

    return datetime.fromisoformat(iso).astimezone(ZoneInfo(zone)).strftime("%Y-%m-%d %H:%M")


CSV_DELIMITERS = {"semicolon": ";", "comma": ","}


def csv_delimiter_option(func: F) -> F:
    """``--csv-delimiter semicolon|comma``: semicolon (Swedish Excel's list separator) unless asked."""
    return click.option("--csv-delimiter", "csv_delimiter", type=click.Choice(list(CSV_DELIMITERS)),
                        default="semicolon", metavar="SEP",
                        help="CSV field separator: semicolon (default; Swedish Excel opens it in columns) "
                             "or comma.")(func)


def print_waiting(jobs: Any) -> None:
    """Documents a change could not render yet: on stderr, with the error; the change itself is saved."""
    from journey.cli._i18n import _, translate_stored
    from journey.services.deals.documents import listed_title

    for job in jobs:
        names = ", ".join(listed_title(doc) or doc for _path, doc in job.items)
        echo(_("Documents not rendered yet ({documents}): {error}; they are tried again later, see "
               "`journey documents waiting`").format(documents=names, error=translate_stored(job.error)), err=True)
