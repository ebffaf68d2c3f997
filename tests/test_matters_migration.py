"""Existing cases and matters: the Alembic upgrade reconstructs decided matters from the history, and
`journey migrate --to 2` moves version-1 cases to handbook@2, opening the matter of the state they are in."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import sqlalchemy as sa
from alembic import command

from journey.adapters.sql import schema_upgrade as schema
from journey.bootstrap import App
from tests.conftest import WORKFLOWS, Cli, workflows_v1
from tests.test_journey_cli import JOURNEY

AT = datetime(2022, 2, 20, 9, 0, tzinfo=UTC)


def test_upgrading_a_database_turns_recorded_board_decisions_into_decided_matters(app: App, tmp_path: Path) -> None:
    engine = app.engine
    with engine.connect() as conn:  # back to the schema before matters, with a case that has decisions
        command.downgrade(schema._config(conn), "0009")  # type: ignore[arg-type]
        conn.commit()
    decision = {"organ": "KS", "meeting_date": "2022-02-14", "paragraph": 45, "diarienummer": "KS 2022/117"}
    with engine.begin() as conn:
        conn.execute(sa.text("INSERT INTO municipality (id, code, name, slug, county, workflow, created_at) "
                             "VALUES (1, '2361', 'Härjedalen', 'harjedalen', 'Jämtlands län', 'handbook', :at)"),
                     {"at": AT})
        conn.execute(sa.text("INSERT INTO journey_case (id, municipality_id, workflow, workflow_version, state, stage, "
                             "status, opened_at, stage_entered_at, updated_at, version) VALUES (1, 1, 'handbook', 1, "
                             "'political_intent', 'political_intent', 'ACTIVE', :at, :at, :at, 3)"), {"at": AT})
        history = sa.table("case_history", *(sa.column(c) for c in (
            "case_id", "seq", "kind", "from_state", "to_state", "trigger", "actor", "at", "comment")),
            sa.column("evidence", sa.JSON))
        conn.execute(history.insert(), [
            {"case_id": 1, "seq": 1, "kind": "OPENED", "from_state": None, "to_state": "anchoring", "trigger": None,
             "actor": "anna", "at": AT, "evidence": {}, "comment": ""},
            {"case_id": 1, "seq": 2, "kind": "ADVANCED", "from_state": "anchoring", "to_state": "political_intent",
             "trigger": "anchor_in_board", "actor": "anna", "at": AT,
             "evidence": {"board_decision": decision, "responsible_board": {"board": "KS", "officials_function": "X"}},
             "comment": ""}])
    assert app.init_database() == schema.upgrade(engine)  # to the head again
    cli = Cli(app.settings.database_url, tmp_path)
    (matter,) = json.loads(cli.ok("matters list Härjedalen --json").output)["matters"]
    assert (matter["state"], matter["title"], matter["status"], matter["diarienummer"]) == (
        "anchoring", "Förankring i ansvarig nämnd", "DECIDED", "KS 2022/117")  # named after its state in handbook@1
    assert [(d["body"], d["outcome"], d["meeting_date"], d["paragraph"], d["history_seq"])
            for d in matter["decisions"]] == [("KS", "bifall", "2022-02-14", 45, 2)]


def test_migrating_version_1_cases_to_handbook_2_opens_the_matter_of_their_state(cli: Cli, tmp_path: Path) -> None:
    v1 = {"JOURNEY_WORKFLOWS_DIR": str(workflows_v1(tmp_path / "v1")), "JOURNEY_NO_CACHE": "1"}
    cli.ok("municipalities seed", **v1)
    for name, steps in (("Härjedalen", 6), ("Laxå", 4)):  # in policy, and in anchoring
        cli.ok(f"open {name}", **v1)
        for trigger, evidence in JOURNEY[:steps]:
            cli.ok(f"advance {name} {trigger} {evidence}", **v1)
    decided = json.loads(cli.ok("matters list Härjedalen --json", **v1).output)["matters"]
    assert [(m["state"], m["status"]) for m in decided] == [("anchoring", "DECIDED")]  # recorded on version 1 too

    shipped = {"JOURNEY_WORKFLOWS_DIR": str(WORKFLOWS), "JOURNEY_NO_CACHE": "1"}
    plan = json.loads(cli.ok("migrate --to 2 --dry-run --json", **shipped).output)
    assert {c["municipality"]: c["outcome"] for c in plan["cases"]} == {"Härjedalen": "relabel", "Laxå": "relabel"}
    cli.ok("migrate --to 2", **shipped)
    assert json.loads(cli.ok("status Härjedalen --json", **shipped).output)["workflow"] == "handbook@2"
    matters = json.loads(cli.ok("matters list Härjedalen --json", **shipped).output)["matters"]
    assert [(m["state"], m["status"], [b["code"] for b in m["chain"]]) for m in matters] == [
        ("anchoring", "DECIDED", ["KS"]), ("policy", "OPEN", ["KS", "KF"])]  # responsible: Kommunstyrelsen
    (laxa,) = json.loads(cli.ok("matters list Laxå --json", **shipped).output)["matters"]
    assert (laxa["state"], laxa["next_body"], laxa["handlaggare"]) == ("anchoring", "KS", "Anna Berg")
    cli.ok("matters register Laxå --diarienummer 'KS 2022/88'", **shipped)
    cli.ok("decide Laxå --board KS --outcome bifall --meeting 2022-02-15 --paragraph 7", **shipped)
    out = cli.ok("decide Laxå --board KF --outcome bifall --meeting 2022-02-28 --paragraph 9", **shipped).output
    assert "the matter is decided; anchor_in_board still lacks" in out  # no proposal was registered
    cli.ok("advance Laxå anchor_in_board -e board=KS -e officials_function=Kommunledningskontoret", **shipped)
    last = json.loads(cli.ok("history Laxå --json", **shipped).output)["entries"][-1]
    assert last["evidence"]["board_decision"] == {"organ": "KF", "meeting_date": "2022-02-28", "paragraph": 9,
                                                  "diarienummer": "KS 2022/88"}  # from the decided matter
