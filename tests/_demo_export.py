"""The demo network built once per test session on SQLite and exported, for tests that need
twelve municipalities at varied stages without replaying the demo (documents make it slow)."""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path

import pytest

from journey.adapters.clock import FixedClock
from journey.bootstrap import App
from journey.services.demo import run_demo
from journey.services.transfer import export_data
from tests.conftest import NOW, make_settings, workflows_v1


@dataclass(frozen=True)
class DemoSource:
    url: str  # the SQLite database the demo ran on (read it, do not change it)
    export: Path  # its export file


_built: dict[bool, DemoSource] = {}


def build_demo_source(tmp_path_factory: pytest.TempPathFactory, version_1: bool = False) -> DemoSource:
    """Built on first use in a test process, then shared (tests must not change it).

    ``version_1``: the demo as run before handbook@2 was published (every case on version 1).
    """
    if version_1 not in _built:
        where = tmp_path_factory.mktemp("demo-source")
        url = f"sqlite:///{where / 'journey.db'}"
        settings = make_settings(url, where)
        if version_1:
            settings = replace(settings, workflows_dir=workflows_v1(where / "workflows"))
        app = App(settings, clock=FixedClock(NOW))
        try:
            app.init_database()
            run_demo(app.deps, "demo")
            export_data(app.deps, "demo", where / "demo.json")
        finally:
            app.close()
        _built[version_1] = DemoSource(url, where / "demo.json")
    return _built[version_1]
