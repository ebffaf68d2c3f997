"""Workflow definitions as frozen data: what a workflow *is*, shared by every case that runs it.

A state is addressed by its dotted path: ``policy`` for a top-level stage,
``collaboration.internal.established`` for a leaf inside a parallel region.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class EvidenceFieldSpec:
    """One field of an evidence kind, e.g. ``meeting_date`` of a board decision."""

    name: str
    type: str = "text"
    label: str = ""
    required: bool = True
    options: tuple[tuple[str, Any], ...] = ()  # type-specific settings, e.g. (("min", 2),)

    def option(self, key: str, default: Any = None) -> Any:
        return dict(self.options).get(key, default)

    @property
    def title(self) -> str:
        """What a person reads: the field's label from the workflow, else its name."""
        return self.label or self.name

    @property
    def choices(self) -> tuple[str, ...]:
        """The ids a choice field stores (``choices`` in the YAML, or the keys of its id -> label mapping)."""
        return tuple(self.option("choices", ()))

    def choice_label(self, value: Any) -> str:
        """The Swedish label of a stored choice (``iop`` -> ``IOP``); the value itself when it has none."""
        return str(dict(self.option("choice_labels", ())).get(value, value))

    def choice_labels(self) -> tuple[str, ...]:
        return tuple(self.choice_label(c) for c in self.choices)


@dataclass(frozen=True)
class EvidenceSpec:
    """A named kind of evidence a transition can require (a guard)."""

    name: str
    title: str
    fields: tuple[EvidenceFieldSpec, ...]

    def field(self, name: str) -> EvidenceFieldSpec | None:
        return next((f for f in self.fields if f.name == name), None)

    def field_label(self, name: str) -> str:
        fld = self.field(name)
        return fld.title if fld is not None else name


@dataclass(frozen=True)
class ReminderSpec:
    """A reminder a state plans when entered; interpreted by the reminder service."""

    id: str
    settings: tuple[tuple[str, Any], ...] = ()

    def get(self, key: str, default: Any = None) -> Any:
        return dict(self.settings).get(key, default)


@dataclass(frozen=True)
class DocumentSpec:
    """A document a state produces, rendered from a template."""

    id: str
    template: str
    settings: tuple[tuple[str, Any], ...] = ()

    def get(self, key: str, default: Any = None) -> Any:
        return dict(self.settings).get(key, default)


@dataclass(frozen=True)
class MatterSpec:
    """The political matter (ärende) a state needs before the case may leave it by decision.

    ``bodies`` are board codes in deciding order (e.g. ``("responsible", "KS", "KF")``), where
    ``responsible`` stands for the municipality's responsible board. The last body's bifall
    fires ``decides``; an avslag fires ``on_avslag`` (when declared). See journey.domain.matters.
    """

    title: str
    bodies: tuple[str, ...]
    decides: str
    decision: str = "board_decision"  # the evidence kind a decision provides (organ, meeting_date, paragraph, dnr)
    on_avslag: str = ""
    prepared_by: str = "coordinator"
    optional: bool = False  # opened by `journey matters register`, not on entering the state
    line: int | None = None


@dataclass(frozen=True)
class StateSpec:
    """A stage, a parallel region, or a leaf inside a region (see ``kind``)."""

    path: str
    title: str
    kind: str = "stage"  # stage | parallel | region | leaf
    final: bool = False
    handbook_stage: str = ""
    description: str = ""
    initial: str = ""  # for a region: the path of its initial leaf
    children: tuple[StateSpec, ...] = ()
    reminders: tuple[ReminderSpec, ...] = ()
    documents: tuple[DocumentSpec, ...] = ()
    line: int | None = None
    matter: MatterSpec | None = None
    expected_days: int | None = None  # longer than this in the stage is overdue (``expected_duration: 90d``)

    @property
    def id(self) -> str:
        return self.path.rsplit(".", 1)[-1]

    @property
    def is_parallel(self) -> bool:
        return self.kind == "parallel"


@dataclass(frozen=True)
class TransitionSpec:
    """A trigger that moves a case from ``source`` to ``dest`` when all ``guards`` pass."""

    trigger: str
    source: str
    dest: str
    title: str = ""
    guards: tuple[str, ...] = ()
    line: int | None = None


@dataclass(frozen=True)
class WorkflowSpec:
    """A complete, validated workflow definition at one version."""

    name: str
    version: int
    title: str
    initial: str
    states: tuple[StateSpec, ...]
    transitions: tuple[TransitionSpec, ...]
    evidence: tuple[EvidenceSpec, ...] = ()
    description: str = ""
    extends: str = ""
    source_file: str = ""
    migrations: tuple[tuple[str, Any], ...] = ()  # settings for migrating cases from older versions
    _index: dict[str, StateSpec] = field(default_factory=dict, compare=False, repr=False, hash=False)

    def __post_init__(self) -> None:
        def walk(states: tuple[StateSpec, ...]) -> None:
            for s in states:
                self._index[s.path] = s
                walk(s.children)

        walk(self.states)

    @property
    def key(self) -> str:
        return f"{self.name}@{self.version}"

    def state(self, path: str) -> StateSpec | None:
        return self._index.get(path)

    def all_states(self) -> list[StateSpec]:
        return list(self._index.values())

    def evidence_kind(self, name: str) -> EvidenceSpec | None:
        return next((e for e in self.evidence if e.name == name), None)

    def state_title(self, path: str | None) -> str:
        """A state's title from the workflow (``policy`` -> ``Policy för sociala företag``); the path when unknown.

        A case in a parallel stage (leaves joined by commas) reads as its leaves' titles.
        """
        if not path:
            return ""
        if "," in path:
            return ", ".join(self.state_title(p) for p in path.split(",") if p)
        state = self._index.get(path)
        return state.title if state is not None and state.title else path

    def trigger_title(self, trigger: str | None) -> str:
        """A step's title from the workflow (``adopt_policy`` -> ``Policy antagen``); the trigger when untitled."""
        if not trigger:
            return ""
        return next((t.title for t in self.transitions if t.trigger == trigger and t.title), trigger)

    def document_title(self, state_path: str, doc_id: str) -> str:
        """A document's title from the state that produces it; the id when the state or document is unknown."""
        state = self._index.get(state_path)
        doc = next((d for d in state.documents if d.id == doc_id), None) if state is not None else None
        return str(doc.get("title") or doc_id) if doc is not None else doc_id

    def reminder_title(self, state_path: str, rule_id: str) -> str:
        state = self._index.get(state_path)
        rule = next((r for r in state.reminders if r.id == rule_id), None) if state is not None else None
        return str(rule.get("title") or rule_id) if rule is not None else rule_id

    def evidence_title(self, kind: str) -> str:
        found = self.evidence_kind(kind)
        return found.title if found is not None and found.title else kind

    def field_label(self, kind: str, field_name: str) -> str:
        """An evidence field's label (``officials_function`` -> ``Samordnande funktion i förvaltningen``)."""
        found = self.evidence_kind(kind)
        return found.field_label(field_name) if found is not None else field_name

    def choice_label(self, kind: str, field_name: str, value: Any) -> str:
        found = self.evidence_kind(kind)
        fld = found.field(field_name) if found is not None else None
        return fld.choice_label(value) if fld is not None and fld.type == "choice" else str(value)

    def initial_leaves(self, path: str) -> tuple[str, ...]:
        """The leaves a case occupies right after entering ``path``."""
        state = self._index[path]
        if state.kind == "parallel":
            return tuple(leaf for region in state.children for leaf in self.initial_leaves(region.path))
        if state.kind == "region":
            return self.initial_leaves(state.initial)
        return (path,)

    def triggers(self) -> list[str]:
        return sorted({t.trigger for t in self.transitions})

    def transitions_from(self, leaves: tuple[str, ...]) -> list[TransitionSpec]:
        """Transitions whose source is one of ``leaves`` or an ancestor of one, in file order."""
        active = set(active_paths(leaves))
        return [t for t in self.transitions if t.source in active]

    def transition(self, trigger: str, leaves: tuple[str, ...]) -> TransitionSpec | None:
        return next((t for t in self.transitions_from(leaves) if t.trigger == trigger), None)

    def stage_of(self, leaves: tuple[str, ...]) -> str:
        return leaves[0].split(".", 1)[0]


def active_paths(leaves: tuple[str, ...]) -> list[str]:
    """Every state a case is in: each leaf and all its ancestors, ancestors first."""
    seen: dict[str, None] = {}
    for leaf in leaves:
        parts = leaf.split(".")
        for i in range(1, len(parts) + 1):
            seen.setdefault(".".join(parts[:i]), None)
    return list(seen)


def format_state(leaves: tuple[str, ...]) -> str:
    """Store a case's state as text: leaves joined by commas (one leaf for a plain stage)."""
    return ",".join(leaves)


def parse_state(text: str) -> tuple[str, ...]:
    return tuple(p for p in text.split(",") if p)
