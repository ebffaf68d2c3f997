"""Two coordinators advance the same case from two processes at once: exactly one succeeds."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from journey.bootstrap import App
from journey.services.cases.lifecycle import open_case
from journey.services.registry import seed_network
from tests.conftest import ROOT, WORKFLOWS
from tests.test_journey_cli import JOURNEY

pytestmark = pytest.mark.slow
ROUNDS = ("Umeå", "Malmö", "Tierp")


def advance_process(url: str, municipality: str, tmp_path: Path) -> subprocess.Popen[str]:
    trigger, evidence = JOURNEY[0]
    args = [sys.executable, "-m", "journey", "advance", municipality, trigger,
            "-e", "registered_date=2021-01-12", "-e", "contact=Anna"]
    assert evidence.startswith("-e registered_date=2021-01-12")
    env = {**os.environ, "JOURNEY_DATABASE_URL": url, "JOURNEY_WORKFLOWS_DIR": str(WORKFLOWS), "JOURNEY_USER": "",
           "XDG_CACHE_HOME": str(tmp_path / "cache"), "JOURNEY_HOME": str(tmp_path / "home"),
           "JOURNEY_OUTPUT_DIR": str(tmp_path / "documents")}
    return subprocess.Popen(args, env=env, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def test_concurrent_advance_of_one_case_lets_exactly_one_through(app: App, database_url: str, tmp_path: Path) -> None:
    seed_network(app.deps, None)
    for name in ROUNDS:
        open_case(app.deps, None, name)
    for name in ROUNDS:
        procs = [advance_process(database_url, name, tmp_path) for _ in range(2)]
        results = [(p.wait(timeout=60), *p.communicate()) for p in procs]
        codes = sorted(code for code, _, _ in results)
        # the loser: 3 (it saw the new state; SQLite's writers wait for each other), 5 (a stale write caught,
        # PostgreSQL), or 75 on a loaded machine when the winner held SQLite's lock past busy_timeout (5 s)
        assert codes[0] == 0 and codes[1] in (3, 5, 75), results
        loser = next(err for code, _, err in results if code != 0)
        assert len(loser.strip().splitlines()) == 1 and "Traceback" not in loser
        with app.deps.uow() as uow:
            case = next(c for c in uow.cases.all() if uow.municipalities.get(c.municipality_id).name == name)
            triggers = [e.trigger for e in uow.cases.history(case.id or 0)]
        assert triggers == [None, "confirm_interest"] and case.state == "letter_of_intent" and case.version == 2
