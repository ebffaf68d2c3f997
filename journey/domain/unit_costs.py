"""ESF unit costs (enhetskostnader): per year, region and salary group, and a person's rate on a date."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from journey.domain.errors import NotFoundError
from journey.domain.esf import EsfSettings
from journey.domain.messages import msg
from journey.domain.people import Person

STOCKHOLM_COUNTY = "Stockholms län"


def region_of(county: str) -> str:
    """ESF's unit costs differ between Stockholm and the rest of the country."""
    return "stockholm" if county.strip().casefold() == STOCKHOLM_COUNTY.casefold() else "other"


@dataclass(frozen=True)
class UnitCostTable:
    """Unit cost in öre per hour by year, region ('stockholm' or 'other') and salary group."""

    years: dict[int, dict[str, dict[str, int]]]
    source: dict[str, str] = field(default_factory=dict)
    example: bool = True  # the values are examples, not Svenska ESF-rådet's figures
    file: str = ""

    def rate(self, year: int, region: str, group: str) -> int:
        if year not in self.years:
            known = ", ".join(str(y) for y in sorted(self.years)) or msg("none yet")
            raise NotFoundError(msg("the unit-cost table has no year {year} (years: {known}; file {file})",
                year=year, known=known, file=self.file))
        groups = self.years[year].get(region, {})
        if group not in groups:
            raise NotFoundError(msg("the unit-cost table has no salary group {group!r} for {year} ({region}; "
                                    "{file})", group=group, year=year, region=region, file=self.file))
        return groups[group]


def person_rate(person: Person, table: UnitCostTable, county: str, settings: EsfSettings, day: date) -> int | None:
    """The person's unit cost in öre per hour on ``day``: their own, else their group's; None when unknown."""
    if person.unit_cost_ore is not None:
        return person.unit_cost_ore
    if not person.salary_group:
        return None
    try:
        return table.rate(settings.cost_year(day), region_of(county), person.salary_group)
    except NotFoundError:
        return None
