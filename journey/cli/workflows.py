"""Workflow definition commands: validate, list, show."""

from __future__ import annotations

from pathlib import Path

import click

from journey.cli import LazyGroup
from journey.cli._common import echo, echo_json, echo_table, get_app, json_option
from journey.cli._i18n import _, error_text


@click.group(cls=LazyGroup, lazy={"diff": "journey.cli.workflow_diff:diff"})
def workflows() -> None:
    """Validate and inspect workflow definitions (YAML)."""


@workflows.command("validate")
@click.argument("files", nargs=-1, type=click.Path(path_type=Path))
def validate(files: tuple[Path, ...]) -> None:
    """Check workflow FILES (default: every file in the workflows directory).

    Every problem is printed on one line as FILE:LINE: KEY: message. Variants are checked
    together with the workflows directory so that `extends:` resolves.

    \b
    Example:
        journey workflows validate workflows/handbook.yaml
    """
    from journey.domain.errors import DefinitionError, DefinitionErrors
    from journey.services.workflows.definitions import validate_files

    app = get_app()
    try:
        specs = validate_files(list(files), app.settings.workflows_dir)
        from journey.services.workflows.versions import check_migrations

        mapping_errors = check_migrations(lambda: app.workflows, specs)  # old paths under migrations: states:
        if mapping_errors:
            raise DefinitionErrors(mapping_errors)
    except DefinitionErrors as exc:
        for err in exc.errors:
            echo(error_text(err), err=True)
        raise SystemExit(int(exc.exit_code)) from None
    except DefinitionError as exc:
        echo(error_text(exc), err=True)
        raise SystemExit(int(exc.exit_code)) from None
    for spec in specs:
        echo(_("ok  {key}  {source_file}  ({count} states, {count2} transitions)").format(
            key=spec.key, source_file=spec.source_file, count=len(spec.all_states()), count2=len(spec.transitions)))


@workflows.command("list")
@json_option
def list_(as_json: bool) -> None:
    """List workflows and their versions.

    \b
    Example:
        journey workflows list
    """
    registry = get_app().workflows
    rows = [{"name": s.name, "version": s.version, "title": s.title, "extends": s.extends, "file": s.source_file}
            for s in registry.all()]
    if as_json:
        echo_json(rows)
        return
    echo_table([_("Name"), _("Version"), _("Extends"),
                _("Title")], [[r["name"], r["version"], r["extends"], r["title"]] for r in rows])


@workflows.command("show")
@click.argument("name")
@click.option("--version", "version", type=int, help="Version (default: latest).")
@json_option
def show(name: str, version: int | None, as_json: bool) -> None:
    """Show workflow NAME: its states, transitions and the evidence each step requires.

    \b
    Example:
        journey workflows show handbook
    """
    from journey.services.workflows.definitions import describe

    data = describe(get_app().workflows.get(name, version))
    if as_json:
        echo_json(data)
        return
    echo(f"{data['name']}@{data['version']}: {data['title']}")
    if data["extends"]:
        echo(_("extends {extends}").format(extends=data['extends']))
    echo(_("\nStates:"))
    for s in data["states"]:
        indent = "  " * (s["path"].count(".") + 1)
        flags = _(" (final)") if s["final"] else ""
        flags += _(" (initial)") if s["path"] == data["initial"] else ""
        echo(f"{indent}{s['path']}: {s['title']}{flags}")
        if s["matter"]:
            m = s["matter"]
            avslag = _(", avslag: {trigger}").format(trigger=m['on_avslag']) if m["on_avslag"] else ""
            opened = _(" (opened by `journey matters register`)") if m["optional"] else ""
            echo(_("{indent}  matter: {title}: {bodies} decide {decides}{avslag}{opened}").format(
                indent=indent, title=m['title'], bodies=" -> ".join(m['bodies']), decides=m['decides'], avslag=avslag,
                opened=opened))
    echo(_("\nTransitions:"))
    for t in data["transitions"]:
        needs = _("  needs: {guards}").format(guards=", ".join(t['guards'])) if t["guards"] else ""
        back = _("  (backward)") if t["backward"] else ""
        echo(f"  {t['trigger']}: {t['source']} -> {t['dest']}{needs}{back}")
    echo(_("\nEvidence:"))
    for e in data["evidence"]:
        fields = ", ".join(f["name"] + ("" if f["required"] else "?") + f" ({f['type']})" for f in e["fields"])
        echo(f"  {e['name']}: {e['title']} - {fields}")
