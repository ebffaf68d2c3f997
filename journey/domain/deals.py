"""The deals register: business and partnerships with social enterprises, independent of stages.

Rules from /work/shared/domain-facts.md, "Procurement and partnership (LOU 2016:1145)":
- forms: IOP, reserverad upphandling (LOU 4 kap. 18 §), direktupphandling (19 a kap. LOU from
  2022-02-01, before that 19 kap.), annonserad upphandling, valfrihetssystem (LOV) and bidrag;
- sociala hänsyn (LOU 4 kap. 3 §) and särskilda kontraktsvillkor (17 kap. 1 §) are requirements
  inside a procurement, never a form of their own;
- a reserved procurement admits only suppliers whose main aim is the social and professional
  integration of people with disabilities or disadvantaged people, with at least 30 % of the
  employees from those groups;
- the direktupphandling limit follows the decision date (journey.domain.procurement);
- a counterparty is identified by its organisationsnummer: 10 digits, the last a Luhn check digit.

Amounts are whole kronor (int), never floats. A value is either the total for the whole period or
an amount per year, and the two are never added together.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from enum import StrEnum
from typing import Any

# the register's words (deal_kinds.py), re-exported: its users import them from here
from journey.domain.deal_kinds import ADVERTISED_FORMS as ADVERTISED_FORMS
from journey.domain.deal_kinds import AWARDED_OR_LATER as AWARDED_OR_LATER
from journey.domain.deal_kinds import BASIS_TEXT as BASIS_TEXT
from journey.domain.deal_kinds import FINAL as FINAL
from journey.domain.deal_kinds import FORM_LABELS as FORM_LABELS
from journey.domain.deal_kinds import FORM_SHORT as FORM_SHORT
from journey.domain.deal_kinds import ORDER as ORDER
from journey.domain.deal_kinds import PROCUREMENTS as PROCUREMENTS
from journey.domain.deal_kinds import STATUS_LABELS as STATUS_LABELS
from journey.domain.deal_kinds import DealForm as DealForm
from journey.domain.deal_kinds import DealStatus as DealStatus
from journey.domain.deal_kinds import ValueBasis as ValueBasis
from journey.domain.errors import InputError, RefusedError
from journey.domain.messages import msg
from journey.domain.procurement import DirectAwardLimit, direct_award_limit

RESERVED_MIN_SHARE = 30  # percent of the employees from the target groups, LOU 4 kap. 18 §
INDEFINITE_TERM_MONTHS = 48  # LOU 5 kap. 13 §: a contract without a fixed term counts 48 months


class DealEventKind(StrEnum):
    ADDED = "ADDED"
    STATUS = "STATUS"  # the status changed (other facts may have changed with it)
    CHANGED = "CHANGED"  # facts changed, the status did not


@dataclass(frozen=True)
class DealDetails:
    """Free text the documents use; empty until the coordinator records it."""

    purpose: str = ""  # syfte och gemensamt samhällsmål (IOP) or föremål
    target_group: str = ""  # målgrupp
    municipality_contribution: str = ""  # kommunens insats
    counterparty_contribution: str = ""  # motpartens insats
    need: str = ""  # behov (direktupphandling)
    suppliers: tuple[str, ...] = ()  # tillfrågade leverantörer
    choice_reason: str = ""  # val av leverantör och skäl
    contact: str = ""  # kommunens kontaktperson (handläggare)
    counterparty_contact: str = ""  # motpartens kontaktperson

    def to_json(self) -> dict[str, Any]:
        return {k: list(v) if isinstance(v, tuple) else v for k, v in self.__dict__.items() if v}

    @classmethod
    def from_json(cls, data: dict[str, Any] | None) -> DealDetails:
        data = dict(data or {})
        known = {k: v for k, v in data.items() if k in cls.__dataclass_fields__}
        if "suppliers" in known:
            known["suppliers"] = tuple(known["suppliers"])
        return cls(**known)


@dataclass
class Deal:
    """One deal of one municipality's case; ``number`` counts per case (1, 2, ...)."""

    id: int | None
    case_id: int
    municipality_id: int
    number: int
    form: DealForm
    status: DealStatus
    status_date: date
    title: str = ""
    counterparty: str = ""
    org_number: str = ""  # NNNNNN-NNNN
    value_sek: int | None = None
    value_basis: ValueBasis | None = None
    period_start: date | None = None
    period_end: date | None = None
    decided_date: date | None = None
    diarienummer: str = ""
    special_services: bool = False  # social and other special services (bilaga 2 LOU): another limit
    limit_sek: int | None = None  # direktupphandling: the limit that applied on limit_day
    limit_day: date | None = None
    limit_reference: str = ""
    reserved_main_aim: bool | None = None  # LOU 4 kap. 18 §: main aim social and professional integration
    reserved_share: int | None = None  # percent of employees from the target groups
    social_considerations: str = ""  # sociala hänsyn, LOU 4 kap. 3 §
    contract_conditions: str = ""  # särskilda kontraktsvillkor, LOU 17 kap. 1 §
    details: DealDetails = field(default_factory=DealDetails)
    created_by: str = ""
    created_at: datetime | None = None
    updated_at: datetime | None = None
    version: int = 1

    @property
    def awarded(self) -> bool:
        return self.status in AWARDED_OR_LATER

    @property
    def label(self) -> str:
        return deal_label(self.number, self.form, self.counterparty)


def deal_label(number: int, form: DealForm | str, counterparty: str = "") -> str:
    """'affär 2 (IOP, Kafé Kroken ek. för.)' for messages and history comments."""
    who = f", {counterparty}" if counterparty else ""
    return f"affär {number} ({FORM_SHORT.get(DealForm(form), str(form))}{who})"


@dataclass(frozen=True)
class DealEvent:
    """One append-only row of a deal's history: the status after it, when it took effect, who, why."""

    deal_id: int
    kind: DealEventKind
    status: DealStatus
    day: date
    actor: str
    at: datetime
    comment: str = ""
    changes: dict[str, Any] = field(default_factory=dict)  # field -> [old, new], as text
    seq: int = 0


# --- parsing --------------------------------------------------------------------------------------------------------


def _fold(text: str) -> str:
    """'Reserverad  Upphandling' -> 'reserverad upphandling'; å, ä, ö folded too ('pagaende')."""
    plain = "".join(c for c in unicodedata.normalize("NFKD", text.casefold()) if not unicodedata.combining(c))
    return " ".join(re.sub(r"[_\-/]+", " ", plain).split())


_FORM_WORDS = {
    DealForm.IOP: ("iop", "ideburet offentligt partnerskap", "iop ideburet offentligt partnerskap"),
    DealForm.RESERVED: ("reserved procurement", "reserverad upphandling", "reserverad"),
    DealForm.DIRECT_AWARD: ("direct award", "direktupphandling"),
    DealForm.ADVERTISED: ("advertised procurement", "annonserad upphandling", "upphandling"),
    DealForm.LOV: ("lov", "valfrihetssystem", "valfrihetssystem lov", "lagen om valfrihetssystem"),
    DealForm.GRANT: ("grant", "bidrag", "foreningsbidrag"),
}
_SOCIAL = {"social clauses", "sociala hansyn", "sarskilda kontraktsvillkor", "sysselsattningskrav"}


def form_choices() -> str:
    return ", ".join(f"{f.value} ({FORM_SHORT[f]})" if FORM_SHORT[f] != f.value else f.value for f in DealForm)


def parse_form(text: str) -> DealForm:
    """A form by id or Swedish name, any case, with or without å/ä/ö; sociala hänsyn is refused with advice."""
    word = _fold(text)
    for form, words in _FORM_WORDS.items():
        if word in words:
            return form
    if word in _SOCIAL:
        raise InputError(msg("form {text!r}: sociala hänsyn is a requirement inside a procurement, not a form "
                             "of deal; record the procurement (annonserad, reserverad or direktupphandling) with "
                             "--social-considerations or --contract-conditions", text=text))
    raise InputError(msg("form {text!r} is unknown; one of: {value}", text=text, value=form_choices()))


_STATUS_WORDS = {
    DealStatus.PLANNED: ("planned", "planerad"),
    DealStatus.ADVERTISED: ("advertised", "annonserad"),
    DealStatus.AWARDED: ("awarded", "tilldelad", "avtal tecknat", "tilldelad avtal tecknat", "tecknat"),
    DealStatus.ONGOING: ("ongoing", "pagaende"),
    DealStatus.COMPLETED: ("completed", "avslutad"),
    DealStatus.CANCELLED: ("cancelled", "canceled", "avbruten"),
}


def parse_status(text: str) -> DealStatus:
    word = _fold(text)
    for status, words in _STATUS_WORDS.items():
        if word in words:
            return status
    raise InputError(msg("status {text!r} is unknown; one of: {value}",
        text=text, value=', '.join(STATUS_LABELS.values())))


def luhn_ok(digits: str) -> bool:
    """The Luhn (mod 10) check over all digits, the last being the check digit."""
    total = 0
    for i, char in enumerate(reversed(digits)):
        n = int(char) * (2 if i % 2 else 1)
        total += n - 9 if n > 9 else n
    return total % 10 == 0


def parse_org_number(text: str) -> str:
    """'556016-0680' or '5560160680' -> '556016-0680'; the 10th digit must be the Luhn check digit.

    Only the 10-digit form is accepted (domain facts: 10 digits). A 12-digit form with a century
    or the "16" prefix some systems add is refused with a hint, so that one organisation is never
    stored in two spellings.
    """
    raw = text.strip()
    digits = re.sub(r"[\s\u00a0]", "", raw)
    if re.fullmatch(r"\d{12}|\d{8}-\d{4}", digits):
        raise InputError(msg("organisationsnummer {raw!r}: give the 10-digit form NNNNNN-NNNN (without century "
                             "or 16 prefix, e.g. {value}-{value2})",
            raw=raw, value=digits.replace('-', '')[2:8], value2=digits[-4:]))
    if not re.fullmatch(r"\d{6}-?\d{4}", digits):
        raise InputError(msg("organisationsnummer {raw!r} must be 10 digits, NNNNNN-NNNN", raw=raw))
    plain = digits.replace("-", "")
    if not luhn_ok(plain):
        raise InputError(msg("organisationsnummer {raw!r} is not valid: its last digit is not the check digit "
                             "(Luhn); check for a typing error", raw=raw))
    return f"{plain[:6]}-{plain[6:]}"


def parse_amount(text: str | int, what: str = msg("value")) -> int:
    """Whole kronor: '450000', '450 000' or '450 000 kr' -> 450000; decimals and negatives are refused."""
    if isinstance(text, int):
        value = text
    else:
        raw = re.sub(r"[\s\u00a0\u202f]", "", str(text))
        raw = re.sub(r"(?i)(kr|sek|kronor)$", "", raw)
        if not re.fullmatch(r"-?\d+", raw):
            raise InputError(msg("{what} {text!r} must be a whole number of kronor (e.g. 450000 or '450 000')",
                what=what, text=text))
        value = int(raw)
    if value < 0:
        raise InputError(msg("{what} {text!r} must not be negative", what=what, text=text))
    return value


def parse_basis(text: str) -> ValueBasis:
    word = _fold(text)
    if word in ("total", "totalt", "total value", "hela perioden"):
        return ValueBasis.TOTAL
    if word in ("year", "per year", "yearly", "per ar", "ar", "arligen", "arlig"):
        return ValueBasis.PER_YEAR
    raise InputError(msg("--per {text!r} must be 'total' (for the whole period) or 'year' (per year)", text=text))


def parse_day(text: str, what: str) -> date:
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise InputError(msg("{what} {text!r} is not a date (YYYY-MM-DD)", what=what, text=text)) from None


def parse_percent(text: str | int, what: str = "--reserved-share") -> int:
    raw = str(text).strip().removesuffix("%").strip()
    if not raw.isdigit() or not 0 <= int(raw) <= 100:
        raise InputError(msg("{what} {text!r} must be a whole percentage from 0 to 100", what=what, text=text))
    return int(raw)


def parse_names(text: str) -> tuple[str, ...]:
    return tuple(n.strip() for n in re.split(r"[;,]", text) if n.strip())


# --- rules ----------------------------------------------------------------------------------------------------------


def check_move(form: DealForm, old: DealStatus, new: DealStatus) -> None:
    """Statuses move forward (steps may be skipped); avbruten from any open status; nothing after the end."""
    if old == new:
        return
    if old in FINAL:
        raise RefusedError(msg("the deal is {value}: its status cannot change any more", value=STATUS_LABELS[old]))
    if new is DealStatus.CANCELLED:
        return
    if ORDER.index(new) < ORDER.index(old):
        raise RefusedError(msg("status cannot go back from {value} to {value2} (the history is kept; record "
                               "what happened next, or avbruten)", value=STATUS_LABELS[old], value2=STATUS_LABELS[new]))
    check_status_for_form(form, new)


def check_status_for_form(form: DealForm, status: DealStatus) -> None:
    if status is DealStatus.ADVERTISED and form not in ADVERTISED_FORMS:
        raise RefusedError(msg("a deal by {value} is not advertised; status annonserad applies to annonserad "
                               "and reserverad upphandling and LOV", value=FORM_SHORT[form]))


def contract_value(deal: Deal) -> tuple[int | None, str]:
    """The value that counts against the direktupphandling limit, and how it was reckoned.

    A total is taken as it is. An amount per year counts for the whole period in whole months
    (a started month counts), or for 48 months when the period has no end (LOU 5 kap. 13 §).
    """
    if deal.value_sek is None:
        return None, ""
    if deal.value_basis is not ValueBasis.PER_YEAR:
        return deal.value_sek, "the total value"
    if deal.period_start and deal.period_end:
        months = months_between(deal.period_start, deal.period_end)
        how = f"{deal.value_sek} kr per year for {months} months"
    else:
        months = INDEFINITE_TERM_MONTHS
        how = f"{deal.value_sek} kr per year for 48 months (no end date, LOU 5 kap. 13 §)"
    return -(-deal.value_sek * months // 12), how


def months_between(start: date, end: date) -> int:
    """Months from ``start`` to ``end`` inclusive, a started month counted whole (2022-09-01–2024-08-31: 24)."""
    after = end + timedelta(days=1)
    months = (after.year - start.year) * 12 + after.month - start.month + (after.day > start.day)
    return max(1, months)


def limit_for(deal: Deal, today: date) -> DirectAwardLimit | None:
    """The direktupphandling limit on the decision date (today's while the deal is only planned)."""
    if deal.form is not DealForm.DIRECT_AWARD:
        return None
    try:
        return direct_award_limit(deal.decided_date or today, deal.special_services)
    except ValueError as exc:
        raise InputError(msg("decision date {decided_date}: {exc}", decided_date=deal.decided_date, exc=exc)) from None


@dataclass(frozen=True)
class Checked:
    """A deal that passed the rules, and what the coordinator should know (not errors)."""

    deal: Deal
    warnings: tuple[str, ...] = ()


def check_deal(deal: Deal, today: date) -> Checked:
    """Consistency and legal rules on a complete deal; raise on the first problem, return warnings."""
    if deal.value_sek is not None and deal.value_basis is None:
        raise InputError(msg("--value needs --per total (for the whole period) or --per year"))
    if deal.value_basis is not None and deal.value_sek is None:
        raise InputError(msg("--per needs --value"))
    if deal.period_start and deal.period_end and deal.period_end < deal.period_start:
        raise InputError(msg("period end {period_end} is before its start {period_start}",
            period_end=deal.period_end, period_start=deal.period_start))
    for what, day in (("status date", deal.status_date), ("decision date", deal.decided_date)):
        if day is not None and day > today:
            raise InputError(msg("{what} {day} is after today ({today}); record what has happened",
                what=what, day=day, today=today))
    check_status_for_form(deal.form, deal.status)
    if (deal.social_considerations or deal.contract_conditions) and deal.form not in PROCUREMENTS:
        raise RefusedError(msg("sociala hänsyn and särskilda kontraktsvillkor belong to a procurement under LOU "
                               "(annonserad, reserverad or direktupphandling), not to {value}",
            value=FORM_SHORT[deal.form]))
    _check_reserved(deal)
    if deal.awarded and not (deal.counterparty and deal.org_number):
        raise RefusedError(msg("a deal that is {value} needs its counterparty: --counterparty NAME and --org-nr "
                               "NNNNNN-NNNN", value=STATUS_LABELS[deal.status]))
    if deal.special_services and deal.form is not DealForm.DIRECT_AWARD:
        raise InputError(msg("--special-services applies to a direktupphandling only"))
    return _check_limit(deal, today)


def _check_reserved(deal: Deal) -> None:
    given = deal.reserved_main_aim is not None or deal.reserved_share is not None
    if deal.form is not DealForm.RESERVED:
        if given:
            raise RefusedError(msg("the conditions of LOU 4 kap. 18 § belong to a reserverad upphandling, not "
                                   "to {value}", value=FORM_SHORT[deal.form]))
        return
    if deal.reserved_main_aim is False:
        raise RefusedError(msg("a reserverad upphandling (LOU 4 kap. 18 §) admits only suppliers whose main aim is the "
                               "social and professional integration of people with disabilities or disadvantaged people"))
    if deal.reserved_share is not None and deal.reserved_share < RESERVED_MIN_SHARE:
        raise RefusedError(msg("a reserverad upphandling (LOU 4 kap. 18 §) needs at least {reserved_min_share} "
                               "% of the supplier's employees from the target groups; {reserved_share} % was stated",
            reserved_min_share=RESERVED_MIN_SHARE, reserved_share=deal.reserved_share))
    if deal.awarded and (deal.reserved_main_aim is None or deal.reserved_share is None):
        raise RefusedError(msg("an awarded reserverad upphandling needs the conditions of LOU 4 kap. 18 §: "
                               "--reserved-main-aim and --reserved-share PERCENT (at least 30)"))


def _check_limit(deal: Deal, today: date) -> Checked:
    limit = limit_for(deal, today)
    if limit is None:
        return Checked(replace(deal, limit_sek=None, limit_day=None, limit_reference=""))
    deal = replace(deal, limit_sek=limit.amount_sek, limit_day=limit.day, limit_reference=limit.reference)
    value, how = contract_value(deal)
    if value is None or limit.amount_sek is None or value <= limit.amount_sek:
        return Checked(deal)
    kind = "for social and other special services " if deal.special_services else ""
    message = (f"the contract value {value} kr ({how}) exceeds the direktupphandling limit {kind}of "
               f"{limit.amount_sek} kr on {limit.day} ({limit.reference})")
    if deal.awarded or deal.decided_date is not None:
        raise RefusedError(msg("{message}; a direct award above it is not allowed: record an annonserad "
                               "upphandling, or --special-services if the purchase is a social or other special service",
            message=message))
    return Checked(deal, (f"{message}; it cannot be awarded directly at that value",))


def status_after(deal: Deal, new: DealStatus, day: date) -> Deal:
    """The deal in ``new`` from ``day``; a direct award's decision date defaults to the day it was awarded."""
    check_move(deal.form, deal.status, new)
    if new != deal.status and day < deal.status_date:
        raise InputError(msg("status date {day} is before the date of the current status ({status_date})",
            day=day, status_date=deal.status_date))
    decided = deal.decided_date
    if new in AWARDED_OR_LATER and decided is None and deal.status not in AWARDED_OR_LATER:
        decided = day
    return replace(deal, status=new, status_date=day if new != deal.status else deal.status_date, decided_date=decided)


def describe_changes(before: Deal, after: Deal) -> dict[str, list[Any]]:
    """Field -> [old, new] for every fact that differs (dates and enums as text), for the history."""
    changes: dict[str, list[Any]] = {}
    for name in Deal.__dataclass_fields__:
        if name in ("id", "version", "updated_at", "created_at", "created_by", "status", "status_date"):
            continue
        old, new = getattr(before, name), getattr(after, name)
        if name == "details":
            for key in DealDetails.__dataclass_fields__:
                a, b = getattr(old, key), getattr(new, key)
                if a != b:
                    changes[key] = [_plain(a), _plain(b)]
        elif old != new:
            changes[name] = [_plain(old), _plain(new)]
    return changes


def _plain(value: Any) -> Any:
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, tuple):
        return list(value)
    if isinstance(value, StrEnum):
        return value.value
    return value


# --- input ----------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class DealInput:
    """What a coordinator typed; None means "not given" (keep), "" clears an optional fact on update."""

    form: str | None = None
    title: str | None = None
    counterparty: str | None = None
    org_number: str | None = None
    value: str | None = None
    per: str | None = None
    start: str | None = None
    end: str | None = None
    status: str | None = None
    date: str | None = None  # the day the status took effect
    decided: str | None = None
    diarienummer: str | None = None
    special_services: bool | None = None
    reserved_main_aim: bool | None = None
    reserved_share: str | None = None
    social_considerations: str | None = None
    contract_conditions: str | None = None
    purpose: str | None = None
    target_group: str | None = None
    municipality_contribution: str | None = None
    counterparty_contribution: str | None = None
    need: str | None = None
    suppliers: str | None = None
    choice_reason: str | None = None
    contact: str | None = None
    counterparty_contact: str | None = None
    comment: str = ""

    def facts_given(self) -> bool:
        return any(getattr(self, name) is not None for name in self.__dataclass_fields__
                   if name not in ("status", "date", "comment"))


def _text(value: str) -> str:
    return " ".join(value.split())


def parse_diarienummer(text: str) -> str:
    from journey.domain.errors import EvidenceError
    from journey.domain.evidence import parse_value
    from journey.domain.spec import EvidenceFieldSpec

    try:
        return str(parse_value("deal", EvidenceFieldSpec("diarienummer", "diarienummer"), text))
    except EvidenceError:
        raise InputError(msg("--dnr {text!r} is not a diarienummer (e.g. 'KS 2022/123' or '2020/00825')",
                             text=text)) from None


def apply_facts(deal: Deal, given: DealInput) -> Deal:
    """The deal with every given fact parsed and set (status aside); raises InputError on malformed input."""
    values: dict[str, Any] = {}
    if given.form is not None:
        values["form"] = parse_form(given.form)
    for name in ("title", "counterparty", "social_considerations", "contract_conditions"):
        raw = getattr(given, name)
        if raw is not None:
            values[name] = _text(raw)
    if given.org_number is not None:
        values["org_number"] = parse_org_number(given.org_number) if given.org_number.strip() else ""
    if given.value is not None:
        values["value_sek"] = parse_amount(given.value, "--value") if given.value.strip() else None
        if values["value_sek"] is None:
            values["value_basis"] = None
    if given.per is not None:
        values["value_basis"] = parse_basis(given.per) if given.per.strip() else None
    for name, raw, what in (("period_start", given.start, "--start"), ("period_end", given.end, "--end"),
                            ("decided_date", given.decided, "--decided")):
        if raw is not None:
            values[name] = parse_day(raw, what) if raw.strip() else None
    if given.diarienummer is not None:
        values["diarienummer"] = parse_diarienummer(given.diarienummer) if given.diarienummer.strip() else ""
    if given.special_services is not None:
        values["special_services"] = given.special_services
    if given.reserved_main_aim is not None:
        values["reserved_main_aim"] = given.reserved_main_aim
    if given.reserved_share is not None:
        values["reserved_share"] = parse_percent(given.reserved_share) if given.reserved_share.strip() else None
    details: dict[str, Any] = {}
    for name in ("purpose", "target_group", "municipality_contribution", "counterparty_contribution", "need",
                 "choice_reason", "contact", "counterparty_contact"):
        raw = getattr(given, name)
        if raw is not None:
            details[name] = raw.strip()
    if given.suppliers is not None:
        details["suppliers"] = parse_names(given.suppliers)
    if details:
        values["details"] = replace(deal.details, **details)
    if "form" in values and values["form"] != deal.form and deal.status is not DealStatus.PLANNED:
        raise RefusedError(msg("the form of a deal that is {value} cannot change; record avbruten and add a new "
                               "deal", value=STATUS_LABELS[deal.status]))
    return replace(deal, **values)


def new_deal(case_id: int, municipality_id: int, number: int, given: DealInput, today: date) -> Deal:
    """A deal from a coordinator's input, before the rules are checked (see :func:`check_deal`)."""
    if not given.form:
        raise InputError(msg("a deal needs --form: one of {value}", value=form_choices()))
    status = parse_status(given.status) if given.status else DealStatus.PLANNED
    day = parse_day(given.date, "--date") if given.date else today
    deal = Deal(None, case_id, municipality_id, number, parse_form(given.form), status, day)
    deal = apply_facts(deal, given)
    if deal.awarded and deal.decided_date is None:
        deal = replace(deal, decided_date=day)
    return deal


def changed_deal(deal: Deal, given: DealInput, today: date) -> Deal:
    """``deal`` with the given facts and, if given, its next status (checked against the allowed moves)."""
    if given.date is not None and given.status is None:
        raise InputError(msg("--date is the day of a status change: give it with --status"))
    updated = apply_facts(deal, given)
    if given.status is not None:
        day = parse_day(given.date, "--date") if given.date else today
        updated = status_after(updated, parse_status(given.status), day)
    return updated
