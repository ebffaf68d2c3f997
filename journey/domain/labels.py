"""What a person reads instead of ids: Swedish words for stored statuses, and labels from the workflow.

Stored values (``ACTIVE``, ``adopt_policy``, ``iop``) never change; only what is shown changes. States,
steps, evidence fields and choices take their Swedish titles and labels from the workflow YAML
(:class:`~journey.domain.spec.WorkflowSpec`); the statuses of cases and reminders are fixed words here.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from journey.domain.deal_kinds import FIELD_LABELS, FORM_LABELS, STATUS_LABELS, DealForm, DealStatus
from journey.domain.spec import EvidenceFieldSpec, WorkflowSpec

CASE_STATUS = {
    "ACTIVE": "pågår",
    "PAUSED": "pausad",
    "COMPLETED": "avslutad",
    "WITHDRAWN": "avbruten (kommunen har lämnat nätverket)",
}
REMINDER_STATUS = {
    "PLANNED": "planerad",
    "SENDING": "skickas",
    "SENT": "skickad",
    "CANCELLED": "återkallad",
    "FAILED": "misslyckades",
    "EXPIRED": "inaktuell",
}
HISTORY_KIND = {
    "OPENED": "Utvecklingsresan påbörjad",
    "ADVANCED": "Steg taget",
    "PAUSED": "Pausad",
    "RESUMED": "Återupptagen",
    "MIGRATED": "Flyttad till en ny version av arbetsflödet",
    "DECIDED": "Beslut i ärendet",
    "REGISTERED": "Ärendeuppgifter registrerade",
    "MISSED": "Sammanträdet passerade utan beslut",
    "CORRECTED": "Rättelse",
    "WITHDRAWN": "Kommunen lämnade nätverket",
}


def case_status(status: str | None) -> str:
    """``ACTIVE`` -> ``pågår``; an unknown status is shown as it is stored."""
    return CASE_STATUS.get(str(status), str(status or ""))


def case_status_id(text: str) -> str:
    """``pågår`` or ``active`` -> ``ACTIVE``: a status typed as its stored value or its Swedish word, any case."""
    wanted = fold(text)
    return next((k for k, v in CASE_STATUS.items() if wanted in (fold(k), fold(v), fold(v.split(" (")[0]))),
                text.upper())


def reminder_status(status: str | None) -> str:
    return REMINDER_STATUS.get(str(status), str(status or ""))


def history_kind(kind: str | None) -> str:
    return HISTORY_KIND.get(str(kind), str(kind or ""))


def fold(text: str) -> str:
    """How a typed choice is compared: any case, surrounding and repeated whitespace ignored."""
    return " ".join(text.casefold().split())


def match_choice(fld: EvidenceFieldSpec, raw: str) -> str | None:
    """The stored id of a choice given as its id or its Swedish label (any case), or None."""
    wanted = fold(raw)
    for choice in fld.choices:
        if wanted in (fold(choice), fold(fld.choice_label(choice))):
            return choice
    return None


def with_id(label: str, ident: str) -> str:
    """``Tjänstepersonens funktion (officials_function)``: the label to read, the id to type."""
    return label if label == ident else f"{label} ({ident})"


MATTER_FACTS = "matter"  # the evidence kind of a history entry that records a matter's registered facts
MATTER_TITLE = "Ärendets uppgifter"
MATTER_LABELS = {"title": "Rubrik", "diarienummer": "Diarienummer", "handlaggare": "Handläggare",
                 "forvaltning": "Förvaltning", "bodies": "Beslutsgång", "target_meeting": "Målsammanträde"}
# Evidence journey itself writes (no workflow declares it): its title and field labels. The kinds are
# deadlines.MISSED, the case migration's and guards.DEAL_AWARDED (tests/test_labels.py checks the names).
SYSTEM_EVIDENCE: dict[str, tuple[str, dict[str, str]]] = {
    MATTER_FACTS: (MATTER_TITLE, MATTER_LABELS),
    "missed_meeting": ("Sammanträde utan beslut", {"board": "Organ", "meeting_date": "Sammanträdesdatum",
                                                   "outcome": "Utfall"}),
    "migration": ("Byte av arbetsflödets version", {
        "run": "Migreringskörning", "rollback": "Återställning", "workflow": "Arbetsflöde",
        "from_version": "Från version", "to_version": "Till version"}),
    "deal_awarded": ("Tilldelad affär", {"deal": "Affär", "status": "Status", "status_date": "Statusdatum"}
                     | {k: v for k, v in FIELD_LABELS.items() if k in ("form", "counterparty", "org_number",
                                                                      "decided_date", "diarienummer")}),
}


def _system_value(kind: str, name: str, value: Any) -> str:
    """A system evidence value as text: a deal's form and status by their Swedish names."""
    try:
        if kind == "deal_awarded" and name == "form":
            return FORM_LABELS[DealForm(value)]
        if kind == "deal_awarded" and name == "status":
            return STATUS_LABELS[DealStatus(value)]
    except (ValueError, KeyError):
        pass
    return value_text(None, kind, name, value)


def evidence_lines(spec: WorkflowSpec | None, evidence: Mapping[str, Any]) -> list[tuple[str, list[tuple[str, str]]]]:
    """Evidence as ``[(kind title, [(field label, value as text)])]``, choices by their labels."""
    result = []
    for kind, fields in evidence.items():
        if not isinstance(fields, Mapping):
            continue
        if kind in SYSTEM_EVIDENCE and (spec is None or spec.evidence_kind(kind) is None):  # written by journey
            title, field_labels = SYSTEM_EVIDENCE[kind]
            result.append((title, [(field_labels.get(str(name), str(name)), _system_value(kind, name, value))
                                   for name, value in fields.items()]))
            continue
        title = spec.evidence_title(kind) if spec else kind
        rows = [(spec.field_label(kind, name) if spec else name, value_text(spec, kind, name, value))
                for name, value in fields.items()]
        result.append((title, rows))
    return result


def value_text(spec: WorkflowSpec | None, kind: str, name: str, value: Any) -> str:
    if value is None:
        return "–"
    if isinstance(value, list):
        return ", ".join(map(str, value))
    if isinstance(value, bool):
        return "ja" if value else "nej"
    return spec.choice_label(kind, name, value) if spec else str(value)


def state_title(specs: Sequence[WorkflowSpec], path: str | None) -> str:
    """A state's title in the first of ``specs`` that knows it (a case's history may predate a migration)."""
    if not path:
        return ""
    if "," in path:
        return ", ".join(state_title(specs, p) for p in path.split(",") if p)
    return next((s.state_title(path) for s in specs if s.state(path) is not None), path)


def trigger_title(specs: Sequence[WorkflowSpec], trigger: str | None) -> str:
    if not trigger:
        return ""
    return next((t for s in specs if (t := s.trigger_title(trigger)) != trigger), trigger)


def entry_labels(specs: Sequence[WorkflowSpec], entry: Mapping[str, Any]) -> dict[str, Any]:
    """What a history entry reads as: its step's title (or kind of entry), the states' titles and the evidence
    by kind titles and field labels (``evidence_labels``: ``[[kind title, [[label, value], ...]], ...]``)."""
    evidence = entry.get("evidence") or {}
    spec_of = {kind: next((s for s in specs if s.evidence_kind(kind) is not None), None) for kind in evidence}
    lines = [[title, [list(row) for row in rows]] for kind in evidence
             for title, rows in evidence_lines(spec_of[kind], {kind: evidence[kind]})]
    correction = evidence.get("correction") if entry.get("kind") == "CORRECTED" else None
    if isinstance(correction, Mapping):  # a correction's body: which entry, and each field's previous -> new value
        previous = correction.get("previous") or {}
        rows = []
        for kind, fields in (correction.get("changes") or {}).items():
            spec = next((s for s in specs if s.evidence_kind(kind) is not None), None)
            for name, v in fields.items() if isinstance(fields, Mapping) else ():
                before = value_text(spec, kind, name, (previous.get(kind) or {}).get(name))
                rows.append([spec.field_label(kind, name) if spec else f"{kind}.{name}",
                             f"{before} → {value_text(spec, kind, name, v)}"])
        lines = [[f"rättar #{correction.get('entry')}", rows]]
    return {"trigger_title": trigger_title(specs, entry.get("trigger")) or history_kind(entry.get("kind")),
            "kind_label": history_kind(entry.get("kind")),
            "from_title": state_title(specs, entry.get("from_state")),
            "to_title": state_title(specs, entry.get("to_state")),
            "evidence_labels": lines}


