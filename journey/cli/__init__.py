"""The ``journey`` command line: a thin client over the use cases.

Subcommands are imported only when they run, so ``journey status`` starts fast.
Exit codes are listed in ``journey --help`` and docs/cli.md.
"""

from __future__ import annotations

import errno
import importlib
import os
import sys
from typing import Any

import click

from journey.cli._i18n import _, install, localize, translate_message
from journey.domain.errors import ExitCode, JourneyError

COMMANDS: dict[str, str] = {
    "init": "journey.cli.setup:init",
    "demo": "journey.cli.setup:demo",
    "municipalities": "journey.cli.registry:municipalities",
    "users": "journey.cli.registry:users",
    "open": "journey.cli.cases:open_",
    "status": "journey.cli.cases:status",
    "advance": "journey.cli.cases:advance",
    "why": "journey.cli.cases:why",
    "history": "journey.cli.cases:history",
    "workflows": "journey.cli.workflows:workflows",
    "reminders": "journey.cli.reminders:reminders",
    "meetings": "journey.cli.board_meetings:meetings",
    "case": "journey.cli.pausing:case",
    "scheduler": "journey.cli.scheduler:scheduler",
    "documents": "journey.cli.documents:documents",
    "templates": "journey.cli.documents:templates",
    "migrate": "journey.cli.migrate:migrate",
    "export": "journey.cli.transfer:export",
    "import": "journey.cli.transfer:import_",
    "monitor": "journey.cli.monitor:monitor",
    "report": "journey.cli.report:report",
    "hours": "journey.cli.hours:hours",
    "people": "journey.cli.people:people",
    "network-meetings": "journey.cli.network_meetings:network_meetings",
    "serve": "journey.cli.serve:serve",
    "tokens": "journey.cli.tokens:tokens",
    "webhooks": "journey.cli.webhooks:webhooks",
    "deals": "journey.cli.deals:deals",
    "matters": "journey.cli.matters:matters",
    "decide": "journey.cli.matters:decide",
    "correct": "journey.cli.amendments:correct",
    "withdraw": "journey.cli.amendments:withdraw",
}

EXIT_CODES = """\b
Exit codes:
  0 ok                 4 not found            7 invalid workflow or template
  1 internal error     5 concurrent change    8 database not initialised (or no file at --db)
  2 usage / bad input  6 permission denied   74 disk full, read-only or I/O error (nothing saved)
  3 refused (transition not allowed in this state, or a guard/evidence lacking)
 75 database locked or unreachable, SMTP server unreachable (retry later)
 78 settings refused: no such database or role, bad database URL, JOURNEY_SMTP_FROM or SMTP login
"""


class JourneyCliError(click.ClickException):
    """One line on stderr: control characters in the message (from the input it names) are escaped."""

    def __init__(self, message: str, exit_code: int) -> None:
        from journey.cli._common import terminal_safe

        super().__init__(terminal_safe(translate_message(message), cell=True))
        self.exit_code = exit_code  # type: ignore[misc]  # click declares exit_code a ClassVar


def one_line_usage_error(exc: click.UsageError) -> JourneyCliError:
    """Click's three-line usage error as one line: the message and where to find help (exit 2)."""
    exc.message = translate_message(exc.message)  # type: ignore[misc]  # click declares message Final
    message = " ".join(exc.format_message().split())
    path = exc.ctx.command_path if exc.ctx is not None else "journey"
    return JourneyCliError(_("{message} (try '{path} --help')").format(message=message, path=path), exc.exit_code)


def _message_of(exc: BaseException) -> str:
    """The error's message, keeping a translatable ``journey.domain.messages.Msg`` (its only argument) as it is."""
    first = exc.args[0] if len(exc.args) == 1 else None
    return first if isinstance(first, str) and hasattr(first, "translated") else str(exc)


_DISK_FAULTS = {errno.ENOSPC, errno.EROFS, errno.EDQUOT, errno.EIO}


def to_click_error(exc: BaseException) -> click.ClickException:
    if isinstance(exc, JourneyError):
        return JourneyCliError(_message_of(exc), int(exc.exit_code))
    if isinstance(exc, OSError) and exc.errno in _DISK_FAULTS:  # disk full, read-only file system, I/O error
        where = f" {exc.filename!s}" if exc.filename else ""
        return JourneyCliError(_("cannot write{where}: {reason}; nothing was saved").format(
            where=where, reason=exc.strerror or exc), int(ExitCode.IO))
    if isinstance(exc, OSError) and exc.filename:  # a path the user gave cannot be read or written
        return JourneyCliError(_("cannot use {path}: {reason}").format(path=exc.filename, reason=exc.strerror or exc),
                               int(ExitCode.USAGE))
    if isinstance(exc, UnicodeError) and "surrogate" in str(exc):  # bytes that are not UTF-8 in argv or a path
        return JourneyCliError(_("an argument or file name is not valid UTF-8"), int(ExitCode.USAGE))
    if any(name in sys.modules for name in ("sqlalchemy", "psycopg", "psycopg2", "sqlite3")):
        from journey.bootstrap import translate_database_error as translate

        ctx = click.get_current_context(silent=True)
        app = ctx.find_root().obj if ctx is not None else None
        try:
            where = app.database_display() if app is not None else ""
        except Exception:  # a URL too broken to show
            where = ""
        mapped = translate(exc, where) if isinstance(exc, Exception) else None
        if mapped is not None:
            return JourneyCliError(_message_of(mapped), int(mapped.exit_code))
    first_line = (str(exc).strip().splitlines() or [""])[0]
    return JourneyCliError(_("internal error: {kind}: {detail} (set JOURNEY_DEBUG=1 for a traceback)").format(
        kind=type(exc).__name__, detail=first_line), int(ExitCode.ERROR))


class LazyGroup(click.Group):
    """A group whose subcommands are ``module:attr`` strings, imported on demand."""

    def __init__(self, *args: Any, lazy: dict[str, str] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.lazy = lazy or {}

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*super().list_commands(ctx), *self.lazy})

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        if name in self.lazy:
            module, attr = self.lazy[name].split(":")
            return localize(getattr(importlib.import_module(module), attr))
        command = super().get_command(ctx, name)
        return localize(command) if command is not None else None

    def make_context(self, info_name: str | None, args: list[str], parent: click.Context | None = None,
                     **extra: Any) -> click.Context:
        if parent is None:  # the language of this invocation: help, click's words and errors
            install()
            localize(self)
        for arg in args if parent is None else ():
            if any("\udc80" <= ch <= "\udcff" for ch in arg):  # bytes that are not UTF-8 (os.fsdecode's escapes)
                shown = arg.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
                raise JourneyCliError(_("argument '{value}' is not valid UTF-8").format(value=shown), int(ExitCode.USAGE))
        try:
            return super().make_context(info_name, args, parent, **extra)
        except click.exceptions.NoArgsIsHelpError:  # `journey`, `journey hours`: the help as click lays it out
            raise
        except click.UsageError as exc:
            raise one_line_usage_error(exc) from None

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except click.exceptions.NoArgsIsHelpError:
            raise
        except click.UsageError as exc:
            raise one_line_usage_error(exc) from None
        except click.ClickException as exc:
            exc.message = translate_message(exc.message)  # type: ignore[misc]  # click declares message Final
            raise
        except (click.exceptions.Exit, click.exceptions.Abort):
            raise
        except BrokenPipeError:  # output piped into `head` and closed: stop quietly
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
            raise click.exceptions.Exit(1) from None
        except Exception as exc:
            from journey.bootstrap import debug_enabled

            if debug_enabled():
                raise
            raise to_click_error(exc) from exc


@click.group(cls=LazyGroup, lazy=COMMANDS, epilog=EXIT_CODES,
             context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.option("--db", "database", metavar="URL", help="Database URL (default: $JOURNEY_DATABASE_URL, "
              "else SQLite at $JOURNEY_HOME/journey.db, JOURNEY_HOME defaulting to ~/.local/share/journey).")
@click.option("--workflows", metavar="DIR", help="Directory of workflow YAML files (default: ./workflows of journey).")
@click.version_option(package_name="journey", prog_name="journey")
def cli(database: str | None, workflows: str | None) -> None:
    """journey: each municipality's journey toward collaboration and business with social enterprises.

    Coordinators open and advance their municipality's case with evidence (board, date, §,
    diarienummer); SKR follows every municipality's stage. Start with `journey demo`.
    """


def main() -> None:
    cli.main(prog_name="journey")
