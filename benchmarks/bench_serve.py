"""`journey serve` under load on loopback: the matrix page and GET /api/cases for the whole country.

290 municipalities (bench_monitor's seed), the real server as a subprocess on 127.0.0.1, 50
concurrent clients. p50 and p95 of the matrix page (logged in) and of GET /api/cases (bearer
token) are reported as ratios against GET /health of the same server in the same run. Bounded:
a fixed number of requests per endpoint and a time limit; no error is allowed.
"""

from __future__ import annotations

import os
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from run import Result

ROOT = Path(__file__).resolve().parent.parent
CLIENTS = 50
TIME_LIMIT = 60.0  # seconds per endpoint at most
PASSWORD = "ett riktigt långt lösenord"


def _prepare(home: Path) -> str:
    """Seed 290 municipalities, a user with a password and an API token; returns the token."""
    sys.path.insert(0, str(HERE))
    from bench_monitor import _seed

    from journey.services.auth.passwords import set_password
    from journey.services.auth.tokens import create_token
    from journey.services.registry import add_user

    app = _seed(home, 290)
    from journey.adapters.passwords.argon2_hasher import Argon2Hasher

    add_user(app.deps, "root", "admin", "admin", None)
    add_user(app.deps, "admin", "sara", "skr", None)
    set_password(app.deps, Argon2Hasher(time_cost=1, memory_cost=8192), "admin", "sara", PASSWORD)
    token = create_token(app.deps, "admin", "sara", "bench").token
    app.close()
    return token


HERE = Path(__file__).resolve().parent


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _start(home: Path, port: int) -> subprocess.Popen[bytes]:
    env = {**os.environ, "JOURNEY_HOME": str(home), "JOURNEY_NOW": "2022-06-01T09:00:00+00:00",
           "JOURNEY_WORKFLOWS_DIR": str(ROOT / "workflows"), "JOURNEY_TEMPLATES_DIR": str(ROOT / "templates")}
    server = subprocess.Popen([sys.executable, "-m", "journey", "serve", "--host", "127.0.0.1", "--port", str(port)],
                              env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    import httpx

    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/health", timeout=1).status_code == 200:
                return server
        except httpx.TransportError:
            time.sleep(0.1)
    server.terminate()
    raise RuntimeError("journey serve did not start")


def _session(base: str) -> dict[str, str]:
    import httpx

    with httpx.Client(base_url=base) as client:
        page = client.get("/login")
        csrf = re.search(r'name="csrf" value="([^"]+)"', page.text)
        assert csrf
        done = client.post("/login", data={"username": "sara", "password": PASSWORD, "csrf": csrf.group(1)})
        assert done.status_code in (200, 303), done.status_code
        return {"journey_session": client.cookies["journey_session"]}


def _load(base: str, path: str, count: int, headers: dict[str, str], cookies: dict[str, str]) -> tuple[list[float], int]:
    """``count`` GETs from ``CLIENTS`` threads at once; latencies (s) and errors (non-200 or transport)."""
    import httpx

    latencies: list[float] = []
    errors = [0]
    lock = threading.Lock()
    remaining = [count]
    stop_at = time.monotonic() + TIME_LIMIT

    def worker() -> None:
        with httpx.Client(base_url=base, headers=headers, cookies=cookies, timeout=30) as client:
            while True:
                with lock:
                    if remaining[0] <= 0 or time.monotonic() > stop_at:
                        return
                    remaining[0] -= 1
                start = time.perf_counter()
                try:
                    ok = client.get(path).status_code == 200
                except httpx.HTTPError:
                    ok = False
                elapsed = time.perf_counter() - start
                with lock:
                    latencies.append(elapsed)
                    errors[0] += not ok

    threads = [threading.Thread(target=worker) for _ in range(CLIENTS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return latencies, errors[0]


def _p(values: list[float], q: float) -> float:
    return statistics.quantiles(values, n=100)[int(q) - 1] if len(values) > 1 else values[0]


def run(quick: bool) -> list[Result]:
    count = 150 if quick else 600
    with tempfile.TemporaryDirectory() as tmp:
        home = Path(tmp)
        token = _prepare(home)
        port = _free_port()
        server = _start(home, port)
        base = f"http://127.0.0.1:{port}"
        try:
            cookies = _session(base)
            bearer = {"Authorization": f"Bearer {token}"}
            _load(base, "/", 20, {}, cookies)  # warm up (templates compiled, connections opened)
            health, health_err = _load(base, "/health", count, {}, {})
            matrix, matrix_err = _load(base, "/", count, {}, cookies)
            cases, cases_err = _load(base, "/api/cases", count, bearer, {})
        finally:
            server.terminate()
            server.wait(timeout=30)
    results = []
    for name, values in (("matrix page (290)", matrix), ("GET /api/cases (290)", cases)):
        for q in (50, 95):
            results.append(Result(f"{name} p{q}, {CLIENTS} clients", _p(values, q), _p(health, q),
                                  f"GET /health p{q}"))
    errors = health_err + matrix_err + cases_err
    results.append(Result(f"errors in {len(health) + len(matrix) + len(cases)} requests", errors, 1.0,
                          "none allowed", goal=0.0, unit="errors"))
    return results
