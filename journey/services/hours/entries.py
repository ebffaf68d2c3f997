"""ESF time reporting: log quarter hours for registered people, correct or withdraw by appending,
list the rows with their status, and record network meetings with attendance.

Attendance at a meeting is stored as a time entry linked to the meeting, so it feeds the time
report like any other work (and cannot be counted twice for one person).
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from typing import Any

from journey.domain import limits
from journey.domain.access import Action, authorize
from journey.domain.errors import InputError, NotFoundError, RefusedError
from journey.domain.esf import EntryKind, hours, month_of, month_status, parse_date, parse_quarters, row_attestation
from journey.domain.esf import format_hours as format_hours  # also the CLI's
from journey.domain.esf import kronor as kronor
from journey.domain.hours import (
    MEETING_ACTIVITIES as MEETING_ACTIVITIES,
)
from journey.domain.hours import (
    REQUIRED_LOCAL_MEETINGS,
    REQUIRED_MEETINGS,
    MeetingKind,
    NetworkMeeting,
    TimeEntry,
    check_description,
    check_person,
    parse_activity,
    parse_meeting_kind,
    parse_meeting_quarters,
)
from journey.domain.hours import (
    Activity as Activity,
)
from journey.domain.messages import msg
from journey.domain.municipality import Municipality
from journey.domain.people import SALARY_GROUPS as SALARY_GROUPS  # also the CLI's vocabulary
from journey.domain.people import Person
from journey.domain.text import check_text
from journey.ports.unit_of_work import UnitOfWork
from journey.services.cases.lifecycle import actor_in, find_municipality
from journey.services.deps import Deps
from journey.services.hours.common import (
    Writer,
    add_stage_titles,
    audit,
    find_person,
    may_write,
    readable,
    refuse_if_superseded,
    settings_of,
)


def _result(writer: Writer, m: Municipality, rows: list[tuple[int, TimeEntry]]) -> dict[str, Any]:
    return {"municipality": m.name, "rows": [{"id": i, "person": r.person, "date": r.day, "hours": hours(r.quarters),
                                              "kind": r.kind.value, "activity": r.activity.value,
                                              "activity_label": r.activity.label, "stage": r.stage}
                                             for i, r in rows],
            "moved_to": sorted(set(writer.moved)), "reattest": writer.reopened}


def log_hours(deps: Deps, username: str | None, municipality: str, person: str, day: str, amount: str,
              activity: str, description: str) -> dict[str, Any]:
    """Record one time entry for a registered person; everything is checked before anything is saved."""
    work_day = parse_date(day)
    quarters = parse_quarters(amount)
    kind = parse_activity(activity)
    text = check_description(description)
    if kind in MEETING_ACTIVITIES:
        raise InputError(msg("meeting hours come from attendance: use `journey network-meetings attend`"))
    if not check_person(person):
        raise InputError(msg("a time entry needs --person"))
    with deps.uow() as uow:
        m = find_municipality(uow, municipality)
        actor = actor_in(uow, username)
        may_write(actor, m)
        assert m.id is not None
        who = find_person(uow, m, person)
        writer = Writer.start(uow, actor.username, deps.clock.now())
        entry = TimeEntry(m.id, who.id or 0, who.name, work_day, quarters, kind, text)
        entry_id = writer.add(entry, who)
        writer.finish({who.id or 0: who})
        uow.commit()
    result = _result(writer, m, writer.written)
    return result | {"id": entry_id}


def correct_entry(deps: Deps, username: str | None, entry_id: int, reason: str, *, day: str | None = None,
                  amount: str | None = None, activity: str | None = None, description: str | None = None,
                  person: str | None = None) -> dict[str, Any]:
    """Append a reversal of entry ``entry_id`` and its corrected version; the original stays as it was."""
    return _supersede(deps, username, entry_id, reason, withdraw=False, day=day, amount=amount, activity=activity,
                      description=description, person=person)


def withdraw_entry(deps: Deps, username: str | None, entry_id: int, reason: str) -> dict[str, Any]:
    """Append a withdrawal (negative copy) of entry ``entry_id``; the original stays as it was."""
    return _supersede(deps, username, entry_id, reason, withdraw=True)


def _supersede(deps: Deps, username: str | None, entry_id: int, reason: str, *, withdraw: bool,
               **changes: str | None) -> dict[str, Any]:
    why = " ".join(reason.split())
    if not why:
        raise InputError(msg("say why with --reason (it is kept with the correction)"))
    if len(why) > 500:
        raise InputError(msg("--reason is longer than 500 characters"))
    if not withdraw and not any(v is not None for v in changes.values()):
        raise InputError(msg("nothing to correct: give --hours, --date, --activity, --description or --person"))
    with deps.uow() as uow:
        actor = actor_in(uow, username)
        original = uow.hours.entry(entry_id)
        if original is None:
            raise NotFoundError(msg("no time entry {entry_id} (see `journey hours list`)", entry_id=entry_id))
        m = uow.municipalities.get(original.municipality_id)
        may_write(actor, m, skr=original.meeting_id is not None)
        refuse_if_superseded(uow, original)
        who = uow.people.get(original.person_id)
        people = {who.id or 0: who}
        writer = Writer.start(uow, actor.username, deps.clock.now())
        reversal = TimeEntry(original.municipality_id, original.person_id, original.person, original.day,
                             -original.quarters, original.activity, original.description, original.stage,
                             original.meeting_id, EntryKind.WITHDRAWAL if withdraw else EntryKind.REVERSAL,
                             entry_id, why)
        writer.add(reversal, who)
        if not withdraw:
            new_person = find_person(uow, m, person) if (person := changes.get("person")) else who
            people[new_person.id or 0] = new_person
            activity = parse_activity(given) if (given := changes.get("activity")) else original.activity
            if (activity in MEETING_ACTIVITIES) != (original.meeting_id is not None):
                raise InputError(msg("meeting hours come from attendance; a correction cannot turn work into a meeting or "
                                     "a meeting into other work"))
            corrected = TimeEntry(
                original.municipality_id, new_person.id or 0, new_person.name,
                parse_date(day) if (day := changes.get("day")) else original.day,
                parse_quarters(amount) if (amount := changes.get("amount")) else original.quarters,
                activity,
                check_description(text) if (text := changes.get("description")) else original.description,
                meeting_id=original.meeting_id, kind=EntryKind.CORRECTION, corrects_id=entry_id, reason=why)
            if corrected.person_id != original.person_id and original.meeting_id is not None:
                raise InputError(msg("attendance belongs to its person; withdraw it and record the right attendee"))
            writer.add(corrected, new_person)
        writer.finish(people)
        audit(uow, "WITHDRAWN" if withdraw else "CORRECTED", actor.username, writer.now, m, f"entry {entry_id}",
              reason=why, rows=[i for i, _ in writer.written], moved_to=writer.moved)
        uow.commit()
    return _result(writer, m, writer.written) | {"original": entry_id}


# Reading -----------------------------------------------------------------------------------------

def _row_states(rows: list[TimeEntry]) -> dict[int, tuple[str, int | None]]:
    """Per row: 'current', 'corrected' or 'withdrawn' (with the row that did it), or 'reversal'."""
    by_target: dict[int, list[TimeEntry]] = defaultdict(list)
    for r in rows:
        if r.corrects_id is not None:
            by_target[r.corrects_id].append(r)
    states: dict[int, tuple[str, int | None]] = {}
    for r in rows:
        rid = r.id or 0
        if r.kind in (EntryKind.REVERSAL, EntryKind.WITHDRAWAL):
            states[rid] = ("reversal" if r.kind is EntryKind.REVERSAL else "withdrawal", r.corrects_id)
            continue
        followers = by_target.get(rid, [])
        newer = next((f for f in followers if f.kind is EntryKind.CORRECTION), None)
        if newer is not None:
            states[rid] = ("corrected", newer.id)
        elif any(f.kind is EntryKind.WITHDRAWAL for f in followers):
            states[rid] = ("withdrawn", next(f.id for f in followers if f.kind is EntryKind.WITHDRAWAL))
        else:
            states[rid] = ("current", None)
    return states


def scope(uow: UnitOfWork, year: int | None, period: str | None) -> tuple[date | None, date | None, Any]:
    """The date range and the claim period (or None) that ``--year``/``--period`` select."""
    if period:
        found = find_period(uow, period)
        return None, None, found
    settings = settings_of(uow)
    if year is None:
        return settings.period_start, settings.period_end, None
    return date(year, 1, 1), date(year, 12, 31), None


def find_period(uow: UnitOfWork, text: str) -> Any:
    periods = uow.hours.claim_periods()
    wanted = text.strip()
    for p in periods:
        if wanted == str(p.id) or wanted.casefold() == p.name.casefold():
            return p
    known = ", ".join(f"{p.id} {p.name!r}" for p in periods) or msg("none yet (`journey hours periods add`)")
    raise NotFoundError(msg("no claim period {text!r}; claim periods: {known}", text=text, known=known))


def in_claim(row: TimeEntry, period: Any, periods: list[Any]) -> bool:
    """Whether ``row`` is reported in claim ``period``."""
    if row.claim_period_id is not None:
        return bool(row.claim_period_id == period.id)
    natural = next((p for p in periods if p.covers(row.day)), None)
    return natural is not None and natural.id == period.id


def rows_with_status(uow: UnitOfWork, municipality_ids: list[int], year: int | None = None,
                     period: str | None = None, person_id: int | None = None) -> tuple[list[dict[str, Any]], Any]:
    """Every row in scope with its person, municipality, claim period, row state and month status."""
    first, last, claim = scope(uow, year, period)
    periods = uow.hours.claim_periods()
    names = {m.id: m for m in uow.municipalities.list()}
    people = {p.id: p for p in uow.people.list()}
    wanted = set(municipality_ids)
    every = [r for r in uow.hours.rows(person_id=person_id) if r.municipality_id in wanted]
    states = _row_states(every)
    records = uow.hours.attestations(sorted({r.person_id for r in every}))
    by_month: dict[tuple[int, str], list[Any]] = defaultdict(list)
    for a in records:
        by_month[(a.person_id, a.month)].append(a)
    newest: dict[tuple[int, str], int] = {}
    for r in every:
        key = (r.person_id, month_of(r.day))
        newest[key] = max(newest.get(key, 0), r.id or 0)
    period_names = {p.id: p.name for p in periods}
    out = []
    for r in every:
        if claim is not None:
            if not in_claim(r, claim, periods):
                continue
        elif (first and r.day < first) or (last and r.day > last):
            continue
        key = (r.person_id, month_of(r.day))
        status, attested, approved = row_attestation(r.id or 0, by_month.get(key, []))
        month, _, _ = month_status(newest[key], by_month.get(key, []))
        natural = next((p for p in periods if p.covers(r.day)), None)
        reported_in = r.claim_period_id if r.claim_period_id is not None else (natural.id if natural else None)
        state, other = states[r.id or 0]
        m, p = names[r.municipality_id], people.get(r.person_id)
        out.append({"id": r.id, "municipality_id": r.municipality_id, "municipality": m.name, "code": m.code,
                    "county": m.county, "person_id": r.person_id, "person": r.person, "date": r.day,
                    "month": key[1], "quarters": r.quarters, "hours": hours(r.quarters), "activity": r.activity.value,
                    "activity_label": r.activity.label, "description": r.description, "stage": r.stage,
                    "meeting_id": r.meeting_id, "kind": r.kind.value, "kind_label": r.kind.label,
                    "corrects": r.corrects_id, "reason": r.reason, "state": state, "state_ref": other,
                    "claim_period": period_names.get(reported_in, ""), "claim_period_id": reported_in,
                    "moved": r.claim_period_id is not None and natural is not None and r.claim_period_id != natural.id,
                    "status": status.value, "status_label": status.label, "month_status": month.value,
                    "month_status_label": month.label,
                    "attested_by": attested.actor if attested else "", "attested_at": attested.at if attested else None,
                    "attest_method": attested.method if attested else "",
                    "approved_by": approved.actor if approved else "", "approved_at": approved.at if approved else None,
                    "created_by": r.created_by, "created_at": r.created_at,
                    "person_kind": p.kind.value if p else "", "person_kind_label": p.kind.label if p else ""})
    return out, claim


def entries(deps: Deps, username: str | None, year: int | None = None, municipality: str | None = None,
            period: str | None = None, person: str | None = None) -> list[dict[str, Any]]:
    """The rows the actor may read, in ``year`` or claim ``period`` (default: the whole project period)."""
    with deps.uow() as uow:
        actor = actor_in(uow, username)
        allowed = readable(actor, uow.municipalities.list())
        person_id = None
        if municipality:
            m = find_municipality(uow, municipality)
            authorize(actor, Action.READ, m.id, m.name)
            allowed = [m]
            if person:
                person_id = find_person(uow, m, person).id
        elif person:
            raise InputError(msg("--person needs the MUNICIPALITY argument"))
        rows, _ = rows_with_status(uow, [m.id or 0 for m in allowed], year, period, person_id)
        add_stage_titles(deps, uow, allowed, rows)
        return rows


# Network meetings --------------------------------------------------------------------------------

def add_meeting(deps: Deps, username: str | None, kind: str, day: str, title: str, length: str | None = None,
                municipality: str | None = None) -> NetworkMeeting:
    """Record a network meeting (SKR or admin) or a municipality's local full-day meeting."""
    parsed = parse_meeting_kind(kind)
    meeting_day = parse_date(day)
    quarters = parse_meeting_quarters(length, parsed)
    title = check_text(title, "title", limits.NETWORK_MEETING_TITLE)
    if not title.strip():
        raise InputError(msg("a meeting needs a --title"))
    if (parsed is MeetingKind.LOCAL) != bool(municipality):
        raise InputError(msg("a local meeting needs --municipality; a network meeting has none"))
    with deps.uow() as uow:
        actor = actor_in(uow, username)
        settings_of(uow).check_in_period(meeting_day)
        m = find_municipality(uow, municipality) if municipality else None
        if m is not None:
            may_write(actor, m, skr=True)
        else:
            authorize(actor, Action.MANAGE_REGISTRY)
        meeting = uow.hours.add_meeting(NetworkMeeting(parsed, meeting_day, " ".join(title.split()), quarters,
                                                       m.id if m else None), actor.username, deps.clock.now())
        audit(uow, "MEETING_ADDED", actor.username, deps.clock.now(), m, meeting.title, id=meeting.id,
              kind=parsed.value, date=meeting_day.isoformat(), quarters=quarters)
        uow.commit()
        return meeting


def attend(deps: Deps, username: str | None, meeting_id: int, municipality: str, persons: list[str]) -> int:
    """Record who from ``municipality`` attended; each registered person gets the meeting's hours."""
    names = [check_person(" ".join(p.split())) for p in persons if p.strip()]
    if not names:
        raise InputError(msg("name at least one --person who attended"))
    with deps.uow() as uow:
        repo = uow.hours
        meeting = repo.meeting(meeting_id)
        if meeting is None:
            raise NotFoundError(msg("no network meeting with id {meeting_id} (see `journey network-meetings "
                                    "list`)", meeting_id=meeting_id))
        m = find_municipality(uow, municipality)
        assert m.id is not None
        if meeting.day > deps.today():
            raise RefusedError(msg("meeting {meeting_id} is on {day}, in the future; record attendance "
                                   "afterwards", meeting_id=meeting_id, day=meeting.day))
        if meeting.municipality_id not in (None, m.id):
            raise RefusedError(msg("meeting {meeting_id} is another municipality's local meeting", meeting_id=meeting_id))
        actor = actor_in(uow, username)
        may_write(actor, m, skr=True)
        activity = Activity.LOCAL_MEETING if meeting.kind is MeetingKind.LOCAL else Activity.NETWORK_MEETING
        writer = Writer.start(uow, actor.username, deps.clock.now())
        people: dict[int, Person] = {}
        for name in dict.fromkeys(names):
            who = find_person(uow, m, name)
            if who.id in people or repo.attended(meeting_id, who.id or 0):
                raise RefusedError(msg("{name} is already recorded as attending meeting {meeting_id}; nothing "
                                       "was saved", name=who.name, meeting_id=meeting_id))
            people[who.id or 0] = who
            writer.add(TimeEntry(m.id, who.id or 0, who.name, meeting.day, meeting.quarters, activity, meeting.title,
                                 meeting_id=meeting_id), who)
        writer.finish(people)
        uow.commit()
        return len(people)


def meetings(deps: Deps, username: str | None, year: int) -> dict[str, Any]:
    """The year's meetings with attendance, and which required meetings are still missing."""
    with deps.uow() as uow:
        actor = actor_in(uow, username)
        repo = uow.hours
        first, last = date(year, 1, 1), date(year, 12, 31)
        found, attendance = repo.meetings(first, last), repo.attendance(first, last)
        municipalities = readable(actor, uow.municipalities.list())
        people = {p.id: p.name for p in uow.people.list()}
    names = {m.id: m.name for m in municipalities}
    present: dict[int, list[tuple[str, str]]] = defaultdict(list)
    for mid_meeting, mid, person_id in attendance:
        if mid in names:
            present[mid_meeting].append((names[mid], people.get(person_id, "")))
    rows = [{"id": mt.id, "kind": mt.kind.value, "kind_label": mt.kind.label, "date": mt.day, "title": mt.title,
             "hours": hours(mt.quarters),
             "municipality": names.get(mt.municipality_id) if mt.municipality_id else None,
             "attendees": len(present[mt.id or 0]),
             "municipalities_present": sorted({n for n, _ in present[mt.id or 0]})}
            for mt in found if mt.municipality_id is None or mt.municipality_id in names]
    held = {k: sum(1 for mt in found if mt.kind is k) for k in MeetingKind}
    missing = {k.value: max(0, n - held[k]) for k, n in REQUIRED_MEETINGS.items()}
    local_held = {mt.municipality_id for mt in found if mt.kind is MeetingKind.LOCAL}
    without_local = [m.name for m in municipalities if m.id not in local_held]
    return {"year": year, "meetings": rows, "required": {k.value: n for k, n in REQUIRED_MEETINGS.items()}
            | {MeetingKind.LOCAL.value: REQUIRED_LOCAL_MEETINGS}, "missing": missing,
            "municipalities_without_local_meeting": without_local}
