"""Templates and their safety: sandbox, undefined variables, time and size bounds, every declared template renders."""

from __future__ import annotations

import io
import json
import shutil
from datetime import UTC, datetime
from pathlib import Path

import pytest
from docx import Document

from journey.adapters.documents.docx_writer import html_to_docx
from journey.adapters.documents.markdown_writer import html_to_markdown
from journey.adapters.documents.renderer import SandboxRenderer
from journey.adapters.documents.tools import make_tools
from journey.definitions.catalog import WorkflowCatalog
from journey.domain.document import condition_holds, safe_filename
from journey.domain.errors import TemplateError
from journey.domain.municipality import formal_name
from journey.domain.spec import DocumentSpec
from journey.services.documents.context import build_context, sample_history
from journey.services.documents.template_check import check_templates
from tests.conftest import TEMPLATES, WORKFLOWS, Cli

NOW = datetime(2022, 3, 1, 9, 0, tzinfo=UTC)


@pytest.mark.parametrize(("text", "slug"), [
    ("Tjänsteskrivelse: Ansvarig nämnd / KS 2022/117", "tjänsteskrivelse-ansvarig-nämnd-ks-2022-117"),
    ("Härjedalen", "härjedalen"),
    ("MALMÖ STAD", "malmö-stad"),
    ("Mo\u0308lndal", "mölndal"),  # decomposed ö (as typed on a Mac) comes out composed
    ("Citroën Ærø ß", "citroen-aero-ss"),
    ("../../etc/passwd", "etc-passwd"),
    ("CON", "con-"),
    ("???", "dokument"),
])
def test_safe_filename_keeps_swedish_letters_and_nothing_dangerous(text: str, slug: str) -> None:
    assert safe_filename(text) == slug


@pytest.mark.parametrize(("name", "formal"), [("Härjedalen", "Härjedalens kommun"), ("Laxå", "Laxå kommun"),
                                              ("Uddevalla", "Uddevalla kommun"), ("Malmö", "Malmö stad"),
                                              ("Helsingborg", "Helsingborgs stad")])
def test_formal_municipality_names(name: str, formal: str) -> None:
    assert formal_name(name) == formal


@pytest.mark.parametrize(("given", "board"), [("KS", "Kommunstyrelsen"), ("amn", "Arbetsmarknadsnämnden"),
                                              ("Kulturnämnden", "Kulturnämnden"), (None, "Kommunstyrelsen")])
def test_responsible_board_codes_are_spelled_out(given: str | None, board: str) -> None:
    spec = WorkflowCatalog.from_directory(WORKFLOWS).get("handbook")
    state = spec.state("policy")
    assert state is not None
    history = [h for h in sample_history(spec, NOW) if "responsible_board" in h.evidence]
    if given is None:
        history = []
    else:
        history[0].evidence["responsible_board"]["board"] = given
    context = build_context(spec=spec, state=state, doc=state.documents[0], municipality={"name": "Laxå"},
                            case_state="policy", opened_at=NOW, history=history, now=NOW)
    assert context["responsible_board"] == board


def test_when_condition_reads_the_latest_evidence() -> None:
    assert condition_holds({"deal.form": ("iop",)}, {"deal": {"form": "iop"}})
    assert not condition_holds({"deal.form": ("iop",)}, {"deal": {"form": "direct_award"}})
    assert not condition_holds({"deal.form": "iop"}, {})
    assert condition_holds(None, {})


@pytest.fixture
def tmp_templates(tmp_path: Path) -> Path:
    (tmp_path / "documents").mkdir()
    return tmp_path


def write(root: Path, name: str, text: str) -> None:
    (root / "documents" / name).write_text(text, encoding="utf-8")


def test_html_templates_are_autoescaped_and_get_swedish_filters(tmp_templates: Path) -> None:
    write(tmp_templates, "a.html.j2", "<p>{{ v }} {{ n | kr }} {{ d | datum }} {{ xs | lista }}</p>")
    [out] = SandboxRenderer(tmp_templates).render([("a", {"v": "<i>&", "n": 700000, "d": "2022-02-01",
                                                          "xs": ["KS", "KF", "SKR"]})])
    assert out.html == "<p>&lt;i&gt;&amp; 700\u00a0000\u00a0kr 1 februari 2022 KS, KF och SKR</p>"
    assert out.path.endswith("documents/a.html.j2") and len(out.template_hash) == 64 and not out.overridden


@pytest.mark.parametrize(("source", "message"), [
    ("ok\n{{ case.titel }}", "a.html.j2:2: undefined variable 'titel'"),
    ("{{ missing }}", "a.html.j2:1: undefined variable 'missing'"),
    ("{{ ''.__class__ }}", "a.html.j2:1: blocked by the sandbox: access to attribute '__class__'"),
    ("{% set xs = [] %}{{ xs.append(1) }}", "a.html.j2:1: blocked by the sandbox"),
    ("{{ lipsum.__globals__ }}", "blocked by the sandbox"),
    ("{% include '../../../etc/passwd' %}", "template '../../../etc/passwd' not found"),
    ("{% if %}", "a.html.j2:1: syntax error"),
])
def test_template_failures_are_one_line_errors_naming_file_line_and_cause(tmp_templates: Path, source: str,
                                                                          message: str) -> None:
    write(tmp_templates, "a.html.j2", source)
    with pytest.raises(TemplateError) as err:
        SandboxRenderer(tmp_templates).render([("a", {"case": {}})])
    assert message in str(err.value) and "\n" not in str(err.value)
    assert err.value.exit_code == 7


def test_a_render_is_bounded_in_time_and_size(tmp_templates: Path) -> None:
    write(tmp_templates, "slow.html.j2", "{% for i in range(100000) %}{% for j in range(100000) %}{% endfor %}"
                                         "{% endfor %}")
    write(tmp_templates, "big.html.j2", "{% for i in range(100000) %}xxxxxxxxxx{% endfor %}")
    renderer = SandboxRenderer(tmp_templates, timeout=1, max_output=50_000)
    with pytest.raises(TemplateError, match=r"rendering slow took longer than 1 s"):
        renderer.render([("slow", {})])
    with pytest.raises(TemplateError, match=r"big.html.j2: output exceeds 50000 characters"):
        renderer.render([("big", {})])
    write(tmp_templates, "ok.html.j2", "<p>ok</p>")
    assert renderer.render([("ok", {})])[0].html == "<p>ok</p>"  # the stopped worker was replaced
    renderer.close()


def test_missing_template_names_every_place_looked(tmp_templates: Path) -> None:
    with pytest.raises(TemplateError, match=r"'nope' not found .*municipalities/laxa/documents/nope.html.j2"):
        SandboxRenderer(tmp_templates).render([("nope", {})], "laxa")


HTML = """<html><head><title>x</title><style>p {}</style></head><body>
<header><p><strong>Laxå kommun</strong></p></header>
<main><h1>Rubrik &amp; titel</h1>
<h2>Förslag till beslut</h2>
<ol><li>Första <em>beslutet</em>.</li><li>Andra beslutet.</li></ol>
<ul><li>Punkt</li></ul>
<table><tr><th>Åtgärd</th><th>Ansvar</th></tr><tr><td>Dialog | forum</td><td>Näringsliv<br>och inköp</td></tr></table>
<p>450&nbsp;000&nbsp;kr för *alla*</p></main>
<footer><p>Sidfot</p></footer></body></html>"""


def test_html_becomes_a_word_document_with_styles_numbers_tables_and_letterhead() -> None:
    doc = Document(io.BytesIO(html_to_docx(HTML, title="T", comments="provenance")))
    paragraphs = [(p.style.name, p.text) for p in doc.paragraphs if p.text]
    assert paragraphs[:4] == [("Heading 1", "Rubrik & titel"), ("Heading 2", "Förslag till beslut"),
                              ("Normal", "1.\tFörsta beslutet."), ("Normal", "2.\tAndra beslutet.")]
    assert ("List Bullet", "Punkt") in paragraphs and ("Normal", "450\u00a0000\u00a0kr för *alla*") in paragraphs
    table = doc.tables[0]
    assert [c.text for c in table.rows[0].cells] == ["Åtgärd", "Ansvar"]
    assert table.rows[1].cells[1].text == "Näringsliv\noch inköp"
    assert doc.sections[0].header.paragraphs[0].text == "Laxå kommun"
    assert doc.sections[0].footer.paragraphs[0].text == "Sidfot"
    assert doc.core_properties.title == "T" and doc.core_properties.comments == "provenance"
    assert doc.sections[0].page_width.cm == pytest.approx(21.0, abs=0.01)


def test_html_becomes_markdown_with_escaped_text() -> None:
    md = html_to_markdown(HTML)
    assert "# Rubrik & titel\n\n## Förslag till beslut\n\n1. Första *beslutet*.\n2. Andra beslutet.\n- Punkt\n" in md
    assert "| Åtgärd | Ansvar |\n|---|---|\n| Dialog \\| forum | Näringsliv<br>och inköp |" in md
    assert "450\u00a0000\u00a0kr för \\*alla\\*" in md and "title" not in md and "p {}" not in md


def test_every_workflow_declared_template_renders_in_every_format() -> None:
    tools = make_tools(TEMPLATES, Path("/nonexistent"))
    registry = WorkflowCatalog.from_directory(WORKFLOWS)
    results = check_templates(registry, tools, NOW, tools.renderer.names())
    assert results and all(r.ok for r in results), [r.error for r in results if not r.ok]
    declared = {d.template for s in registry.all() for st in s.all_states() for d in st.documents}
    assert declared <= {r.template for r in results}
    assert {"avsiktsforklaring", "tjansteskrivelse_ansvar", "tjansteskrivelse_policy", "tjansteskrivelse_integrering",
            "riktlinje", "styrdokument_tillagg", "handlingsplan", "uppdragsbeskrivning", "iop_avtal",
            "direktupphandling", "lagesrapport"} <= declared


def test_document_settings_from_yaml_reach_the_template() -> None:
    spec = WorkflowCatalog.from_directory(WORKFLOWS).get("handbook")
    state = spec.state("action_plan")
    assert state is not None
    doc = DocumentSpec("handlingsplan", "handlingsplan", (("measures", ((("action", "Öppna kafé"), ("owner", "KS"),
                                                                          ("when", "2023"), ("indicator", "Antal"),
                                                                          ("follow_up", "Årligen")),)),))
    context = build_context(spec=spec, state=state, doc=doc, municipality={"name": "Laxå", "code": "1860",
                            "county": "Örebro län", "slug": "laxa"}, case_state="action_plan", opened_at=NOW,
                            history=sample_history(spec, NOW), now=NOW)
    [out] = SandboxRenderer(TEMPLATES).render([("handlingsplan", context)])
    assert "<td>1</td><td>Öppna kafé</td><td>KS</td><td>2023</td><td></td><td>Antal</td><td>Årligen</td>" in out.html
    assert "Kartlägg" not in out.html


def test_templates_check_command_fails_with_exit_code_7_naming_the_override(tmp_path: Path) -> None:
    templates = tmp_path / "templates"
    shutil.copytree(TEMPLATES, templates)
    broken = templates / "municipalities" / "laxa" / "documents"
    broken.mkdir(parents=True)
    (broken / "_letterhead.html.j2").write_text("{{ municipality.logga }}", encoding="utf-8")
    cli = Cli(f"sqlite:///{tmp_path / 'unused.db'}", tmp_path)  # no database needed
    result = cli("templates check --municipality laxa", JOURNEY_TEMPLATES_DIR=str(templates))
    assert result.exit_code == 7
    assert "FAIL  handbook@1 letter_of_intent avsiktsforklaring [laxa]: " in result.output
    assert "_letterhead.html.j2:1: undefined variable 'logga'" in result.output
    assert "0 of 40 template checks passed" in result.output  # 4 workflow versions × 9 documents, 4 of deals
    (broken / "_letterhead.html.j2").write_text("<p>{{ municipality.formal_name }}</p>", encoding="utf-8")
    result = cli("templates check --municipality laxa --json", JOURNEY_TEMPLATES_DIR=str(templates))
    assert result.exit_code == 0
    assert {r["municipality"] for r in json.loads(result.output)} == {"laxa"}
