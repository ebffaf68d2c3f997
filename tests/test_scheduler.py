"""The scheduler as a real process: SIGKILL and SIGSTOP mid-send, two schedulers, the lease, bad settings."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from journey.adapters.clock import FixedClock
from journey.adapters.sql.scheduler_lease import LeaseLock
from tests.conftest import ROOT, TEMPLATES
from tests.reminder_support import (  # noqa: F401
    AUTH_WITHOUT_TLS,
    REMIND_WORKFLOWS,
    TOWNS,
    SmtpServer,
    add_towns,
    at,
    free_port,
    make_app,
    rows,
    seed,
    smtp,
)

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


class Scheduler:
    """``journey scheduler run`` as a subprocess whose log (stderr) is read while it runs."""

    def __init__(self, env: dict[str, str], interval: str = "0.3") -> None:
        self.proc = _scheduler(env, interval)
        self.log: list[str] = []
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        assert self.proc.stderr is not None
        for line in self.proc.stderr:
            self.log.append(line)

    def wait_for_log(self, text: str, timeout: float = 60.0) -> None:
        deadline = time.monotonic() + timeout
        while not any(text in line for line in self.log) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert any(text in line for line in self.log), f"{text!r} never logged: {''.join(self.log)}"

    def stop(self) -> tuple[int, str, str]:
        """SIGTERM (unless it exited), then (exit code, stdout, log); safe to call twice."""
        if self.proc.stdout is None or self.proc.stdout.closed:
            return self.proc.returncode, "", "".join(self.log)
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
        self.proc.wait(timeout=60)
        self._reader.join(timeout=10)
        assert self.proc.stdout is not None and self.proc.stderr is not None
        out = self.proc.stdout.read()
        self.proc.stdout.close()
        self.proc.stderr.close()
        return self.proc.returncode, out, "".join(self.log)


def _wait_until_stopped(pid: int) -> None:
    """Every thread of ``pid`` is stopped (state T in /proc)."""
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        states = [Path(t, "stat").read_text().rpartition(")")[2].split()[0] for t in Path(f"/proc/{pid}/task").iterdir()]
        if all(state == "T" for state in states):
            return
        time.sleep(0.01)
    raise AssertionError(f"process {pid} did not stop")


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
def test_sigstop_of_a_sending_scheduler_never_makes_it_send_what_another_took_over(
        seeded: Any, database_url: str, tmp_path: Path, smtp: SmtpServer) -> None:  # noqa: F811
    # The first scheduler's lease: 5 s + its 10 s SMTP timeout, long enough that it is surely waiting for
    # the reply (not retrying after a timeout, in the middle of a database write) when it is stopped.
    env = _env(database_url, tmp_path, smtp.port, DUE_NOW) | {"JOURNEY_SMTP_TIMEOUT": "10"}
    in_flight, frozen = threading.Event(), threading.Event()

    def hold_the_reply(_msg: Any) -> None:  # the server has the first message and answers once its sender is stopped
        if not in_flight.is_set():
            in_flight.set()
            frozen.wait(timeout=60)

    smtp.inbox.on_data = hold_the_reply
    first = Scheduler(env)
    later = _env(database_url, tmp_path, smtp.port, (at(DUE_NOW) + timedelta(minutes=2)).isoformat())
    try:
        assert in_flight.wait(timeout=60)
        os.kill(first.proc.pid, signal.SIGSTOP)
        _wait_until_stopped(first.proc.pid)
        frozen.set()
        if database_url.startswith("postgresql"):
            # The advisory lock belongs to the stopped process's live session: no scheduler may take it over,
            # but `send-due` (no lock) sends what the stopped one had claimed once those claims ran out.
            done = subprocess.run([sys.executable, "-m", "journey", "reminders", "send-due"], cwd=ROOT, text=True,
                                  env=later, capture_output=True, timeout=60)
            assert done.returncode == 0, done.stderr
            helper = None
        else:  # the lease row runs out (it is not renewed while the holder is stopped) and another takes over
            helper = Scheduler(later | {"JOURNEY_SMTP_TIMEOUT": "2"})
        try:
            smtp.inbox.wait_for(len(TOWNS) + 1, timeout=60)
        except AssertionError as exc:
            raise AssertionError(f"{exc}; the first sender's log: {''.join(first.log)}; "
                                 f"the other sender's log: {''.join(helper.log) if helper else ''}") from None
    finally:
        frozen.set()
        os.kill(first.proc.pid, signal.SIGCONT)
        smtp.inbox.on_data = None
    first.wait_for_log("taken over by another sender")  # its reply came: the row is no longer its to mark
    time.sleep(1.0)  # a few more polls of both: nothing else may go out
    code, out, log = first.stop()
    assert code == 0, log
    if helper is not None:
        helper_code, _, helper_log = helper.stop()
        assert helper_code == 0 and "took over the reminder lock" in helper_log, helper_log
    counts = _keys(smtp)
    assert set(counts) == {r["idempotency_key"] for r in rows(seeded)}
    assert sorted(counts.values()) == [1] * (len(TOWNS) - 1) + [2]  # only the message in flight twice
    assert {r["status"] for r in rows(seeded)} == {"SENT"}


MANY = tuple((f"{9100 + i}", f"Testby{i:02d}") for i in range(30))


@pytest.mark.slow
def test_two_schedulers_never_send_at_the_same_time(database_url: str, tmp_path: Path, smtp: SmtpServer) -> None:  # noqa: F811
    app = make_app(database_url, tmp_path, FixedClock(at("2022-03-01T09:00:00+00:00")), smtp.port)
    try:
        seed(app, MANY)
        # Each message takes 0.4 s, so one sweep (30 messages, 12 s) lasts longer than the SQLite lease
        # (5 s + the 3 s SMTP timeout): it must be renewed during the sweep, not only between sweeps.
        smtp.inbox.slow = 0.4
        env = _env(database_url, tmp_path, smtp.port, DUE_NOW) | {"JOURNEY_SMTP_TIMEOUT": "3"}
        procs = [Scheduler(env), Scheduler(env)]
        try:
            smtp.inbox.wait_for(len(MANY), timeout=120)
            time.sleep(1.0)
            logs = ["".join(p.log) for p in procs]  # before stopping: the holder then lets the other take over
        finally:
            results = [p.stop() for p in procs]
        assert all(code == 0 for code, _, _ in results), results
        assert sorted(_keys(smtp).values()) == [1] * len(MANY)
        assert len({r["claimed_by"] for r in rows(app)}) == 1
        assert sum("standby" in log for log in logs) == 1, logs
        assert not any("took over" in log or "stops sending" in log for log in logs), logs
    finally:
        app.close()


def test_the_sender_and_the_server_are_checked_at_start(
        seeded: Any, database_url: str, tmp_path: Path, smtp: SmtpServer) -> None:  # noqa: F811
    env = _env(database_url, tmp_path, smtp.port, DUE_NOW)
    unreachable = str(free_port())
    for command in (["scheduler", "run", "--interval", "0.3"], ["scheduler", "run", "--once"],
                    ["reminders", "send-due"]):
        for change, code, message in (({"JOURNEY_SMTP_FROM": ""}, 78, "Error: JOURNEY_SMTP_FROM is not set"),
                                      ({"JOURNEY_SMTP_FROM": "journey@localhost"}, 78,
                                       "Error: JOURNEY_SMTP_FROM 'journey@localhost' is not a valid email address"),
                                      ({"JOURNEY_SMTP_PORT": unreachable}, 75,
                                       f"Error: SMTP server 127.0.0.1:{unreachable} unreachable")):
            done = subprocess.run([sys.executable, "-m", "journey", *command], cwd=ROOT, text=True,
                                  env=env | change, capture_output=True, timeout=60)
            assert (done.returncode, done.stdout) == (code, ""), (command, change, done.stderr)
            [line] = done.stderr.splitlines()
            assert line.startswith(message), (command, line)
    assert smtp.inbox.messages == []
    assert all((r["status"], r["attempts"], r["claimed_by"]) == ("PLANNED", 0, "") for r in rows(seeded))


@pytest.mark.slow
@AUTH_WITHOUT_TLS
def test_an_outage_is_waited_out_and_a_login_refused_later_stops_the_scheduler(
        database_url: str, tmp_path: Path) -> None:
    server = SmtpServer(login=("journey", "rätt-lösen")).start()
    app = make_app(database_url, tmp_path, FixedClock(at("2022-03-01T09:00:00+00:00")), server.port)
    env = _env(database_url, tmp_path, server.port, DUE_NOW) | {
        "JOURNEY_SMTP_USER": "journey", "JOURNEY_SMTP_PASSWORD": "rätt-lösen", "JOURNEY_SMTP_TIMEOUT": "5"}
    scheduler = None
    try:
        seed(app)
        scheduler = Scheduler(env)
        scheduler.wait_for_log("sweep: 1 sent")  # the first sweep is over: the next one finds the server gone
        server.stop()
        add_towns(app, TOWNS[1:2])  # Örebro's reminder falls due while the server is down
        scheduler.wait_for_log("due reminders stay queued until it answers")
        time.sleep(1.0)  # a few more polls against the dead server
        server.start()
        server.inbox.wait_for(2)
        scheduler.wait_for_log("SMTP server reachable again")
        orebro = rows(app)[-1]
        assert (orebro["status"], orebro["attempts"]) == ("SENT", 1)  # the polls during the outage counted nothing
        server.inbox.credentials = ("journey", "nytt-lösen")  # the password is changed at the server
        add_towns(app, TOWNS[2:3])
        assert scheduler.proc.wait(timeout=60) == 78
        code, _, log = scheduler.stop()
        assert log.splitlines()[-1].startswith("Error: SMTP login as 'journey' refused by 127.0.0.1:"), log
        assert "lösen" not in log
        last = rows(app)[-1]
        assert (last["status"], last["attempts"], last["claimed_by"]) == ("PLANNED", 0, "")
        assert log.count("stay queued") == 1  # an outage is one line, not one per poll
    finally:
        if scheduler is not None:
            scheduler.stop()
        app.close()
        server.stop()


def test_scheduler_once_sends_and_exits(seeded: Any, database_url: str, tmp_path: Path, smtp: SmtpServer) -> None:  # noqa: F811
    done = subprocess.run([sys.executable, "-m", "journey", "scheduler", "run", "--once"], cwd=ROOT, text=True,
                          env=_env(database_url, tmp_path, smtp.port, DUE_NOW), capture_output=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith(f"{len(TOWNS)} sent")
    assert sorted(_keys(smtp).values()) == [1] * len(TOWNS)


@pytest.mark.postgres
def test_installations_in_two_schemas_have_their_own_scheduler_lock(request: pytest.FixtureRequest,
                                                                      tmp_path: Path) -> None:
    from journey.adapters.sql.engine import make_engine
    from journey.adapters.sql.scheduler_lease import AdvisoryLock
    from tests.conftest import make_database_url

    engines = [make_engine(make_database_url("postgres", tmp_path, request)) for _ in range(2)]
    locks = [AdvisoryLock(engines[0]), AdvisoryLock(engines[1]), AdvisoryLock(engines[0])]
    try:
        assert locks[0].acquire() and locks[1].acquire()  # one scheduler per schema
        assert not locks[2].acquire()  # a second one in the same schema waits
        locks[0].release()
        assert locks[2].hold()
    finally:
        for lock in locks:
            lock.release()
        for engine in engines:
            engine.dispose()


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
