"""The ESF time report as tables, in the shape a payment claim (ansökan om utbetalning) needs.

Sheets: the summary per municipality against the 500 h target with the co-financing value,
totals per person and per journey stage, every entry with its description of the work, and a monthly attendance
sheet per participant (hours per date, room for the participant's and the manager's signature).
"""

from __future__ import annotations

import calendar
from collections import defaultdict
from typing import Any

from journey.ports.exports import Sheet

SEK = '# ##0" kr"'


def hours_sheets(summary: dict[str, Any], entries: list[dict[str, Any]]) -> list[Sheet]:
    year, rate = summary["year"], summary["rate_sek"]
    totals = Sheet(
        "Sammanställning",
        ["Kommun", "Kommunkod", "År", "Timmar", "Varav nätverksmöten", "Mål (timmar)", "Andel av mål",
         "Återstår (timmar)", "Timpris (kr)", "Medfinansiering (kr)"],
        [[t["municipality"], t["code"], year, t["hours"], t["meeting_hours"], t["target"], t["share"], t["remaining"],
          rate, t["value_sek"]] for t in summary["municipalities"]],
        formats={"Andel av mål": "0.0%", "Medfinansiering (kr)": SEK, "Timpris (kr)": SEK},
        total_row=["Summa", "", year, summary["total"]["hours"], sum(t["meeting_hours"] for t in summary["municipalities"]),
                   summary["target_per_municipality"] * len(summary["municipalities"]), "", "", rate,
                   summary["total"]["value_sek"]],
    )
    persons = Sheet("Per person", ["Kommun", "Person", "Timmar", "Medfinansiering (kr)"],
                    [[p["municipality"], p["person"], p["hours"], p["value_sek"]] for p in summary["persons"]],
                    formats={"Medfinansiering (kr)": SEK})
    stages = Sheet("Per etapp", ["Kommun", "Etapp", "Timmar"],
                   [[x["municipality"], x["stage"] or "(inget ärende)", x["hours"]] for x in summary["stages"]])
    return [totals, persons, stages, entries_sheet(entries), attendance_sheet(entries)]


def entries_sheet(entries: list[dict[str, Any]]) -> Sheet:
    return Sheet("Tidrapport", ["Datum", "Kommun", "Kommunkod", "Person", "Timmar", "Aktivitet",
                                "Beskrivning av arbetet", "Etapp", "Nätverksmöte"],
                 [[e["date"], e["municipality"], e["code"], e["person"], e["hours"], e["activity"], e["description"],
                   e["stage"], e["meeting_id"]] for e in entries])


def attendance_sheet(entries: list[dict[str, Any]]) -> Sheet:
    """One row per participant and month: hours on each date, the sum, and signature columns."""
    cells: dict[tuple[str, str, str], dict[int, int]] = defaultdict(lambda: defaultdict(int))
    for e in entries:
        cells[(e["municipality"], e["person"], e["date"].strftime("%Y-%m"))][e["date"].day] += e["hours"]
    rows = []
    for (municipality, person, month), days in sorted(cells.items()):
        y, m = map(int, month.split("-"))
        last = calendar.monthrange(y, m)[1]
        rows.append([municipality, person, month, *[days.get(d) if d <= last else None for d in range(1, 32)],
                     sum(days.values()), "", ""])
    return Sheet("Närvaro per månad", ["Kommun", "Deltagare", "Månad", *[str(d) for d in range(1, 32)], "Summa",
                                        "Underskrift deltagare", "Underskrift närmaste chef"], rows)
