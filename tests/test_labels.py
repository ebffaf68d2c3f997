"""Labels, not ids (#13 §2): what a person reads is the workflow's Swedish titles and labels; ids only to type."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from journey.definitions.catalog import WorkflowCatalog
from journey.domain.errors import EvidenceError
from journey.domain.evidence import parse_value
from tests.conftest import WORKFLOWS, Cli
from tests.test_journey_cli import JOURNEY


@pytest.fixture(scope="module")
def handbook() -> WorkflowCatalog:
    return WorkflowCatalog.from_directory(WORKFLOWS, None)


@pytest.mark.parametrize(("kind", "field", "typed", "stored"), [
    ("deal", "form", "IOP", "iop"),
    ("deal", "form", "iop", "iop"),
    ("deal", "form", "direktupphandling", "direct_award"),
    ("deal", "form", "Direktupphandling", "direct_award"),
    ("deal", "form", "reserverad upphandling", "reserved_procurement"),
    ("deal", "form", "  Reserverad   UPPHANDLING ", "reserved_procurement"),
    ("deal", "form", "IOP (idéburet offentligt partnerskap)", "iop"),
    ("deal", "form", "reserved_procurement", "reserved_procurement"),
    ("policy_document", "document_type", "Riktlinje", "riktlinje"),
    ("policy_document", "document_type", "RIKTLINJE", "riktlinje"),
])
def test_a_choice_is_accepted_by_id_or_swedish_label_in_any_case_and_stored_as_its_id(
        handbook: WorkflowCatalog, kind: str, field: str, typed: str, stored: str) -> None:
    for version in (1, 2):
        spec = handbook.get("handbook", version)
        fld = spec.evidence_kind(kind).field(field)  # type: ignore[union-attr]
        assert fld is not None
        assert parse_value(kind, fld, typed) == stored


def test_an_unknown_choice_is_refused_in_one_line_listing_the_labels(handbook: WorkflowCatalog) -> None:
    fld = handbook.get("handbook", 2).evidence_kind("deal").field("form")  # type: ignore[union-attr]
    assert fld is not None
    with pytest.raises(EvidenceError) as refused:
        parse_value("deal", fld, "köp")
    message = str(refused.value)
    assert "\n" not in message and "'köp'" in message
    assert "IOP (idéburet offentligt partnerskap), Reserverad upphandling, Direktupphandling" in message


def test_the_workflows_give_every_choice_a_swedish_label(handbook: WorkflowCatalog) -> None:
    for spec in handbook.all():
        for kind in spec.evidence:
            for fld in kind.fields:
                if fld.type == "choice":
                    labels = fld.choice_labels()
                    assert labels != fld.choices, (spec.key, kind.name, fld.name)
                    assert all(label[0].isupper() for label in labels), (spec.key, kind.name, fld.name)


def test_choices_may_be_a_mapping_of_id_to_label_and_must_not_read_the_same(tmp_path: Path) -> None:
    from journey.definitions.loader import load_all
    from journey.domain.errors import DefinitionError

    body = """workflow: wf
version: 1
title: T
initial: a
evidence:
  answer:
    title: Svar
    fields:
      reply: {type: choice, label: Svaret, choices: {ja: Ja, nej: Nej}}
states:
  - {id: a, title: A}
  - {id: b, title: B, final: true}
transitions:
  - {trigger: go, source: a, dest: b, title: Gå, guards: [answer]}
"""
    path = tmp_path / "wf.yaml"
    path.write_text(body, encoding="utf-8")
    (spec,) = load_all([path])
    fld = spec.evidence_kind("answer").field("reply")  # type: ignore[union-attr]
    assert fld is not None and fld.choices == ("ja", "nej") and fld.choice_label("nej") == "Nej"
    path.write_text(body.replace("{ja: Ja, nej: Nej}", "{ja: Ja, jakande: JA}"), encoding="utf-8")
    with pytest.raises(DefinitionError, match="choices 'ja' and 'jakande' both read 'ja'"):
        load_all([path])


def test_choice_labels_on_the_command_line_are_stored_as_ids(cli: Cli) -> None:
    cli.ok("municipalities seed")
    cli.ok("open Härjedalen --as anna")
    typed = {"adopt_policy": ("document_type=riktlinje", "document_type=Riktlinje"),
             "record_first_deal": ("form=iop", "form=IOP")}
    for trigger, evidence in JOURNEY:
        for old, new in [typed[trigger]] if trigger in typed else []:
            evidence = evidence.replace(old, new)
        cli.ok(f"advance harjedalen {trigger} {evidence} --as anna")
    entries = json.loads(cli.ok("history Härjedalen --json").output)["entries"]
    by_trigger = {e["trigger"]: e for e in entries}
    assert by_trigger["adopt_policy"]["evidence"]["policy_document"]["document_type"] == "riktlinje"
    assert by_trigger["record_first_deal"]["evidence"]["deal"]["form"] == "iop"


@pytest.mark.parametrize("typed", ["direktupphandling", "'reserverad upphandling'"])
def test_a_deal_form_by_its_swedish_label_is_accepted_on_the_command_line(cli: Cli, typed: str) -> None:
    cli.ok("municipalities seed")
    cli.ok("open Härjedalen --as anna")
    for trigger, evidence in JOURNEY[:-2]:
        cli.ok(f"advance harjedalen {trigger} {evidence} --as anna")
    refused = cli("advance harjedalen record_first_deal -e form=köp -e counterparty=X -e value_sek=1 "
                  "-e decided_date=2022-02-14 --as anna")
    assert refused.exit_code == 2 and "Direktupphandling" in refused.stderr
    cli.ok(f"advance harjedalen record_first_deal -e form={typed} -e counterparty='Återbruket ek. för.' "
           "-e value_sek=45000 -e decided_date=2022-02-14 --as anna")
    last = json.loads(cli.ok("history Härjedalen --json").output)["entries"][-1]
    assert last["evidence"]["deal"]["form"] in {"direct_award", "reserved_procurement"}


def test_why_shows_labels_with_the_id_to_type_beside_them(cli: Cli) -> None:
    cli.ok("municipalities seed")
    cli.ok("open Härjedalen --as anna")
    for trigger, evidence in JOURNEY[:4]:
        cli.ok(f"advance harjedalen {trigger} {evidence} --as anna")
    text = cli.ok("why Härjedalen").output
    assert "is in: Förankring i ansvarig nämnd [pågår]" in text
    assert "Beslut om ansvarig nämnd (anchor_in_board)  ->  Politisk viljeinriktning" in text
    assert "Samordnande funktion i förvaltningen (officials_function)" in text
    assert "Sammanträdesdatum (meeting_date)" in text
    data = json.loads(cli.ok("why Härjedalen --json").output)
    assert data["status"] == "ACTIVE" and data["status_label"] == "pågår"
    step = next(s for s in data["steps"] if s["trigger"] == "anchor_in_board")
    guard = next(g for g in step["guards"] if g["name"] == "responsible_board")
    assert {"name": "officials_function", "label": "Samordnande funktion i förvaltningen", "required": True,
            "choices": []} in guard["fields"]


def test_status_and_history_show_titles_and_keep_ids_in_json(cli: Cli) -> None:
    cli.ok("municipalities seed")
    cli.ok("open Härjedalen --as anna")
    for trigger, evidence in JOURNEY[:-1]:
        cli.ok(f"advance harjedalen {trigger} {evidence} --as anna")
    status = cli.ok("status Härjedalen").output
    assert "Status          pågår" in status and "ACTIVE" not in status
    assert "Första affären genomförd by anna" in status and "record_first_deal" not in status
    assert "Uppföljning rapporterad till nämnd" in status and "start_follow_up" not in status
    listing = cli.ok("status").output
    assert [r["municipality"] for r in json.loads(cli.ok("monitor --status pågår --json").output)["rows"]] == [
        "Härjedalen"]
    assert json.loads(cli.ok("monitor --status pausad --json").output)["rows"] == []
    assert "pågår" in listing and "ACTIVE" not in listing and "start_follow_up" not in listing
    text = cli.ok("history Härjedalen").output
    for shown in ("Utvecklingsresan påbörjad", "Policy antagen", "Första affären genomförd",
                  "Handlingsplan -> Intern samverkansgrupp bildas, Dialog med sociala företag byggs upp",
                  "Affärsform: IOP (idéburet offentligt partnerskap)",
                  "Dokumenttyp: Riktlinje", "Samordnande funktion i förvaltningen: Arbetsmarknadsenheten"):
        assert shown in text, shown
    for hidden in ("record_first_deal", "adopt_policy", "officials_function", "form=iop", "action_plan ->"):
        assert hidden not in text, hidden
    data = json.loads(cli.ok("status Härjedalen --json").output)
    assert (data["status"], data["status_label"]) == ("ACTIVE", "pågår")
    assert data["next_triggers"] == ["record_deal", "start_follow_up"]
    assert data["next_titles"] == ["Ytterligare affär registrerad", "Uppföljning rapporterad till nämnd"]
    assert (data["last_change"]["trigger"], data["last_change"]["title"]) == ("record_first_deal",
                                                                            "Första affären genomförd")
    deal = json.loads(cli.ok("history Härjedalen --json").output)["entries"][-1]
    assert (deal["trigger"], deal["trigger_title"]) == ("record_first_deal", "Första affären genomförd")
    assert (deal["from_state"], deal["to_state"], deal["to_title"]) == (
        "collaboration.internal.established,collaboration.external.established", "business",
        "Affärer, partnerskap och upphandling")
    assert deal["evidence"]["deal"]["form"] == "iop"
    assert ["Affärsform", "IOP (idéburet offentligt partnerskap)"] in deal["evidence_labels"][0][1]


def test_hours_list_and_export_show_stage_titles_and_activity_labels(database_url: str, tmp_path: Path) -> None:
    from openpyxl import load_workbook

    from tests.test_hours import LATE, LOG

    cli = Cli(database_url, tmp_path, now=LATE)
    cli.ok("init")
    cli.ok("municipalities seed")
    cli.ok("users add admin --role admin")
    cli.ok("users add anna --role coordinator --municipality Umeå --as admin")
    cli.ok("people add Umeå --name 'Anna Berg' --salary-group 5 --as anna")
    cli.ok("open Umeå --as admin")
    cli.ok(f"{LOG} --date 2022-12-31 --hours 2 --as anna")
    text = cli.ok("hours list Umeå --year 2022 --as anna").output
    assert "Intresseanmälan" in text and "Behovsinventering" in text
    assert "\tinterest\t" not in text and "\tinventory\t" not in text
    xlsx = tmp_path / "tid.xlsx"
    cli.ok(f"hours export --year 2022 --xlsx {xlsx} --as admin")
    book = load_workbook(xlsx)
    assert list(book["Per etapp"].iter_rows(min_row=2, values_only=True)) == [("Umeå", "Intresseanmälan", 2)]
    header = [c.value for c in book["Tidrapport"][1]]
    (row,) = [dict(zip(header, r, strict=True)) for r in book["Tidrapport"].iter_rows(min_row=2, values_only=True)]
    assert "Intresseanmälan" in row.values() and "Behovsinventering" in row.values()
    assert "interest" not in row.values() and "inventory" not in row.values()


def test_a_correction_reads_by_field_labels_in_history_and_the_report(cli: Cli, tmp_path: Path) -> None:
    cli.ok("municipalities seed")
    cli.ok("open Härjedalen")
    for trigger, evidence in JOURNEY[:6]:
        cli.ok(f"advance Härjedalen {trigger} {evidence}")
    cli.ok("correct Härjedalen 6 -e diarienummer='KS 2022/171' --reason 'Felskrivet diarienummer' --as eva",
           JOURNEY_USER="eva")
    text = cli.ok("history Härjedalen").output
    assert "rättar #6: Diarienummer: KS 2022/117 → KS 2022/171" in text
    assert "[corrected in #8 by eva: Felskrivet diarienummer]" in text
    assert "board_decision.diarienummer" not in text
    cli.ok(f"report html {tmp_path / 'out'}")
    page = (tmp_path / "out" / "kommun" / "harjedalen.html").read_text(encoding="utf-8")
    assert "rättar #6: Diarienummer: KS 2022/117 → KS 2022/171" in page and "board_decision" not in page


def test_built_in_conditions_read_in_swedish_for_the_web_and_mails(cli: Cli) -> None:
    cli.ok("municipalities seed")
    cli.ok("open Härjedalen")
    for trigger, evidence in JOURNEY[:8]:  # ... adopt_action_plan: both collaboration regions start
        cli.ok(f"advance Härjedalen {trigger} {evidence}")
    data = json.loads(cli.ok("why Härjedalen --json").output)
    step = next(s for s in data["steps"] if s["trigger"] == "record_first_deal")
    guard = next(g for g in step["guards"] if g["name"] == "regions_complete")
    assert len(guard["lacking"]) == 2  # the English lines stay for the CLI
    assert guard["lacking_text"] == ["Intern samverkan är inte klar (nu: Intern samverkansgrupp bildas)",
                                     "Extern samverkan är inte klar (nu: Dialog med sociala företag byggs upp)"]


def test_missing_in_words_names_steps_onwards_only_and_their_needs_in_swedish(handbook: WorkflowCatalog) -> None:
    from journey.domain.explain import missing_in_words

    spec = handbook.get("handbook", 2)
    collaboration = spec.initial_leaves("collaboration")
    steps = {s["step"]: s["missing"] for s in missing_in_words(spec, collaboration)}
    assert steps["Första affären genomförd"][0] == "Intern samverkan är inte klar (nu: Intern samverkansgrupp bildas)"
    assert any(m.startswith("Genomförd affär eller partnerskap (Affärsform,") for m in steps["Första affären genomförd"])
    assert "Intern samverkansgrupp etablerad" in steps
    policy = [s["step"] for s in missing_in_words(spec, ("policy",))]
    assert policy == ["Policy antagen"]  # the avslag back to the political intent is no way onwards


def test_reminders_upcoming_names_the_state_by_its_title(cli: Cli) -> None:
    cli.ok("municipalities seed")
    cli.ok("open Härjedalen")
    for trigger, evidence in JOURNEY[:5]:  # political intent: its stall reminder is planned on entry
        cli.ok(f"advance Härjedalen {trigger} {evidence}")
    text = cli.ok("reminders upcoming Härjedalen").output
    assert "Viljeinriktning saknas efter 60 dagar" in text and "\tPolitisk viljeinriktning\t" in text
    assert "political_intent" not in text
    row = json.loads(cli.ok("reminders upcoming Härjedalen --json").output)[0]
    assert (row["state_path"], row["state_title"], row["status"], row["status_label"]) == (
        "political_intent", "Politisk viljeinriktning", "PLANNED", "planerad")


@pytest.mark.parametrize(("typed", "stored"), [("pågår", "ACTIVE"), ("Pausad", "PAUSED"), ("active", "ACTIVE"),
                                               ("AVSLUTAD", "COMPLETED"), ("avbruten", "WITHDRAWN"),
                                               ("withdrawn", "WITHDRAWN")])
def test_a_case_status_is_typed_as_its_stored_value_or_its_swedish_word(typed: str, stored: str) -> None:
    from journey.domain.labels import case_status, case_status_id

    assert case_status_id(typed) == stored
    assert case_status(stored) != stored


def test_a_matters_registered_facts_read_by_their_labels() -> None:
    from journey.domain.labels import entry_labels

    entry = {"kind": "REGISTERED", "trigger": None, "from_state": "policy", "to_state": "policy",
             "evidence": {"matter": {"diarienummer": "KS 2022/31", "forvaltning": "Kommunledningsförvaltningen",
                                     "target_meeting": "2022-04-20"}}}
    assert entry_labels([], entry)["evidence_labels"] == [
        ["Ärendets uppgifter", [["Diarienummer", "KS 2022/31"], ["Förvaltning", "Kommunledningsförvaltningen"],
                                ["Målsammanträde", "2022-04-20"]]]]


def test_evidence_journey_writes_itself_reads_as_swedish_labels() -> None:
    """A missed meeting, a case migration and an automatic step's awarded deal: no workflow declares
    their evidence, so their labels are journey's own (and the kinds are the ones journey writes)."""
    from journey.domain.deadlines import MISSED
    from journey.domain.guards import DEAL_AWARDED
    from journey.domain.labels import SYSTEM_EVIDENCE, entry_labels

    assert {MISSED, DEAL_AWARDED, "migration"} <= set(SYSTEM_EVIDENCE)
    evidence = {MISSED: {"board": "KS", "meeting_date": "2022-04-20", "outcome": "inget beslut"},
                DEAL_AWARDED: {"deal": 1, "form": "iop", "counterparty": "Kafé Kroken ek. för.", "status": "AWARDED",
                               "status_date": "2022-05-02"},
                "migration": {"run": 3, "workflow": "handbook", "from_version": 1, "to_version": 2}}
    lines = entry_labels([], {"kind": "ADVANCED", "evidence": evidence})["evidence_labels"]
    assert lines == [
        ["Sammanträde utan beslut", [["Organ", "KS"], ["Sammanträdesdatum", "2022-04-20"], ["Utfall", "inget beslut"]]],
        ["Tilldelad affär", [["Affär", "1"], ["Form", "IOP (idéburet offentligt partnerskap)"],
                             ["Motpart", "Kafé Kroken ek. för."], ["Status", "tilldelad/avtal tecknat"],
                             ["Statusdatum", "2022-05-02"]]],
        ["Byte av arbetsflödets version", [["Migreringskörning", "3"], ["Arbetsflöde", "handbook"],
                                           ["Från version", "1"], ["Till version", "2"]]]]
