"""The people who report time, per municipality: `journey people add | list | update | review`."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from journey.domain.access import Action, authorize
from journey.domain.errors import InputError, NotFoundError, RefusedError
from journey.domain.esf import format_hours, kronor, parse_date, parse_sek
from journey.domain.messages import msg
from journey.domain.municipality import Municipality
from journey.domain.people import Person, PersonKind, clean_name, parse_kind, parse_salary_group, parse_share, person_key
from journey.ports.unit_of_work import UnitOfWork
from journey.services.cases.lifecycle import actor_in, find_municipality
from journey.services.deps import Deps
from journey.services.hours.common import audit, may_write, readable

FIELDS = ("name", "kind", "function", "department", "share", "salary_group", "unit_cost", "start", "end", "user")


def describe(p: Person, municipality: str = "") -> dict[str, Any]:
    return {"id": p.id, "municipality": municipality, "name": p.name, "kind": p.kind.value, "kind_label": p.kind.label,
            "function": p.function, "department": p.department, "share_percent": p.share_percent,
            "salary_group": p.salary_group, "unit_cost_sek": kronor(p.unit_cost_ore) if p.unit_cost_ore is not None
            else None, "start": p.start, "end": p.end, "user": p.username, "review_note": p.review_note}


def _apply(person: Person, values: dict[str, Any], uow: UnitOfWork) -> Person:
    """``values``: raw option values by FIELDS name (None: unchanged); empty text clears an optional field."""
    changes: dict[str, Any] = {}
    if values.get("name") is not None:
        changes["name"] = clean_name(values["name"])
    if values.get("kind") is not None:
        changes["kind"] = parse_kind(values["kind"])
    for key in ("function", "department"):
        if values.get(key) is not None:
            changes[key] = " ".join(str(values[key]).split())[:200]
    if values.get("share") is not None:
        changes["share_percent"] = parse_share(values["share"]) if str(values["share"]).strip() else None
    if values.get("salary_group") is not None:
        changes["salary_group"] = parse_salary_group(values["salary_group"]) if values["salary_group"].strip() else ""
    if values.get("unit_cost") is not None:
        changes["unit_cost_ore"] = parse_sek(values["unit_cost"]) if str(values["unit_cost"]).strip() else None
    for key, attr in (("start", "start"), ("end", "end")):
        if values.get(key) is not None:
            changes[attr] = parse_date(values[key], f"--{key}") if values[key].strip() else None
    if values.get("user") is not None:
        username = values["user"].strip()
        if username and uow.users.find(username) is None:
            raise NotFoundError(msg("no user {username!r} (add one with `journey users add`)", username=username))
        changes["username"] = username
    updated = replace(person, **changes)
    if updated.kind is PersonKind.PARTICIPANT and updated.share_percent is not None:
        raise InputError(msg("--share (share of full time) is for project staff (--kind staff)"))
    if "salary_group" in changes and "unit_cost_ore" in changes and updated.salary_group and \
            updated.unit_cost_ore is not None:
        raise InputError(msg("give --salary-group or --unit-cost, not both (a unit cost replaces the group's)"))
    if updated.start and updated.end and updated.end < updated.start:
        raise InputError(msg("--end {end} is before --start {start}", end=updated.end, start=updated.start))
    return updated


def _same_name(uow: UnitOfWork, m: Municipality, name: str, except_id: int | None = None) -> None:
    for other in uow.people.list(m.id):
        if person_key(other.name) == person_key(name) and other.id != except_id:
            raise RefusedError(msg("{name} is already registered in {name2}", name=other.name, name2=m.name))


def add_person(deps: Deps, username: str | None, municipality: str, values: dict[str, Any]) -> dict[str, Any]:
    """Register a person who reports time for ``municipality`` (its coordinator or an admin)."""
    if not (values.get("name") or "").strip():
        raise InputError(msg("a person needs --name"))
    with deps.uow() as uow:
        actor = actor_in(uow, username)
        m = find_municipality(uow, municipality)
        may_write(actor, m)
        assert m.id is not None
        person = _apply(Person(None, m.id, "?"), values, uow)
        _same_name(uow, m, person.name)
        now = deps.clock.now()
        added = uow.people.add(person, actor.username, now)
        audit(uow, "PERSON_ADDED", actor.username, now, m, added.name, **_audit_fields(added))
        uow.commit()
        return describe(added, m.name)


def update_person(deps: Deps, username: str | None, municipality: str, name: str, values: dict[str, Any],
                  reviewed: bool = False) -> dict[str, Any]:
    """Change a person's details; the old and new values are audited. ``reviewed`` clears the review note."""
    from journey.services.hours.common import find_person

    if not any(v is not None for v in values.values()) and not reviewed:
        raise InputError(msg("nothing to change: give at least one option (see `journey people update --help`)"))
    with deps.uow() as uow:
        actor = actor_in(uow, username)
        m = find_municipality(uow, municipality)
        may_write(actor, m)
        person = find_person(uow, m, name)
        updated = _apply(person, values, uow)
        if reviewed:
            updated = replace(updated, review_note="")
        if updated.name != person.name:
            _same_name(uow, m, updated.name, person.id)
        outside = [r for r in uow.hours.rows(person_id=person.id) if not updated.active_on(r.day)]
        if outside and sum(r.quarters for r in outside):
            first = min(r.day for r in outside)
            raise RefusedError(msg("{name} has {value} h reported outside the new dates (from {first}); "
                                   "withdraw or correct those entries first",
                name=person.name, value=format_hours(sum(r.quarters for r in outside)), first=first))
        now = deps.clock.now()
        uow.people.save(updated, actor.username, now)
        before, after = _audit_fields(person), _audit_fields(updated)
        audit(uow, "PERSON_UPDATED", actor.username, now, m, updated.name,
              changed={k: [before[k], after[k]] for k in after if before[k] != after[k]})
        uow.commit()
        return describe(updated, m.name)


def _audit_fields(p: Person) -> dict[str, Any]:
    return {"name": p.name, "kind": p.kind.value, "function": p.function, "department": p.department,
            "share_percent": p.share_percent, "salary_group": p.salary_group, "unit_cost_ore": p.unit_cost_ore,
            "start": p.start.isoformat() if p.start else None, "end": p.end.isoformat() if p.end else None,
            "user": p.username, "review_note": p.review_note}


def list_people(deps: Deps, username: str | None, municipality: str | None = None,
                review: bool = False) -> list[dict[str, Any]]:
    """Registered people the actor may read; ``review``: only those the migration flagged or without a unit cost."""
    with deps.uow() as uow:
        actor = actor_in(uow, username)
        municipalities = readable(actor, uow.municipalities.list())
        if municipality:
            m = find_municipality(uow, municipality)
            authorize(actor, Action.READ, m.id, m.name)
            municipalities = [m]
        names = {m.id: m.name for m in municipalities}
        rows = [describe(p, names[p.municipality_id]) for p in uow.people.list() if p.municipality_id in names]
    if review:
        rows = [r | {"problems": _problems(r)} for r in rows if _problems(r)]
    return sorted(rows, key=lambda r: (r["municipality"], r["name"].casefold()))


def _problems(row: dict[str, Any]) -> list[str]:
    problems = [row["review_note"]] if row["review_note"] else []
    if not row["salary_group"] and row["unit_cost_sek"] is None:
        problems.append("no salary group or unit cost: the hours cannot be valued")
    return problems
