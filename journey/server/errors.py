"""Journey's errors as HTTP statuses; one-line messages, never a stack trace."""

from __future__ import annotations

import gettext
from functools import lru_cache
from pathlib import Path

from journey.domain.errors import (
    AuthenticationError,
    ConcurrentChangeError,
    DatabaseLockedError,
    InputError,
    JourneyError,
    NotFoundError,
    NotInitialisedError,
    PermissionDeniedError,
    RefusedError,
    TooManyAttemptsError,
)
from journey.domain.messages import in_language

LOCALE_DIR = Path(__file__).resolve().parent.parent / "locale"

# (error class, HTTP status, code in the JSON body); the first match wins, so subclasses come first.
STATUSES: list[tuple[type[JourneyError], int, str]] = [
    (TooManyAttemptsError, 429, "too_many_attempts"),
    (AuthenticationError, 401, "unauthenticated"),
    (PermissionDeniedError, 403, "forbidden"),
    (InputError, 400, "bad_input"),
    (NotFoundError, 404, "not_found"),
    (ConcurrentChangeError, 409, "concurrent_change"),
    (RefusedError, 422, "refused"),
    (DatabaseLockedError, 503, "locked"),
    (NotInitialisedError, 503, "not_initialised"),
]

TITLES = {400: "Felaktiga uppgifter", 401: "Inte inloggad", 403: "Ingen behörighet", 404: "Hittades inte",
          405: "Metoden stöds inte", 409: "Någon annan ändrade samtidigt", 422: "Steget nekades",
          429: "För många försök", 500: "Internt fel", 503: "Tillfälligt otillgänglig"}


def status_of(exc: JourneyError) -> tuple[int, str]:
    for cls, status, code in STATUSES:
        if isinstance(exc, cls):
            return status, code
    return 500, "error"


def body(status: int, code: str, message: str, exit_code: int | None = None) -> dict[str, object]:
    return {"code": code, "status": status, "message": message, "exit_code": exit_code}


@lru_cache(maxsize=1)
def _swedish() -> gettext.NullTranslations:
    return gettext.translation("messages", str(LOCALE_DIR), ["sv"], fallback=True)


def in_page_language(error: BaseException) -> str:
    """The error's one-line message as a page shows it, in Swedish; the JSON API keeps the English text."""
    swedish = _swedish()
    return in_language(error, swedish.gettext, swedish.ngettext)
