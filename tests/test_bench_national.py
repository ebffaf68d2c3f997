"""The national benchmark (issue #14) runs end to end at a tiny scale and prints its ratios (no timing asserted)."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_the_national_benchmark_generates_its_data_and_prints_every_ratio_with_its_goal(tmp_path: Path) -> None:
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "TMPDIR": str(tmp_path)}
    done = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "run.py"), "--quick", "--scale", "0.01",
                           "national"], capture_output=True, text=True, env=env, timeout=600, check=False)
    assert done.returncode in (0, 1), done.stderr  # 1: a goal missed; anything else is a crash
    out = done.stdout
    assert "SQLite: generated" in out
    for name in ("hours summary --year 2022", "monitor (in process)", "journey monitor end to end",
                 "report html", "export", "import", "export peak RSS", "cold start", "sweep"):
        assert re.search(rf"{re.escape(name)}.* -> ratio \d+\.\d\dx  goal (<=|>=) [\d.]+x  (ok|MISSED)", out), (name, out)
    assert ("MISSED" in out) == (done.returncode == 1)
