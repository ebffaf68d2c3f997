"""Reminder sweep cost: 100 due reminders among 100 000 open cases vs among 1 000 (goal ratio <= 2).

The sweep claims due rows through the (status, send_after) index, so its cost should follow
the number of *due* reminders, not the number of open ones. SMTP is replaced by an in-memory
mailer here: the benchmark measures the database side and the rendering.
"""

from __future__ import annotations

import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from run import Result  # noqa: E402

NOW = datetime(2022, 6, 1, 9, 0, tzinfo=UTC)
DUE = 100


class MemoryMailer:
    def __init__(self) -> None:
        self.sent: list[Any] = []

    def check(self) -> None:
        pass

    def send(self, email: Any) -> Any:
        from journey.ports.mail import Delivery

        self.sent.append(email)
        return Delivery()

    def close(self) -> None:
        pass


def _build(directory: Path, open_cases: int) -> Any:
    from sqlalchemy import insert

    from journey.adapters.clock import FixedClock
    from journey.adapters.sql.tables.core import CaseRecord, MunicipalityRecord, UserRecord
    from journey.adapters.sql.tables.reminders import ReminderRecord
    from journey.bootstrap import App
    from journey.config import Settings

    settings = Settings(database_url=f"sqlite:///{directory / 'bench.db'}", workflows_dir=ROOT / "workflows",
                        templates_dir=ROOT / "templates", output_dir=directory / "out")
    app = App(settings, clock=FixedClock(NOW), overrides={"mailer": MemoryMailer()})
    app.init_database()
    entered = NOW - timedelta(days=100)
    municipalities = [{"id": i, "code": f"B{i:07d}", "name": f"Kommun {i}", "slug": f"kommun-{i}", "county": "",
                       "workflow": "handbook", "created_at": entered} for i in range(1, open_cases + 1)]
    cases = [{"id": i, "municipality_id": i, "workflow": "handbook", "workflow_version": 1, "state": "political_intent",
              "stage": "political_intent", "status": "ACTIVE", "opened_at": entered, "stage_entered_at": entered,
              "updated_at": entered, "version": 1} for i in range(1, open_cases + 1)]
    users = [{"username": f"samordnare{i}", "display_name": "", "email": f"samordnare{i}@kommun.se",
              "role": "COORDINATOR", "municipality_id": i, "created_at": entered} for i in range(1, DUE + 1)]
    reminders = []
    for i in range(1, open_cases + 1):
        due_at = NOW - timedelta(minutes=i) if i <= DUE else NOW + timedelta(days=1 + i % 300)
        reminders.append({"case_id": i, "municipality_id": i, "rule_id": "stalled", "state_path": "political_intent",
                          "recipient_role": "coordinator", "template": "stalled", "title": "Viljeinriktning saknas",
                          "subject": "Påminnelse: {{ rule_title }} – {{ municipality }}", "anchor": "state_entry",
                          "board": "", "offset_days": 60, "local_time": "08:00", "entered_at": entered,
                          "nominal_date": due_at.date(), "due_at": due_at, "send_after": due_at, "shift_days": 0,
                          "status": "PLANNED", "attempts": 0, "claimed_by": "", "idempotency_key": f"bench/{i}",
                          "reason": "60 dagar efter inträde", "last_error": "", "created_at": entered})
    with app.engine.begin() as conn:
        for table, data in ((MunicipalityRecord, municipalities), (CaseRecord, cases), (UserRecord, users),
                            (ReminderRecord, reminders)):
            for start in range(0, len(data), 20_000):
                conn.execute(insert(table.__table__), data[start:start + 20_000])  # type: ignore[attr-defined]
    return app


def _reset_due(app: Any) -> None:
    from sqlalchemy import text

    with app.engine.begin() as conn:
        conn.execute(text("UPDATE reminder SET status = 'PLANNED', send_after = due_at, sent_at = NULL, "
                          "claimed_by = '', attempts = 0 WHERE case_id <= :due"), {"due": DUE})


def _sweep_seconds(app: Any, repeats: int) -> float:
    from journey.bootstrap.reminders import make_renderer
    from journey.services.reminders.sweep import SweepOptions, send_due_reminders

    options = SweepOptions("bench:1", ZoneInfo("Europe/Stockholm"), batch=20)
    best = float("inf")
    for _ in range(repeats):
        _reset_due(app)
        mailer = app.overrides["mailer"]
        mailer.sent.clear()
        started = time.perf_counter()
        result = send_due_reminders(app.deps, mailer, make_renderer(app), options)
        best = min(best, time.perf_counter() - started)
        assert result.sent == DUE == len(mailer.sent), result
    return best


def run(quick: bool) -> list[Result]:
    big = 20_000 if quick else 100_000
    repeats = 2 if quick else 4
    timings = {}
    with tempfile.TemporaryDirectory() as tmp:
        for n in (1_000, big):
            directory = Path(tmp) / str(n)
            directory.mkdir()
            app = _build(directory, n)
            try:
                timings[n] = _sweep_seconds(app, repeats)
            finally:
                app.close()
    return [Result(f"sweep {DUE} due among {big:,} open cases", timings[big], timings[1_000],
                   f"{DUE} due among 1,000 open cases", goal=2.0)]


if __name__ == "__main__":
    for r in run("--quick" in sys.argv):
        print(f"{r.name}: {r.value:.3f}s vs {r.baseline_name}: {r.baseline:.3f}s -> ratio {r.ratio:.2f} (goal <= 2)")
