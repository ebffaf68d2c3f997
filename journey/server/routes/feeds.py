"""``GET /kalender/{municipality}.ics?token=…``: a municipality's calendar, subscribable with webcal://.

Calendar programs cannot send headers, so the feed token travels in the URL: it only opens this
one feed (not the API), is stored hashed, is revocable, and the access log never records query
strings. Referrer-Policy: no-referrer keeps it out of other sites' logs.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import Response

from journey.domain.municipality import slugify
from journey.server.routes.api import ErrorBody
from journey.services.auth.tokens import feed_user
from journey.services.calendar_feed import feed, municipality_id_of

router = APIRouter(tags=["kalender"])
FEED_ERRORS: dict[int | str, dict[str, Any]] = {code: {"model": ErrorBody, "description": text} for code, text in (
    (400, "bad input"), (401, "missing, revoked or wrong token"), (403, "the token's user may not read this"),
    (404, "unknown municipality"), (503, "database unavailable"))}
FEED_OK: dict[int | str, dict[str, Any]] = {200: {"content": {"text/calendar": {}}, "description": "meetings and deadlines"}}


@router.get("/kalender/{municipality}.ics", summary="Calendar feed (ICS) of a municipality",
            response_class=Response, responses=FEED_OK | FEED_ERRORS)
def calendar(request: Request, municipality: str = Path(min_length=1, max_length=100),
             token: str = Query("", max_length=200, description="a feed token (`journey tokens create USER --feed M`)")
             ) -> Response:
    ctx = request.app.state.ctx
    read = ctx.read()
    municipality_id, name = municipality_id_of(read, municipality)
    username = feed_user(ctx.deps, ctx.credentials(), token, municipality_id)
    request.scope["journey.user"] = username
    data = feed(read, ctx.reminder_queries(), ctx.feed_queries(), ctx.calendar_writer, username, municipality,
                ctx.clock.now(), ctx.tz, ctx.workflows())
    return Response(data, media_type="text/calendar; charset=utf-8",
                    headers={"Cache-Control": "private, max-age=300",
                             "Content-Disposition": f'inline; filename="{slugify(name)}.ics"'})
