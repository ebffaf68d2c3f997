"""ESF time reporting: log whole hours, total them per person and municipality against the
500 h/year target, value the co-financing, and record network meetings with attendance.

Attendance at a meeting is stored as a time entry linked to the meeting, so it feeds the
time report like any other work (and cannot be counted twice for one person).
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from journey.domain.access import Action, Actor, Role, authorize, visible
from journey.domain.errors import InputError, NotFoundError, RefusedError
from journey.domain.hours import (  # DEFAULT_HOURLY_RATE and Activity are also the CLI's vocabulary
    DEFAULT_HOURLY_RATE as DEFAULT_HOURLY_RATE,
)
from journey.domain.hours import (
    DEFAULT_MEETING_HOURS,
    MAX_HOURS_PER_DAY,
    REQUIRED_LOCAL_MEETINGS,
    REQUIRED_MEETINGS,
    TARGET_HOURS_PER_YEAR,
    Activity,
    MeetingKind,
    NetworkMeeting,
    TimeEntry,
    co_financing_value,
    make_entry,
    parse_day,
    parse_hours,
    parse_meeting_kind,
)
from journey.domain.municipality import Municipality
from journey.ports.unit_of_work import UnitOfWork
from journey.services.cases.lifecycle import actor_in, find_municipality
from journey.services.deps import Deps


def _may_write(actor: Actor, m: Municipality, *, skr: bool = False) -> None:
    """Coordinators write their own municipality's hours, admins any; SKR staff only when ``skr``."""
    if skr and actor.role is Role.SKR:
        return
    authorize(actor, Action.CHANGE_CASE, m.id, m.name)


def _readable(actor: Actor, municipalities: list[Municipality]) -> list[Municipality]:
    return visible(actor, municipalities, lambda m: m.id)


def _check_day(uow: UnitOfWork, entry: TimeEntry) -> None:
    already = uow.hours.day_total(entry.person, entry.day)
    if already + entry.hours > MAX_HOURS_PER_DAY:
        raise RefusedError(f"{entry.person} would have {already + entry.hours} h on {entry.day}; "
                           f"at most {MAX_HOURS_PER_DAY} h a day can be reported")


def log_hours(deps: Deps, username: str | None, municipality: str, person: str, day: str, hours: str | int,
              activity: str, description: str) -> dict[str, Any]:
    """Record one time entry; input is validated before anything is written."""
    entry = make_entry(0, person, day, hours, activity, description)
    if entry.day > deps.clock.now().date():
        raise InputError(f"date {entry.day} is in the future; report time after the work is done")
    if entry.activity in (Activity.NETWORK_MEETING, Activity.LOCAL_MEETING):
        raise InputError("meeting hours come from attendance: use `journey network-meetings attend`")
    with deps.uow() as uow:
        m = find_municipality(uow, municipality)
        actor = actor_in(uow, username)
        _may_write(actor, m)
        assert m.id is not None
        case = uow.cases.for_municipality(m.id)
        entry = TimeEntry(m.id, entry.person, entry.day, entry.hours, entry.activity, entry.description,
                          case.stage if case else "")
        _check_day(uow, entry)
        entry_id = uow.hours.add_entry(entry, actor.username)
        uow.commit()
    return {"id": entry_id, "municipality": m.name, "person": entry.person, "date": entry.day,
            "hours": entry.hours, "activity": entry.activity.value, "stage": entry.stage}


def entries(deps: Deps, username: str | None, year: int, municipality: str | None = None) -> list[dict[str, Any]]:
    """The year's time entries the actor may read, oldest first per municipality."""
    with deps.uow() as uow:
        actor = actor_in(uow, username)
        allowed = {m.id for m in _readable(actor, uow.municipalities.list())}
        only = None
        if municipality:
            m = find_municipality(uow, municipality)
            authorize(actor, Action.READ, m.id, m.name)
            only = m.id
        return [e for e in uow.hours.entries(year, only) if e["municipality_id"] in allowed]


def summary(deps: Deps, username: str | None, year: int, rate: float,
            municipality: str | None = None) -> dict[str, Any]:
    """Totals per municipality (every readable one, also at 0 h) and per person, valued at ``rate`` SEK/h."""
    if rate < 0:
        raise InputError(f"hourly rate {rate} must not be negative")
    with deps.uow() as uow:
        actor = actor_in(uow, username)
        municipalities = _readable(actor, uow.municipalities.list())
        if municipality:
            m = find_municipality(uow, municipality)
            authorize(actor, Action.READ, m.id, m.name)
            municipalities = [m]
    rows = entries(deps, username, year, municipality)
    by_m: dict[int, dict[str, int]] = defaultdict(lambda: {"hours": 0, "meeting_hours": 0})
    by_person: dict[tuple[str, str], int] = defaultdict(int)
    by_stage: dict[tuple[str, str], int] = defaultdict(int)
    for e in rows:
        by_stage[(e["municipality"], e["stage"])] += e["hours"]
        by_m[e["municipality_id"]]["hours"] += e["hours"]
        if e["meeting_id"] is not None:
            by_m[e["municipality_id"]]["meeting_hours"] += e["hours"]
        by_person[(e["municipality"], e["person"])] += e["hours"]
    totals = []
    for m in municipalities:
        hours = by_m[m.id or 0]["hours"]
        totals.append({"municipality": m.name, "code": m.code, "hours": hours,
                       "meeting_hours": by_m[m.id or 0]["meeting_hours"], "target": TARGET_HOURS_PER_YEAR,
                       "share": round(hours / TARGET_HOURS_PER_YEAR, 3),
                       "remaining": max(0, TARGET_HOURS_PER_YEAR - hours), "value_sek": co_financing_value(hours, rate)})
    persons = [{"municipality": mname, "person": person, "hours": h, "value_sek": co_financing_value(h, rate)}
               for (mname, person), h in sorted(by_person.items())]
    total = sum(by_m[m.id or 0]["hours"] for m in municipalities)
    return {"year": year, "rate_sek": rate, "target_per_municipality": TARGET_HOURS_PER_YEAR,
            "municipalities": totals, "persons": persons,
            "stages": [{"municipality": mname, "stage": stage, "hours": h} for (mname, stage), h in by_stage.items()],
            "total": {"hours": total, "value_sek": co_financing_value(total, rate)}}


def add_meeting(deps: Deps, username: str | None, kind: str, day: str, title: str, hours: str | None = None,
                municipality: str | None = None) -> NetworkMeeting:
    """Record a network meeting (SKR or admin) or a municipality's local full-day meeting."""
    parsed = parse_meeting_kind(kind)
    meeting_day = parse_day(day)
    length = parse_hours(hours) if hours is not None else DEFAULT_MEETING_HOURS[parsed]
    if not title.strip():
        raise InputError("a meeting needs a --title")
    if (parsed is MeetingKind.LOCAL) != bool(municipality):
        raise InputError("a local meeting needs --municipality; a network meeting has none")
    with deps.uow() as uow:
        actor = actor_in(uow, username)
        m = find_municipality(uow, municipality) if municipality else None
        if m is not None:
            _may_write(actor, m, skr=True)
        else:
            authorize(actor, Action.MANAGE_REGISTRY)
        meeting = uow.hours.add_meeting(
            NetworkMeeting(parsed, meeting_day, title.strip(), length, m.id if m else None), actor.username)
        uow.commit()
        return meeting


def attend(deps: Deps, username: str | None, meeting_id: int, municipality: str, persons: list[str]) -> int:
    """Record who from ``municipality`` attended; each becomes a time entry of the meeting's hours."""
    names = [" ".join(p.split()) for p in persons if p.strip()]
    if not names:
        raise InputError("name at least one --person who attended")
    with deps.uow() as uow:
        repo = uow.hours
        meeting = repo.meeting(meeting_id)
        if meeting is None:
            raise NotFoundError(f"no network meeting with id {meeting_id} (see `journey network-meetings list`)")
        m = find_municipality(uow, municipality)
        assert m.id is not None
        if meeting.day > deps.clock.now().date():
            raise RefusedError(f"meeting {meeting_id} is on {meeting.day}, in the future; record attendance afterwards")
        if meeting.municipality_id not in (None, m.id):
            raise RefusedError(f"meeting {meeting_id} is another municipality's local meeting")
        actor = actor_in(uow, username)
        _may_write(actor, m, skr=True)
        case = uow.cases.for_municipality(m.id)
        activity = Activity.LOCAL_MEETING if meeting.kind is MeetingKind.LOCAL else Activity.NETWORK_MEETING
        for name in dict.fromkeys(names):
            if repo.attended(meeting_id, m.id, name):
                raise RefusedError(f"{name} is already recorded as attending meeting {meeting_id}; nothing was saved")
            entry = TimeEntry(m.id, name, meeting.day, meeting.hours, activity, meeting.title,
                              case.stage if case else "", meeting_id)
            _check_day(uow, entry)
            repo.add_entry(entry, actor.username)
        uow.commit()
        return len(dict.fromkeys(names))


def meetings(deps: Deps, username: str | None, year: int) -> dict[str, Any]:
    """The year's meetings with attendance, and which required meetings are still missing."""
    with deps.uow() as uow:
        actor = actor_in(uow, username)
        repo = uow.hours
        found, attendance = repo.meetings(year), repo.attendance(year)
        municipalities = _readable(actor, uow.municipalities.list())
    names = {m.id: m.name for m in municipalities}
    people: dict[int, list[tuple[str, str]]] = defaultdict(list)
    for meeting_id, mid, person in attendance:
        if mid in names:
            people[meeting_id].append((names[mid], person))
    rows = [{"id": mt.id, "kind": mt.kind.value, "date": mt.day, "title": mt.title, "hours": mt.hours,
             "municipality": names.get(mt.municipality_id) if mt.municipality_id else None,
             "attendees": len(people[mt.id or 0]),
             "municipalities_present": sorted({n for n, _ in people[mt.id or 0]})}
            for mt in found if mt.municipality_id is None or mt.municipality_id in names]
    held = {k: sum(1 for mt in found if mt.kind is k) for k in MeetingKind}
    missing = {k.value: max(0, n - held[k]) for k, n in REQUIRED_MEETINGS.items()}
    local_held = {mt.municipality_id for mt in found if mt.kind is MeetingKind.LOCAL}
    without_local = [m.name for m in municipalities if m.id not in local_held]
    return {"year": year, "meetings": rows, "required": {k.value: n for k, n in REQUIRED_MEETINGS.items()}
            | {MeetingKind.LOCAL.value: REQUIRED_LOCAL_MEETINGS}, "missing": missing,
            "municipalities_without_local_meeting": without_local}
