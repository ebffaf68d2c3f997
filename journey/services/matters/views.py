"""The read side of matters: `journey matters list|show`, and the open matter in `status` and `why`."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from typing import Any

from journey.definitions.catalog import WorkflowCatalog
from journey.domain.errors import NotFoundError
from journey.domain.matters import STANDING_BOARDS, STATUS_TEXT, Decision, Matter, MatterStatus, Outcome, board_name
from journey.domain.matters import target_meeting as aim
from journey.domain.messages import msg
from journey.domain.spec import WorkflowSpec
from journey.ports.core import ReadModel
from journey.ports.matters import MatterReadModel
from journey.services.cases.views import _case_row, _spec_or_none, reader

REASONS = {"ENTERED": msg("rendered on entering the state"), "REGENERATED": msg("rendered on request"),
           "MATTER_UPDATED": msg("rendered again: the matter's facts changed"),
           "DECISION": msg("rendered again after a decision"), "CORRECTED": msg("rendered again after a correction")}


def to_matter(row: dict[str, Any], decisions: list[dict[str, Any]]) -> Matter:
    """A matter row and its decision rows as the domain object (to reuse its rules on the read side)."""
    return Matter(row["id"], row["case_id"], row["state_path"], row["title"], tuple(row["bodies"]), row["opened_at"],
                  row["opened_by"], MatterStatus(row["status"]), row["diarienummer"], row["handlaggare"],
                  row["forvaltning"], dict(row["proposal"]), row["target_meeting"], row["closed_at"], row["updated_at"],
                  [Decision(d["body"], Outcome(d["outcome"]), d["meeting_date"], d["paragraph"], d["recorded_at"],
                            d["actor"], d["history_seq"], d["seq"], d["id"]) for d in decisions
                   if d["matter_id"] == row["id"]])


def title_of(matter: Matter, spec: WorkflowSpec | None) -> str:
    """A matter reconstructed from an older history has no title: it is named after its state."""
    state = spec.state(matter.state_path) if spec else None
    return matter.title or (state.matter.title if state and state.matter else state.title if state else
                            matter.state_path)


def describe(number: int, matter: Matter, spec: WorkflowSpec | None, boards: dict[str, str],
             meetings: dict[str, list[date]], today: date) -> dict[str, Any]:
    state = spec.state(matter.state_path) if spec else None
    target = aim(matter, meetings.get(matter.next_body or "", []), today)
    return {
        "number": number, "title": title_of(matter, spec), "state": matter.state_path,
        "state_title": state.title if state else matter.state_path, "status": matter.status.value,
        "status_text": STATUS_TEXT[matter.status], "diarienummer": matter.diarienummer,
        "handlaggare": matter.handlaggare, "forvaltning": matter.forvaltning,
        "chain": [{"code": b, "name": board_name(b, boards), "passed": i < matter.position,
                   "next": matter.is_open and i == matter.position} for i, b in enumerate(matter.bodies)],
        "next_body": matter.next_body, "next_body_name": board_name(matter.next_body, boards) if matter.next_body
        else None,
        "target_meeting": target.isoformat() if target else None, "target_set_by_hand": matter.target_meeting is not None,
        "decisions": [{"seq": d.seq, "body": d.body, "body_name": board_name(d.body, boards), "outcome": d.outcome.value,
                       "meeting_date": d.meeting_date.isoformat(), "paragraph": d.paragraph,
                       "recorded_at": d.recorded_at.isoformat(), "actor": d.actor, "history_seq": d.history_seq}
                      for d in matter.decisions],
        "proposal": matter.proposal, "opened_at": matter.opened_at.isoformat(),
        "closed_at": matter.closed_at.isoformat() if matter.closed_at else None,
    }


def _load(read: ReadModel, matters: MatterReadModel, workflows: Callable[[], WorkflowCatalog], username: str | None,
          municipality: str) -> tuple[dict[str, Any], WorkflowSpec | None, list[Matter], dict[str, str],
                                      dict[str, list[date]]]:
    row = _case_row(read, reader(read, username), municipality)
    spec = _spec_or_none(workflows(), row["workflow"], row["workflow_version"])
    decisions = matters.decisions(row["id"])
    found = [to_matter(r, decisions) for r in matters.matters(row["id"])]
    boards = dict(STANDING_BOARDS) | {b["code"]: b["name"] or b["code"] for b in matters.boards(row["municipality_id"])}
    calendar: dict[str, list[date]] = {}
    for meeting in matters.meetings(row["municipality_id"]):
        calendar.setdefault(meeting["board"], []).append(meeting["date"])
    return row, spec, found, boards, calendar


def list_matters(read: ReadModel, matters: MatterReadModel, workflows: Callable[[], WorkflowCatalog],
                 username: str | None, now: datetime, municipality: str) -> dict[str, Any]:
    """Every matter of the municipality's case, oldest first."""
    row, spec, found, boards, calendar = _load(read, matters, workflows, username, municipality)
    return {"municipality": row["municipality"], "state": row["state"], "status": row["status"],
            "matters": [describe(i, m, spec, boards, calendar, now.date()) for i, m in enumerate(found, 1)]}


def show_matter(read: ReadModel, matters: MatterReadModel, workflows: Callable[[], WorkflowCatalog],
                username: str | None, now: datetime, municipality: str, number: int | None = None) -> dict[str, Any]:
    """One matter (default: the open one, else the latest) with its documents and how they came about."""
    row, spec, found, boards, calendar = _load(read, matters, workflows, username, municipality)
    if not found:
        raise NotFoundError(msg("{municipality} has no matters yet: one opens when the case enters a state that "
                                "needs a political decision", municipality=row['municipality']))
    if number is None:
        number = next((i for i, m in reversed(list(enumerate(found, 1))) if m.is_open), len(found))
    if not 1 <= number <= len(found):
        raise NotFoundError(msg("{municipality} has no matter {number} (matters 1 to {count})",
            municipality=row['municipality'], number=number, count=len(found)))
    matter = found[number - 1]
    data = describe(number, matter, spec, boards, calendar, now.date())
    latest: dict[str, dict[str, Any]] = {}
    for doc in matters.documents(row["id"]):
        if doc["state_path"] == matter.state_path:
            latest.setdefault(doc["doc_id"], {}).update({k: doc[k] for k in ("doc_id", "title", "revision", "reason")}
                                                        | {"created_at": doc["created_at"].isoformat()})
            latest[doc["doc_id"]].setdefault("formats", set()).add(doc["format"])
    data["documents"] = [d | {"formats": sorted(d["formats"]), "note": REASONS.get(d["reason"], d["reason"])}
                         for d in latest.values()]
    return {"municipality": row["municipality"], "matter": data}


def open_matter_summary(read_matters: MatterReadModel, spec: WorkflowSpec | None, case_row: dict[str, Any],
                        now: datetime) -> dict[str, Any] | None:
    """The case's open matter in a few fields, for `status` and `why`."""
    decisions = read_matters.decisions(case_row["id"])
    found = [to_matter(r, decisions) for r in read_matters.matters(case_row["id"])]
    current = next((m for m in reversed(found) if m.is_open), None)
    if current is None:
        return None
    boards = dict(STANDING_BOARDS) | {b["code"]: b["name"] or b["code"]
                                      for b in read_matters.boards(case_row["municipality_id"])}
    days = [m["date"] for m in read_matters.meetings(case_row["municipality_id"])
            if current.next_body and m["board"].casefold() == current.next_body.casefold()]
    data = describe(found.index(current) + 1, current, spec, boards, {current.next_body or "": days}, now.date())
    return {k: data[k] for k in ("number", "title", "diarienummer", "status_text", "next_body", "next_body_name",
                                 "target_meeting", "chain")}
