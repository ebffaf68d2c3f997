"""Core benchmarks: cold start of `journey status KOMMUN`, and audited advances per second on SQLite.

Cold start is compared with `python -c "import click"` in the same run (goal <= 2.5x).
Audited advances are compared with bare single-row SQLite UPDATE+INSERT transactions via
sqlite3 (goal >= 0.02x: the advance also resolves the actor, validates evidence, fires the
state machine, checks the optimistic lock, writes the audit row and plans reminders), and the
advance that also renders the new state's documents with the same advance without them
(goal >= 0.1x: documents may cost at most ten bare advances).
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


def _workflows_without_documents(target: Path) -> Path:
    """The shipped workflows with every ``documents:`` list removed (the bare engine's cost)."""
    import yaml

    target.mkdir(parents=True, exist_ok=True)
    for path in (ROOT / "workflows").glob("*.yaml"):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))

        def strip(node: object) -> None:
            if isinstance(node, dict):
                node.pop("documents", None)
                for value in node.values():
                    strip(value)
            elif isinstance(node, list):
                for value in node:
                    strip(value)

        strip(data)
        (target / path.name).write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return target


def _advances_per_second(home: Path, count: int, workflows: Path | None) -> float:
    sys.path.insert(0, str(ROOT))
    from dataclasses import replace

    from journey.bootstrap import App
    from journey.config import Settings
    from journey.domain.clock import FixedClock
    from journey.services.cases.lifecycle import advance_case, open_case
    from journey.services.registry import add_municipality

    settings = Settings.from_env({"JOURNEY_HOME": str(home)})
    if workflows is not None:
        settings = replace(settings, workflows_dir=workflows)
    app = App(settings, clock=FixedClock(datetime(2022, 1, 1, tzinfo=UTC)))
    app.init_database()
    names = []
    for i in range(count + 1):
        name = f"Bench {i}"
        add_municipality(app.deps, None, f"{9000 + i:04d}", name)
        open_case(app.deps, None, name)
        names.append(name)
    evidence = {"registered_date": "2021-01-12", "contact": "Anna"}
    advance_case(app.deps, None, names.pop(), "confirm_interest", evidence)  # warm-up: worker, caches
    start = time.perf_counter()
    for name in names:
        advance_case(app.deps, None, name, "confirm_interest", evidence)
    per_second = count / (time.perf_counter() - start)
    app.close()
    return per_second


def _raw_sqlite_per_second(path: Path, count: int) -> float:
    raw = sqlite3.connect(path, isolation_level=None)
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
    per_second = count / (time.perf_counter() - start)
    raw.close()
    return per_second


def _advances(home: Path, count: int) -> list[Result]:
    bare = _advances_per_second(home / "bare", count, _workflows_without_documents(home / "wf"))
    with_documents = _advances_per_second(home / "docs", count, None)
    raw = _raw_sqlite_per_second(home / "raw.db", count)
    return [
        Result("audited advances per second, SQLite (state change, evidence, history, reminders)", bare, raw,
               "raw sqlite3 UPDATE+INSERT transactions", goal=0.02, unit="ops/s", higher_is_better=True),
        Result("audited advances per second that also render the new state's .docx + HTML", with_documents, bare,
               "the same advance without documents", goal=0.1, unit="ops/s", higher_is_better=True),
    ]


def run(quick: bool) -> list[Result]:
    with tempfile.TemporaryDirectory() as tmp:
        home = Path(tmp)
        return [_cold_start(home, 5 if quick else 15), *_advances(home, 40 if quick else 200)]
