"""`journey demo`: the main job of a fresh install, idempotent on re-run."""

from __future__ import annotations

import json

from tests.conftest import Cli


def test_demo_builds_twelve_cases_at_varied_stages_and_is_idempotent(cli: Cli) -> None:
    out = cli.ok("demo").output
    assert "12 cases opened" in out and "Hudiksvall" in out
    rows = json.loads(cli.ok("status --json").output)
    assert len(rows) == 12
    assert len({r["stage"] for r in rows}) >= 8
    assert {r["workflow"] for r in rows} == {"handbook@2", "handbook-integrated@2"}
    again = cli.ok("demo").output
    assert "0 cases opened, 0 audited advances" in again
    assert json.loads(cli.ok("status --json").output) == rows
