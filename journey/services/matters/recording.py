"""Matters follow their case: opened on entering a state that declares one, decided or closed on leaving it.

Wired as event handlers (``bootstrap.matters``), inside the transaction of the step that
causes them, and before the documents feature, so a document rendered on entry sees its matter.
A step that leaves a state with a decision in its evidence (``journey advance ... -e organ=KS
-e meeting_date=...``) records that decision as the matter's final bifall; a workflow without
matters gets a decided matter for each such decision, as reconstructed for older cases.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from journey.definitions.catalog import WorkflowCatalog
from journey.domain.case import Case, HistoryEntry, corrected, latest_evidence
from journey.domain.errors import BoardNotFoundError, MatterRefusedError
from journey.domain.events import CaseMigrated, CaseOpened, Event, StateEntered, StateExited
from journey.domain.matters import (
    STANDING_BOARDS,
    Decision,
    Matter,
    MatterStatus,
    Outcome,
    decision_evidence,
    resolve_chain,
    same_board,
)
from journey.domain.messages import msg
from journey.domain.spec import StateSpec, TransitionSpec, WorkflowSpec
from journey.ports.unit_of_work import UnitOfWork

DEFAULT_BOARD = "KS"  # responsible until the case names another board
LEAVING_WITHOUT_DECISION = ("withdraw", "migrate")


def boards_of(uow: UnitOfWork, municipality_id: int) -> dict[str, str]:
    """Code -> name of every board the municipality has: its calendar's boards, and KS and KF always."""
    boards = dict(STANDING_BOARDS)
    for b in uow.board_meetings.boards(municipality_id):
        code = next((c for c in STANDING_BOARDS if same_board(c, b["code"])), b["code"])
        boards[code] = b["name"] or boards.get(code, code)
    return boards


def find_board(boards: dict[str, str], text: str) -> str | None:
    """The code of the board ``text`` names by code or by name."""
    return next((code for code, name in boards.items() if same_board(code, text) or (name and same_board(name, text))),
                None)


def resolve_board(boards: dict[str, str], text: str, municipality: str) -> str:
    """Like :func:`find_board`, but an unknown board is an error (exit 4) that says how to add it."""
    code = find_board(boards, text)
    if code is None:
        raise BoardNotFoundError(msg("{municipality} has no board {text!r} (known: {boards}); add it with "
                                     "`journey meetings board {municipality} CODE --name NAME`",
            municipality=municipality, text=text, boards=', '.join(boards)))
    return code


def responsible_code(history: list[HistoryEntry], boards: dict[str, str]) -> str:
    board = str(latest_evidence(history, "responsible_board").get("board") or DEFAULT_BOARD)
    return find_board(boards, board) or board


def open_matter(uow: UnitOfWork, case: Case, state: StateSpec, at: datetime, actor: str) -> Matter:
    """A new matter for ``state``: the chain resolved, handläggare and förvaltning from what the case knows."""
    spec = state.matter
    assert spec is not None
    history = corrected(uow.cases.history(case.id or 0))
    boards = boards_of(uow, case.municipality_id)
    chain = resolve_chain(spec.bodies, responsible_code(history, boards))
    function = str(latest_evidence(history, "responsible_board").get("officials_function") or "")
    matter = Matter(None, case.id or 0, state.path, spec.title, chain, at, actor,
                    handlaggare=str(latest_evidence(history, "local_team").get("coordinator") or ""),
                    forvaltning=function if spec.prepared_by == "coordinator" else spec.prepared_by, updated_at=at)
    return uow.matters.add(matter)


def record_final(uow: UnitOfWork, spec: WorkflowSpec, case: Case, stage: str, values: dict[str, Any], at: datetime,
                 actor: str, seq: int, *, strict: bool, outcome: Outcome = Outcome.BIFALL) -> Matter:
    """A decision given as evidence of a step: the last word on the stage's matter (opened if need be).

    Bifall decides the matter, avslag rejects it. ``strict``: the body must be one of the
    municipality's boards (workflows that declare matters).
    """
    boards = boards_of(uow, case.municipality_id)
    organ = str(values["organ"])
    body = resolve_board(boards, organ, uow.municipalities.get(case.municipality_id).name) if strict else \
        (find_board(boards, organ) or organ)
    matter = uow.matters.open_for(case.id or 0, stage)
    if matter is None:
        state = spec.state(stage)
        title = state.matter.title if state and state.matter else state.title if state else stage
        matter = uow.matters.add(Matter(None, case.id or 0, stage, title, (body,), at, actor, updated_at=at))
    else:  # decided outside the chain: the chain is the bodies that did decide
        passed = tuple(d.body for d in matter.decisions if d.outcome is Outcome.BIFALL)
        matter.bodies = passed + (() if passed and same_board(passed[-1], body) else (body,))
    matter.diarienummer = matter.diarienummer or str(values.get("diarienummer") or "")
    paragraph = values.get("paragraph")
    matter.decisions.append(Decision(body, outcome, date.fromisoformat(str(values["meeting_date"])),
                                     int(paragraph) if paragraph else None, at, actor, seq, len(matter.decisions) + 1))
    matter.status = MatterStatus.DECIDED if outcome is Outcome.BIFALL else MatterStatus.REJECTED
    matter.closed_at, matter.updated_at = at, at
    uow.matters.save(matter)
    return matter


def _decision_in(evidence: dict[str, Any], kind: str) -> dict[str, Any] | None:
    """The decision a step's evidence holds, when it names at least the body and the meeting."""
    values = evidence.get(kind)
    return values if isinstance(values, dict) and values.get("organ") and values.get("meeting_date") else None


def _already_decided(matter: Matter | None, values: dict[str, Any]) -> bool:
    """The step carries the decision its matter already holds (`journey decide`, or advance after a final bifall)."""
    last = matter.decisions[-1] if matter and not matter.is_open and matter.decisions else None
    return last is not None and same_board(last.body, str(values["organ"])) and \
        last.meeting_date.isoformat() == str(values["meeting_date"])


@dataclass
class MatterFollower:
    """The matters feature's event handlers and the evidence it lends to ``journey advance``."""

    workflows: Callable[[], WorkflowCatalog]

    def _spec(self, case: Case) -> WorkflowSpec:
        return self.workflows().get(case.workflow, case.workflow_version)

    def on_entered(self, event: Event, uow: UnitOfWork) -> None:
        assert isinstance(event, StateEntered)
        if "." in event.path:
            return
        case = uow.cases.get(event.case_id)
        state = self._spec(case).state(event.path)
        if state is None or state.matter is None or state.matter.optional:
            return
        if uow.matters.open_for(event.case_id, event.path) is None:
            open_matter(uow, case, state, event.at, _actor(uow, event.case_id))

    def on_exited(self, event: Event, uow: UnitOfWork) -> None:
        """Leaving with a decision decides the open matter; leaving otherwise closes it."""
        assert isinstance(event, StateExited)
        if "." in event.path:
            return
        case = uow.cases.get(event.case_id)
        spec = self._spec(case)
        state = spec.state(event.path)
        matter_spec = state.matter if state else None
        values = _decision_in(event.evidence, matter_spec.decision if matter_spec else "board_decision")
        decides = matter_spec is None or event.trigger == matter_spec.decides
        rejects = matter_spec is not None and bool(matter_spec.on_avslag) and event.trigger == matter_spec.on_avslag
        matter = uow.matters.open_for(event.case_id, event.path)
        if event.trigger not in LEAVING_WITHOUT_DECISION and (decides or (rejects and matter)) and values is not None:
            latest = next((m for m in reversed(uow.matters.for_case(event.case_id)) if m.state_path == event.path), None)
            if not _already_decided(latest, values):  # `journey decide` recorded it already
                entry = uow.cases.history(event.case_id)[-1]
                record_final(uow, spec, case, event.path, values, event.at, entry.actor, entry.seq,
                             strict=matter_spec is not None, outcome=Outcome.AVSLAG if rejects else Outcome.BIFALL)
            return
        if matter is not None:
            matter.close(event.at)
            matter.updated_at = event.at
            uow.matters.save(matter)

    def on_opened(self, event: Event, uow: UnitOfWork) -> None:
        """A case opened at a later stage: the step that led there, if it was a decision, decided a matter."""
        assert isinstance(event, CaseOpened)
        if not event.trigger:
            return
        case = uow.cases.get(event.case_id)
        spec = self._spec(case)
        step = next((t for t in spec.transitions if t.trigger == event.trigger and t.dest.split(".")[0] == case.stage),
                    None)
        if step is None:
            return
        source = step.source.split(".", 1)[0]
        state = spec.state(source)
        matter_spec = state.matter if state else None
        values = _decision_in(event.evidence, matter_spec.decision if matter_spec else "board_decision")
        if (matter_spec is None or matter_spec.decides == step.trigger) and values is not None:
            entry = uow.cases.history(event.case_id)[-1]
            record_final(uow, spec, case, source, values, event.at, entry.actor, entry.seq,
                         strict=matter_spec is not None)

    def on_migrated(self, event: Event, uow: UnitOfWork) -> None:
        """A stage that keeps its path under the new version opens the matter the new version declares."""
        assert isinstance(event, CaseMigrated)
        case = uow.cases.get(event.case_id)
        state = self._spec(case).state(case.stage)
        if state is None or state.matter is None or state.matter.optional:
            return
        if uow.matters.open_for(event.case_id, case.stage) is None:
            open_matter(uow, case, state, event.at, event.actor)

    def evidence_for(self, uow: UnitOfWork, case: Case, spec: WorkflowSpec,
                     transition: TransitionSpec) -> dict[str, dict[str, Any]]:
        """For the step a matter decides: its proposal, and its final decision once the last body gave bifall."""
        state = spec.state(transition.source)
        matter_spec = state.matter if state else None
        if state is None or matter_spec is None or transition.trigger != matter_spec.decides:
            return {}
        latest = next((m for m in reversed(uow.matters.for_case(case.id or 0)) if m.state_path == state.path), None)
        if latest is None or latest.status not in (MatterStatus.OPEN, MatterStatus.DECIDED):
            return {}
        provided = {kind: dict(fields) for kind, fields in latest.proposal.items()}
        final = latest.final_decision
        kind = spec.evidence_kind(matter_spec.decision)
        if final is not None and kind is not None:
            provided[kind.name] = decision_evidence(latest, final, [f.name for f in kind.fields])
        return provided


def _actor(uow: UnitOfWork, case_id: int) -> str:
    history = uow.cases.history(case_id)
    return history[-1].actor if history else "journey"


def apply_correction(uow: UnitOfWork, spec: WorkflowSpec, case: Case, seq: int, changes: dict[str, dict[str, Any]],
                     municipality: str) -> list[str]:
    """A corrected history entry that recorded a decision corrects that decision (and its matter) too.

    Returns the state paths of the matters that changed. The deciding body of a matter still
    in its chain is not corrected here (the chain depends on it): record decisions afresh instead.
    """
    changed = []
    for matter in uow.matters.for_case(case.id or 0):
        linked = [d for d in matter.decisions if d.history_seq == seq]
        if not linked:
            continue
        state = spec.state(matter.state_path)
        kind = state.matter.decision if state and state.matter else "board_decision"
        fields = changes.get(kind, {})
        for decision in linked:
            if "organ" in fields:
                if matter.is_open:
                    raise MatterRefusedError(msg("entry #{seq} records {body}'s decision in the open matter "
                                                 "{label!r}; its deciding body cannot be corrected",
                        seq=seq, body=decision.body, label=matter.label))
                decision.body = resolve_board(boards_of(uow, case.municipality_id), str(fields["organ"]), municipality)
            if "meeting_date" in fields:
                decision.meeting_date = date.fromisoformat(str(fields["meeting_date"]))
            if "paragraph" in fields:
                decision.paragraph = int(fields["paragraph"]) if fields["paragraph"] else None
        if fields.get("diarienummer"):
            matter.diarienummer = str(fields["diarienummer"])
        for proposed, values in changes.items():
            if proposed in matter.proposal:
                matter.proposal[proposed] = {**matter.proposal[proposed], **values}
        if fields or any(k in matter.proposal for k in changes):
            uow.matters.save(matter)
            changed.append(matter.state_path)
    return changed
