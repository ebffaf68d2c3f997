"""Pure migration planning: mapping leaves across versions, blocked cases, chains, the YAML block."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from journey.definitions.loader import load_all, load_text
from journey.domain.case import Case, CaseStatus
from journey.domain.case_migration import Outcome, chain, check_chain, plan_case, state_map
from journey.domain.errors import DefinitionError, NotFoundError

VERSIONS = Path(__file__).parent / "data" / "workflows" / "versions"
T0 = datetime(2022, 1, 10, 9, 0, tzinfo=UTC)


@pytest.fixture(scope="module")
def specs() -> dict[int, object]:
    loaded = load_all(sorted(VERSIONS.glob("handbook-v*.yaml")))
    return {s.version: s for s in loaded}


def case(state: str, status: CaseStatus = CaseStatus.ACTIVE, version: int = 1) -> Case:
    return Case(7, 1, "handbook", version, state, status, T0, T0, T0, version=4)


def plan(specs: dict[int, object], state: str, **kw: object) -> object:
    return plan_case(case(state, **kw), "Laxå", [specs[1], specs[2]])  # type: ignore[list-item]


def test_renamed_state_moves_the_case_and_keeps_its_stage_clock(specs: dict[int, object]) -> None:
    p = plan(specs, "needs_inventory")
    assert (p.outcome, p.to_state, p.keeps_stage_clock) == (Outcome.MOVE, "needs_analysis", True)
    assert p.exited == ("needs_inventory",) and p.entered == ("needs_analysis",)
    assert p.case_version == 4 and p.from_version == 1 and p.to_version == 2


def test_removed_state_goes_where_the_new_version_maps_it(specs: dict[int, object]) -> None:
    p = plan(specs, "anchoring")
    assert (p.outcome, p.to_state) == (Outcome.MOVE, "political_intent")


def test_unchanged_state_is_only_relabelled(specs: dict[int, object]) -> None:
    p = plan(specs, "policy")
    assert (p.outcome, p.to_state, p.exited, p.entered) == (Outcome.RELABEL, "policy", (), ())


def test_a_renamed_leaf_inside_a_parallel_stage_keeps_the_other_region(specs: dict[int, object]) -> None:
    p = plan(specs, "collaboration.internal.established,collaboration.external.forming")
    assert p.to_state == "collaboration.internal.established,collaboration.external.dialogue"
    assert p.exited == ("collaboration.external.forming",)
    assert p.entered == ("collaboration.external.dialogue",)


def test_completed_and_paused_cases_keep_their_status(specs: dict[int, object]) -> None:
    assert plan(specs, "follow_up", status=CaseStatus.COMPLETED).to_status == "COMPLETED"
    assert plan(specs, "needs_inventory", status=CaseStatus.PAUSED).to_status == "PAUSED"


def test_case_on_target_or_later_version_is_left_alone(specs: dict[int, object]) -> None:
    assert plan_case(case("needs_analysis", version=2), "X", [specs[2]]).outcome is Outcome.CURRENT  # type: ignore
    assert plan_case(case("needs_analysis", version=3), "X", [specs[2]]).outcome is Outcome.NEWER  # type: ignore


V2_WITHOUT_ANCHORING_MAPPING = "    anchoring: political_intent\n"


def test_state_without_mapping_is_blocked_and_named_never_guessed(tmp_path: Path) -> None:
    text = (VERSIONS / "handbook-v2.yaml").read_text(encoding="utf-8").replace(V2_WITHOUT_ANCHORING_MAPPING, "")
    (tmp_path / "v2.yaml").write_text(text, encoding="utf-8")
    v1, v2 = sorted(load_all([VERSIONS / "handbook-v1.yaml", tmp_path / "v2.yaml"]), key=lambda s: s.version)
    p = plan_case(case("anchoring"), "Härjedalen", [v1, v2])
    assert p.outcome is Outcome.BLOCKED and p.to_state == "anchoring"
    assert "'anchoring' has no counterpart in handbook@2" in p.reason
    assert plan_case(case("local_team"), "Laxå", [v1, v2]).outcome is Outcome.RELABEL


V3 = """
workflow: handbook
version: 3
extends: handbook@2
migrations:
  states:
    follow_up: monitoring
remove_states: [follow_up]
states:
  - {id: monitoring, title: Uppföljning och lärande, final: true}
transitions:
  - {trigger: start_monitoring, source: business, dest: monitoring, guards: [follow_up_report]}
"""


def test_migration_chains_compose_v1_to_v3_through_v2(tmp_path: Path) -> None:
    (tmp_path / "v3.yaml").write_text(V3, encoding="utf-8")
    loaded = {s.version: s for s in load_all([*sorted(VERSIONS.glob("handbook-v*.yaml")), tmp_path / "v3.yaml"])}
    specs = chain(lambda v: loaded[v], 1, 3)
    assert [s.version for s in specs] == [1, 2, 3] and check_chain(specs) == []
    assert state_map(loaded[3]).source == 2  # `from` defaults to the previous version
    assert plan_case(case("follow_up", CaseStatus.COMPLETED), "H", specs).to_state == "monitoring"
    assert plan_case(case("needs_inventory"), "L", specs).to_state == "needs_analysis"


def test_a_chain_that_skips_the_case_version_is_refused(tmp_path: Path) -> None:
    (tmp_path / "v3.yaml").write_text(V3.replace("migrations:\n", "migrations:\n  from: 1\n"), encoding="utf-8")
    loaded = {s.version: s for s in load_all([*sorted(VERSIONS.glob("handbook-v*.yaml")), tmp_path / "v3.yaml"])}
    with pytest.raises(NotFoundError, match="no migration path from handbook@2: handbook@3 migrates from version 1"):
        chain(lambda v: loaded[v], 2, 3)


def test_mapping_an_old_path_that_never_existed_is_a_definition_error(specs: dict[int, object]) -> None:
    text = (VERSIONS / "handbook-v2.yaml").read_text(encoding="utf-8").replace(
        "    anchoring: political_intent", "    anchorage: political_intent")
    v2 = load_text(text, "v2.yaml")
    errors = check_chain([specs[1], v2])  # type: ignore[list-item]
    assert [str(e) for e in errors] == ["v2.yaml:12: migrations.states.anchorage: 'anchorage' is not a state of "
                                        "handbook@1"]


@pytest.mark.parametrize(("block", "message"), [
    ("migrations: [1]", "migrations: must be a mapping"),
    ("migrations: {from: 2}", "migrations.from: must be an earlier version of this workflow (1 to 1)"),
    ("migrations: {states: {anchoring: nowhere}}", "migrations.states.anchoring: maps to 'nowhere', which is not"),
    ("migrations: {states: {Bad-Path: policy}}", "migrations.states.Bad-Path: must be a dotted state path"),
    ("migrations: {states: {x: collaboration.internal}}", "is a region; map to one of its states"),
    ("migrations: {form: 1}", "migrations.form: unknown key"),
])
def test_bad_migrations_block_names_file_line_and_key(block: str, message: str) -> None:
    text = (VERSIONS / "handbook-v2.yaml").read_text(encoding="utf-8")
    start, end = text.index("migrations:"), text.index("\ntitle:")
    with pytest.raises(DefinitionError) as err:
        load_text(text[:start] + block + text[end:], "v2.yaml")
    assert message in str(err.value) and str(err.value).startswith("v2.yaml:")


SMALL_V1 = """
workflow: small
version: 1
initial: a
states:
  - {id: a}
  - id: collab
    parallel:
      - {id: r1, states: [{id: s1}, {id: e1, final: true}]}
      - {id: r2, states: [{id: s2}, {id: e2, final: true}]}
  - {id: done, final: true}
transitions:
  - {trigger: go, source: a, dest: collab}
  - {trigger: t1, source: collab.r1.s1, dest: collab.r1.e1}
  - {trigger: t2, source: collab.r2.s2, dest: collab.r2.e2}
  - {trigger: fin, source: collab, dest: done}
"""


def small_v2(mapping: str) -> object:
    text = SMALL_V1.replace("collab", "partner").replace("version: 1", f"version: 2\nmigrations:\n  states: {mapping}")
    text = text.replace("{id: s2}, {id: e2, final: true}]}", "{id: s2}, {id: e2, final: true}]}\n"
                        "      - {id: r3, states: [{id: s3}, {id: e3, final: true}]}")
    return load_text(text.replace("  - {trigger: fin", "  - {trigger: t3, source: partner.r3.s3, dest: partner.r3.e3}\n"
                                  "  - {trigger: fin"), "small-v2.yaml")


def test_a_renamed_parallel_stage_carries_its_leaves_and_starts_a_new_region() -> None:
    v1, v2 = load_text(SMALL_V1, "small-v1.yaml"), small_v2("{collab: partner}")
    c = Case(1, 1, "small", 1, "collab.r1.e1,collab.r2.s2", CaseStatus.ACTIVE, T0, T0, T0)
    p = plan_case(c, "X", [v1, v2])  # type: ignore[list-item]
    assert p.to_state == "partner.r1.e1,partner.r2.s2,partner.r3.s3" and p.keeps_stage_clock
    assert p.entered[0] == "partner" and "partner.r3.s3" in p.entered and "collab" in p.exited


def test_leaves_mapped_to_different_stages_block_the_case() -> None:
    v1, v2 = load_text(SMALL_V1, "small-v1.yaml"), small_v2("{collab: partner, collab.r1.e1: done}")
    c = Case(1, 1, "small", 1, "collab.r1.e1,collab.r2.s2", CaseStatus.ACTIVE, T0, T0, T0)
    p = plan_case(c, "X", [v1, v2])  # type: ignore[list-item]
    assert p.outcome is Outcome.BLOCKED and "map to different stages (done, partner)" in p.reason
