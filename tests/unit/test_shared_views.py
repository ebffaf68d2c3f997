"""Shared national views: one build for concurrent requests, reuse for max_age, cleared by a change."""

from __future__ import annotations

import threading
import time

import pytest

from journey.server.shared_views import SharedViews


def test_concurrent_requests_share_one_build() -> None:
    views = SharedViews(max_age=60)
    started, release = threading.Event(), threading.Event()
    calls: list[int] = []

    def build() -> list[int]:
        calls.append(1)
        started.set()
        release.wait(5)
        return [len(calls)]

    results: list[object] = []
    first = threading.Thread(target=lambda: results.append(views.get("k", build)))
    first.start()
    assert started.wait(5)
    others = [threading.Thread(target=lambda: results.append(views.get("k", build))) for _ in range(8)]
    for t in others:
        t.start()
    time.sleep(0.05)
    release.set()
    for t in [first, *others]:
        t.join(5)
    assert len(calls) == 1 and len(results) == 9 and all(r is results[0] for r in results)


def test_a_view_is_reused_only_while_fresh_and_per_key() -> None:
    now = [0.0]
    views = SharedViews(max_age=2, clock=lambda: now[0])
    counter = iter(range(100))
    assert views.get("a", lambda: next(counter)) == 0
    now[0] = 1.5
    assert views.get("a", lambda: next(counter)) == 0  # fresh
    assert views.get("b", lambda: next(counter)) == 1  # another user or filter builds its own
    now[0] = 3.6
    assert views.get("a", lambda: next(counter)) == 2  # stale: built again
    views.clear()
    assert views.get("a", lambda: next(counter)) == 3  # a change was made: built again at once
    assert views.builds == 4


def test_a_failed_build_is_not_shared_and_zero_age_always_builds() -> None:
    views = SharedViews(max_age=60)

    def broken() -> None:
        raise RuntimeError("database gone")

    with pytest.raises(RuntimeError):
        views.get("k", broken)
    assert views.get("k", lambda: "ok") == "ok"
    never = SharedViews(max_age=0)
    counter = iter(range(10))
    assert [never.get("k", lambda: next(counter)) for _ in range(3)] == [0, 1, 2]
