"""The data a document template sees: plain dicts and lists built from the case and its history.

Every evidence kind of the workflow is present (an empty dict until given), so templates can
write ``evidence.deal.counterparty | default("[leverantör]")`` under StrictUndefined. Sample
contexts for ``journey templates check`` come from the same builder with made-up evidence.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from journey.domain.case import HistoryEntry
from journey.domain.spec import DocumentSpec, EvidenceFieldSpec, StateSpec, WorkflowSpec, active_paths, parse_state

PROJECT = {"name": "Utvecklingsnätverk sociala företag", "esf_dnr": "2020/00825",
           "owner": "Sveriges Kommuner och Regioner", "period_start": "2021-01-01", "period_end": "2023-02-28"}
CITIES = {"Malmö", "Helsingborg", "Mölndal", "Göteborg", "Stockholm"}
DEAL_FORMS = {"iop": "IOP", "reserved_procurement": "Reserverad upphandling", "direct_award": "Direktupphandling",
              "social_clauses": "Sociala hänsyn", "advertised_procurement": "Annonserad upphandling",
              "lov": "Valfrihetssystem (LOV)", "grant": "Bidrag"}
BOARDS = {"KF": "Kommunfullmäktige", "KS": "Kommunstyrelsen", "KSAU": "Kommunstyrelsens arbetsutskott",
          "AMN": "Arbetsmarknadsnämnden", "SN": "Socialnämnden", "FSN": "Funktionsstödsnämnden"}
KINDS = {"tjansteskrivelse": "Tjänsteskrivelse", "avsiktsforklaring": "Avsiktsförklaring", "iop": "Avtal",
         "handlingsplan": "Handlingsplan", "riktlinje": "Utkast", "lagesrapport": "Lägesrapport",
         "uppdragsbeskrivning": "Uppdragsbeskrivning", "direktupphandling": "Dokumentation"}


def formal_name(name: str) -> str:
    """'Härjedalen' -> 'Härjedalens kommun', 'Laxå' -> 'Laxå kommun', 'Malmö' -> 'Malmö stad'."""
    if name in CITIES:
        return f"{name}{'' if name[-1] in 'aeiouyåäös' else 's'} stad"
    return f"{name}{'' if name[-1].lower() in 'aeiouyåäösxz' else 's'} kommun"


def thaw(value: Any) -> Any:
    """Settings are frozen to tuples by the loader; give templates dicts and lists again."""
    if isinstance(value, tuple):
        if value and all(isinstance(v, tuple) and len(v) == 2 and isinstance(v[0], str) for v in value):
            return {k: thaw(v) for k, v in value}
        return [thaw(v) for v in value]
    return value


def _date(value: datetime) -> str:
    return value.astimezone(UTC).date().isoformat()


def _stages(spec: WorkflowSpec, leaves: tuple[str, ...], history: list[HistoryEntry]) -> list[dict[str, Any]]:
    entered: dict[str, str] = {}
    for entry in history:
        for path in active_paths(parse_state(entry.to_state)):
            entered.setdefault(path, _date(entry.at))
    current = leaves[0].split(".", 1)[0] if leaves else ""
    order = [s.path for s in spec.states]
    position = order.index(current) if current in order else -1
    rows = []
    for i, stage in enumerate(spec.states):
        status = "klart" if i < position else "pågår" if i == position else "kvar"
        rows.append({"id": stage.path, "title": stage.title, "handbook_stage": stage.handbook_stage, "status": status,
                     "entered": entered.get(stage.path, "")})
    return rows


def build_context(*, spec: WorkflowSpec, state: StateSpec, doc: DocumentSpec, municipality: dict[str, Any],
                  case_state: str, opened_at: datetime, history: list[HistoryEntry], now: datetime,
                  esf: dict[str, Any] | None = None) -> dict[str, Any]:
    """Everything a template may use; see docs/documents.md for the list. ``esf``: the ESF figures
    (services.hours.report); without them the figures are empty but the social-enterprise counts are there."""
    from journey.services.hours.report import empty_report, enterprises

    evidence: dict[str, dict[str, Any]] = {k.name: {} for k in spec.evidence}
    decisions, deals, steps = [], [], []
    titles = {t.trigger: t.title for t in spec.transitions}
    for entry in history:
        for kind, fields in entry.evidence.items():
            evidence.setdefault(kind, {}).update(fields)
        title = titles.get(entry.trigger or "", entry.trigger or "Ärendet öppnat")
        if "board_decision" in entry.evidence:
            decisions.append({"title": title, **entry.evidence["board_decision"]})
        if "deal" in entry.evidence:
            deal = entry.evidence["deal"]
            deals.append({**deal, "form_title": DEAL_FORMS.get(str(deal.get("form")), str(deal.get("form")))})
        target = spec.state(parse_state(entry.to_state)[0].split(".", 1)[0]) if entry.to_state else None
        steps.append({"seq": entry.seq, "date": _date(entry.at), "actor": entry.actor, "trigger": entry.trigger or "",
                      "title": title, "to_state": entry.to_state, "to_title": target.title if target else ""})
    leaves = parse_state(case_state)
    stage = spec.state(leaves[0].split(".", 1)[0]) if leaves else None
    settings = thaw(doc.settings)
    code = str(evidence.get("responsible_board", {}).get("board") or "KS")
    board = BOARDS.get(code.upper(), code)  # a board may be recorded by its meeting-calendar code
    kind = next((v for k, v in KINDS.items() if doc.template.startswith(k)), "Dokument")
    document = {
        "id": doc.id, "template": doc.template, "title": settings.get("title") or doc.id.replace("_", " ").capitalize(),
        "kind": settings.get("kind") or kind, "organ": settings.get("organ") or board, "settings": settings,
        "unit": settings.get("unit") or evidence.get("responsible_board", {}).get("officials_function")
        or "[förvaltning eller enhet]",
        "diarienummer": settings.get("diarienummer") or "",
        "signer": evidence.get("local_team", {}).get("coordinator") or "[handläggare]",
        "signer_title": settings.get("signer_title") or "Lokal projektsamordnare",
    }
    return {
        "municipality": {**municipality, "formal_name": formal_name(municipality["name"])},
        "document": document,
        "case": {"workflow": spec.name, "workflow_version": spec.version, "workflow_title": spec.title,
                 "state": case_state, "state_title": stage.title if stage else case_state,
                 "stage": stage.path if stage else "", "handbook_stage": stage.handbook_stage if stage else "",
                 "opened_at": _date(opened_at)},
        "state": {"path": state.path, "title": state.title, "description": state.description,
                  "handbook_stage": state.handbook_stage},
        "evidence": evidence, "decisions": decisions, "deals": deals, "history": steps,
        "stages": _stages(spec, leaves, history), "responsible_board": board,
        "project": dict(PROJECT), "today": _date(now),
        "esf": esf if esf is not None else empty_report(now.date()) | {"enterprises": enterprises(evidence, deals)},
    }


def sample_value(field: EvidenceFieldSpec) -> Any:
    """A plausible value of the field's type, for checking templates."""
    samples: dict[str, Any] = {"date": "2022-09-01", "paragraph": 45, "diarienummer": "KS 2022/123",
                               "people": ["Anna Andersson", "Bertil Berg", "Cecilia Ceder"], "bool": True}
    if field.type == "int":
        return max(int(field.option("min", 0) or 0), 450000 if "sek" in field.name else 4)
    if field.type == "choice":
        return (field.option("choices") or ("",))[0]
    return samples.get(field.type, f"Exempel på {field.label or field.name} & <test>")


def sample_history(spec: WorkflowSpec, at: datetime) -> list[HistoryEntry]:
    """One made-up advance per evidence kind, each with every field filled."""
    from journey.domain.case import HistoryKind

    entries = []
    for i, kind in enumerate(spec.evidence, start=1):
        fields = {f.name: sample_value(f) for f in kind.fields}
        entries.append(HistoryEntry(0, HistoryKind.ADVANCED, None, spec.initial, None, "exempel", at, {kind.name: fields},
                                    "", i))
    return entries
