"""Builds .docx files with python-docx from the rendered HTML (no hand-written OOXML, no docxtpl).

Templates are written once, in HTML; this writer maps headings, paragraphs, numbered and
bulleted lists, tables and the ``<header>``/``<footer>`` letterhead onto Word styles, so
officials get a normal, editable Word document (A4, Word's own heading styles).
"""

from __future__ import annotations

import io
from datetime import datetime
from typing import Any

from journey.adapters.documents._html_blocks import Block, Run, parse

FONT = "Calibri"
PAGE_WIDTH, PAGE_HEIGHT, MARGIN = 7_560_000, 10_692_000, 900_000  # A4, 2.5 cm side margins (EMU)


def _runs(paragraph: Any, runs: list[Run]) -> None:
    for run in runs:
        if run.newline:
            paragraph.add_run().add_break()
        if run.text:
            r = paragraph.add_run(run.text)
            r.bold = run.bold or None
            r.italic = run.italic or None


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


def _item(document: Any, container: Any, block: Block) -> None:
    from docx.shared import Cm

    paragraph = container.add_paragraph()
    if block.number is None:
        _set_style(document, paragraph, "List Bullet")
    indent = 0.75 * block.level
    fmt = paragraph.paragraph_format
    if block.number is not None:  # literal numbers: each list restarts at 1, copies cleanly into minutes
        fmt.left_indent, fmt.first_line_indent = Cm(indent), Cm(-0.75)
        fmt.tab_stops.add_tab_stop(Cm(indent))
        paragraph.add_run(f"{block.number}.\t")
    elif block.level > 1:
        fmt.left_indent = Cm(indent)
    _runs(paragraph, block.runs)


def _weights(block: Block, columns: int) -> list[float]:
    """Relative column widths from the text: long words need room, long texts a bit more."""
    weights = []
    for i in range(columns):
        texts = ["".join(r.text for r in row[i][1]) for row in block.rows if i < len(row)]
        longest = max((len(w) for t in texts for w in t.split()), default=1)
        average = sum(len(t) for t in texts) / max(1, len(texts))
        weights.append(max(4.0, longest + 2.0, min(average, 60.0) * 0.5))
    return weights


def _table(document: Any, container: Any, block: Block, width: Any) -> None:
    from docx.shared import Cm, Pt

    columns = max((len(r) for r in block.rows), default=0)
    if not columns:
        return
    table = container.add_table(rows=0, cols=columns, **({"width": width} if container is not document else {}))
    if "meta" not in block.css and container is document:
        table.style = document.styles["Table Grid"]
    table.autofit = False
    weights = _weights(block, columns)
    pad = Cm(0.4)  # cell margins: every column needs them before its text gets any room
    widths = [int(pad + (width - pad * columns) * w / sum(weights)) for w in weights]
    size = Pt(9) if columns >= 6 else Pt(9.5) if columns >= 4 else None
    for row in block.rows:
        cells = table.add_row().cells
        for i, cell in enumerate(cells):
            cell.width = widths[i]
            paragraph = cell.paragraphs[0]
            paragraph.paragraph_format.space_after = Pt(1)
            if i < len(row):
                header, runs = row[i]
                _runs(paragraph, [Run(r.text, r.bold or header, r.italic, r.newline) for r in runs])
            for run in paragraph.runs:
                run.font.size = size
    for i, column in enumerate(table.columns):
        column.width = widths[i]
    if container is document:
        document.add_paragraph()


def _add(document: Any, container: Any, block: Block, width: Any, reuse: Any = None) -> None:
    from docx.shared import Pt

    if block.kind == "item":
        _item(document, container, block)
    elif block.kind == "table":
        _table(document, container, block, width)
    elif block.kind == "rule":
        container.add_paragraph("_" * 40)
    else:
        paragraph = reuse if reuse is not None else container.add_paragraph()
        if block.kind == "heading":
            _set_style(document, paragraph, f"Heading {block.level}")
        if "signature" in block.css:  # the signature line stays on the page of its name
            paragraph.paragraph_format.space_before = Pt(30)
            paragraph.paragraph_format.keep_with_next = True
        _runs(paragraph, block.runs)
        if "small" in block.css or block.region == "footer":
            for run in paragraph.runs:
                run.font.size = Pt(8.5)


def html_to_docx(html: str, *, title: str, subject: str = "", comments: str = "",
                 created: datetime | None = None) -> bytes:
    """The .docx bytes for a rendered document; ``comments`` carries provenance into File > Info."""
    from docx import Document

    document = Document()
    _setup(document)
    section = document.sections[0]
    width = PAGE_WIDTH - 2 * MARGIN  # set in _setup
    header, footer = section.header, section.footer
    header.is_linked_to_previous = footer.is_linked_to_previous = False
    fresh = {"header": True, "footer": True}
    for block in parse(html):
        if block.region in fresh:
            container = header if block.region == "header" else footer
            reuse = container.paragraphs[0] if fresh[block.region] and block.kind in ("paragraph", "heading") else None
            fresh[block.region] = False  # the first paragraph fills the empty one every header/footer has
            _add(document, container, block, width, reuse)
        else:
            _add(document, document, block, width)
    props = document.core_properties
    props.title, props.subject, props.comments, props.author = title, subject, comments, "journey"
    if created is not None:
        props.created = props.modified = created.replace(tzinfo=None)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()
