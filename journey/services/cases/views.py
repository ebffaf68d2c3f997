"""The read side: status, history and 'why' for the CLI, from the fast read model plus the specs."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict
from datetime import datetime
from typing import Any

from journey.definitions.catalog import WorkflowCatalog
from journey.domain import guards
from journey.domain.access import Action, Actor, authorize, visible
from journey.domain.deals import deal_label
from journey.domain.errors import NotFoundError
from journey.domain.explain import command_hint, next_steps
from journey.domain.municipality import swedish_sort_key
from journey.domain.spec import WorkflowSpec, parse_state
from journey.ports.core import ReadModel
from journey.services.actors import match_municipality, resolve_actor


def reader(read: ReadModel, username: str | None) -> Actor:
    return resolve_actor(username, read.user, read.user_count)


def _state_title(spec: WorkflowSpec | None, leaves: tuple[str, ...]) -> str:
    if spec is None:
        return ", ".join(leaves)
    stage = spec.state(leaves[0].split(".", 1)[0])
    title = stage.title if stage else leaves[0]
    if len(leaves) > 1 or "." in leaves[0]:
        parts = []
        for leaf in leaves:
            region, state = spec.state(leaf.rsplit(".", 1)[0]), spec.state(leaf)
            parts.append(f"{region.title if region else leaf}: {state.title if state else leaf}")
        title += " (" + "; ".join(parts) + ")"
    return title


def _summary(spec: WorkflowSpec | None, leaves: tuple[str, ...]) -> str:
    """Short form for tables: 'Samverkansstruktur (Intern samverkan klar, Extern samverkan pågår)'."""
    if spec is None or (len(leaves) == 1 and "." not in leaves[0]):
        return _state_title(spec, leaves)
    stage = spec.state(leaves[0].split(".", 1)[0])
    parts = []
    for leaf in leaves:
        region, state = spec.state(leaf.rsplit(".", 1)[0]), spec.state(leaf)
        parts.append(f"{region.title if region else leaf} {'klar' if state and state.final else 'pågår'}")
    return f"{stage.title if stage else leaves[0]} ({', '.join(parts)})"


def _spec_or_none(workflows: WorkflowCatalog, name: str, version: int) -> WorkflowSpec | None:
    try:
        return workflows.get(name, version)
    except NotFoundError:
        return None


def case_status(row: dict[str, Any], workflows: WorkflowCatalog, now: datetime) -> dict[str, Any]:
    """One case as plain data: where it stands, since when, what changed last, what may come next."""
    spec = _spec_or_none(workflows, row["workflow"], row["workflow_version"])
    leaves = parse_state(row["state"])
    stage = spec.state(row["stage"]) if spec else None
    last = row.get("last_change") or {}
    return {
        "municipality": row["municipality"],
        "code": row["code"],
        "workflow": f"{row['workflow']}@{row['workflow_version']}",
        "stage": row["stage"],
        "handbook_stage": stage.handbook_stage if stage else "",
        "state": row["state"],
        "state_title": _state_title(spec, leaves),
        "state_summary": _summary(spec, leaves),
        "status": row["status"],
        "days_in_stage": max(0, (now - row["stage_entered_at"]).days),
        "stage_entered_at": row["stage_entered_at"].isoformat(),
        "last_change": {"at": last["at"].isoformat(), "actor": last["actor"], "trigger": last["trigger"],
                        "kind": last["kind"]} if last else None,
        "next_triggers": [s.trigger for s in next_steps(spec, leaves)] if spec else [],
        "version": row["version"],
    }


def _visible(actor: Actor, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return visible(actor, rows, lambda r: r["municipality_id"])


def _case_row(read: ReadModel, actor: Actor, municipality: str) -> dict[str, Any]:
    m = match_municipality(municipality, read.municipalities())
    authorize(actor, Action.READ, m["id"], m["name"])
    rows = read.cases(m["id"])
    if not rows:
        raise NotFoundError(f"{m['name']} has no case yet: run `journey open {m['name']}`")
    return rows[0]


def status(read: ReadModel, workflows: Callable[[], WorkflowCatalog], username: str | None, now: datetime,
           municipality: str | None = None) -> list[dict[str, Any]]:
    actor = reader(read, username)
    rows = [_case_row(read, actor, municipality)] if municipality else _visible(actor, read.cases())
    rows.sort(key=lambda r: swedish_sort_key(r["municipality"]))
    registry = workflows()
    return [case_status(r, registry, now) for r in rows]


def history(read: ReadModel, username: str | None, municipality: str) -> dict[str, Any]:
    actor = reader(read, username)
    row = _case_row(read, actor, municipality)
    entries = read.history(row["id"])
    for e in entries:
        e["at"] = e["at"].isoformat()
    return {"municipality": row["municipality"], "workflow": f"{row['workflow']}@{row['workflow_version']}",
            "entries": entries}


def why(read: ReadModel, workflows: Callable[[], WorkflowCatalog], username: str | None,
        municipality: str) -> dict[str, Any]:
    """For each possible next step: the guards it needs and what each still lacks."""
    actor = reader(read, username)
    row = _case_row(read, actor, municipality)
    spec = workflows().get(row["workflow"], row["workflow_version"])
    leaves = parse_state(row["state"])
    awarded: tuple[str, ...] = ()
    if any(guards.DEAL_AWARDED in t.guards for t in spec.transitions_from(leaves)):
        awarded = tuple(deal_label(d["number"], d["form"], d["counterparty"]) for d in read.awarded_deals(row["id"]))
    steps = next_steps(spec, leaves, awarded)
    return {
        "municipality": row["municipality"],
        "state": row["state"],
        "state_title": _state_title(spec, leaves),
        "status": row["status"],
        "awarded_deals": list(awarded),
        "steps": [asdict(s) | {"ready": s.ready, "dest_title": _dest_title(spec, s.dest),
                               "automatic": guards.is_automatic(spec, tuple(g.name for g in s.guards)),
                               "command": command_hint(spec, s, _quoted(row["municipality"]))} for s in steps],
    }


def _quoted(name: str) -> str:
    return f"'{name}'" if " " in name else name


def _dest_title(spec: WorkflowSpec, dest: str) -> str:
    state = spec.state(dest)
    return state.title if state else dest


def municipalities(read: ReadModel, username: str | None) -> list[dict[str, Any]]:
    actor = reader(read, username)
    rows = read.municipalities()
    cases = {c["municipality_id"]: c for c in read.cases()} if rows else {}
    shown = visible(actor, rows, lambda r: r["id"])
    shown.sort(key=lambda r: swedish_sort_key(r["name"]))
    return [r | {"stage": cases[r["id"]]["stage"] if r["id"] in cases else None} for r in shown]
