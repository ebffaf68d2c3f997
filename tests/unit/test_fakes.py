"""The fakes keep the contract of the ports, so a use case behaves on them as on the SQL adapters."""

from __future__ import annotations

import inspect
from datetime import UTC, datetime, timedelta

import pytest

from journey.domain.case import CaseStatus
from journey.domain.errors import ConcurrentChangeError
from journey.domain.reminders import Reminder, ReminderStatus
from journey.ports import case_migrations, core, documents, hours, mail, reminders
from journey.ports.unit_of_work import UnitOfWork
from tests.fakes import FakeApp, FakeDocumentRenderer, FakeEmailRenderer, FakeMailer, FakeUnitOfWork
from tests.unit.support import TOWN, case_in, current_case

PORTS = {"municipalities": core.MunicipalityRepository, "users": core.UserRepository, "cases": core.CaseRepository,
         "reminders": reminders.ReminderRepository, "board_meetings": reminders.BoardMeetingRepository,
         "pauses": reminders.PauseRepository, "documents": documents.DocumentRepository,
         "hours": hours.HoursRepository, "case_migrations": case_migrations.CaseMigrationRepository}
NOW = datetime(2022, 3, 1, 9, 0, tzinfo=UTC)


def declared(protocol: type) -> dict[str, inspect.Signature]:
    return {name: inspect.signature(member) for name, member in vars(protocol).items()
            if not name.startswith("_") and callable(member)}


def parameters(sig: inspect.Signature) -> list[tuple[str, object, object]]:
    return [(p.name, p.kind, p.default) for p in sig.parameters.values()]


def test_the_unit_of_work_names_every_repository_it_declares() -> None:
    typed = {name for name in UnitOfWork.__annotations__} | {
        name for name, member in vars(UnitOfWork).items() if isinstance(member, property)}
    assert typed == set(PORTS)


@pytest.mark.parametrize("attribute", sorted(PORTS))
def test_each_fake_repository_has_every_method_of_its_port(fake: FakeApp, attribute: str) -> None:
    repository = getattr(FakeUnitOfWork(fake.db), attribute)
    for name, sig in declared(PORTS[attribute]).items():
        assert parameters(inspect.signature(getattr(repository, name))) == parameters(sig)[1:], name


@pytest.mark.parametrize(("fake_class", "port"), [(FakeMailer, mail.Mailer), (FakeEmailRenderer, mail.EmailRenderer),
                                                  (FakeDocumentRenderer, documents.DocumentRenderer)])
def test_the_other_fakes_have_every_method_of_their_port(fake_class: type, port: type) -> None:
    for name, sig in declared(port).items():
        assert parameters(inspect.signature(getattr(fake_class, name))) == parameters(sig), name


def test_commit_publishes_and_leaving_without_commit_discards(fake: FakeApp) -> None:
    case = case_in(fake, "interest")
    with fake.deps.uow() as uow:
        loaded = uow.cases.get(case.id or 0)
        loaded.status = CaseStatus.PAUSED
        uow.cases.save(loaded)  # no commit
    assert current_case(fake).status is CaseStatus.ACTIVE  # type: ignore[union-attr]

    with fake.deps.uow() as uow:
        loaded = uow.cases.get(case.id or 0)
        loaded.status = CaseStatus.PAUSED
        uow.cases.save(loaded)
        uow.rollback()
        uow.commit()
    assert current_case(fake).status is CaseStatus.ACTIVE  # type: ignore[union-attr]

    with fake.deps.uow() as uow:
        loaded = uow.cases.get(case.id or 0)
        loaded.status = CaseStatus.PAUSED
        uow.cases.save(loaded)
        uow.commit()
    assert current_case(fake).status is CaseStatus.PAUSED  # type: ignore[union-attr]


def test_an_unsaved_change_to_a_loaded_object_is_not_stored(fake: FakeApp) -> None:
    case = case_in(fake, "interest")
    with fake.deps.uow() as uow:
        uow.cases.get(case.id or 0).state = "policy"
        uow.commit()
    assert current_case(fake).state == "interest"  # type: ignore[union-attr]


def test_an_exception_inside_the_block_discards_the_changes(fake: FakeApp) -> None:
    with pytest.raises(RuntimeError), fake.deps.uow() as uow:
        uow.users.add("eva", "SKR", None, "Eva", "eva@skr.se")
        raise RuntimeError("boom")
    with fake.deps.uow() as uow:
        assert uow.users.find("eva") is None


def test_a_case_changed_by_someone_else_meanwhile_is_a_concurrent_change(fake: FakeApp) -> None:
    case = case_in(fake, "interest")
    first, second = fake.deps.uow(), fake.deps.uow()
    with first, second:
        mine, theirs = first.cases.get(case.id or 0), second.cases.get(case.id or 0)
        theirs.state = "letter_of_intent"
        second.cases.save(theirs)
        second.commit()
        mine.status = CaseStatus.PAUSED
        with pytest.raises(ConcurrentChangeError):
            first.cases.save(mine)
    assert current_case(fake).state == "letter_of_intent"  # type: ignore[union-attr]


def _reminder(case_id: int, municipality_id: int, key: str, send_after: datetime) -> Reminder:
    return Reminder(None, case_id, municipality_id, "stalled", "interest", "coordinator", "stalled", "T", "S",
                    "state_entry", "", 10, NOW, key, due_at=send_after, send_after=send_after, created_at=NOW)


def test_a_reminder_is_added_once_per_idempotency_key(fake: FakeApp) -> None:
    case = case_in(fake, "interest")
    with fake.deps.uow() as uow:
        assert uow.reminders.add(_reminder(case.id or 0, case.municipality_id, "k", NOW)) is True
        assert uow.reminders.add(_reminder(case.id or 0, case.municipality_id, "k", NOW)) is False
        assert len(uow.reminders.planned(case_id=case.id)) == 1


@pytest.mark.parametrize("worker", ["worker-1", "worker-2"])
def test_only_the_claiming_worker_may_settle_a_claimed_reminder(fake: FakeApp, worker: str) -> None:
    case = case_in(fake, "interest")
    with fake.deps.uow() as uow:
        uow.reminders.add(_reminder(case.id or 0, case.municipality_id, "due", NOW))
        uow.reminders.add(_reminder(case.id or 0, case.municipality_id, "later", NOW + timedelta(days=1)))
        uow.commit()

    with fake.deps.uow() as uow:
        claimed = uow.reminders.claim_due(NOW, 10, "worker-1", NOW + timedelta(minutes=10))
        again = uow.reminders.claim_due(NOW, 10, "worker-2", NOW + timedelta(minutes=10))
        uow.commit()
    assert [r.idempotency_key for r in claimed] == ["due"] and again == []
    assert (claimed[0].status, claimed[0].attempts, claimed[0].claimed_by) == (ReminderStatus.SENDING, 1, "worker-1")

    with fake.deps.uow() as uow:
        settled = uow.reminders.finish(claimed[0].id or 0, worker, status=ReminderStatus.SENT.value, sent_at=NOW)
        uow.commit()
        stored = uow.reminders.get(claimed[0].id or 0)
    assert settled is (worker == "worker-1")
    assert stored is not None
    assert stored.status is (ReminderStatus.SENT if worker == "worker-1" else ReminderStatus.SENDING)


def test_a_claim_whose_lease_ran_out_can_be_claimed_again(fake: FakeApp) -> None:
    case = case_in(fake, "interest")
    with fake.deps.uow() as uow:
        uow.reminders.add(_reminder(case.id or 0, case.municipality_id, "due", NOW))
        uow.reminders.claim_due(NOW, 10, "worker-1", NOW + timedelta(minutes=10))
        uow.commit()

    with fake.deps.uow() as uow:
        assert uow.reminders.claim_due(NOW + timedelta(minutes=5), 10, "worker-2", NOW + timedelta(minutes=15)) == []
        (taken,) = uow.reminders.claim_due(NOW + timedelta(minutes=10), 10, "worker-2", NOW + timedelta(minutes=20))
    assert (taken.claimed_by, taken.attempts) == ("worker-2", 2)


def test_the_municipality_lookup_matches_code_slug_and_name(fake: FakeApp) -> None:
    with fake.deps.uow() as uow:
        found = [uow.municipalities.find(q) for q in ("2184", "hudiksvall", TOWN)]
        assert {m.name for m in found if m} == {TOWN} and None not in found
        assert uow.municipalities.find("Hudik") is None
