"""Workflow diagrams from the spec: which states are current, passed or still ahead; SVG and Mermaid output."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from journey.definitions.catalog import WorkflowCatalog
from journey.domain.spec import WorkflowSpec
from journey.services.workflows.diagram import COLOURS, mermaid, state_classes, svg
from tests.conftest import WORKFLOWS


@pytest.fixture(scope="module")
def spec() -> WorkflowSpec:
    return WorkflowCatalog.from_directory(Path(WORKFLOWS)).get("handbook", 1)


def test_classes_for_a_plain_stage(spec: WorkflowSpec) -> None:
    classes = state_classes(spec, ("policy",))
    assert classes["policy"] == "current"
    assert {classes[s] for s in ("interest", "anchoring", "political_intent")} == {"done"}
    assert {classes[s] for s in ("action_plan", "collaboration", "collaboration.internal.forming", "follow_up")} == {
        "todo"}


def test_classes_inside_the_parallel_stage(spec: WorkflowSpec) -> None:
    classes = state_classes(spec, ("collaboration.internal.established", "collaboration.external.forming"))
    assert classes["collaboration"] == classes["collaboration.internal"] == "current"
    assert classes["collaboration.internal.established"] == "current"
    assert classes["collaboration.internal.forming"] == "done"
    assert classes["collaboration.external.forming"] == "current"
    assert classes["collaboration.external.established"] == "todo"
    assert classes["action_plan"] == "done" and classes["business"] == "todo"


def test_svg_fills_only_current_states_with_the_highlight(spec: WorkflowSpec) -> None:
    drawing = svg(spec, ("business",))
    groups = re.findall(r'<g class="state (\w+)" data-state="([\w.]+)"><title>[^<]*</title><rect [^>]*fill="([^"]+)"',
                        drawing)
    assert len(groups) == len(spec.all_states())
    highlighted = {path for _, path, fill in groups if fill == COLOURS["current"][0]}
    assert highlighted == {"business"}
    assert drawing.count("<g class=\"edge\">") == len(spec.transitions)
    assert "Affärer, partnerskap och upphandling" in drawing and "<script" not in drawing


def test_svg_escapes_titles() -> None:
    from journey.domain.spec import StateSpec, TransitionSpec

    tricky = WorkflowSpec("x", 1, "X", "a", (StateSpec("a", "A <b> & co"), StateSpec("b", "B", final=True)),
                          (TransitionSpec("go", "a", "b", title="<script>"),))
    drawing = svg(tricky, ("a",))
    assert "A &lt;b&gt; &amp; co" in drawing and "<script>" not in drawing


def test_mermaid_marks_current_and_done(spec: WorkflowSpec) -> None:
    text = mermaid(spec, ("collaboration.internal.forming", "collaboration.external.established"))
    assert text.startswith("stateDiagram-v2\n  [*] --> interest\n")
    assert "  class collaboration,collaboration__internal__forming,collaboration__external__established current" \
        in text.replace("collaboration__external__established,collaboration__internal__forming",
                        "collaboration__internal__forming,collaboration__external__established")
    assert "interest --> letter_of_intent: Registrera intresseanmälan" in text
    assert "    --\n" in text  # the two regions run in parallel
