"""What the ESF hours use cases share: access, settings, people by name, stage on a date, writing rows.

Every row is written through :func:`write_rows`, which checks the project period, the person's
dates, the claim periods and both ceilings with the new rows included, all inside the caller's
transaction: one bad row and nothing is saved.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date, datetime
from typing import Any

from journey.domain.access import Action, Actor, Role, authorize, visible
from journey.domain.errors import InputError, NotFoundError, RefusedError
from journey.domain.esf import (
    ClaimPeriod,
    EntryKind,
    EsfSettings,
    MonthStatus,
    check_ceilings,
    check_new_entry_period,
    local_day,
    month_of,
    month_status,
    report_period,
    stage_on,
)
from journey.domain.hours import TimeEntry
from journey.domain.messages import msg
from journey.domain.municipality import Municipality
from journey.domain.people import Person, close_names, person_key
from journey.ports.unit_of_work import UnitOfWork
from journey.services.deps import Deps


def may_write(actor: Actor, m: Municipality, *, skr: bool = False) -> None:
    """Coordinators write their own municipality's hours, admins any; SKR staff only when ``skr``."""
    if skr and actor.role is Role.SKR:
        return
    authorize(actor, Action.CHANGE_CASE, m.id, m.name)


def readable(actor: Actor, municipalities: list[Municipality]) -> list[Municipality]:
    return visible(actor, municipalities, lambda m: m.id)


def settings_of(uow: UnitOfWork) -> EsfSettings:
    return EsfSettings.from_stored(uow.hours.settings())


def find_person(uow: UnitOfWork, m: Municipality, name: str) -> Person:
    """A registered person of ``m`` by name (case and spacing ignored), else the close matches."""
    people = uow.people.list(m.id)
    key = person_key(name)
    for p in people:
        if person_key(p.name) == key:
            return p
    close = close_names(name, [p.name for p in people])
    hint = (msg("; did you mean {names}?", names=" or ".join(repr(c) for c in close)) if close
            else msg("; register them with `journey people add {name} --name ...`", name=m.name))
    raise NotFoundError(msg("unknown person {value!r} in {name}{hint}", value=name.strip(), name=m.name, hint=hint))


def stage_changes(uow: UnitOfWork, municipality_id: int) -> list[tuple[date, str]]:
    """(Swedish calendar day, top-level stage) for each step of the municipality's case, oldest first."""
    case = uow.cases.for_municipality(municipality_id)
    if case is None or case.id is None:
        return []
    return [(local_day(h.at), h.to_state.split(".", 1)[0].split(",", 1)[0]) for h in uow.cases.history(case.id)]


@dataclass
class Writer:
    """Appends rows for one use case and checks them together; ``reopened`` lists attested months changed."""

    uow: UnitOfWork
    actor: str
    now: datetime
    settings: EsfSettings
    periods: list[ClaimPeriod] = field(default_factory=list)
    stages: dict[int, list[tuple[date, str]]] = field(default_factory=dict)
    written: list[tuple[int, TimeEntry]] = field(default_factory=list)
    locked: set[int] = field(default_factory=set)
    moved: list[str] = field(default_factory=list)
    reopened: list[str] = field(default_factory=list)

    @classmethod
    def start(cls, uow: UnitOfWork, actor: str, now: datetime) -> Writer:
        return cls(uow, actor, now, settings_of(uow), uow.hours.claim_periods())

    def stage(self, municipality_id: int, day: date) -> str:
        if municipality_id not in self.stages:
            self.stages[municipality_id] = stage_changes(self.uow, municipality_id)
        return stage_on(self.stages[municipality_id], day)

    def check_day(self, day: date) -> None:
        self.settings.check_in_period(day)
        if day > local_day(self.now):
            raise InputError(msg("date {day} is in the future; report time after the work is done", day=day))

    def add(self, entry: TimeEntry, person: Person) -> int:
        """Append one row (the stage and claim period are filled in here)."""
        if entry.kind in (EntryKind.ENTRY, EntryKind.CORRECTION):
            self.check_day(entry.day)
            person.check_active(entry.day)
        if entry.person_id not in self.locked:  # the ceilings are checked against totals nobody else changes
            self.uow.people.lock(entry.person_id)
            self.locked.add(entry.person_id)
        if entry.kind is EntryKind.ENTRY:
            natural = check_new_entry_period(self.periods, entry.day)
            period, moved = natural, False
        else:
            period, moved = report_period(self.periods, entry.day)
        if moved and period is not None:
            self.moved.append(period.name)
        row = replace(entry, stage=self.stage(entry.municipality_id, entry.day),
                      claim_period_id=period.id if period else None, person=person.name)
        row_id = self.uow.hours.add_entry(row, self.actor, self.now)
        self.written.append((row_id, row))
        return row_id

    def finish(self, people: dict[int, Person]) -> None:
        """Check both ceilings for every person and day touched, and note attested months that changed."""
        seen: set[tuple[int, date]] = set()
        months: set[tuple[int, str]] = set()
        for _, row in self.written:
            months.add((row.person_id, month_of(row.day)))
            if (row.person_id, row.day) in seen:
                continue
            seen.add((row.person_id, row.day))
            person = people[row.person_id]
            day_total = self.uow.hours.person_total(row.person_id, row.day, row.day)
            year_total = self.uow.hours.person_total(row.person_id, date(row.day.year, 1, 1), date(row.day.year, 12, 31))
            if row.quarters > 0:
                check_ceilings(self.settings, person.name, row.day, day_total, year_total)
        records = self.uow.hours.attestations(sorted({p for p, _ in months}))
        for person_id, month in sorted(months):
            mine = [r for r in records if r.person_id == person_id and r.month == month]
            if mine:
                _, newest = self.uow.hours.month_rows(person_id, month)
                status, _, _ = month_status(newest, mine)
                if status is MonthStatus.CHANGED:
                    self.reopened.append(f"{people[person_id].name} {month}")


def audit(uow: UnitOfWork, action: str, actor: str, at: datetime, m: Municipality | None, subject: str,
          **detail: Any) -> None:
    uow.hours.audit(action, actor, at, m.id if m else None, subject, detail)


def refuse_if_superseded(uow: UnitOfWork, entry: TimeEntry) -> None:
    """Only the current version of an entry can be corrected or withdrawn."""
    if entry.kind in (EntryKind.REVERSAL, EntryKind.WITHDRAWAL):
        raise RefusedError(msg("entry {id} is a {value} of entry {corrects_id}; only a current entry can be "
                               "corrected or withdrawn",
            id=entry.id, value=entry.kind.label.lower(), corrects_id=entry.corrects_id))
    followers = uow.hours.followers(entry.id or 0)
    newer = next((f for f in followers if f.kind is EntryKind.CORRECTION), None)
    if newer is not None:
        raise RefusedError(msg("entry {id} was already corrected; the current version is entry {id2}",
            id=entry.id, id2=newer.id))
    if any(f.kind is EntryKind.WITHDRAWAL for f in followers):
        raise RefusedError(msg("entry {id} was already withdrawn", id=entry.id))


def add_stage_titles(deps: Deps, uow: UnitOfWork, municipalities: list[Municipality],
                     rows: list[dict[str, Any]]) -> None:
    """Give each row its stage's title from the municipality's workflow (``policy`` -> ``Policy för ...``)."""
    catalog = deps.workflows()
    specs = catalog.all()[::-1]  # the newest first: titles of a stage id rarely change between versions
    own: dict[int | None, list[Any]] = {}
    for m in municipalities:
        case = uow.cases.for_municipality(m.id or 0)
        if case is not None:
            own[m.id] = [s for s in specs if (s.name, s.version) == (case.workflow, case.workflow_version)]
    for r in rows:
        stage = r["stage"]
        candidates = own.get(r["municipality_id"], []) + specs
        r["stage_title"] = next((s.state_title(stage) for s in candidates if s.state(stage) is not None),
                                stage) if stage else "(inget ärende)"
