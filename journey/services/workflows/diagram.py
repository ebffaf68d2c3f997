"""Workflow diagrams with a case's current state highlighted: inline SVG and Mermaid text.

Rendered from the spec itself (no Graphviz, no JavaScript), so the HTML report works offline
and a diagram costs microseconds; the layout is computed once per workflow version.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from html import escape

from journey.domain.spec import StateSpec, WorkflowSpec, active_paths

CURRENT, DONE, TODO = "current", "done", "todo"
COLOURS = {CURRENT: ("#ffd54f", "#e65100", 3), DONE: ("#c8e6c9", "#2e7d32", 1.5), TODO: ("#ffffff", "#90a4ae", 1.5)}
WIDTH, X0, NODE_W, NODE_H, GAP = 720, 150, 360, 40, 38
PAD, LEAF_H, LEAF_GAP, HEADER = 14, 44, 42, 30


@dataclass
class Box:
    path: str
    x: float
    y: float
    w: float
    h: float
    spec: StateSpec

    @property
    def cx(self) -> float:
        return self.x + self.w / 2


@dataclass
class Layout:
    boxes: dict[str, Box] = field(default_factory=dict)
    height: float = 0.0
    order: dict[str, int] = field(default_factory=dict)  # position of each state in journey order


def _layout(spec: WorkflowSpec) -> Layout:
    layout, y = Layout(), 20.0
    for i, state in enumerate(spec.states):
        layout.order[state.path] = i
        if state.kind != "parallel":
            layout.boxes[state.path] = Box(state.path, X0, y, NODE_W, NODE_H, state)
            y += NODE_H + GAP
            continue
        width = NODE_W + 120
        region_w = (width - 3 * PAD) / max(1, len(state.children))
        depth = max((len(r.children) for r in state.children), default=1)
        height = HEADER + 24 + depth * LEAF_H + (depth - 1) * LEAF_GAP + PAD
        layout.boxes[state.path] = Box(state.path, X0 - 60, y, width, height, state)
        for j, region in enumerate(state.children):
            rx = X0 - 60 + PAD + j * (region_w + PAD / 2)
            layout.boxes[region.path] = Box(region.path, rx, y + HEADER, region_w, height - HEADER - PAD / 2, region)
            for k, leaf in enumerate(region.children):
                layout.order[leaf.path] = k
                ly = y + HEADER + 24 + k * (LEAF_H + LEAF_GAP)
                layout.boxes[leaf.path] = Box(leaf.path, rx + 8, ly, region_w - 16, LEAF_H, leaf)
        y += height + GAP
    layout.height = y
    return layout


@lru_cache(maxsize=32)
def _cached_layout(spec: WorkflowSpec) -> Layout:
    return _layout(spec)


def state_classes(spec: WorkflowSpec, leaves: tuple[str, ...]) -> dict[str, str]:
    """current / done / todo for every state path, from where the case stands."""
    layout = _cached_layout(spec)
    active = set(active_paths(leaves))
    top = leaves[0].split(".", 1)[0] if leaves else spec.initial
    here = layout.order.get(top, -1)
    classes: dict[str, str] = {}
    for state in spec.all_states():
        parts = state.path.split(".")
        if state.path in active:
            classes[state.path] = CURRENT
        elif layout.order.get(parts[0], 99) < here:
            classes[state.path] = DONE
        elif len(parts) == 3 and parts[0] == top:  # a leaf in a region of the current parallel stage
            current_leaf = next((leaf for leaf in leaves if leaf.startswith(".".join(parts[:2]) + ".")), "")
            mine, theirs = layout.order.get(state.path, 0), layout.order.get(current_leaf, 0)
            classes[state.path] = DONE if mine < theirs else TODO
        else:
            classes[state.path] = TODO
    return classes


def _wrap(text: str, width: float, size: float, max_lines: int = 2) -> list[str]:
    limit = max(8, int(width / (size * 0.56)))
    lines: list[str] = [""]
    for word in text.split():
        if lines[-1] and len(lines[-1]) + 1 + len(word) > limit:
            lines.append(word)
        else:
            lines[-1] = f"{lines[-1]} {word}".strip()
    return lines[:max_lines]


def _text(x: float, y: float, text: str, size: float, anchor: str = "middle", weight: str = "normal",
          width: float = 10_000, max_lines: int = 2) -> str:
    lines = _wrap(text, width, size, max_lines)
    first = y - (len(lines) - 1) * size * 0.6
    spans = "".join(f'<tspan x="{x:.0f}" y="{first + i * size * 1.2:.0f}">{escape(line)}</tspan>'
                    for i, line in enumerate(lines))
    return (f'<text text-anchor="{anchor}" font-size="{size}" font-weight="{weight}" '
            f'dominant-baseline="middle">{spans}</text>')


def _node(box: Box, cls: str) -> str:
    fill, stroke, stroke_w = COLOURS[cls]
    s = box.spec
    if s.kind in ("parallel", "region"):  # containers: keep the strong colour for the states inside
        fill = {CURRENT: "#fff8e1", DONE: "#f1f8e9", TODO: "#ffffff"}[cls] if s.kind == "parallel" else "none"
    parts = [f'<g class="state {cls}" data-state="{escape(s.path)}"><title>{escape(s.title)}'
             f'{" — " + escape(s.description) if s.description else ""}</title>']
    radius = 6 if s.kind != "region" else 4
    dash = ' stroke-dasharray="4 3"' if s.kind == "region" else ""
    parts.append(f'<rect x="{box.x:.0f}" y="{box.y:.0f}" width="{box.w:.0f}" height="{box.h:.0f}" rx="{radius}" '
                 f'fill="{fill}" stroke="{stroke}" stroke-width="{stroke_w}"{dash}/>')
    if s.final:
        parts.append(f'<rect x="{box.x + 4:.0f}" y="{box.y + 4:.0f}" width="{box.w - 8:.0f}" height="{box.h - 8:.0f}" '
                     f'rx="4" fill="none" stroke="{stroke}" stroke-width="1"/>')
    if s.kind in ("parallel", "region"):
        label = f"{s.handbook_stage}. {s.title}" if s.handbook_stage else s.title
        parts.append(_text(box.cx, box.y + 15, label, 13 if s.kind == "parallel" else 11.5, weight="bold"))
    else:
        size = 13 if s.kind == "stage" else 11.5
        parts.append(_text(box.cx + (8 if s.handbook_stage else 0), box.y + box.h / 2, s.title, size,
                           width=box.w - 40))
        if s.handbook_stage:
            parts.append(_text(box.x + 16, box.y + box.h / 2, s.handbook_stage, 12, weight="bold"))
    parts.append("</g>")
    return "".join(parts)


def _edges(spec: WorkflowSpec, layout: Layout) -> list[str]:
    out, back = [], 0
    for t in spec.transitions:
        src, dst = layout.boxes.get(t.source), layout.boxes.get(t.dest)
        if src is None or dst is None:
            continue
        tip = f"<title>{escape(t.title)} ({escape(t.trigger)})</title>" if t.title else f"<title>{escape(t.trigger)}</title>"
        if src is dst:  # self loop on the right
            x, y = src.x + src.w, src.y + src.h / 2
            out.append(f'<g class="edge">{tip}<path d="M{x:.0f},{y - 10:.0f} C{x + 44:.0f},{y - 26:.0f} '
                       f'{x + 44:.0f},{y + 26:.0f} {x + 2:.0f},{y + 10:.0f}" fill="none" stroke="#546e7a" '
                       f'marker-end="url(#arrow)"/>{_text(x + 48, y, t.title or t.trigger, 10.5, "start")}</g>')
        elif dst.y > src.y + src.h - 1:  # forward: straight down
            x1, y1, y2 = min(src.cx, dst.cx) if src.w > dst.w else src.cx, src.y + src.h, dst.y - 2
            x1 = dst.cx if abs(src.cx - dst.cx) < 1 or src.w <= dst.w else x1
            out.append(f'<g class="edge">{tip}<line x1="{x1:.0f}" y1="{y1:.0f}" x2="{x1:.0f}" y2="{y2:.0f}" '
                       f'stroke="#546e7a" stroke-width="1.4" marker-end="url(#arrow)"/>'
                       f'{_edge_label(x1 + 8, (y1 + y2) / 2, t.title or t.trigger, src, layout)}</g>')
        else:  # backwards: around the left side
            back += 1
            x, off = min(src.x, dst.x), 24 + 14 * back
            out.append(f'<g class="edge">{tip}<path d="M{src.x:.0f},{src.y + src.h / 2:.0f} C{x - off:.0f},'
                       f'{src.y + src.h / 2:.0f} {x - off:.0f},{dst.y + dst.h / 2:.0f} {dst.x - 2:.0f},'
                       f'{dst.y + dst.h / 2:.0f}" fill="none" stroke="#546e7a" marker-end="url(#arrow)"/></g>')
    return out


def _edge_label(x: float, y: float, text: str, src: Box, layout: Layout) -> str:
    """Beside the arrow; inside a region the label wraps so it stays within the region."""
    region = layout.boxes.get(src.path.rsplit(".", 1)[0]) if src.spec.kind == "leaf" else None
    width = region.x + region.w - x - 4 if region else 10_000
    label = _text(x, y, text, 10 if region else 10.5, "start", width=width, max_lines=3)
    return label.replace("<text ", '<text fill="#37474f" ', 1)


def svg(spec: WorkflowSpec, leaves: tuple[str, ...] = ()) -> str:
    """An inline SVG of ``spec``; the states of ``leaves`` (and their parents) highlighted as current."""
    layout = _cached_layout(spec)
    classes = state_classes(spec, leaves) if leaves else dict.fromkeys(layout.boxes, TODO)
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" class="diagram" viewBox="0 0 {WIDTH} {layout.height:.0f}" '
             f'width="{WIDTH}" height="{layout.height:.0f}" role="img" '
             f'aria-label="{escape(spec.title)}" font-family="DejaVu Sans, Arial, sans-serif" fill="#263238">',
             '<defs><marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" '
             'orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="#546e7a"/></marker></defs>']
    first = layout.boxes.get(spec.initial)
    if first is not None:
        parts.append(f'<circle cx="{first.cx:.0f}" cy="8" r="5" fill="#263238"/>'
                     f'<line x1="{first.cx:.0f}" y1="13" x2="{first.cx:.0f}" y2="{first.y - 2:.0f}" '
                     f'stroke="#546e7a" marker-end="url(#arrow)"/>')
    by_depth = sorted(layout.boxes.values(), key=lambda b: b.path.count("."))
    parts += [_node(box, classes.get(box.path, TODO)) for box in by_depth]
    parts += _edges(spec, layout)
    parts.append("</svg>")
    return "".join(parts)


def _mid(path: str) -> str:
    return path.replace(".", "__")


def mermaid(spec: WorkflowSpec, leaves: tuple[str, ...] = ()) -> str:
    """A Mermaid ``stateDiagram-v2`` of ``spec`` with classes current/done (paste into any Mermaid viewer)."""
    classes = state_classes(spec, leaves) if leaves else {}
    lines = ["stateDiagram-v2", f"  [*] --> {_mid(spec.initial)}"]

    def declare(state: StateSpec, indent: str) -> None:
        lines.append(f'{indent}state "{state.title}" as {_mid(state.path)}')
        if state.children:
            lines.append(f"{indent}state {_mid(state.path)} {{")
            for i, child in enumerate(state.children):
                if i and state.kind == "parallel":
                    lines.append(f"{indent}  --")
                if state.kind == "region" and child.path == state.initial:
                    lines.append(f"{indent}  [*] --> {_mid(child.path)}")
                declare(child, indent + "  ")
            lines.append(f"{indent}}}")

    for state in spec.states:
        declare(state, "  ")
    for t in spec.transitions:
        lines.append(f"  {_mid(t.source)} --> {_mid(t.dest)}: {t.title or t.trigger}")
    lines += [f"  {_mid(s.path)} --> [*]" for s in spec.states if s.final]
    fill, stroke, _ = COLOURS[CURRENT]
    lines.append(f"  classDef current fill:{fill},stroke:{stroke},stroke-width:3px")
    lines.append(f"  classDef done fill:{COLOURS[DONE][0]},stroke:{COLOURS[DONE][1]}")
    for cls in (CURRENT, DONE):
        members = [_mid(s.path) for s in spec.all_states() if classes.get(s.path) == cls and s.kind != "region"]
        if members:
            lines.append(f"  class {','.join(members)} {cls}")
    return "\n".join(lines) + "\n"
