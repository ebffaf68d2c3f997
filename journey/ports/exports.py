"""Tabular exports as plain data: what the CSV and XLSX writers (adapters) receive."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Sheet:
    """One table: a CSV file or one worksheet. ``formats`` maps a header to an Excel number format."""

    title: str
    headers: Sequence[str]
    rows: Sequence[Sequence[Any]]
    formats: dict[str, str] = field(default_factory=dict)
    total_row: Sequence[Any] | None = None
