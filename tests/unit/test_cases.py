"""Opening and advancing a case on the fakes: evidence, guards, refusals, completion, atomicity."""

from __future__ import annotations

from datetime import timedelta

import pytest

from journey.domain.case import CaseStatus, HistoryKind
from journey.domain.errors import (
    DocumentWriteError,
    EvidenceError,
    GuardRefusedError,
    NotFoundError,
    PermissionDeniedError,
    RefusedError,
    TransitionNotAllowedError,
)
from journey.domain.events import StateEntered
from journey.services.cases.lifecycle import advance_case, open_case
from journey.services.cases.pausing import pause_case
from journey.services.documents.outbox import retry
from tests.fakes import FakeApp
from tests.unit.support import ADMIN, COORDINATOR, TOWN, case_in, current_case, history

INTEREST = {"registered_date": "2022-02-20", "contact": "Anna Berg"}


def test_open_case_starts_in_the_initial_state_and_is_audited(fake: FakeApp) -> None:
    opened = open_case(fake.deps, COORDINATOR, "hudiksvall")

    case = current_case(fake)
    assert case is not None and case.id == opened.id
    assert (case.workflow, case.workflow_version, case.state, case.status) == ("handbook", 2, "interest",
                                                                                CaseStatus.ACTIVE)
    assert case.opened_at == fake.clock.now()
    (entry,) = history(fake, case.id or 0)
    assert (entry.kind, entry.to_state, entry.actor) == (HistoryKind.OPENED, "interest", COORDINATOR)


def test_a_municipality_has_one_case(fake: FakeApp) -> None:
    open_case(fake.deps, COORDINATOR, TOWN)
    commits = fake.db.commits

    with pytest.raises(RefusedError, match="already has a case"):
        open_case(fake.deps, ADMIN, TOWN)
    assert fake.db.commits == commits


def test_a_coordinator_cannot_open_another_municipalitys_case(fake: FakeApp) -> None:
    with pytest.raises(PermissionDeniedError):
        open_case(fake.deps, COORDINATOR, "Karlstad")
    assert current_case(fake, "Karlstad") is None


def test_advance_with_evidence_moves_the_case_and_records_the_evidence(fake: FakeApp) -> None:
    open_case(fake.deps, COORDINATOR, TOWN)
    fake.clock.advance(timedelta(days=2))

    result = advance_case(fake.deps, COORDINATOR, TOWN, "confirm_interest",
                          {"registered_date": "2022-02-20", "contact": " Anna Berg "}, comment="via e-post")

    assert (result.from_state, result.to_state, result.history_seq) == ("interest", "letter_of_intent", 2)
    case = current_case(fake)
    assert case is not None and case.state == "letter_of_intent" and case.stage_entered_at == fake.clock.now()
    entry = history(fake, case.id or 0)[-1]
    assert (entry.kind, entry.from_state, entry.to_state, entry.trigger, entry.actor, entry.comment) == (
        HistoryKind.ADVANCED, "interest", "letter_of_intent", "confirm_interest", COORDINATOR, "via e-post")
    assert entry.evidence == {"interest_registration": {"registered_date": "2022-02-20", "contact": "Anna Berg"}}


def test_entering_a_state_registers_its_documents_in_the_same_change(fake: FakeApp) -> None:
    open_case(fake.deps, COORDINATOR, TOWN)
    advance_case(fake.deps, COORDINATOR, TOWN, "confirm_interest", INTEREST)

    case = current_case(fake)
    with fake.deps.uow() as uow:
        rows = uow.documents.for_case(case.id or 0)  # type: ignore[union-attr]
    assert sorted((r["doc_id"], r["format"], r["revision"], r["reason"]) for r in rows) == [
        ("avsiktsforklaring", "docx", 1, "ENTERED"), ("avsiktsforklaring", "html", 1, "ENTERED")]
    assert {str(p) for p in fake.files.files} == {r["path"] for r in rows}
    ((template, context),) = fake.document_renderer.jobs
    assert (template, context["municipality"]["formal_name"]) == ("avsiktsforklaring", "Hudiksvalls kommun")


def test_dry_run_reports_the_target_and_writes_nothing(fake: FakeApp) -> None:
    open_case(fake.deps, COORDINATOR, TOWN)
    commits = fake.db.commits

    result = advance_case(fake.deps, COORDINATOR, TOWN, "confirm_interest", INTEREST, dry_run=True)

    assert (result.to_state, result.dry_run) == ("letter_of_intent", True)
    assert fake.db.commits == commits
    assert current_case(fake).state == "interest"  # type: ignore[union-attr]


def test_guard_refusal_names_what_is_lacking_and_changes_nothing(fake: FakeApp) -> None:
    open_case(fake.deps, COORDINATOR, TOWN)
    commits = fake.db.commits

    with pytest.raises(GuardRefusedError) as refused:
        advance_case(fake.deps, COORDINATOR, TOWN, "confirm_interest", {"contact": "Anna Berg"})

    assert refused.value.problems == ("Intresseanmälan registrerad: Datum för intresseanmälan (registered_date)",)
    assert "lacking Intresseanmälan registrerad: Datum för intresseanmälan (registered_date)" in str(refused.value)
    assert fake.db.commits == commits
    case = current_case(fake)
    assert case is not None and case.state == "interest"
    assert [e.kind for e in history(fake, case.id or 0)] == [HistoryKind.OPENED]


def test_guard_refusal_without_any_evidence_lists_every_missing_field(fake: FakeApp) -> None:
    case_in(fake, "anchoring")

    with pytest.raises(GuardRefusedError) as refused:
        advance_case(fake.deps, COORDINATOR, TOWN, "anchor_in_board", {})

    assert refused.value.problems == (
        "Beslut i nämnd eller styrelse (protokollsutdrag): Organ (KF, KS, KSAU eller nämnd) (organ), "
        "Sammanträdesdatum (meeting_date), Paragraf (§) (paragraph), Diarienummer (diarienummer)",
        "Utsedd ansvarig nämnd och samordnande funktion: Ansvarig nämnd (kod som i sammanträdesplanen, t.ex. KS, AMN) "
        "(board), Samordnande funktion i förvaltningen (officials_function)")


def test_malformed_evidence_is_an_input_error(fake: FakeApp) -> None:
    open_case(fake.deps, COORDINATOR, TOWN)

    with pytest.raises(EvidenceError, match="registered_date"):
        advance_case(fake.deps, COORDINATOR, TOWN, "confirm_interest", {**INTEREST, "registered_date": "20/2"})


def test_a_trigger_not_allowed_in_the_current_state_is_refused_with_the_allowed_ones(fake: FakeApp) -> None:
    open_case(fake.deps, COORDINATOR, TOWN)

    with pytest.raises(TransitionNotAllowedError, match="allowed now: confirm_interest"):
        advance_case(fake.deps, COORDINATOR, TOWN, "sign_letter_of_intent", {})
    assert current_case(fake).state == "interest"  # type: ignore[union-attr]


def test_an_unknown_trigger_suggests_the_closest_one(fake: FakeApp) -> None:
    open_case(fake.deps, COORDINATOR, TOWN)

    with pytest.raises(NotFoundError, match="did you mean 'confirm_interest'"):
        advance_case(fake.deps, COORDINATOR, TOWN, "confirm_intrest", INTEREST)


def test_a_paused_case_cannot_advance(fake: FakeApp) -> None:
    open_case(fake.deps, COORDINATOR, TOWN)
    pause_case(fake.deps, COORDINATOR, TOWN, "Sommaruppehåll")
    commits = fake.db.commits

    with pytest.raises(RefusedError, match="paused"):
        advance_case(fake.deps, COORDINATOR, TOWN, "confirm_interest", INTEREST)

    case = current_case(fake)
    assert case is not None and (case.state, case.status) == ("interest", CaseStatus.PAUSED)
    assert fake.db.commits == commits


def test_reaching_a_final_stage_completes_the_case(fake: FakeApp) -> None:
    case_in(fake, "business")

    advance_case(fake.deps, COORDINATOR, TOWN, "start_follow_up",
                 {"reported_to": "Kommunstyrelsen", "report_date": "2022-02-28"})

    case = current_case(fake)
    assert case is not None and (case.state, case.status) == ("follow_up", CaseStatus.COMPLETED)


def test_a_final_state_inside_a_parallel_region_does_not_complete_the_case(fake: FakeApp) -> None:
    case_in(fake, "collaboration.internal.forming,collaboration.external.forming")

    advance_case(fake.deps, COORDINATOR, TOWN, "establish_internal_structure",
                 {"mandate_date": "2022-02-01", "functions": "Näringsliv, Inköp, Arbetsmarknad"})

    case = current_case(fake)
    assert case is not None and case.status is CaseStatus.ACTIVE
    assert set(case.leaves) == {"collaboration.internal.established", "collaboration.external.forming"}


def test_a_failing_event_handler_rolls_the_whole_advance_back(fake: FakeApp) -> None:
    open_case(fake.deps, COORDINATOR, TOWN)

    def refuse(event: object, uow: object) -> None:
        raise DocumentWriteError("No space left on device")

    fake.deps.on(StateEntered, refuse)
    with pytest.raises(DocumentWriteError, match="No space left on device"):
        advance_case(fake.deps, COORDINATOR, TOWN, "confirm_interest", INTEREST)

    case = current_case(fake)
    assert case is not None and case.state == "interest"
    assert [e.kind for e in history(fake, case.id or 0)] == [HistoryKind.OPENED]
    with fake.deps.uow() as uow:
        assert uow.documents.for_case(case.id or 0) == [] and uow.documents.open_jobs() == []


def test_a_document_that_cannot_be_written_waits_and_the_advance_stands(fake: FakeApp) -> None:
    """Issue #14 §3: documents are rendered after the change commits; a failure is kept on its job."""
    open_case(fake.deps, COORDINATOR, TOWN)
    fake.files.fail = OSError(28, "No space left on device")

    result = advance_case(fake.deps, COORDINATOR, TOWN, "confirm_interest", INTEREST)

    case = current_case(fake)
    assert case is not None and case.state == "letter_of_intent" and result.documents == ()
    assert [e.kind for e in history(fake, case.id or 0)] == [HistoryKind.OPENED, HistoryKind.ADVANCED]
    assert [(j.items, j.attempts) for j in result.waiting] == [((("letter_of_intent", "avsiktsforklaring"),), 1)]
    assert "No space left on device" in result.waiting[0].error
    with fake.deps.uow() as uow:
        assert uow.documents.for_case(case.id or 0) == []

    advanced_at = fake.clock.now()
    fake.clock.advance(timedelta(days=2))
    fake.files.fail = None
    assert fake.deps.documents is not None
    settled = retry(fake.deps, fake.deps.documents, [case.id or 0])
    assert {r["doc_id"] for r in settled.rows} == {"avsiktsforklaring"} and settled.failed == []
    assert {r["created_at"] for r in settled.rows} == {advanced_at}  # dated the advance, not the retry
    with fake.deps.uow() as uow:
        assert uow.documents.open_jobs() == []
        assert len(uow.documents.for_case(case.id or 0)) == len(settled.rows) > 0
    assert retry(fake.deps, fake.deps.documents, [case.id or 0]).rows == []  # exactly once
