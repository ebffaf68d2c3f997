"""The plain hours and people repositories (adapters/dbapi/repositories/hours.py) against their ORM
twins (adapters/sql/repositories/hours.py): the same calls on two fresh databases of one back end
return the same values and raise the same errors, and leave byte-identical rows behind."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from datetime import date, timedelta, timezone
from typing import Any

import pytest

from journey.bootstrap import App
from journey.domain.errors import NotFoundError
from journey.domain.esf import Attestation, ClaimPeriod, EntryKind, MonthStatus
from journey.domain.hours import Activity, EntryTotal, MeetingKind, NetworkMeeting, TimeEntry
from journey.domain.municipality import Municipality
from journey.domain.people import Person, PersonKind
from journey.ports.unit_of_work import UnitOfWork
from tests.conftest import NOW
from tests.plain_twins import run_twins, stored, twin_apps_fixture  # noqa: F401  (the twin_apps fixture)

TABLES = ("person", "network_meeting", "claim_period", "time_entry", "hours_attestation", "esf_setting",
          "hours_export", "esf_audit")
CET = timezone(timedelta(hours=1))


def _sorted(totals: list[EntryTotal]) -> list[tuple[int, ...]]:
    """GROUP BY rows come in no promised order."""
    return sorted(dataclasses.astuple(t) for t in totals)


def _scenario(uow_factory: Callable[[], UnitOfWork]) -> list[Any]:
    """Every method of uow.hours and uow.people; what each returned (or the error it raised)."""
    seen: list[Any] = []

    def call(f: Callable[[], Any]) -> None:
        try:
            seen.append(f())
        except (NotFoundError, ValueError) as exc:  # ValueError: the ORM's audit cuts a long detail mid-JSON
            seen.append((type(exc).__name__, str(exc)))

    with uow_factory() as uow:
        m = uow.municipalities.add(Municipality(None, "2480", "Umeå", "Västerbottens län"))
        other = uow.municipalities.add(Municipality(None, "0180", "Stockholm", "Stockholms län"))
        mid, oid = m.id or 0, other.id or 0
        anna = uow.people.add(Person(None, mid, "Anna  Berg", PersonKind.STAFF, "Samordnare", "KLK", 20, "5", 41000,
                                     date(2021, 1, 1), date(2022, 12, 31), "anna"), "ada", NOW)
        bo = uow.people.add(Person(None, oid, "Bo Ek"), "ada", NOW.astimezone(CET))
        seen += [anna, bo]
        meeting = uow.hours.add_meeting(NetworkMeeting(MeetingKind.DIGITAL, date(2021, 12, 9), "Träff", 12), "ada",
                                        NOW)
        local = uow.hours.add_meeting(NetworkMeeting(MeetingKind.LOCAL, date(2022, 2, 3), "Lokal", 32, mid), "ada",
                                      NOW + timedelta(microseconds=123456))
        seen += [meeting, local]
        a, b = anna.id or 0, bo.id or 0
        first = uow.hours.add_entry(TimeEntry(mid, a, anna.name, date(2021, 12, 9), 12, Activity.NETWORK_MEETING,
                                              "Träff", "interest", meeting_id=meeting.id), "ada", NOW)
        entries = [first]
        for person, municipality, day, quarters in ((a, mid, date(2022, 2, 1), 8), (a, mid, date(2022, 2, 28), 3),
                                                    (b, oid, date(2022, 2, 3), 32), (b, oid, date(2021, 6, 30), 5)):
            entries.append(uow.hours.add_entry(TimeEntry(municipality, person, "N", day, quarters, Activity.INVENTORY,
                                                         "Kartläggning åäö"), "bo", NOW.astimezone(CET)))
        period = uow.hours.add_claim_period(ClaimPeriod(None, "2022 H1", date(2022, 1, 1), date(2022, 6, 30),
                                                        locked_by="x", locked_at=NOW), "ada", NOW)
        later = uow.hours.add_claim_period(ClaimPeriod(None, "2021 H2", date(2021, 7, 1), date(2021, 12, 31)),
                                           "ada", NOW)
        seen += [entries, period, later]
        uow.hours.set_setting("annual_ceiling_hours", "300", "ada", NOW)
        uow.commit()
    with uow_factory() as uow:
        uow.people.lock(a)
        reversal = uow.hours.add_entry(TimeEntry(mid, a, anna.name, date(2021, 12, 9), -12, Activity.NETWORK_MEETING,
                                                 "Träff", meeting_id=meeting.id, kind=EntryKind.REVERSAL,
                                                 corrects_id=first, reason="fel"), "ada", NOW)
        uow.hours.add_attestation(Attestation(a, "2022-02", MonthStatus.ATTESTED, "anna", NOW.astimezone(CET),
                                              entries[2], 11, "SELF"))
        uow.hours.add_attestation(Attestation(b, "2022-02", MonthStatus.APPROVED, "sven", NOW, entries[3], 32))
        call(lambda: uow.hours.lock_claim_period(period.id or 0, "sven", NOW + timedelta(seconds=1.5)))
        call(lambda: uow.hours.lock_claim_period(999, "sven", NOW))
        uow.hours.set_setting("annual_ceiling_hours", "320", "bo", NOW.astimezone(CET))
        uow.hours.set_setting("unit_cost_5", "410", "bo", NOW)
        export = uow.hours.add_export({"year": 2022, "municipality_id": mid, "settings": '{"a": "ö"}',
                                       "actor": "sven", "at": NOW})
        uow.hours.add_export({"claim_period_id": period.id, "settings": "{}", "files": "a.xlsx\nb.pdf", "actor": "sven",
                              "at": NOW.astimezone(CET)})
        uow.hours.audit("CORRECTED", "ada", NOW, mid, "entry " + "x" * 300, {"day": date(2021, 12, 9), "namn": "Åsa",
                                                                              "long": "y" * 5000})
        uow.hours.audit("EXPORTED", "sven", NOW.astimezone(CET), None, f"export {export}", {"files": ["a.xlsx"]})
        changed = Person(b, oid, "Bo  Eklund", PersonKind.PARTICIPANT, "Upphandlare", "", None, "7a", None,
                         date(2022, 1, 1), None, "", "kolla")
        uow.people.save(changed, "sven", NOW.astimezone(CET))
        call(lambda: uow.people.save(Person(999, mid, "Ingen"), "sven", NOW))
        seen.append(reversal)
        uow.commit()
    with uow_factory() as uow:
        h, p = uow.hours, uow.people
        for f in (lambda: h.entry(first), lambda: h.entry(999), lambda: h.followers(first), lambda: h.followers(999),
                  lambda: h.rows(), lambda: h.rows(date(2022, 1, 1)), lambda: h.rows(None, date(2021, 12, 31)),
                  lambda: h.rows(date(2021, 1, 1), date(2022, 12, 31), mid), lambda: h.rows(person_id=b),
                  lambda: _sorted(h.totals(None, None, None)), lambda: _sorted(h.totals(date(2022, 1, 1),
                                                                                      date(2022, 12, 31), [oid, mid])),
                  lambda: _sorted(h.totals(date(2021, 1, 1), date(2022, 12, 31), [mid, mid])),
                  lambda: h.totals(None, None, []), lambda: h.year_totals([a, b]), lambda: h.year_totals([]),
                  lambda: h.year_totals([a, b], date(2022, 1, 1), date(2022, 12, 31)),
                  lambda: h.person_total(a, date(2022, 2, 1), date(2022, 2, 28)),
                  lambda: h.person_total(a, date(2020, 1, 1), date(2020, 1, 1)),
                  lambda: h.month_rows(a, "2022-02"), lambda: h.month_rows(a, "2020-02"),
                  lambda: h.attended(meeting.id or 0, a), lambda: h.attended(meeting.id or 0, b),
                  lambda: h.meeting(meeting.id or 0), lambda: h.meeting(999),
                  lambda: h.meetings(date(2021, 1, 1), date(2022, 12, 31)),
                  lambda: h.meetings(date(2022, 1, 1), date(2022, 12, 31)),
                  lambda: sorted(h.attendance(date(2021, 1, 1), date(2022, 12, 31))),
                  h.claim_periods, h.attestations, lambda: h.attestations([b]), lambda: h.attestations([]),
                  h.settings, lambda: h.audit_log(None, 10), lambda: h.audit_log([mid], 10),
                  lambda: h.audit_log([], 10), lambda: h.audit_log(None, 1),
                  lambda: p.get(a), lambda: p.get(999), p.list, lambda: p.list(oid), lambda: p.list(999)):
            call(f)
    return seen


def test_plain_hours_and_people_repositories_do_what_the_orm_ones_do(twin_apps: tuple[App, App],
                                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    by_plain = run_twins(twin_apps, monkeypatch, {"hours": "SqlHoursRepository", "people": "SqlPeopleRepository"},
                         _scenario)
    assert ("NotFoundError", "no claim period with id 999") in by_plain
    orm, plain = twin_apps
    assert stored(plain, TABLES) == stored(orm, TABLES)
