"""The ASGI application: middleware (security headers, access log, no stack traces), errors, routes."""

from __future__ import annotations

import json
import logging
import time
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from importlib.metadata import PackageNotFoundError, version
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from journey.domain.errors import JourneyError, TooManyAttemptsError
from journey.server import errors
from journey.server.context import ServerContext
from journey.server.templating import make_environment

access_log = logging.getLogger("journey.access")
log = logging.getLogger("journey.server")

CSP = ("default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; "
       "base-uri 'none'")
HEADERS = [(b"content-security-policy", CSP.encode()), (b"x-content-type-options", b"nosniff"),
           (b"x-frame-options", b"DENY"), (b"referrer-policy", b"no-referrer"),
           (b"permissions-policy", b"camera=(), microphone=(), geolocation=()"),
           (b"cross-origin-opener-policy", b"same-origin")]
HSTS = (b"strict-transport-security", b"max-age=31536000; includeSubDomains")


def wants_json(path: str) -> bool:
    return path.startswith(("/api", "/openapi", "/health", "/kalender"))


class Guard:
    """Outermost middleware: security headers on every response, one JSON access-log line per request,
    and a generic 500 (logged here with its traceback) instead of any stack trace to a client."""

    def __init__(self, app: ASGIApp, ctx: ServerContext) -> None:
        self.app, self.ctx = app, ctx

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        start = time.perf_counter()
        state: dict[str, Any] = {"status": 0, "started": False}
        https = scope.get("scheme") == "https"

        async def send_wrapper(message: Message) -> None:
            if message["type"] == "http.response.start":
                state["status"], state["started"] = message["status"], True
                headers = [(k, v) for k, v in message.get("headers", []) if k.lower() not in dict(HEADERS)]
                names = {k.lower() for k, _ in headers}
                headers += HEADERS
                if b"cache-control" not in names:
                    headers.append((b"cache-control", b"no-store"))
                if https and self.ctx.options.hsts:
                    headers.append(HSTS)
                message = {**message, "headers": headers}
            await send(message)

        try:
            await self.app(scope, receive, send_wrapper)
            if scope.get("method") not in ("GET", "HEAD", "OPTIONS"):
                self.ctx.views.clear()  # whatever it changed shows on the next national view
        except Exception:
            ref = uuid.uuid4().hex[:12]
            log.exception("internal error %s on %s %s", ref, scope.get("method"), scope.get("path"))
            if not state["started"]:
                response = _internal(scope.get("path", ""), ref)
                await response(scope, receive, send_wrapper)
        finally:
            client = scope.get("client") or ("", 0)
            access_log.info(json.dumps({
                "ts": time.strftime("%Y-%m-%dT%H:%M:%S%z"), "method": scope.get("method"), "path": scope.get("path"),
                "status": state["status"], "ms": round((time.perf_counter() - start) * 1000, 1),
                "user": scope.get("journey.user"), "client": client[0]}, ensure_ascii=False))


def _internal(path: str, ref: str) -> Response:
    message = f"internt fel (referens {ref}); försök igen eller kontakta driften"
    if wants_json(path):
        return JSONResponse(errors.body(500, "internal", message), status_code=500)
    return HTMLResponse(f"<!DOCTYPE html><html lang=\"sv\"><head><meta charset=\"utf-8\"><title>Internt fel</title>"
                        f"</head><body><main><h1>Internt fel</h1><p>{message}</p></main></body></html>", status_code=500)


def create_app(ctx: ServerContext) -> FastAPI:
    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        yield
        ctx.close()

    try:
        release = version("journey")
    except PackageNotFoundError:  # pragma: no cover - running from a plain checkout
        release = "0"
    app = FastAPI(title="journey", version=release, lifespan=lifespan, docs_url=None, redoc_url=None,
                  openapi_url="/openapi.json",
                  description="Utvecklingsnätverk sociala företag: municipalities' journeys, their cases, history, "
                              "documents, reminders and SKR's national monitor. Authenticate with "
                              "`Authorization: Bearer TOKEN` (`journey tokens create`).")
    app.state.ctx = ctx
    app.state.pages = make_environment(ctx.templates_dir, ctx.tz)
    _handlers(app)
    from journey.server.routes import api, feeds, health, pages

    app.include_router(health.router)
    app.include_router(api.router)
    app.include_router(feeds.router)
    app.include_router(pages.router)
    app.add_middleware(Guard, ctx=ctx)
    return app


def error_response(request: Request, status: int, code: str, message: str, exit_code: int | None = None,
                   headers: dict[str, str] | None = None) -> Response:
    if wants_json(request.url.path):
        return JSONResponse(errors.body(status, code, message, exit_code), status_code=status, headers=headers)
    from journey.server.routes.pages import error_page

    return error_page(request, status, message, headers)


def _handlers(app: FastAPI) -> None:
    @app.exception_handler(JourneyError)
    async def journey_error(request: Request, exc: JourneyError) -> Response:
        status, code = errors.status_of(exc)
        if status == 401 and not wants_json(request.url.path):
            from journey.server.routes.pages import to_login

            return to_login(request)
        headers = {"Retry-After": str(exc.retry_after)} if isinstance(exc, TooManyAttemptsError) else None
        if status == 503:
            headers = {"Retry-After": "5"}
        message = str(exc) if wants_json(request.url.path) else errors.in_page_language(exc)
        return error_response(request, status, code, message, int(exc.exit_code), headers)

    @app.exception_handler(RequestValidationError)
    async def bad_request(request: Request, exc: RequestValidationError) -> Response:
        first = exc.errors()[0] if exc.errors() else {}
        where = ".".join(str(p) for p in first.get("loc", ()) if p != "body")
        message = f"{where}: {first.get('msg', 'ogiltigt värde')}" if where else str(first.get("msg", "ogiltig begäran"))
        return error_response(request, 400, "bad_input", message, 2)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        message = {404: "sidan finns inte", 405: "metoden stöds inte här"}.get(exc.status_code, str(exc.detail))
        return error_response(request, exc.status_code, "http_error", message, None, getattr(exc, "headers", None))
