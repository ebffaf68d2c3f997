"""Word documents as an official files them (issue 13 §4), checked in the .docx XML and, with LibreOffice, as PDF.

The XML checks always run. Where ``soffice`` is installed, the documents are also converted to PDF
and read back with ``pdftotext``: page numbers, the signature's page and unbroken words and amounts.
To look at them as pictures: ``soffice --headless --convert-to pdf FILE.docx`` then
``pdftoppm -png -r 60 FILE.pdf page`` (docs/documents.md, "Checking the Word files").
"""

from __future__ import annotations

import io
import json
import os
import shutil
import struct
import subprocess
import zlib
from pathlib import Path
from typing import Any

import pytest
from docx import Document
from docx.oxml.ns import qn

from journey.adapters.documents.docx_writer import html_to_docx
from journey.adapters.documents.markdown_writer import html_to_markdown
from tests.conftest import TEMPLATES, Cli, make_database_url
from tests.test_journey_cli import JOURNEY

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
SOFFICE = shutil.which("soffice")

HTML = """<html><body><header><table class="meta"><tr><td><strong>Laxå kommun</strong></td>
<td><strong>HANDLINGSPLAN</strong></td></tr></table></header><main>
<h1>Handlingsplan</h1><table>
<tr><th>Nr</th><th>Åtgärd</th><th>Ansvar</th><th>Tid</th><th>Resurs</th><th>Indikator</th><th>Uppföljning</th></tr>
<tr><td>1</td><td>Kartlägga sociala företag i kommunen och deras behov av stöd</td><td>Näringslivsenheten</td>
<td>2022</td><td>450 000 kr</td><td>Antal företag</td><td>Årligen</td></tr>
</table>
<p>Bidraget är 450 000 kr enligt § 45.</p>
<ul><li>Kommunstyrelsen</li></ul>
<p class="signature">Anna Berg<br>Lokal projektsamordnare</p>
</main><footer><p class="small">Laxå kommun · utkast</p></footer></body></html>"""


def _xml(part: Any) -> Any:
    return part._element


def test_swedish_language_on_defaults_styles_and_runs() -> None:
    doc = Document(io.BytesIO(html_to_docx(HTML, title="Handlingsplan", diarienummer="KS 2022/117")))
    styles = doc.styles.element
    default = styles.find(f"{W}docDefaults/{W}rPrDefault/{W}rPr/{W}lang")
    assert default is not None and default.get(qn("w:val")) == "sv-SE"
    normal = doc.styles["Normal"].element.find(f"{W}rPr/{W}lang")
    assert normal is not None and normal.get(qn("w:val")) == "sv-SE"
    assert not [e for e in styles.iter(f"{W}lang") if e.get(qn("w:val")) not in (None, "sv-SE")]  # no en-US left
    runs = [r for p in doc.paragraphs for r in p.runs if r.text.strip()]
    assert runs and all(r._r.rPr.find(f"{W}lang").get(qn("w:val")) == "sv-SE" for r in runs)
    assert doc.core_properties.language == "sv-SE"


def test_header_has_the_diarienummer_and_footer_counts_pages() -> None:
    doc = Document(io.BytesIO(html_to_docx(HTML, title="Handlingsplan", diarienummer="KS 2022/117")))
    section = doc.sections[0]
    header = "".join(t.text or "" for t in _xml(section.header).iter(f"{W}t"))
    assert "Laxå kommun" in header and "Dnr KS 2022/117" in header
    footer = _xml(section.footer)
    fields = [t.text.strip() for t in footer.iter(f"{W}instrText")]
    assert fields == ["PAGE", "NUMPAGES"]
    text = "".join(t.text or "" for t in footer.iter(f"{W}t"))
    assert "Laxå kommun · utkast" in text and text.endswith("Sida 1 av 1")
    missing = Document(io.BytesIO(html_to_docx(HTML, title="T")))
    assert "Dnr [ange diarienummer]" in "".join(t.text or "" for t in _xml(missing.sections[0].header).iter(f"{W}t"))


def test_tables_repeat_their_header_row_and_columns_fit_their_words() -> None:
    doc = Document(io.BytesIO(html_to_docx(HTML, title="Handlingsplan")))
    table = doc.tables[0]
    first, second = table.rows[0]._tr, table.rows[1]._tr
    assert first.trPr.find(f"{W}tblHeader") is not None and second.trPr.find(f"{W}tblHeader") is None
    assert all(r._tr.trPr.find(f"{W}cantSplit") is not None for r in table.rows)
    widths = [c.width for c in table.columns]
    assert sum(widths) <= 7_560_000 - 2 * 900_000
    bold_9pt = 9 * 12_700 * 0.5 * 1.1  # a bold Calibri character at 9 pt is about half an em wide
    assert widths[6] > 228_600 + len("Uppföljning") * bold_9pt  # "Uppföljnin|g" cannot happen
    assert widths[4] > 228_600 + len("450 000 kr") * 9 * 12_700 * 0.5
    assert table.rows[1].cells[4].text == "450\u00a0000\u00a0kr"  # one word: never "450 000 k|r"
    assert "450\u00a0000\u00a0kr enligt §\u00a045." in doc.paragraphs[-4].text + doc.paragraphs[-3].text


def test_a_signature_keeps_with_what_precedes_it() -> None:
    doc = Document(io.BytesIO(html_to_docx(HTML, title="Handlingsplan")))
    paragraphs = doc.paragraphs
    signature = next(i for i, p in enumerate(paragraphs) if p.text.startswith("Anna Berg"))
    assert paragraphs[signature - 1].text == "Kommunstyrelsen"
    assert paragraphs[signature - 1].paragraph_format.keep_with_next
    assert paragraphs[signature].paragraph_format.keep_together


def test_markdown_is_in_step() -> None:
    md = html_to_markdown(HTML, "KS 2022/117")
    assert "Dnr KS 2022/117" in md.split("# Handlingsplan")[0]  # with the letterhead, before the title
    assert "450\u00a0000\u00a0kr" in md


def _png() -> bytes:
    """A 2×2 red PNG: the logo of the test municipality."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
    raw = b"".join(b"\x00" + b"\xff\x00\x00" * 2 for _ in range(2))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 2, 2, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))


def make_base(path: Path) -> Path:
    """A municipality's Word template: Georgia body text, a logo and its name in the header, sample body text."""
    from docx.shared import Cm, Pt

    base = Document()
    base.styles["Normal"].font.name = "Georgia"
    base.styles["Normal"].font.size = Pt(12)
    header = base.sections[0].header
    header.paragraphs[0].add_run().add_picture(io.BytesIO(_png()), width=Cm(1))
    header.paragraphs[0].add_run("  Laxå kommun – Kommunledningsförvaltningen")
    base.add_paragraph("Exempeltext som ska bort")
    path.parent.mkdir(parents=True, exist_ok=True)
    base.save(str(path))
    return path


@pytest.fixture(scope="module")
def documents(tmp_path_factory: pytest.TempPathFactory, request: pytest.FixtureRequest) -> dict[str, dict[str, Any]]:
    """The documents of a walk to the first deal: Härjedalen with the default look, Laxå with its base.docx."""
    tmp = tmp_path_factory.mktemp("word")
    templates = tmp / "templates"
    shutil.copytree(TEMPLATES, templates)
    make_base(templates / "municipalities" / "laxa" / "documents" / "base.docx")
    cli = Cli(make_database_url("sqlite", tmp, request), tmp)
    env = {"JOURNEY_TEMPLATES_DIR": str(templates)}
    cli.ok("init", **env)
    cli.ok("municipalities seed", **env)
    found: dict[str, dict[str, Any]] = {}
    for town in ("Härjedalen", "Laxå"):
        cli.ok(f"open {town} --as anna", **env)
        for trigger, evidence in JOURNEY[:11]:
            cli.ok(f"advance {town} {trigger} {evidence} --as anna", **env)
        for d in json.loads(cli.ok(f"documents list {town} --json", **env).output)["documents"]:
            if d["format"] == "docx":
                found[f"{town}/{d['doc_id']}"] = d
    return found


def test_real_documents_carry_language_dnr_and_page_numbers(documents: dict[str, dict[str, Any]]) -> None:
    for key in ("Härjedalen/tjansteskrivelse_policy", "Härjedalen/riktlinje", "Härjedalen/iop_avtal",
                "Härjedalen/handlingsplan"):
        doc = Document(documents[key]["path"])
        header = "".join(t.text or "" for t in _xml(doc.sections[0].header).iter(f"{W}t"))
        assert "Härjedalens kommun" in header and "Dnr" in header, key
        assert [t.text.strip() for t in _xml(doc.sections[0].footer).iter(f"{W}instrText")] == ["PAGE", "NUMPAGES"]
        langs = {e.get(qn("w:val")) for e in doc.element.body.iter(f"{W}lang")}
        assert langs == {"sv-SE"}, key
    plan = Document(documents["Härjedalen/handlingsplan"]["path"])
    measures = next(t for t in plan.tables if t.rows[0].cells[-1].text == "Uppföljning")
    assert measures.rows[0]._tr.trPr.find(f"{W}tblHeader") is not None


def test_a_municipality_base_docx_is_the_starting_document(documents: dict[str, dict[str, Any]]) -> None:
    own = Document(documents["Laxå/tjansteskrivelse_policy"]["path"])
    header = own.sections[0].header
    text = "".join(t.text or "" for t in _xml(header).iter(f"{W}t"))
    assert "Laxå kommun – Kommunledningsförvaltningen" in text and "Dnr" in text
    assert _xml(header).find(f".//{W}drawing") is not None  # the logo
    assert own.styles["Normal"].font.name == "Georgia"  # the municipality's graphic profile
    body = [p.text for p in own.paragraphs]
    assert "Exempeltext som ska bort" not in body
    assert any("TJÄNSTESKRIVELSE" in c.text for t in own.tables for r in t.rows for c in r.cells)  # letterhead
    assert "Förslag till beslut" in [p.text for p in own.paragraphs if p.style.name.startswith("Heading")]
    assert [t.text.strip() for t in _xml(own.sections[0].footer).iter(f"{W}instrText")] == ["PAGE", "NUMPAGES"]
    default = Document(documents["Härjedalen/tjansteskrivelse_policy"]["path"])
    assert default.styles["Normal"].font.name == "Calibri"
    assert documents["Laxå/iop_avtal"]["path"] and Document(documents["Laxå/iop_avtal"]["path"]).tables


def _pdf_pages(docx: dict[str, str], tmp: Path) -> dict[str, list[str]]:
    """Each document's PDF pages as text, all converted by one LibreOffice run (it takes seconds to start);
    copied to numbered names first, as two municipalities' files may share a name."""
    profile, source = tmp / "lo-profile", tmp / "docx"
    source.mkdir()
    names = {key: source / f"{i}.docx" for i, key in enumerate(docx)}
    for key, copy in names.items():
        shutil.copyfile(docx[key], copy)
    subprocess.run([SOFFICE or "soffice", f"-env:UserInstallation=file://{profile}", "--headless", "--convert-to",
                    "pdf", "--outdir", str(tmp), *map(str, names.values())], check=True, capture_output=True,
                   timeout=300)
    pages = {}
    for key, copy in names.items():
        text = subprocess.run(["pdftotext", "-layout", str(tmp / f"{copy.stem}.pdf"), "-"], check=True,
                              capture_output=True, text=True).stdout
        pages[key] = [page for page in text.split("\f") if page.strip()]
    return pages


def test_as_pdf_pages_are_numbered_and_signatures_do_not_stand_alone(documents: dict[str, dict[str, Any]],
                                                                     tmp_path: Path) -> None:
    if SOFFICE is None or shutil.which("pdftotext") is None:
        if os.environ.get("CI") != "true":  # on CI (.ci/run, make system-deps) it must run; locally it may skip
            pytest.skip("LibreOffice (soffice) and poppler-utils are not installed (make system-deps as root installs them)")
        pytest.fail("LibreOffice (soffice) or pdftotext is missing on CI: make system-deps installs them")
    signers = {"Härjedalen/tjansteskrivelse_policy": "Anna Berg", "Härjedalen/iop_avtal": "För ",
               "Laxå/tjansteskrivelse_policy": "Anna Berg", "Härjedalen/riktlinje": None, "Härjedalen/handlingsplan": None}
    converted = _pdf_pages({key: documents[key]["path"] for key in signers}, tmp_path)
    for key, signer in signers.items():
        pages = converted[key]
        total = len(pages)
        for number, page in enumerate(pages, start=1):
            assert f"Sida {number} av {total}" in page, (key, number)
            assert "Dnr" in page, (key, number)
        if signer:
            last = [line.strip() for line in next(p for p in reversed(pages) if signer in p).splitlines()
                    if line.strip() and "Sida" not in line and "Dnr" not in line]
            assert len(last) > 4, f"{key}: the signature stands alone on its page: {last}"
        words = " ".join(pages)
        assert "Uppföljnin\n" not in words and "k\nr" not in words
    plan = " ".join(converted["Härjedalen/handlingsplan"])
    assert "Uppföljning" in plan
    iop = " ".join(converted["Härjedalen/iop_avtal"])
    assert "450 000 kr" in iop.replace("\u00a0", " ")
