"""Two coordinators advance the same case over HTTP at the same moment (issue 15): the real server
on 127.0.0.1, two clients released together by a barrier, both backends. Exactly one step is
taken, the other request gets 409 and changes nothing, and the history stays contiguous."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from tests.server_support import LETTER, running

pytestmark = pytest.mark.slow
TEAM = {"coordinator": "Anna Berg", "members": "Anna Berg, Olle Ås, Eva Ek", "time_reporting_from": "2022-02-01"}


@pytest.fixture
def live(served: Any) -> Iterator[tuple[str, dict[str, str]]]:
    from journey.services.auth.tokens import create_token

    token = create_token(served[0].deps, "admin", "anna", "concurrency").token
    with running(served[1]) as url:
        yield url, {"Authorization": f"Bearer {token}"}


def at_once(url: str, headers: dict[str, str], bodies: list[dict[str, Any]]) -> list[httpx.Response]:
    """POST each body to Hudiksvall's advance from its own client and thread, released together."""
    barrier = threading.Barrier(len(bodies))
    answers: list[Any] = [None] * len(bodies)

    def post(i: int, body: dict[str, Any]) -> None:
        with httpx.Client(base_url=url, headers=headers, timeout=30) as client:
            client.get("/health")  # connected before the race starts
            barrier.wait(timeout=10)
            answers[i] = client.post("/api/cases/hudiksvall/advance", json=body)

    threads = [threading.Thread(target=post, args=(i, b)) for i, b in enumerate(bodies)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert all(isinstance(a, httpx.Response) for a in answers), answers
    return answers


def history(url: str, headers: dict[str, str]) -> list[dict[str, Any]]:
    return list(httpx.get(f"{url}/api/cases/hudiksvall/history", headers=headers).json()["entries"])


def test_two_simultaneous_advances_over_http_one_wins_the_other_gets_409(live: tuple[str, dict[str, str]]) -> None:
    url, anna = live
    seen = httpx.get(f"{url}/api/cases/hudiksvall", headers=anna).json()
    body = {"trigger": "sign_letter_of_intent", "evidence": LETTER, "expected_version": seen["version"]}
    answers = at_once(url, anna, [body | {"comment": "first"}, body | {"comment": "second"}])

    assert sorted(a.status_code for a in answers) == [200, 409], [a.text for a in answers]
    loser = next(a for a in answers if a.status_code == 409).json()
    assert loser["code"] == "concurrent_change" and loser["exit_code"] == 5 and "\n" not in loser["message"]
    winner = next(a for a in answers if a.status_code == 200).json()
    entries = history(url, anna)
    assert [e["seq"] for e in entries] == list(range(1, len(entries) + 1)) == [1, 2, 3]  # contiguous, one step
    assert entries[-1]["trigger"] == "sign_letter_of_intent" and entries[-1]["seq"] == winner["history_seq"]
    now = httpx.get(f"{url}/api/cases/hudiksvall", headers=anna).json()
    assert (now["state"], now["version"]) == ("local_team", seen["version"] + 1)


def test_simultaneous_advances_without_a_version_still_take_one_step(live: tuple[str, dict[str, str]]) -> None:
    """Without expected_version the loser is 409 (both read the case before either wrote: PostgreSQL)
    or 422 (it waited for the first and found the step no longer allowed: SQLite's write lock)."""
    url, anna = live
    body = {"trigger": "sign_letter_of_intent", "evidence": LETTER}
    answers = at_once(url, anna, [body, body])
    codes = sorted(a.status_code for a in answers)
    assert codes[0] == 200 and codes[1] in (409, 422), [a.text for a in answers]
    team = {"trigger": "form_local_team", "evidence": TEAM}
    codes = sorted(a.status_code for a in at_once(url, anna, [team, team, team]))
    assert codes[0] == 200 and all(c in (409, 422) for c in codes[1:]), codes
    entries = history(url, anna)
    assert [e["seq"] for e in entries] == [1, 2, 3, 4]
    assert [e["trigger"] for e in entries] == [None, "confirm_interest", "sign_letter_of_intent", "form_local_team"]
