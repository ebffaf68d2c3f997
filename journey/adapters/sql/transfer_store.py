"""Every table's rows out of, and back into, a database: the storage side of export and import.

Tables are whatever ``SQLModel.metadata`` holds once ``journey.adapters.sql.tables.all`` is imported,
in dependency order, so tables that features add are included without changes here.
Values are JSON: date-times and dates as ISO text, bytes as base64, decimals as text.
"""

from __future__ import annotations

import base64
import json
import re
from collections import deque
from collections.abc import Callable, Generator, Iterable, Iterator
from contextlib import contextmanager
from datetime import date, datetime, time
from decimal import Decimal
from enum import Enum
from itertools import islice
from typing import Any, NamedTuple

from sqlalchemy import JSON, Boolean, Column, Connection, Date, Dialect, Engine, Integer, Table, func, inspect, select, text
from sqlmodel import SQLModel

from journey.adapters.sql.column_types import UTCDateTime
from journey.adapters.sql.stored import sqlite_utc_text
from journey.domain.messages import msg
from journey.ports.transfer import Batch, Progress, Section

CHUNK = 1000


class TransferProblem(ValueError):
    """The export does not fit this database's tables (one line, names table, row and column)."""


def _tables() -> list[Table]:
    import journey.adapters.sql.tables.all  # noqa: F401  (registers every feature's tables)

    return list(SQLModel.metadata.sorted_tables)


def _encode(value: Any) -> Any:
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, bytes):
        return base64.b64encode(value).decode("ascii")
    if isinstance(value, Enum):
        return value.value
    return value


def _is_json(column: Column[Any]) -> bool:
    """Whether the column's values are JSON as they are read (numbers, text, booleans, JSON documents)."""
    column_type = getattr(column.type, "impl_instance", column.type)
    try:
        kind = column_type.python_type
    except NotImplementedError:
        return False
    return kind in (int, str, float, bool, dict, list)


_SQLITE_DATETIME = re.compile(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(\.\d{6})?")
_ISO_DATE = re.compile(r"\d{4}-\d\d-\d\d")


def _sqlite_value(column: Column[Any], dialect: Dialect) -> Callable[[Any], Any] | None:
    """What turns a value as SQLite stores it into the export's JSON value (None: it already is one).

    Text in the layout SQLAlchemy stores date-times and dates in is rewritten directly, which is
    what the column's own reading and ``isoformat`` would give; anything else takes that way.
    """
    process = column.type.dialect_impl(dialect).result_processor(dialect, None)
    if process is None:
        return None if _is_json(column) else _encode
    general: Callable[[Any], Any] = lambda v: _encode(process(v))  # noqa: E731
    if isinstance(column.type, UTCDateTime):
        def utc(value: Any) -> Any:
            if type(value) is str and _SQLITE_DATETIME.fullmatch(value):
                fraction = "" if value[20:] in ("", "000000") else value[19:]
                return f"{value[:10]}T{value[11:19]}{fraction}+00:00"
            return general(value)
        return utc
    if isinstance(getattr(column.type, "impl_instance", column.type), Date):
        return lambda v: v if type(v) is str and _ISO_DATE.fullmatch(v) else general(v)
    return general


_DIGITS = {n: "[0-9]" * n for n in (2, 4, 6)}
_SQLITE_DATETIME_GLOB = f"{_DIGITS[4]}-{_DIGITS[2]}-{_DIGITS[2]} {_DIGITS[2]}:{_DIGITS[2]}:{_DIGITS[2]}"


def _sqlite_json(column: Column[Any], dialect: Dialect) -> tuple[str, str] | None:
    """The column's export value as SQLite itself writes it into a JSON array, and the SQL condition
    under which that is exactly what :func:`_sqlite_value` and the JSON encoder would give (None: a
    column type only Python converts).

    Outside the condition (a value not in the layout SQLAlchemy stores, a real number, a blob) the
    row is converted in Python, as before.
    """
    name = dialect.identifier_preparer.quote(column.name)
    column_type = getattr(column.type, "impl_instance", column.type)
    process = column.type.dialect_impl(dialect).result_processor(dialect, None)
    try:
        kind = column_type.python_type
    except NotImplementedError:
        return None
    if isinstance(column.type, UTCDateTime):  # 'YYYY-MM-DD HH:MM:SS[.ffffff]' -> ISO 8601 in UTC
        # the same instant as isoformat gives, a zero fraction written out (leaving it out costs more)
        return (f"replace({name}, ' ', 'T') || '+00:00'",
                f"({name} IS NULL OR {name} GLOB '{_SQLITE_DATETIME_GLOB}.{_DIGITS[6]}' "
                f"OR {name} GLOB '{_SQLITE_DATETIME_GLOB}')")
    if isinstance(column_type, Date) and kind is date:
        return name, f"({name} IS NULL OR date({name}) = {name})"  # only text in that layout, and a real date
    if isinstance(column_type, Boolean):
        return (f"CASE WHEN {name} IS NULL THEN NULL WHEN {name} THEN json('true') ELSE json('false') END",
                f"typeof({name}) IN ('integer', 'null')")
    if isinstance(column_type, JSON):  # SQLite's json() is the stored document, minified
        return f"json({name})", f"({name} IS NULL OR typeof({name}) = 'text' AND json_valid({name}))"
    if process is None and kind in (int, str):
        # as stored: a text column holds only text (or a blob, which neither way can export), an
        # integer column integers (or a fraction, which the import refuses either way)
        return name, ""
    return None


def _sqlite_lines(table: Table, dialect: Dialect) -> tuple[str, str] | None:
    """A query giving each row (in key order) as its JSON line, as bytes, or its rowid where a value
    needs Python's conversion; and the query for one such row by rowid. None: the table is read in
    Python (a column type that SQLite's JSON would not give exactly)."""
    columns = [(column, _sqlite_json(column, dialect)) for column in table.columns]
    if any(part is None for _, part in columns) or {"rowid", "oid", "_rowid_"} & {c.name.lower() for c in table.columns}:
        return None
    values = ", ".join(part[0] for _, part in columns if part is not None)
    good = " AND ".join(part[1] for _, part in columns if part is not None and part[1]) or "1"
    order = ", ".join(dialect.identifier_preparer.quote(c.name)
                      for c in (list(table.primary_key.columns) or list(table.columns)))
    source = dialect.identifier_preparer.format_table(table)
    names = ", ".join(dialect.identifier_preparer.quote(c.name) for c in table.columns)
    return (f"SELECT CASE WHEN {good} THEN CAST(json_array({values}) || char(10) AS BLOB) ELSE rowid END "
            f"FROM {source} ORDER BY {order}", f"SELECT {names} FROM {source} WHERE rowid = ?")


def _sqlite_bind(column: Column[Any], dialect: Dialect) -> Callable[[Any], Any] | None:
    """What turns a value into what SQLite stores, as the column type would (None: the value itself).

    A UTC date-time is written in SQLAlchemy's layout directly, which is what its own processing
    gives at a fraction of the cost; anything else takes that processing.
    """
    process = column.type.dialect_impl(dialect).bind_processor(dialect)
    if process is None or not isinstance(column.type, UTCDateTime):
        return process

    def utc(value: Any) -> Any:
        if type(value) is not datetime or value.tzinfo is None:
            return process(value)  # refuses a naive value with the column type's message
        return sqlite_utc_text(value)

    return utc


# PostgreSQL's type of each kind of column this module reads as JSON text on the server (the names
# format_type gives); a column of any other type, or of one of these under another column type, is read in Python.
_PG_INTEGERS = {"smallint", "integer", "bigint"}
_PG_TEXTS = {"text", "character varying"}
_PG_JSON = {"json", "jsonb"}
# instants psycopg reads (years 1 to 9999, in UTC as the export's session has it), with a day's margin either side
_PG_INSTANTS = "'0001-01-02 00:00:00+00' AND '9999-12-30 00:00:00+00'"
_PG_ESCAPED = r"""E'[\\x01-\\x1f"\\\\]'"""  # a regular expression: the characters to_json escapes in text


class _Sql(str):
    """An SQL expression among the pieces of a line (the others are literal text)."""


class _PgValue(NamedTuple):
    """How PostgreSQL writes one column's export value as JSON text (never NULL), as pieces to concatenate:
    ``str`` a literal, ``_Sql`` an expression."""

    pieces: list[str | _Sql]
    escaped: list[str | _Sql] | None = None  # text: the pieces when the row holds characters JSON escapes
    text: str | None = None  # text: the value for the test of that ('' for NULL)
    good: str = ""  # the SQL condition under which the pieces are exactly what Python writes ("": always)


def _postgresql_json(column: Column[Any], stored: tuple[str, bool] | None, dialect: Dialect) -> _PgValue | None:
    r"""How PostgreSQL writes the column's export value exactly as reading it in Python and the JSON
    encoder give it; None: a column type only Python converts. ``stored``: the column's type in the
    database and whether it is NOT NULL (None: it has no such column).

    The session writes dates and date-times as ISO text in UTC (:meth:`SqlTransferStore.dump` sets
    DateStyle and TimeZone for its transaction): a date-time is rewritten to what ``isoformat`` writes
    (a 'T', six digits of a fraction that is not zero, '+00:00'). Text is quoted as it is, or, in a
    row with a character JSON escapes, by ``to_json``, which escapes what Python's encoder escapes
    (``"``, ``\``, and below U+0020 ``\b \f \n \r \t`` or ``\u00xx``) and nothing else. A JSON
    document is put in as stored, and the row is then read and encoded again in Python
    (:func:`_postgresql_lines`).
    """
    if stored is None:
        return None
    kind_stored, not_null = stored
    name = dialect.identifier_preparer.quote(column.name)
    column_type = getattr(column.type, "impl_instance", column.type)
    try:
        kind = column_type.python_type
    except NotImplementedError:
        return None
    utc = isinstance(column.type, UTCDateTime)
    if column.type.dialect_impl(dialect).result_processor(dialect, None) is not None and not utc:
        return None

    def value(sql: str, before: str = "", after: str = "") -> list[str | _Sql]:
        """The JSON text: ``before``, what ``sql`` gives and ``after``; or null."""
        if not_null:
            return [before, _Sql(sql), after]
        return [_Sql(f"COALESCE({_pg_concatenated([before, _Sql(sql), after])}, 'null')")]

    def within(bounds: str) -> str:
        return f"{name} BETWEEN {bounds}" if not_null else f"({name} IS NULL OR {name} BETWEEN {bounds})"

    if utc and kind_stored == "timestamp with time zone":
        # 'YYYY-MM-DD HH:MM:SS[.ffffff]+00' in UTC; to_char where the fraction lost its trailing zeros
        iso = (f"""CASE WHEN octet_length({name}::text) IN (22, 29) THEN replace({name}::text, ' ', 'T') """
               f"""ELSE to_char({name}, 'YYYY-MM-DD"T"HH24:MI:SS.US"+00"') END""")
        return _PgValue(value(iso, '"', ':00"'), good=within(_PG_INSTANTS))
    if isinstance(column_type, Date) and kind is date and kind_stored == "date":
        return _PgValue(value(f"{name}::text", '"', '"'), good=within("'0001-01-01' AND '9999-12-31'"))
    if isinstance(column_type, Boolean) and kind_stored == "boolean":
        return _PgValue([_Sql(f"CASE WHEN {name} THEN 'true' WHEN NOT {name} THEN 'false' ELSE 'null' END")])
    if isinstance(column_type, JSON) and kind_stored in _PG_JSON:
        return _PgValue(value(f"{name}::text"))
    if kind is int and kind_stored in _PG_INTEGERS:
        return _PgValue(value(f"{name}::text"))
    if kind is str and kind_stored in _PG_TEXTS:
        return _PgValue(value(name, '"', '"'), value(f"to_json({name})::text"),
                        name if not_null else f"COALESCE({name}, '')")
    return None


def _pg_concatenated(pieces: list[str | _Sql]) -> str:
    """SQL concatenating ``pieces`` (neighbouring literals joined first)."""
    parts: list[str] = []
    literal = ""
    for piece in pieces:
        if isinstance(piece, _Sql):
            if literal:
                parts.append("'" + literal.replace("'", "''") + "'")
                literal = ""
            parts.append(piece)
        else:
            literal += piece
    if literal:
        parts.append("'" + literal.replace("'", "''") + "'")
    return " || ".join(parts)


def _postgresql_lines(table: Table, dialect: Dialect, stored: dict[str, tuple[str, bool]]) -> tuple[str, bool] | None:
    """A query giving each row (in key order) as its JSON line without the newline, or NULL where a
    value needs Python's conversion; and whether the lines hold JSON documents as stored, to be read
    and encoded again in Python. None: the table is read in Python (a column type PostgreSQL would not
    write exactly, or a column the database does not have as this version makes it).

    ``stored``: each column's type in the database (format_type's name, without its length) and whether
    it is NOT NULL.
    """
    values = [_postgresql_json(column, stored.get(column.name), dialect) for column in table.columns]
    if not values or any(value is None for value in values):
        return None
    columns = [value for value in values if value is not None]

    def line(escaped: bool) -> str:
        pieces: list[str | _Sql] = ["["]
        for i, value in enumerate(columns):
            pieces += ([","] if i else []) + (value.escaped if escaped and value.escaped else value.pieces)
        return _pg_concatenated([*pieces, "]"])

    texts = [value.text for value in columns if value.text]
    select = f"CASE WHEN ({' || '.join(texts)}) ~ {_PG_ESCAPED} THEN {line(True)} ELSE {line(False)} END" \
        if texts else line(False)
    good = " AND ".join(value.good for value in columns if value.good)
    if good:
        select = f"CASE WHEN {good} THEN {select} END"
    source = dialect.identifier_preparer.format_table(table)
    order = ", ".join(f"{source}.{dialect.identifier_preparer.quote(c.name)}"  # the table's, not an output column
                      for c in (list(table.primary_key.columns) or list(table.columns)))
    documents = any(isinstance(getattr(c.type, "impl_instance", c.type), JSON) for c in table.columns)
    return f"SELECT {select} FROM {source} ORDER BY {order}", documents


def _postgresql_chunk(lines: list[Any], documents: bool) -> Batch:
    """Lines as :func:`_postgresql_lines` gives them, as a batch: the lines themselves, or (``documents``)
    their values. ``TypeError``: one of them is not text (NULL)."""
    if documents:
        return json.loads(f"[{','.join(lines)}]")  # type: ignore[no-any-return]
    return ("\n".join(lines) + "\n").encode("utf-8")


def _postgresql_types(connection: Connection, table: Table) -> dict[str, tuple[str, bool]]:
    """Each column's type in the database, as format_type names it without a length, and whether it is
    NOT NULL (empty: no such table)."""
    rows = connection.exec_driver_sql(
        "SELECT attname, format_type(atttypid, NULL), attnotnull FROM pg_attribute "
        "WHERE attrelid = to_regclass(%(table)s) AND attnum > 0 AND NOT attisdropped",
        {"table": connection.dialect.identifier_preparer.format_table(table)}).all()
    return {str(name): (str(kind), bool(not_null)) for name, kind, not_null in rows}


def _decoder(column: Column[Any]) -> Callable[[Any], Any]:
    column_type = getattr(column.type, "impl_instance", column.type)  # a TypeDecorator: its storage type
    try:
        kind = column_type.python_type
    except NotImplementedError:
        return lambda v: v
    parse: dict[type, Callable[[Any], Any]] = {
        datetime: lambda v: datetime.fromisoformat(_text(v)), date: lambda v: date.fromisoformat(_text(v)),
        time: lambda v: time.fromisoformat(_text(v)), Decimal: lambda v: Decimal(_text(v)),
        bytes: lambda v: base64.b64decode(_text(v), validate=True), bool: lambda v: _typed(v, bool),
        int: lambda v: _typed(v, int), float: lambda v: float(_typed(v, int | float)), str: lambda v: _typed(v, str),
    }
    if isinstance(kind, type) and issubclass(kind, Enum):
        return lambda v: _typed(v, str)
    return parse.get(kind, lambda v: v)


def _converter(column: Column[Any]) -> Callable[[Any], Any] | None:
    """For a value whose JSON type is already known right: what turns it into the column's (None: nothing)."""
    column_type = getattr(column.type, "impl_instance", column.type)
    try:
        kind = column_type.python_type
    except NotImplementedError:
        return None
    convert: dict[type, Callable[[Any], Any]] = {
        datetime: datetime.fromisoformat, date: date.fromisoformat, time: time.fromisoformat, Decimal: Decimal,
        bytes: lambda v: base64.b64decode(v, validate=True), float: float,
    }
    return convert.get(kind)


def _text(value: Any) -> str:
    return _typed(value, str)  # type: ignore[no-any-return]


def _typed(value: Any, kind: Any) -> Any:
    if not isinstance(value, kind) or (isinstance(value, bool) and kind in (int, int | float)):
        raise ValueError(msg("expected {kind}, found {name}",
            kind=getattr(kind, '__name__', kind), name=type(value).__name__))
    return value


class _RowDecoder:
    """One table's rows from JSON values to column values, checked against this schema.

    The columns are checked at the first row: an empty table from an older schema (e.g. hours
    before 0006) may name columns this version no longer has. A row whose JSON types (a
    "signature") were seen right before takes a fast path that only converts dates and the like
    and checks lengths; any doubt goes to the full check, which names table, row and column.
    """

    def __init__(self, table: Table, columns: list[str]) -> None:
        self.table, self.columns = table, columns
        self.decoders: list[tuple[str, Column[Any], Callable[[Any], Any], int | None]] | None = None
        self.good: set[tuple[type, ...]] = set()
        self.convert: list[tuple[int, Callable[[Any], Any]]] = []
        self.limited: list[tuple[int, int]] = []

    def _check_columns(self) -> list[tuple[str, Column[Any], Callable[[Any], Any], int | None]]:
        name, table, columns = self.table.name, self.table, self.columns
        extra = [c for c in columns if c not in table.columns]
        if extra:
            raise TransferProblem(msg("{table}.{column}: column unknown to this version of journey", table=name,
                                      column=extra[0]))
        for column in table.columns:
            if column.name not in columns and not (column.nullable or column.default is not None
                                                   or column.server_default is not None):
                raise TransferProblem(msg("{table}.{column}: required column missing from the export", table=name,
                                          column=column.name))
        decoders = [(c, table.columns[c], _decoder(table.columns[c]), getattr(table.columns[c].type, "length", None))
                    for c in columns]
        for i, (_, column, _, limit) in enumerate(decoders):
            convert = _converter(column)
            if convert is not None:
                self.convert.append((i, convert))
            if limit:
                self.limited.append((i, limit))
        return decoders

    def __call__(self, i: int, raw: Any) -> list[Any]:
        """The row's values in the export's column order, ready for the database."""
        if self.decoders is None:
            self.decoders = self._check_columns()
        if type(raw) is list:
            signature = tuple(map(type, raw))
            if signature in self.good:
                values = self._fast(raw)
                if values is not None:
                    return values
            row = self._checked(i, raw)
            self.good.add(signature)
            return row
        return self._checked(i, raw)

    def _fast(self, raw: list[Any]) -> list[Any] | None:
        """``raw`` converted, or None when a value needs the full check (which then names it)."""
        values = raw.copy()
        try:
            for i, convert in self.convert:
                if values[i] is not None:
                    values[i] = convert(values[i])
        except (ValueError, TypeError):
            return None
        for i, limit in self.limited:
            if type(values[i]) is str and len(values[i]) > limit:
                return None
        return values

    def _checked(self, i: int, raw: Any) -> list[Any]:
        assert self.decoders is not None
        name = self.table.name
        if not isinstance(raw, list) or len(raw) != len(self.decoders):
            raise TransferProblem(msg("{table} row {row}: expected {count} values", table=name, row=i,
                                      count=len(self.decoders)))
        row: list[Any] = []
        for (cname, column, decode, limit), value in zip(self.decoders, raw, strict=True):
            if value is None:
                if not column.nullable:
                    raise TransferProblem(msg("{table} row {row}, {column}: must not be empty", table=name, row=i,
                                              column=cname))
                row.append(None)
                continue
            try:
                decoded = decode(value)
            except (ValueError, TypeError) as exc:
                raise TransferProblem(msg("{table} row {row}, {column}: {problem}", table=name, row=i, column=cname,
                                          problem=exc)) from None
            if limit and isinstance(decoded, str) and len(decoded) > limit:
                # SQLite stores any length, PostgreSQL would refuse it mid-load
                raise TransferProblem(msg("{table} row {row}, {column}: {length} characters long; at most {limit} are "
                                          "allowed", table=name, row=i, column=cname, length=len(decoded),
                                          limit=limit))
            row.append(decoded)
        return row


def _driver_pragma(connection: Connection, pragma: str) -> None:
    """A PRAGMA on the driver's connection, outside any transaction (SQLAlchemy would begin one)."""
    driver = connection.connection.driver_connection
    if driver is not None:
        driver.execute(f"PRAGMA {pragma}")


class SqlTransferStore:
    """``release``: closes every connection the app holds to this database (default: the engine's)."""

    def __init__(self, engine: Engine, release: Callable[[], None] | None = None) -> None:
        self.engine = engine
        self.release = release or engine.dispose

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    def table_names(self) -> list[str]:
        return [t.name for t in _tables()]

    def known_revisions(self) -> set[str]:
        from alembic.script import ScriptDirectory

        from journey.adapters.sql.schema_upgrade import ALEMBIC

        return {r.revision for r in ScriptDirectory(str(ALEMBIC)).walk_revisions()}

    def schema_revisions(self) -> list[str]:
        """The revisions in Alembic's version table (read directly: importing Alembic costs more than
        a small export)."""
        with self.engine.connect() as connection:
            if not inspect(connection).has_table("alembic_version"):
                return []
            return sorted(str(r) for r in connection.execute(text("SELECT version_num FROM alembic_version")).scalars())

    @contextmanager
    def dump(self, progress: Progress) -> Iterator[Iterator[tuple[str, list[str], Iterator[Batch]]]]:
        """Every table as (name, columns, batches of rows), streamed from one read transaction."""
        options = {"isolation_level": "REPEATABLE READ"} if self.dialect == "postgresql" else {}
        with self.engine.connect().execution_options(**options) as connection, connection.begin():
            if self.dialect == "postgresql":  # dates as ISO text, in UTC (_postgresql_json), for this transaction
                connection.exec_driver_sql("SET LOCAL DateStyle = 'ISO'")
                connection.exec_driver_sql("SET LOCAL TimeZone = 'UTC'")
            yield ((table.name, [c.name for c in table.columns], self._batches(connection, table, progress))
                   for table in _tables())

    @staticmethod
    def _batches(connection: Connection, table: Table, progress: Progress) -> Iterator[Batch]:
        dialect = connection.dialect
        count = 0
        if dialect.name == "sqlite":
            lines = _sqlite_lines(table, dialect)
            if lines is not None:
                yield from SqlTransferStore._sqlite_batches(connection, table, lines, progress)
                return
        elif dialect.name == "postgresql":
            server = _postgresql_lines(table, dialect, _postgresql_types(connection, table))
            if server is not None:
                count, done = yield from SqlTransferStore._postgresql_batches(connection, *server)
                if done:
                    progress(msg("exported {table}: {count} rows", table=table.name, count=count))
                    return
        for batch in SqlTransferStore._python_batches(connection, table, count):  # from where the server stopped
            count += len(batch)
            yield batch
        progress(msg("exported {table}: {count} rows", table=table.name, count=count))

    @staticmethod
    def _postgresql_batches(connection: Connection, query: str,
                            documents: bool) -> Generator[Batch, None, tuple[int, bool]]:
        """PostgreSQL writes the JSON lines itself (the rows never become Python values): the query is
        streamed in chunks where libpq can (PostgreSQL may then run it in parallel), else read through a
        server-side cursor. Lines that hold JSON documents are read and given as values, for the export's
        encoder to write them as it writes the rows read in Python. Stops at the first row whose values
        need Python's conversion; returns how many rows came, and whether that was all."""
        from psycopg import capabilities

        driver = connection.connection.driver_connection  # psycopg's, in this connection's transaction
        assert driver is not None
        chunked = capabilities.has_stream_chunked()
        count = 0
        with driver.cursor() if chunked else driver.cursor(name="journey_export") as cursor:
            if chunked:
                rows = iter(cursor.stream(query, size=CHUNK))
            else:
                cursor.itersize = CHUNK
                rows = iter(cursor.execute(query))
            while lines := [line for line, in islice(rows, CHUNK)]:
                try:
                    chunk = _postgresql_chunk(lines, documents)
                except TypeError:  # a row came as NULL: it and the rest are read in Python
                    good = next(i for i, line in enumerate(lines) if type(line) is not str)
                    if good:
                        yield _postgresql_chunk(lines[:good], documents)
                    if chunked:
                        deque(rows, maxlen=0)  # the stream ends before the connection takes another query
                    return count + good, False
                count += len(lines)
                yield chunk
        return count, True

    @staticmethod
    def _python_batches(connection: Connection, table: Table, skip: int = 0) -> Iterator[list[list[Any]]]:
        """The table's rows (after the first ``skip``, in key order; skipping: PostgreSQL only) read through
        the column types and turned into JSON values here."""
        order = list(table.primary_key.columns) or list(table.columns)
        query = select(table).order_by(*order)
        if skip:
            query = query.offset(skip)
        streamed = connection.execution_options(stream_results=True, yield_per=CHUNK)
        converters: list[tuple[int, Callable[[Any], Any] | None]]
        if connection.dialect.name == "sqlite":  # the stored values, turned into JSON values here
            result = streamed.exec_driver_sql(str(query.compile(dialect=connection.dialect)))
            converters = [(i, _sqlite_value(column, connection.dialect)) for i, column in enumerate(table.columns)]
        else:
            result = streamed.execute(query)
            converters = [(i, None if _is_json(column) else _encode) for i, column in enumerate(table.columns)]
        converted = [(i, convert) for i, convert in converters if convert is not None]
        for batch in result.partitions(CHUNK):
            rows = [list(row) for row in batch]
            for values in rows:
                for i, convert in converted:
                    if values[i] is not None:
                        values[i] = convert(values[i])
            yield rows

    @staticmethod
    def _sqlite_batches(connection: Connection, table: Table, queries: tuple[str, str],
                        progress: Progress) -> Iterator[Batch]:
        """SQLite writes the JSON lines itself (the rows never become Python values); a row whose
        values need Python's conversion comes as its rowid and is read and converted here."""
        every, one = queries
        converters = [(i, convert) for i, column in enumerate(table.columns)
                      if (convert := _sqlite_value(column, connection.dialect)) is not None]
        cursor = connection.connection.cursor()  # the driver's own, in this connection's transaction
        count = 0
        try:
            cursor.execute(every)
            while batch := cursor.fetchmany(CHUNK):
                count += len(batch)
                lines = [line for line, in batch]
                try:
                    yield b"".join(lines)
                except TypeError:  # some rows came as rowids
                    yield from SqlTransferStore._mixed(connection, lines, one, converters)
        finally:
            cursor.close()
        progress(msg("exported {table}: {count} rows", table=table.name, count=count))

    @staticmethod
    def _mixed(connection: Connection, lines: list[Any], one: str,
               converters: list[tuple[int, Callable[[Any], Any]]]) -> Iterator[Batch]:
        """``lines`` in order: runs of JSON lines as they are, each rowid as its row converted in Python."""
        run: list[bytes] = []
        for line in lines:
            if type(line) is bytes:
                run.append(line)
                continue
            if run:
                yield b"".join(run)
                run = []
            values = list(connection.exec_driver_sql(one, (line,)).one())
            for i, convert in converters:
                if values[i] is not None:
                    values[i] = convert(values[i])
            yield [values]
        if run:
            yield b"".join(run)

    def row_counts(self) -> dict[str, int]:
        """Rows per table that exists (an older schema may lack a feature's tables)."""
        with self.engine.connect() as connection:
            present = set(inspect(connection).get_table_names())
            return {t.name: int(connection.execute(select(func.count()).select_from(t)).scalar_one())
                    for t in _tables() if t.name in present}

    def is_initialised(self) -> bool:
        from journey.adapters.sql.schema_upgrade import is_initialised

        return is_initialised(self.engine)

    def prepare(self) -> None:
        """Create or upgrade the schema (an empty database) before loading."""
        from journey.adapters.sql.schema_upgrade import upgrade

        upgrade(self.engine)

    def load(self, sections: Iterable[Section], progress: Progress) -> None:
        """Check and insert every section's rows in batches, in one transaction; on PostgreSQL, then move
        id sequences past the highest id. Any error (a row that does not fit raises
        :class:`TransferProblem`) rolls everything back."""
        known = {t.name: t for t in _tables()}
        sqlite = self.dialect == "sqlite"
        if sqlite:
            self.release()  # no other connection of ours may stay open to change the journal mode
        with self.engine.connect() as connection:
            if sqlite:
                _driver_pragma(connection, "journal_mode=DELETE")
            try:
                with connection.begin():
                    indexes = self._drop_indexes(connection) if sqlite else self._drop_postgresql_checks(connection)
                    self._load(connection, known, sections, progress)
                    if indexes:
                        progress(msg("checking references and building indexes"))
                    for create in indexes:
                        connection.exec_driver_sql(create)
                    if self.dialect == "postgresql":
                        for table in _tables():
                            self._reset_sequence(connection, table)
            finally:
                if sqlite:
                    _driver_pragma(connection, "journal_mode=WAL")
        progress(msg("committed"))

    @staticmethod
    def _drop_indexes(connection: Connection) -> list[str]:
        """Drop the (empty) database's plain indexes; what recreates them once the rows are in.

        Built once over all rows, an index costs a fraction of what keeping it up to date row by row
        does. Only indexes that cannot be broken (not unique, so no constraint is checked later
        than before) nor be needed by a foreign key; all in the load's transaction."""
        rows = connection.exec_driver_sql(
            "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL "
            "AND sql NOT LIKE 'CREATE UNIQUE %'").all()
        quote = connection.dialect.identifier_preparer.quote
        for name, _ in rows:
            connection.exec_driver_sql(f"DROP INDEX {quote(name)}")
        return [str(sql) for _, sql in rows]

    @staticmethod
    def _drop_postgresql_checks(connection: Connection) -> list[str]:
        """Drop the (empty) schema's foreign keys and plain indexes; what adds them again once the rows are in.

        Checked row by row, each reference costs a lookup in its table (five per ESF hour entry): most
        of a national import's time. Added again after the load, each foreign key checks every row
        in one query, and a row that breaks it fails the load as before; an index is built once. All
        within the load's transaction, so a failed import leaves the schema as it was.
        """
        keys = connection.exec_driver_sql(
            "SELECT conrelid::regclass::text, quote_ident(conname), pg_get_constraintdef(oid) FROM pg_constraint "
            "WHERE contype = 'f' AND connamespace = current_schema()::regnamespace ORDER BY conrelid, conname").all()
        indexes = connection.exec_driver_sql(
            "SELECT quote_ident(i.relname), pg_get_indexdef(i.oid) FROM pg_index x JOIN pg_class i ON i.oid = "
            "x.indexrelid WHERE i.relnamespace = current_schema()::regnamespace AND NOT x.indisunique "
            "AND NOT x.indisprimary AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.oid) "
            "ORDER BY i.relname").all()
        for table, name, _ in keys:
            connection.exec_driver_sql(f"ALTER TABLE {table} DROP CONSTRAINT {name}")
        for name, _ in indexes:
            connection.exec_driver_sql(f"DROP INDEX {name}")
        return [str(create) for _, create in indexes] + [f"ALTER TABLE {table} ADD CONSTRAINT {name} {definition}"
                                                          for table, name, definition in keys]

    def _load(self, connection: Connection, known: dict[str, Table], sections: Iterable[Section],
              progress: Progress) -> None:
        for name, columns, rows in sections:
            table = known.get(name)
            if table is None:
                raise TransferProblem(msg("table {name!r} is unknown to this version of journey (upgrade "
                                                       "journey)", name=name))
            decode = _RowDecoder(table, columns)
            insert = self._inserter(connection, table, columns)
            batch: list[list[Any]] = []
            count = 0
            for raw in rows:
                count += 1
                batch.append(decode(count, raw))
                if len(batch) == CHUNK:
                    insert(batch)
                    batch = []
            if batch:
                insert(batch)
            if count:
                progress(msg("loading {table}: {count} rows", table=name, count=count))

    @staticmethod
    def _inserter(connection: Connection, table: Table, columns: list[str]) -> Callable[[list[list[Any]]], None]:
        """What inserts a batch of rows (values in ``columns`` order) with one executemany.

        On SQLite the statement goes to the driver with each column's own bind processing, which
        saves SQLAlchemy's per-row parameter handling (a third of an import's time); on PostgreSQL
        the rows go in by COPY (:meth:`_copier`); elsewhere SQLAlchemy executes it.
        """
        def through_sqlalchemy(batch: list[list[Any]]) -> None:
            connection.execute(table.insert(), [dict(zip(columns, values, strict=True)) for values in batch])

        if connection.dialect.name == "postgresql" and columns:
            return SqlTransferStore._copier(connection, table, columns)
        if connection.dialect.name != "sqlite" or not columns:
            return through_sqlalchemy
        dialect = connection.dialect
        compiled = table.insert().compile(dialect=dialect, column_keys=columns)
        if not compiled.positional or sorted(compiled.positiontup or []) != sorted(columns):
            return through_sqlalchemy
        order = [columns.index(name) for name in compiled.positiontup or []]
        processors = [(position, processor) for position, name in enumerate(compiled.positiontup or [])
                      if (processor := _sqlite_bind(table.columns[name], dialect))]
        statement = str(compiled)

        in_order = order == list(range(len(order)))  # the export's column order is the table's, as a rule

        def insert(batch: list[list[Any]]) -> None:
            parameters = []
            for values in batch:
                ordered = values if in_order else [values[i] for i in order]
                for position, processor in processors:  # None too: JSON stores it as null, as SQLAlchemy does
                    ordered[position] = processor(ordered[position])
                parameters.append(tuple(ordered))
            connection.exec_driver_sql(statement, parameters)

        return insert

    @staticmethod
    def _copier(connection: Connection, table: Table, columns: list[str]) -> Callable[[list[list[Any]]], None]:
        """What copies a batch of rows into the table with PostgreSQL's COPY, in the load's transaction.

        Each value first takes its column type's bind processing (a date-time to UTC, a JSON value
        wrapped as psycopg's Json), so the rows are what an INSERT through SQLAlchemy would store;
        COPY spares the server a statement per row (an import at national size took 37 s by
        executemany). A row that breaks a constraint fails the COPY, and with it the whole load.
        """
        dialect = connection.dialect
        driver = connection.connection.driver_connection  # psycopg's, in this connection's transaction
        assert driver is not None
        quote = dialect.identifier_preparer.quote
        statement = (f"COPY {dialect.identifier_preparer.format_table(table)} "
                     f"({', '.join(quote(name) for name in columns)}) FROM STDIN")
        processors: list[tuple[int, Callable[[Any], Any]]] | None = None  # at the first batch: columns checked by then

        def copy(batch: list[list[Any]]) -> None:
            nonlocal processors
            if processors is None:
                processors = [(i, process) for i, name in enumerate(columns)
                              if (process := table.columns[name].type.dialect_impl(dialect).bind_processor(dialect))]
            with driver.cursor() as cursor, cursor.copy(statement) as out:
                for values in batch:
                    for i, bind in processors:
                        values[i] = bind(values[i])
                    out.write_row(values)

        return copy

    @staticmethod
    def _reset_sequence(connection: Any, table: Table) -> None:
        keys = list(table.primary_key.columns)
        if len(keys) != 1 or not isinstance(keys[0].type, Integer):
            return
        column = keys[0].name
        connection.execute(text(
            f'SELECT setval(pg_get_serial_sequence(:table, :column), '
            f'COALESCE((SELECT MAX("{column}") FROM "{table.name}"), 0) + 1, false) '
            f'WHERE pg_get_serial_sequence(:table, :column) IS NOT NULL'),
            {"table": f'"{table.name}"', "column": column})
