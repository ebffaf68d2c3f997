"""Property tests: the engine, the 'why' explanation and the stored state agree everywhere."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from journey.definitions.catalog import WorkflowCatalog
from journey.definitions.machine import MachineCache
from journey.domain.evidence import parse_value
from journey.domain.explain import next_steps
from journey.domain.guards import GuardContext, evaluate
from journey.domain.spec import EvidenceFieldSpec, format_state, parse_state
from tests.conftest import WORKFLOWS

REGISTRY = WorkflowCatalog.from_directory(WORKFLOWS)
MACHINES = MachineCache()


def full_evidence(spec, transition):  # type: ignore[no-untyped-def]
    """Evidence with every required field, so only non-evidence guards can refuse."""
    samples = {"date": "2022-01-01", "paragraph": 1, "diarienummer": "KS 2022/1", "int": 3,
               "people": ["A", "B", "C"], "text": "x", "bool": True}
    result = {}
    for name in transition.guards:
        kind = spec.evidence_kind(name)
        if kind is not None:
            result[name] = {f.name: (f.option("choices")[0] if f.type == "choice" else samples[f.type])
                            for f in kind.fields}
    return result


@settings(max_examples=60, deadline=None)
@given(name=st.sampled_from(REGISTRY.names()), walk=st.lists(st.integers(min_value=0, max_value=50), max_size=25))
def test_random_walks_agree_with_next_steps_and_round_trip_the_state(name: str, walk: list[int]) -> None:
    spec = REGISTRY.get(name)
    leaves = spec.initial_leaves(spec.initial)
    for choice in walk:
        steps = next_steps(spec, leaves)
        with MACHINES.attached(spec, leaves) as model:
            engine_triggers = set(MACHINES.get(spec).get_triggers(*model.leaves()))
        assert {s.trigger for s in steps} == engine_triggers
        if not steps:
            break
        step = steps[choice % len(steps)]
        transition = spec.transition(step.trigger, leaves)
        assert transition is not None
        evidence = full_evidence(spec, transition)
        ctx = GuardContext(spec, leaves, evidence)
        allowed = not any(evaluate(g, ctx) for g in transition.guards)
        with MACHINES.attached(spec, leaves) as model:
            moved = model.trigger(step.trigger, context=ctx)
            after = model.leaves()
        assert moved == allowed
        assert parse_state(format_state(after)) == after
        leaves = after
    assert all(MACHINES.get(s).models == [] for s in REGISTRY.all() if (s.name, s.version) in MACHINES._machines)


@given(st.dates())
def test_any_real_date_is_accepted_and_normalised(day) -> None:  # type: ignore[no-untyped-def]
    assert parse_value("k", EvidenceFieldSpec("d", "date"), day.isoformat()) == day.isoformat()


@given(st.integers(min_value=1, max_value=99999), st.sampled_from(["{}", "§{}", "§ {}", " § {} "]))
def test_paragraph_numbers_in_the_usual_spellings(number: int, form: str) -> None:
    assert parse_value("k", EvidenceFieldSpec("p", "paragraph"), form.format(number)) == number
