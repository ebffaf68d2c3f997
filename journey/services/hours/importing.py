"""`journey hours import FILE`: many time entries at once, all rows or nothing.

Columns are found by their Swedish headers (any case): Kommun, Person (or Namn, Deltagare,
Medarbetare), Datum, Timmar (or Tid), Aktivitet, Beskrivning (or Beskrivning av arbetet). Every
row goes through the same checks as `journey hours log`, with the rows before it counted against the
ceilings; the first problem stops the import with ``file:line: column: problem`` and nothing is saved.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from journey.domain.errors import HoursFileError, InputError, JourneyError, RefusedError
from journey.domain.esf import check_ceilings, format_hours, parse_date, parse_quarters
from journey.domain.hours import MEETING_ACTIVITIES, TimeEntry, check_description, parse_activity
from journey.domain.messages import msg
from journey.domain.municipality import Municipality
from journey.domain.people import person_key
from journey.ports.hours import ImportRow, ImportTable
from journey.services.cases.lifecycle import actor_in, find_municipality
from journey.services.deps import Deps
from journey.services.hours.common import Writer, audit, find_person, may_write

COLUMNS = {
    "municipality": ("kommun", "kommunnamn", "kommunkod"),
    "person": ("person", "namn", "deltagare", "medarbetare", "personal"),
    "date": ("datum", "arbetsdag", "dag"),
    "hours": ("timmar", "tid", "antal timmar", "tid (timmar)"),
    "activity": ("aktivitet", "aktivitetstyp"),
    "description": ("beskrivning", "beskrivning av arbetet", "arbetsuppgift", "vad som gjordes"),
}
REQUIRED = ("person", "date", "hours", "activity", "description")


def _columns(table: ImportTable, default_municipality: str | None) -> dict[str, str]:
    """Field -> header as written in the file; unknown or missing columns are refused."""
    found: dict[str, str] = {}
    for header in table.headers:
        key = " ".join(header.split()).casefold()
        field = next((f for f, names in COLUMNS.items() if key in names), None)
        if field is None:
            raise HoursFileError(msg("{file}:1: unknown column {header!r} (columns: Kommun, Person, Datum, "
                                     "Timmar, Aktivitet, Beskrivning)", file=table.file, header=header))
        if field in found:
            raise HoursFileError(msg("{file}:1: columns {value!r} and {header!r} mean the same",
                file=table.file, value=found[field], header=header))
        found[field] = header
    missing = [f for f in REQUIRED if f not in found]
    if "municipality" not in found and not default_municipality:
        missing.insert(0, "municipality")
    if missing:
        names = {"municipality": "Kommun (or --municipality)", "person": "Person", "date": "Datum", "hours": "Timmar",
                 "activity": "Aktivitet", "description": "Beskrivning"}
        raise HoursFileError(msg("{file}:1: missing column {value}",
            file=table.file, value=', '.join(names[m] for m in missing)))
    if not table.rows:
        raise HoursFileError(msg("{file}:2: no rows to import", file=table.file))
    return found


def _text(value: Any) -> str:
    return "" if value is None else str(value).strip()


def _day(value: Any) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, int | float):
        raise InputError(msg("date {value!r} is not a date like 2022-03-14 (format the cell as a date)", value=value))
    return parse_date(_text(value))


def _parsed(row: ImportRow, cols: dict[str, str], default: str | None) -> dict[str, Any]:
    def cell(field: str) -> Any:
        return row.cells.get(cols[field], "") if field in cols else ""

    out: dict[str, Any] = {}
    for field, parse in (("municipality", _text), ("person", _text), ("date", _day), ("hours", parse_quarters),
                         ("activity", lambda v: parse_activity(_text(v))),
                         ("description", lambda v: check_description(_text(v)))):
        raw = cell(field)
        header = cols.get(field, "Kommun")
        if field == "municipality":
            out[field] = _text(raw) or default or ""
            if not out[field]:
                raise InputError(msg("{header}: empty (give the municipality or --municipality)", header=header))
            continue
        if _text(raw) == "":
            raise InputError(msg("{header}: empty", header=header))
        try:
            out[field] = parse(raw)
        except InputError as exc:
            raise InputError(msg("{header}: {exc}", header=header, exc=exc)) from None
    if out["activity"] in MEETING_ACTIVITIES:
        raise InputError(msg("{activity}: meeting hours come from attendance (`journey network-meetings attend`)",
            activity=cols['activity']))
    return out


def _located(exc: JourneyError, where: str) -> JourneyError:
    located = type(exc).__new__(type(exc))
    JourneyError.__init__(located, f"{where}: {exc}")
    return located


def import_hours(deps: Deps, username: str | None, table: ImportTable, municipality: str | None = None,
                 dry_run: bool = False) -> dict[str, Any]:
    """Validate every row, then write them all in one transaction (``dry_run``: validate only)."""
    cols = _columns(table, municipality)
    parsed: list[tuple[ImportRow, dict[str, Any]]] = []
    for row in table.rows:
        try:
            parsed.append((row, _parsed(row, cols, municipality)))
        except JourneyError as exc:
            raise _located(exc, f"{table.file}:{row.line}") from None
    with deps.uow() as uow:
        actor = actor_in(uow, username)
        writer = Writer.start(uow, actor.username, deps.clock.now())
        towns: dict[str, Municipality] = {}
        people: dict[int, Any] = {}
        seen: dict[tuple[Any, ...], int] = {}
        existing: dict[int, set[tuple[Any, ...]]] = {}
        for row, values in parsed:
            where = f"{table.file}:{row.line}"
            try:
                key = values["municipality"].casefold()
                if key not in towns:
                    try:
                        towns[key] = find_municipality(uow, values["municipality"])
                    except JourneyError as exc:
                        raise _located(exc, cols.get("municipality", "--municipality")) from None
                    may_write(actor, towns[key])
                m = towns[key]
                try:
                    who = find_person(uow, m, values["person"])
                except JourneyError as exc:
                    raise _located(exc, cols["person"]) from None
                people[who.id or 0] = who
                if who.id not in existing:
                    existing[who.id or 0] = _current(uow, who.id or 0)
                fingerprint = (values["date"], values["hours"], values["activity"].value,
                               person_key(values["description"]))
                if fingerprint in existing[who.id or 0]:
                    raise RefusedError(msg("the same entry is already reported for {name} (date, hours, "
                                           "activity and description); was the file imported before?", name=who.name))
                if (who.id, *fingerprint) in seen:
                    raise RefusedError(msg("repeats line {value} of the file", value=seen[who.id, *fingerprint]))
                seen[(who.id, *fingerprint)] = row.line
                try:
                    writer.add(TimeEntry(m.id or 0, who.id or 0, who.name, values["date"], values["hours"],
                                         values["activity"], values["description"]), who)
                except JourneyError as exc:
                    raise _located(exc, cols["date"]) from None
                day_total = uow.hours.person_total(who.id or 0, values["date"], values["date"])
                year = values["date"].year
                year_total = uow.hours.person_total(who.id or 0, date(year, 1, 1), date(year, 12, 31))
                try:
                    check_ceilings(writer.settings, who.name, values["date"], day_total, year_total)
                except JourneyError as exc:
                    raise _located(exc, cols["hours"]) from None
            except JourneyError as exc:
                raise _located(exc, where) from None
        writer.finish(people)
        total = sum(r.quarters for _, r in writer.written)
        result = {"file": table.file, "rows": len(writer.written), "hours": format_hours(total),
                  "municipalities": sorted(m.name for m in towns.values()), "dry_run": dry_run,
                  "first_id": writer.written[0][0], "last_id": writer.written[-1][0], "reattest": writer.reopened}
        if dry_run:
            return result
        audit(uow, "IMPORTED", actor.username, writer.now, next(iter(towns.values())) if len(towns) == 1 else None,
              table.file, rows=len(writer.written), hours=format_hours(total), ids=[writer.written[0][0],
                                                                                  writer.written[-1][0]])
        uow.commit()
        return result


def _current(uow: Any, person_id: int) -> set[tuple[Any, ...]]:
    """Fingerprints of the person's rows that still stand (not corrected or withdrawn)."""
    rows = uow.hours.rows(person_id=person_id)
    gone = {r.corrects_id for r in rows if r.corrects_id is not None}
    return {(r.day, r.quarters, r.activity.value, person_key(r.description)) for r in rows
            if r.quarters > 0 and r.id not in gone}
