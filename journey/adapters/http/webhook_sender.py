"""POST webhook bodies with the standard library (urllib): no redirects followed, bounded time."""

from __future__ import annotations

import urllib.error
import urllib.request
from typing import Any

from journey.ports.webhooks import HttpResult


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:  # a redirect is an answer, not followed
        return None


class UrllibSender:
    def __init__(self) -> None:
        self._opener = urllib.request.build_opener(_NoRedirect)

    def post(self, url: str, body: bytes, headers: dict[str, str], timeout: float) -> HttpResult:
        request = urllib.request.Request(url, data=body, headers=headers, method="POST")
        try:
            with self._opener.open(request, timeout=timeout) as response:
                response.read(65536)
                return HttpResult(int(response.status))
        except urllib.error.HTTPError as exc:
            return HttpResult(int(exc.code), f"HTTP {exc.code} {exc.reason}")
        except (urllib.error.URLError, OSError, ValueError) as exc:
            reason = getattr(exc, "reason", exc)
            return HttpResult(0, f"{type(exc).__name__}: {reason}")
