"""Run every benchmark in this folder and print results as ratios against in-run baselines.

Each ``bench_*.py`` module exposes ``run(quick: bool) -> list[Result]``. A baseline is always
measured in the same run, on the same machine, so the ratios travel; absolute times do not.
Usage: ``make bench`` or ``python benchmarks/run.py [--quick] [--scale 0.1] [name ...]``
(``national`` generates the national data set, see ``bench_national.py`` and docs/performance.md).
"""

from __future__ import annotations

import argparse
import importlib.util
import inspect
import sys
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent


@dataclass
class Result:
    name: str
    value: float  # measured (seconds, or ops/s when unit says so)
    baseline: float  # what it is compared with, measured in the same run
    baseline_name: str
    goal: float | None = None  # the ratio must be <= goal (or >= goal when higher_is_better)
    unit: str = "s"
    higher_is_better: bool = False

    @property
    def ratio(self) -> float:
        return self.value / self.baseline if self.baseline else float("inf")

    @property
    def ok(self) -> bool:
        if self.goal is None:
            return True
        return self.ratio >= self.goal if self.higher_is_better else self.ratio <= self.goal


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer repetitions (smoke run)")
    parser.add_argument("--scale", type=float, default=1.0,
                        help="size of generated data sets relative to national size (benchmarks that take it)")
    parser.add_argument("names", nargs="*", help="only these benchmarks (e.g. cli)")
    args = parser.parse_args(argv)
    sys.path.insert(0, str(HERE.parent))
    failed = 0
    for path in sorted(HERE.glob("bench_*.py")):
        if args.names and path.stem.removeprefix("bench_") not in args.names:
            continue
        spec = importlib.util.spec_from_file_location(path.stem, path)
        assert spec and spec.loader
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        print(f"== {path.stem}")
        takes_scale = "scale" in inspect.signature(module.run).parameters
        results = module.run(args.quick, scale=args.scale) if takes_scale else module.run(args.quick)
        for r in results:
            goal = "" if r.goal is None else f"  goal {'>=' if r.higher_is_better else '<='} {r.goal:g}x"
            verdict = "" if r.goal is None else ("  ok" if r.ok else "  MISSED")
            print(f"  {r.name}: {r.value:.4g} {r.unit} vs {r.baseline_name} {r.baseline:.4g} {r.unit}"
                  f" -> ratio {r.ratio:.2f}x{goal}{verdict}")
            failed += not r.ok
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
