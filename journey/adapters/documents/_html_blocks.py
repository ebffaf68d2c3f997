"""Reads the small HTML subset document templates produce into blocks for the .docx and Markdown writers.

Supported: ``header``/``main``/``footer`` regions, ``h1``-``h4``, ``p``, ``ol``/``ul``/``li`` (nested),
``table``/``tr``/``th``/``td``, ``strong``/``b``, ``em``/``i``, ``br``, ``hr``. Other tags are
transparent; ``head``, ``style``, ``script`` and ``title`` are skipped. Text is whitespace-collapsed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from html.parser import HTMLParser

SKIP = {"head", "style", "script", "title"}
HEADINGS = {"h1": 1, "h2": 2, "h3": 3, "h4": 4}
ASCII_SPACE = " \t\n\r\f"
_SPACE = re.compile(r"[ \t\n\r\f]+")


@dataclass
class Run:
    text: str
    bold: bool = False
    italic: bool = False
    newline: bool = False  # a line break before this run's text


@dataclass
class Block:
    """``kind`` is heading, paragraph, item, table or rule; ``region`` is header, body or footer."""

    kind: str
    region: str = "body"
    runs: list[Run] = field(default_factory=list)
    level: int = 0  # heading level, or list depth (1 = top)
    number: int | None = None  # position in an ordered list
    rows: list[list[tuple[bool, list[Run]]]] = field(default_factory=list)  # (is header cell, runs)
    css: str = ""

    @property
    def text(self) -> str:
        return "".join(("\n" if r.newline else "") + r.text for r in self.runs).strip()


class _Parser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.blocks: list[Block] = []
        self.region = "body"
        self.skip = 0
        self.bold = self.italic = 0
        self.lists: list[list[int | None]] = []  # stack of [counter or None for bullets]
        self.current: Block | None = None
        self.table: Block | None = None
        self.cell: list[Run] | None = None
        self.pending_break = False

    def _open(self, kind: str, level: int = 0, number: int | None = None, css: str = "") -> None:
        self._close()
        self.current = Block(kind, self.region, level=level, number=number, css=css)

    def _close(self) -> None:
        if self.current is not None and self.current.text:
            self.blocks.append(self.current)
        self.current = None
        self.pending_break = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        css = dict(attrs).get("class") or ""
        if tag in SKIP:
            self.skip += 1
        elif tag in ("header", "footer"):
            self._close()
            self.region = tag
        elif tag in HEADINGS:
            self._open("heading", HEADINGS[tag], css=css)
        elif tag == "p" and self.cell is None:
            self._open("paragraph", css=css)
        elif tag == "p" and self.cell:
            self.pending_break = True
        elif tag in ("ol", "ul"):
            self._close()
            self.lists.append([0 if tag == "ol" else None])
        elif tag == "li" and self.lists:
            counter = self.lists[-1]
            if counter[0] is not None:
                counter[0] += 1
            self._open("item", len(self.lists), counter[0], css)
        elif tag == "table":
            self._close()
            self.table = Block("table", self.region, css=css)
        elif tag == "tr" and self.table is not None:
            self.table.rows.append([])
        elif tag in ("td", "th") and self.table is not None and self.table.rows:
            self.cell = []
            self.table.rows[-1].append((tag == "th", self.cell))
        elif tag in ("strong", "b"):
            self.bold += 1
        elif tag in ("em", "i"):
            self.italic += 1
        elif tag == "br":
            self.pending_break = True
        elif tag == "hr":
            self._close()
            self.blocks.append(Block("rule", self.region))

    def handle_endtag(self, tag: str) -> None:
        if tag in SKIP:
            self.skip = max(0, self.skip - 1)
        elif tag in ("header", "footer"):
            self._close()
            self.region = "body"
        elif tag in HEADINGS or tag in ("p", "li") and self.cell is None:
            self._close()
        elif tag in ("ol", "ul") and self.lists:
            self._close()
            self.lists.pop()
        elif tag in ("td", "th"):
            self.cell = None
        elif tag == "table" and self.table is not None:
            self.blocks.append(self.table)
            self.table = None
        elif tag in ("strong", "b"):
            self.bold = max(0, self.bold - 1)
        elif tag in ("em", "i"):
            self.italic = max(0, self.italic - 1)

    def handle_data(self, data: str) -> None:
        if self.skip:
            return
        text = " ".join(w for w in _SPACE.split(data) if w)  # HTML collapses ASCII space only, never NBSP
        if data[:1] in ASCII_SPACE and text:
            text = " " + text
        if data[-1:] in ASCII_SPACE and data and text and not text.endswith(" "):
            text += " "
        if not text.strip():
            if text and self.current is not None and self.current.runs:
                self.current.runs.append(Run(" "))
            return
        target = self.cell if self.cell is not None else None
        if target is None:
            if self.current is None:
                self.current = Block("paragraph", self.region)
            target = self.current.runs
        if not target or target[-1].newline and not target[-1].text.strip() or self.pending_break:
            text = text.lstrip()
        target.append(Run(text, self.bold > 0, self.italic > 0, self.pending_break and bool(target)))
        self.pending_break = False


_AMOUNT = re.compile(r"(?<=\d) (?=\d{3}(?!\d))|(?<=\d) (?=(?:kr|kronor|%|procent)\b)|(?<=§) (?=\d)")


def keep_amounts_together(text: str) -> str:
    """'450 000 kr' and '§ 45' with non-breaking spaces: a line (or a narrow column) never splits them."""
    return _AMOUNT.sub("\u00a0", text)


def parse(html: str) -> list[Block]:
    """Blocks in document order, each run list trimmed at its ends."""
    parser = _Parser()
    parser.feed(html)
    parser.close()
    parser._close()
    for block in parser.blocks:
        _trim(block.runs)
        for row in block.rows:
            for _, runs in row:
                _trim(runs)
    return parser.blocks


def _trim(runs: list[Run]) -> None:
    if runs:
        runs[0].text = runs[0].text.lstrip()
        runs[-1].text = runs[-1].text.rstrip()
