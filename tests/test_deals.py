"""The deals register through the real CLI on SQLite and PostgreSQL (issue #10).

Forms, status over time, the conditions of reserved procurement, the direktupphandling limit on
both sides of 2022-02-01, sociala hänsyn as an attribute of a procurement, the business stage
reached by the first awarded deal, monitoring, and bad input that changes nothing.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import ROOT, WORKFLOWS, Cli
from tests.test_cli_bad_input import assert_one_line_error
from tests.test_documents import docx_text
from tests.test_journey_cli import JOURNEY

DEALS_WORKFLOW = ROOT / "tests" / "data" / "workflows" / "deals" / "handbook-deals.yaml"
# Organisationsnummer with a correct Luhn digit (made up for the tests).
KROKEN, RETURNIA, FRUKT, TVATT = "769612-3459", "802456-7896", "556677-8899", "716421-9870"
IOP = (f"--form IOP --counterparty 'Kafé Kroken ek. för.' --org-nr {KROKEN} --value 450000 --per total "
       "--start 2022-03-01 --end 2024-02-29")


def past_letter(cli: Cli, municipality: str = "Söderhamn", steps: int = 2, workflow: str = "") -> Cli:
    """The municipality's case with the interest registered and the letter of intent signed."""
    cli.ok("municipalities seed")
    cli.ok(f"open {municipality} --as anna" + (f" --workflow {workflow}" if workflow else ""))
    for trigger, evidence in JOURNEY[:steps]:
        cli.ok(f"advance {municipality} {trigger} {evidence} --as anna")
    return cli


def deals(cli: Cli, municipality: str = "Söderhamn") -> list[dict[str, Any]]:
    return json.loads(cli.ok(f"deals list {municipality} --json").output)  # type: ignore[no-any-return]


def show(cli: Cli, number: int, municipality: str = "Söderhamn") -> dict[str, Any]:
    return json.loads(cli.ok(f"deals show {municipality} {number} --json").output)  # type: ignore[no-any-return]


def documents(cli: Cli, municipality: str = "Söderhamn") -> list[dict[str, Any]]:
    return json.loads(cli.ok(f"documents list {municipality} --json").output)["documents"]  # type: ignore[no-any-return]


def status(cli: Cli, municipality: str = "Söderhamn") -> dict[str, Any]:
    return json.loads(cli.ok(f"status {municipality} --json").output)  # type: ignore[no-any-return]


@pytest.fixture
def deals_cli(cli: Cli, tmp_path: Path) -> Cli:
    """The CLI with the handbook-deals workflow: business is reached by the first awarded deal."""
    folder = tmp_path / "workflows"
    folder.mkdir()
    shutil.copy(WORKFLOWS / "handbook.yaml", folder)
    shutil.copy(DEALS_WORKFLOW, folder)
    cli.env["JOURNEY_WORKFLOWS_DIR"] = str(folder)
    return cli


def test_every_form_is_recorded_by_id_or_swedish_name_any_time_after_the_letter_of_intent(cli: Cli) -> None:
    past_letter(cli)
    for form in ("IOP", "'Reserverad Upphandling'", "direktupphandling", "'ANNONSERAD upphandling'", "lov",
                 "Bidrag"):
        cli.ok(f"deals add Söderhamn --form {form} --as anna")
    rows = deals(cli)
    assert [(r["number"], r["form"], r["status"]) for r in rows] == [
        (1, "iop", "PLANNED"), (2, "reserved_procurement", "PLANNED"), (3, "direct_award", "PLANNED"),
        (4, "advertised_procurement", "PLANNED"), (5, "lov", "PLANNED"), (6, "grant", "PLANNED")]
    assert [r["form_title"] for r in rows] == ["IOP (idéburet offentligt partnerskap)", "Reserverad upphandling",
                                               "Direktupphandling", "Annonserad upphandling",
                                               "Valfrihetssystem (LOV)", "Bidrag"]
    assert status(cli)["stage"] == "local_team"  # the register is independent of stages


def test_a_deal_before_the_letter_of_intent_is_refused_and_nothing_is_saved(cli: Cli) -> None:
    past_letter(cli, steps=1)  # interest registered, letter of intent not yet signed
    result = cli(f"deals add Söderhamn {IOP} --status tilldelad --date 2022-02-20 --as anna")
    assert_one_line_error(result, 3, "letter of intent", "'letter_of_intent'")
    assert deals(cli) == [] and documents(cli) == [d for d in documents(cli) if d["doc_id"] == "avsiktsforklaring"]


@pytest.mark.parametrize(
    ("options", "code", "fragments"),
    [
        ("--form iop --counterparty X --org-nr 769612-3458", 2, ["organisationsnummer '769612-3458'", "Luhn"]),
        ("--form iop --org-nr 19769612-3459", 2, ["10-digit form", "769612-3459"]),
        ("--form iop --org-nr 76961-23459", 2, ["must be 10 digits"]),
        ("--form partnerskap", 2, ["form 'partnerskap' is unknown", "reserverad upphandling"]),
        ("--form 'sociala hänsyn'", 2, ["not a form of deal", "--social-considerations"]),
        ("--form iop --value 450000.50 --per total", 2, ["--value '450000.50' must be a whole number of kronor"]),
        ("--form iop --value 450000", 2, ["--value needs --per total"]),
        ("--form iop --value 1000 --per month", 2, ["--per 'month'"]),
        ("--form iop --status klar", 2, ["status 'klar' is unknown"]),
        ("--form iop --status planerad --date 2022-03-02", 2, ["after today"]),
        ("--form iop --start 2022-05-01 --end 2022-04-01", 2, ["before its start"]),
        ("--form iop --status annonserad", 3, ["not advertised"]),
        ("--form iop --status tilldelad", 3, ["needs its counterparty"]),
        ("--form iop --social-considerations Sysselsättningskrav", 3, ["belong to a procurement"]),
        ("--form 'reserverad upphandling' --reserved-share 25", 3, ["at least 30 %", "25 % was stated"]),
        ("--form bidrag --reserved-share 40", 3, ["belong to a reserverad upphandling"]),
    ],
)
def test_bad_deal_input_is_one_line_with_its_exit_code_and_changes_nothing(cli: Cli, options: str, code: int,
                                                                           fragments: list[str]) -> None:
    past_letter(cli)
    cli.ok(f"deals add Söderhamn {IOP} --as anna")
    before = (deals(cli), documents(cli))
    assert_one_line_error(cli(f"deals add Söderhamn {options} --as anna"), code, *fragments)
    assert (deals(cli), documents(cli)) == before


def test_status_moves_forward_over_time_and_every_change_is_kept(cli: Cli) -> None:
    past_letter(cli)
    cli.ok(f"deals add Söderhamn {IOP} --date 2022-01-10 --comment 'Dialog inledd' --as anna")
    cli.ok("deals update Söderhamn 1 --status 'avtal tecknat' --date 2022-02-14 --dnr 'KS 2022/318' "
           "--comment 'Beslut i KS' --as anna")
    cli.ok("deals update Söderhamn 1 --status Pågående --date 2022-03-01 --as eva")
    deal = show(cli, 1)
    assert (deal["status"], deal["status_date"], deal["decided_date"]) == ("ONGOING", "2022-03-01", "2022-02-14")
    assert [(e["kind"], e["status"], e["date"], e["actor"], e["comment"]) for e in deal["history"]] == [
        ("ADDED", "PLANNED", "2022-01-10", "anna", "Dialog inledd"),
        ("STATUS", "AWARDED", "2022-02-14", "anna", "Beslut i KS"),
        ("STATUS", "ONGOING", "2022-03-01", "eva", "")]
    assert deal["history"][1]["changes"] == {"decided_date": [None, "2022-02-14"], "diarienummer": ["", "KS 2022/318"]}
    before = show(cli, 1)
    for options, code, fragment in (("--status planerad", 3, "cannot go back from pågående to planerad"),
                                    ("--status annonserad", 3, "cannot go back"),
                                    ("--status avslutad --date 2022-02-01", 2, "before the date of the current status"),
                                    ("--date 2022-03-01", 2, "--date is the day of a status change"),
                                    ("", 2, "nothing to update")):
        assert_one_line_error(cli(f"deals update Söderhamn 1 {options} --as anna"), code, fragment)
    assert show(cli, 1) == before
    cli.ok("deals update Söderhamn 1 --status avslutad --as anna")
    assert_one_line_error(cli("deals update Söderhamn 1 --status pågående --as anna"), 3, "avslutad",
                          "cannot change any more")
    assert_one_line_error(cli("deals update Söderhamn 7 --status avbruten --as anna"), 4, "no deal 7", "deals: 1")


def test_deal_history_is_append_only_in_the_database(cli: Cli, database_url: str) -> None:
    from sqlalchemy import create_engine, text

    from journey.adapters.sql.urls import normalize_url

    past_letter(cli)
    cli.ok(f"deals add Söderhamn {IOP} --as anna")
    engine = create_engine(normalize_url(database_url))
    try:
        for statement in ("UPDATE deal_event SET comment = 'x'", "DELETE FROM deal_event"):
            with engine.connect() as conn, pytest.raises(Exception, match="append-only"):
                conn.execute(text(statement))
    finally:
        engine.dispose()
    assert len(show(cli, 1)["history"]) == 1


def test_a_deal_is_shown_in_swedish_with_its_changes_and_documents_by_name(cli: Cli) -> None:
    """`deals show` as a coordinator reads it: changed facts by their Swedish labels, the documents by title."""
    past_letter(cli)
    missing = cli("deals show Söderhamn 1", JOURNEY_LANG="sv")
    assert missing.exit_code == 4 and "Söderhamn har ingen affär 1 (affärer: inga ännu)" in missing.stderr
    cli.ok(f"deals add Söderhamn {IOP} --date 2022-01-10 --as anna")
    cli.ok("deals update Söderhamn 1 --value 500000 --title 'Kafédrift' --comment 'Nytt belopp' --as anna")
    out = cli.ok("deals show Söderhamn 1", JOURNEY_LANG="sv").output
    history = [line.split("\t") for line in out.splitlines() if line[:2] in ("1\t", "2\t")]
    assert [row[4] for row in history] == ["tillagd", "Rubrik: – → Kafédrift; Värde (kr): 450000 → 500000"], out
    assert "  IOP-avtal med Kafé Kroken ek. för. (utkast) v2 docx: " in out and "deal1_iop_avtal" not in out, out
    assert show(cli, 1)["history"][1]["change_text"] == "Rubrik: – → Kafédrift; Värde (kr): 450000 → 500000"


def test_reserved_procurement_records_the_conditions_of_lou_4_kap_18(cli: Cli) -> None:
    past_letter(cli)
    cli.ok("deals add Söderhamn --form 'reserverad upphandling' --title Fruktkorgar --status annonserad "
           "--date 2022-01-15 --value 300000 --per year --start 2022-04-01 --end 2024-03-31 --as anna")
    award = f"deals update Söderhamn 1 --status tilldelad --counterparty 'Frukt & Grönt ek. för.' --org-nr {FRUKT}"
    assert_one_line_error(cli(f"{award} --as anna"), 3, "needs the conditions of LOU 4 kap. 18 §")
    assert_one_line_error(cli(f"{award} --no-reserved-main-aim --reserved-share 45 --as anna"), 3, "main aim")
    assert_one_line_error(cli(f"{award} --reserved-main-aim --reserved-share 29 --as anna"), 3, "at least 30 %")
    assert show(cli, 1)["status"] == "ADVERTISED"
    cli.ok(f"{award} --reserved-main-aim --reserved-share 30 --as anna")
    deal = show(cli, 1)
    assert deal["reserved"] == {"main_aim": True, "share": 30} and deal["status"] == "AWARDED"
    shown = cli.ok("deals show Söderhamn 1", JOURNEY_LANG="sv").output
    assert "huvudsyfte social och yrkesmässig integrering: ja, andel ur målgrupperna: 30 %" in shown, shown
    assert (deal["value_sek"], deal["value_basis"], deal["per_year"]) == (300000, "per_year", True)


def test_the_direct_award_limit_is_the_one_of_the_decision_date(cli: Cli) -> None:
    past_letter(cli)
    award = f"deals add Söderhamn --form direktupphandling --counterparty Tvätten --org-nr {TVATT} --status tilldelad"
    before = cli(f"{award} --value 620000 --per total --date 2021-12-01 --as anna")
    assert_one_line_error(before, 3, "620000 kr", "615312 kr on 2021-12-01", "19 kap. 7 §")
    cli.ok(f"{award} --value 620000 --per total --date 2022-02-15 --as anna")
    deal = show(cli, 1)
    assert deal["limit"] | {"day_text": ""} == {
        "limit_sek": 700000, "day": "2022-02-15", "day_text": "", "basis": "decision", "value_sek": 620000,
        "months": None, "reference": "19 a kap. lagen (2016:1145) om offentlig upphandling"}
    assert_one_line_error(cli(f"{award} --value 750000 --per total --date 2022-02-15 --as anna"), 3,
                          "700000 kr on 2022-02-15", "19 a kap.")
    cli.ok(f"{award} --value 750000 --per total --date 2022-02-15 --special-services --as anna")
    assert show(cli, 2)["limit"]["limit_sek"] == 7802550
    # per year: counted for the whole period, or 48 months without an end date (LOU 5 kap. 13 §)
    cli.ok(f"{award} --value 300000 --per year --start 2022-03-01 --end 2024-02-29 --date 2022-02-20 --as anna")
    assert show(cli, 3)["limit"]["value_sek"] == 600000
    assert_one_line_error(cli(f"{award} --value 300000 --per year --start 2022-03-01 --date 2022-02-20 --as anna"),
                          3, "1200000 kr", "48 months")
    planned = cli("deals add Söderhamn --form direktupphandling --value 800000 --per total --as anna")
    assert planned.exit_code == 0 and "warning: the contract value 800000 kr" in planned.stderr
    assert show(cli, 4)["limit"]["basis"] == "today" and len(deals(cli)) == 4


def test_sociala_hansyn_are_requirements_inside_a_procurement(cli: Cli) -> None:
    past_letter(cli)
    cli.ok("deals add Söderhamn --form 'annonserad upphandling' --title Lokalvård --social-considerations "
           "'Krav på praktikplatser' --contract-conditions 'Sysselsättningskrav: två personer långt från "
           "arbetsmarknaden' --status annonserad --as anna")
    deal = show(cli, 1)
    assert deal["form"] == "advertised_procurement" and deal["social_considerations"] == "Krav på praktikplatser"
    assert deal["contract_conditions"].startswith("Sysselsättningskrav")
    assert_one_line_error(cli("deals add Söderhamn --form LOV --contract-conditions Krav --as anna"), 3,
                          "belong to a procurement under LOU", "not to LOV")


def walk_to_collaboration(cli: Cli) -> None:
    past_letter(cli, workflow="handbook-deals", steps=8)  # ... adopt_action_plan: in collaboration


def test_the_first_awarded_deal_takes_the_case_to_business_by_itself(deals_cli: Cli) -> None:
    cli = deals_cli
    walk_to_collaboration(cli)
    cli.ok(f"advance Söderhamn {JOURNEY[8][0]} {JOURNEY[8][1]} --as anna")
    cli.ok(f"advance Söderhamn {JOURNEY[9][0]} {JOURNEY[9][1]} --as anna")
    assert status(cli)["stage"] == "collaboration"
    cli.ok(f"deals add Söderhamn {IOP} --date 2022-02-01 --as anna")  # planned: nothing moves
    assert status(cli)["stage"] == "collaboration"
    why = json.loads(cli.ok("why Söderhamn --json").output)
    step = next(s for s in why["steps"] if s["trigger"] == "record_first_deal")
    assert step["automatic"] and not step["ready"]
    assert "no deal is awarded yet" in next(g for g in step["guards"] if g["name"] == "deal_awarded")["lacking"][0]
    out = cli.ok("deals update Söderhamn 1 --status tilldelad --date 2022-02-14 --as eva").output
    assert "collaboration.internal.established,collaboration.external.established -> business (record_first_deal, " \
           "automatic: deal 1 is awarded" in out
    assert status(cli)["stage"] == "business"
    last = json.loads(cli.ok("history Söderhamn --json").output)["entries"][-1]
    assert (last["trigger"], last["actor"], last["to_state"]) == ("record_first_deal", "eva", "business")
    assert last["evidence"]["deal_awarded"] | {"status_date": ""} == {
        "deal": 1, "form": "iop", "counterparty": "Kafé Kroken ek. för.", "org_number": KROKEN,
        "status": "AWARDED", "status_date": "", "decided_date": "2022-02-14"}
    assert last["comment"] == "automatiskt steg: affär 1 (IOP, Kafé Kroken ek. för.) är tilldelad/avtal tecknat"
    cli.ok(f"deals add Söderhamn --form bidrag --counterparty Returnia --org-nr {RETURNIA} --status tilldelad "
           "--as anna")  # a second deal: the case stays in business (follow-up needs its report)
    assert status(cli)["stage"] == "business"


def test_a_deal_awarded_early_moves_the_case_once_the_collaboration_is_complete(deals_cli: Cli) -> None:
    cli = deals_cli
    past_letter(cli, workflow="handbook-deals", steps=6)  # in policy
    cli.ok(f"deals add Söderhamn {IOP} --status tilldelad --date 2022-02-01 --as anna")
    assert status(cli)["stage"] == "policy"
    for trigger, evidence in JOURNEY[6:9]:
        cli.ok(f"advance Söderhamn {trigger} {evidence} --as anna")
    assert status(cli)["stage"] == "collaboration"
    out = cli.ok(f"advance Söderhamn {JOURNEY[9][0]} {JOURNEY[9][1]} --as anna").output
    assert "-> business (record_first_deal, automatic: deal 1 is awarded" in out
    assert status(cli)["stage"] == "business"
    triggers = [e["trigger"] for e in json.loads(cli.ok("history Söderhamn --json").output)["entries"]]
    assert triggers[-2:] == ["establish_internal_structure", "record_first_deal"]


def test_a_paused_case_does_not_move_by_itself_and_why_points_at_the_step(deals_cli: Cli) -> None:
    cli = deals_cli
    walk_to_collaboration(cli)
    for trigger, evidence in JOURNEY[8:10]:
        cli.ok(f"advance Söderhamn {trigger} {evidence} --as anna")
    cli.ok("case pause Söderhamn --reason Omorganisation --as anna")
    cli.ok(f"deals add Söderhamn {IOP} --status tilldelad --date 2022-02-14 --as anna")
    assert status(cli)["stage"] == "collaboration"
    text = cli.ok("why Söderhamn").output
    assert "automatic: taken by itself" in text and "awarded: affär 1 (IOP, Kafé Kroken ek. för.)" in text
    assert "try:      journey advance Söderhamn record_first_deal" in text
    cli.ok("case resume Söderhamn --as anna")
    cli.ok("advance Söderhamn record_first_deal --as anna")
    assert status(cli)["stage"] == "business"


def test_handbook_1_keeps_the_deal_as_evidence_of_its_step(cli: Cli) -> None:
    past_letter(cli, steps=10)  # handbook@1, both collaboration regions established
    cli.ok(f"deals add Söderhamn {IOP} --status tilldelad --date 2022-02-14 --as anna")
    assert status(cli)["stage"] == "collaboration"  # version 1 declares the `deal` evidence, not deal_awarded
    cli.ok(f"advance Söderhamn {JOURNEY[10][0]} {JOURNEY[10][1]} --as anna")
    assert status(cli)["stage"] == "business"


def _words(path: str) -> str:
    headings, body, header = docx_text(path)
    from docx import Document

    cells = "\n".join(c.text for t in Document(path).tables for r in t.rows for c in r.cells)
    return "\n".join([header, *body, cells])


def test_deal_documents_take_their_data_from_the_deal_record(cli: Cli) -> None:
    past_letter(cli, steps=3)  # the local team names the coordinator
    cli.ok("deals add Söderhamn --form 'reserverad upphandling' --title Fruktkorgar --dnr 'KS 2021/100' "
           "--status annonserad --date 2021-11-01 --as anna")
    cli.ok(f"deals add Söderhamn {IOP} --title 'Arbetsträning i kafé' --status tilldelad --date 2022-02-14 "
           "--dnr 'KS 2022/318' --purpose 'Fler personer långt från arbetsmarknaden får arbetsträning och "
           "anställning.' --target-group 'Personer med försörjningsstöd' --our-contribution 'Lokaler och "
           "handledning' --their-contribution 'Verksamhet, handledare och ideella insatser' --contact 'Anna Berg' "
           "--counterparty-contact 'Karin Kroken' --as anna")
    cli.ok(f"deals add Söderhamn --form direktupphandling --title 'Tvätt av arbetskläder' --counterparty Tvätten "
           f"--org-nr {TVATT} --value 300000 --per year --start 2022-03-01 --end 2024-02-29 --status tilldelad "
           "--date 2022-02-20 --dnr 'KS 2022/330' --need 'Tvätt av arbetskläder för hemtjänsten' "
           "--suppliers 'Tvätten, Rena Kläder AB, Stora Tvätteriet AB' --choice-reason 'Lägst pris och "
           "arbetsintegrering' --contact 'Anna Berg' --as anna")
    docs = {(d["doc_id"], d["format"]): d for d in documents(cli)}
    assert ("deal1_iop_avtal", "docx") not in docs  # a reserved procurement has no document here
    iop = _words(docs[("deal2_iop_avtal", "docx")]["path"])
    award = _words(docs[("deal3_direktupphandling", "docx")]["path"])
    for text in (iop, award):
        assert "[ange" not in text and "[handläggare]" not in text and "[diarienummer]" not in text
        assert "[organisationsnummer]" not in text and "[leverantör]" not in text
    assert "Dnr: KS 2022/318" in iop and "Handläggare: Anna Berg" in iop
    assert f"Kafé Kroken ek. för., organisationsnummer {KROKEN} (nedan kallad organisationen)" in iop
    assert "Kommunens ekonomiska bidrag är sammanlagt 450\u00a0000\u00a0kr för hela avtalsperioden." in iop
    assert "kr per år" not in iop  # recorded as a total: never turned into a yearly amount
    assert "Avtalet gäller från och med den 1 mars 2022 till och med den 29 februari 2024." in iop
    for fact in ("Personer med försörjningsstöd", "Lokaler och handledning", "Karin Kroken", "Fler personer långt"):
        assert fact in iop
    for heading in ("Parter", "Bakgrund och syfte", "Målgrupp", "Parternas insatser", "Avtalsperiod", "Uppföljning",
                    "Ekonomisk redovisning", "Uppsägning och hävning", "Återbetalning", "Personuppgifter",
                    "Ändringar och tillägg", "Kontaktpersoner", "Tvister", "Bilaga: Förvaltningens bedömning inför "
                    "beslut", "Lagen om offentlig upphandling", "Statsstöd", "Kommunallagen"):
        assert f"\n{heading}\n" in f"\n{iop}\n", heading
    assert "2 kap. 8 § kommunallagen (2017:725)" in iop and "de minimis" in iop
    assert "Dnr: KS 2022/330" in award and "KS 2021/100" not in award  # this deal's diarienummer only
    assert "300\u00a0000\u00a0kr per år exklusive moms" in award
    assert "Kontraktets värde att jämföra med gränsen är 600\u00a0000\u00a0kr (300\u00a0000\u00a0kr per år under 24 " \
           "månader)." in award
    assert "Direktupphandlingen beslutades den 20 februari 2022. Då gällde 19 a kap. lagen (2016:1145) om " \
           "offentlig upphandling med en direktupphandlingsgräns på 700\u00a0000\u00a0kr exklusive moms." in award
    for fact in ("Rena Kläder AB", "Stora Tvätteriet AB", "Lägst pris och arbetsintegrering", "Tvätt av arbetskläder"):
        assert fact in award
    # a change renders a new revision; reading does not; rendering on demand adds another
    cli.ok("deals update Söderhamn 2 --value 225000 --per year --comment 'Nytt belopp' --as anna")
    cli.ok("deals show Söderhamn 2")
    cli.ok("deals documents Söderhamn 2 --format md --as anna")
    revisions = sorted((d["revision"], d["reason"], d["format"]) for d in documents(cli)
                       if d["doc_id"] == "deal2_iop_avtal")
    assert revisions == [(1, "ENTERED", "docx"), (1, "ENTERED", "html"), (2, "CHANGED", "docx"),
                         (2, "CHANGED", "html"), (3, "REGENERATED", "md")]
    v2 = next(d for d in documents(cli) if d["doc_id"] == "deal2_iop_avtal" and d["revision"] == 2
              and d["format"] == "docx")
    assert "Kommunens ekonomiska bidrag är 225\u00a0000\u00a0kr per år under avtalsperioden, sammanlagt högst " \
           "450\u00a0000\u00a0kr för 24 månader." in _words(v2["path"])
    assert_one_line_error(cli("deals documents Söderhamn 1 --as anna"), 4, "has no documents")
    assert_one_line_error(cli("documents render Söderhamn deal2_iop_avtal --as anna"), 4, "journey deals documents")


def test_a_failing_deal_template_never_fails_the_deal_its_documents_wait(cli: Cli, tmp_path: Path) -> None:
    """Issue #14 §3 for deals: the deal is saved first, its documents are rendered after; a failing one waits."""
    templates = tmp_path / "templates"
    shutil.copytree(ROOT / "templates", templates)
    override = templates / "municipalities" / "soderhamn" / "documents" / "iop_avtal.html.j2"
    override.parent.mkdir(parents=True)
    override.write_text("<p>{{ deal.no_such_fact.value }}</p>", encoding="utf-8")
    env = {"JOURNEY_TEMPLATES_DIR": str(templates)}
    past_letter(cli, steps=2)
    result = cli(f"deals add Söderhamn {IOP} --as anna", **env)
    assert result.exit_code == 0, result.output
    assert result.output.startswith("Söderhamn: deal 1 added"), result.output
    [warning] = result.stderr.strip().splitlines()
    assert warning.startswith("Documents not rendered yet (Affär 1: IOP-avtal): ") and "no_such_fact" in warning
    assert [d["number"] for d in deals(cli)] == [1] and documents(cli) == [d for d in documents(cli)
                                                                           if not d["doc_id"].startswith("deal")]
    cli.ok("deals update Söderhamn 1 --value 225000 --per year --as anna", **env)  # a second change, a second job
    jobs = json.loads(cli.ok("documents waiting Söderhamn --json", **env).output)
    assert [(j["reason"], j["documents"][0]["doc_id"], j["documents"][0]["title"]) for j in jobs] == [
        ("ENTERED", "deal1_iop_avtal", "Affär 1: IOP-avtal"), ("CHANGED", "deal1_iop_avtal", "Affär 1: IOP-avtal")]
    assert "Affär 1: IOP-avtal" in cli.ok("documents waiting Söderhamn", **env).output

    override.unlink()  # the template fixed: each change's documents are rendered once, in order
    cli.ok("documents retry Söderhamn --as anna", **env)
    rendered = sorted((d["revision"], d["reason"], d["format"]) for d in documents(cli)
                      if d["doc_id"] == "deal1_iop_avtal")
    assert rendered == [(1, "ENTERED", "docx"), (1, "ENTERED", "html"), (2, "CHANGED", "docx"), (2, "CHANGED", "html")]
    assert len(show(cli, 1)["documents"]) == 4
    assert json.loads(cli.ok("documents waiting Söderhamn --json", **env).output) == []
    cli.ok("documents retry Söderhamn --as anna", **env)
    assert len([d for d in documents(cli) if d["doc_id"] == "deal1_iop_avtal"]) == 4  # nothing twice


def test_monitoring_counts_deals_and_keeps_totals_and_yearly_values_apart(cli: Cli, tmp_path: Path) -> None:
    past_letter(cli)
    past_letter(cli, "Umeå")
    cli.ok(f"deals add Söderhamn {IOP} --status tilldelad --date 2022-02-14 --as anna")
    cli.ok(f"deals add Söderhamn --form direktupphandling --counterparty Tvätten --org-nr {TVATT} --value 300000 "
           "--per year --start 2022-03-01 --end 2024-02-29 --status pågående --date 2022-03-01 --as anna")
    cli.ok("deals add Söderhamn --form LOV --value 900000 --per year --as anna")  # planned: counted, not valued
    cli.ok(f"deals add Söderhamn --form bidrag --counterparty Returnia --org-nr {RETURNIA} --value 50000 --per total "
           "--as anna")
    cli.ok("deals update Söderhamn 4 --status avbruten --comment 'Drogs tillbaka' --as anna")
    cli.ok(f"deals add Umeå --form 'annonserad upphandling' --counterparty 'Frukt & Grönt ek. för.' --org-nr {FRUKT} "
           "--value 1200000 --per total --status tilldelad --date 2022-01-20 --as anna")
    data = json.loads(cli.ok("monitor --json").output)
    rows = {r["municipality"]: r["deals"] for r in data["rows"]}
    soderhamn = rows["Söderhamn"]
    assert {k: soderhamn[k] for k in ("count", "planned", "awarded", "cancelled", "value_total_sek",
                                      "value_per_year_sek")} == {
        "count": 3, "planned": 1, "awarded": 2, "cancelled": 1, "value_total_sek": 450000, "value_per_year_sek": 300000}
    assert soderhamn["by_form"]["direct_award"] == {"count": 1, "awarded": 1, "value_total_sek": 0,
                                                   "value_per_year_sek": 300000}
    assert rows["Umeå"]["value_total_sek"] == 1200000 and rows["Tierp"]["count"] == 0
    network = data["deals"]
    assert (network["count"], network["awarded"], network["value_total_sek"], network["value_per_year_sek"],
            network["municipalities"]) == (4, 3, 1650000, 300000, 2)
    forms = {f["form"]: f for f in network["forms"]}
    assert forms["advertised_procurement"]["title"] == "Annonserad upphandling"
    assert forms["lov"] | {"title": ""} == {"form": "lov", "title": "", "count": 1, "awarded": 0,
                                           "value_total_sek": 0, "value_per_year_sek": 0}
    out = cli.ok(f"monitor --xlsx {tmp_path / 's.xlsx'} --csv {tmp_path / 's.csv'}")
    assert out.exit_code == 0
    from openpyxl import load_workbook

    sheet = load_workbook(tmp_path / "s.xlsx")["Affärer per form"]
    table = {r[0]: r[1:] for r in sheet.iter_rows(min_row=2, values_only=True)}
    assert table["IOP (idéburet offentligt partnerskap)"] == (1, 1, 450000, 0)
    assert table["Direktupphandling"] == (1, 1, 0, 300000)
    header = (tmp_path / "s.csv").read_text(encoding="utf-8-sig").splitlines()[0]
    assert header.endswith("Affärer;Tilldelade affärer;Värde totalt (kr);Värde per år (kr)")
    cli.ok(f"report html {tmp_path / 'site'}")
    index = (tmp_path / "site" / "index.html").read_text(encoding="utf-8")
    assert "Affärer i nätverket" in index and "1\u00a0650\u00a0000\u00a0kr" in index
    page = (tmp_path / "site" / "kommun" / "soderhamn.html").read_text(encoding="utf-8")
    assert "Kafé Kroken ek. för." in page and "300\u00a0000\u00a0kr per år" in page and "avbruten" in page


def test_a_coordinator_records_deals_of_their_own_municipality_only(cli: Cli) -> None:
    past_letter(cli)
    past_letter(cli, "Umeå")
    cli.ok("users add ada --role admin")
    cli.ok("users add anna --role coordinator --municipality Söderhamn --as ada")
    cli.ok("deals add Söderhamn --form iop --as anna")
    assert_one_line_error(cli("deals add Umeå --form iop --as anna"), 6, "may not change case for Umeå")
    assert [r["municipality"] for r in json.loads(cli.ok("deals list --json --as anna").output)] == ["Söderhamn"]
