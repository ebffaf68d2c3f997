"""Export all data to one versioned file, and import it into an empty database, both streamed.

Format 2 (this version writes it) is JSON Lines, so neither side holds the data in memory::

    {"format": "journey-export", "format_version": 2, ..., "tables": ["municipality", ...]}   header
    {"table": "municipality", "columns": ["id", "code", ...]}                                 each table
    [1, "0114", ...]                                                                          its rows
    {"counts": {"municipality": 290, ...}, "sha256": "…"}                                     trailer

The trailer's SHA-256 covers every byte before it. Import checks it in a first pass over the file,
before it writes anything, then loads every row in one transaction, checking each value against
this version's tables, the counts and the checksum again before it commits; any problem rolls it all
back. Format 1 (one JSON document, journey 0.1 to this version) is still imported, read whole.
The checksum detects damage and edits, not forgery: keep exports where only admins can write.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from journey.domain.access import Role, require_role
from journey.domain.errors import InputError, RefusedError
from journey.domain.messages import msg
from journey.ports.transfer import ExportFiles, Progress, Section, TransferStore
from journey.services.cases.lifecycle import actor_in
from journey.services.deps import Deps

FORMAT = "journey-export"
FORMAT_VERSION = 2
_dumps: Callable[[Any], str] = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode


def _row_encoder() -> Callable[[Any], str]:
    """``_dumps`` for the rows: CPython's C encoder made once (``json.dumps`` makes one per call, which
    costs as much as encoding a short row), else ``_dumps``."""
    from json import encoder

    make = getattr(encoder, "c_make_encoder", None)
    if make is None:
        return _dumps
    encode = make(None, json.JSONEncoder().default, encoder.encode_basestring, None, ":", ",", False, False, True)
    return lambda value: "".join(encode(value, 0))


@dataclass(frozen=True)
class TransferReport:
    path: str
    counts: dict[str, int]
    checksum: str


def checksum(document: dict[str, Any]) -> str:
    """Format 1: SHA-256 over the canonical JSON of everything except the checksum itself."""
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
    return deps.export_files()


def _line(value: Any) -> bytes:
    return _dumps(value).encode("utf-8") + b"\n"


def export_data(deps: Deps, username: str | None, path: Path, progress: Progress = lambda _: None) -> TransferReport:
    """Write every table to ``path`` (gzip when it ends in .gz); the file appears whole or not at all."""
    files = _files(deps)
    files.check_target(path)
    with deps.uow() as uow:
        require_role(actor_in(uow, username), {Role.SKR, Role.ADMIN}, "export all data")
    from journey import __version__

    store = _store(deps)
    counts: dict[str, int] = {}
    digest = hashlib.sha256()
    header = {"format": FORMAT, "format_version": FORMAT_VERSION, "journey_version": __version__,
              "exported_at": deps.clock.now().isoformat(), "source_dialect": store.dialect,
              "schema_revisions": store.schema_revisions(), "tables": store.table_names()}

    def chunks() -> Iterator[bytes]:
        encode = _row_encoder()
        with store.dump(progress) as tables:
            yield _hashed(digest, _line(header))
            for name, columns, batches in tables:
                counts[name] = 0
                yield _hashed(digest, _line({"table": name, "columns": columns}))
                for batch in batches:
                    if type(batch) is bytes:  # already JSON lines
                        counts[name] += batch.count(b"\n")
                        yield _hashed(digest, batch)
                    else:
                        counts[name] += len(batch)
                        yield _hashed(digest, "".join([encode(row) + "\n" for row in batch]).encode("utf-8"))
        yield _line({"counts": counts, "sha256": digest.hexdigest()})

    files.write(path, chunks())
    return TransferReport(str(path), counts, digest.hexdigest())


def _hashed(digest: Any, data: bytes) -> bytes:
    digest.update(data)
    return data


# reading ------------------------------------------------------------------------------------------


def _utf8(data: bytes, where: str, first_line: int = 1) -> str:
    """The text; a file cut off inside a character is reported as truncated, like any cut-off JSON."""
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        if exc.reason != "unexpected end of data":
            raise
        line = data.count(b"\n", 0, exc.start) + first_line
        column = exc.start - (data.rfind(b"\n", 0, exc.start) + 1) + 1
        raise InputError(msg("{where}truncated or not JSON (line {line}, column {column}: the file ends inside a "
                             "character); nothing was imported", where=where, line=line, column=column)) from None


def _json(data: bytes, where: str, line: int = 1) -> Any:
    """One JSON value (format 1: the whole file; format 2: one line), or a one-line ``InputError``."""
    try:
        return json.loads(_utf8(data, where, line))
    except UnicodeDecodeError as exc:
        raise InputError(msg("{where}damaged or truncated ({exc}); nothing was imported", where=where, exc=exc)) from None
    except RecursionError:
        raise InputError(msg("{where}nested too deeply to be a journey export; nothing was imported", where=where)) from None
    except json.JSONDecodeError as exc:
        raise InputError(msg("{where}truncated or not JSON (line {value}, column {colno}: {problem}); nothing was imported",
                             where=where, value=exc.lineno + line - 1, colno=exc.colno, problem=exc.msg)) from None


def _line_json(line: bytes, where: str, number: int) -> Any:
    """Format 2: one line's JSON value; an error names the line and the column within it."""
    return _json(line.removesuffix(b"\n"), where, number)


def _check_envelope(document: Any, where: str) -> int:
    if not isinstance(document, dict) or document.get("format") != FORMAT:
        raise InputError(msg('{where}not a journey export (no "format": "{value}"); nothing was imported',
                             where=where, value=FORMAT))
    version = document.get("format_version")
    if not isinstance(version, int) or version > FORMAT_VERSION:
        raise InputError(msg("{where}export format {version!r} is newer than this journey reads ({value}); upgrade "
                             "journey; nothing was imported", where=where, version=version, value=FORMAT_VERSION))
    return version


def read_export(files: ExportFiles, path: Path) -> dict[str, Any]:
    """Format 1: parse and check a whole export document's envelope, counts and checksum."""
    where = f"{path}: "
    document = _json(files.read(path), where)
    _check_envelope(document, where)
    if document.get("sha256") != checksum(document):
        raise InputError(msg("{where}checksum mismatch: the file was changed or damaged after export; nothing was "
                             "imported", where=where))
    tables, counts = document.get("tables"), document.get("counts")
    if not isinstance(tables, dict) or not isinstance(counts, dict) or set(tables) != set(counts):
        raise InputError(msg("{where}tables and counts do not match; nothing was imported", where=where))
    for name, body in tables.items():
        if not (isinstance(body, dict) and isinstance(body.get("columns"), list) and isinstance(body.get("rows"), list)):
            raise InputError(msg("{where}table {name!r} is malformed; nothing was imported", where=where, name=name))
        if len(body["rows"]) != counts[name]:
            raise InputError(msg("{where}table {name!r} holds {value} rows but the export declares {value2} (partial "
                                 "export); nothing was imported",
                                 where=where, name=name, value=len(body['rows']), value2=counts[name]))
    return dict(document)


class _Stream:
    """A format 2 file read line by line: header, then table sections, then the trailer."""

    def __init__(self, files: ExportFiles, path: Path, header: dict[str, Any]) -> None:
        self.files, self.path, self.where, self.header = files, path, f"{path}: ", header
        tables = header.get("tables")
        if not isinstance(tables, list) or not all(isinstance(t, str) for t in tables):
            raise InputError(msg("{where}the header line has no list of tables; nothing was imported", where=self.where))
        self.tables: list[str] = tables

    def verify(self) -> dict[str, Any]:
        """First pass: every line complete and the checksum right, before anything is written."""
        with self.files.lines(self.path) as lines:
            digest, last, number = hashlib.sha256(), b"", 0
            for number, line in enumerate(lines, 1):  # noqa: B007  (number: the last line's)
                digest.update(last)
                last = line
        return self._trailer(last, number, digest.hexdigest())

    def _trailer(self, line: bytes, number: int, sha256: str) -> dict[str, Any]:
        if not line.endswith(b"\n"):
            raise InputError(msg("{where}truncated (line {number} is cut off, the trailer with counts and checksum is "
                                 "missing); nothing was imported", where=self.where, number=number))
        trailer = _line_json(line, self.where, number) if line.startswith(b"{") else None
        if not isinstance(trailer, dict) or "sha256" not in trailer:
            raise InputError(msg("{where}truncated (it ends at line {number} without the trailer with counts and "
                                 "checksum); nothing was imported", where=self.where, number=number))
        if trailer["sha256"] != sha256:
            raise InputError(msg("{where}checksum mismatch: the file was changed or damaged after export; nothing was "
                                 "imported", where=self.where))
        counts = trailer.get("counts")
        if not isinstance(counts, dict) or set(counts) != set(self.tables):
            raise InputError(msg("{where}tables and counts do not match; nothing was imported", where=self.where))
        return dict(trailer)

    def sections(self) -> Iterator[Section]:
        """Second pass: each table's rows as read; ends by checking the counts and checksum again."""
        with self.files.lines(self.path) as source:
            lines = iter(enumerate(source, 1))
            digest = hashlib.sha256()
            number, line = next(lines)
            digest.update(line)
            pending: list[tuple[int, bytes]] = []
            seen: dict[str, int] = {}
            number, line = next(lines, (number + 1, b""))
            while line.startswith(b'{"table"'):
                digest.update(line)
                section = _line_json(line, self.where, number)
                name, columns = section.get("table"), section.get("columns")
                if name not in self.tables or name in seen or not isinstance(columns, list):
                    raise InputError(msg("{where}line {number}: unexpected table {name!r}; nothing was imported",
                                         where=self.where, number=number, name=name))
                seen[name] = 0
                yield name, columns, self._rows(lines, digest, seen, name, pending)
                number, line = pending.pop() if pending else (number + 1, b"")
            trailer = self._trailer(line, number - 1 if not line else number, digest.hexdigest())
            if next(lines, None) is not None:
                raise InputError(msg("{where}line {value} follows the trailer; nothing was imported",
                                     where=self.where, value=number + 1))
        for name in self.tables:
            if seen.get(name, 0) != trailer["counts"][name]:
                raise InputError(msg("{where}table {name!r} holds {value} rows but the export declares {value2} "
                                     "(partial export); nothing was imported",
                                     where=self.where, name=name, value=seen.get(name, 0), value2=trailer['counts'][name]))

    def _rows(self, lines: Iterator[tuple[int, bytes]], digest: Any, seen: dict[str, int], name: str,
              pending: list[tuple[int, bytes]]) -> Iterator[list[Any]]:
        """The rows up to the next line that is not a row, which is left in ``pending``."""
        parse = json.JSONDecoder().raw_decode  # json.loads would make its decoding steps again per line
        for number, line in lines:
            if not line.startswith(b"["):
                pending.append((number, line))
                return
            digest.update(line)
            seen[name] += 1
            try:
                text = line.decode("utf-8")
                row, end = parse(text)
                if text[end:] != "\n":  # something after the row: json.loads says what
                    row = _line_json(line, self.where, number)
            except ValueError:  # not JSON, or not UTF-8: said with the line's number
                row = _line_json(line, self.where, number)
            yield row


def _open(files: ExportFiles, path: Path) -> tuple[dict[str, Any], _Stream | None]:
    """The export's header (format 2) or whole document (format 1), its envelope checked."""
    where = f"{path}: "
    with files.lines(path) as lines:
        first, second = next(lines, b""), next(lines, None)
    if second is not None:  # format 2 has a header and a trailer line at least; format 1 is one line
        try:
            header = json.loads(first)
        except (ValueError, RecursionError):
            header = None
        if isinstance(header, dict) and header.get("format") == FORMAT and header.get("format_version") != 1:
            _check_envelope(header, where)
            return header, _Stream(files, path, header)
    return read_export(files, path), None


def _legacy_sections(document: dict[str, Any], order: list[str]) -> Iterator[Section]:
    """Format 1 tables in this version's dependency order."""
    tables = document["tables"]
    for name in [*order, *sorted(set(tables) - set(order))]:
        if name in tables:
            yield name, tables[name]["columns"], tables[name]["rows"]


def import_data(deps: Deps, username: str | None, path: Path, progress: Progress = lambda _: None) -> TransferReport:
    """Load an export into this (empty) database, all or nothing."""
    files, store = _files(deps), _store(deps)
    header, stream = _open(files, path)
    trailer = stream.verify() if stream else header
    tables = stream.tables if stream else list(header["tables"])
    unknown = sorted(set(header.get("schema_revisions") or []) - store.known_revisions())
    if unknown:
        raise InputError(msg("{path}: made by a newer journey (schema revision {value} unknown here); upgrade journey; "
                             "nothing was imported", path=path, value=unknown[0]))
    ghosts = sorted(set(tables) - set(store.table_names()))
    if ghosts:
        raise InputError(msg("{path}: table {value!r} is unknown to this version of journey (upgrade journey); nothing "
                             "was imported", path=path, value=ghosts[0]))
    counts: dict[str, int] = dict(trailer["counts"])
    if not store.is_initialised():
        store.prepare()
    with deps.uow() as uow:
        require_role(actor_in(uow, username), {Role.ADMIN}, "import data")
    filled = {name: n for name, n in store.row_counts().items() if n}
    if filled:
        first = next(iter(filled))
        raise RefusedError(msg("the target database is not empty ({first} has {value} rows); import only into a new "
                               "database (`journey --db URL import FILE`); nothing was imported",
                               first=first, value=filled[first]))
    store.prepare()  # an empty database with an older schema is upgraded first
    sections: Iterable[Section] = stream.sections() if stream else _legacy_sections(header, store.table_names())
    try:
        store.load(sections, progress)
    except InputError:
        raise
    except ValueError as exc:  # a value that does not fit this schema
        raise InputError(msg("{path}: {exc}; nothing was imported", path=path, exc=exc)) from None
    except Exception as exc:  # the load runs in one transaction: a failure leaves nothing behind
        first = (str(getattr(exc, "orig", exc)).strip().splitlines() or [type(exc).__name__])[0]
        raise RefusedError(msg("import failed and was undone, nothing was written: {first}", first=first)) from exc
    return TransferReport(str(path), counts, str(trailer["sha256"]))
