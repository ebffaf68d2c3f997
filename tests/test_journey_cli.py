"""A whole journey through the CLI, on SQLite and PostgreSQL."""

from __future__ import annotations

import json

from tests.conftest import Cli

BOARD = "-e organ=KS -e meeting_date=2022-02-14 -e paragraph=45 -e diarienummer='KS 2022/117'"
# Evidence dates lie before the tests' clock (conftest.NOW, 2022-03-01): a decision cannot be in the future.
JOURNEY = [
    ("confirm_interest", "-e registered_date=2021-01-12 -e contact='Anna Berg'"),
    ("sign_letter_of_intent", "-e 'signatories=Kommunchef Eva Ek, KS-ordförande Olle Ås' -e signed_date=2021-02-01"),
    ("form_local_team", "-e coordinator='Anna Berg' -e 'members=A, B, C, D, E, F, G' -e time_reporting_from=2021-03-01"),
    ("approve_inventory", "-e approved_by=Ledningsgruppen -e approved_date=2021-05-10 -e enterprises_identified=4"),
    ("anchor_in_board", f"{BOARD} -e board=Kommunstyrelsen -e officials_function=Arbetsmarknadsenheten"),
    ("express_political_intent", "-e document='Mål och budget 2022' -e decided_by=KF -e decided_date=2021-11-22"),
    ("adopt_policy", "-e organ=KS -e meeting_date=2021-12-13 -e paragraph=112 -e diarienummer='KS 2022/245' "
                     "-e title='Riktlinje för sociala företag' -e document_type=riktlinje"),
    ("adopt_action_plan", "-e adopted_by=Kommunstyrelsen -e adopted_date=2022-01-17 -e measures=8"),
    ("establish_external_structure", "-e name='Dialogforum' -e first_meeting=2022-02-03"),
    ("establish_internal_structure", "-e mandate_date=2022-01-31 -e 'functions=Näringsliv, Inköp, Arbetsmarknad'"),
    ("record_first_deal", "-e form=iop -e counterparty='Återbruket ek. för.' -e value_sek=450000 "
                          "-e decided_date=2022-02-14"),
    ("start_follow_up", "-e reported_to=Kommunstyrelsen -e report_date=2022-02-28"),
]


def test_whole_journey_from_interest_to_follow_up(cli: Cli) -> None:
    cli.ok("municipalities seed")
    cli.ok("open Härjedalen --as anna")
    for trigger, evidence in JOURNEY:
        out = cli.ok(f"advance harjedalen {trigger} {evidence} --as anna").output
        assert trigger in out
    status = json.loads(cli.ok("status Härjedalen --json").output)
    assert status["stage"] == "follow_up"
    assert status["status"] == "COMPLETED"
    history = json.loads(cli.ok("history Härjedalen --json").output)["entries"]
    assert [e["trigger"] for e in history] == [None] + [t for t, _ in JOURNEY]
    assert history[0]["kind"] == "OPENED" and history[0]["from_state"] is None and history[0]["to_state"] == "interest"
    policy = next(e for e in history if e["trigger"] == "adopt_policy")
    assert policy["evidence"]["board_decision"] == {"organ": "KS", "meeting_date": "2021-12-13", "paragraph": 112,
                                                     "diarienummer": "KS 2022/245"}
    assert all(e["actor"] == "anna" for e in history)
