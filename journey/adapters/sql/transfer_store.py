"""Every table's rows out of, and back into, a database: the storage side of export and import.

Tables are whatever ``SQLModel.metadata`` holds once ``journey.adapters.sql.tables.all`` is imported,
in dependency order, so tables that features add are included without changes here.
Values are JSON: date-times and dates as ISO text, bytes as base64, decimals as text.
"""

from __future__ import annotations

import base64
from collections.abc import Callable
from datetime import date, datetime, time
from decimal import Decimal
from enum import Enum
from typing import Any

from sqlalchemy import Column, Engine, Integer, Table, func, inspect, select, text
from sqlmodel import SQLModel

from journey.domain.messages import msg

Progress = Callable[[str], None]
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


def _text(value: Any) -> str:
    return _typed(value, str)  # type: ignore[no-any-return]


def _typed(value: Any, kind: Any) -> Any:
    if not isinstance(value, kind) or (isinstance(value, bool) and kind in (int, int | float)):
        raise ValueError(msg("expected {kind}, found {name}",
            kind=getattr(kind, '__name__', kind), name=type(value).__name__))
    return value


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

    def dump(self, progress: Progress) -> dict[str, dict[str, Any]]:
        """Every table as ``{"columns": [...], "rows": [[...], ...]}``, read in one transaction."""
        result: dict[str, dict[str, Any]] = {}
        options = {"isolation_level": "REPEATABLE READ"} if self.dialect == "postgresql" else {}
        with self.engine.connect().execution_options(**options) as connection, connection.begin():
            for table in _tables():
                names = [c.name for c in table.columns]
                order = list(table.primary_key.columns) or list(table.columns)
                rows = [[_encode(v) for v in row] for row in connection.execute(select(table).order_by(*order))]
                result[table.name] = {"columns": names, "rows": rows}
                progress(msg("exported {table}: {count} rows", table=table.name, count=len(rows)))
        return result

    def decode(self, tables: dict[str, Any]) -> dict[str, list[dict[str, Any]]]:
        """Check every table, column and value against this schema; raise :class:`TransferProblem`."""
        known = {t.name: t for t in _tables()}
        unknown = sorted(set(tables) - set(known))
        if unknown:
            raise TransferProblem(f"table {unknown[0]!r} is unknown to this version of journey (upgrade journey)")
        decoded: dict[str, list[dict[str, Any]]] = {}
        for name, table in known.items():
            body = tables.get(name, {"columns": [], "rows": []})
            columns = body["columns"]
            extra = [c for c in columns if c not in table.columns]
            if extra and not body["rows"]:  # an empty table from an older schema (e.g. hours before 0006)
                continue
            if extra:
                raise TransferProblem(f"{name}.{extra[0]}: column unknown to this version of journey")
            for column in table.columns:
                if column.name not in columns and not (column.nullable or column.default is not None
                                                       or column.server_default is not None) and body["rows"]:
                    raise TransferProblem(f"{name}.{column.name}: required column missing from the export")
            decoders = [(c, table.columns[c], _decoder(table.columns[c])) for c in columns]
            lengths = {c: getattr(table.columns[c].type, "length", None) for c in columns}
            rows = []
            for i, raw in enumerate(body["rows"], 1):
                if not isinstance(raw, list) or len(raw) != len(columns):
                    raise TransferProblem(f"{name} row {i}: expected {len(columns)} values")
                row: dict[str, Any] = {}
                for (cname, column, decode), value in zip(decoders, raw, strict=True):
                    if value is None:
                        if not column.nullable:
                            raise TransferProblem(f"{name} row {i}, {cname}: must not be empty")
                        row[cname] = None
                        continue
                    try:
                        row[cname] = decode(value)
                    except (ValueError, TypeError) as exc:
                        raise TransferProblem(f"{name} row {i}, {cname}: {exc}") from None
                    limit = lengths[cname]  # SQLite stores any length, PostgreSQL would refuse it mid-load
                    if limit and isinstance(row[cname], str) and len(row[cname]) > limit:
                        raise TransferProblem(f"{name} row {i}, {cname}: {len(row[cname])} characters long; at most "
                                              f"{limit} are allowed")
                rows.append(row)
            decoded[name] = rows
        return decoded

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

    def load(self, decoded: dict[str, list[dict[str, Any]]], progress: Progress) -> None:
        """Insert everything in one transaction; on PostgreSQL, move id sequences past the highest id."""
        with self.engine.begin() as connection:
            for table in _tables():
                rows = decoded.get(table.name, [])
                if rows:
                    progress(msg("loading {table}: {count} rows", table=table.name, count=len(rows)))
                for start in range(0, len(rows), CHUNK):
                    connection.execute(table.insert(), rows[start:start + CHUNK])
            if self.dialect == "postgresql":
                for table in _tables():
                    self._reset_sequence(connection, table)
        progress(msg("committed"))

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
