"""The fakes declare every method of their ports; what the methods do is tests/uow_contract.py's business."""

from __future__ import annotations

import inspect

import pytest

from journey.domain.case import CaseStatus
from journey.domain.errors import ConcurrentChangeError
from journey.ports import auth, case_migrations, core, deals, documents, hours, mail, matters, reminders, webhooks
from journey.ports.unit_of_work import UnitOfWork
from tests.fakes import FakeApp, FakeDatabase, FakeDocumentRenderer, FakeEmailRenderer, FakeMailer, FakeUnitOfWork
from tests.unit.support import case_in, current_case

PORTS = {"municipalities": core.MunicipalityRepository, "users": core.UserRepository, "cases": core.CaseRepository,
         "reminders": reminders.ReminderRepository, "board_meetings": reminders.BoardMeetingRepository,
         "pauses": reminders.PauseRepository, "documents": documents.DocumentRepository,
         "hours": hours.HoursRepository, "people": hours.PeopleRepository,
         "case_migrations": case_migrations.CaseMigrationRepository, "auth": auth.CredentialRepository,
         "webhooks": webhooks.WebhookRepository,
         "deals": deals.DealRepository,
         "matters": matters.MatterRepository,
         "settings": core.SettingsRepository}


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
def test_each_fake_repository_has_every_method_of_its_port(attribute: str) -> None:
    repository = getattr(FakeUnitOfWork(FakeDatabase()), attribute)
    for name, sig in declared(PORTS[attribute]).items():
        assert parameters(inspect.signature(getattr(repository, name))) == parameters(sig)[1:], name


@pytest.mark.parametrize(("fake_class", "port"), [(FakeMailer, mail.Mailer), (FakeEmailRenderer, mail.EmailRenderer),
                                                  (FakeDocumentRenderer, documents.DocumentRenderer)])
def test_the_other_fakes_have_every_method_of_their_port(fake_class: type, port: type) -> None:
    for name, sig in declared(port).items():
        assert parameters(inspect.signature(getattr(fake_class, name))) == parameters(sig), name


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
