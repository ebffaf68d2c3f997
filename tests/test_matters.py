"""Matters (ärenden) through the real CLI on SQLite and PostgreSQL: chains, outcomes, going back, starting late.

Umeå's board calendar has KS, KF and Arbetsmarknadsnämnden (AMN). The clock starts at 2022-03-01;
a later decision runs with a later JOURNEY_NOW, as it would a few weeks on.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from docx import Document

from tests.conftest import Cli

CALENDAR = """board,date,board_name
KS,2022-02-15,Kommunstyrelsen
KS,2022-03-15,Kommunstyrelsen
KS,2022-04-12,Kommunstyrelsen
KF,2022-02-28,Kommunfullmäktige
KF,2022-03-28,Kommunfullmäktige
KF,2022-04-25,Kommunfullmäktige
AMN,2022-02-08,Arbetsmarknadsnämnden
AMN,2022-03-22,Arbetsmarknadsnämnden
"""
EARLIER = ("-e registered_date=2021-01-12 -e contact='Anna Berg' "
           "-e 'signatories=Kommunchef Eva Ek, KS-ordförande Olle Ås' -e signed_date=2021-02-01 "
           "-e coordinator='Anna Berg' -e 'members=A, B, C, D, E, F, G' -e time_reporting_from=2021-03-01 "
           "-e approved_by=Ledningsgruppen -e approved_date=2021-05-10 -e enterprises_identified=4")
INTENT = "-e document='Mål och budget 2022' -e decided_by=KF -e decided_date=2021-11-22"
LATER = {"JOURNEY_NOW": "2022-03-16T09:00:00+00:00"}
LATEST = {"JOURNEY_NOW": "2022-03-29T09:00:00+00:00"}


@pytest.fixture
def umea(cli: Cli, tmp_path: Path) -> Cli:
    cli.ok("municipalities seed")
    calendar = tmp_path / "umea.csv"
    calendar.write_text(CALENDAR, encoding="utf-8")
    cli.ok(f"meetings import {calendar} -m Umeå")
    return cli


def show(cli: Cli, number: int | None = None, **env: str) -> dict[str, Any]:
    return json.loads(cli.ok(f"matters show Umeå {number or ''} --json", **env).output)["matter"]


def status(cli: Cli, name: str = "Umeå") -> dict[str, Any]:
    return json.loads(cli.ok(f"status {name} --json").output)


def entries(cli: Cli, name: str = "Umeå") -> list[dict[str, Any]]:
    return json.loads(cli.ok(f"history {name} --json").output)["entries"]


def documents(cli: Cli, doc_id: str, fmt: str = "docx", name: str = "Umeå") -> list[dict[str, Any]]:
    rows = json.loads(cli.ok(f"documents list {name} --json").output)["documents"]
    return sorted((d for d in rows if d["doc_id"] == doc_id and d["format"] == fmt), key=lambda d: d["revision"])


def text_of(path: str) -> str:
    doc = Document(path)
    header = "\n".join(c.text for t in doc.sections[0].header.tables for r in t.rows for c in r.cells)
    return header + "\n" + "\n".join(p.text for p in doc.paragraphs)


def test_aterremiss_at_ks_then_bifall_at_its_next_meeting_and_kf_decides(umea: Cli) -> None:
    umea.ok(f"open Umeå --at anchoring {EARLIER}")
    opened = show(umea)
    assert (opened["status"], [b["code"] for b in opened["chain"]], opened["next_body"]) == ("OPEN", ["KS", "KF"], "KS")
    assert (opened["handlaggare"], opened["diarienummer"], opened["target_meeting"]) == ("Anna Berg", "", "2022-03-15")

    out = umea.ok("matters register Umeå --diarienummer 'KS 2022/31' --forvaltning Kommunledningskontoret "
                  "-e board=AMN -e officials_function=Näringslivskontoret").output
    assert "diarienummer 'KS 2022/31'" in out and "rendered again" in out
    sent_back = umea.ok("decide Umeå --board KS --outcome aterremiss --meeting 2022-02-15 --paragraph 12").output
    assert "återremiss by KS" in sent_back and "awaits KS (target meeting: 2022-03-15)" in sent_back
    assert show(umea)["decisions"][0]["outcome"] == "återremiss" and status(umea)["stage"] == "anchoring"

    umea.ok("decide Umeå --board Kommunstyrelsen --outcome bifall --meeting 2022-03-15 --paragraph 40", **LATER)
    after_ks = show(umea, **LATER)
    assert (after_ks["next_body"], after_ks["target_meeting"]) == ("KF", "2022-03-28")
    final = umea.ok("decide Umeå --board KF --outcome bifall --meeting 2022-03-28 --paragraph 55", **LATEST).output
    assert "Förankring i ansvarig nämnd -> Politisk viljeinriktning (anchor_in_board)" in final

    assert status(umea)["stage"] == "political_intent"
    steps = entries(umea)
    assert [e["kind"] for e in steps] == ["OPENED", "REGISTERED", "DECIDED", "DECIDED", "ADVANCED"]
    assert steps[-1]["evidence"] == {
        "board_decision": {"organ": "KF", "meeting_date": "2022-03-28", "paragraph": 55, "diarienummer": "KS 2022/31"},
        "responsible_board": {"board": "AMN", "officials_function": "Näringslivskontoret"}}
    assert steps[-1]["comment"].startswith("bifall i Kommunfullmäktige 2022-03-28 § 55: Ansvarig nämnd")
    decided = show(umea, 1)
    assert decided["status_text"] == "avgjort (bifall)" and decided["next_body"] is None
    assert [(d["body"], d["outcome"], d["meeting_date"], d["paragraph"]) for d in decided["decisions"]] == [
        ("KS", "återremiss", "2022-02-15", 12), ("KS", "bifall", "2022-03-15", 40), ("KF", "bifall", "2022-03-28", 55)]


def test_a_tjansteskrivelse_carries_what_the_case_knows_and_no_placeholder(umea: Cli) -> None:
    umea.ok(f"open Umeå --at anchoring {EARLIER}")
    first = documents(umea, "tjansteskrivelse_ansvar")
    assert "Dnr: [ange diarienummer]" in text_of(first[0]["path"])  # the registry has not numbered it yet
    umea.ok("matters register Umeå --diarienummer 'KS 2022/31' --handlaggare 'Eva Ek' --forvaltning "
            "Kommunledningskontoret -e board=AMN -e officials_function=Näringslivskontoret")
    latest = documents(umea, "tjansteskrivelse_ansvar")[-1]
    assert (latest["revision"], latest["reason"]) == (2, "MATTER_UPDATED")
    text = text_of(latest["path"])
    assert "[" not in text, text  # no "[ange …]", "[handläggare]" or "[ansvarig nämnd]": the case holds them all
    for fact in ("Dnr: KS 2022/31", "Handläggare: Eva Ek", "Kommunledningskontoret", "Umeå kommun",
                 "Ärendet bereds för kommunstyrelsen och kommunfullmäktige. Det tas upp på kommunstyrelsens "
                 "sammanträde den 15 mars 2022.",
                 "Kommunstyrelsen föreslår kommunfullmäktige att besluta följande.",
                 "1.\tKommunfullmäktige ger arbetsmarknadsnämnden ansvaret för kommunens arbete",
                 "att låta näringslivskontoret samordna", "undertecknades den 1 februari 2021 av Kommunchef Eva Ek och "
                 "KS-ordförande Olle Ås", "identifierade 4 sociala företag"):
        assert fact in text, fact
    shown = umea.ok("matters show Umeå").output
    assert "Tjänsteskrivelse ansvarig nämnd för sociala företag v2 (docx, html)" in shown, shown
    assert "rendered again: the matter's facts changed" in shown
    assert "skapat igen: ärendets uppgifter ändrades" in umea.ok("matters show Umeå", JOURNEY_LANG="sv").output


def test_a_chain_from_the_responsible_board_via_ks_to_kf_and_avslag_back_to_the_political_intent(umea: Cli) -> None:
    umea.ok(f"open Umeå --at policy {INTENT} -e board=AMN -e officials_function=Näringslivskontoret")
    assert [b["code"] for b in show(umea)["chain"]] == ["AMN", "KS", "KF"]
    umea.ok("matters register Umeå --diarienummer 'AMN 2022/5' -e title='Riktlinje för sociala företag i Umeå' "
            "-e document_type=riktlinje")
    refused = umea("decide Umeå --board KS --outcome bifall --meeting 2022-02-15 --paragraph 9")
    assert refused.exit_code == 3 and "awaits AMN's decision (chain AMN → KS → KF)" in refused.stderr
    umea.ok("decide Umeå --board AMN --outcome bifall --meeting 2022-02-08 --paragraph 3")
    umea.ok("decide Umeå --board KS --outcome bordlaggning --meeting 2022-02-15")
    umea.ok("decide Umeå --board KS --outcome bifall --meeting 2022-02-22 --paragraph 31")
    rejected = umea.ok("decide Umeå --board KF --outcome avslag --meeting 2022-02-28 --paragraph 35").output
    assert "Policy för sociala företag -> Politisk viljeinriktning (policy_rejected)" in rejected
    assert status(umea)["stage"] == "political_intent"
    assert entries(umea)[-1]["trigger"] == "policy_rejected"
    assert show(umea, 1)["status_text"] == "avslaget"

    umea.ok(f"advance Umeå express_political_intent {INTENT.replace('2021-11-22', '2022-02-28')}")
    again = show(umea)
    assert (again["number"], again["status"], again["next_body"], again["diarienummer"]) == (2, "OPEN", "AMN", "")
    umea.ok("matters register Umeå --diarienummer 'AMN 2022/9' -e title='Riktlinje för sociala företag i Umeå' "
            "-e document_type=riktlinje", **LATER)
    umea.ok("decide Umeå --board AMN --outcome bifall --meeting 2022-03-01 --paragraph 4", **LATER)
    umea.ok("decide Umeå --board KS --outcome bifall --meeting 2022-03-15 --paragraph 41", **LATER)
    umea.ok("decide Umeå --board KF --outcome bifall --meeting 2022-03-28 --paragraph 60", **LATEST)
    assert status(umea)["stage"] == "action_plan"
    adopted = entries(umea)[-1]
    assert adopted["trigger"] == "adopt_policy"
    assert adopted["evidence"]["policy_document"] == {"title": "Riktlinje för sociala företag i Umeå",
                                                      "document_type": "riktlinje"}
    listed = json.loads(umea.ok("matters list Umeå --json").output)["matters"]
    assert [(m["title"], m["status"]) for m in listed] == [("Riktlinje för arbetet med sociala företag", "REJECTED"),
                                                           ("Riktlinje för arbetet med sociala företag", "DECIDED")]


def test_a_correction_shows_in_history_status_why_and_documents_while_the_stored_row_stays(
        cli: Cli, database_url: str) -> None:
    from tests.test_journey_cli import JOURNEY

    cli.ok("municipalities seed")
    cli.ok("open Härjedalen")
    for trigger, evidence in JOURNEY[:6]:  # ... anchor_in_board (#6, dnr KS 2022/117), express_political_intent
        cli.ok(f"advance Härjedalen {trigger} {evidence}")
    before = documents(cli, "tjansteskrivelse_policy", name="Härjedalen")
    assert "dnr KS 2022/117" in text_of(before[0]["path"])

    out = cli.ok("correct Härjedalen 6 -e diarienummer='KS 2022/171' --reason 'Felskrivet diarienummer' --as eva",
                 JOURNEY_USER="eva").output
    assert "#6 board_decision.diarienummer: 'KS 2022/117' -> 'KS 2022/171'" in out

    history = entries(cli, "Härjedalen")
    corrected = history[5]
    assert corrected["evidence"]["board_decision"]["diarienummer"] == "KS 2022/171"
    assert corrected["original_evidence"]["board_decision"]["diarienummer"] == "KS 2022/117"
    assert [(c["actor"], c["reason"], c["seq"]) for c in corrected["corrected"]] == [
        ("eva", "Felskrivet diarienummer", 8)]
    assert history[-1]["kind"] == "CORRECTED" and history[-1]["comment"] == "Felskrivet diarienummer"
    (change,) = status(cli, "Härjedalen")["corrections"]
    assert change["changes"] == [{"field": "board_decision.diarienummer", "previous": "KS 2022/117",
                                  "value": "KS 2022/171", "field_label": "Diarienummer"}] and change["actor"] == "eva"
    assert "Corrected #6: Diarienummer 'KS 2022/117' -> 'KS 2022/171' by eva" in \
        cli.ok("why Härjedalen").output
    assert "Corrected #6" in cli.ok("status Härjedalen").output

    from journey.adapters.readmodel.core import SqlReadModel

    raw = SqlReadModel(database_url)
    try:
        [(stored,)] = raw.query("SELECT evidence FROM case_history h JOIN journey_case c ON c.id = h.case_id "
                                "JOIN municipality m ON m.id = c.municipality_id WHERE m.name = ? AND h.seq = 6",
                                ("Härjedalen",))
    finally:
        raw.close()
    stored = json.loads(stored) if isinstance(stored, str) else stored
    assert stored["board_decision"]["diarienummer"] == "KS 2022/117"  # append-only: the row is as recorded

    after = documents(cli, "tjansteskrivelse_policy", name="Härjedalen")
    assert [(d["revision"], d["reason"]) for d in after] == [(1, "ENTERED"), (2, "CORRECTED")]
    assert "dnr KS 2022/171" in text_of(after[-1]["path"]) and "dnr KS 2022/117" in text_of(after[0]["path"])
    anchoring = json.loads(cli.ok("matters show Härjedalen 1 --json").output)["matter"]
    assert anchoring["diarienummer"] == "KS 2022/171"


def test_a_municipality_with_decisions_in_place_starts_at_a_later_stage(umea: Cli) -> None:
    out = umea.ok("open Laxå --at political_intent -e organ=KF -e meeting_date=2021-12-13 -e paragraph=140 "
                  "-e diarienummer='KS 2021/77' -e board=KS -e officials_function=Kommunledningskontoret "
                  "-e coordinator='Per Lax' -e 'members=A, B, C' -e time_reporting_from=2021-03-01").output
    assert "state Politisk viljeinriktning" in out
    (opened,) = entries(umea, "Laxå")
    assert (opened["kind"], opened["trigger"], opened["to_state"]) == ("OPENED", "anchor_in_board", "political_intent")
    assert opened["evidence"]["board_decision"]["paragraph"] == 140
    assert opened["evidence"]["local_team"]["coordinator"] == "Per Lax"
    assert opened["comment"] == ("öppnat med handbook@2, från Politisk viljeinriktning (anchor_in_board): de tidigare "
                                 "stegen togs innan journey användes")
    (decided,) = json.loads(umea.ok("matters list Laxå --json").output)["matters"]
    assert (decided["state"], decided["status"], decided["diarienummer"]) == ("anchoring", "DECIDED", "KS 2021/77")

    umea.ok(f"open Umeå --at policy {INTENT} -e board=AMN -e officials_function=Näringslivskontoret")
    assert status(umea)["stage"] == "policy"
    assert {d["doc_id"] for d in json.loads(umea.ok("documents list Umeå --json").output)["documents"]} == {
        "tjansteskrivelse_policy", "riktlinje"}
    lacking = umea("open Tierp --at policy -e document=X")
    assert lacking.exit_code == 3 and ("lacking Uttalad politisk viljeinriktning: Beslutande organ (decided_by), "
                                       "Beslutsdatum (decided_date)") in lacking.stderr
    assert umea("status Tierp").exit_code == 4  # nothing was opened


def test_withdrawing_ends_the_case_cancels_reminders_and_shows_in_monitoring(umea: Cli, tmp_path: Path) -> None:
    umea.ok(f"open Umeå --at anchoring {EARLIER}")
    planned = json.loads(umea.ok("reminders upcoming Umeå --json").output)
    assert planned
    out = umea.ok("withdraw Umeå --reason 'Kommunen lämnar nätverket efter beslut i KS'").output
    assert f"{len(planned)} reminder(s) cancelled, 1 open matter(s) closed" in out
    assert status(umea)["status"] == "WITHDRAWN" and status(umea)["next_triggers"] == []
    assert json.loads(umea.ok("reminders upcoming Umeå --json").output) == []
    assert show(umea)["status_text"] == "avslutat utan beslut"
    assert entries(umea)[-1]["kind"] == "WITHDRAWN"
    refused = umea("advance Umeå anchor_in_board -e organ=KS")
    assert refused.exit_code == 3 and "Umeå's case was withdrawn; it can no longer change" in refused.stderr
    row = next(r for r in json.loads(umea.ok("monitor --json").output)["rows"] if r["municipality"] == "Umeå")
    assert row["status"] == "WITHDRAWN" and row["cells"]["anchoring"] == "withdrawn" and row["next_due"] is None
    assert "✕ withdrawn" in umea.ok("monitor --status withdrawn").output
    umea.ok(f"report html {tmp_path / 'site'}")
    assert "lämnat" in (tmp_path / "site" / "index.html").read_text(encoding="utf-8")
    assert "kommunen har lämnat nätverket" in (tmp_path / "site" / "kommun" / "umea.html").read_text(encoding="utf-8")


def snapshot(cli: Cli) -> tuple[Any, ...]:
    return (status(cli)["state"], len(entries(cli)), show(cli),
            len(json.loads(cli.ok("documents list Umeå --json").output)["documents"]))


@pytest.mark.parametrize(("command", "code", "message"), [
    ("decide Umeå --board KS --outcome godkänd --meeting 2022-02-15", 2,
     "unknown outcome 'godkänd': use bifall, avslag, återremiss or bordläggning"),
    ("decide Umeå --board SN --outcome bifall --meeting 2022-02-15", 4, "Umeå has no board 'SN' (known: KS, KF, AMN)"),
    ("decide Umeå --board KS --outcome bifall --meeting 2022-03-15 --paragraph 3", 2,
     "the meeting date 2022-03-15 is after today (2022-03-01)"),
    ("decide Umeå --board KS --outcome bifall --meeting 2022-02-30", 2, "--meeting '2022-02-30' is not a date"),
    ("decide Umeå --board KF --outcome bifall --meeting 2022-02-15 --paragraph 3", 3, "awaits KS's decision"),
    ("decide Umeå --board KS --outcome bifall --meeting 2022-02-15 --paragraph x", 2, "--paragraph 'x'"),
    ("correct Umeå 9 -e organ=KS --reason typo", 4, "Umeå's history has no entry #9 (entries #1 to #2"),
    ("correct Umeå 1 -e colour=red --reason typo", 2, "unknown evidence field 'colour'"),
    ("matters register Umeå --chain AMN,SN", 4, "Umeå has no board 'SN'"),
    ("matters register Umeå --diarienummer nonsense", 2, "is not a diarienummer"),
    ("matters register Umeå --target 2022-03-16", 2, "KS has no meeting that day"),
    ("withdraw Umeå --reason ' '", 2, "--reason is required"),
])
def test_bad_input_is_one_line_with_a_documented_exit_code_and_changes_nothing(umea: Cli, command: str, code: int,
                                                                               message: str) -> None:
    umea.ok(f"open Umeå --at anchoring {EARLIER}")
    umea.ok("matters register Umeå --diarienummer 'KS 2022/31'")
    before = snapshot(umea)
    result = umea(command)
    assert result.exit_code == code, result.output
    err = result.stderr.strip()
    assert len(err.splitlines()) == 1 and err.startswith("Error: ") and message in err, err
    assert snapshot(umea) == before


def test_workflows_show_names_matters_and_backward_steps(cli: Cli) -> None:
    out = cli.ok("workflows show handbook").output
    assert "matter: Riktlinje för arbetet med sociala företag: responsible -> KS -> KF decide adopt_policy, " \
           "avslag: policy_rejected" in out
    assert "policy_rejected: policy -> political_intent  needs: board_decision  (backward)" in out
