"""ESF figures for the lägesrapport to SKR: hours per year against 500 h and ~250 h at joint meetings
(with the pace warning), hours per person kind, attendance at network meetings, and the count of
social enterprises against the baseline of the needs inventory.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime
from typing import Any

from journey.domain.esf import JOINT_MEETING_HOURS_PER_YEAR, TARGET_HOURS_PER_YEAR, format_hours, local_day, pace
from journey.domain.people import PersonKind
from journey.ports.unit_of_work import UnitOfWork
from journey.services.hours.common import settings_of


def _int(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def enterprises(evidence: dict[str, dict[str, Any]], deals: list[dict[str, Any]]) -> dict[str, Any]:
    """Baseline (needs inventory), the latest count (follow-up report) and those with a completed deal."""
    baseline = _int(evidence.get("needs_inventory", {}).get("enterprises_identified"))
    now = _int(evidence.get("follow_up_report", {}).get("enterprises_now"))
    with_deals = len({" ".join(str(d.get("counterparty", "")).split()).casefold() for d in deals
                      if d.get("counterparty")})
    change = now - baseline if now is not None and baseline is not None else None
    return {"baseline": baseline, "now": now, "with_deals": with_deals, "change": change}


def empty_report(today: date) -> dict[str, Any]:
    return {"has_data": False, "today": today.isoformat(), "period_start": "", "period_end": "", "years": [],
            "by_kind": [], "meetings": [], "meetings_attended": 0, "meetings_held": 0, "total_hours": "0",
            "enterprises": {"baseline": None, "now": None, "with_deals": 0, "change": None}}


def esf_report(uow: UnitOfWork, municipality_id: int, now: datetime, evidence: dict[str, dict[str, Any]],
               deals: list[dict[str, Any]]) -> dict[str, Any]:
    """The municipality's ESF figures from the start of the project period until ``now``."""
    today = local_day(now)
    settings = settings_of(uow)
    last = min(today, settings.period_end)
    rows = uow.hours.rows(settings.period_start, last, municipality_id)
    people = {p.id: p for p in uow.people.list(municipality_id)}
    meetings = [m for m in uow.hours.meetings(settings.period_start, last)
                if m.municipality_id in (None, municipality_id)]
    present: dict[int, int] = defaultdict(int)
    for meeting_id, mid, _person in uow.hours.attendance(settings.period_start, last):
        if mid == municipality_id:
            present[meeting_id] += 1
    years = []
    for year in range(settings.period_start.year, last.year + 1):
        mine = [r for r in rows if r.day.year == year]
        q = sum(r.quarters for r in mine)
        meeting_q = sum(r.quarters for r in mine if r.meeting_id is not None)
        hours_pace = pace(q, TARGET_HOURS_PER_YEAR, min(today, date(year, 12, 31)), settings, year)
        meeting_pace = pace(meeting_q, JOINT_MEETING_HOURS_PER_YEAR, min(today, date(year, 12, 31)), settings, year)
        kinds = {k: sum(r.quarters for r in mine if people.get(r.person_id) and people[r.person_id].kind is k)
                 for k in PersonKind}
        years.append({"year": year, "hours": format_hours(q), "meeting_hours": format_hours(meeting_q),
                      "participant_hours": format_hours(kinds[PersonKind.PARTICIPANT]),
                      "staff_hours": format_hours(kinds[PersonKind.STAFF]), "target": TARGET_HOURS_PER_YEAR,
                      "meeting_target": JOINT_MEETING_HOURS_PER_YEAR,
                      "expected": format_hours(hours_pace.expected_quarters),
                      "expected_meetings": format_hours(meeting_pace.expected_quarters),
                      "behind": hours_pace.behind, "meetings_behind": meeting_pace.behind})
    by_kind = []
    for kind in PersonKind:
        members = [p for p in people.values() if p.kind is kind]
        q = sum(r.quarters for r in rows if people.get(r.person_id) and people[r.person_id].kind is kind)
        by_kind.append({"kind": kind.value, "label": kind.label, "people": len(members), "hours": format_hours(q)})
    meeting_rows = [{"date": m.day.isoformat(), "kind": m.kind.label, "title": m.title,
                     "attendees": present.get(m.id or 0, 0)} for m in meetings]
    return {"has_data": bool(rows or meetings), "today": today.isoformat(),
            "period_start": settings.period_start.isoformat(), "period_end": settings.period_end.isoformat(),
            "years": years, "by_kind": by_kind, "meetings": meeting_rows,
            "meetings_attended": sum(1 for m in meeting_rows if m["attendees"]), "meetings_held": len(meeting_rows),
            "total_hours": format_hours(sum(r.quarters for r in rows)), "enterprises": enterprises(evidence, deals)}


def sample_report(today: date) -> dict[str, Any]:
    """Made-up figures for `journey templates check` (every branch of the template gets data)."""
    return {"has_data": True, "today": today.isoformat(), "period_start": "2021-01-01", "period_end": "2022-12-31",
            "years": [{"year": 2021, "hours": "512.25", "meeting_hours": "248", "participant_hours": "430.25",
                       "staff_hours": "82", "target": 500, "meeting_target": 250, "expected": "500",
                       "expected_meetings": "250", "behind": False, "meetings_behind": False},
                      {"year": 2022, "hours": "120.5", "meeting_hours": "35", "participant_hours": "100.5",
                       "staff_hours": "20", "target": 500, "meeting_target": 250, "expected": "250",
                       "expected_meetings": "125", "behind": True, "meetings_behind": True}],
            "by_kind": [{"kind": "PARTICIPANT", "label": "Deltagare", "people": 7, "hours": "530.75"},
                        {"kind": "STAFF", "label": "Projektpersonal", "people": 1, "hours": "102"}],
            "meetings": [{"date": "2021-03-24", "kind": "Fysiskt nätverksmöte", "title": "Nätverksträff & <test>",
                          "attendees": 5}, {"date": "2021-05-10", "kind": "Digitalt nätverksmöte",
                                            "title": "Digital träff", "attendees": 0}],
            "meetings_attended": 1, "meetings_held": 2, "total_hours": "632.75",
            "enterprises": {"baseline": 4, "now": 9, "with_deals": 2, "change": 5}}
