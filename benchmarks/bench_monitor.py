"""Monitoring benchmarks: the whole country (290 municipalities) in the monitor and the HTML report.

The monitor query for 290 is compared with the same query for the 12 network municipalities in
the same run (goal: at most linear, <= 290/12 = 24x; and <= 0.5 s absolute, checked separately).
The HTML report for 290 is compared with the report for 12 (goal <= 30x, i.e. about linear).
A third result counts state machines built while doing both (goal: none at all).
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from run import Result

ROOT = Path(__file__).resolve().parent.parent
NOW = datetime(2022, 6, 1, 9, 0, tzinfo=UTC)
STATES = ["interest", "letter_of_intent", "local_team", "needs_inventory", "anchoring", "political_intent", "policy",
          "action_plan", "collaboration.internal.forming,collaboration.external.forming",
          "collaboration.internal.established,collaboration.external.forming", "business", "follow_up"]


def _seed(home: Path, count: int) -> Any:
    """An initialised SQLite database with ``count`` municipalities at varied stages and their history."""
    sys.path.insert(0, str(ROOT))
    from sqlalchemy import insert

    from journey.adapters.clock import FixedClock
    from journey.adapters.sql.tables.core import CaseRecord, HistoryRecord, MunicipalityRecord
    from journey.bootstrap import App
    from journey.config import Settings

    app = App(Settings.from_env({"JOURNEY_HOME": str(home)}), clock=FixedClock(NOW))
    app.init_database()
    municipalities, cases, history = [], [], []
    for i in range(count):
        state = STATES[i % len(STATES)]
        entered = NOW - timedelta(days=3 + (i * 7) % 200)
        municipalities.append({"id": i + 1, "code": f"{1000 + i}", "name": f"Kommun {i:03d}", "slug": f"kommun-{i:03d}",
                               "county": f"Län {i % 21}", "workflow": "handbook", "created_at": entered})
        cases.append({"id": i + 1, "municipality_id": i + 1, "workflow": "handbook", "workflow_version": 1,
                      "state": state, "stage": state.split(".")[0], "status": "COMPLETED" if state == "follow_up"
                      else "ACTIVE", "opened_at": entered, "stage_entered_at": entered, "updated_at": entered,
                      "version": 1})
        for seq in range(1, 2 + i % len(STATES)):
            history.append({"case_id": i + 1, "seq": seq, "kind": "OPENED" if seq == 1 else "ADVANCED",
                            "from_state": None, "to_state": state, "trigger": None if seq == 1 else "step",
                            "actor": "bench", "at": entered - timedelta(days=40 - seq), "evidence": {}, "comment": ""})
    with app.engine.begin() as conn:
        conn.execute(insert(MunicipalityRecord.__table__), municipalities)  # type: ignore[attr-defined]
        conn.execute(insert(CaseRecord.__table__), cases)  # type: ignore[attr-defined]
        conn.execute(insert(HistoryRecord.__table__), history)  # type: ignore[attr-defined]
    return app


def _median(fn: Any, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def _monitor(app: Any) -> Any:
    from journey.adapters.readmodel.core import SqlReadModel
    from journey.adapters.readmodel.monitor import MonitorQueries
    from journey.services.monitoring.monitor import build

    def once() -> None:
        read = SqlReadModel(app.database_url)
        try:
            data = build(MonitorQueries(read), lambda: app.workflows, None, NOW)
            assert data["totals"]["municipalities"] > 0
        finally:
            read.close()

    return once


def _report(app: Any, out: Path) -> Any:
    from journey.adapters.exports.report_templates import JinjaReportTemplates
    from journey.adapters.readmodel.core import SqlReadModel
    from journey.adapters.readmodel.monitor import MonitorQueries
    from journey.services.monitoring.report_html import write_report

    render = JinjaReportTemplates(ROOT / "templates")

    def once() -> None:
        read = SqlReadModel(app.database_url)
        try:
            write_report(MonitorQueries(read), lambda: app.workflows, None, NOW, app.report_site(out), render)
        finally:
            read.close()

    return once


def _count_machines() -> tuple[list[int], Any]:
    from transitions.core import Machine

    import journey.definitions.machine as machine

    built = [0]
    original_build, original_init = machine.build_machine, Machine.__init__

    def counting_build(*args: Any, **kwargs: Any) -> Any:
        built[0] += 1
        return original_build(*args, **kwargs)

    def counting_init(self: Any, *args: Any, **kwargs: Any) -> None:
        built[0] += 1
        original_init(self, *args, **kwargs)

    machine.build_machine = counting_build  # type: ignore[assignment]
    Machine.__init__ = counting_init  # type: ignore[method-assign]

    def restore() -> None:
        machine.build_machine = original_build  # type: ignore[assignment]
        Machine.__init__ = original_init  # type: ignore[method-assign]

    return built, restore


def run(quick: bool) -> list[Result]:
    repeat = 3 if quick else 9
    with tempfile.TemporaryDirectory() as tmp:
        home = Path(tmp)
        small, country = _seed(home / "small", 12), _seed(home / "country", 290)
        for app in (small, country):
            app.workflows  # noqa: B018  (load the YAML once, as a long-running process would)
        built, restore = _count_machines()
        try:
            monitor_small = _median(_monitor(small), repeat)
            monitor_country = _median(_monitor(country), repeat)
            report_small = _median(_report(small, home / "out-small"), max(1, repeat // 3))
            report_country = _median(_report(country, home / "out-country"), max(1, repeat // 3))
        finally:
            restore()
        small.close()
        country.close()
    return [
        Result("monitor query, 290 municipalities", monitor_country, monitor_small, "same query, 12 municipalities",
               goal=290 / 12),
        Result("monitor query, 290 municipalities (absolute)", monitor_country, 0.5, "the 0.5 s goal", goal=1.0),
        Result("HTML report, 290 municipalities", report_country, report_small, "same report, 12 municipalities",
               goal=30.0),
        Result("state machines built (monitor + report)", float(built[0]), 290.0, "290 cases", goal=0.0,
               unit="machines"),
    ]
