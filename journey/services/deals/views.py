"""A deal as plain data: for `journey deals list|show --json` and for the templates of its documents.

Every key is always present (None or "" when the deal does not hold it), so templates can test
``deal.diarienummer`` under StrictUndefined and print a placeholder only where the data is missing.
The value is kept as recorded: ``value_basis`` says whether ``value_sek`` is the total for the
period or an amount per year; the two are never converted into each other for display.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from journey.domain.deal_kinds import FIELD_LABELS
from journey.domain.deals import (
    BASIS_TEXT,
    FORM_LABELS,
    FORM_SHORT,
    INDEFINITE_TERM_MONTHS,
    STATUS_LABELS,
    Deal,
    DealEvent,
    DealForm,
    ValueBasis,
    contract_value,
    months_between,
)
from journey.domain.labels import value_text
from journey.domain.language import running_date_text


def _iso(day: date | None) -> str | None:
    return day.isoformat() if day else None


def _text(day: date | None) -> str:
    return running_date_text(day.isoformat()) if day else ""


def deal_view(deal: Deal, events: list[DealEvent] | None = None) -> dict[str, Any]:
    """Everything about one deal, dates as ISO text (``*_text``: "den 1 september 2022")."""
    total, _how = contract_value(deal)
    months = (months_between(deal.period_start, deal.period_end)
              if deal.period_start and deal.period_end else None)
    counted = (months or INDEFINITE_TERM_MONTHS) if deal.value_basis is ValueBasis.PER_YEAR else None
    d = deal.details
    return {
        "number": deal.number, "form": deal.form.value, "form_title": FORM_LABELS[deal.form],
        "form_in_text": FORM_SHORT[deal.form], "title": deal.title, "counterparty": deal.counterparty,
        "org_number": deal.org_number, "value_sek": deal.value_sek,
        "value_basis": deal.value_basis.value.lower() if deal.value_basis else None,
        "value_basis_text": BASIS_TEXT[deal.value_basis] if deal.value_basis else "",
        "per_year": deal.value_basis is ValueBasis.PER_YEAR,
        "contract_value_sek": total if deal.value_basis is ValueBasis.PER_YEAR and months else None,
        "months": months,
        "period_start": _iso(deal.period_start), "period_end": _iso(deal.period_end),
        "period_start_text": _text(deal.period_start), "period_end_text": _text(deal.period_end),
        "status": deal.status.value, "status_title": STATUS_LABELS[deal.status], "status_date": _iso(deal.status_date),
        "awarded": deal.awarded,
        "decided_date": _iso(deal.decided_date), "decided_date_text": _text(deal.decided_date),
        "diarienummer": deal.diarienummer, "special_services": deal.special_services,
        "limit": {"limit_sek": deal.limit_sek, "day": _iso(deal.limit_day), "day_text": _text(deal.limit_day),
                  "reference": deal.limit_reference, "basis": "decision" if deal.decided_date else "today",
                  "value_sek": total, "months": counted}  # the value reckoned against the limit
        if deal.form is DealForm.DIRECT_AWARD else None,
        "reserved": {"main_aim": deal.reserved_main_aim, "share": deal.reserved_share}
        if deal.form is DealForm.RESERVED else None,
        "social_considerations": deal.social_considerations, "contract_conditions": deal.contract_conditions,
        "purpose": d.purpose, "target_group": d.target_group, "municipality_contribution": d.municipality_contribution,
        "counterparty_contribution": d.counterparty_contribution, "need": d.need, "suppliers": list(d.suppliers),
        "choice_reason": d.choice_reason, "contact": d.contact, "counterparty_contact": d.counterparty_contact,
        "history": [event_view(e) for e in events or []],
    }


def event_view(event: DealEvent) -> dict[str, Any]:
    return {"seq": event.seq, "kind": event.kind.value, "status": event.status.value,
            "status_title": STATUS_LABELS[event.status], "date": event.day.isoformat(), "actor": event.actor,
            "at": event.at.isoformat(), "comment": event.comment, "changes": event.changes,
            "change_text": changes_text(event.changes)}


def changes_text(changes: dict[str, Any]) -> str:
    """'Värde (kr): 450000 → 600000; Motpart: – → Återbruket ek. för.' (fields by their Swedish labels)."""
    return "; ".join(f"{FIELD_LABELS.get(name, name)}: {_shown(old)} → {_shown(new)}"
                     for name, (old, new) in changes.items())


def _shown(value: Any) -> str:
    """A deal fact as history text: as evidence reads (``labels.value_text``), an empty one as '–' too."""
    return "–" if value == "" or value == [] else value_text(None, "deal", "", value)


EMPTY: dict[str, Any] = {
    "number": None, "form": None, "form_title": "", "form_in_text": "", "title": "", "counterparty": "",
    "org_number": "", "value_sek": None, "value_basis": None, "value_basis_text": "", "per_year": False,
    "contract_value_sek": None, "months": None, "period_start": None, "period_end": None, "period_start_text": "",
    "period_end_text": "", "status": None, "status_title": "", "status_date": None, "awarded": False,
    "decided_date": None, "decided_date_text": "", "diarienummer": "", "special_services": False, "limit": None,
    "reserved": None, "social_considerations": "", "contract_conditions": "", "purpose": "", "target_group": "",
    "municipality_contribution": "", "counterparty_contribution": "", "need": "", "suppliers": [],
    "choice_reason": "", "contact": "", "counterparty_contact": "", "history": [],
}


def deal_from_evidence(fields: dict[str, Any]) -> dict[str, Any]:
    """The `deal` evidence of one history entry (handbook@1) in the same shape; its value has no basis.

    Only the one entry is used, never fields merged from earlier entries.
    """
    if not fields:
        return dict(EMPTY)
    form = str(fields.get("form") or "")
    try:
        kind: DealForm | None = DealForm(form)
    except ValueError:
        kind = None
    decided = str(fields.get("decided_date") or "") or None
    value = fields.get("value_sek")
    old = {"social_clauses": "Sociala hänsyn"}  # a choice of handbook@1, not a form in the register
    return EMPTY | {
        "form": form or None, "form_title": FORM_LABELS[kind] if kind else old.get(form, form),
        "form_in_text": FORM_SHORT[kind] if kind else old.get(form, form).lower(),
        "counterparty": str(fields.get("counterparty") or ""), "value_sek": value if isinstance(value, int) else None,
        "decided_date": decided, "decided_date_text": running_date_text(decided) if decided else "",
        "diarienummer": str(fields.get("diarienummer") or ""),
    }
