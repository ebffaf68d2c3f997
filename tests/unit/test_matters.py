"""Matters (ärenden) in the unit tier: the chain's rules, the YAML checks, corrections, and decide on the fakes."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime

import pytest

from journey.definitions.catalog import WorkflowCatalog
from journey.definitions.loader import load_text
from journey.domain.case import HistoryEntry, HistoryKind, corrected, late_start, plan_correction
from journey.domain.errors import (
    DecisionInputError,
    DefinitionErrors,
    EvidenceError,
    InputError,
    MatterRefusedError,
    NotFoundError,
    RefusedError,
)
from journey.domain.matters import (
    Decision,
    Effect,
    Matter,
    MatterStatus,
    Outcome,
    parse_outcome,
    resolve_chain,
    target_meeting,
)
from journey.services.cases.lifecycle import open_case
from journey.services.matters.decisions import decide
from journey.services.matters.registration import Facts, register_matter
from tests.fakes import WORKFLOWS, FakeApp
from tests.unit.support import COORDINATOR, TOWN, current_case, history

AT = datetime(2022, 3, 1, 9, 0, tzinfo=UTC)
TODAY = date(2022, 3, 1)
INVENTORY = {"approved_by": "Lokala teamet", "approved_date": "2022-02-10", "enterprises_identified": "9"}


def matter(*bodies: str) -> Matter:
    return Matter(1, 1, "policy", "Riktlinje för sociala företag", bodies, AT, "anna", diarienummer="KS 2022/312")


def decision(body: str, outcome: Outcome, day: str, paragraph: int | None = None) -> Decision:
    return Decision(body, outcome, date.fromisoformat(day), paragraph, AT, "anna")


@pytest.mark.parametrize(("text", "outcome"), [
    ("bifall", Outcome.BIFALL), ("Avslag", Outcome.AVSLAG), ("återremiss", Outcome.ATERREMISS),
    ("aterremiss", Outcome.ATERREMISS), ("ÅTERREMISS", Outcome.ATERREMISS), ("bordläggning", Outcome.BORDLAGGNING),
    ("bordlaggning", Outcome.BORDLAGGNING), (" bordläggning ", Outcome.BORDLAGGNING)])
def test_outcomes_are_read_with_and_without_swedish_letters(text: str, outcome: Outcome) -> None:
    assert parse_outcome(text) is outcome


def test_an_unknown_outcome_is_bad_input() -> None:
    with pytest.raises(DecisionInputError, match="unknown outcome 'godkänd': use bifall, avslag, återremiss or"):
        parse_outcome("godkänd")


def test_the_chain_goes_body_by_body_and_the_last_bifall_decides() -> None:
    m = matter("AMN", "KS", "KF")
    assert m.decide(decision("AMN", Outcome.ATERREMISS, "2022-01-18", 4), TODAY) is Effect.STAYS
    assert m.next_body == "AMN"
    assert m.decide(decision("AMN", Outcome.BIFALL, "2022-02-15", 9), TODAY) is Effect.NEXT_BODY
    assert m.next_body == "KS"
    assert m.decide(decision("KS", Outcome.BORDLAGGNING, "2022-02-21"), TODAY) is Effect.STAYS
    assert m.decide(decision("ks", Outcome.BIFALL, "2022-02-22", 31), TODAY) is Effect.NEXT_BODY
    assert m.decide(decision("KF", Outcome.BIFALL, "2022-02-28", 40), TODAY) is Effect.DECIDED
    assert (m.status, m.next_body, m.final_decision) == (MatterStatus.DECIDED, None, m.decisions[-1])
    assert [(d.seq, d.body, d.outcome.value) for d in m.decisions] == [
        (1, "AMN", "återremiss"), (2, "AMN", "bifall"), (3, "KS", "bordläggning"), (4, "KS", "bifall"),
        (5, "KF", "bifall")]


def test_avslag_rejects_the_matter_and_nobody_decides_it_after() -> None:
    m = matter("KS", "KF")
    m.decide(decision("KS", Outcome.BIFALL, "2022-02-22", 3), TODAY)
    assert m.decide(decision("KF", Outcome.AVSLAG, "2022-02-28", 8), TODAY) is Effect.REJECTED
    assert m.status is MatterStatus.REJECTED
    with pytest.raises(MatterRefusedError, match="is avslaget; no body decides it now"):
        m.decide(decision("KF", Outcome.BIFALL, "2022-03-01", 9), TODAY)


@pytest.mark.parametrize(("given", "error", "message"), [
    (decision("KF", Outcome.BIFALL, "2022-02-28"), MatterRefusedError, "awaits KS's decision (chain KS → KF), not KF's"),
    (decision("KS", Outcome.BIFALL, "2022-03-02"), DecisionInputError, "2022-03-02 is after today (2022-03-01)"),
])
def test_a_decision_out_of_turn_or_in_the_future_is_refused(given: Decision, error: type, message: str) -> None:
    m = matter("KS", "KF")
    with pytest.raises(error, match=re.escape(message)):
        m.decide(given, TODAY)
    assert m.decisions == [] and m.is_open


def test_a_matter_sent_back_returns_at_a_later_meeting_of_the_same_body() -> None:
    m = matter("KS", "KF")
    m.decide(decision("KS", Outcome.ATERREMISS, "2022-02-15", 12), TODAY)
    with pytest.raises(MatterRefusedError, match="a later meeting than the previous decision"):
        m.decide(decision("KS", Outcome.BIFALL, "2022-02-15", 13), TODAY)
    days = [date(2022, 2, 15), date(2022, 3, 15), date(2022, 4, 12)]
    assert target_meeting(m, days, TODAY) == date(2022, 3, 15)
    m.target_meeting = date(2022, 4, 12)  # set by hand
    assert target_meeting(m, days, TODAY) == date(2022, 4, 12)
    assert target_meeting(matter("KS"), [], TODAY) is None  # no calendar


def test_the_responsible_board_takes_its_place_in_the_chain_once() -> None:
    assert resolve_chain(("responsible", "KS", "KF"), "AMN") == ("AMN", "KS", "KF")
    assert resolve_chain(("responsible", "KS", "KF"), "ks") == ("ks", "KF")


def test_the_shipped_version_2_declares_matters_and_a_backward_step() -> None:
    spec = WorkflowCatalog.from_directory(WORKFLOWS, None).get("handbook", 2)
    policy = spec.state("policy")
    assert policy is not None and policy.matter is not None
    assert (policy.matter.bodies, policy.matter.decides, policy.matter.on_avslag) == (
        ("responsible", "KS", "KF"), "adopt_policy", "policy_rejected")
    back = spec.transition("policy_rejected", ("policy",))
    assert back is not None and back.dest == "political_intent"
    intent = spec.state("political_intent")
    assert intent is not None and intent.matter is not None and intent.matter.optional


MINI = """\
workflow: mini
version: 1
initial: draft
evidence:
  board_decision:
    title: Beslut
    fields:
      organ: {type: text}
      meeting_date: {type: date}
  note:
    title: Anteckning
    fields:
      text: {type: text}
states:
  - id: draft
    matter: {title: Ärende, bodies: [responsible, KS, KF], decides: adopt, on_avslag: reject}
  - id: adopted
  - {id: done, final: true}
transitions:
  - {trigger: adopt, source: draft, dest: adopted, guards: [board_decision]}
  - {trigger: reject, source: draft, dest: draft, guards: [board_decision]}
  - {trigger: back, source: adopted, dest: draft}  # backward
  - {trigger: finish, source: adopted, dest: done}
"""


def problems(text: str) -> list[str]:
    with pytest.raises(DefinitionErrors) as info:
        load_text(text, "mini.yaml")
    return [str(e) for e in info.value.errors]


def test_a_backward_transition_validates() -> None:
    spec = load_text(MINI, "mini.yaml")
    assert spec.transition("back", ("adopted",)) is not None


@pytest.mark.parametrize(("change", "message"), [
    (("decides: adopt", "decides: publish"), "states.draft.matter.decides: no transition 'publish' leaves 'draft'"),
    (("on_avslag: reject", "on_avslag: finish"), "states.draft.matter.on_avslag: no transition 'finish' leaves 'draft'"),
    (("source: draft, dest: draft, guards: [board_decision]", "source: draft, dest: draft, guards: [note]"),
     "states.draft.matter.on_avslag: 'reject' needs note; an avslag gives only the decision"),
    (("guards: [board_decision]", "guards: [note]"),
     "states.draft.matter.decides: 'adopt' must name the decision kind 'board_decision' among its guards"),
    (("bodies: [responsible, KS, KF]", "bodies: []"), "states[0].matter.bodies: must be a non-empty list"),
    (("      meeting_date: {type: date}", "      meeting_date: {type: date}\n      agenda: {type: text}"),
     "'board_decision' requires agenda, which a decision does not give"),
    (("matter: {", "matter: {when: later, "), "states[0].matter.when: unknown key"),
])
def test_a_matter_that_does_not_fit_its_workflow_is_reported_with_file_line_and_key(change: tuple[str, str],
                                                                                     message: str) -> None:
    text = MINI.replace(*change)
    assert text != MINI
    assert any(message in p and p.startswith("mini.yaml:") for p in problems(text)), problems(text)


def entries() -> list[HistoryEntry]:
    decided = {"board_decision": {"organ": "KS", "meeting_date": "2022-02-14", "paragraph": 45,
                                  "diarienummer": "KS 2022/31"}, "responsible_board": {"board": "KS",
                                                                                        "officials_function": "X"}}
    return [HistoryEntry(1, HistoryKind.OPENED, None, "anchoring", None, "anna", AT, {}, "", 1),
            HistoryEntry(1, HistoryKind.ADVANCED, "anchoring", "political_intent", "anchor_in_board", "anna", AT,
                         decided, "", 2),
            HistoryEntry(1, HistoryKind.PAUSED, "political_intent", "political_intent", None, "anna", AT, {}, "", 3)]


def test_a_correction_names_what_it_replaces_and_the_history_reads_corrected() -> None:
    spec = WorkflowCatalog.from_directory(WORKFLOWS, None).get("handbook", 2)
    changes, previous = plan_correction(spec, entries(), 2, {"diarienummer": "KS 2022/312", "paragraph": "45"}, TOWN)
    assert changes == {"board_decision": {"diarienummer": "KS 2022/312"}}  # § 45 is unchanged
    assert previous == {"board_decision": {"diarienummer": "KS 2022/31"}}
    fix = HistoryEntry(1, HistoryKind.CORRECTED, "political_intent", "political_intent", None, "eva", AT,
                       {"correction": {"entry": 2, "changes": changes, "previous": previous}}, "Felskrivet", 4)
    stored = entries() + [fix]
    assert corrected(stored)[1].evidence["board_decision"]["diarienummer"] == "KS 2022/312"
    assert stored[1].evidence["board_decision"]["diarienummer"] == "KS 2022/31"  # the entry itself is untouched


@pytest.mark.parametrize(("seq", "raw", "error", "message"), [
    (9, {"paragraph": "4"}, NotFoundError, "Hudiksvall's history has no entry #9 (entries #1 to #3"),
    (3, {"paragraph": "4"}, RefusedError, "entry #3 (paused) records no evidence to correct"),
    (2, {"paragraph": "45"}, RefusedError, "nothing to correct: entry #2 already holds these values"),
    (2, {"colour": "red"}, EvidenceError, "unknown evidence field 'colour'"),
    (2, {}, InputError, "give the corrected values with -e KEY=VALUE"),
])
def test_a_correction_that_cannot_apply_is_refused(seq: int, raw: dict[str, str], error: type, message: str) -> None:
    spec = WorkflowCatalog.from_directory(WORKFLOWS, None).get("handbook", 2)
    with pytest.raises(error, match=re.escape(message)):
        plan_correction(spec, entries(), seq, raw, TOWN)


def test_a_late_start_knows_the_steps_into_the_stage_and_the_evidence_met_on_the_way() -> None:
    spec = WorkflowCatalog.from_directory(WORKFLOWS, None).get("handbook", 2)
    start = late_start(spec, "policy")
    assert [t.trigger for t in start.entering] == ["express_political_intent", "decide_political_intent"]
    assert {"signed_letter", "responsible_board", "intent_reference", "board_decision"} <= {k.name for k in start.kinds}
    assert "policy_document" not in {k.name for k in start.kinds}  # a step after the stage
    with pytest.raises(InputError, match="is where every case starts"):
        late_start(spec, "interest")
    with pytest.raises(NotFoundError, match="has no stage 'collaboration.internal'"):
        late_start(spec, "collaboration.internal")


# --- the use cases on the fakes ---------------------------------------------------------------------------------


def at_anchoring(fake: FakeApp) -> None:
    """A handbook@2 case that starts at anchoring (its matter opens with the state)."""
    open_case(fake.deps, COORDINATOR, TOWN, at="anchoring", raw_evidence=INVENTORY)


def test_a_matter_goes_through_its_chain_and_the_last_bifall_advances_the_case(fake: FakeApp) -> None:
    at_anchoring(fake)
    register_matter(fake.deps, COORDINATOR, TOWN, Facts(diarienummer="KS 2022/31", proposal={
        "board": "KS", "officials_function": "Näringslivsenheten"}))
    sent_back = decide(fake.deps, COORDINATOR, TOWN, "KS", "aterremiss", "2022-02-15", "12")
    assert (sent_back.effect, sent_back.next_body, sent_back.advanced) == (Effect.STAYS, "KS", None)
    decide(fake.deps, COORDINATOR, TOWN, "Kommunstyrelsen", "bifall", "2022-02-22", "20")
    final = decide(fake.deps, COORDINATOR, TOWN, "KF", "bifall", "2022-02-28", "§ 21")
    assert final.effect is Effect.DECIDED and final.advanced is not None
    case = current_case(fake)
    assert case is not None and case.state == "political_intent"
    steps = history(fake, case.id or 0)
    assert [e.kind for e in steps[-4:]] == [HistoryKind.REGISTERED, HistoryKind.DECIDED, HistoryKind.DECIDED,
                                            HistoryKind.ADVANCED]
    assert steps[-1].evidence == {
        "board_decision": {"organ": "KF", "meeting_date": "2022-02-28", "paragraph": 21, "diarienummer": "KS 2022/31"},
        "responsible_board": {"board": "KS", "officials_function": "Näringslivsenheten"}}
    with fake.deps.uow() as uow:
        (decided,) = uow.matters.for_case(case.id or 0)
    assert decided.status is MatterStatus.DECIDED
    assert [(d.body, d.outcome, d.history_seq) for d in decided.decisions] == [
        ("KS", Outcome.ATERREMISS, steps[-3].seq), ("KS", Outcome.BIFALL, steps[-2].seq),
        ("KF", Outcome.BIFALL, steps[-1].seq)]


def test_a_refused_decision_changes_nothing(fake: FakeApp) -> None:
    at_anchoring(fake)
    register_matter(fake.deps, COORDINATOR, TOWN, Facts(diarienummer="KS 2022/31"))
    commits = fake.db.commits
    with pytest.raises(MatterRefusedError, match="bifall by KS decides|awaits KS's decision"):
        decide(fake.deps, COORDINATOR, TOWN, "KF", "bifall", "2022-02-22", "20")
    with pytest.raises(NotFoundError, match="Hudiksvall has no board 'AMN'"):
        decide(fake.deps, COORDINATOR, TOWN, "AMN", "bifall", "2022-02-22", "20")
    assert fake.db.commits == commits


def test_correcting_a_recorded_decision_corrects_it_in_its_matter(fake: FakeApp) -> None:
    from journey.services.cases.amendments import correct_entry

    at_anchoring(fake)
    register_matter(fake.deps, COORDINATOR, TOWN, Facts(diarienummer="KS 2022/31"))
    sent_back = decide(fake.deps, COORDINATOR, TOWN, "KS", "återremiss", "2022-02-15", "12")
    result = correct_entry(fake.deps, COORDINATOR, TOWN, sent_back.history_seq,
                           {"paragraph": "21", "meeting_date": "2022-02-16"}, "Fel paragraf i protokollsutdraget")
    assert result.previous == {"board_decision": {"paragraph": 12, "meeting_date": "2022-02-15"}}
    case = current_case(fake)
    assert case is not None
    with fake.deps.uow() as uow:
        (open_matter,) = uow.matters.for_case(case.id or 0)
    assert [(d.paragraph, d.meeting_date) for d in open_matter.decisions] == [(21, date(2022, 2, 16))]
    with pytest.raises(MatterRefusedError, match="its deciding body cannot be corrected"):
        correct_entry(fake.deps, COORDINATOR, TOWN, sent_back.history_seq, {"organ": "KF"}, "Fel organ")
