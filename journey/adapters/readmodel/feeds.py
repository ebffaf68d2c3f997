"""Read a municipality's meetings for its calendar feed (plain SQL; tables missing in an old database read as empty)."""

from __future__ import annotations

from datetime import date
from typing import Any

from journey.domain.esf import format_hours

KEYS = ("id", "kind", "date", "title", "quarters", "municipality_id")
BOARD_KEYS = ("id", "board", "board_name", "date", "time", "location", "title")
BOARD_SQL = ("SELECT bm.id, b.code, b.name, bm.meeting_date, bm.start_time, bm.location, bm.title FROM board_meeting bm "
             "JOIN board b ON b.id = bm.board_id WHERE b.municipality_id = ? ORDER BY bm.meeting_date, b.code")


def _day(value: Any) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value)[:10])


class FeedReads:
    """One feed request's reads (``read``: the app's :class:`SqlReadModel`)."""

    def __init__(self, read: Any) -> None:
        self.read = read
        self._tables: set[str] | None = None

    def _has(self, *tables: str) -> bool:
        if self._tables is None:
            self._tables = self.read.table_names()
        return all(t in self._tables for t in tables)

    def board_meetings(self, municipality_id: int) -> list[dict[str, Any]]:
        """Meetings of the municipality's boards (KS, KF, nämnder) with their ids (stable feed UIDs)."""
        if not self._has("board_meeting", "board"):
            return []
        rows = self.read.query(BOARD_SQL, (municipality_id,))
        return [dict(zip(BOARD_KEYS, v, strict=True)) | {"date": _day(v[3])} for v in rows]

    def network_meetings(self, municipality_id: int) -> list[dict[str, Any]]:
        """The network's shared meetings (physical, digital) and this municipality's own local meetings,
        each with its length in hours (``format_hours``: '7', '2.5')."""
        if not self._has("network_meeting"):
            return []
        rows = self.read.query(f"SELECT {', '.join(KEYS)} FROM network_meeting WHERE municipality_id IS NULL "
                               "OR municipality_id = ? ORDER BY date, id", (municipality_id,))
        return [dict(zip(KEYS, values, strict=True)) | {"date": _day(values[2]), "hours": format_hours(int(values[4]))}
                for values in rows]
