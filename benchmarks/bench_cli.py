"""Core benchmarks: cold start of `journey status KOMMUN`, and audited advances per second on SQLite.

Cold start is compared with `python -c "import click"` in the same run (goal <= 2.5x).
Advances are compared with bare single-row SQLite UPDATE+INSERT transactions via sqlite3
(goal: a ratio recorded, >= 0.02x of raw SQLite; the advance also validates evidence,
fires the state machine, checks the optimistic lock and writes the audit row).
"""

from __future__ import annotations

import os
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from run import Result

ROOT = Path(__file__).resolve().parent.parent


def _median_run(argv: list[str], env: dict[str, str], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        subprocess.run(argv, env=env, check=True, stdout=subprocess.DEVNULL)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def _cold_start(home: Path, repeat: int) -> Result:
    env = {**os.environ, "JOURNEY_HOME": str(home), "JOURNEY_DATABASE_URL": ""}
    env.pop("JOURNEY_DATABASE_URL")
    subprocess.run([sys.executable, "-m", "journey", "demo"], env=env, check=True, stdout=subprocess.DEVNULL)
    baseline = _median_run([sys.executable, "-c", "import click"], env, repeat)
    status = _median_run([sys.executable, "-m", "journey", "status", "Umeå"], env, repeat)
    return Result("cold start `journey status Umeå`", status, baseline, "python -c 'import click'", goal=2.5)


def _advances(home: Path, count: int) -> Result:
    sys.path.insert(0, str(ROOT))
    from journey.adapters.clock import FixedClock
    from journey.bootstrap import App
    from journey.config import Settings
    from journey.services.cases import advance_case, open_case
    from journey.services.registry import add_municipality

    settings = Settings.from_env({"JOURNEY_HOME": str(home / "adv")})
    app = App(settings, clock=FixedClock(datetime(2022, 1, 1, tzinfo=UTC)))
    app.init_database()
    names = []
    for i in range(count):
        name = f"Bench {i}"
        add_municipality(app.deps, None, f"{9000 + i:04d}", name)
        open_case(app.deps, None, name)
        names.append(name)
    evidence = {"registered_date": "2021-01-12", "contact": "Anna"}
    start = time.perf_counter()
    for name in names:
        advance_case(app.deps, None, name, "confirm_interest", evidence)
    per_second = count / (time.perf_counter() - start)
    app.close()

    raw = sqlite3.connect(home / "raw.db", isolation_level=None)
    raw.execute("PRAGMA journal_mode=WAL")
    raw.execute("CREATE TABLE c (id INTEGER PRIMARY KEY, state TEXT, version INT)")
    raw.execute("CREATE TABLE h (id INTEGER PRIMARY KEY, case_id INT, seq INT, to_state TEXT)")
    raw.executemany("INSERT INTO c VALUES (?, 'interest', 1)", [(i,) for i in range(count)])
    start = time.perf_counter()
    for i in range(count):
        raw.execute("BEGIN IMMEDIATE")
        raw.execute("UPDATE c SET state = 'letter_of_intent', version = version + 1 WHERE id = ? AND version = 1", (i,))
        raw.execute("INSERT INTO h (case_id, seq, to_state) VALUES (?, 2, 'letter_of_intent')", (i,))
        raw.execute("COMMIT")
    raw_per_second = count / (time.perf_counter() - start)
    raw.close()
    return Result("audited advances per second (SQLite)", per_second, raw_per_second,
                  "raw sqlite3 UPDATE+INSERT transactions", goal=0.02, unit="ops/s", higher_is_better=True)


def run(quick: bool) -> list[Result]:
    with tempfile.TemporaryDirectory() as tmp:
        home = Path(tmp)
        return [_cold_start(home, 5 if quick else 15), _advances(home, 50 if quick else 300)]
