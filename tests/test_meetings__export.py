"""`journey meetings export`: a subscribable calendar of meetings and deadlines, stable between exports (#11).

Through the real CLI on SQLite and PostgreSQL, with the real handbook workflow and a real SMTP server:
UIDs come from stable ids (not row order), SEQUENCE grows when a meeting moves, the file parses back
with icalendar, and a reminder's meeting attachment names the same event as the calendar.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import Cli
from tests.reminder_support import SmtpServer, smtp  # noqa: F401
from tests.test_journey_cli import JOURNEY

PLAN = ("board,date,time,location,board_name,secretary_email\n"
        "KS,2022-04-20,13:00,Sessionssalen,Kommunstyrelsen,ks@herjedalen.se\n"
        "KS,2022-05-18,13:00,Sessionssalen,Kommunstyrelsen,ks@herjedalen.se\n"
        "KF,2022-04-25,18:00,Rådhussalen,Kommunfullmäktige,\n")


def _events(path: Path) -> dict[str, Any]:
    """The file's events by UID, after checking that it parses back cleanly."""
    import icalendar
    import recurring_ical_events

    data = path.read_bytes()
    assert all(len(line) <= 75 for line in data.split(b"\r\n")), "lines are folded at 75 octets"
    calendar = icalendar.Calendar.from_ical(data)
    assert (str(calendar["VERSION"]), str(calendar["METHOD"])) == ("2.0", "PUBLISH")
    events = list(calendar.walk("VEVENT"))
    assert all(not e.errors for e in [calendar, *events])
    assert len(list(recurring_ical_events.of(calendar).between("20220101", "20230101"))) == len(events)
    by_uid = {str(e["UID"]): e for e in events}
    assert len(by_uid) == len(events), "UIDs are unique"
    return by_uid


@pytest.fixture
def anchoring(cli: Cli, tmp_path: Path) -> Cli:
    """Härjedalen in stage 4 (anchoring): its reminders count back from the next KS meeting."""
    cli.ok("municipalities seed")
    cli.ok("users add admin --role admin")
    cli.ok("users add anna --role coordinator --municipality Härjedalen --email anna@herjedalen.se --as admin")
    cli.ok("open Härjedalen --as anna")
    for trigger, evidence in JOURNEY[:4]:
        cli.ok(f"advance Härjedalen {trigger} {evidence} --as anna")
    plan = tmp_path / "plan.csv"
    plan.write_text(PLAN, encoding="utf-8")
    cli.ok(f"meetings import {plan} -m Härjedalen --as anna")
    return cli


def test_export_round_trip_stable_uids_and_a_growing_sequence(anchoring: Cli, tmp_path: Path,
                                                             smtp: SmtpServer) -> None:  # noqa: F811
    cli = anchoring
    first, second = tmp_path / "out" / "herjedalen.ics", tmp_path / "again.ics"
    out = cli.ok(f"meetings export Härjedalen {first} --as anna").output
    assert out.strip() == f"Wrote {first}: 3 meeting(s), 3 deadline(s)"
    events = _events(first)
    meetings = {str(e["DTSTART"].dt): uid for uid, e in events.items() if uid.startswith("board-meeting-")}
    assert sorted(meetings) == ["2022-04-20 11:00:00+00:00", "2022-04-25 16:00:00+00:00", "2022-05-18 11:00:00+00:00"]
    ks_april = events[meetings["2022-04-20 11:00:00+00:00"]]
    assert (str(ks_april["SUMMARY"]), str(ks_april["LOCATION"]), int(ks_april["SEQUENCE"])) == (
        "Sammanträde Kommunstyrelsen (Härjedalen)", "Sessionssalen", 0)
    deadlines = {str(e["SUMMARY"]): e for uid, e in events.items() if uid.startswith("deadline-")}
    assert {s: (e["DTSTART"].dt.isoformat(), str(e["RELATED-TO"])) for s, e in deadlines.items()} == {
        "Tjänsteskrivelse om ansvarig nämnd (förvarning) inför KS 2022-04-20 (Härjedalen)": ("2022-03-09", ks_april["UID"]),
        "Tjänsteskrivelse om ansvarig nämnd klar inför KS 2022-04-20 (Härjedalen)": ("2022-03-23", ks_april["UID"]),
        "Ärende om ansvarig nämnd för sociala företag inför KS 2022-04-20 (Härjedalen)": ("2022-04-06", ks_april["UID"]),
    }
    assert "Påminnelse till: nämndens ordförande, nämndsekreterare" in str(
        deadlines["Ärende om ansvarig nämnd för sociala företag inför KS 2022-04-20 (Härjedalen)"]["DESCRIPTION"])

    # The same plan imported again in another row order: every UID stays (they come from ids, not rows).
    lines = PLAN.splitlines()
    (tmp_path / "reordered.csv").write_text("\n".join([lines[0], *reversed(lines[1:])]) + "\n", encoding="utf-8")
    cli.ok(f"meetings import {tmp_path / 'reordered.csv'} -m Härjedalen --as anna")
    cli.ok(f"meetings export Härjedalen {second} --as anna")
    again = _events(second)
    assert again.keys() == events.keys()
    assert all(int(e["SEQUENCE"]) == 0 for e in again.values())

    # KS moves its April meeting: same UID, new date, SEQUENCE 1; its deadlines follow with SEQUENCE 1.
    cli.ok("meetings move Härjedalen KS 2022-04-20 2022-04-27 --as anna")
    cli.ok(f"meetings export Härjedalen {second} --as anna")
    moved = _events(second)
    assert moved.keys() == events.keys()
    april = moved[ks_april["UID"]]
    assert (str(april["DTSTART"].dt), int(april["SEQUENCE"])) == ("2022-04-27 11:00:00+00:00", 1)
    assert {str(e["SUMMARY"]): (e["DTSTART"].dt.isoformat(), int(e["SEQUENCE"]))
            for uid, e in moved.items() if uid.startswith("deadline-")} == {
        "Tjänsteskrivelse om ansvarig nämnd (förvarning) inför KS 2022-04-27 (Härjedalen)": ("2022-03-16", 1),
        "Tjänsteskrivelse om ansvarig nämnd klar inför KS 2022-04-27 (Härjedalen)": ("2022-03-30", 1),
        "Ärende om ansvarig nämnd för sociala företag inför KS 2022-04-27 (Härjedalen)": ("2022-04-13", 1),
    }
    assert all(int(e["SEQUENCE"]) == 0 for uid, e in moved.items() if uid != ks_april["UID"]
               and uid.startswith("board-meeting-"))
    cli.ok("meetings move Härjedalen KS 2022-04-27 2022-04-28 --as anna")
    cli.ok(f"meetings export Härjedalen {second} --as anna")
    assert int(_events(second)[ks_april["UID"]]["SEQUENCE"]) == 2
    clash = cli("meetings move Härjedalen KS 2022-04-28 2022-05-18 --as anna")
    assert clash.exit_code == 2 and "already has a meeting on 2022-05-18" in clash.stderr

    # The meeting a reminder e-mail carries is the same event as in the calendar (same UID).
    smtp_env = {"JOURNEY_SMTP_HOST": "127.0.0.1", "JOURNEY_SMTP_PORT": str(smtp.port),
                "JOURNEY_SMTP_FROM": "journey@skr.se", "JOURNEY_NOW": "2022-04-21T07:00:00+00:00"}
    assert cli.ok("reminders send-due", **smtp_env).output.startswith("3 sent")  # two to anna, one to KS
    import icalendar

    assert sorted(r for rcpt, _ in smtp.inbox.messages for r in rcpt) == [
        "anna@herjedalen.se", "anna@herjedalen.se", "ks@herjedalen.se"]
    for _, message in smtp.inbox.messages:
        [attachment] = [p for p in message.iter_attachments() if p.get_content_type() == "text/calendar"]
        [mailed] = icalendar.Calendar.from_ical(attachment.get_content()).walk("VEVENT")
        assert str(mailed["UID"]) == ks_april["UID"] and str(mailed["DTSTART"].dt) == "2022-04-28 11:00:00+00:00"


def test_export_to_stdout_and_access(anchoring: Cli) -> None:
    cli = anchoring
    data = cli.ok("meetings export Härjedalen - --as anna").stdout_bytes
    assert data.startswith(b"BEGIN:VCALENDAR\r\n")
    assert "X-WR-CALNAME:Sammanträden och tidsfrister – Härjedalen\r\n" in data.decode("utf-8")
    cli.ok("users add bo --role coordinator --municipality Karlstad --as admin")
    assert cli("meetings export Härjedalen - --as bo").exit_code == 6  # another municipality's coordinator
    cli.ok("users add sara --role skr --as admin")
    assert cli.ok("meetings export Härjedalen - --as sara").stdout.count("BEGIN:VEVENT") == 6


def test_a_paused_case_deadline_relative_to_entry_grows_its_sequence(cli: Cli, tmp_path: Path) -> None:
    cli.ok("municipalities seed")
    cli.ok("open Karlstad")
    for trigger, evidence in JOURNEY[:5]:  # political intent: a stall reminder counts from the state entry
        cli.ok(f"advance Karlstad {trigger} {evidence}")
    planned = [r for r in json.loads(cli.ok("reminders upcoming Karlstad --json").output) if r["anchor"] == "state_entry"]
    assert planned, "the stage has a reminder relative to its entry"
    cli.ok(f"meetings export Karlstad {tmp_path / 'a.ics'}")
    before = {uid: e for uid, e in _events(tmp_path / "a.ics").items() if uid.startswith("deadline-")}
    cli.ok("case pause Karlstad --reason 'Omorganisation'", JOURNEY_NOW="2022-03-02T09:00:00+00:00")
    cli.ok("case resume Karlstad", JOURNEY_NOW="2022-03-12T09:00:00+00:00")
    cli.ok(f"meetings export Karlstad {tmp_path / 'b.ics'}")
    after = {uid: e for uid, e in _events(tmp_path / "b.ics").items() if uid.startswith("deadline-")}
    assert after.keys() == before.keys()
    for uid, event in after.items():
        assert int(event["SEQUENCE"]) == int(before[uid]["SEQUENCE"]) + 10
        assert (event["DTSTART"].dt - before[uid]["DTSTART"].dt).days >= 8  # 10 days later, then a working day
