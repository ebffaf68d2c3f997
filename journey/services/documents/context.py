"""The data a document template sees: plain dicts and lists built from the case, its history and its matters.

Every evidence kind of the workflow is present (an empty dict until given), so templates can
write ``evidence.deal.counterparty | default("[leverantör]")`` under StrictUndefined. Each kind
is its latest record as one whole (corrections applied), never fields merged across entries.
A document of a state with a matter takes its diarienummer, handläggare, förvaltning, deciding
body and target meeting from that matter, and the matter's proposal as the evidence it will
decide on. Sample contexts for ``journey templates check`` come from the same builder.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import asdict
from datetime import UTC, date, datetime
from typing import Any

from journey.domain.case import HistoryEntry, HistoryKind, corrected, latest_evidence
from journey.domain.language import (
    all_noun_forms,
    board_forms,
    genitive,
    in_text,
    noun_forms,
    running_date_text,
    title_in_text,
)
from journey.domain.language import board_name as standard_board_name
from journey.domain.matters import (
    STATUS_TEXT,
    Decision,
    Matter,
    MatterStatus,
    Outcome,
    board_name,
    target_meeting,
)
from journey.domain.municipality import formal_name
from journey.domain.procurement import direct_award_limit
from journey.domain.spec import DocumentSpec, EvidenceFieldSpec, StateSpec, WorkflowSpec, active_paths, parse_state
from journey.services.deals.views import deal_from_evidence

# The network's project (domain-facts): ESF-financed, work period 2021–2022; the letters of intent were
# signed in November 2020, before the grant was decided.
PROJECT = {"name": "Utvecklingsnätverk sociala företag", "esf_dnr": "2020/00825",
           "owner": "Sveriges Kommuner och Regioner", "period_start": "2021-01-01", "period_end": "2022-12-31",
           "period": "2021–2022", "hours_per_year": 500, "coordinator_share": 20}
KINDS = {"tjansteskrivelse": "Tjänsteskrivelse", "avsiktsforklaring": "Avsiktsförklaring", "iop": "Avtal",
         "handlingsplan": "Handlingsplan", "riktlinje": "Utkast", "lagesrapport": "Lägesrapport",
         "uppdragsbeskrivning": "Uppdragsbeskrivning", "direktupphandling": "Dokumentation"}


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


NOT_STEPS = (HistoryKind.CORRECTED, HistoryKind.REGISTERED, HistoryKind.MISSED)  # bookkeeping, not steps of the journey


def _board(code: str, boards: Mapping[str, str]) -> str:
    """The municipality's calendar name for a body, else its standing name (KS -> Kommunstyrelsen, AMN ...)."""
    named = board_name(code, boards)
    return named if named != code else standard_board_name(code)


def _decision(d: Decision, boards: Mapping[str, str]) -> dict[str, Any]:
    return {"body": d.body, "body_name": _board(d.body, boards), "organ": d.body, "outcome": d.outcome.value,
            "meeting_date": d.meeting_date.isoformat(), "paragraph": d.paragraph or ""}


def matter_context(matter: Matter, boards: Mapping[str, str], meetings: Mapping[str, Sequence[date]],
                   today: date) -> dict[str, Any]:
    """A matter as templates and views see it: facts, chain with each body's outcome, target meeting."""
    final = matter.final_decision
    bodies = []
    for i, code in enumerate(matter.bodies):
        mine = [d for d in matter.decisions if d.body.casefold() == code.casefold()]
        passed = i < matter.position
        bodies.append({"code": code, "name": _board(code, boards),
                       "outcome": mine[-1].outcome.value if mine else "", "passed": passed,
                       "next": matter.is_open and i == matter.position})
    body = matter.next_body or (matter.bodies[-1] if matter.bodies else "")
    target = target_meeting(matter, meetings.get(matter.next_body or "", ()), today)
    return {
        "title": matter.title, "diarienummer": matter.diarienummer, "handlaggare": matter.handlaggare,
        "forvaltning": matter.forvaltning, "status": matter.status.value, "status_text": STATUS_TEXT[matter.status],
        "state": matter.state_path, "bodies": bodies, "chain": [b["name"] for b in bodies],
        "body": _board(body, boards) if body else "", "body_code": body,
        "final_body": _board(final.body, boards) if final else _board(matter.bodies[-1], boards) if matter.bodies
        else "",
        "target_meeting": target.isoformat() if target else "",
        "decisions": [_decision(d, boards) for d in matter.decisions],
        "decision": {**_decision(final, boards), "diarienummer": matter.diarienummer, "title": matter.title}
        if final else {},
        "proposal": {k: dict(v) for k, v in matter.proposal.items()},
    }


def build_context(*, spec: WorkflowSpec, state: StateSpec, doc: DocumentSpec, municipality: dict[str, Any],
                  case_state: str, opened_at: datetime, history: list[HistoryEntry], now: datetime,
                  matters: Sequence[Matter] = (), boards: Mapping[str, str] | None = None,
                  meetings: Mapping[str, Sequence[date]] | None = None, esf: dict[str, Any] | None = None,
                  register_deals: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    """Everything a template may use; see docs/documents.md for the list.

    ``matters``: the case's matters (a tjänsteskrivelse takes its facts from its state's matter).
    ``esf``: the ESF figures (services.hours.report); without them the figures are empty but the
    social-enterprise counts are there. ``register_deals``: the case's deals from the deals register
    (``deal_view``), listed in ``deals`` after any deal recorded as evidence of a step (handbook@1).
    """
    from journey.services.hours.report import empty_report, enterprises

    boards, meetings = dict(boards or {}), dict(meetings or {})
    entries = corrected(history)
    evidence: dict[str, dict[str, Any]] = {k.name: latest_evidence(entries, k.name) for k in spec.evidence}
    today = now.astimezone(UTC).date()
    by_state = {m.state_path: m for m in matters}  # the latest matter of each state
    matter = by_state.get(state.path)
    if matter is not None and matter.status is MatterStatus.OPEN:
        for kind, fields in matter.proposal.items():  # what the bodies are to decide on
            evidence[kind] = {**evidence.get(kind, {}), **fields}
    decisions = [matter_context(m, boards, meetings, today)["decision"] for m in matters
                 if m.status is MatterStatus.DECIDED]
    deals, steps = [], []
    titles = {t.trigger: t.title for t in spec.transitions}
    for entry in entries:
        if entry.kind in NOT_STEPS:
            continue
        title = titles.get(entry.trigger or "", entry.trigger or "Ärendet öppnat")
        if entry.kind is HistoryKind.DECIDED:
            title = entry.comment.split(":", 1)[0].capitalize() if entry.comment else "Beslut"
        if "deal" in entry.evidence and entry.kind is not HistoryKind.DECIDED:
            deals.append(deal_from_evidence(entry.evidence["deal"]))  # one deal is one entry, never merged
        target = spec.state(parse_state(entry.to_state)[0].split(".", 1)[0]) if entry.to_state else None
        steps.append({"seq": entry.seq, "date": _date(entry.at), "actor": entry.actor, "trigger": entry.trigger or "",
                      "title": title, "to_state": entry.to_state, "to_title": target.title if target else ""})
    leaves = parse_state(case_state)
    stage = spec.state(leaves[0].split(".", 1)[0]) if leaves else None
    settings = {key: thaw(value) for key, value in doc.settings}  # () when only id and template are declared
    code = str(evidence.get("responsible_board", {}).get("board") or "KS")
    board_text = board_forms(_board(code, boards))  # a board may be recorded by its meeting-calendar code
    board = board_text["name"]
    kind = next((v for k, v in KINDS.items() if doc.template.startswith(k)), "Dokument")
    current = matter_context(matter, boards, meetings, today) if matter is not None else None
    document = {
        "id": doc.id, "template": doc.template, "title": settings.get("title") or doc.id.replace("_", " ").capitalize(),
        "kind": settings.get("kind") or kind,
        "organ": settings.get("organ") or (current or {}).get("final_body") or board, "settings": settings,
        "unit": settings.get("unit") or (current or {}).get("forvaltning")
        or evidence.get("responsible_board", {}).get("officials_function") or "[förvaltning eller enhet]",
        "diarienummer": (current or {}).get("diarienummer") or settings.get("diarienummer") or "",
        "signer": (current or {}).get("handlaggare") or evidence.get("local_team", {}).get("coordinator")
        or "[handläggare]",
        "signer_title": settings.get("signer_title") or "Lokal projektsamordnare",
    }
    document["organ_in_text"] = in_text(str(document["organ"]))
    function = str(evidence.get("responsible_board", {}).get("officials_function") or "")
    formal = formal_name(municipality["name"], str(municipality.get("code", "")))
    return {
        "municipality": {**municipality, "formal_name": formal, "formal_genitive": genitive(formal)},
        "document": document,
        "case": {"workflow": spec.name, "workflow_version": spec.version, "workflow_title": spec.title,
                 "state": case_state, "state_title": stage.title if stage else case_state,
                 "stage": stage.path if stage else "", "handbook_stage": stage.handbook_stage if stage else "",
                 "opened_at": _date(opened_at)},
        "state": {"path": state.path, "title": state.title, "description": state.description,
                  "handbook_stage": state.handbook_stage},
        "evidence": evidence, "decisions": decisions, "deals": deals + list(register_deals or []), "history": steps,
        "matter": current or {}, "matters": {p: matter_context(m, boards, meetings, today) for p, m in by_state.items()},
        "stages": _stages(spec, leaves, entries), "responsible_board": board, "board": board_text,
        "officials_function": {"name": function or "[samordnande funktion]",
                               "in_text": in_text(function) if function else "[samordnande funktion]"},
        "project": {**PROJECT, "period_start_text": running_date_text(PROJECT["period_start"]),
                    "period_end_text": running_date_text(PROJECT["period_end"])},
        "today": _date(now), "today_text": running_date_text(_date(now)),
        "document_types": all_noun_forms(), "policy": _policy(settings, evidence),
        "steering_document": _steering_document(evidence), "direct_award": _direct_award(evidence, now),
        "esf": esf if esf is not None else empty_report(now.date()) | {"enterprises": enterprises(evidence, deals)},
        "deal": deal_from_evidence(evidence.get("deal", {})),  # a deal's own documents replace it with the record
    }


def _policy(settings: dict[str, Any], evidence: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """The policy document's kind and title in the forms text needs ("Antagande av riktlinje för ...")."""
    given = evidence.get("policy_document", {})
    forms = noun_forms(str(settings.get("document_type") or given.get("document_type") or "riktlinje"))
    title = str(given.get("title") or f"{forms.title} för arbetet med sociala företag")
    return {"type": asdict(forms), "title": title, "title_in_text": title_in_text(title)}


def _steering_document(evidence: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """An existing steering document the matter is integrated into (handbook-integrated)."""
    given = evidence.get("steering_document", {})
    title = str(given.get("document") or "")
    return {"title": title or "[befintligt styrdokument]",
            "title_in_text": title_in_text(title) if title else "[befintligt styrdokument]",
            "type": asdict(noun_forms(str(given.get("document_type") or "styrdokument")))}


def _direct_award(evidence: dict[str, dict[str, Any]], now: datetime) -> dict[str, Any]:
    """The direktupphandlingsgräns on the deal's decision date (today's when no date is recorded yet)."""
    decided = str(evidence.get("deal", {}).get("decided_date") or "")
    try:
        day, basis = date.fromisoformat(decided[:10]), "decision"
    except ValueError:
        day, basis = now.astimezone(UTC).date(), "today"
    values: dict[str, Any] = {"day": day.isoformat(), "day_text": running_date_text(day.isoformat()), "basis": basis,
                              "special_services": False}
    try:
        general, special = direct_award_limit(day), direct_award_limit(day, special_services=True)
    except ValueError:
        return {**values, "limit_sek": None, "special_limit_sek": None, "reference": ""}
    return {**values, "limit_sek": general.amount_sek, "special_limit_sek": special.amount_sek,
            "reference": general.reference}


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


def sample_matters(spec: WorkflowSpec, at: datetime, *, full: bool) -> list[Matter]:
    """One matter per state that declares one: decided, except the one of ``state`` (open).

    ``full``: every fact registered and every decision recorded (as after all steps); otherwise
    only what opening gives (as on the day the state is entered, before the registry numbers it).
    """
    matters = []
    for i, state in enumerate(s for s in spec.all_states() if s.matter is not None):
        assert state.matter is not None
        bodies = tuple("KS" if b == "responsible" else b for b in state.matter.bodies)
        matter = Matter(i + 1, 0, state.path, state.matter.title, bodies, at, "exempel", updated_at=at)
        if full:
            matter.diarienummer, matter.handlaggare = f"KS 2022/{120 + i}", "Anna Andersson"
            matter.forvaltning = "Kommunledningsförvaltningen"
            matter.decisions = [Decision(b, Outcome.BIFALL, at.date(), 40 + j, at, "exempel", 0, j + 1)
                                for j, b in enumerate(bodies)]
            matter.status = MatterStatus.DECIDED
        matters.append(matter)
    return matters


def open_sample(matters: list[Matter], state: StateSpec) -> list[Matter]:
    """The samples with ``state``'s own matter still open (its last body yet to decide)."""
    result = []
    for m in matters:
        if m.state_path == state.path and m.status is MatterStatus.DECIDED:
            m = Matter(m.id, m.case_id, m.state_path, m.title, m.bodies, m.opened_at, m.opened_by, MatterStatus.OPEN,
                       m.diarienummer, m.handlaggare, m.forvaltning, {}, None, None, m.updated_at, m.decisions[:-1])
        result.append(m)
    return result
