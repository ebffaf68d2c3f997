"""The read side: status, history and 'why' for the CLI, from the fast read model plus the specs."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict
from datetime import datetime
from typing import Any

from journey.definitions.catalog import WorkflowCatalog
from journey.domain import guards, labels
from journey.domain.access import Action, Actor, authorize, visible
from journey.domain.case import HistoryEntry, HistoryKind, corrections_of, overlay
from journey.domain.deals import deal_label
from journey.domain.errors import NotFoundError
from journey.domain.explain import command_hint, lacking_in_words, next_steps
from journey.domain.messages import msg
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
    steps = next_steps(spec, leaves) if spec and row["status"] != "WITHDRAWN" else []
    return {
        "municipality": row["municipality"],
        "code": row["code"],
        "workflow": f"{row['workflow']}@{row['workflow_version']}",
        "workflow_title": f"{spec.title} (version {spec.version})" if spec else "",
        "stage": row["stage"],
        "stage_title": stage.title if stage else row["stage"],
        "handbook_stage": stage.handbook_stage if stage else "",
        "state": row["state"],
        "state_title": _state_title(spec, leaves),
        "state_summary": _summary(spec, leaves),
        "status": row["status"],
        "status_label": labels.case_status(row["status"]),
        "days_in_stage": max(0, (now - row["stage_entered_at"]).days),
        "stage_entered_at": row["stage_entered_at"].isoformat(),
        "last_change": {"at": last["at"].isoformat(), "actor": last["actor"], "trigger": last["trigger"],
                        "kind": last["kind"], "title": _step_title(spec, last["trigger"], last["kind"])}
        if last else None,
        "next_triggers": [s.trigger for s in steps],
        "next_titles": [s.title for s in steps],
        "version": row["version"],
    }


def _step_title(spec: WorkflowSpec | None, trigger: str | None, kind: str | None) -> str:
    """What a history entry did, in words: the step's title, else what kind of entry it is."""
    if trigger:
        return spec.trigger_title(trigger) if spec else trigger
    return labels.history_kind(kind)


def _visible(actor: Actor, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return visible(actor, rows, lambda r: r["municipality_id"])


def _case_row(read: ReadModel, actor: Actor, municipality: str) -> dict[str, Any]:
    m = match_municipality(municipality, read.municipalities())
    authorize(actor, Action.READ, m["id"], m["name"])
    rows = read.cases(m["id"])
    if not rows:
        raise NotFoundError(msg("{name} has no case yet: run `journey open {name}`", name=m['name']))
    return rows[0]


def status(read: ReadModel, workflows: Callable[[], WorkflowCatalog], username: str | None, now: datetime,
           municipality: str | None = None, matters: Any = None) -> list[dict[str, Any]]:
    """Every case the actor may read, or one municipality's (then with its corrections and open matter).

    ``matters``: a :class:`journey.ports.matters.MatterReadModel` for the open matter (one case only).
    """
    actor = reader(read, username)
    rows = [_case_row(read, actor, municipality)] if municipality else _visible(actor, read.cases())
    rows.sort(key=lambda r: swedish_sort_key(r["municipality"]))
    registry = workflows()
    result = [case_status(r, registry, now) for r in rows]
    if municipality:
        result[0]["corrections"] = corrections(read.history(rows[0]["id"]),
                                               _spec_or_none(registry, rows[0]["workflow"], rows[0]["workflow_version"]))
        result[0]["matter"] = _open_matter(matters, registry, rows[0], now)
    return result


def _open_matter(matters: Any, registry: WorkflowCatalog, row: dict[str, Any], now: datetime) -> dict[str, Any] | None:
    if matters is None:
        return None
    from journey.services.matters.views import open_matter_summary

    return open_matter_summary(matters, _spec_or_none(registry, row["workflow"], row["workflow_version"]), row, now)


def _correction_rows(entries: list[dict[str, Any]]) -> dict[int, list[Any]]:
    found = [HistoryEntry(0, HistoryKind.CORRECTED, e["from_state"], e["to_state"], None, e["actor"], e["at"],
                          e["evidence"], e["comment"], e["seq"]) for e in entries if e["kind"] == "CORRECTED"]
    return corrections_of(found)


def corrections(entries: list[dict[str, Any]], spec: WorkflowSpec | None = None) -> list[dict[str, Any]]:
    """Each correction as ``kind.field`` (and its label): previous -> corrected value, by whom, when and why."""
    rows = []
    for entry_seq, items in sorted(_correction_rows(entries).items()):
        for c in items:
            rows.append({"entry": entry_seq, "seq": c.seq, "actor": c.actor, "at": c.at.isoformat(), "reason": c.reason,
                         "changes": [{"field": f"{kind}.{name}", "previous": c.previous.get(kind, {}).get(name),
                                      "value": value,
                                      "field_label": spec.field_label(kind, name) if spec else f"{kind}.{name}"}
                                     for kind, fields in c.changes.items()
                                     for name, value in fields.items()]})
    return sorted(rows, key=lambda r: r["seq"])


def history(read: ReadModel, username: str | None, municipality: str,
            workflows: Callable[[], WorkflowCatalog] | None = None) -> dict[str, Any]:
    """The audit trail, oldest first; a corrected entry shows its corrected evidence and who corrected it, and why.

    The stored entry is never changed: ``original_evidence`` keeps what it recorded. With ``workflows`` each
    entry also gets the Swedish titles a person reads (``trigger_title``, ``from_title``, ``to_title``,
    ``kind_label``, ``evidence_labels``) beside its ids.
    """
    actor = reader(read, username)
    row = _case_row(read, actor, municipality)
    specs = workflow_specs(workflows(), row["workflow"], row["workflow_version"]) if workflows else []
    entries = with_corrections(read.history(row["id"]), specs[0] if specs else None)
    for e in entries:
        e["at"] = e["at"].isoformat()
        if workflows:
            e.update(labels.entry_labels(specs, e))
    return {"municipality": row["municipality"], "workflow": f"{row['workflow']}@{row['workflow_version']}",
            "entries": entries}


def workflow_specs(registry: WorkflowCatalog, name: str, version: int) -> list[WorkflowSpec]:
    """The case's workflow version first, then the other versions of its name (older history entries)."""
    specs = [s for s in [_spec_or_none(registry, name, version)] if s is not None]
    others = sorted((v for v in registry.versions(name) if v != version), reverse=True)
    return specs + [registry.get(name, v) for v in others]


def with_corrections(entries: list[dict[str, Any]], spec: WorkflowSpec | None = None) -> list[dict[str, Any]]:
    """History rows as they now read: a corrected row gets its corrected ``evidence``, the stored values
    as ``original_evidence`` and ``corrected`` (who corrected what, when and why)."""
    found = _correction_rows(entries)
    by_entry = {c["seq"]: c for c in corrections(entries, spec)}
    for e in entries:
        if e["seq"] in found:
            e["original_evidence"] = e["evidence"]
            e["evidence"] = overlay(e["evidence"], found[e["seq"]])
            e["corrected"] = [by_entry[c.seq] for c in found[e["seq"]]]
    return entries


def why(read: ReadModel, workflows: Callable[[], WorkflowCatalog], username: str | None,
        municipality: str, matters: Any = None, now: datetime | None = None) -> dict[str, Any]:
    """For each possible next step: the guards it needs and what each still lacks.

    A step that a matter decides says so: the bodies' decisions (`journey decide`) take it.
    """
    actor = reader(read, username)
    row = _case_row(read, actor, municipality)
    registry = workflows()
    spec = registry.get(row["workflow"], row["workflow_version"])
    leaves = parse_state(row["state"])
    awarded: tuple[str, ...] = ()
    if any(guards.DEAL_AWARDED in t.guards for t in spec.transitions_from(leaves)):
        awarded = tuple(deal_label(d["number"], d["form"], d["counterparty"]) for d in read.awarded_deals(row["id"]))
    steps = [] if row["status"] == "WITHDRAWN" else next_steps(spec, leaves, awarded)
    matter = _open_matter(matters, registry, row, now) if now is not None else None
    stage = spec.state(row["stage"])
    decides = stage.matter.decides if stage is not None and stage.matter is not None else None
    rejects = stage.matter.on_avslag if stage is not None and stage.matter is not None else None
    name = _quoted(row["municipality"])
    return {
        "municipality": row["municipality"],
        "state": row["state"],
        "state_title": _state_title(spec, leaves),
        "status": row["status"],
        "awarded_deals": list(awarded),
        "matter": matter,
        "corrections": corrections(read.history(row["id"]), spec),
        "status_label": labels.case_status(row["status"]),
        "steps": [asdict(s) | {"ready": s.ready, "dest_title": _dest_title(spec, s.dest),
                               "source_title": spec.state_title(s.source),
                               "guards": [asdict(g) | _guard_labels(spec, g.name)
                                          | {"lacking_text": lacking_in_words(spec, leaves, g.name, g.lacking)}
                                          for g in s.guards],
                               "automatic": guards.is_automatic(spec, tuple(g.name for g in s.guards)),
                               "decided_by_matter": s.trigger == decides,
                               "command": _decide_hint(name, matter, "bifall|avslag|återremiss|bordläggning")
                               if s.trigger == decides and matter else _decide_hint(name, matter, "avslag")
                               if s.trigger == rejects and matter else command_hint(spec, s, name)} for s in steps],
    }


def _guard_labels(spec: WorkflowSpec, name: str) -> dict[str, Any]:
    """What a person reads about a guard: the evidence kind's title and each field's label beside its id."""
    kind = spec.evidence_kind(name)
    if kind is None:
        return {"title": guards.describe(spec, name), "fields": []}
    return {"title": kind.title, "fields": [
        {"name": f.name, "label": f.title, "required": f.required,
         "choices": [{"id": c, "label": f.choice_label(c)} for c in f.choices]} for f in kind.fields]}


def _decide_hint(name: str, matter: dict[str, Any], outcomes: str) -> str:
    if not matter["diarienummer"]:
        return f"journey matters register {name} --diarienummer 'KS YYYY/NNN'"
    return f"journey decide {name} --board {matter['next_body']} --outcome {outcomes} --meeting YYYY-MM-DD --paragraph N"


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
