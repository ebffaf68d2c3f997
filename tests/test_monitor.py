"""SKR's monitoring matrix over the 12 network municipalities at varied stages (SQLite and PostgreSQL)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from journey.adapters.readmodel.monitor import MonitorQueries
from journey.bootstrap import App
from journey.domain.errors import InputError
from journey.services.demo import PLAN
from journey.services.monitoring.monitor import MonitorFilter, build, to_json
from tests._demo_export import demo_copy
from tests.conftest import BACKENDS, NOW, Cli

STAGE_ORDER = ["interest", "letter_of_intent", "local_team", "needs_inventory", "anchoring", "political_intent",
               "policy", "action_plan", "collaboration", "business", "follow_up"]


@pytest.fixture(scope="module", params=BACKENDS)
def demo_app(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[App]:
    """The 12 network municipalities walked to varied stages, with users; shared by the module (read-only)."""
    yield from demo_copy(request.param, request, tmp_path_factory)


def _build(app: App, username: str | None = "skr", now: datetime = NOW, **filters: Any) -> dict[str, Any]:
    return build(MonitorQueries(app.read_model()), lambda: app.workflows, username, now, MonitorFilter(**filters))


def test_matrix_shows_each_municipality_in_its_stage(demo_app: App) -> None:
    data = _build(demo_app)
    rows = {r["municipality"]: r for r in data["rows"]}
    expected, late = _planned(demo_app), _late(demo_app)
    assert len(rows) == 12 and [s["id"] for s in data["stages"]] == STAGE_ORDER
    steps = {name: done for name, done, _, _ in PLAN}
    assert rows["Laxå"]["stage"] == "needs_inventory" and steps["Laxå"] == 3
    assert rows["Hudiksvall"]["stage"] == "follow_up" and rows["Hudiksvall"]["status"] == "COMPLETED"
    for name, row in rows.items():
        position = STAGE_ORDER.index(row["stage"])
        cells = [row["cells"][s] for s in STAGE_ORDER]
        assert cells[:position] == ["done"] * position, name
        assert cells[position] == ("done" if row["status"] == "COMPLETED" else "current"), name
        assert set(cells[position + 1:]) <= {""}, name
        entered = row["stage_entered_at"]
        assert row["days_in_stage"] == (NOW - entered).days >= 0
        assert row["last_change"]["actor"] == "demo"
        _, next_due = expected[name]
        assert (row["overdue"], row["next_due"], row["esf_hours"]) == (len(late[name]), next_due, 0), name
        assert len(row["overdue_reasons"]) == row["overdue"], name
    later = NOW + timedelta(days=150)  # some cases have stayed longer than their stage's expected duration by then
    late = _late(demo_app, later)
    assert any(late.values()) and not all(late.values())
    for row in _build(demo_app, now=later)["rows"]:
        assert row["overdue"] == len(late[row["municipality"]]), row["municipality"]
    assert rows["Malmö"]["state_title"].startswith("Samverkansstruktur (Intern samverkan:")
    funnel = {f["id"]: f for f in data["funnel"]}
    assert sum(f["current"] for f in data["funnel"]) == 12
    assert funnel["interest"]["reached"] == 12 and funnel["follow_up"]["reached"] == 1
    assert funnel["collaboration"]["current"] == 3  # Malmö, Mölndal, Uddevalla
    counties = {c["county"]: c for c in data["counties"]}
    assert counties["Gävleborgs län"]["municipalities"] == 2  # Hudiksvall (10) and Söderhamn (9)
    assert counties["Gävleborgs län"]["mean_stage"] == 9.5 and sum(c["municipalities"] for c in counties.values()) == 12


def _planned(app: App) -> dict[str, tuple[int, datetime | None]]:
    """Independently of the monitor: (overdue count, earliest due) of PLANNED reminders per municipality."""
    from sqlalchemy import text

    result: dict[str, tuple[int, datetime | None]] = {}
    with app.engine.connect() as conn:
        names = dict(conn.execute(text("SELECT c.id, m.name FROM journey_case c JOIN municipality m "
                                       "ON m.id = c.municipality_id")).all())
        due: dict[str, list[datetime]] = {name: [] for name in names.values()}
        for case_id, at in conn.execute(text("SELECT case_id, due_at FROM reminder WHERE status = 'PLANNED' "
                                             "AND due_at IS NOT NULL")):
            at = datetime.fromisoformat(at) if isinstance(at, str) else at
            due[names[case_id]].append(at.replace(tzinfo=UTC) if at.tzinfo is None else at.astimezone(UTC))
    for name, dates in due.items():
        result[name] = (sum(d < NOW for d in dates), min(dates) if dates else None)
    return result


def _late(app: App, now: datetime = NOW) -> dict[str, list[str]]:
    """Independently of the monitor: why each active case is late (missed meetings in its stage, too long in it)."""
    from sqlalchemy import text

    def utc(at: Any) -> datetime:
        at = datetime.fromisoformat(at) if isinstance(at, str) else at
        return at.replace(tzinfo=UTC) if at.tzinfo is None else at.astimezone(UTC)

    late: dict[str, list[str]] = {}
    with app.engine.connect() as conn:
        cases = conn.execute(text("SELECT c.id, m.name, c.status, c.stage, c.stage_entered_at, c.workflow, "
                                  "c.workflow_version FROM journey_case c JOIN municipality m "
                                  "ON m.id = c.municipality_id")).all()
        missed = conn.execute(text("SELECT case_id, at FROM case_history WHERE kind = 'MISSED'")).all()
    for case_id, name, status, stage, entered, workflow, version in cases:
        late[name] = []
        if status != "ACTIVE":
            continue
        late[name] += [f"missed {at}" for cid, at in missed if cid == case_id and utc(at) >= utc(entered)]
        expected = app.workflows.get(workflow, version).state(stage).expected_days
        if expected is not None and (now - utc(entered)).days > expected:
            late[name].append(f"{(now - utc(entered)).days} days in {stage}")
    return late


def test_filters_narrow_the_rows(demo_app: App) -> None:
    assert {r["municipality"] for r in _build(demo_app, county="skåne")["rows"]} == {"Helsingborg", "Malmö"}
    assert {r["municipality"] for r in _build(demo_app, stage="8")["rows"]} == {"Malmö", "Mölndal", "Uddevalla"}
    assert {r["municipality"] for r in _build(demo_app, stage="policy")["rows"]} == {"Tierp"}
    assert [r["municipality"] for r in _build(demo_app, status="completed")["rows"]] == ["Hudiksvall"]
    slow = _build(demo_app, min_days=60)["rows"]
    assert slow and all(r["days_in_stage"] >= 60 for r in slow) and len(slow) < 12
    later = NOW + timedelta(days=150)
    late = {name for name, reasons in _late(demo_app, later).items() if reasons}
    assert late and {r["municipality"] for r in _build(demo_app, now=later, overdue=True)["rows"]} == late
    with pytest.raises(InputError, match="unknown stage"):
        _build(demo_app, stage="nirvana")


def test_monitor_builds_no_state_machine_and_uses_few_queries(demo_app: App, monkeypatch: pytest.MonkeyPatch) -> None:
    import journey.definitions.machine as machine

    def forbidden(*_: Any, **__: Any) -> None:
        raise AssertionError("the monitor must not build a state machine")

    monkeypatch.setattr(machine, "build_machine", forbidden)
    queries = MonitorQueries(demo_app.read_model())
    build(queries, lambda: demo_app.workflows, "skr", NOW)
    # users, matrix, last changes, table names, reminders, missed meetings and their decisions, ESF hours and
    # settings, deals
    assert queries.query_count <= 10


def test_missing_optional_tables_read_as_empty(demo_app: App) -> None:
    queries = MonitorQueries(demo_app.read_model())
    assert queries.has_table("journey_case") and not queries.has_table("no_such_table")
    assert queries._grouped("no_such_table", ("case_id",), "", "case_id") == {}


class FakeSource:
    """Three cases, reminders due before and after 'now'; A missed a meeting, B stayed too long in anchoring."""

    def __init__(self) -> None:
        at = NOW - timedelta(days=40)
        self.rows = [
            {"municipality_id": i, "municipality": name, "code": f"000{i}", "slug": name.lower(), "county": "X län",
             "m_workflow": "handbook", "id": i * 10, "workflow": "handbook", "workflow_version": 1, "state": state,
             "stage": state.split(".")[0], "status": "ACTIVE", "opened_at": at, "stage_entered_at": at,
             "updated_at": at}
            for i, name, state in ((1, "A", "policy"), (2, "B", "anchoring"), (3, "C", "interest"))]
        self.rows[1]["stage_entered_at"] = NOW - timedelta(days=400)

    def user(self, username: str) -> None:
        return None

    def user_count(self) -> int:
        return 0

    def matrix(self) -> list[dict[str, Any]]:
        return self.rows

    def last_changes(self) -> dict[int, dict[str, Any]]:
        return {}

    def next_due(self) -> dict[int, datetime]:  # A's earliest is overdue (3 days ago), B's ahead
        return {10: NOW - timedelta(days=3), 20: NOW + timedelta(days=9)}

    def missed_meetings(self) -> dict[int, list[dict[str, Any]]]:
        at = NOW - timedelta(days=10)
        return {10: [{"at": at, "board": "KS", "meeting_date": at.date(), "outcome": "inget beslut"},
                     {"at": NOW - timedelta(days=50), "board": "KS", "meeting_date": NOW.date(), "outcome": "x"}]}

    def esf_hours(self, year: int) -> dict[int, tuple[int, int]]:
        return {3: (480, 80)} if year == NOW.year else {}  # quarter hours: 120 h, of which 20 h at meetings

    def esf_settings(self) -> dict[str, str]:
        return {}

    def deal_totals(self) -> list[dict[str, Any]]:
        return []


def test_overdue_means_late_and_reminders_only_give_next_due(demo_app: App) -> None:
    app = demo_app
    data = build(FakeSource(), lambda: app.workflows, None, NOW)
    rows = {r["municipality"]: r for r in data["rows"]}
    # A: one miss since it entered the stage (the one before its entry does not count)
    assert rows["A"]["overdue"] == 1 and rows["A"]["oldest_overdue"] == NOW - timedelta(days=10)
    assert rows["A"]["overdue_reasons"] == [f"KS-sammanträdet {(NOW - timedelta(days=10)).date()} passerade utan "
                                            "beslut (inget beslut)"]
    assert rows["A"]["next_due"] == NOW - timedelta(days=3)  # reminders give the next date, never overdue
    expected = app.workflows.get("handbook", 1).state("anchoring").expected_days
    assert expected is not None and expected < 400
    assert rows["B"]["overdue"] == 1 and rows["B"]["oldest_overdue"] == NOW - timedelta(days=400)
    assert rows["B"]["overdue_reasons"] == [f"400 dagar i steget, förväntat högst {expected}"]
    assert rows["B"]["next_due"] == NOW + timedelta(days=9)
    assert rows["C"]["overdue"] == 0 and rows["C"]["overdue_reasons"] == []  # 40 days, reminders or not
    assert rows["C"]["next_due"] is None and rows["C"]["esf_hours"] == 120
    assert rows["C"]["esf"]["meeting_hours"] == 20 and rows["A"]["esf"]["hours"] == 0
    assert data["totals"]["overdue"] == 2
    only = build(FakeSource(), lambda: app.workflows, None, NOW, MonitorFilter(overdue=True))["rows"]
    assert [r["municipality"] for r in only] == ["A", "B"]
    assert json.dumps(to_json(data))  # every value serialisable


@pytest.fixture
def demo_cli(demo_app: App, tmp_path: Path) -> Cli:
    return Cli(demo_app.settings.database_url, tmp_path)


def test_cli_monitor_json_respects_roles(demo_cli: Cli) -> None:
    everything = json.loads(demo_cli.ok("monitor --json --as skr").output)
    assert len(everything["rows"]) == 12 and "municipality_id" not in everything["rows"][0]
    own = json.loads(demo_cli.ok("monitor --json --as anna").output)
    assert [r["municipality"] for r in own["rows"]] == ["Umeå"]
    text = demo_cli.ok("monitor --county Gävleborg --as admin").output
    assert "Hudiksvall" in text and "Söderhamn" in text and "Malmö" not in text
    assert demo_cli("monitor --as stranger").exit_code == 6


def test_cli_monitor_exports_csv_and_xlsx(demo_cli: Cli, tmp_path: Path) -> None:
    from openpyxl import load_workbook

    csv_path, xlsx_path = tmp_path / "status.csv", tmp_path / "status.xlsx"
    result = demo_cli.ok(f"monitor --csv {csv_path} --xlsx {xlsx_path} --json --as skr")
    assert len(json.loads(result.stdout)["rows"]) == 12  # stdout stays clean data; messages go to stderr
    assert f"Wrote {csv_path}" in result.stderr
    lines = csv_path.read_text(encoding="utf-8-sig").splitlines()
    assert lines[0].startswith("Kommun;Kommunkod;Län;Etapp nr") and len(lines) == 13
    assert any(line.startswith("Hudiksvall;2184;Gävleborgs län;10;Uppföljning och rapportering;") for line in lines)
    assert not any("follow_up" in line or "ACTIVE" in line or "COMPLETED" in line for line in lines)
    workbook = load_workbook(xlsx_path)
    assert workbook.sheetnames == ["Status", "Tratt", "Per län", "Affärer per form"]
    sheet = workbook["Status"]
    header = [c.value for c in sheet[1]]
    rows = {r[0]: dict(zip(header, r, strict=True)) for r in sheet.iter_rows(min_row=2, values_only=True)}
    assert len(rows) == 12
    assert rows["Laxå"]["Etapp"] == "Behovsinventering och nulägesanalys" and rows["Laxå"]["Status"] == "pågår"
    assert rows["Hudiksvall"]["Status"] == "avslutad"
    assert rows["Hudiksvall"]["Senaste steg"] == "Uppföljning rapporterad till nämnd"
    assert isinstance(rows["Laxå"]["Dagar i etapp"], int) and isinstance(rows["Laxå"]["I etapp sedan"], datetime)
    funnel = [r for r in workbook["Tratt"].iter_rows(min_row=2, values_only=True)]
    assert [c.value for c in workbook["Tratt"][1]] == ["Etapp nr", "Etapp", "Just nu", "Har nått"]
    assert funnel[0][1] == "Intresseanmälan" and sum(r[2] for r in funnel) == 12 and funnel[0][3] == 12


def test_stage_entered_is_utc(demo_app: App) -> None:
    row = _build(demo_app)["rows"][0]
    assert row["stage_entered_at"].tzinfo is not None and row["stage_entered_at"].utcoffset() == UTC.utcoffset(None)
