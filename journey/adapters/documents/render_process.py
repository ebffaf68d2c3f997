"""A long-lived render worker process, restarted after a timeout or crash.

Starting Python and importing Jinja2 costs about 0.1 s; a case advance that renders documents
pays it once per process instead of once per render. Requests and answers are single JSON
lines. A request not answered within ``timeout`` seconds kills the worker (the only reliable
way to stop a runaway template); the next request starts a fresh one.
"""

from __future__ import annotations

import os
import selectors
import subprocess
import sys
import threading
import time
import weakref
from contextlib import suppress
from pathlib import Path

from journey.domain.errors import WorkerCrashed, WorkerTimeout

WORKER = Path(__file__).resolve().with_name("_render_worker.py")


def _stop(proc: subprocess.Popen[bytes]) -> None:
    """Kill and reap the worker, closing its pipes (no ResourceWarning, no zombie)."""
    try:
        if proc.poll() is None:
            proc.kill()
        proc.wait(timeout=5)
    except (OSError, subprocess.TimeoutExpired):
        pass
    for pipe in (proc.stdin, proc.stdout):
        try:
            if pipe is not None:
                pipe.close()
        except OSError:
            pass


class RenderProcess:
    """One worker per renderer, used by one request at a time."""

    def __init__(self) -> None:
        self._proc: subprocess.Popen[bytes] | None = None
        self._finalizer: weakref.finalize[[subprocess.Popen[bytes]], RenderProcess] | None = None
        self._lock = threading.Lock()  # one request at a time
        self._state = threading.Lock()  # guards _proc and _finalizer: close() may come from another thread

    def _start(self) -> subprocess.Popen[bytes]:
        proc = subprocess.Popen([sys.executable, "-I", str(WORKER), "--serve"], stdin=subprocess.PIPE,
                                stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, bufsize=0)
        with self._state:
            self._proc = proc
            self._finalizer = weakref.finalize(self, _stop, proc)
        return proc

    def close(self) -> None:
        """Stop the worker, also one in the middle of a request from another thread.

        Between requests the worker is killed and reaped and its pipes are closed here. During one it
        is only killed: the request, waiting on the worker's pipe, then reads the end of it, raises
        WorkerCrashed and reaps the worker itself (closing the pipe under it would leave it waiting
        for its timeout: a closed descriptor never becomes ready).
        """
        if self._lock.acquire(blocking=False):
            try:
                self._discard()
            finally:
                self._lock.release()
            return
        with self._state:
            proc = self._proc
        if proc is not None:
            with suppress(OSError):
                proc.kill()

    def _discard(self) -> None:
        """Kill and reap the worker, closing its pipes; no request may be using it."""
        with self._state:
            finalizer, self._proc, self._finalizer = self._finalizer, None, None
        if finalizer is not None:
            finalizer()

    def request(self, line: bytes, timeout: float) -> bytes:
        """Send one JSON line, return the answer line; raise WorkerTimeout or WorkerCrashed."""
        with self._lock:
            proc = self._proc if self._proc is not None and self._proc.poll() is None else self._start()
            assert proc.stdin is not None and proc.stdout is not None
            try:
                proc.stdin.write(line + b"\n")
                proc.stdin.flush()
                return self._read_line(proc, time.monotonic() + timeout)
            except BaseException:
                self._discard()
                raise

    @staticmethod
    def _read_line(proc: subprocess.Popen[bytes], deadline: float) -> bytes:
        assert proc.stdout is not None
        fd = proc.stdout.fileno()
        chunks: list[bytes] = []
        with selectors.DefaultSelector() as selector:
            selector.register(fd, selectors.EVENT_READ)
            while True:
                remaining = deadline - time.monotonic()
                if remaining <= 0 or not selector.select(remaining):
                    raise WorkerTimeout()
                chunk = os.read(fd, 1 << 16)
                if not chunk:
                    raise WorkerCrashed(f"exit status {proc.wait()}")
                chunks.append(chunk)
                if chunk.endswith(b"\n"):
                    return b"".join(chunks)
