"""The scheduler as a real process: SIGKILL between send and mark, restart, two schedulers, the lease."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections import Counter
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from journey.adapters.clock import FixedClock
from journey.adapters.sql.scheduler_lease import LeaseLock
from tests.conftest import ROOT, TEMPLATES
from tests.reminder_support import REMIND_WORKFLOWS, TOWNS, SmtpServer, at, make_app, rows, seed, smtp  # noqa: F401

DUE_NOW = "2022-03-11T08:00:00+00:00"  # every seeded nudge (due 07:00 UTC) is due


def _env(database_url: str, tmp_path: Path, port: int, now: str) -> dict[str, str]:
    return {**os.environ, "JOURNEY_DATABASE_URL": database_url, "JOURNEY_WORKFLOWS_DIR": str(REMIND_WORKFLOWS),
            "JOURNEY_TEMPLATES_DIR": str(TEMPLATES), "JOURNEY_HOME": str(tmp_path / "home"), "JOURNEY_NOW": now,
            "JOURNEY_SMTP_HOST": "127.0.0.1", "JOURNEY_SMTP_PORT": str(port), "JOURNEY_SMTP_FROM": "journey@skr.se",
            "JOURNEY_DEBUG": ""}


def _scheduler(env: dict[str, str], interval: str = "0.3") -> subprocess.Popen[str]:
    return subprocess.Popen([sys.executable, "-m", "journey", "scheduler", "run", "--interval", interval, "-v"],
                            env=env, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def _stop(proc: subprocess.Popen[str]) -> tuple[int, str, str]:
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
    out, err = proc.communicate(timeout=20)
    return proc.returncode, out, err


def _keys(server: SmtpServer) -> Counter[str]:
    return Counter(str(m["X-Journey-Reminder"]) for _, m in server.inbox.messages)


@pytest.fixture
def seeded(database_url: str, tmp_path: Path, smtp: SmtpServer) -> Any:  # noqa: F811
    app = make_app(database_url, tmp_path, FixedClock(at("2022-03-01T09:00:00+00:00")), smtp.port)
    seed(app, TOWNS)
    yield app
    app.close()


@pytest.mark.slow
def test_sigkill_between_send_and_mark_resends_only_the_message_in_flight(
        seeded: Any, database_url: str, tmp_path: Path, smtp: SmtpServer) -> None:  # noqa: F811
    first = _scheduler(_env(database_url, tmp_path, smtp.port, DUE_NOW))
    # The server accepts the first message, then kills the scheduler before it can mark it sent.
    smtp.inbox.on_data = lambda _msg: os.kill(first.pid, signal.SIGKILL)
    try:
        first.wait(timeout=30)
    finally:
        smtp.inbox.on_data = None
    assert first.returncode == -signal.SIGKILL
    first.communicate()
    in_flight = rows(seeded)
    assert [r["status"] for r in in_flight].count("SENT") == 0 and len(smtp.inbox.messages) == 1
    # Restart after the claim lease (10 intervals, at least 60 s) ran out: everything goes out.
    later = (at(DUE_NOW) + timedelta(minutes=2)).isoformat()
    second = _scheduler(_env(database_url, tmp_path, smtp.port, later))
    try:
        smtp.inbox.wait_for(len(TOWNS) + 1)
        time.sleep(0.8)  # a few more polls: nothing else may arrive
    finally:
        code, out, err = _stop(second)
    assert code == 0, err
    counts = _keys(smtp)
    assert set(counts) == {r["idempotency_key"] for r in rows(seeded)}  # none lost
    assert sorted(counts.values()) == [1] * (len(TOWNS) - 1) + [2]  # one duplicate: the message in flight
    duplicate = next(k for k, n in counts.items() if n == 2)
    assert len({str(m["Message-ID"]) for _, m in smtp.inbox.messages if str(m["X-Journey-Reminder"]) == duplicate}) == 1
    assert {r["status"] for r in rows(seeded)} == {"SENT"}
    assert "scheduler stopped" in out


@pytest.mark.slow
@pytest.mark.postgres
@pytest.mark.parametrize("database_url", ["postgres"], indirect=True)
def test_two_schedulers_on_one_postgresql_only_one_sends(
        seeded: Any, database_url: str, tmp_path: Path, smtp: SmtpServer) -> None:  # noqa: F811
    env = _env(database_url, tmp_path, smtp.port, DUE_NOW)
    procs = [_scheduler(env), _scheduler(env)]
    try:
        smtp.inbox.wait_for(len(TOWNS))
        time.sleep(1.0)
    finally:
        results = [_stop(p) for p in procs]
    assert all(code == 0 for code, _, _ in results), results
    assert sorted(_keys(smtp).values()) == [1] * len(TOWNS)
    assert len({r["claimed_by"] for r in rows(seeded)}) == 1
    assert sum("standby" in err for _, _, err in results) == 1


def test_scheduler_once_sends_and_exits(seeded: Any, database_url: str, tmp_path: Path, smtp: SmtpServer) -> None:  # noqa: F811
    done = subprocess.run([sys.executable, "-m", "journey", "scheduler", "run", "--once"], cwd=ROOT, text=True,
                          env=_env(database_url, tmp_path, smtp.port, DUE_NOW), capture_output=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith(f"{len(TOWNS)} sent")
    assert sorted(_keys(smtp).values()) == [1] * len(TOWNS)


def test_lease_lock_lets_one_holder_send(sqlite_url: str, tmp_path: Path) -> None:
    app = make_app(sqlite_url, tmp_path, FixedClock(at(DUE_NOW)), 25)
    try:
        a = LeaseLock(app.engine, timedelta(seconds=30), holder="host-a:1")
        b = LeaseLock(app.engine, timedelta(seconds=30), holder="host-b:2")
        assert a.acquire() and not b.acquire() and a.acquire()
        a.release()
        assert b.acquire() and not a.acquire()
        expired = LeaseLock(app.engine, timedelta(seconds=-1), holder="host-b:2")
        assert expired.acquire()  # b renews with an already-expired lease ...
        assert a.acquire()  # ... so a takes over
    finally:
        app.close()


def test_scheduler_has_one_catch_up_job_with_explicit_defaults(sqlite_url: str, tmp_path: Path) -> None:
    from zoneinfo import ZoneInfo

    from journey.scheduler import JOB_ID, make_runner, make_scheduler, tick

    app = make_app(sqlite_url, tmp_path, FixedClock(at(DUE_NOW)), 25)
    try:
        tz = ZoneInfo("Europe/Stockholm")
        scheduler = make_scheduler(make_runner(app, 60), 60, tz)
        [job] = scheduler.get_jobs()  # pending until start(): the defaults apply then
        assert (job.id, job.func) == (JOB_ID, tick)
        assert scheduler._job_defaults == {"coalesce": True, "max_instances": 1, "misfire_grace_time": 300}
        assert str(scheduler.timezone) == "Europe/Stockholm" and job.trigger.interval.total_seconds() == 60
    finally:
        app.close()
