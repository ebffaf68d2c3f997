"""One transitions machine per workflow version, shared by every case that runs it.

Cases attach as short-lived plain models: ``add_model(model, initial=leaves)`` restores a
state without firing callbacks, and ``remove_model`` detaches it again.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from journey.domain import guards
from journey.domain.errors import DefinitionError
from journey.domain.messages import msg
from journey.domain.spec import StateSpec, WorkflowSpec

SEPARATOR = "."


class CaseModel:
    """What the machine sees of a case: only its state (transitions adds trigger methods)."""

    state: Any
    trigger: Any  # added by transitions: ``trigger(name, **kwargs) -> bool``

    def leaves(self) -> tuple[str, ...]:
        return tuple(self.state) if isinstance(self.state, list) else (self.state,)


def _hsm_state(state: StateSpec) -> Any:
    if state.kind == "parallel":
        return {
            "name": state.id,
            "parallel": [
                {"name": r.id, "children": [leaf.id for leaf in r.children], "initial": r.initial.rsplit(".", 1)[-1]}
                for r in state.children
            ],
        }
    return state.id


class MachineCache:
    """Builds each workflow version's machine once; later calls return the same machine."""

    def __init__(self) -> None:
        self._machines: dict[tuple[str, int], Any] = {}

    def get(self, spec: WorkflowSpec) -> Any:
        key = (spec.name, spec.version)
        if key not in self._machines:
            self._machines[key] = build_machine(spec)
        return self._machines[key]

    def __len__(self) -> int:
        return len(self._machines)

    @contextmanager
    def attached(self, spec: WorkflowSpec, leaves: tuple[str, ...]) -> Iterator[CaseModel]:
        """Attach a model in state ``leaves`` (no callbacks fire), detach it afterwards."""
        machine = self.get(spec)
        model = CaseModel()
        machine.add_model(model, initial=list(leaves) if len(leaves) > 1 else leaves[0])
        try:
            yield model
        finally:
            machine.remove_model(model)


def build_machine(spec: WorkflowSpec) -> Any:
    """Compile a spec into a HierarchicalMachine with guard conditions; no model attached."""
    from transitions.extensions.nesting import HierarchicalMachine, NestedState

    class _State(NestedState):
        separator = SEPARATOR

    class _Machine(HierarchicalMachine):
        state_cls = _State

    def condition(names: tuple[str, ...]) -> Any:
        def passes(event: Any) -> bool:
            ctx = event.kwargs["context"]
            return not any(guards.evaluate(name, ctx) for name in names)

        return passes

    transitions = [
        {"trigger": t.trigger, "source": t.source, "dest": t.dest, "conditions": [condition(t.guards)]}
        for t in spec.transitions
    ]
    try:
        return _Machine(model=None, states=[_hsm_state(s) for s in spec.states], transitions=transitions,
                        initial=spec.initial, auto_transitions=False, send_event=True, queued=False)
    except Exception as exc:  # transitions raises ValueError/MachineError on bad graphs
        raise DefinitionError(msg("cannot build state machine: {exc}", exc=exc), file=spec.source_file) from None
