"""The unit-of-work contract that PlainUnitOfWork and tests.fakes.FakeUnitOfWork both keep.

Not collected itself: ``tests/unit/test_fake_contract.py`` runs these tests on the fake and
``tests/test_uow_contract.py`` on SQLite and PostgreSQL, each with its own ``uow_factory``
fixture. Only the ports are used here, so a difference between fake and adapter shows up as
the same test passing on one and failing on the other.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from journey.domain.case import Case, CaseStatus, HistoryEntry, HistoryKind
from journey.domain.errors import ConcurrentChangeError
from journey.domain.esf import Attestation, ClaimPeriod, ClaimStatus, EntryKind, MonthStatus
from journey.domain.hours import Activity, MeetingKind, NetworkMeeting, TimeEntry
from journey.domain.municipality import Municipality
from journey.domain.people import Person, PersonKind
from journey.domain.reminders import INTERRUPTED, Reminder, ReminderStatus
from journey.ports.unit_of_work import UnitOfWorkFactory

NOW = datetime(2022, 3, 1, 9, 0, tzinfo=UTC)


def seed(uow_factory: UnitOfWorkFactory) -> Case:
    """Härjedalen with a case in `interest`."""
    with uow_factory() as uow:
        m = uow.municipalities.add(Municipality(None, "2361", "Härjedalen", "Jämtlands län"))
        case = uow.cases.add(Case(None, m.id or 0, "handbook", 1, "interest", CaseStatus.ACTIVE, NOW, NOW, NOW))
        uow.commit()
    return case


def load(uow_factory: UnitOfWorkFactory, case_id: int) -> Case:
    with uow_factory() as uow:
        return uow.cases.get(case_id)


def reminder(case: Case, key: str, send_after: datetime) -> Reminder:
    return Reminder(None, case.id or 0, case.municipality_id, "stalled", "interest", "coordinator", "stalled", "T",
                    "S", "state_entry", "", 10, NOW, key, due_at=send_after, send_after=send_after, created_at=NOW)


def test_commit_publishes_and_leaving_without_commit_discards(uow_factory: UnitOfWorkFactory) -> None:
    case = seed(uow_factory)
    with uow_factory() as uow:
        loaded = uow.cases.get(case.id or 0)
        loaded.status = CaseStatus.PAUSED
        uow.cases.save(loaded)  # no commit
    assert load(uow_factory, case.id or 0).status is CaseStatus.ACTIVE

    with uow_factory() as uow:
        loaded = uow.cases.get(case.id or 0)
        loaded.status = CaseStatus.PAUSED
        uow.cases.save(loaded)
        uow.commit()
    assert load(uow_factory, case.id or 0).status is CaseStatus.PAUSED


def test_rollback_drops_what_the_block_did_so_far(uow_factory: UnitOfWorkFactory) -> None:
    with uow_factory() as uow:
        uow.users.add("eva", "SKR", None, "Eva", "eva@skr.se")
        uow.rollback()
        uow.users.add("olle", "SKR", None, "Olle", "olle@skr.se")
        uow.commit()
    with uow_factory() as uow:
        assert [u["username"] for u in uow.users.list()] == ["olle"]


def test_an_exception_inside_the_block_discards_the_changes(uow_factory: UnitOfWorkFactory) -> None:
    with pytest.raises(RuntimeError), uow_factory() as uow:
        uow.users.add("eva", "SKR", None, "Eva", "eva@skr.se")
        raise RuntimeError("boom")
    with uow_factory() as uow:
        assert uow.users.find("eva") is None and uow.users.count() == 0


def test_an_unsaved_change_to_a_loaded_case_is_not_stored(uow_factory: UnitOfWorkFactory) -> None:
    case = seed(uow_factory)
    with uow_factory() as uow:
        uow.cases.get(case.id or 0).state = "policy"
        uow.commit()
    assert load(uow_factory, case.id or 0).state == "interest"


def test_saving_a_case_bumps_its_lock_version(uow_factory: UnitOfWorkFactory) -> None:
    case = seed(uow_factory)
    with uow_factory() as uow:
        loaded = uow.cases.get(case.id or 0)
        before = loaded.version
        loaded.state = "letter_of_intent"
        uow.cases.save(loaded)
        uow.commit()
    assert loaded.version == before + 1 == load(uow_factory, case.id or 0).version


def test_history_is_numbered_per_case_and_keeps_the_evidence(uow_factory: UnitOfWorkFactory) -> None:
    case = seed(uow_factory)
    with uow_factory() as uow:
        first = uow.cases.append_history(HistoryEntry(case.id or 0, HistoryKind.OPENED, None, "interest", None, "ada",
                                                      NOW))
        second = uow.cases.append_history(HistoryEntry(case.id or 0, HistoryKind.ADVANCED, "interest",
                                                       "letter_of_intent", "confirm_interest", "ada", NOW,
                                                       {"interest_registration": {"contact": "Eva"}}, "ok"))
        uow.commit()
    assert (first.seq, second.seq) == (1, 2)
    with uow_factory() as uow:
        entries = uow.cases.history(case.id or 0)
    assert [(e.seq, e.kind, e.trigger, e.evidence) for e in entries] == [
        (1, HistoryKind.OPENED, None, {}),
        (2, HistoryKind.ADVANCED, "confirm_interest", {"interest_registration": {"contact": "Eva"}})]


def test_a_reminder_is_added_once_per_idempotency_key(uow_factory: UnitOfWorkFactory) -> None:
    case = seed(uow_factory)
    with uow_factory() as uow:
        added = uow.reminders.add(r := reminder(case, "k", NOW))
        again = uow.reminders.add(reminder(case, "k", NOW))
        uow.commit()
    assert (added, again, r.id is not None) == (True, False, True)
    with uow_factory() as uow:
        assert [x.idempotency_key for x in uow.reminders.planned(case_id=case.id)] == ["k"]


@pytest.mark.parametrize("worker", ["worker-1", "worker-2"])
def test_only_the_claiming_worker_may_settle_a_claimed_reminder(uow_factory: UnitOfWorkFactory, worker: str) -> None:
    case = seed(uow_factory)
    with uow_factory() as uow:
        uow.reminders.add(reminder(case, "due", NOW))
        uow.reminders.add(reminder(case, "later", NOW + timedelta(days=1)))
        uow.commit()

    with uow_factory() as uow:
        claimed = uow.reminders.claim_due(NOW, 10, "worker-1", NOW + timedelta(minutes=10))
        uow.commit()
    with uow_factory() as uow:
        again = uow.reminders.claim_due(NOW, 10, "worker-2", NOW + timedelta(minutes=10))
        uow.commit()
    assert [r.idempotency_key for r in claimed] == ["due"] and again == []
    # A claim counts no attempt: only a send that reached the server does (the sweep counts it when settling).
    assert (claimed[0].status, claimed[0].attempts, claimed[0].claimed_by) == (ReminderStatus.SENDING, 0, "worker-1")

    with uow_factory() as uow:
        settled = uow.reminders.finish(claimed[0].id or 0, worker, status=ReminderStatus.SENT.value, sent_at=NOW,
                                       send_after=None)
        uow.commit()
    with uow_factory() as uow:
        stored = uow.reminders.get(claimed[0].id or 0)
    assert settled is (worker == "worker-1")
    assert stored is not None
    assert stored.status is (ReminderStatus.SENT if worker == "worker-1" else ReminderStatus.SENDING)


def test_a_claim_whose_lease_ran_out_can_be_claimed_again(uow_factory: UnitOfWorkFactory) -> None:
    case = seed(uow_factory)
    with uow_factory() as uow:
        uow.reminders.add(reminder(case, "due", NOW))
        uow.commit()
    with uow_factory() as uow:
        uow.reminders.claim_due(NOW, 10, "worker-1", NOW + timedelta(minutes=10))
        uow.commit()

    with uow_factory() as uow:
        early = uow.reminders.claim_due(NOW + timedelta(minutes=5), 10, "worker-2", NOW + timedelta(minutes=15))
        late = uow.reminders.claim_due(NOW + timedelta(minutes=10), 10, "worker-2", NOW + timedelta(minutes=20))
    assert early == []
    assert [(r.claimed_by, r.attempts, r.last_error) for r in late] == [("worker-2", 0, INTERRUPTED)]


def test_a_sender_holds_its_claim_only_while_it_is_still_its_own(uow_factory: UnitOfWorkFactory) -> None:
    case = seed(uow_factory)
    lease = timedelta(minutes=10)
    with uow_factory() as uow:
        uow.reminders.add(reminder(case, "due", NOW))
        uow.commit()
    with uow_factory() as uow:
        [claimed] = uow.reminders.claim_due(NOW, 10, "worker-1", NOW + lease)
        uow.commit()
    rid = claimed.id or 0
    with uow_factory() as uow:
        assert uow.reminders.hold(rid, "worker-1", NOW + timedelta(minutes=4), lease)  # 6 of 10 minutes left
        assert not uow.reminders.hold(rid, "worker-2", NOW, lease)
        uow.commit()
    with uow_factory() as uow:
        assert uow.reminders.get(rid).send_after == NOW + lease  # type: ignore[union-attr]  (a read: not renewed)
    with uow_factory() as uow:
        assert uow.reminders.hold(rid, "worker-1", NOW + timedelta(minutes=7), lease)  # 3 left: renewed
        uow.commit()
    with uow_factory() as uow:
        assert uow.reminders.get(rid).send_after == NOW + timedelta(minutes=17)  # type: ignore[union-attr]
        assert uow.reminders.claim_due(NOW + timedelta(minutes=12), 10, "worker-2", NOW + timedelta(minutes=22)) == []
    with uow_factory() as uow:  # run out and taken over: the old holder may no longer send it
        assert len(uow.reminders.claim_due(NOW + timedelta(minutes=18), 10, "worker-2", NOW + timedelta(hours=1))) == 1
        uow.commit()
    with uow_factory() as uow:
        assert not uow.reminders.hold(rid, "worker-1", NOW + timedelta(minutes=18), lease)


def test_municipalities_are_found_by_code_slug_or_name(uow_factory: UnitOfWorkFactory) -> None:
    seed(uow_factory)
    with uow_factory() as uow:
        found = [uow.municipalities.find(q) for q in ("2361", "harjedalen", "Härjedalen")]
        assert [m.name if m else None for m in found] == ["Härjedalen"] * 3
        assert uow.municipalities.find("Härje") is None


def test_boards_are_found_by_code_or_name_and_meetings_come_in_date_order(uow_factory: UnitOfWorkFactory) -> None:
    case = seed(uow_factory)
    with uow_factory() as uow:
        board_id = uow.board_meetings.upsert_board(case.municipality_id, "KS", name="Kommunstyrelsen")
        assert uow.board_meetings.upsert_board(case.municipality_id, "ks", chair_email="ordf@example.org") == board_id
        assert uow.board_meetings.upsert_meeting(board_id, date(2022, 5, 4), start_time="13:00") is True
        assert uow.board_meetings.upsert_meeting(board_id, date(2022, 3, 16)) is True
        assert uow.board_meetings.upsert_meeting(board_id, date(2022, 5, 4), location="Stadshuset") is False
        uow.commit()
    with uow_factory() as uow:
        board = uow.board_meetings.board(case.municipality_id, "kommunstyrelsen")
        meetings = uow.board_meetings.meetings(case.municipality_id, "KS")
    assert board is not None and (board["code"], board["chair_email"]) == ("KS", "ordf@example.org")
    assert [(m.day, m.start, m.location) for m in meetings] == [(date(2022, 3, 16), "", ""),
                                                                (date(2022, 5, 4), "13:00", "Stadshuset")]


def test_document_revisions_count_per_case_and_document(uow_factory: UnitOfWorkFactory) -> None:
    case = seed(uow_factory)
    row = {"case_id": case.id, "municipality_id": case.municipality_id, "state_path": "interest", "doc_id": "brev",
           "title": "Brev", "template": "brev", "template_source": "t", "overridden": False, "template_hash": "0" * 64,
           "input_hash": "1" * 64, "format": "html", "path": "x.html", "size": 1, "sha256": "2" * 64, "revision": 1,
           "reason": "ENTERED", "actor": "ada", "created_at": NOW}
    with uow_factory() as uow:
        assert uow.documents.next_revision(case.id or 0, "brev") == 1
        uow.documents.add(row)
        assert uow.documents.next_revision(case.id or 0, "brev") == 2
        assert uow.documents.next_revision(case.id or 0, "other") == 1
        uow.commit()
    with uow_factory() as uow:
        assert [(d["doc_id"], d["revision"], d["format"]) for d in uow.documents.for_case(case.id or 0)] == [
            ("brev", 1, "html")]


def test_a_pause_stays_open_until_it_is_finished(uow_factory: UnitOfWorkFactory) -> None:
    case = seed(uow_factory)
    with uow_factory() as uow:
        uow.pauses.start(case.id or 0, NOW, "Sommaruppehåll", "ada")
        pause = uow.pauses.open_pause(case.id or 0)
        assert pause is not None and (pause["paused_at"], pause["reason"]) == (NOW, "Sommaruppehåll")
        uow.pauses.finish(pause["id"], NOW + timedelta(days=3), 3)
        uow.commit()
    with uow_factory() as uow:
        assert uow.pauses.open_pause(case.id or 0) is None
        assert [(p["shift_days"], p["resumed_at"]) for p in uow.pauses.ledger(case.id or 0)] == [
            (3, NOW + timedelta(days=3))]


def test_time_entries_are_appended_and_a_locked_period_pins_them(uow_factory: UnitOfWorkFactory) -> None:
    case = seed(uow_factory)
    mid, day = case.municipality_id, date(2022, 2, 10)
    with uow_factory() as uow:
        anna = uow.people.add(Person(None, mid, "Anna Berg", PersonKind.STAFF, share_percent=20), "ada", NOW)
        meeting = uow.hours.add_meeting(NetworkMeeting(MeetingKind.DIGITAL, day, "Nätverksträff", 12), "ada", NOW)
        first = uow.hours.add_entry(TimeEntry(mid, anna.id or 0, anna.name, day, 12, Activity.NETWORK_MEETING,
                                              "Träff", meeting_id=meeting.id), "ada", NOW)
        period = uow.hours.add_claim_period(ClaimPeriod(None, "2022 H1", date(2022, 1, 1), date(2022, 6, 30)), "ada",
                                            NOW)
        uow.hours.set_setting("annual_ceiling_hours", "300", "ada", NOW)
        uow.commit()
    with uow_factory() as uow:  # a correction: the original stays, a reversal and a new version follow it
        uow.people.lock(anna.id or 0)
        reversal = uow.hours.add_entry(TimeEntry(mid, anna.id or 0, anna.name, day, -12, Activity.NETWORK_MEETING,
                                                 "Träff", meeting_id=meeting.id, kind=EntryKind.REVERSAL,
                                                 corrects_id=first), "ada", NOW)
        newer = uow.hours.add_entry(TimeEntry(mid, anna.id or 0, anna.name, day, 8, Activity.NETWORK_MEETING, "Träff",
                                              meeting_id=meeting.id, kind=EntryKind.CORRECTION, corrects_id=first),
                                    "ada", NOW)
        uow.hours.add_attestation(Attestation(anna.id or 0, "2022-02", MonthStatus.ATTESTED, "anna", NOW, newer, 8,
                                              "SELF"))
        assert [f.id for f in uow.hours.followers(first)] == [reversal, newer]
        assert uow.hours.month_rows(anna.id or 0, "2022-02") == (8, newer)
        assert uow.hours.attended(meeting.id or 0, anna.id or 0)
        assert uow.hours.lock_claim_period(period.id or 0, "sven", NOW) == 3
        uow.hours.audit("CORRECTED", "ada", NOW, mid, f"entry {first}", {"day": day})
        uow.commit()
    with uow_factory() as uow:
        assert [(e.id, e.quarters, e.claim_period_id, e.created_by) for e in uow.hours.rows(day, day, mid)] == [
            (first, 12, period.id, "ada"), (reversal, -12, period.id, "ada"), (newer, 8, period.id, "ada")]
        assert uow.hours.person_total(anna.id or 0, day, day) == 8
        assert uow.hours.attendance(day, day) == [(meeting.id, mid, anna.id)]
        assert [(p.status, p.locked_by) for p in uow.hours.claim_periods()] == [(ClaimStatus.LOCKED, "sven")]
        assert [(a.kind, a.last_entry_id, a.method) for a in uow.hours.attestations([anna.id or 0])] == [
            (MonthStatus.ATTESTED, newer, "SELF")]
        assert uow.hours.settings() == {"annual_ceiling_hours": "300"}
        assert [(a["action"], a["detail"]) for a in uow.hours.audit_log([mid], 10)] == [
            ("CORRECTED", {"day": "2022-02-10"})]
        assert uow.people.list(mid) == [anna] and uow.people.get(anna.id or 0).share_percent == 20
    with pytest.raises(ConcurrentChangeError), uow_factory() as uow:  # names are unique per municipality
        uow.people.add(Person(None, mid, "anna  berg"), "ada", NOW)


def test_deals_are_numbered_per_case_and_keep_their_facts_and_history(uow_factory: UnitOfWorkFactory) -> None:
    from journey.domain.deals import Deal, DealDetails, DealEvent, DealEventKind, DealForm, DealStatus, ValueBasis

    case = seed(uow_factory)
    with uow_factory() as uow:
        assert uow.deals.next_number(case.id or 0) == 1
        deal = uow.deals.add(Deal(None, case.id or 0, case.municipality_id, 1, DealForm.IOP, DealStatus.PLANNED,
                                  date(2022, 1, 10), counterparty="Kafé Kroken ek. för.", org_number="769612-3459",
                                  value_sek=3_000_000_000, value_basis=ValueBasis.TOTAL,
                                  details=DealDetails(purpose="Arbetsträning", suppliers=("A", "B")),
                                  created_by="anna", created_at=NOW, updated_at=NOW))
        uow.deals.add_event(DealEvent(deal.id or 0, DealEventKind.ADDED, DealStatus.PLANNED, date(2022, 1, 10), "anna",
                                      NOW, "Dialog", {"form": [None, "iop"]}))
        uow.commit()
    with uow_factory() as uow:
        assert uow.deals.next_number(case.id or 0) == 2 and uow.deals.get(case.id or 0, 2) is None
        loaded = uow.deals.get(case.id or 0, 1)
        assert loaded is not None and loaded.value_sek == 3_000_000_000  # more than a 32-bit integer holds
        assert (loaded.value_basis, loaded.details.suppliers, loaded.details.purpose) == (
            ValueBasis.TOTAL, ("A", "B"), "Arbetsträning")
        version = loaded.version
        loaded.status, loaded.status_date = DealStatus.AWARDED, date(2022, 2, 14)
        uow.deals.save(loaded)
        assert loaded.version == version + 1
        uow.deals.add_event(DealEvent(loaded.id or 0, DealEventKind.STATUS, DealStatus.AWARDED, date(2022, 2, 14),
                                      "eva", NOW, "", {}))
        uow.commit()
    with uow_factory() as uow:
        deals = uow.deals.for_case(case.id or 0)
        assert [(d.number, d.status) for d in deals] == [(1, DealStatus.AWARDED)] == [
            (d.number, d.status) for d in uow.deals.all()]
        events = uow.deals.events(deals[0].id or 0)
    assert [(e.seq, e.kind, e.actor, e.changes) for e in events] == [
        (1, DealEventKind.ADDED, "anna", {"form": [None, "iop"]}), (2, DealEventKind.STATUS, "eva", {})]


def test_matters_keep_their_chain_decisions_and_status(uow_factory: UnitOfWorkFactory) -> None:
    from journey.domain.matters import Decision, Matter, MatterStatus, Outcome

    case = seed(uow_factory)
    with uow_factory() as uow:
        first = uow.matters.add(Matter(None, case.id or 0, "anchoring", "Ansvarig nämnd", ("KS", "KF"), NOW, "ada",
                                       proposal={"responsible_board": {"board": "AMN"}}, updated_at=NOW))
        first.diarienummer = "KS 2022/31"
        first.decisions.append(Decision("KS", Outcome.ATERREMISS, date(2022, 2, 15), 12, NOW, "ada", 5, 1))
        uow.matters.save(first)
        uow.commit()
    assert first.id is not None and first.decisions[0].id is not None
    with uow_factory() as uow:
        found = uow.matters.open_for(case.id or 0, "anchoring")
        assert found is not None and uow.matters.open_for(case.id or 0, "policy") is None
        found.decisions[0].paragraph = 13  # a corrected decision is updated, not added
        found.decisions.append(Decision("KS", Outcome.BIFALL, date(2022, 3, 15), 20, NOW, "ada", 6, 2))
        found.status, found.closed_at = MatterStatus.DECIDED, NOW
        uow.matters.save(found)
        uow.commit()
    with uow_factory() as uow:
        (stored,) = uow.matters.for_case(case.id or 0)
        assert uow.matters.open_for(case.id or 0) is None
    assert (stored.title, stored.bodies, stored.diarienummer, stored.status, stored.proposal) == (
        "Ansvarig nämnd", ("KS", "KF"), "KS 2022/31", MatterStatus.DECIDED, {"responsible_board": {"board": "AMN"}})
    assert [(d.seq, d.body, d.outcome, d.meeting_date, d.paragraph, d.history_seq) for d in stored.decisions] == [
        (1, "KS", Outcome.ATERREMISS, date(2022, 2, 15), 13, 5), (2, "KS", Outcome.BIFALL, date(2022, 3, 15), 20, 6)]


def test_two_decisions_with_the_same_number_are_a_concurrent_change(uow_factory: UnitOfWorkFactory) -> None:
    from journey.domain.errors import ConcurrentChangeError
    from journey.domain.matters import Decision, Matter, Outcome

    case = seed(uow_factory)
    with uow_factory() as uow:
        matter = uow.matters.add(Matter(None, case.id or 0, "policy", "Riktlinje", ("KS",), NOW, "ada", updated_at=NOW))
        uow.commit()
    with pytest.raises(ConcurrentChangeError), uow_factory() as uow:
        matter.decisions = [Decision("KS", Outcome.BIFALL, date(2022, 2, 15), 1, NOW, "ada", 0, 1),
                            Decision("KS", Outcome.BIFALL, date(2022, 2, 16), 2, NOW, "ada", 0, 1)]
        uow.matters.save(matter)
    with uow_factory() as uow:
        assert [m.decisions for m in uow.matters.for_case(case.id or 0)] == [[]]


def test_a_document_job_is_done_once_by_the_worker_that_holds_it(uow_factory: UnitOfWorkFactory) -> None:
    """The document outbox: one claim at a time, a lease that runs out, done only by its holder, and a
    failure that waits (then gives up) until retried; after_commit runs only after a commit."""
    from journey.domain.document_jobs import MAX_ATTEMPTS, DocumentJob, JobStatus

    case = seed(uow_factory)
    ran: list[str] = []
    with uow_factory() as uow:
        job_id = uow.documents.enqueue(DocumentJob(0, case.id or 0, (("interest", "avsiktsforklaring"),), "ENTERED",
                                                   "anna", NOW, 1))
        uow.after_commit(lambda: ran.append("rolled back"))
        uow.rollback()
    with uow_factory() as uow:
        assert uow.documents.open_jobs() == []  # the rollback took the job and its callback with it
        job_id = uow.documents.enqueue(DocumentJob(0, case.id or 0, (("interest", "avsiktsforklaring"),), "ENTERED",
                                                   "anna", NOW, 1))
        uow.after_commit(lambda: ran.append("committed"))
        assert ran == []
        uow.commit()
    assert ran == ["committed"]
    lease = NOW + timedelta(minutes=2)
    with uow_factory() as uow:
        assert uow.documents.due_jobs(NOW, 10) == [job_id]
        job = uow.documents.claim(job_id, "a", NOW, lease)
        assert job is not None and job.items == (("interest", "avsiktsforklaring"),) and job.attempts == 1
        assert uow.documents.claim(job_id, "b", NOW, lease) is None  # held
        uow.commit()
    with uow_factory() as uow:
        assert uow.documents.due_jobs(NOW, 10) == []
        assert uow.documents.claim(job_id, "b", lease, lease + timedelta(minutes=2)) is not None  # the lease ran out
        assert not uow.documents.finish(job_id, "a", NOW)  # a lost its claim: it registers nothing
        assert uow.documents.finish(job_id, "b", NOW)
        assert not uow.documents.finish(job_id, "b", NOW)  # done once
        uow.commit()
    with uow_factory() as uow:
        assert uow.documents.open_jobs() == [] and uow.documents.claim(job_id, "c", lease, lease) is None
        failing = uow.documents.enqueue(DocumentJob(0, case.id or 0, (("interest", "x"),), "ENTERED", "anna", NOW, 1))
        uow.commit()
    at = NOW
    for attempt in range(1, MAX_ATTEMPTS + 1):
        with uow_factory() as uow:
            assert uow.documents.claim(failing, "w", at, at + timedelta(minutes=2)) is not None
            failed = uow.documents.fail(failing, "w", "mallfel", at)
            uow.commit()
        assert failed is not None and failed.attempts == attempt and failed.error == "mallfel"
        assert failed.status is (JobStatus.FAILED if attempt == MAX_ATTEMPTS else JobStatus.PENDING)
        with uow_factory() as uow:
            assert uow.documents.due_jobs(at, 10) == []  # it waits before the next try
        at += timedelta(hours=2)
    with uow_factory() as uow:
        assert uow.documents.due_jobs(at, 10) == []  # given up
        assert [j.status for j in uow.documents.open_jobs([case.id or 0])] == [JobStatus.FAILED]
        assert uow.documents.retry([case.id or 0]) == 1
        uow.commit()
    with uow_factory() as uow:
        assert uow.documents.due_jobs(NOW, 10) == [failing]
        [job] = uow.documents.open_jobs()
        assert (job.status, job.attempts) == (JobStatus.PENDING, 0)
