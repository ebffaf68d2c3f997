"""The ESF time report as tables, in the shape a payment claim (ansökan om utbetalning) needs.

Sheets: the summary per municipality, per person with salary group and unit cost, the attestation
of each person-month, per journey stage, every row of the claim (with corrections, attestation
status and who approved), the monthly attendance sheet with signature columns, and the settings
the export used (scope, project period, unit-cost table and its status, every unit cost applied).
The same settings are stored with a record of the export, so a figure can be traced later.
"""

from __future__ import annotations

import calendar
import json
from collections import defaultdict
from datetime import datetime
from decimal import Decimal
from typing import Any

from journey.domain.clock import local_minute
from journey.domain.esf import QUARTERS_PER_HOUR, hours
from journey.ports.exports import Sheet
from journey.services.deps import Deps

SEK = '# ##0.00" kr"'
HOURS = "0.00"

ENTRY_HEADERS = ["Ansökningsperiod", "Id", "Post", "Avser post", "Orsak", "Datum", "Månad", "Kommun", "Kommunkod",
                 "Person", "Personkategori", "Funktion", "Förvaltning", "Lönegrupp", "Enhetskostnad (kr/h)", "Timmar",
                 "Medfinansiering (kr)", "Aktivitet", "Beskrivning av arbetet", "Etapp", "Nätverksmöte",
                 "Attest", "Attesterad av", "Attesterad", "Godkänd av", "Godkänd", "Registrerad av",
                 "Registrerad"]


TEXT = "@"  # kommunkod: digits that stay text (0114 keeps its zero)


def _time(value: datetime | None) -> Any:
    """A stored time for the sheet writer, which shows it in Swedish local time."""
    return value.replace(microsecond=0) if value else None


def settings_rows(data: dict[str, Any], actor: str) -> list[tuple[str, str]]:
    """The settings an export used, as (setting, value) pairs in Swedish."""
    scope = data["scope"]
    if "period" in scope:
        p = scope["period"]
        locked = f", låst av {p['locked_by']} {local_minute(p['locked_at'])} (svensk tid)" if p["locked_at"] else ", öppen"
        what = f"Ansökningsperiod {p['name']} ({p['start']} – {p['end']}{locked})"
    elif "year" in scope:
        what = f"Kalenderår {scope['year']}"
    else:
        what = "Hela projektperioden"
    s, costs = data["settings"], data["unit_costs"]
    used = sorted({f"{r['rate_basis']}: {r['rate_sek']} kr/h" for r in data["rows"] if r["rate_sek"] is not None})
    unvalued = sorted({r["person"] for r in data["rows"] if r["rate_sek"] is None})
    return [
        ("Omfattning", what),
        ("Kommuner", ", ".join(m["municipality"] for m in data["municipalities"])),
        ("Projektperiod", f"{s['period_start']} – {s['period_end']}"),
        ("Enhetskostnadsår", {"start": f"projektets startår ({s['period_start'][:4]})",
                              "work": "arbetsdagens år"}.get(s["unit_cost_year"], s["unit_cost_year"])),
        ("Enhetskostnadstabell", costs["file"]),
        ("Tabellens status", costs["warning"] or "officiella belopp (status: official)"),
        ("Tabellens källa", "; ".join(f"{k}: {v}" for k, v in costs["source"].items())),
        ("Enhetskostnader som använts", "; ".join(used) or "inga"),
        ("Utan enhetskostnad (värderas inte)", ", ".join(unvalued) or "inga"),
        ("Tak per person och kalenderår", f"{s['annual_ceiling_hours']} timmar"),
        ("Rimlighetstak per person och dag", f"{s['daily_ceiling_hours']} timmar"),
        ("Skapad", f"{local_minute(data['generated_at'])} (svensk tid)"),
        ("Skapad av", actor),
    ]


def claim_sheets(data: dict[str, Any], actor: str) -> list[Sheet]:
    year_mode = "year" in data["scope"]
    extra = ["Mål (timmar)", "Andel av mål", "Förväntat hittills (timmar)", "Gemensamma möten, mål",
             "Läge"] if year_mode else []
    totals = Sheet(
        "Sammanställning",
        ["Kommun", "Kommunkod", "Timmar", "Varav gemensamma möten", "Deltagare (timmar)", "Projektpersonal (timmar)",
         "Medfinansiering (kr)", "Timmar utan enhetskostnad", *extra],
        [[m["municipality"], m["code"], m["hours"], m["meeting_hours"], m["participant_hours"], m["staff_hours"],
          m["value_sek"], m["unvalued_hours"],
          *([m["target"], m["share"], m["expected_hours"], m["meeting_target"],
             "efter" if m["behind"] else "i fas"] if year_mode else [])] for m in data["municipalities"]],
        formats={"Medfinansiering (kr)": SEK, "Andel av mål": "0.0%", "Kommunkod": TEXT},
        total_row=["Summa", "", data["total"]["hours"], sum((m["meeting_hours"] for m in data["municipalities"]),
                                                            Decimal(0)),
                   sum((m["participant_hours"] for m in data["municipalities"]), Decimal(0)),
                   sum((m["staff_hours"] for m in data["municipalities"]), Decimal(0)), data["total"]["value_sek"],
                   data["total"]["unvalued_hours"], *([""] * len(extra))],
    )
    persons = Sheet(
        "Per person",
        ["Kommun", "Person", "Personkategori", "Funktion", "Förvaltning", "Andel av heltid (%)", "Lönegrupp",
         "Enhetskostnad (kr/h)", "Timmar", "Medfinansiering (kr)", "Timmar per kalenderår", "Tak per år (timmar)"],
        [[p["municipality"], p["person"], p["kind_label"], p["function"], p["department"], p["share_percent"],
          p["salary_group"], p["unit_cost_sek"] if p["unit_cost_sek"] is not None
          else ", ".join(str(r) for r in p["unit_costs_sek"]) or None, p["hours"], p["value_sek"],
          "; ".join(f"{y}: {h}" for y, h in p["year_hours"].items()), p["annual_ceiling"]] for p in data["persons"]],
        formats={"Medfinansiering (kr)": SEK, "Enhetskostnad (kr/h)": SEK})
    months = Sheet(
        "Attest per månad",
        ["Kommun", "Person", "Månad", "Timmar", "Medfinansiering (kr)", "Status", "Attesterad av", "Attesterad",
         "Sätt", "Godkänd av (chef)", "Godkänd"],
        [[g["municipality"], g["person"], g["month"], g["hours"], g["value_sek"], g["month_status_label"],
          g["attested_by"], _time(g["attested_at"]), {"SELF": "eget konto", "PAPER": "underskrivet intyg"}.get(
              g["attest_method"], ""), g["approved_by"], _time(g["approved_at"])] for g in data["months"]],
        formats={"Medfinansiering (kr)": SEK})
    stages = Sheet("Per etapp", ["Kommun", "Etapp", "Timmar"],
                   [[g["municipality"], g["stage_title"], g["hours"]] for g in data["stages"]])
    return [totals, persons, months, stages, entries_sheet(data["rows"]), attendance_sheet(data["rows"]),
            settings_sheet(data, actor)]


def entries_sheet(rows: list[dict[str, Any]]) -> Sheet:
    return Sheet("Tidrapport", ENTRY_HEADERS, [
        [r["claim_period"], r["id"], r["kind_label"], r["corrects"], r["reason"], r["date"], r["month"],
         r["municipality"], r["code"], r["person"], r["person_kind_label"], r.get("function", ""),
         r.get("department", ""), r.get("salary_group", ""), r.get("rate_sek"), r["hours"], r.get("value_sek"),
         r["activity_label"], r["description"], r.get("stage_title", r["stage"]), r["meeting_id"], r["status_label"],
         r["attested_by"],
         _time(r["attested_at"]), r["approved_by"], _time(r["approved_at"]), r["created_by"], _time(r["created_at"])]
        for r in rows], formats={"Medfinansiering (kr)": SEK, "Enhetskostnad (kr/h)": SEK, "Kommunkod": TEXT})


def settings_sheet(data: dict[str, Any], actor: str) -> Sheet:
    return Sheet("Inställningar", ["Inställning", "Värde"], [list(r) for r in settings_rows(data, actor)])


def attendance_sheet(rows: list[dict[str, Any]]) -> Sheet:
    """One row per person and month: hours on each date, the sum, and signature columns."""
    cells: dict[tuple[str, str, str], dict[int, int]] = defaultdict(lambda: defaultdict(int))
    for r in rows:
        cells[(r["municipality"], r["person"], r["month"])][r["date"].day] += r["quarters"]
    out = []
    for (municipality, person, month), days in sorted(cells.items()):
        y, m = map(int, month.split("-"))
        last = calendar.monthrange(y, m)[1]
        out.append([municipality, person, month,
                    *[hours(days[d]) if d <= last and days.get(d) else None for d in range(1, 32)],
                    hours(sum(days.values())), "", ""])
    return Sheet("Närvaro per månad", ["Kommun", "Deltagare", "Månad", *[str(d) for d in range(1, 32)], "Summa",
                                        "Underskrift deltagare", "Underskrift närmaste chef"], out)


def record_export(deps: Deps, username: str | None, data: dict[str, Any], files: list[str]) -> int:
    """Store the export with the settings it used (audited); returns the record's id."""
    from journey.services.cases.lifecycle import actor_in, find_municipality
    from journey.services.hours.common import audit

    with deps.uow() as uow:
        actor = actor_in(uow, username)
        scope = data["scope"]
        only = [m["municipality"] for m in data["municipalities"]]
        municipality = find_municipality(uow, only[0]) if len(only) == 1 else None
        settings = {"scope": scope, "settings": data["settings"], "unit_costs": data["unit_costs"],
                    "applied": dict(settings_rows(data, actor.username)), "total_quarters": data["total"]["quarters"],
                    "total_value_sek": str(data["total"]["value_sek"]), "quarters_per_hour": QUARTERS_PER_HOUR}
        now = deps.clock.now()
        export_id = uow.hours.add_export({
            "claim_period_id": scope["period"]["id"] if "period" in scope else None, "year": scope.get("year"),
            "municipality_id": municipality.id if municipality else None,
            "settings": json.dumps(settings, ensure_ascii=False, default=str), "files": "\n".join(files),
            "actor": actor.username, "at": now})
        audit(uow, "EXPORTED", actor.username, now, municipality, f"export {export_id}", files=files,
              scope=json.loads(json.dumps(scope, default=str)))
        uow.commit()
        return export_id
