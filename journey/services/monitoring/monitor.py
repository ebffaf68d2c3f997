"""SKR's national monitoring view: every municipality against the journey's stages.

Pure data from a few set-based queries plus the workflow specs: days in the current stage,
overdue and next reminders, last change, and a funnel. No state machine is built.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from journey.definitions.catalog import WorkflowCatalog
from journey.domain import labels
from journey.domain.access import Actor, visible
from journey.domain.deal_kinds import AWARDED_OR_LATER, FORM_LABELS, DealForm, DealStatus, ValueBasis
from journey.domain.errors import InputError, NotFoundError
from journey.domain.esf import JOINT_MEETING_HOURS_PER_YEAR, TARGET_HOURS_PER_YEAR, EsfSettings, hours, local_day, pace
from journey.domain.messages import msg
from journey.domain.spec import WorkflowSpec, parse_state
from journey.ports.monitoring import MonitorSource
from journey.services.actors import resolve_actor
from journey.services.monitoring.overdue import overdue_of


@dataclass(frozen=True)
class MonitorFilter:
    """Which rows to show; every given criterion must hold."""

    county: str = ""  # substring of the län, case-insensitive
    stage: str = ""  # stage id or handbook stage number
    status: str = ""  # ACTIVE, PAUSED, COMPLETED or WITHDRAWN
    overdue: bool = False  # only overdue municipalities (a missed meeting, too long in a stage)
    min_days: int = 0  # only those at least this many days in their stage
    municipality: str = ""  # substring of the name

    def keep(self, row: dict[str, Any]) -> bool:
        if self.county and self.county.casefold() not in row["county"].casefold():
            return False
        if self.stage and self.stage not in (row["stage"], row["handbook_stage"]):
            return False
        if self.status and labels.case_status_id(self.status) != (row["status"] or ""):
            return False
        if self.municipality and self.municipality.casefold() not in row["municipality"].casefold():
            return False
        return not ((self.overdue and not row["overdue"]) or (row["days_in_stage"] or 0) < self.min_days)


def _stage_columns(specs: list[WorkflowSpec]) -> list[dict[str, str]]:
    """Top-level stages of every workflow in use, in journey order (variants share the base's ids)."""
    columns: dict[str, dict[str, str]] = {}
    for spec in specs:
        for state in spec.states:
            columns.setdefault(state.id, {"id": state.id, "title": state.title, "handbook_stage": state.handbook_stage})
    return list(columns.values())


def state_label(spec: WorkflowSpec | None, state: str) -> str:
    """'Samverkansstruktur (Intern samverkan: ...; Extern samverkan: ...)' for a parallel stage."""
    leaves = parse_state(state)
    if spec is None or not leaves:
        return state
    top = spec.state(leaves[0].split(".", 1)[0])
    label = top.title if top else leaves[0]
    inner = []
    for leaf in leaves:
        if "." in leaf:
            region, leaf_spec = spec.state(leaf.rsplit(".", 1)[0]), spec.state(leaf)
            inner.append(f"{region.title if region else leaf}: {leaf_spec.title if leaf_spec else leaf}")
    return label + (f" ({'; '.join(inner)})" if inner else "")


def _visible(actor: Actor, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return visible(actor, rows, lambda r: r["municipality_id"])


def build(source: MonitorSource, workflows: Callable[[], WorkflowCatalog], username: str | None, now: datetime,
          filters: MonitorFilter | None = None) -> dict[str, Any]:
    """The matrix: ``stages`` (columns), ``rows`` (one per municipality), ``funnel`` and ``totals``."""
    filters = filters or MonitorFilter()
    if filters.min_days < 0:
        raise InputError(msg("--min-days must not be negative"))
    actor = resolve_actor(username, source.user, source.user_count)
    raw = _visible(actor, source.matrix())
    registry = workflows()
    specs: dict[tuple[str, int], WorkflowSpec | None] = {}
    for r in raw:
        key = (r["workflow"], r["workflow_version"])
        if r["id"] is not None and key not in specs:
            try:
                specs[key] = registry.get(*key)
            except NotFoundError:
                specs[key] = None
    columns = _stage_columns([s for s in specs.values() if s is not None])
    order = {c["id"]: i for i, c in enumerate(columns)}
    if filters.stage and not any(filters.stage in (c["id"], c["handbook_stage"]) for c in columns):
        raise InputError(msg("unknown stage {stage!r}; stages: {value}",
            stage=filters.stage, value=', '.join(c['id'] for c in columns)))
    last = source.last_changes() if raw else {}
    next_due = source.next_due() if raw else {}  # each case's earliest planned reminder, overdue or not
    missed = source.missed_meetings() if raw else {}
    esf, no_hours = _esf(source, now) if raw else ({}, {})
    deals = deal_summaries(source.deal_totals()) if raw else {}
    rows = [_row(r, specs, order, last, next_due, now) | overdue_of(r, specs, missed, now)
            | esf.get(r["municipality_id"], no_hours) | {"deals": deals.get(r["municipality_id"], empty_summary())}
            for r in raw]
    shown = [r for r in rows if filters.keep(r)]
    return {"generated_at": now.isoformat(), "year": now.year, "esf_target": TARGET_HOURS_PER_YEAR,
            "esf_meeting_target": JOINT_MEETING_HOURS_PER_YEAR,
            "stages": columns, "rows": shown, "funnel": _funnel(columns, rows), "counties": _counties(rows),
            "deals": network_deals([deals[r["municipality_id"]] for r in rows if r["municipality_id"] in deals]),
            "totals": {"municipalities": len(rows), "shown": len(shown), "with_case": sum(r["stage"] != "" for r in rows),
                       "overdue": sum(1 for r in rows if r["overdue"]),
                       "withdrawn": sum(1 for r in rows if r["status"] == "WITHDRAWN")}}


def _esf_row(quarters: int, meeting_quarters: int, settings: EsfSettings, today: date) -> dict[str, Any]:
    """ESF hours this year against 500 h and ~250 h at joint meetings, pro rata to today (issue 12, R8)."""
    hours_pace = pace(quarters, TARGET_HOURS_PER_YEAR, today, settings)
    meeting_pace = pace(meeting_quarters, JOINT_MEETING_HOURS_PER_YEAR, today, settings)
    return {"esf_hours": hours(quarters),
            "esf": {"hours": hours(quarters), "meeting_hours": hours(meeting_quarters),
                    "expected": hours(hours_pace.expected_quarters),
                    "expected_meetings": hours(meeting_pace.expected_quarters),
                    "behind": hours_pace.behind, "meetings_behind": meeting_pace.behind}}


def _esf(source: MonitorSource, now: datetime) -> tuple[dict[int, dict[str, Any]], dict[str, Any]]:
    """Per municipality id, and for a municipality without hours."""
    settings, today = EsfSettings.from_stored(source.esf_settings()), local_day(now)
    by_id = {mid: _esf_row(q, mq, settings, today) for mid, (q, mq) in source.esf_hours(now.year).items()}
    return by_id, _esf_row(0, 0, settings, today)


def _row(r: dict[str, Any], specs: dict[tuple[str, int], WorkflowSpec | None], order: dict[str, int],
         last: dict[int, dict[str, Any]], next_due: dict[int, datetime], now: datetime) -> dict[str, Any]:
    base = {"municipality_id": r["municipality_id"], "case_id": r["id"], "municipality": r["municipality"],
            "code": r["code"],
            "slug": r["slug"], "county": r["county"] or ""}
    if r["id"] is None:
        return base | {"workflow": "", "workflow_title": "", "stage": "", "stage_title": "(no case)", "handbook_stage": "",
                       "state": "",
                       "state_title": "", "status": "", "status_label": "", "days_in_stage": None,
                       "stage_entered_at": None, "overdue": 0,
                       "overdue_reasons": [], "oldest_overdue": None, "next_due": None, "last_change": None,
                       "cells": {}}
    spec = specs.get((r["workflow"], r["workflow_version"]))
    stage = spec.state(r["stage"]) if spec else None
    position = order.get(r["stage"], -1)
    completed = r["status"] == "COMPLETED"
    cells = {sid: ("done" if i < position else "current" if i == position else "") for sid, i in order.items()}
    if completed and r["stage"] in cells:
        cells[r["stage"]] = "done"
    if r["status"] == "WITHDRAWN" and r["stage"] in cells:
        cells[r["stage"]] = "withdrawn"  # where the municipality left the network
    change = last.get(r["id"])
    return base | {
        "workflow": f"{r['workflow']}@{r['workflow_version']}", "stage": r["stage"],
        "workflow_title": f"{spec.title} (version {spec.version})" if spec else f"{r['workflow']}@{r['workflow_version']}",
        "stage_title": stage.title if stage else r["stage"], "handbook_stage": stage.handbook_stage if stage else "",
        "state": r["state"], "state_title": state_label(spec, r["state"]), "status": r["status"],
        "status_label": labels.case_status(r["status"]),
        "days_in_stage": None if r["status"] == "WITHDRAWN" else max(0, (now - r["stage_entered_at"]).days),
        "stage_entered_at": r["stage_entered_at"],
        "next_due": None if r["status"] == "WITHDRAWN" else next_due.get(r["id"]),
        "last_change": {"at": change["at"], "actor": change["actor"], "trigger": change["trigger"],
                        "kind": change["kind"],
                        "title": spec.trigger_title(change["trigger"]) if spec and change["trigger"]
                        else change["trigger"] or labels.history_kind(change["kind"])} if change else None,
        "cells": cells,
    }


def empty_summary() -> dict[str, Any]:
    """Deals of one municipality (or the network): counts, and values of awarded deals kept per basis."""
    return {"count": 0, "planned": 0, "awarded": 0, "cancelled": 0, "value_total_sek": 0, "value_per_year_sek": 0,
            "by_form": {f.value: {"count": 0, "awarded": 0, "value_total_sek": 0, "value_per_year_sek": 0}
                        for f in DealForm}}


def _add(summary: dict[str, Any], form: str, status: str, basis: str | None, count: int, value: int) -> None:
    if status == DealStatus.CANCELLED.value:
        summary["cancelled"] += count
        return
    per_form = summary["by_form"].setdefault(form, {"count": 0, "awarded": 0, "value_total_sek": 0,
                                                    "value_per_year_sek": 0})
    for target in (summary, per_form):
        target["count"] += count
    if status not in {s.value for s in AWARDED_OR_LATER}:
        summary["planned"] += count
        return
    key = "value_per_year_sek" if basis == ValueBasis.PER_YEAR.value else "value_total_sek"
    for target in (summary, per_form):
        target["awarded"] += count
        target[key] += value


def deal_summaries(totals: list[dict[str, Any]]) -> dict[int, dict[str, Any]]:
    """Per municipality id, from rows grouped by municipality, form, status and value basis.

    ``count`` is every deal not avbruten; ``planned`` those not yet awarded; ``awarded`` those
    tilldelade, pågående or avslutade. Values are of awarded deals only, and a total for the period
    and an amount per year are summed apart, never into one figure.
    """
    result: dict[int, dict[str, Any]] = {}
    for t in totals:
        summary = result.setdefault(int(t["municipality_id"]), empty_summary())
        _add(summary, t["form"], t["status"], t["value_basis"], int(t["count"]), int(t["value_sek"] or 0))
    return result


def network_deals(summaries: list[dict[str, Any]]) -> dict[str, Any]:
    """The network's deals: the municipalities' summaries added up, with ``forms`` as labelled rows."""
    total = empty_summary()
    total["municipalities"] = 0
    for s in summaries:
        total["municipalities"] += 1 if s["count"] else 0
        for key in ("count", "planned", "awarded", "cancelled", "value_total_sek", "value_per_year_sek"):
            total[key] += s[key]
        for form, values in s["by_form"].items():
            target = total["by_form"].setdefault(form, dict.fromkeys(values, 0))
            for key, value in values.items():
                target[key] += value
    total["forms"] = [{"form": f, "title": _form_title(f), **v} for f, v in total["by_form"].items()]
    return total


def _form_title(form: str) -> str:
    try:
        return FORM_LABELS[DealForm(form)]
    except ValueError:  # a form this version does not know (a newer database): shown as stored
        return form


def _funnel(columns: list[dict[str, str]], rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Per stage: how many municipalities are in it now and how many have reached it."""
    result = []
    for c in columns:
        current = sum(1 for r in rows if r["stage"] == c["id"] and r["status"] != "WITHDRAWN")
        reached = sum(1 for r in rows if r["cells"].get(c["id"]) in ("done", "current", "withdrawn"))
        result.append(c | {"current": current, "reached": reached})
    return result


def _counties(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Per län: municipalities, how far they have come on average (handbook stage), how many are overdue."""
    groups: dict[str, list[dict[str, Any]]] = {}
    for r in rows:
        groups.setdefault(r["county"] or "(okänt län)", []).append(r)
    result = []
    for county, members in sorted(groups.items()):
        stages = [int(r["handbook_stage"]) for r in members if r["handbook_stage"].isdigit()]
        result.append({"county": county, "municipalities": len(members),
                       "mean_stage": round(sum(stages) / len(stages), 1) if stages else None,
                       "overdue": sum(1 for r in members if r["overdue"])})
    return result


def to_json(data: dict[str, Any]) -> dict[str, Any]:
    """The same data with datetimes as ISO text and without internal ids."""
    def clean(value: Any) -> Any:
        if isinstance(value, datetime):
            return value.isoformat()
        if isinstance(value, Decimal):
            return int(value) if value == value.to_integral_value() else float(value)
        if isinstance(value, dict):
            return {k: clean(v) for k, v in value.items() if k not in ("municipality_id", "case_id")}
        if isinstance(value, list):
            return [clean(v) for v in value]
        return value

    cleaned: dict[str, Any] = clean(data)
    return cleaned


def status_sheets(data: dict[str, Any]) -> list[Any]:
    """The whole status as tables: one row per municipality, then the funnel."""
    from journey.ports.exports import Sheet

    def day(value: datetime | None) -> Any:
        return value.date() if value else None

    rows = [[r["municipality"], r["code"], r["county"], r["handbook_stage"], r["stage_title"] if r["stage"] else "",
             r["state_title"] or r["stage_title"], r["status_label"], r["days_in_stage"], day(r["stage_entered_at"]),
             "; ".join(r["overdue_reasons"]), day(r["next_due"]), day((r["last_change"] or {}).get("at")),
             (r["last_change"] or {}).get("title"), r["esf_hours"], r["esf"]["meeting_hours"], r["esf"]["expected"],
             "efter" if r["esf"]["behind"] else "i fas", r["workflow"], r["deals"]["count"],
             r["deals"]["awarded"], r["deals"]["value_total_sek"], r["deals"]["value_per_year_sek"]]
            for r in data["rows"]]
    status = Sheet("Status", ["Kommun", "Kommunkod", "Län", "Etapp nr", "Etapp", "Läge", "Status", "Dagar i etapp",
                              "I etapp sedan", "Försenad (varför)", "Nästa förfallodag", "Senaste ändring",
                              "Senaste steg", f"ESF-timmar {data['year']}", "Varav gemensamma möten",
                              "ESF-timmar förväntat hittills", "ESF-takt", "Arbetsflöde", "Affärer",
                              "Tilldelade affärer", "Värde totalt (kr)", "Värde per år (kr)"], rows,
                   formats={"Kommunkod": "@"})
    funnel = Sheet("Tratt", ["Etapp nr", "Etapp", "Just nu", "Har nått"],
                   [[f["handbook_stage"], f["title"], f["current"], f["reached"]] for f in data["funnel"]])
    counties = Sheet("Per län", ["Län", "Kommuner", "Etapp i snitt", "Med försenade påminnelser"],
                     [[c["county"], c["municipalities"], c["mean_stage"], c["overdue"]] for c in data["counties"]])
    deals = Sheet("Affärer per form", ["Form", "Affärer", "Tilldelade", "Värde totalt (kr)", "Värde per år (kr)"],
                  [[f["title"], f["count"], f["awarded"], f["value_total_sek"], f["value_per_year_sek"]]
                   for f in data["deals"]["forms"]])
    return [status, funnel, counties, deals]
