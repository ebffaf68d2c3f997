"""The live pages (Swedish): login, the national matrix, a municipality's page and its forms.

Forms post back with a CSRF token and call the same use cases as the CLI; an error shows the
same one-line message above the page, with the matching HTTP status.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote, urlencode

from fastapi import APIRouter, Form, Path, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from journey.domain.auth import csrf_token
from journey.domain.errors import AuthenticationError, JourneyError, TooManyAttemptsError
from journey.domain.municipality import slugify
from journey.server import errors
from journey.server.routes.api import file_response
from journey.server.security import (
    check_csrf,
    check_login_form,
    clear_session_cookie,
    login_form_token,
    page_user,
    session_secret,
    set_session_cookie,
)
from journey.services.auth.passwords import login as login_user
from journey.services.auth.passwords import logout as logout_user
from journey.services.auth.tokens import create_token
from journey.services.cases.lifecycle import advance_case
from journey.services.cases.views import reader
from journey.services.deals.register import list_deals
from journey.services.documents.download import document_file
from journey.services.hours.entries import log_hours
from journey.services.hours.people import list_people
from journey.services.matters.decisions import decide
from journey.services.monitoring import live

router = APIRouter(include_in_schema=False)
Municipality = Path(min_length=1, max_length=100)


def _ctx(request: Request) -> Any:
    return request.app.state.ctx


def render(request: Request, template: str, status: int = 200, headers: dict[str, str] | None = None,
           **context: Any) -> HTMLResponse:
    env = request.app.state.pages
    secret = session_secret(request)
    context.setdefault("user", None)
    context.setdefault("csrf", csrf_token(secret) if secret else "")
    html = env.get_template(template).render(request_path=request.url.path, **context)
    return HTMLResponse(html, status_code=status, headers=headers)


def error_page(request: Request, status: int, message: str, headers: dict[str, str] | None = None) -> HTMLResponse:
    return render(request, "error.html.j2", status, headers, title=errors.TITLES.get(status, "Fel"), message=message)


def to_login(request: Request) -> RedirectResponse:
    target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    return RedirectResponse("/login?" + urlencode({"next": target}), status_code=303)


def _safe_next(target: str) -> str:
    """Only a local path: never another site (open redirect) nor a scheme-relative URL."""
    if not target.startswith("/") or target.startswith("//") or "\\" in target or "\n" in target or "\r" in target:
        return "/"
    return target


def _actor(request: Request) -> Any:
    ctx = _ctx(request)
    return reader(ctx.read(), page_user(ctx, request))


@router.get("/static/journey.css")
def stylesheet(request: Request) -> Response:
    css = (_ctx(request).templates_dir / "static" / "journey.css").read_bytes()
    return Response(css, media_type="text/css; charset=utf-8", headers={"Cache-Control": "public, max-age=3600"})


@router.get("/login", response_class=HTMLResponse)
def login_form(request: Request, next: str = "/") -> Response:
    response = HTMLResponse("")
    token = login_form_token(_ctx(request), request, response)
    page = render(request, "login.html.j2", login_csrf=token, next=_safe_next(next), message="", username="")
    page.raw_headers.extend(h for h in response.raw_headers if h[0] == b"set-cookie")
    return page


@router.post("/login", response_class=HTMLResponse)
def login_submit(request: Request, username: str = Form("", max_length=200), password: str = Form("", max_length=2000),
                 csrf: str = Form("", max_length=200), next: str = Form("/", max_length=2000)) -> Response:
    ctx = _ctx(request)
    check_login_form(request, csrf)
    client = request.client.host if request.client else ""
    try:
        done = login_user(ctx.deps, ctx.hasher, username, password, client, replaces=session_secret(request) or None)
    except AuthenticationError as exc:
        status = 429 if isinstance(exc, TooManyAttemptsError) else 401
        headers = {"Retry-After": str(exc.retry_after)} if isinstance(exc, TooManyAttemptsError) else None
        return render(request, "login.html.j2", status, headers, login_csrf=csrf, next=_safe_next(next),
                      message=errors.in_page_language(exc), username=username)
    request.scope["journey.user"] = done.actor.username
    response = RedirectResponse(_safe_next(next), status_code=303)
    set_session_cookie(ctx, request, response, done.secret)
    response.delete_cookie("journey_login", path="/login")
    return response


@router.post("/logout")
def logout(request: Request, csrf: str = Form("", max_length=200)) -> Response:
    ctx = _ctx(request)
    check_csrf(request, csrf)
    logout_user(ctx.deps, session_secret(request))
    response = RedirectResponse("/login", status_code=303)
    clear_session_cookie(ctx, request, response)
    return response


@router.get("/", response_class=HTMLResponse)
def national(request: Request) -> Response:
    ctx = _ctx(request)
    actor = _actor(request)
    data = ctx.views.get(("national", actor.username), lambda: live.national(
        ctx.monitor_source(), ctx.workflows, actor.username, ctx.clock.now(), ctx.tz))
    return render(request, "national.html.j2", user=actor, data=data)


def _municipality_page(request: Request, municipality: str, status: int = 200, message: str = "",
                       notice: str = "", form: dict[str, str] | None = None) -> HTMLResponse:
    ctx = _ctx(request)
    actor = _actor(request)
    page = live.municipality(ctx.read(), ctx.workflows, ctx.document_register, ctx.reminder_queries(), actor.username,
                             ctx.clock.now(), ctx.tz, municipality, matters=ctx.matter_reads(),
                             deals=lambda name: list_deals(ctx.deps, actor.username, name))
    if page["may_change"] and page["case"]:
        page["people"] = [p["name"] for p in list_people(ctx.deps, actor.username, page["municipality"]["name"])]
    return render(request, "municipality.html.j2", status, user=actor, page=page, message=message, notice=notice,
                  form=form or {}, slug=slugify(page["municipality"]["name"]))


@router.get("/kommun/{municipality}", response_class=HTMLResponse)
def municipality_page(request: Request, municipality: str = Municipality, steg: int | None = None,
                      timmar: int | None = None, beslut: int | None = None) -> Response:
    notice = f"Steget sparades i historiken (#{steg})." if steg else ""
    notice = notice or (f"Tiden sparades (post #{timmar})." if timmar else "")
    notice = notice or (f"Beslutet sparades i historiken (#{beslut})." if beslut else "")
    return _municipality_page(request, municipality, notice=notice)


def _version(text: str) -> int | None:
    """The case version the form was rendered with (hidden field); none when absent or not a number."""
    return int(text) if text.strip().isdigit() and len(text.strip()) < 10 else None


def _may_change(request: Request, municipality: str, csrf: str) -> str:
    """The logged-in user, once the form's CSRF token holds and they may change this municipality's case
    (checked before any field is read, so another municipality's form is 403 whatever it holds)."""
    ctx = _ctx(request)
    username = page_user(ctx, request)
    check_csrf(request, csrf)
    live.ensure_may_change(ctx.read(), username, municipality)
    return username


def _failed(request: Request, municipality: str, exc: JourneyError, form: dict[str, str]) -> Response:
    status, _ = errors.status_of(exc)
    if status == 401:
        return to_login(request)
    if status in (403, 404):
        return error_page(request, status, errors.in_page_language(exc))
    return _municipality_page(request, municipality, status, message=errors.in_page_language(exc), form=form)


@router.post("/kommun/{municipality}/steg")
async def advance(request: Request, municipality: str = Municipality) -> Response:
    form = {k: v for k, v in (await request.form()).items() if isinstance(v, str)}
    from starlette.concurrency import run_in_threadpool

    return await run_in_threadpool(_advance, request, municipality, form)


def _advance(request: Request, municipality: str, form: dict[str, str]) -> Response:
    ctx = _ctx(request)
    try:
        username = _may_change(request, municipality, form.get("csrf", ""))
    except JourneyError as exc:
        return _failed(request, municipality, exc, form)
    evidence = {k[3:]: v.strip() for k, v in form.items() if k.startswith("ev:") and v.strip()}
    try:
        result = advance_case(ctx.deps, username, municipality, form.get("trigger", ""), evidence,
                              form.get("comment", "")[:4000], expected_version=_version(form.get("version", "")))
    except JourneyError as exc:
        return _failed(request, municipality, exc, form)
    target = f"/kommun/{quote(slugify(result.municipality))}?steg={result.history_seq}#historik"
    return RedirectResponse(target, status_code=303)


@router.post("/kommun/{municipality}/timmar")
def hours(request: Request, municipality: str = Municipality, csrf: str = Form("", max_length=200),
          person: str = Form("", max_length=200), day: str = Form("", max_length=20), hours: str = Form("", max_length=5),
          activity: str = Form("", max_length=40), description: str = Form("", max_length=2000)) -> Response:
    ctx = _ctx(request)
    form = {"person": person, "day": day, "hours": hours, "activity": activity, "description": description}
    try:
        username = _may_change(request, municipality, csrf)
        entry = log_hours(ctx.deps, username, municipality, person, day, hours, activity, description)
    except JourneyError as exc:
        return _failed(request, municipality, exc, form)
    return RedirectResponse(f"/kommun/{quote(slugify(entry['municipality']))}?timmar={entry['id']}#timmar",
                            status_code=303)


@router.post("/kommun/{municipality}/kalender", response_class=HTMLResponse)
def feed_token(request: Request, municipality: str = Municipality, csrf: str = Form("", max_length=200)) -> Response:
    """A calendar-feed token for the logged-in user, shown once as a webcal:// address."""
    ctx = _ctx(request)
    actor = _actor(request)
    check_csrf(request, csrf)
    made = create_token(ctx.deps, actor.username, actor.username, "kalender (webb)", municipality)
    path = f"/kalender/{quote(slugify(made.municipality or municipality))}.ics?token={made.token}"
    host = request.headers.get("host", "localhost")
    return render(request, "feed_token.html.j2", user=actor, municipality=made.municipality,
                  https_url=f"{request.url.scheme}://{host}{path}", webcal_url=f"webcal://{host}{path}")


@router.post("/kommun/{municipality}/beslut")
def decision(request: Request, municipality: str = Municipality, csrf: str = Form("", max_length=200),
             board: str = Form("", max_length=100), outcome: str = Form("", max_length=40),
             meeting: str = Form("", max_length=20), paragraph: str = Form("", max_length=20),
             comment: str = Form("", max_length=4000), version: str = Form("", max_length=20)) -> Response:
    """A body's decision on the open matter (`journey decide`): bifall, avslag, återremiss or bordläggning."""
    ctx = _ctx(request)
    form = {"board": board, "outcome": outcome, "meeting": meeting, "paragraph": paragraph, "comment": comment}
    try:
        username = _may_change(request, municipality, csrf)
        result = decide(ctx.deps, username, municipality, board, outcome, meeting, paragraph or None, None, comment,
                        ctx.tz, expected_version=_version(version))
    except JourneyError as exc:
        return _failed(request, municipality, exc, form)
    return RedirectResponse(f"/kommun/{quote(slugify(result.municipality))}?beslut={result.history_seq}#historik",
                            status_code=303)


@router.get("/kommun/{municipality}/dokument/{name}")
def download(request: Request, municipality: str = Municipality, name: str = Path(min_length=1, max_length=255)
             ) -> Response:
    ctx = _ctx(request)
    username = page_user(ctx, request)
    found = document_file(ctx.read(), ctx.document_register, ctx.document_files, username, municipality, name)
    return file_response(found)
