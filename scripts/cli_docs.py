"""Regenerate docs/cli.md from the commands' own --help (run: .venv/bin/python scripts/cli_docs.py)."""

from __future__ import annotations

import sys
from pathlib import Path

import click

ROOT = Path(__file__).resolve().parent.parent
TARGET = ROOT / "docs" / "cli.md"


def walk(command: click.Command, ctx: click.Context, path: list[str]):  # type: ignore[no-untyped-def]
    yield path, command, ctx
    if isinstance(command, click.Group):
        for name in command.list_commands(ctx):
            sub = command.get_command(ctx, name)
            if sub is not None:
                yield from walk(sub, click.Context(sub, info_name=name, parent=ctx, terminal_width=100), [*path, name])


def render() -> str:
    sys.path.insert(0, str(ROOT))
    from journey.cli import cli
    from journey.cli._i18n import install

    install("en")  # the reference stays English (the --help a user sees follows JOURNEY_LANG, Swedish by default)
    root = click.Context(cli, info_name="journey", terminal_width=100, **cli.context_settings)
    parts = ["# CLI reference\n", "Generated from `--help` by `scripts/cli_docs.py`; a test keeps it current.\n"]
    for path, command, ctx in walk(cli, root, []):
        title = " ".join(["journey", *path])
        help_text = command.get_help(ctx).replace("Usage: journey", "Usage: journey", 1)
        parts.append(f"## `{title}`\n\n```text\n{help_text}\n```\n")
    return "\n".join(parts)


if __name__ == "__main__":
    TARGET.write_text(render(), encoding="utf-8")
    print(f"wrote {TARGET}")
