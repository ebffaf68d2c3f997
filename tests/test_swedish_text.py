"""Swedish as officials write it (#13): formal municipality names from SCB's list, definite forms, genitives,
dates, the direktupphandling limit by decision date, and the wording of rendered documents."""

from __future__ import annotations

import json
import re
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest

from journey.adapters.documents.renderer import SandboxRenderer
from journey.definitions.catalog import WorkflowCatalog
from journey.domain.case import HistoryEntry, HistoryKind
from journey.domain.kommuner import KOMMUNER, by_code
from journey.domain.language import (
    board_forms,
    genitive,
    in_text,
    noun_forms,
    recipient_line,
    running_date,
    title_in_text,
)
from journey.domain.municipality import NETWORK_MUNICIPALITIES, Municipality, formal_name, slugify
from journey.domain.procurement import direct_award_limit
from journey.services.documents.context import build_context, sample_history
from tests.conftest import TEMPLATES, WORKFLOWS, Cli

NOW = datetime(2022, 6, 14, 9, 0, tzinfo=UTC)
NETWORK = {"Helsingborg": "Helsingborgs stad", "Hudiksvall": "Hudiksvalls kommun", "Härjedalen": "Härjedalens kommun",
           "Karlstad": "Karlstads kommun", "Laxå": "Laxå kommun", "Malmö": "Malmö stad", "Mölndal": "Mölndals stad",
           "Sölvesborg": "Sölvesborgs kommun", "Söderhamn": "Söderhamns kommun", "Tierp": "Tierps kommun",
           "Uddevalla": "Uddevalla kommun", "Umeå": "Umeå kommun"}
STAD = {"Borås Stad", "Göteborgs Stad", "Haparanda stad", "Helsingborgs stad", "Landskrona stad", "Lidingö stad",
        "Malmö stad", "Mölndals stad", "Solna stad", "Stockholms stad", "Sundbybergs stad", "Trollhättans stad",
        "Vaxholms stad", "Västerås stad"}


# --- the list of municipalities ---------------------------------------------------------------------------------

def test_all_290_municipalities_with_unique_four_digit_codes_in_21_counties() -> None:
    codes = [k.code for k in KOMMUNER]
    assert len(KOMMUNER) == 290 and len(set(codes)) == 290
    assert all(re.fullmatch(r"[0-9]{4}", c) and c.isascii() for c in codes)
    assert len({k.county for k in KOMMUNER}) == 21
    assert all(k.county.endswith(" län") for k in KOMMUNER)
    by_county: dict[str, set[str]] = {}
    for k in KOMMUNER:  # the first two digits of a kommunkod are its county's code
        by_county.setdefault(k.county, set()).add(k.code[:2])
    assert all(len(prefixes) == 1 for prefixes in by_county.values())
    assert len({k.name for k in KOMMUNER}) == len({k.formal_name for k in KOMMUNER}) == 290
    assert len({slugify(k.name) for k in KOMMUNER}) == 290  # file names, template folders, lookups
    assert (slugify("Håbo"), slugify("Habo"), slugify("Malmö")) == ("habo-0305", "habo-0643", "malmo")


def test_formal_names_of_the_network_and_the_irregular_ones() -> None:
    assert {m.name: m.formal_name for m in NETWORK_MUNICIPALITIES} == NETWORK
    assert {k.formal_name for k in KOMMUNER if not k.formal_name.endswith(" kommun")} == STAD | {"Region Gotland"}
    assert [by_code(c).formal_name for c in ("2080", "0880", "1421", "0980", "2514", "1489")] == [  # type: ignore[union-attr]
        "Falu kommun", "Kalmar kommun", "Orust kommun", "Region Gotland", "Kalix kommun", "Alingsås kommun"]
    assert by_code("9999") is None


@pytest.mark.parametrize(("name", "code", "formal"), [
    ("Falun", "", "Falu kommun"), ("malmo", "1280", "Malmö stad"), ("Göteborg", "", "Göteborgs Stad"),
    ("Exempelby", "0000", "Exempelby kommun"), ("Testköping", "1280", "Testköpings kommun"),  # not Malmö's name
    ("Nordby kommun", "", "Nordby kommun"),
])
def test_formal_name_comes_from_the_list_by_code_or_name_and_otherwise_from_the_rule(name: str, code: str,
                                                                                      formal: str) -> None:
    assert formal_name(name, code) == formal
    assert Municipality(None, code, name).formal_name == formal


# --- language helpers ---------------------------------------------------------------------------------------------

@pytest.mark.parametrize(("noun", "definite", "this", "one"), [
    ("riktlinje", "riktlinjen", "denna riktlinje", "en riktlinje"), ("policy", "policyn", "denna policy", "en policy"),
    ("program", "programmet", "detta program", "ett program"), ("strategi", "strategin", "denna strategi",
                                                                 "en strategi"),
    ("plan", "planen", "denna plan", "en plan"),
    ("Näringslivsprogram", "näringslivsprogrammet", "detta näringslivsprogram", "ett näringslivsprogram"),
])
def test_definite_forms_are_looked_up_not_built(noun: str, definite: str, this: str, one: str) -> None:
    forms = noun_forms(noun)
    assert (forms.definite, forms.this, forms.one) == (definite, this, one)


def test_genitives_bodies_in_text_and_dates() -> None:
    assert [genitive(n) for n in ("Kommunstyrelsen", "KS", "SKR", "Borås", "Kalix", "Söderhamns kommun")] == [
        "Kommunstyrelsens", "KS:s", "SKR:s", "Borås", "Kalix", "Söderhamns kommuns"]
    assert [in_text(n) for n in ("Kommunstyrelsen", "KS", "Barn- och utbildningsnämnden")] == [
        "kommunstyrelsen", "KS", "barn- och utbildningsnämnden"]
    assert title_in_text("Riktlinje för arbetet med sociala företag") == "riktlinje för arbetet med sociala företag"
    assert title_in_text("Hudiksvalls riktlinje") == "Hudiksvalls riktlinje"
    assert board_forms("amn") == {"name": "Arbetsmarknadsnämnden", "in_text": "arbetsmarknadsnämnden",
                                  "genitive": "arbetsmarknadsnämndens"}
    assert board_forms("kulturnämnden")["name"] == "Kulturnämnden"  # may start a sentence
    assert running_date(date(2022, 6, 14)) == "den 14 juni 2022"
    assert running_date(date(2022, 4, 20), weekday=True) == "onsdagen den 20 april 2022"


def test_recipient_lines_name_the_role_and_the_municipality() -> None:
    assert recipient_line("board_chair", "Härjedalens kommun", "KS") == "kommunstyrelsens ordförande, Härjedalens kommun"
    assert recipient_line("board_secretary", "Malmö stad", "Funktionsstödsnämnden") == \
        "funktionsstödsnämndens sekreterare, Malmö stad"
    assert recipient_line("coordinator", "Laxå kommun") == "lokal projektsamordnare, Laxå kommun"
    assert recipient_line("skr", "Laxå kommun") == "SKR:s processtödjare för Laxå kommun"


# --- direktupphandling --------------------------------------------------------------------------------------------

def test_direct_award_limit_follows_the_decision_date() -> None:
    before, after = direct_award_limit(date(2022, 1, 31)), direct_award_limit(date(2022, 2, 1))
    assert (before.amount_sek, before.reference) == (626_284, "19 kap. 7 § lagen (2016:1145) om offentlig upphandling")
    assert (after.amount_sek, after.reference) == (700_000, "19 a kap. lagen (2016:1145) om offentlig upphandling")
    assert direct_award_limit(date(2021, 6, 1)).amount_sek == 615_312
    assert direct_award_limit(date(2020, 1, 1)).amount_sek == 615_312
    assert direct_award_limit(date(2025, 12, 31)).amount_sek == 700_000


def test_social_and_other_special_services_have_their_own_limit_from_2022_02_01() -> None:
    assert direct_award_limit(date(2021, 6, 1), special_services=True).amount_sek == 615_312  # same as goods then
    assert direct_award_limit(date(2022, 2, 1), special_services=True).amount_sek == 7_802_550
    assert direct_award_limit(date(2024, 1, 1), special_services=True).amount_sek == 8_109_450
    assert direct_award_limit(date(2026, 3, 1), special_services=True).amount_sek is None  # not known: no guess
    with pytest.raises(ValueError, match="2017-12-31"):
        direct_award_limit(date(2017, 12, 31))


# --- rendered documents -------------------------------------------------------------------------------------------

def _render(template: str, municipality: Municipality, *, history: list[HistoryEntry] | None = None,
            workflow: str = "handbook", settings: dict[str, Any] | None = None) -> str:
    name, _, version = workflow.partition("@")
    spec = WorkflowCatalog.from_directory(WORKFLOWS).get(name, int(version) if version else None)
    state, doc = next((s, d) for s in spec.all_states() for d in s.documents if d.template == template)
    if settings:
        from dataclasses import replace

        doc = replace(doc, settings=tuple({**dict(doc.settings), **settings}.items()))
    context = build_context(spec=spec, state=state, doc=doc, case_state=state.path, opened_at=NOW, now=NOW,
                            history=sample_history(spec, NOW) if history is None else history,
                            municipality={"name": municipality.name, "code": municipality.code,
                                          "county": municipality.county, "slug": "x"})
    [out] = SandboxRenderer(TEMPLATES).render([(template, context)])
    text = re.sub(r"<style>.*?</style>", "", out.html, flags=re.S)
    return re.sub(r"[ \t\r\n]+", " ", re.sub(r"<[^>]+>", " ", text))  # keeps the no-break spaces of amounts


FORBIDDEN = ("riktlinjeen", "policyen", "programen", "strategien", "Antagande av Riktlinje",
             "KS sammanträde", "minst 20 procent", "2023-02-28", "28 februari 2023", "Hej nämndens")
TEMPLATES_SHOWN = ("avsiktsforklaring", "tjansteskrivelse_ansvar", "tjansteskrivelse_policy", "riktlinje",
                   "handlingsplan", "uppdragsbeskrivning", "iop_avtal", "direktupphandling", "lagesrapport")


@pytest.mark.parametrize("municipality", NETWORK_MUNICIPALITIES, ids=lambda m: m.name)
def test_documents_use_the_formal_name_and_correct_swedish(municipality: Municipality) -> None:
    for template in TEMPLATES_SHOWN:
        for history in (None, []):  # with every evidence filled, and before any
            text = _render(template, municipality, history=history)
            assert municipality.formal_name in text, template
            assert f"{municipality.name} kommun" not in text or municipality.formal_name.startswith(
                f"{municipality.name} kommun"), template
            assert not [bad for bad in FORBIDDEN if bad in text], (template, text)


@pytest.mark.parametrize(("kind", "heading", "this", "definite"), [
    ("riktlinje", "Riktlinje för Söderhamns kommuns arbete", "Denna riktlinje anger", "att riktlinjen följs"),
    ("policy", "Policy för Söderhamns kommuns arbete", "Denna policy anger", "att policyn följs"),
    ("program", "Program för Söderhamns kommuns arbete", "Detta program anger", "att programmet följs"),
    ("strategi", "Strategi för Söderhamns kommuns arbete", "Denna strategi anger", "att strategin följs"),
    ("plan", "Plan för Söderhamns kommuns arbete", "Denna plan anger", "att planen följs"),
])
def test_steering_document_of_every_kind_in_its_own_forms(kind: str, heading: str, this: str, definite: str) -> None:
    soderhamn = next(m for m in NETWORK_MUNICIPALITIES if m.name == "Söderhamn")
    text = _render("riktlinje", soderhamn, history=[], settings={"document_type": kind})
    assert heading in text and this in text and definite in text


def test_avsiktsforklaring_before_the_grant_for_2021_2022_signed_by_the_municipality_only() -> None:
    text = _render("avsiktsforklaring", next(m for m in NETWORK_MUNICIPALITIES if m.name == "Härjedalen"))
    assert "Om projektet beviljas avser Härjedalens kommun" in text
    assert "Om projektet beviljas gäller avsiktsförklaringen under projektperioden 2021–2022." in text
    assert "motsvarande 20 procent av en heltid" in text
    assert ("Kommunens medfinansiering utgörs av deltagarnas arbetstid (cirka 500 timmar per år) och samordnarens "
            "arbetstid (20 procent av en heltid).") in text
    assert "En gång per år erbjuder SKR en lokal heldag i kommunen tillsammans med projektets processtödjare." in text
    signatures = text[text.index("Underskrifter"):]
    assert signatures.count("Ort och datum") == 2
    assert "Kommunchef" in signatures and "Kommunstyrelsens ordförande" in signatures
    assert "Sveriges Kommuner och Regioner" not in signatures and "SKR" not in signatures


def _deal(decided: str, form: str = "direct_award") -> list[HistoryEntry]:
    deal = {"form": form, "counterparty": "Gröna händer ek. för.", "value_sek": 240000, "decided_date": decided}
    return [HistoryEntry(0, HistoryKind.ADVANCED, None, "business", None, "anna", NOW, {"deal": deal}, "", 1)]


@pytest.mark.parametrize(("decided", "rule", "limit"), [
    ("2021-12-01", "Då gällde 19 kap. 7 § lagen (2016:1145) om offentlig upphandling", "615\u00a0312\u00a0kr"),
    ("2022-01-31", "Då gällde 19 kap. 7 § lagen (2016:1145) om offentlig upphandling", "626\u00a0284\u00a0kr"),
    ("2022-02-01", "Då gällde 19 a kap. lagen (2016:1145) om offentlig upphandling", "700\u00a0000\u00a0kr"),
])
def test_direktupphandling_document_states_the_rule_of_the_decision_date(decided: str, rule: str, limit: str) -> None:
    tierp = next(m for m in NETWORK_MUNICIPALITIES if m.name == "Tierp")
    text = _render("direktupphandling", tierp, history=_deal(decided))
    assert f"Direktupphandlingen beslutades {running_date(date.fromisoformat(decided))}." in text
    assert f"{rule} med en direktupphandlingsgräns på {limit} exklusive moms." in text
    assert ("7\u00a0802\u00a0550\u00a0kr" in text) == (decided >= "2022-02-01")  # bilaga 2 services from then


def test_tjansteskrivelse_writes_bodies_in_lower_case_mid_sentence() -> None:
    helsingborg = next(m for m in NETWORK_MUNICIPALITIES if m.name == "Helsingborg")
    spec = WorkflowCatalog.from_directory(WORKFLOWS).get("handbook", 1)  # KS decides the policy in version 1
    history = sample_history(spec, NOW)
    for entry in history:
        if "responsible_board" in entry.evidence:
            entry.evidence["responsible_board"]["board"] = "AMN"
    text = _render("tjansteskrivelse_policy", helsingborg, history=history, workflow="handbook@1")
    assert "Kommunstyrelsen uppdrar åt arbetsmarknadsnämnden att ta fram en handlingsplan" in text
    assert "rapporterar årligen till kommunstyrelsen." in text
    assert "Antagande av" in text and "Antagande av Riktlinje" not in text


# --- seeding every municipality -----------------------------------------------------------------------------------

def test_seed_all_registers_the_290_municipalities_once(cli: Cli) -> None:
    assert "Added 12:" in cli.ok("municipalities seed").output
    out = cli.ok("municipalities seed --all").output
    assert out.strip() == "Added 278 municipalities; 12 already registered"
    assert cli.ok("municipalities seed --all").output.strip() == "Added 0 municipalities; 290 already registered"
    assert "Added 0: -" in cli.ok("municipalities seed").output
    rows = json.loads(cli.ok("municipalities list --json").output)
    assert len(rows) == 290 and len({r["code"] for r in rows}) == 290
    assert {r["name"]: r["county"] for r in rows}["Falun"] == "Dalarnas län"
    for name, code in (("Håbo", "0305"), ("Habo", "0643")):  # same letters without dots, both registered
        cli.ok(f"open {name}")
        assert json.loads(cli.ok(f"status {name} --json").output)["code"] == code


def test_seed_all_keeps_a_municipality_registered_by_hand(cli: Cli, tmp_path: Path) -> None:
    cli.ok("municipalities add 2361 Härjedalen --county 'Jämtlands län' --workflow handbook-integrated")
    assert cli.ok("municipalities seed --all").output.strip() == "Added 289 municipalities; 1 already registered"
    rows = {r["name"]: r for r in json.loads(cli.ok("municipalities list --json").output)}
    assert rows["Härjedalen"]["workflow"] == "handbook-integrated"
