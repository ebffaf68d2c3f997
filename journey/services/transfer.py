"""Export all data to one versioned JSON file, and import it into an empty database.

The file carries a format version, the schema revisions, each table's row count and a
SHA-256 checksum over its whole content. Import checks all of it, and every value against
the target's tables, before it writes anything; then it loads in a single transaction.
The checksum detects damage and edits, not forgery: keep exports where only admins can write.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from journey.domain.access import Role, require_role
from journey.domain.errors import InputError, RefusedError
from journey.domain.messages import msg
from journey.ports.transfer import ExportFiles, Progress, TransferStore
from journey.services.cases.lifecycle import actor_in
from journey.services.deps import Deps

FORMAT = "journey-export"
FORMAT_VERSION = 1
@dataclass(frozen=True)
class TransferReport:
    path: str
    counts: dict[str, int]
    checksum: str


def checksum(document: dict[str, Any]) -> str:
    """SHA-256 over the canonical JSON of everything except the checksum itself."""
    body = {k: v for k, v in document.items() if k != "sha256"}
    canonical = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def _store(deps: Deps) -> TransferStore:
    if deps.transfer_store is None:
        raise RuntimeError("export and import are not wired (bootstrap sets deps.transfer_store)")
    return deps.transfer_store()


def _files(deps: Deps) -> ExportFiles:
    if deps.export_files is None:
        raise RuntimeError("export and import are not wired (bootstrap sets deps.export_files)")
    return deps.export_files


def export_data(deps: Deps, username: str | None, path: Path, progress: Progress = lambda _: None) -> TransferReport:
    """Write every table to ``path`` (gzip when it ends in .gz); the file appears whole or not at all."""
    files = _files(deps)
    files.check_target(path)
    with deps.uow() as uow:
        require_role(actor_in(uow, username), {Role.SKR, Role.ADMIN}, "export all data")
    from journey import __version__

    store = _store(deps)
    tables = store.dump(progress)
    document: dict[str, Any] = {
        "format": FORMAT, "format_version": FORMAT_VERSION, "journey_version": __version__,
        "exported_at": deps.clock.now().isoformat(), "source_dialect": store.dialect,
        "schema_revisions": store.schema_revisions(),
        "counts": {name: len(body["rows"]) for name, body in tables.items()}, "tables": tables,
    }
    document["sha256"] = checksum(document)
    data = json.dumps(document, ensure_ascii=False, separators=(",", ":")).encode("utf-8") + b"\n"
    files.write(path, data)
    return TransferReport(str(path), document["counts"], document["sha256"])


def _utf8(data: bytes, where: str) -> str:
    """The file's text; a file cut off inside a character is reported as truncated, like any cut-off JSON."""
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        if exc.reason != "unexpected end of data":
            raise
        line = data.count(b"\n", 0, exc.start) + 1
        column = exc.start - (data.rfind(b"\n", 0, exc.start) + 1) + 1
        raise InputError(msg("{where}truncated or not JSON (line {line}, column {column}: the file ends inside "
                             "a character); nothing was imported", where=where, line=line, column=column)) from None


def read_export(files: ExportFiles, path: Path) -> dict[str, Any]:
    """Parse and check an export file's envelope, counts and checksum; raise a one-line error."""
    data = files.read(path)
    where = f"{path}: "
    try:
        document = json.loads(_utf8(data, where))
    except UnicodeDecodeError as exc:
        raise InputError(msg("{where}damaged or truncated ({exc}); nothing was imported", where=where, exc=exc)) from None
    except RecursionError:
        raise InputError(msg("{where}nested too deeply to be a journey export; nothing was imported", where=where)) from None
    except json.JSONDecodeError as exc:
        raise InputError(msg("{where}truncated or not JSON (line {lineno}, column {colno}: {msg}); nothing was "
                             "imported", where=where, lineno=exc.lineno, colno=exc.colno, msg=exc.msg)) from None
    if not isinstance(document, dict) or document.get("format") != FORMAT:
        raise InputError(msg("{where}not a journey export (no \"format\": \"{format}\"); nothing was imported",
            where=where, format=FORMAT))
    version = document.get("format_version")
    if not isinstance(version, int) or version > FORMAT_VERSION:
        raise InputError(msg("{where}export format {version!r} is newer than this journey reads "
                             "({format_version}); upgrade journey; nothing was imported",
            where=where, version=version, format_version=FORMAT_VERSION))
    if document.get("sha256") != checksum(document):
        raise InputError(msg("{where}checksum mismatch: the file was changed or damaged after export; nothing "
                             "was imported", where=where))
    tables, counts = document.get("tables"), document.get("counts")
    if not isinstance(tables, dict) or not isinstance(counts, dict) or set(tables) != set(counts):
        raise InputError(msg("{where}tables and counts do not match; nothing was imported", where=where))
    for name, body in tables.items():
        if not (isinstance(body, dict) and isinstance(body.get("columns"), list) and isinstance(body.get("rows"), list)):
            raise InputError(msg("{where}table {name!r} is malformed; nothing was imported", where=where, name=name))
        if len(body["rows"]) != counts[name]:
            raise InputError(msg("{where}table {name!r} holds {count} rows but the export declares {value} "
                                 "(partial export); nothing was imported",
                where=where, name=name, count=len(body['rows']), value=counts[name]))
    return document


def import_data(deps: Deps, username: str | None, path: Path, progress: Progress = lambda _: None) -> TransferReport:
    """Load an export into this (empty) database, all or nothing."""
    document = read_export(_files(deps), path)
    store = _store(deps)
    unknown = sorted(set(document.get("schema_revisions") or []) - store.known_revisions())
    if unknown:
        raise InputError(msg("{path}: made by a newer journey (schema revision {value} unknown here); upgrade "
                             "journey; nothing was imported", path=path, value=unknown[0]))
    try:
        decoded = store.decode(document["tables"])
    except ValueError as exc:
        raise InputError(msg("{path}: {exc}; nothing was imported", path=path, exc=exc)) from None
    progress(f"checked {sum(document['counts'].values())} rows in {len(document['counts'])} tables")
    if not store.is_initialised():
        store.prepare()
    with deps.uow() as uow:
        require_role(actor_in(uow, username), {Role.ADMIN}, "import data")
    filled = {name: n for name, n in store.row_counts().items() if n}
    if filled:
        first = next(iter(filled))
        raise RefusedError(msg("the target database is not empty ({first} has {value} rows); import only into a "
                               "new database (`journey --db URL import FILE`); nothing was imported",
            first=first, value=filled[first]))
    store.prepare()  # an empty database with an older schema is upgraded first
    try:
        store.load(decoded, progress)
    except Exception as exc:  # the load runs in one transaction: a failure leaves nothing behind
        first = (str(getattr(exc, "orig", exc)).strip().splitlines() or [type(exc).__name__])[0]
        raise RefusedError(msg("import failed and was undone, nothing was written: {first}", first=first)) from exc
    return TransferReport(str(path), dict(document["counts"]), document["sha256"])
