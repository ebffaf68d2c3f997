"""Totals and valuation: per municipality (against 500 h/year and ~250 h at joint meetings), per person,
per stage and per person-month, valued at each person's unit cost from the unit-cost table.

Values are exact (quarter hours × unit cost in öre, as :class:`~decimal.Decimal` kronor).
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from decimal import Decimal
from typing import Any

from journey.domain.access import Action, authorize
from journey.domain.esf import (
    ANNUAL_CEILING_HOURS,
    JOINT_MEETING_HOURS_PER_YEAR,
    QUARTERS_PER_HOUR,
    TARGET_HOURS_PER_YEAR,
    EsfSettings,
    hours,
    kronor,
    local_day,
    pace,
    value_sek,
)
from journey.domain.people import Person
from journey.domain.unit_costs import UnitCostTable, person_rate, region_of
from journey.services.cases.lifecycle import actor_in, find_municipality
from journey.services.deps import Deps
from journey.services.hours.common import add_stage_titles, readable, settings_of
from journey.services.hours.entries import rows_with_status


def unit_cost_info(table: UnitCostTable) -> dict[str, Any]:
    return {"status": "example" if table.example else "official", "file": table.file, "source": dict(table.source),
            "warning": "EXEMPELVÄRDEN – inte Svenska ESF-rådets belopp" if table.example else ""}


def summary(deps: Deps, username: str | None, table: UnitCostTable, year: int | None = None,
            period: str | None = None, municipality: str | None = None, *, with_rows: bool = True) -> dict[str, Any]:
    """Everything a claim or a status report needs for the scope (a year, a claim period, else the project).

    ``with_rows=False`` gives only what `journey hours summary` prints (scope, municipalities,
    persons, total; ``rows`` empty, no ``stages`` or ``months``) and sums in the database, one
    GROUP BY per municipality, person and year, so memory follows people, not rows. A claim
    period's scope (rows moved between periods) always reads the rows.
    """
    if not with_rows and not period:
        return _summed(deps, username, table, year, municipality)
    now = deps.clock.now()
    with deps.uow() as uow:
        actor = actor_in(uow, username)
        municipalities = readable(actor, uow.municipalities.list())
        if municipality:
            m = find_municipality(uow, municipality)
            authorize(actor, Action.READ, m.id, m.name)
            municipalities = [m]
        ids = [m.id or 0 for m in municipalities]
        settings = settings_of(uow)
        people = {p.id or 0: p for p in uow.people.list()}
        rows, claim = rows_with_status(uow, ids, year, period)
        year_totals = uow.hours.year_totals(sorted({r["person_id"] for r in rows}))
        add_stage_titles(deps, uow, municipalities, rows)
    counties = {m.id: m.county for m in municipalities}
    for r in rows:
        person = people.get(r["person_id"])
        rate = person_rate(person, table, counties[r["municipality_id"]], settings, r["date"]) if person else None
        r["rate_ore"] = rate
        r["rate_sek"] = kronor(rate) if rate is not None else None
        r["value_sek"] = value_sek(r["quarters"], rate) if rate is not None else None
        r["rate_basis"] = _basis(person, counties[r["municipality_id"]], settings, r["date"]) if rate is not None else ""
        r["salary_group"] = person.salary_group if person else ""
        r["function"] = person.function if person else ""
        r["department"] = person.department if person else ""
    scope = ({"period": {"id": claim.id, "name": claim.name, "start": claim.start, "end": claim.end,
                         "status": claim.status.value, "locked_by": claim.locked_by, "locked_at": claim.locked_at}}
             if claim is not None else {"year": year} if year else {"project": True})
    today = local_day(now)
    return {"scope": scope, "generated_at": now, "settings": settings.as_text(), "unit_costs": unit_cost_info(table),
            "municipalities": _municipalities(municipalities, rows, settings, today, year),
            "persons": _persons(rows, people, year_totals, settings),
            "stages": _grouped(rows, ("municipality", "stage"), extra=("stage_title",)),
            "months": _grouped(rows, ("municipality", "person", "month"), extra=("month_status_label", "attested_by",
                                                                                    "attested_at", "approved_by",
                                                                                    "approved_at", "attest_method")),
            "total": _totals(rows), "rows": rows}


def _summed(deps: Deps, username: str | None, table: UnitCostTable, year: int | None,
            municipality: str | None) -> dict[str, Any]:
    """The printed totals from one GROUP BY per municipality, person and year.

    The unit cost depends on the person, the county and the cost year only, so each group is valued
    once (at most two pseudo-rows per group, at meetings and not, for the roll-ups below).
    """
    now = deps.clock.now()
    with deps.uow() as uow:
        actor = actor_in(uow, username)
        every = uow.municipalities.list()
        municipalities = readable(actor, every)
        if municipality:
            m = find_municipality(uow, municipality)
            authorize(actor, Action.READ, m.id, m.name)
            municipalities = [m]
        settings = settings_of(uow)
        first, last = (date(year, 1, 1), date(year, 12, 31)) if year else (settings.period_start, settings.period_end)
        whole = len(municipalities) == len(every)  # no filter: every row of the range is summed
        totals = uow.hours.totals(first, last, None if whole else [m.id or 0 for m in municipalities])
        person_ids = sorted({t.person_id for t in totals})
        people = {p.id or 0: p for p in uow.people.list()}
        years = sorted({t.year for t in totals})
        if whole and all(first <= date(y, 1, 1) and date(y, 12, 31) <= last for y in years):
            year_totals: dict[tuple[int, int], int] = defaultdict(int)
            for t in totals:
                year_totals[(t.person_id, t.year)] += t.quarters
        else:
            year_totals = uow.hours.year_totals(person_ids, date(years[0], 1, 1), date(years[-1], 12, 31)) if years else {}
    by_id = {m.id: m for m in municipalities}
    # the rate (öre) and in kronor, by what person_rate reads: own cost, group, county, year
    rates: dict[tuple[Any, ...], tuple[int | None, Decimal | None]] = {}
    rows = []
    for t in totals:
        m, person = by_id[t.municipality_id], people.get(t.person_id)
        day = date(t.year, 1, 1)
        rate, rate_sek = None, None
        if person is not None:
            key = (person.unit_cost_ore, person.salary_group, m.county, t.year)
            if key not in rates:
                found = person_rate(person, table, m.county, settings, day)
                rates[key] = (found, kronor(found) if found is not None else None)
            rate, rate_sek = rates[key]
        for quarters, meeting_id in ((t.quarters - t.meeting_quarters, None), (t.meeting_quarters, 1)):
            if quarters or (meeting_id is None and not t.meeting_quarters):
                rows.append({"municipality_id": t.municipality_id, "municipality": m.name, "person_id": t.person_id,
                             "date": day, "quarters": quarters, "meeting_id": meeting_id,
                             "person_kind": person.kind.value if person else "", "rate_sek": rate_sek,
                             "value_sek": value_sek(quarters, rate) if rate is not None else None})
    today = local_day(now)
    return {"scope": {"year": year} if year else {"project": True}, "generated_at": now,
            "settings": settings.as_text(), "unit_costs": unit_cost_info(table),
            "municipalities": _municipalities(municipalities, rows, settings, today, year),
            "persons": _persons(rows, people, year_totals, settings), "total": _totals(rows), "rows": []}


def _basis(person: Person | None, county: str, settings: EsfSettings, day: date) -> str:
    if person is None:
        return ""
    if person.unit_cost_ore is not None:
        return f"egen enhetskostnad ({person.name})"
    region = "Stockholm" if region_of(county) == "stockholm" else "övriga landet"
    return f"lönegrupp {person.salary_group}, {region}, {settings.cost_year(day)}"


def _totals(rows: list[dict[str, Any]]) -> dict[str, Any]:
    q = sum(r["quarters"] for r in rows)
    valued = [r["value_sek"] for r in rows if r["value_sek"] is not None]
    return {"quarters": q, "hours": hours(q), "value_sek": sum(valued, Decimal(0)),
            "unvalued_hours": hours(sum(r["quarters"] for r in rows if r["value_sek"] is None))}


def _municipalities(municipalities: list[Any], rows: list[dict[str, Any]], settings: EsfSettings, today: date,
                    year: int | None) -> list[dict[str, Any]]:
    by_m: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for r in rows:
        by_m[r["municipality_id"]].append(r)
    out = []
    for m in municipalities:
        mine = by_m.get(m.id or 0, [])
        q = sum(r["quarters"] for r in mine)
        meeting_q = sum(r["quarters"] for r in mine if r["meeting_id"] is not None)
        row = {"municipality": m.name, "code": m.code, "region": region_of(m.county), "quarters": q, "hours": hours(q),
               "meeting_hours": hours(meeting_q),
               "participant_hours": hours(sum(r["quarters"] for r in mine if r["person_kind"] == "PARTICIPANT")),
               "staff_hours": hours(sum(r["quarters"] for r in mine if r["person_kind"] == "STAFF")),
               "value_sek": sum((r["value_sek"] for r in mine if r["value_sek"] is not None), Decimal(0)),
               "unvalued_hours": hours(sum(r["quarters"] for r in mine if r["value_sek"] is None))}
        if year:
            hours_pace = pace(q, TARGET_HOURS_PER_YEAR, min(today, date(year, 12, 31)), settings, year)
            meeting_pace = pace(meeting_q, JOINT_MEETING_HOURS_PER_YEAR, min(today, date(year, 12, 31)), settings, year)
            row |= {"target": TARGET_HOURS_PER_YEAR, "meeting_target": JOINT_MEETING_HOURS_PER_YEAR,
                    "share": (Decimal(q) / (TARGET_HOURS_PER_YEAR * QUARTERS_PER_HOUR)).quantize(Decimal("0.001")),
                    "remaining": hours(max(0, TARGET_HOURS_PER_YEAR * QUARTERS_PER_HOUR - q)),
                    "expected_hours": hours(hours_pace.expected_quarters), "behind": hours_pace.behind,
                    "expected_meeting_hours": hours(meeting_pace.expected_quarters),
                    "meetings_behind": meeting_pace.behind}
        out.append(row)
    return out


def _persons(rows: list[dict[str, Any]], people: dict[int, Person], year_totals: dict[tuple[int, int], int],
             settings: EsfSettings) -> list[dict[str, Any]]:
    """One row per person: hours and value summed in one pass over the person's rows (thousands of people)."""
    by_p: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for r in rows:
        by_p[r["person_id"]].append(r)
    ceiling = settings.annual_ceiling_hours or ANNUAL_CEILING_HOURS
    out = []
    for person_id, mine in by_p.items():
        p = people[person_id]
        q, value, valued = 0, Decimal(0), True
        rates: set[Decimal] = set()
        years: set[int] = set()
        for r in mine:
            q += r["quarters"]
            years.add(r["date"].year)
            if r["value_sek"] is None:
                valued = False
            else:
                value += r["value_sek"]
                rates.add(r["rate_sek"])
        unit_costs = sorted(rates)
        out.append({"municipality": mine[0]["municipality"], "person": p.name, "kind": p.kind.value,
                    "kind_label": p.kind.label, "function": p.function, "department": p.department,
                    "share_percent": p.share_percent, "salary_group": p.salary_group,
                    "unit_cost_sek": unit_costs[0] if len(unit_costs) == 1 else None, "unit_costs_sek": unit_costs,
                    "quarters": q, "hours": hours(q), "value_sek": value, "valued": valued,
                    "year_hours": {y: hours(year_totals[(person_id, y)]) for y in sorted(years)},
                    "annual_ceiling": ceiling})
    return sorted(out, key=lambda r: (r["municipality"], r["person"].casefold()))


def _grouped(rows: list[dict[str, Any]], keys: tuple[str, ...], extra: tuple[str, ...] = ()) -> list[dict[str, Any]]:
    groups: dict[tuple[Any, ...], dict[str, Any]] = {}
    for r in rows:
        key = tuple(r[k] for k in keys)
        g = groups.setdefault(key, {k: r[k] for k in keys} | {k: r[k] for k in extra} | {"quarters": 0,
                                                                                          "value_sek": Decimal(0)})
        g["quarters"] += r["quarters"]
        if r["value_sek"] is not None:
            g["value_sek"] += r["value_sek"]
    out = [g | {"hours": hours(g["quarters"])} for g in groups.values()]
    return sorted(out, key=lambda g: tuple(str(g[k]) for k in keys))
