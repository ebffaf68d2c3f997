"""What a person reads instead of ids: Swedish words for stored statuses, and labels from the workflow.

Stored values (``ACTIVE``, ``adopt_policy``, ``iop``) never change; only what is shown changes. States,
steps, evidence fields and choices take their Swedish titles and labels from the workflow YAML
(:class:`~journey.domain.spec.WorkflowSpec`); the statuses of cases and reminders are fixed words here.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

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
    "CANCELLED": "inställd",
    "FAILED": "misslyckades",
    "EXPIRED": "inaktuell",
}
HISTORY_KIND = {
    "OPENED": "Ärendet öppnat",
    "ADVANCED": "Steg taget",
    "PAUSED": "Pausat",
    "RESUMED": "Återupptaget",
    "MIGRATED": "Flyttat till ny version av arbetsgången",
    "DECIDED": "Beslut i ärende",
    "REGISTERED": "Ärendeuppgifter registrerade",
    "MISSED": "Sammanträdet passerade utan beslut",
    "CORRECTED": "Rättelse",
    "WITHDRAWN": "Kommunen lämnade nätverket",
}


def case_status(status: str | None) -> str:
    """``ACTIVE`` -> ``pågår``; an unknown status is shown as it is stored."""
    return CASE_STATUS.get(str(status), str(status or ""))


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


def evidence_lines(spec: WorkflowSpec | None, evidence: Mapping[str, Any]) -> list[tuple[str, list[tuple[str, str]]]]:
    """Evidence as ``[(kind title, [(field label, value as text)])]``, choices by their labels."""
    result = []
    for kind, fields in evidence.items():
        if not isinstance(fields, Mapping):
            continue
        title = spec.evidence_title(kind) if spec else kind
        rows = [(spec.field_label(kind, name) if spec else name, value_text(spec, kind, name, value))
                for name, value in fields.items()]
        result.append((title, rows))
    return result


def value_text(spec: WorkflowSpec | None, kind: str, name: str, value: Any) -> str:
    if isinstance(value, list):
        return ", ".join(map(str, value))
    if isinstance(value, bool):
        return "ja" if value else "nej"
    return spec.choice_label(kind, name, value) if spec else str(value)
