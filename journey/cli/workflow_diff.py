"""``journey workflows diff``: what changed between two versions of a workflow."""

from __future__ import annotations

from dataclasses import asdict

import click

from journey.cli._common import echo, echo_json, get_app, json_option
from journey.cli._i18n import _, translate_message

SIGNS = {"added": "+", "removed": "-", "renamed": "~", "changed": "*"}


def _headings() -> dict[str, str]:
    return {"state": _("States:"), "transition": _("Transitions:"), "evidence": _("Evidence kinds:")}


def _kinds() -> dict[str, str]:
    return {"added": _("added"), "removed": _("removed"), "renamed": _("renamed"), "changed": _("changed")}


@click.command("diff")
@click.argument("old")
@click.argument("new", required=False)
@json_option
def diff(old: str, new: str | None, as_json: bool) -> None:
    """Show states, transitions and evidence added, removed, renamed or changed from OLD to NEW.

    OLD and NEW are NAME@VERSION, NAME (its latest version) or a YAML file such as a draft
    of the next version; NEW defaults to the latest version of OLD's workflow. Renames come
    from the new version's `migrations: states:`; likely renames without a mapping are
    shown as hints.

    \b
    Example:
        journey workflows diff handbook@1 handbook@2
        journey workflows diff handbook@1 drafts/handbook-v2.yaml --json
    """
    from journey.services.workflows.versions import diff_workflows

    app = get_app()
    result = diff_workflows(app.workflows, old, new, app.settings.workflows_dir)
    if as_json:
        echo_json({"old": result.old, "new": result.new, "changes": [asdict(c) for c in result.changes],
                   "hints": result.hints})
        return
    echo(f"{result.old} -> {result.new}")
    headings, kinds = _headings(), _kinds()
    width = max(8, *(len(k) for k in kinds.values()))
    for what in ("state", "transition", "evidence"):
        changes = result.of(what)
        if not changes:
            continue
        echo("\n" + headings[what])
        for c in changes:
            names = {"added": c.new, "removed": c.old}.get(c.kind, f"{c.old} -> {c.new}" if c.old != c.new else c.old)
            echo(f"  {SIGNS[c.kind]} {kinds[c.kind]:<{width}} {names}"
                 + (f"  ({translate_message(c.detail)})" if c.detail else ""))
    if not result.changes:
        echo(_("no differences in states, transitions or evidence"))
    for hint in result.hints:
        echo(_("\nhint: {hint}").format(hint=translate_message(hint)))
