"""Who is asking: session cookies for pages, bearer tokens for the API; CSRF and same-origin checks.

Sessions: the cookie holds a random secret; the database only its SHA-256. A new secret is made
at every login (the one the browser brought is ended: no session fixation), and the anti-CSRF
token of a form is an HMAC of the secret, so it is never stored and dies with the session.
Before login a double-submit cookie protects the login form itself.
"""

from __future__ import annotations

from fastapi import Request, Response

from journey.domain.auth import SESSION_LIFETIME, csrf_token, new_secret, same_secret
from journey.domain.errors import AuthenticationError, PermissionDeniedError
from journey.server.context import ServerContext
from journey.services.auth.passwords import session_user
from journey.services.auth.tokens import token_user

SESSION_COOKIE = "journey_session"
LOGIN_COOKIE = "journey_login"
CSRF_HEADER = "x-csrf-token"
UNSAFE = {"POST", "PUT", "PATCH", "DELETE"}


def secure(ctx: ServerContext, request: Request) -> bool:
    if ctx.options.secure_cookies is not None:
        return ctx.options.secure_cookies
    return request.url.scheme == "https"


def set_session_cookie(ctx: ServerContext, request: Request, response: Response, secret: str) -> None:
    response.set_cookie(SESSION_COOKIE, secret, max_age=int(SESSION_LIFETIME.total_seconds()), path="/",
                        httponly=True, samesite="lax", secure=secure(ctx, request))


def clear_session_cookie(ctx: ServerContext, request: Request, response: Response) -> None:
    response.delete_cookie(SESSION_COOKIE, path="/", httponly=True, samesite="lax", secure=secure(ctx, request))


def login_form_token(ctx: ServerContext, request: Request, response: Response) -> str:
    """The login form's double-submit token (a cookie and the same value in the form)."""
    token = request.cookies.get(LOGIN_COOKIE) or new_secret()
    response.set_cookie(LOGIN_COOKIE, token, max_age=3600, path="/login", httponly=True, samesite="strict",
                        secure=secure(ctx, request))
    return token


def check_login_form(request: Request, submitted: str) -> None:
    cookie = request.cookies.get(LOGIN_COOKIE, "")
    if not cookie or not submitted or not same_secret(cookie, submitted):
        raise PermissionDeniedError("formuläret saknar giltig CSRF-token; ladda om sidan och försök igen")


def check_origin(request: Request) -> None:
    """Refuse a state-changing request whose Origin names another site (a second line behind CSRF tokens)."""
    origin = request.headers.get("origin")
    if origin and origin != "null":
        expected = f"{request.url.scheme}://{request.headers.get('host', '')}"
        if origin.rstrip("/") != expected:
            raise PermissionDeniedError("anropet kommer från en annan webbplats och avvisas")


def session_secret(request: Request) -> str:
    return request.cookies.get(SESSION_COOKIE, "")


def page_user(ctx: ServerContext, request: Request) -> str:
    """The logged-in user of a page request; AuthenticationError when there is none."""
    username = session_user(ctx.deps, ctx.credentials(), session_secret(request))
    request.scope["journey.user"] = username
    return username


def check_csrf(request: Request, submitted: str) -> None:
    secret = session_secret(request)
    check_origin(request)
    if not secret or not submitted or not same_secret(csrf_token(secret), submitted):
        raise PermissionDeniedError("formuläret saknar giltig CSRF-token; ladda om sidan och försök igen")


def api_user(ctx: ServerContext, request: Request) -> str:
    """Bearer token, else the session cookie (then an unsafe method needs the X-CSRF-Token header)."""
    header = request.headers.get("authorization", "")
    scheme, _, credentials = header.partition(" ")
    if header:
        if scheme.lower() != "bearer" or not credentials.strip():
            raise AuthenticationError("Authorization måste vara 'Bearer TOKEN'")
        username = token_user(ctx.deps, ctx.credentials(), credentials.strip())
    elif session_secret(request):
        username = session_user(ctx.deps, ctx.credentials(), session_secret(request))
        if request.method in UNSAFE:
            check_csrf(request, request.headers.get(CSRF_HEADER, ""))
    else:
        raise AuthenticationError("inloggning krävs: skicka 'Authorization: Bearer TOKEN' (journey tokens create)")
    request.scope["journey.user"] = username
    return username
