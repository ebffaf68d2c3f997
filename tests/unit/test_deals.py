"""The deals register's rules (pure) and use cases on the fakes: no database, no files."""

from __future__ import annotations

from datetime import date

import pytest

from journey.definitions.catalog import WorkflowCatalog
from journey.definitions.loader import load_all
from journey.domain.case import Case, CaseStatus, HistoryEntry, HistoryKind
from journey.domain.deals import (
    Deal,
    DealForm,
    DealInput,
    DealStatus,
    ValueBasis,
    check_deal,
    check_move,
    contract_value,
    months_between,
    parse_amount,
    parse_form,
    parse_org_number,
    parse_status,
)
from journey.domain.errors import InputError, RefusedError
from journey.services.deals.register import add_deal, update_deal
from tests.fakes import WORKFLOWS, FakeApp
from tests.unit.support import ADMIN, COORDINATOR, TOWN, case_in, current_case, history

DEALS_WORKFLOW = WORKFLOWS.parent / "tests" / "data" / "workflows" / "deals" / "handbook-deals.yaml"
TODAY = date(2022, 3, 1)


@pytest.mark.parametrize("text", ["556016-0680", "5560160680", " 556016-0680 ", "769612-3459"])
def test_an_organisationsnummer_with_its_luhn_digit_is_accepted_in_one_spelling(text: str) -> None:
    assert parse_org_number(text) in ("556016-0680", "769612-3459")


@pytest.mark.parametrize(("text", "fragment"), [("556016-0681", "Luhn"), ("5560160", "10 digits"),
                                                ("16556016-0680", "10-digit form"), ("195560160680", "10-digit"),
                                                ("55601A-0680", "10 digits")])
def test_a_wrong_organisationsnummer_is_refused_as_input(text: str, fragment: str) -> None:
    with pytest.raises(InputError, match=fragment):
        parse_org_number(text)


@pytest.mark.parametrize(("text", "form"), [("IOP", DealForm.IOP), ("idéburet offentligt partnerskap", DealForm.IOP),
                                            ("Reserverad upphandling", DealForm.RESERVED),
                                            ("reserved_procurement", DealForm.RESERVED),
                                            ("DIREKTUPPHANDLING", DealForm.DIRECT_AWARD), ("lov", DealForm.LOV),
                                            ("Valfrihetssystem", DealForm.LOV), ("bidrag", DealForm.GRANT)])
def test_forms_are_read_by_id_or_swedish_name_in_any_case(text: str, form: DealForm) -> None:
    assert parse_form(text) is form


def test_statuses_are_read_in_swedish_with_or_without_diacritics() -> None:
    assert [parse_status(t) for t in ("Pågående", "pagaende", "avtal tecknat", "Tilldelad", "avbruten")] == [
        DealStatus.ONGOING, DealStatus.ONGOING, DealStatus.AWARDED, DealStatus.AWARDED, DealStatus.CANCELLED]


@pytest.mark.parametrize(("text", "value"), [("450000", 450000), ("450 000", 450000), ("450\u00a0000 kr", 450000),
                                             (0, 0)])
def test_amounts_are_whole_kronor(text: str | int, value: int) -> None:
    assert parse_amount(text) == value


@pytest.mark.parametrize("text", ["450000,50", "450000.5", "4.5e5", "-1", "ett"])
def test_an_amount_that_is_not_whole_kronor_is_refused(text: str) -> None:
    with pytest.raises(InputError):
        parse_amount(text)


@pytest.mark.parametrize(("old", "new", "allowed"), [
    (DealStatus.PLANNED, DealStatus.ONGOING, True), (DealStatus.ADVERTISED, DealStatus.AWARDED, True),
    (DealStatus.AWARDED, DealStatus.CANCELLED, True), (DealStatus.ONGOING, DealStatus.PLANNED, False),
    (DealStatus.COMPLETED, DealStatus.CANCELLED, False), (DealStatus.CANCELLED, DealStatus.PLANNED, False)])
def test_status_moves_forward_or_to_avbruten_and_never_after_the_end(old: DealStatus, new: DealStatus,
                                                                   allowed: bool) -> None:
    if allowed:
        check_move(DealForm.ADVERTISED, old, new)
    else:
        with pytest.raises(RefusedError):
            check_move(DealForm.ADVERTISED, old, new)


def test_a_yearly_value_counts_for_the_whole_period_or_48_months() -> None:
    assert months_between(date(2022, 9, 1), date(2024, 8, 31)) == 24
    assert months_between(date(2022, 9, 15), date(2023, 9, 14)) == 12
    deal = Deal(None, 1, 1, 1, DealForm.DIRECT_AWARD, DealStatus.PLANNED, TODAY, value_sek=100_001,
                value_basis=ValueBasis.PER_YEAR, period_start=date(2022, 1, 1), period_end=date(2022, 6, 30))
    assert contract_value(deal)[0] == 50_001  # rounded up to whole kronor, no float
    assert contract_value(Deal(None, 1, 1, 1, DealForm.DIRECT_AWARD, DealStatus.PLANNED, TODAY, value_sek=100_000,
                               value_basis=ValueBasis.PER_YEAR))[0] == 400_000


@pytest.mark.parametrize(("decided", "value", "ok"), [(date(2022, 1, 31), 626_284, True),
                                                      (date(2022, 1, 31), 626_285, False),
                                                      (date(2022, 2, 1), 700_000, True),
                                                      (date(2022, 2, 1), 700_001, False)])
def test_the_direct_award_limit_is_that_of_the_decision_date(decided: date, value: int, ok: bool) -> None:
    deal = Deal(None, 1, 1, 1, DealForm.DIRECT_AWARD, DealStatus.AWARDED, decided, counterparty="X",
                org_number="769612-3459", value_sek=value, value_basis=ValueBasis.TOTAL, decided_date=decided)
    if ok:
        assert check_deal(deal, TODAY).deal.limit_day == decided
    else:
        with pytest.raises(RefusedError, match=f"on {decided}"):
            check_deal(deal, TODAY)


def _deals_catalog() -> WorkflowCatalog:
    return WorkflowCatalog(load_all([WORKFLOWS / "handbook.yaml", DEALS_WORKFLOW]))


def test_a_deal_is_recorded_for_a_case_past_the_letter_of_intent_with_its_documents(fake: FakeApp) -> None:
    case_in(fake, "local_team")
    result = add_deal(fake.deps, COORDINATOR, TOWN, DealInput(form="iop", counterparty="Kafé Kroken ek. för.",
                                                              org_number="769612-3459", value="450000", per="total"))
    assert result.deal["number"] == 1 and result.deal["status"] == "PLANNED"
    assert [(r["doc_id"], r["format"], r["deal_id"]) for r in result.documents] == [
        ("deal1_iop_avtal", "docx", 1), ("deal1_iop_avtal", "html", 1)]
    job = fake.document_renderer.jobs[-1]
    assert job[0] == "iop_avtal" and job[1]["deal"]["value_basis"] == "total"


def test_nothing_is_saved_when_a_rule_refuses_the_deal(fake: FakeApp) -> None:
    case_in(fake, "interest")
    commits = fake.db.commits
    with pytest.raises(RefusedError, match="letter of intent"):
        add_deal(fake.deps, COORDINATOR, TOWN, DealInput(form="iop"))
    assert fake.db.commits == commits and fake.db.committed.deals == {}


def test_awarding_the_first_deal_takes_the_automatic_step(fake: FakeApp, monkeypatch: pytest.MonkeyPatch) -> None:
    import tests.fakes

    monkeypatch.setattr(tests.fakes, "_CATALOG", _deals_catalog())  # what workflow_catalog() hands out
    now = fake.clock.now()
    state = "collaboration.internal.established,collaboration.external.established"
    with fake.deps.uow() as uow:
        m = uow.municipalities.find(TOWN)
        assert m is not None and m.id is not None
        case = uow.cases.add(Case(None, m.id, "handbook-deals", 1, state, CaseStatus.ACTIVE, now, now, now))
        uow.cases.append_history(HistoryEntry(case.id or 0, HistoryKind.OPENED, None, state, None, ADMIN, now))
        uow.commit()
    add_deal(fake.deps, COORDINATOR, TOWN, DealInput(form="bidrag", date="2022-02-01"))
    assert (current_case(fake) or case).state == state
    result = update_deal(fake.deps, COORDINATOR, TOWN, 1, DealInput(status="tilldelad", counterparty="Returnia",
                                                                    org_number="802456-7896"))
    assert [(s.trigger, s.to_state, s.deal) for s in result.automatic] == [("record_first_deal", "business", 1)]
    last = history(fake, case.id or 0)[-1]
    assert (last.trigger, last.actor, last.evidence["deal_awarded"]["deal"]) == ("record_first_deal", COORDINATOR, 1)
