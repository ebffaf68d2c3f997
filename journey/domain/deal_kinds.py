"""The deals register's words: forms, statuses and value bases, with their Swedish labels.

Apart from the rules in :mod:`journey.domain.deals` (which imports them from here) so that a reader
that only counts and labels deals, such as ``journey monitor``, loads the words without the rules.
"""

from __future__ import annotations

from enum import StrEnum


class DealForm(StrEnum):
    """Stored values never change meaning (they match the `deal.form` choices of handbook@1)."""

    IOP = "iop"
    RESERVED = "reserved_procurement"
    DIRECT_AWARD = "direct_award"
    ADVERTISED = "advertised_procurement"
    LOV = "lov"
    GRANT = "grant"


FORM_LABELS = {  # as a heading or in a table
    DealForm.IOP: "IOP (idéburet offentligt partnerskap)",
    DealForm.RESERVED: "Reserverad upphandling",
    DealForm.DIRECT_AWARD: "Direktupphandling",
    DealForm.ADVERTISED: "Annonserad upphandling",
    DealForm.LOV: "Valfrihetssystem (LOV)",
    DealForm.GRANT: "Bidrag",
}
FORM_SHORT = {DealForm.IOP: "IOP", DealForm.RESERVED: "reserverad upphandling",
              DealForm.DIRECT_AWARD: "direktupphandling", DealForm.ADVERTISED: "annonserad upphandling",
              DealForm.LOV: "LOV", DealForm.GRANT: "bidrag"}  # in running text
# Forms that are procurements under LOU: they may carry sociala hänsyn and särskilda kontraktsvillkor.
PROCUREMENTS = frozenset({DealForm.RESERVED, DealForm.DIRECT_AWARD, DealForm.ADVERTISED})
# Forms that are advertised (LOV on Valfrihetswebben), so they may stand in status "annonserad".
ADVERTISED_FORMS = frozenset({DealForm.RESERVED, DealForm.ADVERTISED, DealForm.LOV})


class DealStatus(StrEnum):
    PLANNED = "PLANNED"
    ADVERTISED = "ADVERTISED"
    AWARDED = "AWARDED"  # tilldelad / avtal tecknat
    ONGOING = "ONGOING"
    COMPLETED = "COMPLETED"
    CANCELLED = "CANCELLED"


STATUS_LABELS = {DealStatus.PLANNED: "planerad", DealStatus.ADVERTISED: "annonserad",
                 DealStatus.AWARDED: "tilldelad/avtal tecknat", DealStatus.ONGOING: "pågående",
                 DealStatus.COMPLETED: "avslutad", DealStatus.CANCELLED: "avbruten"}
ORDER = (DealStatus.PLANNED, DealStatus.ADVERTISED, DealStatus.AWARDED, DealStatus.ONGOING, DealStatus.COMPLETED)
AWARDED_OR_LATER = frozenset({DealStatus.AWARDED, DealStatus.ONGOING, DealStatus.COMPLETED})
FINAL = frozenset({DealStatus.COMPLETED, DealStatus.CANCELLED})


class ValueBasis(StrEnum):
    TOTAL = "TOTAL"  # for the whole period
    PER_YEAR = "PER_YEAR"


BASIS_TEXT = {ValueBasis.TOTAL: "totalt för avtalsperioden", ValueBasis.PER_YEAR: "per år"}


# What the deal's history calls each fact that changed (the Deal and DealDetails field names)
FIELD_LABELS = {
    "form": "Form", "number": "Nummer", "title": "Rubrik", "counterparty": "Motpart", "org_number": "Organisationsnummer",
    "value_sek": "Värde (kr)", "value_basis": "Värdet avser", "period_start": "Period från", "period_end": "Period till",
    "decided_date": "Beslutsdatum", "diarienummer": "Diarienummer",
    "special_services": "Sociala och andra särskilda tjänster",
    "limit_sek": "Direktupphandlingsgräns (kr)", "limit_day": "Gränsens datum", "limit_reference": "Gränsens källa",
    "reserved_main_aim": "Huvudsyfte social och yrkesmässig integrering",
    "reserved_share": "Andel anställda ur målgrupperna (%)", "social_considerations": "Sociala hänsyn",
    "contract_conditions": "Särskilda kontraktsvillkor", "purpose": "Syfte", "target_group": "Målgrupp",
    "municipality_contribution": "Kommunens insats", "counterparty_contribution": "Motpartens insats", "need": "Behov",
    "suppliers": "Tillfrågade leverantörer", "choice_reason": "Val av leverantör och skäl",
    "contact": "Kommunens kontaktperson", "counterparty_contact": "Motpartens kontaktperson",
}
