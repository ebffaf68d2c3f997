"""The ESF unit-cost table (enhetskostnader per lönegrupp): YAML file -> :class:`UnitCostTable`.

Shape (see data/esf_unit_costs.yaml)::

    status: example            # or: official (only when every figure is checked against ESF's document)
    source: {publisher: ..., documents: ..., pages: [...], note: ...}
    years:
      2021:
        other: {"1": 300, "2": 350, ..., "7c": 300}      # kronor per hour, at most two decimals
        stockholm: {"1": 350, ...}

Errors name the file, the line and the key (exit code 7, like a broken workflow file).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from journey.definitions._yaml import LineDict, load_file, load_text
from journey.domain.errors import DefinitionError, InputError
from journey.domain.esf import parse_sek
from journey.domain.messages import msg
from journey.domain.people import SALARY_GROUPS
from journey.domain.unit_costs import UnitCostTable

REGIONS = ("stockholm", "other")


def _line(node: Any, key: Any = None) -> int | None:
    if isinstance(node, LineDict):
        return node.line_of(key) if key is not None else node.line
    return None


def parse_unit_costs(data: Any, source: str) -> UnitCostTable:
    def fail(message: str, node: Any = None, key: Any = None, path: str = "") -> DefinitionError:
        return DefinitionError(message, file=source, line=_line(node, key), key=path)

    if not isinstance(data, dict):
        raise fail(msg("the unit-cost table must be a mapping with status, source and years"))
    unknown = sorted(set(map(str, data)) - {"status", "source", "years", "unit", "groups"})
    if unknown:
        raise fail(msg("unknown keys: {unknown}", unknown=', '.join(unknown)), data, unknown[0], unknown[0])
    status = str(data.get("status", "")).strip().lower()
    if status not in ("example", "official"):
        raise fail(msg("status must be 'example' or 'official'"), data, "status", "status")
    raw_source = data.get("source") or {}
    if not isinstance(raw_source, dict):
        raise fail(msg("source must be a mapping (publisher, documents, pages, note)"), data, "source", "source")
    source_info = {str(k): (", ".join(map(str, v)) if isinstance(v, list) else str(v)) for k, v in raw_source.items()}
    years_node = data.get("years")
    if not isinstance(years_node, dict) or not years_node:
        raise fail(msg("years must map each year to its unit costs"), data, "years", "years")
    years: dict[int, dict[str, dict[str, int]]] = {}
    for year, regions in years_node.items():
        path = f"years.{year}"
        if not str(year).isdigit():
            raise fail(msg("{year!r} is not a year", year=year), years_node, year, path)
        if not isinstance(regions, dict) or set(map(str, regions)) - set(REGIONS) or not regions:
            raise fail(msg("each year maps {regions} to salary groups",
                           regions=' and '.join(REGIONS)), years_node, year, path)
        years[int(year)] = {}
        for region, groups in regions.items():
            where = f"{path}.{region}"
            if not isinstance(groups, dict):
                raise fail(msg("expected a mapping of salary group to kronor per hour"), regions, region, where)
            parsed: dict[str, int] = {}
            for group, value in groups.items():
                name = str(group).strip().lower()
                if name not in SALARY_GROUPS:
                    raise fail(msg("unknown salary group {group!r} (groups: {salary_groups})",
                        group=group, salary_groups=', '.join(SALARY_GROUPS)), groups, group,
                               f"{where}.{group}")
                try:
                    parsed[name] = parse_sek(value if isinstance(value, str) else repr(value))
                except InputError as exc:
                    raise fail(str(exc), groups, group, f"{where}.{group}") from None
            missing = [g for g in SALARY_GROUPS if g not in parsed]
            if missing:
                raise fail(msg("salary groups missing: {missing}", missing=', '.join(missing)), regions, region, where)
            years[int(year)][str(region)] = parsed
    return UnitCostTable(years, source_info, status == "example", source)


def load_unit_costs(path: Path) -> UnitCostTable:
    return parse_unit_costs(load_file(path), str(path))


def unit_costs_from_text(text: str, source: str = "<string>") -> UnitCostTable:
    return parse_unit_costs(load_text(text, source), source)
