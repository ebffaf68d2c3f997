"""``GET /health``: is the process up and the database reachable (no login; for load balancers)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel

router = APIRouter()


class Health(BaseModel):
    status: str
    database: str


@router.get("/health", response_model=Health, tags=["drift"], summary="Health check",
            responses={503: {"model": Health, "description": "the database cannot be read"}})
def health(request: Request) -> JSONResponse:
    ctx = request.app.state.ctx
    try:
        ctx.read().query("SELECT 1 FROM municipality WHERE 1 = 0")
    except Exception:
        return JSONResponse({"status": "unavailable", "database": "unreachable or not initialised"}, status_code=503)
    return JSONResponse({"status": "ok", "database": "ok"})
