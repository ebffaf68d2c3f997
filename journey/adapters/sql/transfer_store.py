"""Every table's rows out of, and back into, a database: the storage side of export and import.

Tables are whatever ``SQLModel.metadata`` holds once ``journey.adapters.sql.tables.all`` is imported,
in dependency order, so tables that features add are included without changes here.
Values are JSON: date-times and dates as ISO text, bytes as base64, decimals as text.
"""

from __future__ import annotations

import base64
import re
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, time
from decimal import Decimal
from enum import Enum
from typing import Any

from sqlalchemy import Column, Connection, Date, Dialect, Engine, Integer, Table, func, inspect, select, text
from sqlmodel import SQLModel

from journey.adapters.sql.column_types import UTCDateTime
from journey.domain.messages import msg
from journey.ports.transfer import Progress, Section

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
        return value.astimezone(UTC).isoformat(" ", "microseconds")[:26]

    return utc


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


class SqlTransferStore:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine

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
        from alembic.runtime.migration import MigrationContext

        with self.engine.connect() as connection:
            return sorted(MigrationContext.configure(connection).get_current_heads())

    @contextmanager
    def dump(self, progress: Progress) -> Iterator[Iterator[tuple[str, list[str], Iterator[list[list[Any]]]]]]:
        """Every table as (name, columns, batches of rows), streamed from one read transaction."""
        options = {"isolation_level": "REPEATABLE READ"} if self.dialect == "postgresql" else {}
        with self.engine.connect().execution_options(**options) as connection, connection.begin():
            yield ((table.name, [c.name for c in table.columns], self._batches(connection, table, progress))
                   for table in _tables())

    @staticmethod
    def _batches(connection: Connection, table: Table, progress: Progress) -> Iterator[list[list[Any]]]:
        order = list(table.primary_key.columns) or list(table.columns)
        query = select(table).order_by(*order)
        streamed = connection.execution_options(stream_results=True, yield_per=CHUNK)
        converters: list[tuple[int, Callable[[Any], Any] | None]]
        if connection.dialect.name == "sqlite":  # the stored values, turned into JSON values here
            result = streamed.exec_driver_sql(str(query.compile(dialect=connection.dialect)))
            converters = [(i, _sqlite_value(column, connection.dialect)) for i, column in enumerate(table.columns)]
        else:
            result = streamed.execute(query)
            converters = [(i, None if _is_json(column) else _encode) for i, column in enumerate(table.columns)]
        converted = [(i, convert) for i, convert in converters if convert is not None]
        count = 0
        for batch in result.partitions(CHUNK):
            count += len(batch)
            rows = [list(row) for row in batch]
            for values in rows:
                for i, convert in converted:
                    if values[i] is not None:
                        values[i] = convert(values[i])
            yield rows
        progress(msg("exported {table}: {count} rows", table=table.name, count=count))

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
        with self.engine.begin() as connection:
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
            if self.dialect == "postgresql":
                for table in _tables():
                    self._reset_sequence(connection, table)
        progress(msg("committed"))

    @staticmethod
    def _inserter(connection: Connection, table: Table, columns: list[str]) -> Callable[[list[list[Any]]], None]:
        """What inserts a batch of rows (values in ``columns`` order) with one executemany.

        On SQLite the statement goes to the driver with each column's own bind processing, which
        saves SQLAlchemy's per-row parameter handling (a third of an import's time); elsewhere
        SQLAlchemy executes it.
        """
        def through_sqlalchemy(batch: list[list[Any]]) -> None:
            connection.execute(table.insert(), [dict(zip(columns, values, strict=True)) for values in batch])

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
