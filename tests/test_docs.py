"""Docs stay true: every command has help with an example, and docs/cli.md matches --help."""

from __future__ import annotations

import importlib.util
import re

import click

from journey.cli import cli
from tests.conftest import ROOT


def load_generator():  # type: ignore[no-untyped-def]
    spec = importlib.util.spec_from_file_location("cli_docs", ROOT / "scripts" / "cli_docs.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_every_command_has_help_with_an_example() -> None:
    gen = load_generator()
    root = click.Context(cli, info_name="journey")
    for path, command, _ctx in gen.walk(cli, root, []):
        assert command.help, f"journey {' '.join(path)} has no help text"
        if not isinstance(command, click.Group):
            assert "Example" in command.help, f"journey {' '.join(path)} has no Example: block"


def test_cli_reference_is_current() -> None:
    import difflib

    expected = load_generator().render()
    actual = (ROOT / "docs" / "cli.md").read_text(encoding="utf-8")
    diff = "\n".join(list(difflib.unified_diff(actual.splitlines(), expected.splitlines(), lineterm=""))[:20])
    assert actual == expected, f"docs/cli.md is stale: run .venv/bin/python scripts/cli_docs.py\n{diff}"


def test_exit_codes_are_documented_where_users_look() -> None:
    from journey.domain.errors import ExitCode

    help_text = cli.get_help(click.Context(cli, info_name="journey"))
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for code in ExitCode:
        assert re.search(rf"\b{int(code)}\b", help_text), f"exit code {int(code)} missing from --help"
        assert f"| {int(code)} " in readme, f"exit code {int(code)} missing from README"


def test_readme_commands_exist() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    names = set(cli.list_commands(click.Context(cli)))
    used = set(re.findall(r"^\s*(?:\$ )?journey ([a-z-]+)", readme, flags=re.MULTILINE))
    assert used and used <= names, f"README mentions unknown commands: {used - names}"
