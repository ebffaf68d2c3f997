"""The unit-of-work contract that SqlUnitOfWork and tests.fakes.FakeUnitOfWork both keep.

Not collected itself: ``tests/unit/test_fake_contract.py`` runs these tests on the fake and
``tests/test_uow_contract.py`` on SQLite and PostgreSQL, each with its own ``uow_factory``
fixture. Only the ports are used here, so a difference between fake and adapter shows up as
the same test passing on one and failing on the other.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from journey.domain.case import Case, CaseStatus, HistoryEntry, HistoryKind
from journey.domain.municipality import Municipality
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
