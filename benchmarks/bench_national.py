"""National scale (issue #14): every command on 290 municipalities and years of data.

The data set is generated here by bulk SQL (no services): the 290 municipalities of
``journey.domain.kommuner`` with a case each and its history, ~100 000 planned reminders,
~500 000 ESF hour entries of registered people, ~100 000 board meetings and 3 000 users, scaled by
``--scale`` (0.1 is a tenth; the municipalities stay 290). It runs on SQLite, and again on
PostgreSQL (a private schema, dropped afterwards) when ``JOURNEY_TEST_DATABASE_URL`` is set.

Every figure is a ratio against a baseline measured in the same run, interleaved (command,
baseline, command, baseline ...) and taken as the median, so both see the same machine state:

- ``hours summary``: the summary use case vs the SQL GROUP BY it needs, through the same driver;
  its peak RSS (``journey hours summary``) vs the same command on a year without entries;
- ``monitor`` / ``report html``: the use case vs the SQL aggregates it needs; ``journey monitor``
  end to end vs ``python -c "import click"``;
- ``export`` / ``import``: ``journey export`` vs ``sqlite3 .dump`` (``pg_dump`` on PostgreSQL) and
  ``journey import`` vs loading that dump; peak RSS against 200 MB;
- the sweep: 100 due reminders among 3 000 users vs among 100 users;
- cold start: ``journey hours log`` vs ``python -c "import click"``.
"""

from __future__ import annotations

import gc
import os
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from run import Result  # noqa: E402

NOW = datetime(2022, 11, 15, 9, 0, tzinfo=UTC)
YEAR = 2022
STATES = ["interest", "letter_of_intent", "local_team", "needs_inventory", "anchoring", "political_intent", "policy",
          "action_plan", "collaboration.internal.forming,collaboration.external.forming", "business", "follow_up"]
ACTIVITIES = ["team_meeting", "inventory", "policy", "procurement", "dialogue", "training", "other"]
BOARDS = [("KS", "Kommunstyrelsen"), ("KF", "Kommunfullmäktige"), ("SN", "Socialnämnden")]
MB = 1024 * 1024
BATCH = 20_000


# Generation ------------------------------------------------------------------------------------

def _sizes(scale: float) -> dict[str, int]:
    return {"reminders": max(290, int(100_000 * scale)), "entries": max(290, int(500_000 * scale)),
            "meetings": max(290, int(100_000 * scale)), "users": max(300, int(3_000 * scale)),
            "people": max(290, int(5_800 * scale))}


def _rows(scale: float) -> Iterator[tuple[str, list[dict[str, Any]]]]:
    """(table, rows) in dependency order, in batches."""
    from journey.domain.kommuner import KOMMUNER
    from journey.domain.municipality import slugify

    n = _sizes(scale)
    start = datetime(2021, 1, 4, 8, 0, tzinfo=UTC)
    yield "municipality", [{"id": i + 1, "code": k.code, "name": k.name, "slug": slugify(k.name), "county": k.county,
                            "workflow": "handbook", "created_at": start} for i, k in enumerate(KOMMUNER)]
    count = len(KOMMUNER)
    cases, history = [], []
    for i in range(count):
        state = STATES[i % len(STATES)]
        entered = NOW - timedelta(days=3 + (i * 7) % 300)
        cases.append({"id": i + 1, "municipality_id": i + 1, "workflow": "handbook", "workflow_version": 1,
                      "state": state, "stage": state.split(".")[0],
                      "status": "COMPLETED" if state == "follow_up" else "ACTIVE", "opened_at": start,
                      "stage_entered_at": entered, "updated_at": entered, "version": 1})
        for seq in range(1, 2 + i % len(STATES)):
            history.append({"case_id": i + 1, "seq": seq, "kind": "OPENED" if seq == 1 else "ADVANCED",
                            "from_state": None if seq == 1 else STATES[seq - 2], "to_state": STATES[seq - 1],
                            "trigger": None if seq == 1 else "step", "actor": "bench",
                            "at": start + timedelta(days=seq * 20), "evidence": {}, "comment": ""})
    yield "journey_case", cases
    yield "case_history", history
    users = [{"id": 1, "username": "skr", "display_name": "SKR", "email": "skr@skr.se", "role": "SKR",
              "municipality_id": None, "created_at": start},
             {"id": 2, "username": "admin", "display_name": "Admin", "email": "admin@skr.se", "role": "ADMIN",
              "municipality_id": None, "created_at": start}]
    users += [{"id": i, "username": f"samordnare{i}", "display_name": f"Samordnare {i}",
               "email": f"samordnare{i}@kommun.se", "role": "COORDINATOR", "municipality_id": 1 + i % count,
               "created_at": start} for i in range(3, n["users"] + 1)]
    yield "app_user", users
    yield "board", [{"id": 1 + i * len(BOARDS) + b, "municipality_id": i + 1, "code": code, "name": name,
                     "secretary_email": f"{code.lower()}.sekreterare{i}@kommun.se",
                     "chair_email": f"{code.lower()}.ordforande{i}@kommun.se"}
                    for i in range(count) for b, (code, name) in enumerate(BOARDS)]
    boards = count * len(BOARDS)
    first_day = date(2015, 1, 1)
    for lo in range(0, n["meetings"], BATCH):
        yield "board_meeting", [{"id": k + 1, "board_id": 1 + k % boards, "meeting_date": first_day + timedelta(
            days=k // boards), "start_time": "13:00", "location": "Sessionssalen", "title": "Sammanträde",
            "source": "bench", "source_uid": f"bench-{k}"} for k in range(lo, min(lo + BATCH, n["meetings"]))]
    for lo in range(0, n["reminders"], BATCH):
        batch = []
        for k in range(lo, min(lo + BATCH, n["reminders"])):
            case = 1 + k % count
            due = NOW + timedelta(days=(k % 400) - 30, minutes=k % 60)  # ~7 % overdue
            batch.append({"id": k + 1, "case_id": case, "municipality_id": case, "rule_id": f"rule{k % 7}",
                          "state_path": STATES[(case - 1) % len(STATES)], "recipient_role": "coordinator",
                          "template": "stalled", "title": "Påminnelse", "subject": "Påminnelse – {{ municipality }}",
                          "anchor": "state_entry", "board": "", "offset_days": 60, "local_time": "08:00",
                          "entered_at": start, "nominal_date": due.date(), "due_at": due, "send_after": due,
                          "shift_days": 0, "status": "PLANNED", "attempts": 0, "claimed_by": "",
                          "idempotency_key": f"bench/{k}", "reason": "60 dagar efter inträde", "last_error": "",
                          "created_at": start})
        yield "reminder", batch
    yield "person", [{"id": p + 1, "municipality_id": 1 + p % count, "name": f"Person {p}", "name_key": f"person {p}",
                      "kind": "STAFF" if p % 3 else "PARTICIPANT", "function": "Handläggare", "department": "Socialtjänst",
                      "share_percent": 50, "salary_group": "B" if p % 2 else "C", "unit_cost_ore": None,
                      "start_date": None, "end_date": None, "username": "", "review_note": "", "created_by": "bench",
                      "created_at": start} for p in range(n["people"])]
    days = (date(2022, 12, 31) - date(2021, 1, 1)).days + 1
    for lo in range(0, n["entries"], BATCH):
        batch = []
        for k in range(lo, min(lo + BATCH, n["entries"])):
            person = k % n["people"]
            batch.append({"id": k + 1, "municipality_id": 1 + person % count, "person_id": person + 1,
                          "person": f"Person {person}", "date": date(2021, 1, 1) + timedelta(days=(k * 7) % days),
                          "quarters": 1 + k % 16, "activity": ACTIVITIES[k % len(ACTIVITIES)],
                          "description": "Arbete", "stage": "", "meeting_id": None, "kind": "ENTRY",
                          "corrects_id": None, "reason": "", "claim_period_id": None, "created_by": "bench",
                          "created_at": start})
        yield "time_entry", batch


def generate(app: Any, scale: float) -> dict[str, int]:
    """Fill ``app``'s (initialised, empty) database; returns the row count per table."""
    from sqlalchemy import MetaData, insert, text

    meta = MetaData()
    meta.reflect(app.engine)
    counts: dict[str, int] = {}
    with app.engine.begin() as conn:
        for table, rows in _rows(scale):
            conn.execute(insert(meta.tables[table]), rows)
            counts[table] = counts.get(table, 0) + len(rows)
        if app.engine.dialect.name == "postgresql":  # the ids were given: move the sequences past them
            for table in counts:
                conn.execute(text(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                                  f"(SELECT MAX(id) FROM {table}))")) if "id" in meta.tables[table].c else None
    if app.engine.dialect.name == "postgresql":
        # the tables as autovacuum leaves them in use (statistics, and the visibility map that lets an index-only
        # scan read the index alone); the server may have autovacuum off, as the test machines' has
        with app.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            for name in meta.tables:
                conn.execute(text(f'VACUUM (ANALYZE) "{name}"'))
    if app.engine.dialect.name == "sqlite":
        with app.engine.begin() as conn:
            conn.execute(text("ANALYZE"))
    return counts


# Measuring -------------------------------------------------------------------------------------

def interleaved(command: Callable[[], Any], baseline: Callable[[], Any], repeat: int) -> tuple[float, float]:
    """Medians of ``command`` and ``baseline``, run alternately ``repeat`` times each.

    The harness's own objects (about 136 000 at national size: the generator's app, its ORM and
    workflows; a ``journey hours summary`` process holds about 23 000) are frozen first, so that the
    collector's full passes, set off by what the command allocates, do not walk them: in the
    command's own process they would not be there. Command and baseline run under the same heap.
    """
    a: list[float] = []
    b: list[float] = []
    gc.collect()
    gc.freeze()
    try:
        for _ in range(repeat):
            for fn, into in ((command, a), (baseline, b)):
                started = time.perf_counter()
                fn()
                into.append(time.perf_counter() - started)
    finally:
        gc.unfreeze()
    return statistics.median(a), statistics.median(b)


RSS_PROBE = ("import atexit, os, runpy, sys\n"
             "def _peak():\n"
             "    with open('/proc/self/status') as f:\n"
             "        kb = next(int(line.split()[1]) for line in f if line.startswith('VmHWM:'))\n"
             "    with open(os.environ['BENCH_RSS_FILE'], 'w') as out:\n"
             "        out.write(str(kb * 1024))\n"
             "atexit.register(_peak)\n"
             "sys.argv = sys.argv[1:]\n"
             "runpy.run_module(sys.argv[0], run_name='__main__', alter_sys=True)\n")


def run_process(args: list[str], env: dict[str, str], stdin: Any = None, stdout: Any = None) -> float:
    """Run ``args``; raises when it fails. For ``python -m MODULE ...`` returns the peak RSS in bytes
    (VmHWM of the process after exec: wait4's ru_maxrss would include the forking parent's memory)."""
    probe = args[:2] == [sys.executable, "-m"]
    rss_file = Path(tempfile.mkstemp(prefix="bench-rss-")[1]) if probe else None
    if probe and rss_file is not None:
        args = [sys.executable, "-c", RSS_PROBE, *args[2:]]
        env = env | {"BENCH_RSS_FILE": str(rss_file)}
    try:
        done = subprocess.run(args, env=env, stdin=stdin, stdout=stdout if stdout is not None else subprocess.DEVNULL,
                              stderr=subprocess.PIPE, check=False)
        if done.returncode != 0:
            raise RuntimeError(f"{' '.join(args[:4])} ... exited {done.returncode}: "
                               f"{done.stderr.decode(errors='replace')[-800:]}")
        return float(rss_file.read_text() or 0) if rss_file is not None else 0.0
    finally:
        if rss_file is not None:
            rss_file.unlink(missing_ok=True)


def _byte_compile() -> None:
    """Byte-compile journey, as an installed package is: with PYTHONDONTWRITEBYTECODE set, a process that
    imports it would otherwise compile each of its modules again, every run."""
    import compileall

    compileall.compile_dir(str(ROOT / "journey"), quiet=1)


def _now_for(read: Any) -> Any:
    """NOW as a query parameter of ``read``'s database (SQLite compares the stored text)."""
    return NOW if read._pg else NOW.isoformat(sep=" ")


class Bench:
    """One database (SQLite file or PostgreSQL schema) filled at ``scale``, and its measurements."""

    def __init__(self, tmp: Path, scale: float, repeat: int, pg_url: str | None) -> None:
        from journey.adapters.clock import FixedClock
        from journey.bootstrap import App
        from journey.config import Settings

        self.tmp, self.scale, self.repeat = tmp, scale, repeat
        self.schema = f"bench_{uuid.uuid4().hex[:10]}" if pg_url else None
        if pg_url:
            self._admin(f'CREATE SCHEMA "{self.schema}"', pg_url)
            sep = "&" if "?" in pg_url else "?"
            self.url = f"{pg_url}{sep}options=-csearch_path%3D{self.schema}"
        else:
            self.url = f"sqlite:///{tmp / 'national.db'}"
        self.pg_url = pg_url
        self.settings = Settings(database_url=self.url, workflows_dir=ROOT / "workflows",
                                 templates_dir=ROOT / "templates", output_dir=tmp / "out")
        self.app = App(self.settings, clock=FixedClock(NOW))
        self.app.init_database()
        started = time.perf_counter()
        self.counts = generate(self.app, scale)
        self.generated_in = time.perf_counter() - started
        self.env = {**{k: v for k, v in os.environ.items() if not k.startswith("JOURNEY_")},
                    "JOURNEY_DATABASE_URL": self.url, "JOURNEY_HOME": str(tmp), "JOURNEY_USER": "admin",
                    "JOURNEY_WORKFLOWS_DIR": str(ROOT / "workflows"), "JOURNEY_TEMPLATES_DIR": str(ROOT / "templates"),
                    "JOURNEY_OUTPUT_DIR": str(tmp / "out"), "JOURNEY_NOW": NOW.isoformat(),
                    "XDG_CACHE_HOME": str(tmp / "cache")}

    @property
    def label(self) -> str:
        return "PostgreSQL" if self.pg_url else "SQLite"

    @staticmethod
    def _admin(sql: str, url: str) -> None:
        import psycopg

        with psycopg.connect(url.replace("postgresql+psycopg://", "postgresql://", 1), autocommit=True) as conn:
            conn.execute(sql)

    def close(self) -> None:
        self.app.close()
        if self.schema and self.pg_url:
            self._admin(f'DROP SCHEMA IF EXISTS "{self.schema}" CASCADE', self.pg_url)

    def journey(self, *args: str, stdout: Any = None, env: dict[str, str] | None = None) -> float:
        return run_process([sys.executable, "-m", "journey", *args], env or self.env, stdout=stdout)

    def sql(self, statement: str, params: dict[str, Any] | None = None) -> list[Any]:
        from sqlalchemy import text

        with self.app.engine.connect() as conn:
            return list(conn.execute(text(statement), params or {}))

    # hours summary ------------------------------------------------------------------------------

    def hours_summary(self) -> list[Result]:
        from journey.services.hours.summary import summary

        deps, table = self.app.deps, self.app.unit_costs()

        def command() -> None:
            summary(deps, "admin", table, YEAR, with_rows=False)

        first, last = (date(YEAR, 1, 1), date(YEAR, 12, 31))

        def baseline() -> None:  # what a hand-written report runs to print the same figures: the sums per
            # municipality and person (all, at meetings) with the names, kind and unit-cost basis to show and value them
            self.sql("SELECT t.municipality_id, m.name, m.code, m.county, t.person_id, p.name, p.kind, p.salary_group, "
                     "p.unit_cost_ore, t.q, t.mq FROM (SELECT municipality_id, person_id, SUM(quarters) AS q, "
                     "SUM(CASE WHEN meeting_id IS NULL THEN 0 ELSE quarters END) AS mq FROM time_entry "
                     "WHERE date >= :a AND date <= :b GROUP BY municipality_id, person_id) t "
                     "JOIN person p ON p.id = t.person_id JOIN municipality m ON m.id = t.municipality_id",
                     {"a": first, "b": last})

        mine, base = interleaved(command, baseline, self.repeat)
        rss = self.journey("hours", "summary", "--year", str(YEAR))
        empty = self.journey("hours", "summary", "--year", "2020")
        return [Result(f"{self.label}: hours summary --year {YEAR}", mine, base, "SQL GROUP BY with people (same driver)",
                       goal=2.0),
                Result(f"{self.label}: hours summary peak RSS", rss / MB, empty / MB,
                       "same command, a year without entries", goal=1.5, unit="MB")]

    # monitor and report -------------------------------------------------------------------------

    def _aggregates(self) -> Callable[[], None]:
        from journey.adapters.readmodel.core import SqlReadModel
        from journey.adapters.readmodel.monitor import LAST_SQL, MATRIX_SQL

        read = SqlReadModel(self.url)
        now = _now_for(read)

        def aggregates() -> None:
            read.query(MATRIX_SQL)
            read.query(LAST_SQL)
            read.query("SELECT case_id, COUNT(*), MIN(due_at) FROM reminder WHERE status = 'PLANNED' AND due_at < ? "
                       "GROUP BY case_id", (now,))
            read.query("SELECT case_id, MIN(due_at) FROM reminder WHERE status = 'PLANNED' GROUP BY case_id")
            # the year's hours and, shown beside them, those at joint meetings
            read.query("SELECT municipality_id, SUM(quarters), SUM(CASE WHEN meeting_id IS NULL THEN 0 ELSE quarters "
                       "END) FROM time_entry WHERE date >= ? AND date <= ? GROUP BY municipality_id",
                       (date(YEAR, 1, 1), date(YEAR, 12, 31)) if read._pg else (f"{YEAR}-01-01", f"{YEAR}-12-31"))
        self._reads.append(read)
        return aggregates

    def monitor(self) -> list[Result]:
        """``journey monitor`` in process and as a process; journey is byte-compiled first (see cold_start)."""
        from journey.adapters.readmodel.core import SqlReadModel
        from journey.adapters.readmodel.monitor import MonitorQueries
        from journey.services.monitoring.monitor import build

        _byte_compile()
        self._reads: list[Any] = []
        workflows = self.app.workflows
        read = SqlReadModel(self.url)
        self._reads.append(read)

        def command() -> None:
            build(MonitorQueries(read), lambda: workflows, "admin", NOW)

        mine, base = interleaved(command, self._aggregates(), self.repeat)
        click_env = dict(self.env)
        cli, bare = interleaved(lambda: self.journey("monitor"),
                                lambda: run_process([sys.executable, "-c", "import click"], click_env),
                                max(3, self.repeat))
        rss = self.journey("monitor")
        for r in self._reads:
            r.close()
        return [Result(f"{self.label}: monitor (in process)", mine, base, "its SQL aggregates", goal=2.0),
                Result(f"{self.label}: journey monitor end to end", cli, bare, 'python -c "import click"', goal=4.0),
                Result(f"{self.label}: journey monitor peak RSS", rss / MB, 200, "200 MB", goal=1.0, unit="MB")]

    def report(self) -> list[Result]:
        from journey.adapters.exports.report_templates import JinjaReportTemplates
        from journey.adapters.readmodel.core import SqlReadModel
        from journey.adapters.readmodel.monitor import MonitorQueries
        from journey.services.monitoring.report_html import write_report

        self._reads = []
        render = JinjaReportTemplates(ROOT / "templates")
        workflows = self.app.workflows
        read = SqlReadModel(self.url)
        self._reads.append(read)
        out = self.tmp / "report"

        def command() -> None:
            write_report(MonitorQueries(read), lambda: workflows, "admin", NOW, self.app.report_site(out), render)

        aggregates = self._aggregates()
        now = _now_for(read)

        def baseline() -> None:  # the aggregates, and the rows and counts the pages list, as plain queries
            aggregates()
            read.query("SELECT case_id, seq, kind, from_state, to_state, \"trigger\", actor, at, evidence, comment "
                       "FROM case_history ORDER BY case_id, seq")
            read.query("SELECT case_id, status, COUNT(*) FROM reminder GROUP BY case_id, status")
            read.query("SELECT case_id, rule_id, state_path, recipient_role, due_at, status, sent_at FROM reminder "
                       "WHERE status = 'PLANNED' AND due_at < ? ORDER BY case_id, due_at", (now,))
            read.query("SELECT case_id, state_path, doc_id, template, format, path, created_at FROM document "
                       "ORDER BY case_id, created_at")
            read.query("SELECT * FROM deal ORDER BY case_id, number")

        mine, base = interleaved(command, baseline, max(1, self.repeat // 2))
        for r in self._reads:
            r.close()
        return [Result(f"{self.label}: report html (in process)", mine, base, "its SQL: aggregates and listed rows",
                       goal=2.0)]

    # export and import --------------------------------------------------------------------------

    def _dump(self, target: Path) -> None:
        if self.pg_url:
            with target.open("wb") as out:
                run_process(["pg_dump", "--no-owner", "-n", str(self.schema),
                             self.pg_url.replace("postgresql+psycopg://", "postgresql://", 1)], self.env, stdout=out)
        else:
            with target.open("wb") as out:
                run_process(["sqlite3", str(self.tmp / "national.db"), ".dump"], self.env, stdout=out)

    def transfer(self) -> list[Result]:
        exported = self.tmp / "export.json.gz"
        dumped = self.tmp / "dump.sql"
        rss: list[float] = []

        def export() -> None:
            exported.unlink(missing_ok=True)
            rss.append(self.journey("export", str(exported)))

        mine, base = interleaved(export, lambda: self._dump(dumped), max(1, self.repeat // 2))
        results = [Result(f"{self.label}: export", mine, base, "pg_dump" if self.pg_url else "sqlite3 .dump",
                          goal=2.0),
                   Result(f"{self.label}: export peak RSS", max(rss) / MB, 200, "200 MB", goal=1.0, unit="MB")]
        target_rss: list[float] = []
        counter = [0]

        def target() -> tuple[str, Callable[[], None]]:
            counter[0] += 1
            if self.pg_url:
                schema = f"{self.schema}_in{counter[0]}"
                self._admin(f'CREATE SCHEMA "{schema}"', self.pg_url)
                sep = "&" if "?" in self.pg_url else "?"
                url = f"{self.pg_url}{sep}options=-csearch_path%3D{schema}"
                return url, lambda: self._admin(f'DROP SCHEMA "{schema}" CASCADE', self.pg_url or "")
            path = self.tmp / f"import{counter[0]}.db"
            return f"sqlite:///{path}", lambda: path.unlink(missing_ok=True)

        def import_() -> None:
            url, drop = target()
            try:
                target_rss.append(self.journey("import", str(exported), env=self.env | {"JOURNEY_DATABASE_URL": url}))
            finally:
                drop()

        def restore() -> None:
            if self.pg_url:
                return  # a pg_dump restore needs the original schema name; measured on SQLite only
            path = self.tmp / "restore.db"
            path.unlink(missing_ok=True)
            with dumped.open("rb") as source:
                run_process(["sqlite3", str(path)], self.env, stdin=source)
            path.unlink()

        if self.pg_url:
            loaded, _ = interleaved(import_, lambda: None, max(1, self.repeat // 2))
            results.append(Result(f"{self.label}: import", loaded, mine, "this run's export", goal=None))
        else:
            loaded, base = interleaved(import_, restore, max(1, self.repeat // 2))
            results.append(Result(f"{self.label}: import", loaded, base, "sqlite3 < dump", goal=2.0))
        results.append(Result(f"{self.label}: import peak RSS", max(target_rss) / MB, 200, "200 MB", goal=1.0,
                              unit="MB"))
        return results

    # cold start ---------------------------------------------------------------------------------

    def cold_start(self) -> list[Result]:
        """`journey hours log` and `journey advance` as processes vs ``python -c "import click"``.

        journey is byte-compiled first, as an installed package is: with PYTHONDONTWRITEBYTECODE set
        every run would otherwise compile each of its modules again. The advance takes the case of
        the first municipality in ``local_team`` one step (form_local_team, no documents); the case
        is put back before each run, outside the measured time.
        """
        _byte_compile()
        counter = [0]

        def log() -> None:
            counter[0] += 1
            self.journey("hours", "log", "Stockholm", "--person", "Person 16", "--date", "2022-11-14", "--hours",
                         "0.25", "--activity", "policy", "--description", f"Kallstart {counter[0]}")

        def click() -> None:
            run_process([sys.executable, "-c", "import click"], self.env)

        mine, bare = interleaved(log, click, max(3, self.repeat))
        results = [Result(f"{self.label}: journey hours log cold start", mine, bare, 'python -c "import click"',
                          goal=8.0)]
        case_id, name = self._local_team_case()
        advanced: list[float] = []
        clicked: list[float] = []
        for _ in range(max(3, self.repeat)):
            self._reset_case(case_id)
            started = time.perf_counter()
            self.journey("advance", name, "form_local_team", *_ADVANCE_EVIDENCE)
            advanced.append(time.perf_counter() - started)
            started = time.perf_counter()
            click()
            clicked.append(time.perf_counter() - started)
        results.append(Result(f"{self.label}: journey advance cold start", statistics.median(advanced),
                              statistics.median(clicked), 'python -c "import click"', goal=8.0))
        return results

    def _local_team_case(self, skip: int = 0) -> tuple[int, str]:
        """A case in ``local_team`` (the ``skip``-th) and its municipality's name."""
        row = self.sql("SELECT c.id, m.name FROM journey_case c JOIN municipality m ON m.id = c.municipality_id "
                       "WHERE c.state = 'local_team' ORDER BY c.id LIMIT 1 OFFSET :skip", {"skip": skip})[0]
        return int(row[0]), str(row[1])

    def _reset_case(self, case_id: int) -> None:
        from sqlalchemy import text

        with self.app.engine.begin() as conn:
            conn.execute(text("UPDATE journey_case SET state = 'local_team', stage = 'local_team', status = 'ACTIVE' "
                              "WHERE id = :id"), {"id": case_id})

    def advance_in_process(self) -> list[Result]:
        """An audited advance in process (advance_case, as `journey advance` calls it) vs the bare
        UPDATE ... WHERE version + INSERT of a history row, in one transaction on the same driver
        (sqlite3 or psycopg) and database, on another case. Both as operations per second (higher is
        better); each advance is timed alone, the case put back in between."""
        from journey.services.cases.lifecycle import advance_case

        case_id, name = self._local_team_case()
        other, _ = self._local_team_case(skip=1)
        evidence = dict(pair.split("=", 1) for pair in _ADVANCE_EVIDENCE[1::2])
        deps = self.app.deps
        bare_step, conn = self._bare_advance(other)
        count = 40 if self.repeat > 3 else 15
        mine: list[float] = []
        bare: list[float] = []
        try:
            self._reset_case(case_id)
            advance_case(deps, "admin", name, "form_local_team", evidence)  # warm-up: catalog, machine, statements
            for _ in range(count):
                self._reset_case(case_id)
                started = time.perf_counter()
                advance_case(deps, "admin", name, "form_local_team", evidence)
                mine.append(time.perf_counter() - started)
                started = time.perf_counter()
                bare_step()
                bare.append(time.perf_counter() - started)
        finally:
            conn.close()
        return [Result(f"{self.label}: audited advance in process", 1 / statistics.median(mine),
                       1 / statistics.median(bare), "bare UPDATE+INSERT transaction, same driver", goal=0.1,
                       unit="ops/s", higher_is_better=True)]

    def _bare_advance(self, case_id: int) -> tuple[Callable[[], None], Any]:
        """One transaction: the case's UPDATE with its version check and one history INSERT, nothing else."""
        update = ("UPDATE journey_case SET state = 'needs_inventory', stage = 'needs_inventory', updated_at = {p}, "
                  "version = version + 1 WHERE id = {p} AND version = {p}")
        insert = ("INSERT INTO case_history (case_id, seq, kind, from_state, to_state, trigger, actor, at, evidence, "
                  "comment) VALUES ({p}, {p}, 'ADVANCED', 'local_team', 'needs_inventory', 'form_local_team', "
                  "'admin', {p}, '{{}}', '')")
        seq, version = (int(v or 0) for v in self.sql(
            "SELECT (SELECT MAX(seq) FROM case_history WHERE case_id = :id), version FROM journey_case "
            "WHERE id = :id", {"id": case_id})[0])
        state = {"seq": seq, "version": version}
        if self.pg_url:
            import psycopg

            conn: Any = psycopg.connect(self.url.replace("postgresql+psycopg://", "postgresql://", 1))
            at: Any = NOW

            def begin() -> None:
                pass
            p = "%s"
        else:
            import sqlite3

            conn = sqlite3.connect(str(self.tmp / "national.db"), isolation_level=None)
            at = NOW.isoformat(sep=" ")

            def begin() -> None:
                conn.execute("BEGIN IMMEDIATE")
            p = "?"

        def step() -> None:
            state["seq"] += 1
            begin()
            cursor = conn.cursor()
            cursor.execute(update.format(p=p), (at, case_id, state["version"]))
            cursor.execute(insert.format(p=p), (case_id, state["seq"], at))
            conn.commit() if self.pg_url else conn.execute("COMMIT")
            state["version"] += 1

        return step, conn


_ADVANCE_EVIDENCE = ("-e", "coordinator=Anna Berg", "-e", "members=Anna, Bo, Cecilia", "-e",
                     "time_reporting_from=2022-01-10")


# The sweep: O(due), not O(users) ----------------------------------------------------------------

def _sweep_app(directory: Path, due: int, users: int) -> Any:
    """290 municipalities, ``due`` due coordinator reminders, ``users`` coordinators spread over them."""
    from bench_reminders import MemoryMailer
    from sqlalchemy import MetaData, insert

    from journey.adapters.clock import FixedClock
    from journey.bootstrap import App
    from journey.config import Settings

    settings = Settings(database_url=f"sqlite:///{directory / 'sweep.db'}", workflows_dir=ROOT / "workflows",
                        templates_dir=ROOT / "templates", output_dir=directory / "out")
    app = App(settings, clock=FixedClock(NOW), overrides={"mailer": MemoryMailer()})
    app.init_database()
    rows = dict(_rows(0.0))
    rows["app_user"] = rows["app_user"][:2] + [
        {"id": 3 + i, "username": f"samordnare{i}", "display_name": "", "email": f"samordnare{i}@kommun.se",
         "role": "COORDINATOR", "municipality_id": 1 + i % 290, "created_at": NOW} for i in range(users)]
    rows["reminder"] = [r | {"state_path": "political_intent", "due_at": NOW - timedelta(minutes=1 + k),
                             "send_after": NOW - timedelta(minutes=1 + k), "template": "stalled"}
                        for k, r in enumerate(rows["reminder"][:due])]
    for r in rows["journey_case"]:
        r.update(state="political_intent", stage="political_intent", status="ACTIVE")
    meta = MetaData()
    meta.reflect(app.engine)
    with app.engine.begin() as conn:
        for table in ("municipality", "journey_case", "app_user", "reminder"):
            conn.execute(insert(meta.tables[table]), rows[table])
    return app


def sweep(tmp: Path, repeat: int, scale: float) -> list[Result]:
    from sqlalchemy import text

    from journey.bootstrap.reminders import make_renderer
    from journey.services.reminders.sweep import SweepOptions, send_due_reminders

    due = max(5, min(100, int(100 * scale)))
    few, many = due, 30 * due  # 100 and 3 000 at national scale
    apps = {}
    for users in (few, many):
        (tmp / f"sweep{users}").mkdir()
        apps[users] = _sweep_app(tmp / f"sweep{users}", due, users)
    options = SweepOptions("bench:1", ZoneInfo("Europe/Stockholm"), batch=20)

    def once(app: Any) -> Callable[[], None]:
        def go() -> None:
            with app.engine.begin() as conn:
                conn.execute(text("UPDATE reminder SET status = 'PLANNED', send_after = due_at, sent_at = NULL, "
                                  "claimed_by = '', attempts = 0"))
            mailer = app.overrides["mailer"]
            mailer.sent.clear()
            result = send_due_reminders(app.deps, mailer, make_renderer(app), options)
            assert result.sent == due, result
        return go

    try:
        slow, fast = interleaved(once(apps[many]), once(apps[few]), repeat)
    finally:
        for app in apps.values():
            app.close()
    return [Result(f"sweep {due} due, {many:,} users", slow, fast, f"{due} due, {few:,} users", goal=1.5)]


# The document outbox: how long an advance holds the write lock --------------------------------------------------

class LockClock:
    """Times the transactions of the units of work while it is the active clock, from BEGIN (IMMEDIATE on
    SQLite: the write lock) to COMMIT or ROLLBACK (the methods of journey's ``Db`` are wrapped once)."""

    active: LockClock | None = None

    def __init__(self) -> None:
        self.started: float | None = None
        self.held: list[float] = []
        self._install()

    @staticmethod
    def _install() -> None:
        from journey.adapters.dbapi.connection import Db

        if getattr(Db, "_timed", False):
            return
        begin, commit, rollback = Db.begin, Db.commit, Db.rollback

        def timed_begin(db: Any) -> None:
            if not db.open and LockClock.active is not None:
                LockClock.active.started = time.perf_counter()
            begin(db)

        def ended(end: Callable[[Any], None]) -> Callable[[Any], None]:
            def timed_end(db: Any) -> None:
                was_open = db.open
                end(db)
                clock = LockClock.active
                if was_open and clock is not None and clock.started is not None:
                    clock.held.append(time.perf_counter() - clock.started)
                    clock.started = None
            return timed_end

        Db.begin, Db.commit, Db.rollback = timed_begin, ended(commit), ended(rollback)  # type: ignore[method-assign]
        Db._timed = True  # type: ignore[attr-defined]


def document_lock(tmp: Path, repeat: int) -> list[Result]:
    """An advance that enters a state with documents (confirm_interest: the avsiktsförklaring, docx and html)
    against the same advance with no document handler: the longest transaction of each (issue #14 §3)."""
    from journey.adapters.clock import FixedClock
    from journey.bootstrap import App
    from journey.config import Settings
    from journey.services.cases.lifecycle import advance_case, open_case
    from journey.services.registry import seed_all

    settings = Settings(database_url=f"sqlite:///{tmp / 'lock.db'}", workflows_dir=ROOT / "workflows",
                        templates_dir=ROOT / "templates", output_dir=tmp / "out")
    app = App(settings, clock=FixedClock(NOW))
    app.init_database()
    bare = App(settings, clock=FixedClock(NOW))
    deps, plain = app.deps, bare.deps
    for handlers in plain.handlers.values():  # the baseline: the same advance without documents
        handlers[:] = [h for h in handlers if "documents" not in h.__module__]
    seed_all(deps, None)
    with deps.uow() as uow:
        names = [m.name for m in uow.municipalities.list()]
    rounds = max(3, repeat) * 4
    for name in names[:2 * rounds]:
        open_case(deps, None, name)
    clocks = {id(deps): LockClock(), id(plain): LockClock()}
    evidence = {"registered_date": "2021-01-12", "contact": "Anna Berg"}
    queue = iter(names[:2 * rounds])
    held: dict[int, list[float]] = {id(deps): [], id(plain): []}

    def step(d: Any) -> Callable[[], None]:
        def go() -> None:
            clock = LockClock.active = clocks[id(d)]
            clock.held.clear()
            try:
                result = advance_case(d, None, next(queue), "confirm_interest", evidence)
            finally:
                LockClock.active = None
            assert (d is plain) or result.documents, result
            held[id(d)].append(max(clock.held))
        return go

    try:
        interleaved(step(deps), step(plain), rounds)
    finally:
        app.close()
        bare.close()
    with_docs, without = statistics.median(held[id(deps)]), statistics.median(held[id(plain)])
    return [Result("advance with documents: longest write transaction", with_docs, without,
                   "the advance without documents", goal=2.0)]


def run(quick: bool, scale: float = 1.0) -> list[Result]:
    repeat = 3 if quick else 5
    results: list[Result] = []
    pg = os.environ.get("JOURNEY_TEST_DATABASE_URL")
    if pg and pg.startswith("postgresql://"):
        pg = pg.replace("postgresql://", "postgresql+psycopg://", 1)
    for pg_url in (None, pg) if pg else (None,):
        with tempfile.TemporaryDirectory() as tmp:
            bench = Bench(Path(tmp), scale, repeat, pg_url)
            try:
                total = sum(bench.counts.values())
                print(f"  {bench.label}: generated {total:,} rows in {bench.generated_in:.1f} s "
                      f"({', '.join(f'{k} {v:,}' for k, v in bench.counts.items())})", flush=True)
                for part in (bench.hours_summary, bench.monitor, bench.report, bench.transfer, bench.cold_start,
                             bench.advance_in_process):
                    for r in part():
                        print(f"    {r.name}: {r.value:.4g} {r.unit} / {r.baseline:.4g} {r.unit} "
                              f"-> {r.ratio:.2f}x", flush=True)
                        results.append(r)
            finally:
                bench.close()
    with tempfile.TemporaryDirectory() as tmp:
        results += sweep(Path(tmp), repeat, scale)
    with tempfile.TemporaryDirectory() as tmp:
        results += document_lock(Path(tmp), repeat)
    return results

