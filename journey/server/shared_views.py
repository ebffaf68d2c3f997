"""Expensive read views shared between concurrent requests (the national matrix, the case list).

Fifty people opening the national page at once should cost one build, not fifty: requests for the
same view (same user, same filters) that arrive while it is being built wait for that build and
share its result, which is then reused for ``max_age`` seconds. Any change made through the server
(a POST, PUT, PATCH or DELETE) empties the store at once, so a user who just advanced sees it;
changes made elsewhere (the CLI, another server) show within ``max_age`` seconds.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Hashable
from dataclasses import dataclass, field
from typing import Any

DEFAULT_MAX_AGE = 2.0  # seconds; JOURNEY_SERVE_VIEW_SECONDS


@dataclass
class _Entry:
    ready: threading.Event = field(default_factory=threading.Event)
    value: Any = None
    failed: bool = False
    at: float = 0.0


class SharedViews:
    """Single-flight, short-lived results keyed by (view, user, filters); thread-safe."""

    def __init__(self, max_age: float = DEFAULT_MAX_AGE, clock: Callable[[], float] = time.monotonic) -> None:
        self.max_age, self._clock = max_age, clock
        self._entries: dict[Hashable, _Entry] = {}
        self._lock = threading.Lock()
        self.builds = 0  # how many times a view was actually built (for tests and the benchmark)

    def get(self, key: Hashable, build: Callable[[], Any]) -> Any:
        """The view for ``key``: being built (wait for it), fresh (reuse it), else built now."""
        if self.max_age <= 0:
            return build()
        with self._lock:
            entry = self._entries.get(key)
            stale = entry is not None and entry.ready.is_set() and (
                entry.failed or self._clock() - entry.at > self.max_age)
            owner = entry is None or stale
            if owner:
                entry = self._entries[key] = _Entry()
        assert entry is not None
        if not owner:
            entry.ready.wait()
            if not entry.failed:
                return entry.value
            return build()  # the shared build failed: this request builds (and reports) its own
        try:
            entry.value = build()
            self.builds += 1
        except BaseException:
            entry.failed = True
            raise
        finally:
            entry.at = self._clock()
            entry.ready.set()
        return entry.value

    def clear(self) -> None:
        """Forget every view (something changed). A build in flight still answers the requests that
        joined it before; every later request builds anew."""
        with self._lock:
            self._entries.clear()
