"""A feature's hot reads in plain SQL, the rest its ORM repository's on the same transaction."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from journey.adapters.dbapi.connection import Db


class PlainReads:
    """Reads answered in plain SQL after the ORM session has flushed (so they see its writes); any other
    method is the ORM repository's, built on first use. The ORM writes look rows up by id, so a
    domain object read here is saved there as if it had been read there."""

    def __init__(self, db: Db, orm: Callable[[], Any], flush: Callable[[], None]) -> None:
        self.db = db
        self._orm_factory = orm
        self._flush = flush
        self._orm: Any = None

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__"):
            raise AttributeError(name)
        if self._orm is None:
            self._orm = self._orm_factory()
        return getattr(self._orm, name)

    def _all(self, sql: str, params: tuple[Any, ...] | list[Any] = ()) -> list[tuple[Any, ...]]:
        self._flush()
        return self.db.all(sql, params)
