"""Migrating the 12 network municipalities from handbook@1 to a v2 with a renamed and a removed state.

The demo puts the cases on version 1 (the shipped workflows); then the workflows directory
gains tests/data/workflows/versions/handbook-v2.yaml, as when a new version is published.
"""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from journey.adapters.clock import FixedClock
from journey.bootstrap import App
from journey.domain.errors import RefusedError
from journey.domain.events import CaseMigrated, Event, StateEntered, StateExited
from journey.services.case_migrations import apply_migration, plan_migration, rollback_run
from journey.services.cases.lifecycle import advance_case
from journey.services.transfer import import_data
from tests._demo_export import DemoSource, build_demo_source
from tests.conftest import Cli, workflows_v1

V2 = Path(__file__).parent / "data" / "workflows" / "versions" / "handbook-v2.yaml"
MOVES = {"Härjedalen": ("anchoring", "political_intent"), "Laxå": ("needs_inventory", "needs_analysis"),
         "Uddevalla": ("collaboration.internal.established,collaboration.external.forming",
                       "collaboration.internal.established,collaboration.external.dialogue")}
INTEGRATED = {"Mölndal", "Umeå"}  # handbook-integrated has no version 2: left on version 1


@pytest.fixture
def demo_source(tmp_path_factory: pytest.TempPathFactory) -> DemoSource:
    return build_demo_source(tmp_path_factory, version_1=True)


@pytest.fixture(autouse=True)
def _no_spec_cache(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("JOURNEY_NO_CACHE", "1")


def published_v2(tmp_path: Path, text: str | None = None) -> Path:
    target = workflows_v1(tmp_path / "workflows-v2")
    (target / "handbook-v2.yaml").write_text(text or V2.read_text(encoding="utf-8"), encoding="utf-8")
    return target


@pytest.fixture
def v2app(app: App, tmp_path: Path, clock: FixedClock, demo_source: DemoSource) -> Any:
    """The demo on version 1, then an app that also knows version 2 (same database)."""
    import_data(app.deps, "demo", demo_source.export)
    application = App(replace(app.settings, workflows_dir=published_v2(tmp_path)), clock=clock)
    yield application
    application.close()


def states(app: App) -> dict[str, tuple[int, str, str]]:
    return {r["municipality"]: (r["workflow_version"], r["state"], r["status"]) for r in app.read_model().cases()}


def collect_events(app: App) -> list[Event]:
    seen: list[Event] = []
    for kind in (StateEntered, StateExited, CaseMigrated):
        app.deps.on(kind, lambda event, uow: seen.append(event))
    return seen


def test_dry_run_apply_idempotent_rerun_and_rollback_of_the_network(v2app: App) -> None:
    before = states(v2app)
    plan = plan_migration(v2app.deps, "demo", 2)
    assert states(v2app) == before  # planning changes nothing
    assert {p.municipality: (p.from_state, p.to_state) for p in plan.cases if p.outcome.value == "move"} == MOVES
    assert plan.count(plan.cases[0].outcome.__class__("relabel")) == 7 and plan.skipped == {"handbook-integrated": 2}

    events = collect_events(v2app)
    result = apply_migration(v2app.deps, "demo", plan)
    assert result.run_id == 1 and len(result.migrated) == 10 and result.refused == []
    after = states(v2app)
    for name, (version, state, status) in after.items():
        expected = MOVES.get(name, (before[name][1], before[name][1]))[1]
        assert (version, state, status) == ((1, before[name][1], before[name][2]) if name in INTEGRATED
                                            else (2, expected, before[name][2])), name
    # reminders and documents follow: exited/entered only for changed paths, then CaseMigrated for all ten
    assert sorted(e.path for e in events if isinstance(e, StateExited)) == [
        "anchoring", "collaboration.external.forming", "needs_inventory"]
    assert sorted(e.path for e in events if isinstance(e, StateEntered)) == [
        "collaboration.external.dialogue", "needs_analysis", "political_intent"]
    assert len([e for e in events if isinstance(e, CaseMigrated)]) == 10

    laxa = next(c for c in v2app.read_model().cases() if c["municipality"] == "Laxå")
    last = v2app.read_model().history(laxa["id"])[-1]
    assert (last["kind"], last["from_state"], last["to_state"], last["trigger"]) == (
        "MIGRATED", "needs_inventory", "needs_analysis", None)
    assert last["evidence"] == {"migration": {"run": 1, "workflow": "handbook", "from_version": 1, "to_version": 2}}

    again = apply_migration(v2app.deps, "demo", plan_migration(v2app.deps, "demo", 2))
    assert again.run_id is None and again.migrated == []  # idempotent: nothing new

    undone = rollback_run(v2app.deps, "demo")
    assert undone.complete and len(undone.restored) == 10 and undone.refused == []
    assert states(v2app) == before
    history = v2app.read_model().history(laxa["id"])
    assert [h["kind"] for h in history[-2:]] == ["MIGRATED", "MIGRATED"]
    assert history[-1]["evidence"]["migration"]["rollback"] is True
    with pytest.raises(RefusedError, match="already rolled back"):
        rollback_run(v2app.deps, "demo")


def test_stage_clock_is_kept_across_a_migration_and_restored_by_rollback(v2app: App) -> None:
    before = {r["municipality"]: r["stage_entered_at"] for r in v2app.read_model().cases()}
    apply_migration(v2app.deps, "demo", plan_migration(v2app.deps, "demo", 2))
    assert {r["municipality"]: r["stage_entered_at"] for r in v2app.read_model().cases()} == before
    rollback_run(v2app.deps, "demo")
    assert {r["municipality"]: r["stage_entered_at"] for r in v2app.read_model().cases()} == before


def test_case_advanced_between_plan_and_apply_is_refused_not_clobbered(v2app: App) -> None:
    plan = plan_migration(v2app.deps, "demo", 2)
    advance_case(v2app.deps, "demo", "Laxå", "approve_inventory",
                 {"approved_by": "Ledningsgruppen", "approved_date": "2022-02-01", "enterprises_identified": "3"})
    result = apply_migration(v2app.deps, "demo", plan)
    assert len(result.migrated) == 9
    assert [(m, r.split(" (")[0]) for m, r in result.refused] == [("Laxå", "changed since the plan")]
    laxa = states(v2app)["Laxå"]
    assert laxa == (1, "anchoring", "ACTIVE")  # the coordinator's step stands
    # planning again picks it up, from where it is now
    rerun = apply_migration(v2app.deps, "demo", plan_migration(v2app.deps, "demo", 2, municipalities=("Laxå",)))
    assert [p.to_state for p in rerun.migrated] == ["political_intent"]


def test_rollback_leaves_a_case_that_moved_on_after_the_migration(v2app: App) -> None:
    apply_migration(v2app.deps, "demo", plan_migration(v2app.deps, "demo", 2))
    advance_case(v2app.deps, "demo", "Laxå", "approve_analysis",
                 {"approved_by": "Ledningsgruppen", "approved_date": "2022-02-01", "enterprises_identified": "3"})
    result = rollback_run(v2app.deps, "demo", 1)
    assert not result.complete and len(result.restored) == 9 and [m for m, _ in result.refused] == ["Laxå"]
    assert states(v2app)["Laxå"] == (2, "political_intent", "ACTIVE")
    assert states(v2app)["Tierp"] == (1, "policy", "ACTIVE")


def test_blocked_cases_are_listed_and_left_on_their_version(app: App, tmp_path: Path, clock: FixedClock,
                                                            demo_source: DemoSource) -> None:
    import_data(app.deps, "demo", demo_source.export)
    text = V2.read_text(encoding="utf-8").replace("    anchoring: political_intent\n", "")
    other = App(replace(app.settings, workflows_dir=published_v2(tmp_path, text)), clock=clock)
    try:
        result = apply_migration(other.deps, "demo", plan_migration(other.deps, "demo", 2))
        assert [m for m, _ in result.refused] == ["Härjedalen"] and len(result.migrated) == 9
        assert "'anchoring' has no counterpart in handbook@2" in result.refused[0][1]
        assert states(other)["Härjedalen"] == (1, "anchoring", "ACTIVE")
        again = Cli(app.settings.database_url, tmp_path)("migrate --to 2", JOURNEY_WORKFLOWS_DIR=str(
            other.settings.workflows_dir))
        assert again.exit_code == 3 and "Nothing to migrate" in again.stdout
        assert again.stderr.startswith("not migrated: Härjedalen: 'anchoring' has no counterpart in handbook@2")
    finally:
        other.close()


def test_concurrent_save_is_caught_by_the_optimistic_lock(v2app: App, monkeypatch: pytest.MonkeyPatch) -> None:
    """Someone commits between the migration's read and its write: the case is reported, not overwritten."""
    from journey.adapters.dbapi.repositories import core as repository

    plan = plan_migration(v2app.deps, "demo", 2, municipalities=("Tierp",))
    original = repository.PlainCaseRepository.save

    def racing_save(self: Any, case: Any) -> None:
        with v2app.engine.begin() as conn:  # another process bumps the row's lock counter
            conn.exec_driver_sql(f"UPDATE journey_case SET version = version + 1 WHERE id = {int(case.id)}")
        original(self, case)

    if v2app.database_url.startswith("sqlite"):
        pytest.skip("SQLite serialises writers (BEGIN IMMEDIATE): no interleaving possible")
    monkeypatch.setattr(repository.PlainCaseRepository, "save", racing_save)
    result = apply_migration(v2app.deps, "demo", plan)
    assert result.migrated == [] and "another user changed this case" in result.refused[0][1]
    assert states(v2app)["Tierp"][0] == 1


def test_migrate_cli_dry_run_apply_runs_and_rollback(database_url: str, tmp_path: Path,
                                                     demo_source: DemoSource) -> None:
    cli = Cli(database_url, tmp_path)
    cli.ok(f"import {demo_source.export}")
    wf = str(published_v2(tmp_path))
    dry = json.loads(cli.ok("migrate --to 2 --dry-run --json", JOURNEY_WORKFLOWS_DIR=wf).output)
    assert dry["dry_run"] and len(dry["cases"]) == 10 and dry["skipped"] == {"handbook-integrated": 2}
    text = cli.ok("migrate --to 2 --dry-run --municipality Laxå", JOURNEY_WORKFLOWS_DIR=wf).output
    assert "Dry run: nothing changed. 1 case(s) of handbook to version 2: 1 move" in text
    assert "needs_inventory\tneeds_analysis\tmove" in text
    out = cli.ok("migrate --to 2", JOURNEY_WORKFLOWS_DIR=wf).output
    assert "Migration run 1: 10 case(s) migrated" in out
    assert json.loads(cli.ok("status Laxå --json", JOURNEY_WORKFLOWS_DIR=wf).output)["state"] == "needs_analysis"
    assert "Nothing to migrate" in cli.ok("migrate --to 2", JOURNEY_WORKFLOWS_DIR=wf).output
    runs = json.loads(cli.ok("migrate runs --json", JOURNEY_WORKFLOWS_DIR=wf).output)
    assert [(r["id"], r["status"], r["migrated"]) for r in runs] == [(1, "APPLIED", 10)]
    assert "10 case(s) restored." in cli.ok("migrate rollback", JOURNEY_WORKFLOWS_DIR=wf).output
    assert json.loads(cli.ok("status Laxå --json").output)["state"] == "needs_inventory"
    again = cli("migrate rollback 1", JOURNEY_WORKFLOWS_DIR=wf)
    assert again.exit_code == 3 and "already rolled back" in again.output


@pytest.mark.parametrize(("args", "code", "message"), [
    ("migrate --to 9 --dry-run", 4, "no workflow has version 9 (known: handbook@1, handbook@2, handbook-integrated@1)"),
    ("migrate --to 3 --workflow handbook", 4, "workflow 'handbook' has no version 3 (known: 1, 2)"),
    ("migrate --to 2 --municipality Atlantis --dry-run", 4, "unknown municipality 'Atlantis'"),
    ("migrate --to 2 --workflow nosuch", 4, "unknown workflow 'nosuch'"),
    ("migrate", 2, "give --to VERSION"),
    ("migrate rollback", 4, "no migration run to roll back"),
    ("migrate rollback 7", 4, "no migration run to roll back"),
    ("workflows diff handbook@1 handbook@5", 4, "workflow 'handbook' has no version 5"),
    ("workflows diff handbook@x", 2, "the version after '@' must be a whole number"),
])
def test_bad_input_gives_one_line_and_a_documented_exit_code(sqlite_url: str, tmp_path: Path, args: str, code: int,
                                                             message: str, demo_source: DemoSource) -> None:
    cli = Cli(sqlite_url, tmp_path)
    cli.ok(f"import {demo_source.export}")
    result = cli(args, JOURNEY_WORKFLOWS_DIR=str(published_v2(tmp_path)))
    assert result.exit_code == code, result.output
    errors = [line for line in result.stderr.splitlines() if line.startswith("Error:")]
    assert len(errors) == 1 and message in errors[0]


def test_only_admins_migrate_and_skr_may_dry_run(sqlite_url: str, tmp_path: Path, demo_source: DemoSource) -> None:
    cli = Cli(sqlite_url, tmp_path)
    cli.ok(f"import {demo_source.export}")
    cli.ok("users add admin --role admin --as demo")
    cli.ok("users add sara --role skr --as admin")
    cli.ok("users add anna --role coordinator --municipality Laxå --as admin")
    wf = str(published_v2(tmp_path))
    assert cli.ok("migrate --to 2 --dry-run --as sara", JOURNEY_WORKFLOWS_DIR=wf).exit_code == 0
    for who in ("sara", "anna"):
        denied = cli(f"migrate --to 2 --as {who}", JOURNEY_WORKFLOWS_DIR=wf)
        assert denied.exit_code == 6 and "may not" in denied.output
    assert cli("migrate --to 2 --dry-run --as anna", JOURNEY_WORKFLOWS_DIR=wf).exit_code == 6
    cli.ok("migrate --to 2 --as admin", JOURNEY_WORKFLOWS_DIR=wf)
    assert cli("migrate rollback --as sara", JOURNEY_WORKFLOWS_DIR=wf).exit_code == 6


def test_reminders_and_documents_follow_the_migrated_state(v2app: App) -> None:
    """Härjedalen leaves anchoring (its planned reminders are cancelled) and enters political_intent
    under version 2 (its reminder is planned and its document rendered), in the migration's transaction."""
    case_id = next(c["id"] for c in v2app.read_model().cases() if c["municipality"] == "Härjedalen")

    def rows(sql: str) -> set[tuple[Any, ...]]:
        with v2app.engine.connect() as conn:
            return {tuple(r) for r in conn.exec_driver_sql(sql.replace("?", str(case_id)))}

    planned_before = rows("SELECT state_path, rule_id FROM reminder WHERE case_id = ? AND status = 'PLANNED'")
    assert planned_before and {path for path, _ in planned_before} == {"anchoring"}
    plan = plan_migration(v2app.deps, "demo", 2, municipalities=("Härjedalen",))
    item = plan.cases[0]  # the dry run already names them
    assert item.reminders_planned == ("political_intent:stalled",)
    assert item.reminders_cancelled and all(r.startswith("anchoring:") for r in item.reminders_cancelled)
    assert item.documents_rendered == ("political_intent:tjansteskrivelse_ansvar",)
    apply_migration(v2app.deps, "demo", plan)
    assert rows("SELECT state_path, rule_id FROM reminder WHERE case_id = ? AND status = 'PLANNED'") == {
        ("political_intent", "stalled")}
    # every planned row cancelled; a förvarning whose date had passed when it was planned stays EXPIRED (#11)
    assert rows("SELECT DISTINCT status FROM reminder WHERE case_id = ? AND state_path = 'anchoring'") <= {
        ("CANCELLED",), ("EXPIRED",)}
    assert ("CANCELLED",) in rows("SELECT DISTINCT status FROM reminder WHERE case_id = ? AND state_path = 'anchoring'")
    assert ("political_intent", "tjansteskrivelse_ansvar") in rows(
        "SELECT state_path, doc_id FROM document WHERE case_id = ?")


def test_a_municipality_without_a_case_is_named(sqlite_url: str, tmp_path: Path, demo_source: DemoSource) -> None:
    cli = Cli(sqlite_url, tmp_path)
    cli.ok(f"import {demo_source.export}")
    cli.ok("municipalities add 0114 'Upplands Väsby' --as demo")
    result = cli("migrate --to 2 --municipality 'Upplands Väsby' --dry-run", JOURNEY_WORKFLOWS_DIR=str(
        published_v2(tmp_path)))
    assert result.exit_code == 4 and "Upplands Väsby has no case yet: nothing to migrate" in result.stderr
