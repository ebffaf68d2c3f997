"""The parallel collaboration sub-states, and a municipality on a variant workflow."""

from __future__ import annotations

import json

import pytest

from tests.conftest import Cli
from tests.test_journey_cli import JOURNEY

INTERNAL = dict(JOURNEY)["establish_internal_structure"]
EXTERNAL = dict(JOURNEY)["establish_external_structure"]
DEAL = dict(JOURNEY)["record_first_deal"]


@pytest.fixture
def in_collaboration(cli: Cli) -> Cli:
    cli.ok("municipalities seed")
    cli.ok("open Malmö")
    for trigger, evidence in JOURNEY[:8]:
        cli.ok(f"advance Malmö {trigger} {evidence}")
    return cli


def state(cli: Cli) -> str:
    return json.loads(cli.ok("status Malmö --json").output)["state"]


def test_entering_collaboration_starts_both_regions(in_collaboration: Cli) -> None:
    assert state(in_collaboration) == "collaboration.internal.forming,collaboration.external.forming"
    why = json.loads(in_collaboration.ok("why Malmö --json").output)
    triggers = [s["trigger"] for s in why["steps"]]
    assert triggers == ["establish_internal_structure", "establish_external_structure", "record_first_deal"]
    deal = why["steps"][2]
    assert not deal["ready"]
    blocked = next(g for g in deal["guards"] if g["name"] == "regions_complete")
    assert len(blocked["lacking"]) == 2


@pytest.mark.parametrize("order", [("internal", "external"), ("external", "internal")])
def test_regions_complete_in_either_order(in_collaboration: Cli, order: tuple[str, str]) -> None:
    steps = {"internal": f"establish_internal_structure {INTERNAL}",
             "external": f"establish_external_structure {EXTERNAL}"}
    in_collaboration.ok(f"advance Malmö {steps[order[0]]}")
    half = state(in_collaboration)
    assert f"collaboration.{order[0]}.established" in half and f"collaboration.{order[1]}.forming" in half
    refused = in_collaboration(f"advance Malmö record_first_deal {DEAL}")
    assert refused.exit_code == 3 and "is not yet completed" in refused.stderr
    assert state(in_collaboration) == half
    in_collaboration.ok(f"advance Malmö {steps[order[1]]}")
    in_collaboration.ok(f"advance Malmö record_first_deal {DEAL}")
    assert state(in_collaboration) == "business"


def test_a_region_step_cannot_run_twice(in_collaboration: Cli) -> None:
    in_collaboration.ok(f"advance Malmö establish_internal_structure {INTERNAL}")
    again = in_collaboration(f"advance Malmö establish_internal_structure {INTERNAL}")
    assert again.exit_code == 3 and "not allowed" in again.stderr


def test_variant_integrates_policy_into_an_existing_steering_document(cli: Cli) -> None:
    cli.ok("municipalities seed")
    cli.ok("open Umeå --workflow handbook-integrated")
    for trigger, evidence in JOURNEY[:6]:
        cli.ok(f"advance Umeå {trigger} {evidence}")
    status = json.loads(cli.ok("status Umeå --json").output)
    assert status["workflow"] == "handbook-integrated@2"
    assert sorted(status["next_triggers"]) == ["integrate_policy", "policy_rejected"]
    assert status["state_title"] == "Integrering i befintligt styrdokument"
    refused = cli(f"advance Umeå adopt_policy {dict(JOURNEY)['adopt_policy']}")
    assert refused.exit_code == 4 and "no trigger 'adopt_policy'" in refused.stderr
    cli.ok("advance Umeå integrate_policy -e organ=KF -e meeting_date=2022-01-24 -e paragraph=88 "
           "-e diarienummer='KS 2022/77' -e document=Näringslivsprogram -e section='4.3 Sociala företag' "
           "-e document_type=program")
    assert json.loads(cli.ok("status Umeå --json").output)["stage"] == "action_plan"
    listed = {m["name"]: m for m in json.loads(cli.ok("municipalities list --json").output)}
    assert listed["Umeå"]["workflow"] == "handbook-integrated"


def test_reflexive_steps_add_history_without_moving(cli: Cli) -> None:
    cli.ok("municipalities seed")
    cli.ok("open Söderhamn")
    for trigger, evidence in JOURNEY[:11]:
        cli.ok(f"advance Söderhamn {trigger} {evidence}")
    cli.ok(f"advance Söderhamn record_deal {DEAL.replace('form=iop', 'form=reserved_procurement')}")
    status = json.loads(cli.ok("status Söderhamn --json").output)
    assert status["stage"] == "business"
    entries = json.loads(cli.ok("history Söderhamn --json").output)["entries"]
    assert entries[-1]["trigger"] == "record_deal" and entries[-1]["from_state"] == entries[-1]["to_state"] == "business"
    assert entries[-1]["evidence"]["deal"]["form"] == "reserved_procurement"


def test_dry_run_checks_the_step_but_saves_nothing(cli: Cli) -> None:
    cli.ok("municipalities seed")
    cli.ok("open Laxå")
    trigger, evidence = JOURNEY[0]
    out = cli.ok(f"advance Laxå {trigger} {evidence} --dry-run").output
    assert "Intresseanmälan -> Avsiktsförklaring (confirm_interest) would be allowed; nothing saved" in out
    assert json.loads(cli.ok("status Laxå --json").output)["state"] == "interest"
    assert len(json.loads(cli.ok("history Laxå --json").output)["entries"]) == 1
    refused = cli(f"advance Laxå {trigger} -e contact=x --dry-run")
    assert refused.exit_code == 3 and "registered_date" in refused.stderr
