"""The `journey serve` load benchmark at a tiny scale: it seeds, serves, loads every endpoint it
measures and counts no error. A smoke test of the harness only: no timing is asserted (issue 15)."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest

from tests.conftest import ROOT

pytestmark = pytest.mark.slow


def bench_module() -> ModuleType:
    folder = ROOT / "benchmarks"
    sys.path.insert(0, str(folder))
    try:
        spec = importlib.util.spec_from_file_location("bench_serve", folder / "bench_serve.py")
        assert spec and spec.loader
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        return module
    finally:
        sys.path.remove(str(folder))


def test_serve_benchmark_runs_at_tiny_scale_without_errors(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import tempfile

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))  # the benchmark's database lives in tmp_path
    bench = bench_module()
    runs = bench.measure(municipalities=12, count=12, clients=4, time_limit=60)
    assert set(runs) == {"/health", "/", "/api/cases"}
    for path, (latencies, errors) in runs.items():
        assert len(latencies) == 12 and errors == 0, path
