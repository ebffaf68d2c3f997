"""Issue 12: hours against 500 h/year and ~250 h at joint meetings, with the pace warning (R8: below 80 %
of the pro-rata target), in `journey monitor`, the HTML dashboard, `hours summary` and the lägesrapport."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from tests.conftest import Cli
from tests.test_journey_cli import JOURNEY

MIDYEAR = datetime(2022, 7, 2, 12, 0, tzinfo=UTC)  # day 183 of 365: 250.5 h expected, 200.4 h is 80 %


def _import(cli: Cli, tmp_path: Path, municipality: str, person: str, rows: int, hours: int) -> None:
    first = date(2022, 1, 3)
    lines = ["Person;Datum;Timmar;Aktivitet;Beskrivning"]
    lines += [f"{person};{first + timedelta(days=i)};{hours};policy;Arbete med riktlinjen" for i in range(rows)]
    path = tmp_path / f"{municipality}.csv"
    path.write_text("\n".join(lines), encoding="utf-8")
    cli.ok(f"hours import {path} --municipality {municipality} --as admin")


@pytest.fixture
def paced(database_url: str, tmp_path: Path) -> Cli:
    cli = Cli(database_url, tmp_path, now=MIDYEAR)
    cli.ok("init")
    cli.ok("municipalities seed")
    cli.ok("users add admin --role admin")
    cli.ok("users add skr --role skr --as admin")
    cli.ok("people add Umeå --name 'Anna Berg' --as admin")
    cli.ok("people add Malmö --name 'Sara Lind' --kind staff --share 20 --as admin")
    _import(cli, tmp_path, "Umeå", "Anna Berg", 21, 10)  # 210 h: on pace
    _import(cli, tmp_path, "Malmö", "Sara Lind", 5, 10)  # 50 h: behind
    cli.ok("network-meetings add physical --date 2022-03-24 --title 'Nätverksträff Stockholm' --as skr")
    cli.ok("network-meetings attend 1 Umeå --person 'Anna Berg' --as admin")
    return cli


def test_monitor_shows_hours_and_joint_meetings_against_the_pro_rata_target(paced: Cli) -> None:
    data = json.loads(paced.ok("monitor --json --as skr").output)
    assert (data["esf_target"], data["esf_meeting_target"]) == (500, 250)
    rows = {r["municipality"]: r["esf"] for r in data["rows"]}
    assert rows["Umeå"] == {"hours": 217, "meeting_hours": 7, "expected": 250.5, "expected_meetings": 125.25,
                            "behind": False, "meetings_behind": True}
    assert rows["Malmö"]["hours"] == 50 and rows["Malmö"]["behind"] is True
    assert rows["Laxå"] == {"hours": 0, "meeting_hours": 0, "expected": 250.5, "expected_meetings": 125.25,
                            "behind": True, "meetings_behind": True}
    text = paced.ok("monitor --as skr").output
    umea = next(line for line in text.splitlines() if line.startswith("Umeå"))
    malmo = next(line for line in text.splitlines() if line.startswith("Malmö"))
    assert "217/500\t7/250 ! behind" in umea and "50/500 ! behind" in malmo


def test_pace_follows_the_project_period_setting(paced: Cli) -> None:
    before = json.loads(paced.ok("hours summary Malmö --year 2022 --json --as skr").output)["municipalities"][0]
    assert (before["expected_hours"], before["behind"]) == (250.5, True)
    early = json.loads(paced.ok("hours summary Malmö --year 2021 --json --as skr").output)["municipalities"][0]
    assert (early["expected_hours"], early["hours"], early["behind"]) == (500, 0, True)  # a whole past year
    paced.ok("hours settings --period-end 2022-09-30 --as skr")  # the project ends early: 273 days in 2022
    after = json.loads(paced.ok("hours summary Malmö --year 2022 --json --as skr").output)["municipalities"][0]
    assert after["expected_hours"] == 335 and after["behind"] is True


def test_dashboard_marks_municipalities_behind(paced: Cli, tmp_path: Path) -> None:
    out = tmp_path / "site"
    paced.ok(f"report html {out} --as skr")
    index = (out / "index.html").read_text(encoding="utf-8")
    malmo_row = index.split('data-municipality="malmo"')[1].split("</tr>")[0]
    umea_row = index.split('data-municipality="umea"')[1].split("</tr>")[0]
    assert '<span class="late">50</span> / 500 ⚠' in malmo_row and "⚠" not in umea_row
    assert "möten 7 / 250" in umea_row
    page = (out / "kommun" / "malmo.html").read_text(encoding="utf-8")
    assert "50 av 500, varav gemensamma möten 0 av cirka 250" in page and "efter i takt" in page


def test_lagesrapport_carries_hours_per_kind_meetings_and_social_enterprises(cli: Cli, tmp_path: Path) -> None:
    cli.ok("municipalities seed")
    cli.ok("people add Härjedalen --name 'Anna Berg' --as anna")
    cli.ok("people add Härjedalen --name 'Eva Ek' --kind staff --share 20 --as anna")
    cli.ok("network-meetings add digital --date 2021-09-14 --title 'Digital träff' --as anna")
    cli.ok("network-meetings add physical --date 2021-11-10 --title 'Nätverksträff Göteborg' --as anna")
    cli.ok("network-meetings attend 2 Härjedalen --person 'Anna Berg' --person 'Eva Ek' --as anna")
    cli.ok("hours log Härjedalen --person 'Anna Berg' --date 2021-06-01 --hours 12.5 --activity inventory "
           "--description Kartläggning --as anna")
    cli.ok("hours log Härjedalen --person 'Eva Ek' --date 2022-02-01 --hours 4 --activity policy "
           "--description Samordning --as anna")
    cli.ok("open Härjedalen --as anna")
    for trigger, evidence in JOURNEY:
        extra = " -e enterprises_now=9" if trigger == "start_follow_up" else ""
        cli.ok(f"advance Härjedalen {trigger} {evidence}{extra} --as anna")
    rendered = json.loads(cli.ok("documents render Härjedalen lagesrapport --format md --json --as anna").output)
    text = Path(rendered[0]["path"]).read_text(encoding="utf-8")
    assert "Arbetstid som medfinansiering (ESF)" in text
    assert "Redovisad arbetstid 2021-01-01 – 2022-03-01: 30,5 timmar." in text
    assert "| 2021 | 19,5 | 7 | 26,5 | 500 | 500 | 14 | cirka 250 | Efter |" in text
    assert "| 2022 | 0 | 4 | 4 | 500 | 82 | 0 | cirka 250 | Efter |" in text
    assert "Varning 2021:" in text and "26,5 timmar mot förväntade 500 timmar fram till rapportdagen" in text
    assert "| Deltagare | 1 | 19,5 |" in text and "| Projektpersonal | 1 | 11 |" in text
    assert "Kommunen har deltagit i 1 av 2 möten" in text
    assert "| 2021-11-10 | Fysiskt nätverksmöte | Nätverksträff Göteborg | 2 |" in text
    assert "| 4 |" in text and "9 (+5 jämfört med baslinjen)" in text
    assert "| Sociala företag med genomförd affär eller partnerskap | 1 |" in text
