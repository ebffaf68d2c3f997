"""Documents of a deal: the IOP-avtal draft and the direktupphandling documentation.

Their context comes from the deal record alone (``deal`` in the template), never from evidence
merged across history entries; the rest (municipality, board, coordinator, project) is what every
document sees. They are rendered when a deal is added, again as a new revision when it changes
(through the document outbox, after the change has committed), and on demand; each file goes to
the document register with the deal's id.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, timedelta
from typing import Any

from journey.domain.case import Case, HistoryEntry
from journey.domain.deals import (
    PROCUREMENTS,
    Deal,
    DealDetails,
    DealEvent,
    DealForm,
    DealStatus,
    ValueBasis,
    limit_for,
)
from journey.domain.language import running_date_text
from journey.domain.municipality import Municipality, slugify
from journey.domain.procurement import direct_award_limit
from journey.domain.spec import DocumentSpec, StateSpec, WorkflowSpec
from journey.ports.unit_of_work import UnitOfWork
from journey.services.deals.views import deal_view
from journey.services.documents.context import build_context
from journey.services.documents.rendering import Prepared

# form -> (template, title); the register names each file "deal<N>_<template>".
DEAL_DOCUMENTS: dict[DealForm, tuple[tuple[str, str], ...]] = {
    DealForm.IOP: (("iop_avtal", "IOP-avtal"),),
    DealForm.DIRECT_AWARD: (("direktupphandling", "Dokumentation av direktupphandling"),),
}


_NAMES = {template: name for documents in DEAL_DOCUMENTS.values() for template, name in documents}


def doc_id(deal: Deal, template: str) -> str:
    return f"deal{deal.number}_{template}"


def parse_doc_id(document_id: str) -> tuple[int, str] | None:
    """A deal's document id as (deal number, template): ``deal1_iop_avtal`` -> (1, 'iop_avtal'); None: no
    deal document."""
    number, _, template = document_id.removeprefix("deal").partition("_")
    if not document_id.startswith("deal") or not number.isdigit() or template not in _NAMES:
        return None
    return int(number), template


def listed_title(document_id: str) -> str | None:
    """How the register's list names a deal's document: ``deal1_iop_avtal`` -> 'Affär 1: IOP-avtal' (None: no
    deal document)."""
    parsed = parse_doc_id(document_id)
    return f"Affär {parsed[0]}: {_NAMES[parsed[1]]}" if parsed else None


def title_of(deal: Deal, template: str, name: str) -> str:
    if template == "iop_avtal":
        return f"{name} med {deal.counterparty} (utkast)" if deal.counterparty else f"{name} (utkast)"
    subject = deal.title or deal.counterparty
    return f"{name}: {subject}" if subject else name


def _direct_award(deal: Deal) -> dict[str, Any]:
    """The limit stored with the deal (the decision date's) and, for comparison, the other kind of limit."""
    day = deal.limit_day
    if day is None:
        return {"day": "", "day_text": "", "basis": "today", "limit_sek": None, "special_limit_sek": None,
                "reference": "", "special_services": deal.special_services}
    try:
        general, special = direct_award_limit(day), direct_award_limit(day, special_services=True)
        amounts = (general.amount_sek, special.amount_sek)
    except ValueError:
        amounts = (None, None)
    return {"day": day.isoformat(), "day_text": running_date_text(day.isoformat()),
            "basis": "decision" if deal.decided_date else "today",
            "limit_sek": deal.limit_sek if not deal.special_services else amounts[0],
            "special_limit_sek": deal.limit_sek if deal.special_services else amounts[1],
            "reference": deal.limit_reference, "special_services": deal.special_services}


def deal_context(spec: WorkflowSpec, case: Case, m: Municipality, deal: Deal, events: list[DealEvent],
                 stage: StateSpec, doc: DocumentSpec, history: list[HistoryEntry], now: datetime) -> dict[str, Any]:
    """What a deal's document template sees: the common context plus ``deal`` from the record."""
    municipality = {"name": m.name, "code": m.code, "county": m.county, "slug": slugify(m.name)}
    context = build_context(spec=spec, state=stage, doc=doc, municipality=municipality, case_state=case.state,
                            opened_at=case.opened_at, history=history, now=now)
    return with_deal(context, deal, events)


def with_deal(context: dict[str, Any], deal: Deal, events: list[DealEvent]) -> dict[str, Any]:
    """The common document context with the deal record in it (and its diarienummer, contact and limit)."""
    context["deal"] = deal_view(deal, events)
    context["document"]["diarienummer"] = deal.diarienummer
    if deal.details.contact:
        context["document"]["signer"] = deal.details.contact
    if deal.form is DealForm.DIRECT_AWARD:
        context["direct_award"] = _direct_award(deal)
    return context


def sample_deals(form: DealForm, today: date) -> list[Deal]:
    """For `journey templates check`: a deal of ``form`` with every fact, and a bare planned one."""
    procurement = form in PROCUREMENTS
    full = Deal(None, 0, 0, 1, form, DealStatus.AWARDED, today, title="Exempel & <test>",
                counterparty="Exempelföretaget ek. för.", org_number="769612-3459", value_sek=450000,
                value_basis=ValueBasis.TOTAL if procurement else ValueBasis.PER_YEAR, period_start=today,
                period_end=today + timedelta(days=729), decided_date=today, diarienummer="KS 2022/123",
                social_considerations="Sysselsättningskrav" if procurement else "",
                details=DealDetails("Syfte", "Målgrupp", "Kommunens insats", "Organisationens insats", "Behov",
                                    ("A", "B", "C"), "Skäl", "Anna Andersson", "Bertil Berg"))
    limit = limit_for(full, today)
    if limit is not None:
        full = replace(full, limit_sek=limit.amount_sek, limit_day=limit.day, limit_reference=limit.reference)
    return [full, Deal(None, 0, 0, 2, form, DealStatus.PLANNED, today)]


def job_items(deal: Deal) -> tuple[tuple[str, str], ...]:
    """What an outbox job renders for the deal: ("", "deal<N>_<template>") for each document of its form."""
    return tuple(("", doc_id(deal, template)) for template, _ in DEAL_DOCUMENTS.get(deal.form, ()))


def prepare_deal_documents(uow: UnitOfWork, spec: WorkflowSpec, case: Case, m: Municipality, deal: Deal, *,
                           history: list[HistoryEntry], now: datetime,
                           templates: set[str] | None = None) -> list[Prepared]:
    """The template data of the deal's documents (of ``templates`` only, if given), from its current record."""
    events = uow.deals.events(deal.id or 0)
    stage = spec.state(case.stage) or spec.states[0]
    out = []
    for template, name in DEAL_DOCUMENTS.get(deal.form, ()):
        if templates is None or template in templates:
            doc = DocumentSpec(doc_id(deal, template), template, (("title", title_of(deal, template, name)),))
            out.append(Prepared(stage, doc, deal_context(spec, case, m, deal, events, stage, doc, history, now), deal))
    return out


def prepare_job(uow: UnitOfWork, spec: WorkflowSpec, case: Case, m: Municipality,
                items: tuple[tuple[str, str], ...], *, history: list[HistoryEntry], now: datetime) -> list[Prepared]:
    """The deal documents among an outbox job's items; a deal gone or no longer of a form with documents, none."""
    wanted: dict[int, set[str]] = {}
    for path, ident in items:
        if not path and (parsed := parse_doc_id(ident)) is not None:
            wanted.setdefault(parsed[0], set()).add(parsed[1])
    out = []
    for number, templates in wanted.items():
        deal = uow.deals.get(case.id or 0, number)
        if deal is not None:
            out += prepare_deal_documents(uow, spec, case, m, deal, history=history, now=now, templates=templates)
    return out
