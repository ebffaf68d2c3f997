"""Helpers for the `journey serve` tests: a seeded app, and the real server on a free loopback port."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from journey.bootstrap import App

PASSWORD = "ett riktigt långt lösenord"
LETTER = {"signatories": "Anna Berg, Olle Ås", "signed_date": "2022-02-20"}


def fast_hasher() -> Any:
    """Real argon2id with a small cost, so a test suite can log in often."""
    from journey.adapters.passwords.argon2_hasher import Argon2Hasher

    return Argon2Hasher(time_cost=1, memory_cost=8192)


def seed(app: App) -> None:
    """The network's 12 municipalities, an admin, SKR staff, two coordinators; Hudiksvall's and Umeå's cases."""
    from journey.services.auth.passwords import set_password
    from journey.services.cases.lifecycle import advance_case, open_case
    from journey.services.registry import add_user, seed_network

    deps = app.deps
    add_user(deps, "root", "admin", "admin", None)
    seed_network(deps, "admin")
    add_user(deps, "admin", "sara", "skr", None, "Sara SKR", "sara@skr.se")
    add_user(deps, "admin", "anna", "coordinator", "Hudiksvall", "Anna Berg", "anna@hudiksvall.se")
    add_user(deps, "admin", "olle", "coordinator", "Umeå", "Olle Ås", "olle@umea.se")
    add_user(deps, "admin", "pia", "process_supporter", None, "Pia Processtöd")
    for name in ("admin", "sara", "anna", "olle", "pia"):
        set_password(deps, app.overrides["password_hasher"], "admin", name, PASSWORD)
    open_case(deps, "anna", "Hudiksvall")
    open_case(deps, "olle", "Umeå")
    advance_case(deps, "anna", "Hudiksvall", "confirm_interest",
                 {"registered_date": "2022-01-10", "contact": "Anna Berg"})


EARLIER = {"registered_date": "2021-01-12", "contact": "Eva Ek",
           "signatories": "Kommunchef Eva Ek, KS-ordförande Olle Ås", "signed_date": "2021-02-01",
           "coordinator": "Eva Ek", "members": "A, B, C, D, E, F, G", "time_reporting_from": "2021-03-01",
           "approved_by": "Ledningsgruppen", "approved_date": "2021-05-10", "enterprises_identified": "4"}


def seed_matter_and_people(app: App) -> None:
    """Tierp's case in anchoring with its matter (KS, then KF) numbered KS 2022/31, coordinated by Eva;
    two people registered for Hudiksvall."""
    from journey.services.auth.passwords import set_password
    from journey.services.cases.lifecycle import open_case
    from journey.services.hours.people import add_person
    from journey.services.matters.registration import Facts, register_matter
    from journey.services.registry import add_user

    add_user(app.deps, "admin", "eva", "coordinator", "Tierp", "Eva Ek", "eva@tierp.se")
    set_password(app.deps, app.overrides["password_hasher"], "admin", "eva", PASSWORD)
    open_case(app.deps, "eva", "Tierp", at="anchoring", raw_evidence=EARLIER)
    register_matter(app.deps, "eva", "Tierp", Facts(diarienummer="KS 2022/31",
                                                    proposal={"board": "AMN", "officials_function": "Näringslivet"}))
    for name in ("Anna Berg", "Olle Ås"):
        add_person(app.deps, "anna", "Hudiksvall", {"name": name})


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def running(asgi: Any) -> Iterator[str]:
    """uvicorn serving ``asgi`` in a thread on 127.0.0.1 (a real socket); yields the base URL."""
    import uvicorn

    port = free_port()
    server = uvicorn.Server(uvicorn.Config(asgi, host="127.0.0.1", port=port, access_log=False, log_level="warning",
                                           lifespan="on"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the server did not start")
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=20)


def browser_args() -> list[str]:
    return ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
            "--disable-component-update", "--disable-sync"]
