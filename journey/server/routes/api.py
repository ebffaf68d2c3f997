"""The JSON API: municipalities, cases, history, next steps, advance, matters and decisions, hours,
documents, monitor, reminders.

Every route acts as the token's (or session's) user through the same use cases as the CLI;
errors are the CLI's one-line messages with an HTTP status (see journey.server.errors).
"""

from __future__ import annotations

import datetime
from typing import Any

from fastapi import APIRouter, Depends, Path, Query, Request
from fastapi.responses import Response
from fastapi.security import HTTPBearer
from pydantic import BaseModel, ConfigDict, Field

from journey.domain.municipality import slugify
from journey.server.security import api_user
from journey.services.cases import views
from journey.services.cases.lifecycle import advance_case
from journey.services.documents.download import document_file
from journey.services.documents.views import list_documents
from journey.services.hours.entries import log_hours
from journey.services.matters.decisions import decide
from journey.services.matters.views import list_matters
from journey.services.monitoring.live import file_name
from journey.services.monitoring.monitor import MonitorFilter, build, to_json
from journey.services.reminders.views import upcoming


class ErrorBody(BaseModel):
    code: str = Field(description="bad_input, unauthenticated, forbidden, not_found, concurrent_change, refused …")
    status: int
    message: str = Field(description="the same one-line message the CLI prints")
    exit_code: int | None = Field(description="the CLI's exit code for the same error")


ERRORS: dict[int | str, dict[str, Any]] = {
    400: {"model": ErrorBody, "description": "bad input (malformed evidence, bad value)"},
    401: {"model": ErrorBody, "description": "no valid token or session"},
    403: {"model": ErrorBody, "description": "the user's role does not allow this"},
    404: {"model": ErrorBody, "description": "unknown municipality, case, trigger or document"},
    503: {"model": ErrorBody, "description": "database locked or not initialised: retry later"},
}
CHANGE_ERRORS: dict[int | str, dict[str, Any]] = ERRORS | {
    409: {"model": ErrorBody, "description": "another user changed the case at the same time; nothing was saved"},
    422: {"model": ErrorBody, "description": "refused: step not allowed now, or evidence lacking"},
}

bearer = HTTPBearer(auto_error=False, description="an API token from `journey tokens create USER`")
router = APIRouter(prefix="/api", tags=["api"], dependencies=[Depends(bearer)], responses=ERRORS)
Municipality = Path(description="kommunkod, name or slug (e.g. 2184, Hudiksvall, hudiksvall)", min_length=1,
                    max_length=100)


class Open(BaseModel):
    model_config = ConfigDict(extra="allow")


class MunicipalityOut(Open):
    id: int
    code: str
    name: str
    slug: str
    county: str
    workflow: str
    stage: str | None


class LastChange(Open):
    at: str
    actor: str
    trigger: str | None
    kind: str


class CaseOut(Open):
    municipality: str
    code: str
    workflow: str
    stage: str
    handbook_stage: str
    state: str
    state_title: str
    state_summary: str
    status: str
    days_in_stage: int
    stage_entered_at: str
    last_change: LastChange | None
    next_triggers: list[str]
    version: int


class HistoryEntryOut(Open):
    seq: int
    kind: str
    from_state: str | None
    to_state: str
    trigger: str | None
    actor: str
    at: str
    evidence: dict[str, Any]
    comment: str


class HistoryOut(Open):
    municipality: str
    workflow: str
    entries: list[HistoryEntryOut]


class NextOut(Open):
    municipality: str
    state: str
    state_title: str
    status: str
    steps: list[dict[str, Any]]


class AdvanceIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    trigger: str = Field(min_length=1, max_length=100, description="e.g. adopt_policy (see GET …/next)")
    evidence: dict[str, str] = Field(default_factory=dict,
                                     description="field or kind.field to value, e.g. {\"organ\": \"KS\"}")
    comment: str = Field(default="", max_length=4000)
    dry_run: bool = False
    expected_version: int | None = Field(default=None, ge=1, le=2**31 - 1,
                                         description="the case `version` you saw (GET /api/cases/…); if the case "
                                                     "has changed since, nothing is saved and the answer is 409")


class AdvanceOut(BaseModel):
    municipality: str
    trigger: str
    from_state: str
    to_state: str
    history_seq: int
    dry_run: bool


class MatterOut(Open):
    number: int
    title: str
    state: str
    status: str
    status_text: str
    diarienummer: str
    chain: list[dict[str, Any]]
    next_body: str | None
    target_meeting: str | None
    decisions: list[dict[str, Any]]


class MattersOut(Open):
    municipality: str
    state: str
    status: str
    matters: list[MatterOut]


class DecisionIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    board: str = Field(min_length=1, max_length=100, description="the deciding body: code or name (KS, KF, AMN …)")
    outcome: str = Field(min_length=1, max_length=40, description="bifall, avslag, återremiss or bordläggning")
    meeting: str = Field(min_length=1, max_length=20, description="the meeting date, YYYY-MM-DD")
    paragraph: str | None = Field(default=None, max_length=20, description="the protokollsparagraf, e.g. 45")
    evidence: dict[str, str] = Field(default_factory=dict,
                                     description="further evidence for the step a final bifall takes")
    comment: str = Field(default="", max_length=4000)
    expected_version: int | None = Field(default=None, ge=1, le=2**31 - 1,
                                         description="the case `version` you saw; 409 if it has changed since")


class DecisionOut(BaseModel):
    municipality: str
    matter: str
    body: str
    outcome: str
    effect: str
    history_seq: int
    open_matter: str | None
    next_body: str | None
    target_meeting: str | None
    advanced: AdvanceOut | None
    hint: str


class HoursIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    person: str = Field(min_length=1, max_length=200, description="a person registered for the municipality")
    day: str = Field(min_length=1, max_length=20, description="the day worked, YYYY-MM-DD")
    hours: str = Field(min_length=1, max_length=8, description="hours, e.g. 2 or 1.5 (quarter hours)")
    activity: str = Field(min_length=1, max_length=40, description="e.g. policy, inventory, procurement")
    description: str = Field(min_length=1, max_length=2000, description="what was done")


class HoursRowOut(Open):
    id: int
    person: str
    date: datetime.date
    hours: float
    kind: str
    activity: str
    stage: str


class HoursOut(Open):
    id: int
    municipality: str
    rows: list[HoursRowOut]


class DocumentOut(Open):
    id: int
    doc_id: str
    title: str
    format: str
    revision: int
    state_path: str
    sha256: str
    size: int
    created_at: str
    file_name: str
    download: str


class DocumentsOut(BaseModel):
    municipality: str
    documents: list[DocumentOut]


class MonitorOut(Open):
    generated_at: str
    year: int
    esf_target: int
    stages: list[dict[str, Any]]
    rows: list[dict[str, Any]]
    funnel: list[dict[str, Any]]
    counties: list[dict[str, Any]]
    totals: dict[str, int]


class ReminderOut(Open):
    id: int
    municipality: str
    rule_id: str
    title: str
    state_path: str
    recipient_role: str
    due_at: str | None
    status: str


def _ctx(request: Request) -> Any:
    return request.app.state.ctx


@router.get("/municipalities", response_model=list[MunicipalityOut], summary="Municipalities you may read")
def municipalities(request: Request) -> Any:
    ctx, user = _ctx(request), api_user(_ctx(request), request)
    return views.municipalities(ctx.read(), user)


@router.get("/cases", response_model=list[CaseOut], summary="Every case you may read, where it stands")
def cases(request: Request) -> Any:
    ctx, user = _ctx(request), api_user(_ctx(request), request)
    return ctx.views.get(("cases", user), lambda: views.status(ctx.read(), ctx.workflows, user, ctx.clock.now()))


@router.get("/cases/{municipality}", response_model=CaseOut, summary="One municipality's case")
def case(request: Request, municipality: str = Municipality) -> Any:
    ctx, user = _ctx(request), api_user(_ctx(request), request)
    return views.status(ctx.read(), ctx.workflows, user, ctx.clock.now(), municipality)[0]


@router.get("/cases/{municipality}/history", response_model=HistoryOut, summary="The audited history, oldest first")
def history(request: Request, municipality: str = Municipality) -> Any:
    ctx, user = _ctx(request), api_user(_ctx(request), request)
    return views.history(ctx.read(), user, municipality, ctx.workflows)


@router.get("/cases/{municipality}/next", response_model=NextOut,
            summary="Possible next steps and the evidence each still lacks (`journey why`)")
def next_steps(request: Request, municipality: str = Municipality) -> Any:
    ctx, user = _ctx(request), api_user(_ctx(request), request)
    return views.why(ctx.read(), ctx.workflows, user, municipality)


@router.post("/cases/{municipality}/advance", response_model=AdvanceOut, responses=CHANGE_ERRORS,
             summary="Advance the case by a trigger with evidence (`journey advance`)")
def advance(request: Request, body: AdvanceIn, municipality: str = Municipality) -> Any:
    ctx, user = _ctx(request), api_user(_ctx(request), request)
    result = advance_case(ctx.deps, user, municipality, body.trigger, body.evidence, body.comment, body.dry_run,
                          expected_version=body.expected_version)
    return _advanced(result)


def _advanced(result: Any) -> dict[str, Any]:
    return {"municipality": result.municipality, "trigger": result.trigger, "from_state": result.from_state,
            "to_state": result.to_state, "history_seq": result.history_seq, "dry_run": result.dry_run}


@router.get("/cases/{municipality}/matters", response_model=MattersOut,
            summary="The case's matters (ärenden) and their decisions (`journey matters list`)")
def matters(request: Request, municipality: str = Municipality) -> Any:
    ctx, user = _ctx(request), api_user(_ctx(request), request)
    return list_matters(ctx.read(), ctx.matter_reads(), ctx.workflows, user, ctx.clock.now(), municipality)


@router.post("/cases/{municipality}/decisions", response_model=DecisionOut, responses=CHANGE_ERRORS,
             summary="Record a body's decision on the open matter (`journey decide`)")
def decision(request: Request, body: DecisionIn, municipality: str = Municipality) -> Any:
    ctx, user = _ctx(request), api_user(_ctx(request), request)
    result = decide(ctx.deps, user, municipality, body.board, body.outcome, body.meeting, body.paragraph,
                    body.evidence, body.comment, ctx.tz, expected_version=body.expected_version)
    return {"municipality": result.municipality, "matter": result.matter, "body": result.body,
            "outcome": result.outcome.value, "effect": result.effect.value, "history_seq": result.history_seq,
            "open_matter": result.open_matter, "next_body": result.next_body,
            "target_meeting": result.target_meeting.isoformat() if result.target_meeting else None,
            "advanced": _advanced(result.advanced) if result.advanced else None, "hint": result.hint}


@router.post("/cases/{municipality}/hours", response_model=HoursOut, responses=CHANGE_ERRORS,
             summary="Log hours for a registered person (`journey hours log`)")
def hours(request: Request, body: HoursIn, municipality: str = Municipality) -> Any:
    ctx, user = _ctx(request), api_user(_ctx(request), request)
    return log_hours(ctx.deps, user, municipality, body.person, body.day, body.hours, body.activity, body.description)


@router.get("/cases/{municipality}/documents", response_model=DocumentsOut, summary="The document register")
def documents(request: Request, municipality: str = Municipality) -> Any:
    ctx, user = _ctx(request), api_user(_ctx(request), request)
    data = list_documents(ctx.read(), ctx.document_register, user, municipality)
    slug = slugify(data["municipality"])
    rows = []
    for d in data["documents"]:
        name = file_name(d["path"])
        rows.append({k: v for k, v in d.items() if k != "path"} | {"file_name": name,
                                                                  "download": f"/api/cases/{slug}/documents/{name}"})
    return {"municipality": data["municipality"], "documents": rows}


@router.get("/cases/{municipality}/documents/{name}", summary="Download one registered document file",
            response_class=Response, responses={200: {"content": {"application/octet-stream": {}},
                                                      "description": "the file, as registered (SHA-256 checked)"},
                                                409: CHANGE_ERRORS[409]})
def download(request: Request, municipality: str = Municipality,
             name: str = Path(min_length=1, max_length=255)) -> Response:
    ctx, user = _ctx(request), api_user(_ctx(request), request)
    found = document_file(ctx.read(), ctx.document_register, ctx.document_files, user, municipality, name)
    return file_response(found)


def file_response(found: Any) -> Response:
    return Response(found.data, media_type=found.media_type, headers={
        "Content-Disposition": f"attachment; filename*=UTF-8''{_quote(found.name)}", "ETag": f'"{found.sha256}"',
        "Cache-Control": "private, no-store"})


def _quote(name: str) -> str:
    from urllib.parse import quote

    return quote(name, safe="")


@router.get("/monitor", response_model=MonitorOut, summary="SKR's national matrix, funnel and counties")
def monitor(request: Request, county: str = Query("", max_length=100), stage: str = Query("", max_length=100),
            status: str = Query("", max_length=20), overdue: bool = False,
            min_days: int = Query(0, ge=0, le=100000)) -> Any:
    ctx, user = _ctx(request), api_user(_ctx(request), request)
    filters = MonitorFilter(county, stage, status, overdue, min_days)
    return ctx.views.get(("monitor", user, county, stage, status, overdue, min_days), lambda: to_json(
        build(ctx.monitor_source(), ctx.workflows, user, ctx.clock.now(), filters)))


@router.get("/reminders", response_model=list[ReminderOut], summary="Upcoming reminders, soonest first")
def reminders(request: Request, municipality: str | None = Query(None, min_length=1, max_length=100)) -> Any:
    ctx, user = _ctx(request), api_user(_ctx(request), request)
    rows = upcoming(ctx.read(), ctx.reminder_queries(), user, ctx.tz, municipality)
    return [{k: (v.isoformat() if hasattr(v, "isoformat") else v) for k, v in r.items()} for r in rows]
