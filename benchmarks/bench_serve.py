"""`journey serve` under load on loopback: the matrix page and GET /api/cases for the whole country.

290 municipalities (bench_monitor's seed: bulk SQL inserts), the real server as a subprocess on
127.0.0.1, 50 concurrent clients (httpx async clients in one event loop). p50 and p95 of the matrix
page (logged in) and of GET /api/cases (bearer token) are reported as ratios against GET /health
of the same server in the same run, the three loaded in turns (five rounds). Bounded: a fixed
number of requests per endpoint and a time limit; no error is allowed. The server runs with its
default ``--view-seconds`` (concurrent requests for the same national view share one build).
Run: ``python benchmarks/run.py serve`` (``--quick`` for fewer requests).
"""

from __future__ import annotations

import asyncio
import os
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from run import Result

HERE = Path(__file__).resolve().parent
ROOT = Path(__file__).resolve().parent.parent
CLIENTS = 50
TIME_LIMIT = 60.0  # seconds per endpoint at most
ROUNDS = 5  # the endpoints take turns, a fifth of the requests each time
EXTRA: list[str] = os.environ.get("BENCH_SERVE_ARGS", "").split()  # e.g. "--view-seconds 0"
PASSWORD = "ett riktigt långt lösenord"


def _prepare(home: Path, municipalities: int = 290) -> str:
    """Seed ``municipalities`` municipalities, a user with a password and an API token; returns the token."""
    sys.path.insert(0, str(HERE))
    from bench_monitor import _seed

    from journey.services.auth.passwords import set_password
    from journey.services.auth.tokens import create_token
    from journey.services.registry import add_user

    app = _seed(home, municipalities)
    from journey.adapters.passwords.argon2_hasher import Argon2Hasher

    add_user(app.deps, "root", "admin", "admin", None)
    add_user(app.deps, "admin", "sara", "skr", None)
    set_password(app.deps, Argon2Hasher(time_cost=1, memory_cost=8192), "admin", "sara", PASSWORD)
    token = create_token(app.deps, "admin", "sara", "bench").token
    app.close()
    return token


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _start(home: Path, port: int) -> subprocess.Popen[bytes]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("JOURNEY_")}  # only the seeded database
    env |= {"JOURNEY_HOME": str(home), "JOURNEY_NOW": "2022-06-01T09:00:00+00:00", "XDG_CACHE_HOME": str(home / "cache"),
            "JOURNEY_WORKFLOWS_DIR": str(ROOT / "workflows"), "JOURNEY_TEMPLATES_DIR": str(ROOT / "templates")}
    command = [sys.executable, "-m", "journey", "serve", "--host", "127.0.0.1", "--port", str(port), *EXTRA]
    server = subprocess.Popen(command,
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


def _load(base: str, path: str, count: int, headers: dict[str, str], cookies: dict[str, str],
          clients: int = CLIENTS, time_limit: float = TIME_LIMIT) -> tuple[list[float], int]:
    """``count`` GETs from ``clients`` asyncio tasks at once; latencies (s) and errors (non-200 or transport)."""
    return asyncio.run(_load_async(base, path, count, headers, cookies, clients, time_limit))


async def _load_async(base: str, path: str, count: int, headers: dict[str, str], cookies: dict[str, str],
                      clients: int, time_limit: float) -> tuple[list[float], int]:
    import httpx

    latencies: list[float] = []
    errors = 0
    remaining = count
    stop_at = time.monotonic() + time_limit
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)

    async def worker(client: httpx.AsyncClient) -> None:
        nonlocal remaining, errors
        while remaining > 0 and time.monotonic() < stop_at:
            remaining -= 1  # one event loop: no lock needed between awaits
            start = time.perf_counter()
            try:
                ok = (await client.get(path)).status_code == 200
            except httpx.HTTPError:
                ok = False
            latencies.append(time.perf_counter() - start)
            errors += not ok

    async with httpx.AsyncClient(base_url=base, headers=headers, cookies=cookies, timeout=30, limits=limits) as client:
        await asyncio.gather(*(worker(client) for _ in range(clients)))
    return latencies, errors


def _rounds(count: int, rounds: int) -> list[int]:
    """``count`` requests split into ``rounds`` nearly equal shares (none empty)."""
    rounds = max(1, min(rounds, count))
    return [count // rounds + (i < count % rounds) for i in range(rounds)]


def _p(values: list[float], q: float) -> float:
    return statistics.quantiles(values, n=100)[int(q) - 1] if len(values) > 1 else values[0]


def measure(municipalities: int = 290, count: int = 600, clients: int = CLIENTS,
            time_limit: float = TIME_LIMIT) -> dict[str, tuple[list[float], int]]:
    """Seed, start the server, load /health, the matrix page and GET /api/cases; latencies and errors by path."""
    with tempfile.TemporaryDirectory() as tmp:
        home = Path(tmp)
        token = _prepare(home, municipalities)
        port = _free_port()
        server = _start(home, port)
        base = f"http://127.0.0.1:{port}"
        try:
            cookies = _session(base)
            bearer = {"Authorization": f"Bearer {token}"}
            _load(base, "/", min(20, count), {}, cookies, clients, time_limit)  # warm up (templates, connections)
            plan = {"/health": ({}, {}), "/": ({}, cookies), "/api/cases": (bearer, {})}
            runs: dict[str, tuple[list[float], int]] = {path: ([], 0) for path in plan}
            for share in _rounds(count, ROUNDS):  # interleaved: each endpoint sees the same machine state
                for path, (headers, jar) in plan.items():
                    latencies, errors = _load(base, path, share, headers, jar, clients, time_limit / ROUNDS)
                    runs[path] = (runs[path][0] + latencies, runs[path][1] + errors)
            return runs
        finally:
            server.terminate()
            server.wait(timeout=30)


def run(quick: bool) -> list[Result]:
    runs = measure(count=150 if quick else 600)
    health = runs["/health"][0]
    results = []
    for name, path in (("matrix page (290)", "/"), ("GET /api/cases (290)", "/api/cases")):
        for q in (50, 95):
            results.append(Result(f"{name} p{q}, {CLIENTS} clients", _p(runs[path][0], q), _p(health, q),
                                  f"GET /health p{q}"))
    errors = sum(e for _, e in runs.values())
    total = sum(len(v) for v, _ in runs.values())
    results.append(Result(f"errors in {total} requests", errors, 1.0, "none allowed", goal=0.0, unit="errors"))
    return results
