"""Claims: the network's ESF settings, claim periods and their locking, monthly attestation and approval."""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from typing import Any

from journey.domain.access import Action, Role, authorize
from journey.domain.errors import InputError, PermissionDeniedError, RefusedError
from journey.domain.esf import (
    Attestation,
    ClaimStatus,
    MonthStatus,
    format_hours,
    local_day,
    month_bounds,
    month_of,
    month_status,
    new_claim_period,
    parse_date,
    parse_month,
)
from journey.domain.messages import msg
from journey.services.cases.lifecycle import actor_in, find_municipality
from journey.services.deps import Deps
from journey.services.hours.common import audit, find_person, readable, settings_of
from journey.services.hours.entries import find_period


def show_settings(deps: Deps, username: str | None) -> dict[str, Any]:
    with deps.uow() as uow:
        actor_in(uow, username)
        return settings_of(uow).as_text()


def change_settings(deps: Deps, username: str | None, values: dict[str, str | None]) -> dict[str, Any]:
    """Change the network's ESF settings (SKR or admin); refused when entries would fall outside the period."""
    given = {k: v for k, v in values.items() if v is not None}
    if not given:
        raise InputError(msg("nothing to change: give --period-start, --period-end, --unit-cost-year, --annual-ceiling or "
                             "--daily-ceiling"))
    with deps.uow() as uow:
        actor = actor_in(uow, username)
        authorize(actor, Action.MANAGE_CLAIMS)
        old = settings_of(uow)
        new = old.changed(given)
        outside = [r for r in uow.hours.rows() if not new.period_start <= r.day <= new.period_end]
        if outside and sum(r.quarters for r in outside):
            raise RefusedError(msg("{count} time entries (from {value}) lie outside {period_start} – "
                                   "{period_end}; withdraw them first",
                count=len(outside), value=min(r.day for r in outside), period_start=new.period_start,
                period_end=new.period_end))
        periods = [p for p in uow.hours.claim_periods() if p.start < new.period_start or p.end > new.period_end]
        if periods:
            raise RefusedError(msg("claim period {label} lies outside {period_start} – {period_end}",
                label=periods[0].label, period_start=new.period_start, period_end=new.period_end))
        now = deps.clock.now()
        before, after = old.as_text(), new.as_text()
        for key, value in after.items():
            if key in given:
                uow.hours.set_setting(key, value, actor.username, now)
        audit(uow, "SETTINGS_CHANGED", actor.username, now, None, "settings",
              changed={k: [before[k], after[k]] for k in after if before[k] != after[k]})
        uow.commit()
        return after


def add_period(deps: Deps, username: str | None, start: str, end: str, name: str = "") -> dict[str, Any]:
    first, last = parse_date(start, "--start"), parse_date(end, "--end")
    with deps.uow() as uow:
        actor = actor_in(uow, username)
        authorize(actor, Action.MANAGE_CLAIMS)
        period = new_claim_period(name, first, last, settings_of(uow), uow.hours.claim_periods())
        now = deps.clock.now()
        added = uow.hours.add_claim_period(period, actor.username, now)
        audit(uow, "PERIOD_ADDED", actor.username, now, None, added.name, id=added.id, start=first.isoformat(),
              end=last.isoformat())
        uow.commit()
        return _period(added)


def _period(p: Any) -> dict[str, Any]:
    return {"id": p.id, "name": p.name, "start": p.start, "end": p.end, "status": p.status.value,
            "locked_by": p.locked_by, "locked_at": p.locked_at}


def list_periods(deps: Deps, username: str | None) -> list[dict[str, Any]]:
    with deps.uow() as uow:
        actor_in(uow, username)
        return [_period(p) for p in uow.hours.claim_periods()]


def lock_period(deps: Deps, username: str | None, period: str, allow_unapproved: bool = False) -> dict[str, Any]:
    """Lock a claim period (SKR or admin): its rows never change; later corrections go to the next open one."""
    from journey.services.hours.entries import rows_with_status

    with deps.uow() as uow:
        actor = actor_in(uow, username)
        authorize(actor, Action.MANAGE_CLAIMS)
        found = find_period(uow, period)
        if found.status is ClaimStatus.LOCKED:
            raise RefusedError(msg("claim period {label} is already locked (by {locked_by})",
                label=found.label, locked_by=found.locked_by))
        now = deps.clock.now()
        if found.end >= local_day(now):
            raise RefusedError(msg("claim period {label} is not over yet; lock it after {end}",
                label=found.label, end=found.end))
        rows, _ = rows_with_status(uow, [m.id or 0 for m in uow.municipalities.list()], period=str(found.id))
        open_months = sorted({(r["municipality"], r["person"], r["month"]) for r in rows
                              if r["status"] != MonthStatus.APPROVED.value})
        if open_months and not allow_unapproved:
            m, person, month = open_months[0]
            raise RefusedError(msg("{count} person-months in {name} are not approved (first: {person}, {m}, "
                                   "{month}); approve them, or lock with --allow-unapproved",
                count=len(open_months), name=found.name, person=person, m=m, month=month))
        pinned = uow.hours.lock_claim_period(found.id, actor.username, now)
        audit(uow, "PERIOD_LOCKED", actor.username, now, None, found.name, id=found.id, rows_pinned=pinned,
              unapproved_months=[f"{m} {p} {mo}" for m, p, mo in open_months])
        uow.commit()
        return _period(found) | {"status": ClaimStatus.LOCKED.value, "locked_by": actor.username, "locked_at": now,
                                 "rows": len(rows), "unapproved": len(open_months)}


def attest_month(deps: Deps, username: str | None, municipality: str, person: str, month: str,
                 on_paper: bool = False) -> dict[str, Any]:
    """The person certifies their month: from their own account, or ``on_paper`` recorded by the coordinator."""
    wanted = parse_month(month)
    with deps.uow() as uow:
        actor = actor_in(uow, username)
        m = find_municipality(uow, municipality)
        who = find_person(uow, m, person)
        if on_paper:
            authorize(actor, Action.CHANGE_CASE, m.id, m.name)
            method = "PAPER"
        elif actor.open_mode or (who.username and who.username == actor.username):
            method = "SELF"
        else:
            owner = msg("{name}'s own account ({username})", name=who.name, username=who.username) \
                if who.username else msg("a linked account (none yet)")
            raise PermissionDeniedError(msg("{username} may not attest {name}'s time: only {owner} attests; a "
                                            "coordinator records a signed paper certificate with --on-paper",
                username=actor.username, name=who.name, owner=owner))
        total, newest = uow.hours.month_rows(who.id or 0, wanted)
        if newest == 0:
            raise RefusedError(msg("{name} has no time reported in {wanted}", name=who.name, wanted=wanted))
        if month_bounds(wanted)[1] >= local_day(deps.clock.now()):
            raise RefusedError(msg("{wanted} is not over yet; attest the month after its last day", wanted=wanted))
        records = [a for a in uow.hours.attestations([who.id or 0]) if a.month == wanted]
        status, _, _ = month_status(newest, records)
        if status in (MonthStatus.ATTESTED, MonthStatus.APPROVED):
            raise RefusedError(msg("{name}'s {wanted} is already {value}",
                name=who.name, wanted=wanted, value=status.label.lower()))
        now = deps.clock.now()
        uow.hours.add_attestation(Attestation(who.id or 0, wanted, MonthStatus.ATTESTED, actor.username, now, newest,
                                              total, method))
        audit(uow, "ATTESTED", actor.username, now, m, f"{who.name} {wanted}", hours=format_hours(total),
              method=method, last_entry=newest)
        uow.commit()
        return {"municipality": m.name, "person": who.name, "month": wanted, "hours": format_hours(total),
                "method": method}


def approve_month(deps: Deps, username: str | None, municipality: str, month: str,
                  persons: list[str] | None = None) -> list[dict[str, Any]]:
    """A manager of the municipality (or an admin) approves attested months; without ``persons``, every one."""
    wanted = parse_month(month)
    with deps.uow() as uow:
        actor = actor_in(uow, username)
        m = find_municipality(uow, municipality)
        authorize(actor, Action.APPROVE_HOURS, m.id, m.name)
        people = [find_person(uow, m, p) for p in persons] if persons else uow.people.list(m.id)
        records: dict[int, list[Attestation]] = defaultdict(list)
        for a in uow.hours.attestations([p.id or 0 for p in people]):
            if a.month == wanted:
                records[a.person_id].append(a)
        now = deps.clock.now()
        done = []
        for who in people:
            total, newest = uow.hours.month_rows(who.id or 0, wanted)
            status, attested, _ = month_status(newest, records[who.id or 0])
            if persons and status is not MonthStatus.ATTESTED:
                hint = {"REPORTED": "it is not attested yet", "CHANGED": "it changed after the attestation",
                        "APPROVED": "it is already approved"}[status.value]
                raise RefusedError(msg("{name}'s {wanted} cannot be approved: {hint}",
                    name=who.name, wanted=wanted, hint=hint))
            if status is not MonthStatus.ATTESTED or attested is None:
                continue
            if who.username and who.username == actor.username and actor.role is not Role.ADMIN:
                raise PermissionDeniedError(msg("{username} may not approve their own time ({name})",
                    username=actor.username, name=who.name))
            uow.hours.add_attestation(Attestation(who.id or 0, wanted, MonthStatus.APPROVED, actor.username, now,
                                                  newest, total))
            audit(uow, "APPROVED", actor.username, now, m, f"{who.name} {wanted}", hours=format_hours(total),
                  attested_by=attested.actor)
            done.append({"municipality": m.name, "person": who.name, "month": wanted, "hours": format_hours(total),
                         "attested_by": attested.actor})
        if not done:
            raise RefusedError(msg("no attested month {wanted} to approve in {name}", wanted=wanted, name=m.name))
        uow.commit()
        return done


def months_overview(deps: Deps, username: str | None, municipality: str | None = None,
                    year: int | None = None) -> list[dict[str, Any]]:
    """Per person and month with time: hours and status (reported, attested, approved, changed)."""
    with deps.uow() as uow:
        actor = actor_in(uow, username)
        allowed = readable(actor, uow.municipalities.list())
        if municipality:
            m = find_municipality(uow, municipality)
            authorize(actor, Action.READ, m.id, m.name)
            allowed = [m]
        names = {m.id: m.name for m in allowed}
        settings = settings_of(uow)
        first = date(year, 1, 1) if year else settings.period_start
        last = date(year, 12, 31) if year else settings.period_end
        rows = [r for r in uow.hours.rows(first, last) if r.municipality_id in names]
        people = {p.id: p for p in uow.people.list()}
        records: dict[tuple[int, str], list[Attestation]] = defaultdict(list)
        for a in uow.hours.attestations(sorted({r.person_id for r in rows})):
            records[(a.person_id, a.month)].append(a)
    totals: dict[tuple[int, str], list[int]] = defaultdict(lambda: [0, 0])
    for r in rows:
        key = (r.person_id, month_of(r.day))
        totals[key][0] += r.quarters
        totals[key][1] = max(totals[key][1], r.id or 0)
    out = []
    for (person_id, month), (quarters, newest) in totals.items():
        p = people[person_id]
        status, attested, approved = month_status(newest, records[(person_id, month)])
        out.append({"municipality": names[p.municipality_id], "person": p.name, "month": month,
                    "quarters": quarters, "hours": format_hours(quarters), "status": status.value,
                    "status_label": status.label, "attested_by": attested.actor if attested else "",
                    "attested_at": attested.at if attested else None, "method": attested.method if attested else "",
                    "approved_by": approved.actor if approved else "", "approved_at": approved.at if approved else None})
    return sorted(out, key=lambda r: (r["municipality"], r["person"].casefold(), r["month"]))


def audit_log(deps: Deps, username: str | None, municipality: str | None = None, limit: int = 50) -> list[dict[str, Any]]:
    """The newest audited ESF changes the actor may read (network-wide ones only for SKR and admins)."""
    if limit < 1:
        raise InputError(msg("--limit must be at least 1"))
    with deps.uow() as uow:
        actor = actor_in(uow, username)
        allowed = readable(actor, uow.municipalities.list())
        names = {m.id: m.name for m in uow.municipalities.list()}
        ids: list[int] | None = [m.id or 0 for m in allowed]
        if municipality:
            m = find_municipality(uow, municipality)
            authorize(actor, Action.READ, m.id, m.name)
            ids = [m.id or 0]
        elif len(allowed) == len(names):
            ids = None
        rows = uow.hours.audit_log(ids, limit)
    return [r | {"municipality": names.get(r.pop("municipality_id"), "")} for r in rows]
