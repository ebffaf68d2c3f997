"""``journey export`` / ``journey import``: all data as one versioned, checksummed file (JSON Lines)."""

from __future__ import annotations

from pathlib import Path

import click

from journey.cli._common import actor_option, echo_json, get_app, json_option
from journey.cli._i18n import _, translate_message


def _progress(message: str) -> None:
    click.echo(f"  {translate_message(message)}", err=True)


@click.command("export")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@json_option
@actor_option
def export(file: Path, as_json: bool, actor: str | None) -> None:
    """Write every table of the database to FILE (JSON Lines; gzip when FILE ends in .gz).

    One line per row, read in batches, so memory stays small however large the database. The
    file holds a format version, the schema revisions, and at its end each table's row count
    and a SHA-256 checksum, for backups and for moving from SQLite to PostgreSQL. It is written
    to a temporary name and renamed, so FILE is never left half-written. Needs the SKR or
    admin role. Progress goes to stderr.

    \b
    Example:
        journey export backup-2026-11-22.json.gz --as admin
    """
    from journey.services.transfer import export_data

    report = export_data(get_app().deps, actor, file, _progress)
    if as_json:
        echo_json({"file": report.path, "counts": report.counts, "sha256": report.checksum})
        return
    click.echo(_("Exported {value} rows from {count} tables to {path} (sha256 {value2}…)").format(
        value=sum(report.counts.values()), count=len(report.counts), path=report.path, value2=report.checksum[:16]))


@click.command("import")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@json_option
@actor_option
def import_(file: Path, as_json: bool, actor: str | None) -> None:
    """Load an export FILE into an empty database (created if needed), all or nothing.

    The whole file is checked first (complete, checksum right, format version known), then
    loaded in one transaction, every value checked against this version's tables. A
    truncated, edited or partial file, or a database that already holds data, is refused
    with one line and nothing is imported (exit code 2 for a bad file, 3 for a non-empty
    database). Files of the first export format (one JSON document) still load. Needs the
    admin role.

    \b
    Example:
        journey --db postgresql://journey@db/journey import backup-2026-11-22.json.gz
    """
    from journey.services.transfer import import_data

    report = import_data(get_app().deps, actor, file, _progress)
    if as_json:
        echo_json({"file": report.path, "counts": report.counts, "sha256": report.checksum})
        return
    click.echo(_("Imported {value} rows into {count} tables from {path}").format(
        value=sum(report.counts.values()), count=len(report.counts), path=report.path))
