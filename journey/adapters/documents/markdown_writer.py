"""Markdown from the rendered HTML: for wikis, e-mail and plain-text diffs of generated documents."""

from __future__ import annotations

import re

from journey.adapters.documents._html_blocks import Block, Run, keep_amounts_together, parse

_SPECIAL = re.compile(r"([\\`*_\[\]|<>#])")


def _escape(text: str) -> str:
    return _SPECIAL.sub(r"\\\1", text)


def _inline(runs: list[Run], *, cell: bool = False) -> str:
    parts = []
    for run in runs:
        if run.newline:
            parts.append("<br>" if cell else "  \n")
        text = _escape(keep_amounts_together(run.text))
        core = text.strip()
        if core and (run.bold or run.italic):
            mark = "**" if run.bold else "*"
            mark = "***" if run.bold and run.italic else mark
            lead, trail = text[: len(text) - len(text.lstrip())], text[len(text.rstrip()):]
            text = f"{lead}{mark}{core}{mark}{trail}"
        parts.append(text)
    return "".join(parts).strip()


def _table(block: Block) -> list[str]:
    rows = [[_inline(runs, cell=True) for _, runs in row] for row in block.rows if row]
    if not rows:
        return []
    width = max(len(r) for r in rows)
    rows = [r + [""] * (width - len(r)) for r in rows]
    head = rows[0] if any(h for h, _ in block.rows[0]) else [""] * width
    body = rows[1:] if head is rows[0] else rows
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * width]
    return lines + ["| " + " | ".join(r) + " |" for r in body]


def html_to_markdown(html: str, diarienummer: str = "") -> str:
    """Markdown in step with the .docx: the letterhead first, with the diarienummer ("Dnr ...") in it."""
    out: list[str] = []
    previous = ""
    blocks = parse(html)
    header = [b for b in blocks if b.region == "header"]
    if "Dnr" not in " ".join(b.text + " ".join("".join(r.text for r in runs) for row in b.rows for _, runs in row)
                             for b in header):
        at = max((i + 1 for i, b in enumerate(blocks) if b.region == "header"), default=0)
        blocks.insert(at, Block("paragraph", "header", [Run(f"Dnr {diarienummer or '[ange diarienummer]'}")]))
    for block in blocks:
        if block.kind != "item" and previous == "item":
            out.append("")
        if block.kind == "heading":
            out += ["#" * block.level + " " + _inline(block.runs), ""]
        elif block.kind == "item":
            marker = f"{block.number}." if block.number is not None else "-"
            out.append("   " * (block.level - 1) + f"{marker} " + _inline(block.runs))
        elif block.kind == "table":
            out += _table(block) + [""]
        elif block.kind == "rule":
            out += ["---", ""]
        else:
            text = _inline(block.runs)
            out += [f"<small>{text}</small>" if block.region == "footer" else text, ""]
        previous = block.kind
    return "\n".join(out).rstrip() + "\n"
