"""Builds .docx files with python-docx from the rendered HTML (no hand-written OOXML, no docxtpl).

Templates are written once, in HTML; this writer maps headings, paragraphs, numbered and
bulleted lists, tables and the ``<header>``/``<footer>`` letterhead onto Word styles, so
officials get a normal, editable Word document (A4, Word's own heading styles).

As an official files it (issue 13 §4):

- the language is Swedish (``w:lang="sv-SE"`` on the document defaults, on Normal and on every
  run), so Word spell-checks the text as Swedish;
- the page header holds the letterhead with the diarienummer ("Dnr ..."); the footer holds
  "Sida X av Y" from Word's PAGE and NUMPAGES fields;
- a table's leading header rows repeat on every page (``w:tblHeader``), and no row splits;
- column widths come from the content: every column is at least as wide as its longest word
  (an amount such as "450 000 kr" is one word: its spaces are non-breaking), and the rest of the
  line goes to the columns with the most text;
- a signature block keeps with what comes before it, so it never stands alone on a page;
- a municipality's own ``base.docx`` (``templates/municipalities/<slug>/documents/base.docx``,
  else ``templates/documents/base.docx``) is the starting document: its styles, page setup,
  header and footer (logo) are kept, its body text is replaced, the diarienummer and the page
  numbers are added to its header and footer, and the letterhead opens the body.
"""

from __future__ import annotations

import copy
import functools
import io
import re
from datetime import datetime
from pathlib import Path
from typing import Any

from journey.adapters.documents._html_blocks import Block, Run, keep_amounts_together, parse

FONT = "Calibri"
LANGUAGE = "sv-SE"
PAGE_WIDTH, PAGE_HEIGHT, MARGIN = 7_560_000, 10_692_000, 900_000  # A4, 2.5 cm side margins (EMU)
EMU_PER_PT = 12_700
CHAR_EM = 0.55  # a Calibri character's mean width in em, bold and capitals included (measured on the templates)
_BREAKS = re.compile(r"[ \t\n\r\f]+")  # where a line may break: ASCII space only, never NBSP
_CONTROL = re.compile(r"[\t\r\n]")  # what add_run turns into w:tab and w:br
_LANG_AFTER = ("w:eastAsianLayout", "w:specVanish", "w:oMath")  # what follows w:lang in w:rPr


def _qn(tag: str) -> str:
    from docx.oxml.ns import qn

    return str(qn(tag))


def set_language(rpr: Any, language: str = LANGUAGE) -> None:
    """Set ``w:lang`` in a ``w:rPr`` (schema order kept): Word then proofs the text in that language."""
    from docx.oxml import OxmlElement

    lang = rpr.find(_qn("w:lang"))
    if lang is None:
        lang = OxmlElement("w:lang")
        after = next((rpr.find(_qn(t)) for t in _LANG_AFTER if rpr.find(_qn(t)) is not None), None)
        if after is not None:
            after.addprevious(lang)
        else:
            rpr.append(lang)
    lang.set(_qn("w:val"), language)
    lang.set(_qn("w:eastAsia"), language)


def _text_run(paragraph: Any, text: str) -> Any:
    """``paragraph.add_run(text)``; text without tabs or line breaks skips python-docx's per-character scan."""
    if _CONTROL.search(text):
        return paragraph.add_run(text)
    run = paragraph.add_run()
    run._r.add_t(text)  # what add_run does for such text: one w:t, space preserved at its ends
    return run


def _runs(paragraph: Any, runs: list[Run]) -> None:
    for run in runs:
        if run.newline:
            paragraph.add_run().add_break()
        if run.text:
            r = _text_run(paragraph, keep_amounts_together(run.text))
            if run.bold:  # not bold is the default: a fresh run has no w:b or w:i to remove
                r.bold = True
            if run.italic:
                r.italic = True
            set_language(r._r.get_or_add_rPr())


def _languages(document: Any) -> None:
    """sv-SE on the document defaults, on Normal and on every style that names a language."""
    from docx.oxml import OxmlElement

    styles = document.styles.element
    defaults = styles.find(_qn("w:docDefaults"))
    if defaults is None:
        defaults = OxmlElement("w:docDefaults")
        styles.insert(0, defaults)
    rpr_default = defaults.find(_qn("w:rPrDefault"))
    if rpr_default is None:
        rpr_default = OxmlElement("w:rPrDefault")
        defaults.insert(0, rpr_default)
    rpr = rpr_default.find(_qn("w:rPr"))
    if rpr is None:
        rpr = OxmlElement("w:rPr")
        rpr_default.append(rpr)
    set_language(rpr)
    set_language(document.styles["Normal"].element.get_or_add_rPr())
    for lang in styles.iter(_qn("w:lang")):
        lang.set(_qn("w:val"), LANGUAGE)
    document.core_properties.language = LANGUAGE


def _setup(document: Any) -> None:
    from docx.shared import Cm, Emu, Pt, RGBColor

    section = document.sections[0]
    section.page_width, section.page_height = Emu(PAGE_WIDTH), Emu(PAGE_HEIGHT)
    section.left_margin = section.right_margin = Emu(MARGIN)
    section.top_margin, section.bottom_margin = Cm(3.0), Cm(2.0)
    section.header_distance, section.footer_distance = Cm(1.0), Cm(1.0)
    normal = document.styles["Normal"]
    normal.font.name, normal.font.size = FONT, Pt(11)
    normal.paragraph_format.space_after = Pt(6)
    for level, size in ((1, 18), (2, 13), (3, 11.5), (4, 11)):
        style = document.styles[f"Heading {level}"]
        style.font.name, style.font.size = FONT, Pt(size)
        style.font.color.rgb = RGBColor(0, 0, 0)
        style.font.bold = True
        style.font.italic = False
        style.paragraph_format.space_before = Pt(14 if level <= 2 else 10)
        style.paragraph_format.space_after = Pt(4)
        style.paragraph_format.keep_with_next = True


def _style_id(document: Any, name: str) -> str:
    """A built-in style's id, looked up once per document.

    python-docx's ``paragraph.style = ...`` rescans every style for the default on each call,
    which made style assignment most of the cost of a document; setting the id is equivalent
    for non-default styles such as headings and list bullets.
    """
    cache: dict[str, str] = document.__dict__.setdefault("_journey_style_ids", {})
    if name not in cache:
        cache[name] = document.styles[name].style_id
    return cache[name]


def _set_style(document: Any, paragraph: Any, name: str) -> None:
    paragraph._p.style = _style_id(document, name)


def _bullets(document: Any) -> bool:
    """Whether the document has a List Bullet style (a municipality's base.docx may lack it and its numbering)."""
    if "_journey_bullets" not in document.__dict__:
        document.__dict__["_journey_bullets"] = "List Bullet" in document.styles
    return bool(document.__dict__["_journey_bullets"])


def _item(document: Any, container: Any, block: Block) -> Any:
    from docx.shared import Cm

    paragraph = container.add_paragraph()
    bullets = _bullets(document)
    if block.number is None and bullets:
        _set_style(document, paragraph, "List Bullet")
    indent = 0.75 * block.level
    fmt = paragraph.paragraph_format
    if block.number is not None or not bullets:  # literal numbers: each list restarts at 1, copy cleanly
        fmt.left_indent, fmt.first_line_indent = Cm(indent), Cm(-0.75)
        fmt.tab_stops.add_tab_stop(Cm(indent))
        set_language(paragraph.add_run(f"{block.number}.\t" if block.number is not None else "•\t")._r
                     .get_or_add_rPr())
    elif block.level > 1:
        fmt.left_indent = Cm(indent)
    _runs(paragraph, block.runs)
    return paragraph


def _font_size(columns: int) -> float:
    return 9.0 if columns >= 6 else 9.5 if columns >= 4 else 11.0


def column_widths(block: Block, columns: int, total: int, size: float) -> list[int]:
    """Widths (EMU) that fit: each column gets room for its longest word, the rest goes by amount of text.

    A word is what lies between ASCII spaces (NBSP joins "450 000 kr" into one); a header cell is
    bold, so its words count a little wider. If even the words do not fit, the widths shrink in
    proportion (a very long word then breaks, as it would anywhere).
    """
    pad = 160_000  # 0.19 cm cell margin each side (Word's default) and a little air
    char = size * EMU_PER_PT * CHAR_EM
    need, weight = [], []
    for i in range(columns):
        cells = [(header, keep_amounts_together("".join(r.text for r in runs)))
                 for row in block.rows if i < len(row) for header, runs in [row[i]]]
        longest = max((len(w) * (1.1 if header else 1.0) for header, text in cells for w in _BREAKS.split(text)),
                      default=1.0)
        need.append(pad + longest * char)
        weight.append(max(2.0, sum(len(text) for _, text in cells) / max(1, len(cells))))
    spare = total - sum(need)
    if spare < 0:
        widths = [n * total / sum(need) for n in need]
    else:
        widths = [n + spare * w / sum(weight) for n, w in zip(need, weight, strict=True)]
    return [int(w) // 635 * 635 for w in widths]  # whole twips: Word's unit, so the sum never grows past the line


def _row_properties(row: Any, header: bool) -> None:
    """No row splits across pages; leading header rows repeat on every page (w:tblHeader)."""
    from docx.oxml import OxmlElement

    tr_pr = row._tr.get_or_add_trPr()
    for tag, wanted in (("w:cantSplit", True), ("w:tblHeader", header)):
        if wanted and tr_pr.find(_qn(tag)) is None:
            tr_pr.append(OxmlElement(tag))  # cantSplit precedes tblHeader in the schema, as appended


def _table(document: Any, container: Any, block: Block, width: Any) -> Any:
    from docx.shared import Pt

    columns = max((len(r) for r in block.rows), default=0)
    if not columns:
        return None
    table = container.add_table(rows=0, cols=columns, **({"width": width} if container is not document else {}))
    if "meta" not in block.css and container is document:
        table.style = document.styles["Table Grid"]
    table.autofit = False
    size = _font_size(columns)
    widths = column_widths(block, columns, int(width), size)
    heading = True  # the leading rows whose cells are all <th>
    for row in block.rows:
        added = table.add_row()
        heading = heading and bool(row) and all(h for h, _ in row) and "meta" not in block.css
        _row_properties(added, heading)
        for i, cell in enumerate(added.cells):
            cell.width = widths[i]
            paragraph = cell.paragraphs[0]
            paragraph.paragraph_format.space_after = Pt(1)
            if i < len(row):
                header, runs = row[i]
                _runs(paragraph, [Run(r.text, r.bold or header, r.italic, r.newline) for r in runs])
            if size != 11.0:
                for run in paragraph.runs:
                    run.font.size = Pt(size)
    for i, column in enumerate(table.columns):
        column.width = widths[i]
    if container is document:
        return document.add_paragraph()
    return None


def _add(document: Any, container: Any, block: Block, width: Any, reuse: Any = None) -> Any:
    """Add one block; returns its (last) paragraph, for keep-with-next."""
    from docx.shared import Pt

    if block.kind == "item":
        return _item(document, container, block)
    if block.kind == "table":
        return _table(document, container, block, width)
    if block.kind == "rule":
        return container.add_paragraph("_" * 40)
    paragraph = reuse if reuse is not None else container.add_paragraph()
    if block.kind == "heading":
        _set_style(document, paragraph, f"Heading {block.level}")
    if "signature" in block.css:  # the signature line stays on the page of its name
        paragraph.paragraph_format.space_before = Pt(30)
        paragraph.paragraph_format.keep_with_next = True
        paragraph.paragraph_format.keep_together = True
    _runs(paragraph, block.runs)
    if "small" in block.css or block.region == "footer":
        for run in paragraph.runs:
            run.font.size = Pt(8.5)
    return paragraph


def _field(paragraph: Any, instruction: str, shown: str) -> None:
    """A Word field (PAGE, NUMPAGES): begin, instruction, separate, last shown value, end."""
    from docx.oxml import OxmlElement

    def run_with(child: Any) -> None:
        run = paragraph.add_run()
        set_language(run._r.get_or_add_rPr())
        run._r.append(child)

    for kind, text in (("begin", None), (None, instruction), ("separate", None), (None, shown), ("end", None)):
        if kind:
            char = OxmlElement("w:fldChar")
            char.set(_qn("w:fldCharType"), kind)
            run_with(char)
        elif text == instruction:
            instr = OxmlElement("w:instrText")
            instr.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")
            instr.text = f" {instruction} "
            run_with(instr)
        else:
            paragraph.add_run(text)


def _page_numbers(footer: Any) -> None:
    """'Sida X av Y' at the right of the footer, unless the footer already counts pages."""
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Pt

    if any(" PAGE " in (t.text or "") for t in footer._element.iter(_qn("w:instrText"))) or \
            footer._element.find(".//" + _qn("w:fldSimple")) is not None:
        return
    paragraph = footer.add_paragraph()
    paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    paragraph.add_run("Sida ")
    _field(paragraph, "PAGE", "1")
    paragraph.add_run(" av ")
    _field(paragraph, "NUMPAGES", "1")
    for run in paragraph.runs:
        run.font.size = Pt(8.5)
        set_language(run._r.get_or_add_rPr())


def _text_of(part: Any) -> str:
    return "".join(t.text or "" for t in part._element.iter(_qn("w:t")))


def _diarienummer(header: Any, diarienummer: str) -> None:
    """'Dnr ...' at the right of the header, unless the letterhead already shows it."""
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Pt

    if "Dnr" in _text_of(header):
        return
    paragraph = header.add_paragraph()
    paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    run = paragraph.add_run(f"Dnr {diarienummer or '[ange diarienummer]'}")
    run.font.size = Pt(9)
    set_language(run._r.get_or_add_rPr())


def _has_content(part: Any) -> bool:
    return bool(_text_of(part).strip()) or part._element.find(".//" + _qn("w:drawing")) is not None


def _from_base(base: Path) -> Any:
    """The municipality's base document, its body emptied; styles, section, header and footer kept."""
    from docx import Document

    document = Document(str(base))
    body = document.element.body
    for child in list(body):
        if child.tag != _qn("w:sectPr"):
            body.remove(child)
    default = _pristine()
    for name in ("Heading 1", "Heading 2", "Heading 3", "Heading 4", "Table Grid"):
        if name not in document.styles:  # Word keeps unused built-in styles latent: bring python-docx's
            document.styles.element.append(copy.deepcopy(default.styles[name].element))
    return document


@functools.cache
def _pristine() -> Any:
    """python-docx's default document, parsed once per process; only read (its styles are copied out)."""
    from docx import Document

    return Document()


@functools.cache
def _prototype() -> Any:
    """The default document with journey's page setup, styles and languages, built once per process;
    only read (:func:`_fresh` copies it)."""
    from docx import Document

    prototype = Document()
    _setup(prototype)
    _languages(prototype)
    for name in ("Heading 1", "Heading 2", "Heading 3", "Heading 4", "List Bullet"):
        _style_id(prototype, name)  # the copies find their style ids cached
    _bullets(prototype)
    return prototype


def _fresh() -> Any:
    """A new default document with journey's page setup, styles and languages: a deep copy of the
    prototype (parsing the default template, whose styles.xml is 440 kB, and styling it cost more than
    the content of most documents)."""
    return copy.deepcopy(_prototype())


def _keep_before_signatures(blocks: list[Block], paragraphs: list[Any]) -> None:
    """What leads up to a signature keeps with it: the signature never starts a page alone."""
    for i in range(1, len(blocks)):
        if "signature" in blocks[i].css and paragraphs[i - 1] is not None:
            paragraphs[i - 1].paragraph_format.keep_with_next = True
            paragraphs[i - 1].paragraph_format.keep_together = True


def html_to_docx(html: str, *, title: str, subject: str = "", comments: str = "",
                 created: datetime | None = None, diarienummer: str = "", base: Path | None = None) -> bytes:
    """The .docx bytes for a rendered document; ``comments`` carries provenance into File > Info.

    ``base``: a municipality's own Word document to start from (styles, page setup, header, logo).
    """
    if base is not None:
        document = _from_base(base)
        _languages(document)
    else:
        document = _fresh()
    section = document.sections[0]
    width = PAGE_WIDTH - 2 * MARGIN
    if base is not None:
        margins = int(section.left_margin or MARGIN) + int(section.right_margin or MARGIN)
        width = int(section.page_width or PAGE_WIDTH) - margins
    header, footer = section.header, section.footer
    own_header = base is not None and _has_content(header)
    header.is_linked_to_previous = footer.is_linked_to_previous = False
    fresh = {"header": not own_header, "footer": not (base is not None and _has_content(footer))}
    body: list[tuple[Block, Any]] = []
    for block in parse(html):
        if block.region == "header" and own_header:  # the letterhead opens the body below the base's header
            body.append((block, _add(document, document, block, width)))
        elif block.region in fresh:
            container = header if block.region == "header" else footer
            reuse = container.paragraphs[0] if fresh[block.region] and block.kind in ("paragraph", "heading") \
                and container.paragraphs else None
            fresh[block.region] = False  # the first paragraph fills the empty one every header/footer has
            _add(document, container, block, width, reuse)
        else:
            body.append((block, _add(document, document, block, width)))
    _keep_before_signatures([b for b, _ in body], [p for _, p in body])
    _diarienummer(header, diarienummer)
    _page_numbers(footer)
    props = document.core_properties
    props.title, props.subject, props.comments, props.author = title, subject, comments, "journey"
    if created is not None:
        props.created = props.modified = created.replace(tzinfo=None)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()
