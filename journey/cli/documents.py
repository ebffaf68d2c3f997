"""Document commands: list a municipality's generated documents, (re)render one, check all templates."""

from __future__ import annotations

from typing import Any

import click

from journey.cli._common import actor_option, echo, echo_json, echo_table, get_app, json_option, short_time
from journey.cli._i18n import _, ngettext, translate_stored


@click.group()
def documents() -> None:
    """Documents generated per state (tjänsteskrivelse, policy, handlingsplan, IOP-avtal ...)."""


@documents.command("list")
@click.argument("municipality")
@json_option
@actor_option
def list_(municipality: str, as_json: bool, actor: str | None) -> None:
    """List MUNICIPALITY's generated documents with their provenance (template and input hashes).

    \b
    Example:
        journey documents list Härjedalen
        journey documents list Härjedalen --json
    """
    from journey.services.documents.views import list_documents

    app = get_app()
    data = list_documents(app.read_model(), app.document_register(), actor, municipality, lambda: app.workflows)
    if as_json:
        echo_json(data)
        return
    echo_table(["#", _("Created (Stockholm)"), _("State"), _("Document"), _("Rev"), _("Format"), _("Template"), _("Path")],
               [[d["id"], short_time(d["created_at"]), d["state_title"] or _("(deal)"), d["title"], d["revision"],
                 d["format"], d["template"] + (_(" (override)") if d["overridden"] else ""), d["path"]]
                for d in data["documents"]], title=_("{municipality}: {count} documents").format(
                    municipality=data['municipality'], count=len(data['documents'])))


@documents.command("render")
@click.argument("municipality")
@click.argument("document")
@click.option("--format", "formats", multiple=True, type=click.Choice(["docx", "html", "md"]),
              help="Output format, repeatable (default: the formats the workflow declares, usually docx and html).")
@click.option("--state", "state", metavar="PATH", help="The state declaring DOCUMENT, if several do.")
@json_option
@actor_option
def render(municipality: str, document: str, formats: tuple[str, ...], state: str | None, as_json: bool,
           actor: str | None) -> None:
    """Regenerate DOCUMENT for MUNICIPALITY from the case's current data, as a new revision.

    Earlier revisions stay on disk and in the register. Template errors exit with code 7
    and name the template file, line and the undefined variable or blocked operation.

    \b
    Example:
        journey documents render Härjedalen tjansteskrivelse_ansvar --format docx --as anna
    """
    from journey.services.documents.rendering import render_document

    app = get_app()
    rows = render_document(app.deps, app.deps.documents, actor, municipality, document, formats, state)
    if as_json:
        echo_json(rows)
        return
    for row in rows:
        echo(_written(row))


@documents.command("waiting")
@click.argument("municipality", required=False)
@json_option
@actor_option
def waiting(municipality: str | None, as_json: bool, actor: str | None) -> None:
    """List documents not rendered yet (of MUNICIPALITY, or of every case you may read), with the last error.

    A change renders its documents after it is saved; one that fails (a template error, a full
    disk) waits and is tried again after 1, 2, 4 ... minutes by the scheduler or the next change,
    five times, then only by `journey documents retry`.

    \b
    Example:
        journey documents waiting
        journey documents waiting Härjedalen --json
    """
    from journey.services.documents.outbox import waiting_documents

    app = get_app()
    rows = waiting_documents(app.deps, actor, municipality)
    if as_json:
        echo_json([_waiting_json(w) for w in rows])
        return
    if not rows:
        echo(_("No documents are waiting."))
        return
    echo_table(["#", _("Municipality"), _("Changed (Stockholm)"), _("Documents"), _("Attempts"), _("Status"), _("Error")],
               [[w.job.id, w.municipality, short_time(w.job.at.isoformat()), ", ".join(w.titles), w.job.attempts,
                 _status(w.job.status.value), translate_stored(w.job.error)] for w in rows],
               title=ngettext("The documents of {count} change are waiting", "The documents of {count} changes are waiting",
                              len(rows)).format(count=len(rows)))


@documents.command("retry")
@click.argument("municipality", required=False)
@json_option
@actor_option
def retry(municipality: str | None, as_json: bool, actor: str | None) -> None:
    """Render the waiting documents now (of MUNICIPALITY, or of every case you may change).

    Exits with 1 if some still cannot be rendered; `journey documents waiting` shows why.

    \b
    Example:
        journey documents retry Härjedalen --as anna
    """
    from journey.services.documents.outbox import retry_documents

    app = get_app()
    settled, still = retry_documents(app.deps, app.deps.documents, actor, municipality)
    if as_json:
        echo_json({"written": settled.rows, "waiting": [_waiting_json(w) for w in still]})
    else:
        for row in settled.rows:
            echo(_written(row))
        for w in still:
            echo(_("still waiting: {municipality}: {documents}: {error}").format(
                municipality=w.municipality, documents=", ".join(w.titles), error=translate_stored(w.job.error)), err=True)
        if not settled.rows and not still:
            echo(_("No documents are waiting."))
    if still:
        raise SystemExit(1)


def _written(row: dict[str, Any]) -> str:
    """A written file as its reader names it: the document's title, revision, format and path."""
    return f"{row.get('title') or row['doc_id']} v{row['revision']} {row['format']}: {row['path']}"


def _status(value: str) -> str:
    return {"PENDING": _("to be tried again"), "FAILED": _("given up: run journey documents retry")}.get(value, value)


def _waiting_json(w: Any) -> dict[str, Any]:
    job = w.job
    return {"id": job.id, "municipality": w.municipality, "at": job.at.isoformat(), "reason": job.reason,
            "documents": [{"state_path": p, "doc_id": d, "title": t} for (p, d), t in zip(job.items, w.titles,
                                                                                          strict=True)],
            "attempts": job.attempts, "status": job.status.value, "error": job.error}


@click.group()
def templates() -> None:
    """Document templates: check that every template a workflow names exists and renders."""


@templates.command("check")
@click.option("--municipality", metavar="SLUG", help="Check only this municipality's overrides (e.g. harjedalen).")
@json_option
def check(municipality: str | None, as_json: bool) -> None:
    """Render every workflow-declared template with sample data, in every format; exit 7 on any failure.

    Default templates and each municipality's overrides (templates/municipalities/<slug>/documents)
    are rendered twice: with sample evidence for every field, and with none. Templates that no
    workflow in the directory uses are rendered as well; their problems are warnings.

    \b
    Example:
        journey templates check
    """
    from datetime import UTC, datetime

    from journey.bootstrap.documents import document_tools
    from journey.domain.errors import ExitCode
    from journey.services.documents.template_check import check_templates

    app = get_app()
    tools = document_tools(app.settings)
    results = check_templates(app.workflows, tools, datetime.now(UTC), tools.renderer.names(), municipality)
    if as_json:
        echo_json([r.__dict__ | {"ok": r.ok} for r in results])
    else:
        for r in results:
            where = f"{r.workflow} {r.state} {r.document}" + (f" [{r.municipality}]" if r.municipality else "")
            if r.ok:
                echo(_("ok    {where}: {template}").format(where=where, template=r.template))
            elif r.used:
                echo(_("FAIL  {where}: {error}").format(where=where, error=translate_stored(r.error)), err=True)
            else:
                override = f" [{r.municipality}]" if r.municipality else ""
                echo(_("warn  {template}{override} (no workflow here uses it): {error}").format(
                    template=r.template, override=override, error=translate_stored(r.error)), err=True)
        failed, warned = sum(r.failed for r in results), sum(not r.ok and not r.used for r in results)
        warnings = _(", {warned} warning(s) for templates no workflow uses").format(warned=warned) if warned else ""
        echo(_("{passed} of {count} template checks passed{warnings}").format(
            passed=len(results) - failed - warned, count=len(results), warnings=warnings))
    if any(r.failed for r in results):
        raise SystemExit(int(ExitCode.DEFINITION))
