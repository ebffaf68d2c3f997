"""Deadlines that tell the truth (#11 §1-6): one target meeting, rollover, never stale, overdue, repeats, mails.

Real SQLite and PostgreSQL (``database_url``), a real SMTP server (aiosmtpd on loopback).
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from journey.adapters.clock import FixedClock
from journey.bootstrap.reminders import sweep_once
from journey.domain.board_meetings import MeetingRow
from journey.domain.deadlines import ClosedPeriod, Missed, kallelse_day, overdue_reasons, with_closed_periods
from journey.domain.workdays import no_holidays, previous_working_day
from journey.services.board_meetings import import_meetings
from journey.services.cases.lifecycle import advance_case
from journey.services.matters.decisions import decide
from journey.services.matters.registration import Facts, register_matter
from journey.services.monitoring.monitor import MonitorFilter, build
from tests.reminder_support import SmtpServer, at, make_app, rows, seed, smtp  # noqa: F401

TZ = ZoneInfo("Europe/Stockholm")
WORKFLOWS = Path(__file__).resolve().parent / "data" / "deadline_workflows"
KS = [MeetingRow("KS", date(2022, 3, 30), "13:00", "Sessionssalen", board_name="Kommunstyrelsen",
                 secretary_email="ks@karlstad.se"),
      MeetingRow("KS", date(2022, 5, 4), "13:00", board_name="Kommunstyrelsen"),
      MeetingRow("KS", date(2022, 6, 15), "13:00", board_name="Kommunstyrelsen")]


@pytest.fixture
def app(database_url: str, tmp_path: Path, smtp: SmtpServer):  # type: ignore[no-untyped-def]  # noqa: F811
    application = make_app(database_url, tmp_path, FixedClock(at("2022-03-01T09:00:00+00:00")), smtp.port,
                           workflows=WORKFLOWS)
    seed(application)
    import_meetings(application.deps, "admin", "Karlstad", KS)
    with application.deps.uow() as uow:  # the coordinator has a telephone number
        from sqlmodel import update

        from journey.adapters.sql.tables.core import UserRecord
        uow.session.execute(update(UserRecord).where(UserRecord.username == "coord_karlstad")  # type: ignore[attr-defined]
                            .values(phone="054-540 00 00"))
        uow.commit()
    advance_case(application.deps, "admin", "Karlstad", "go", {})
    register_matter(application.deps, "admin", "Karlstad", Facts(diarienummer="KS 2022/17"))
    yield application
    application.close()


def by_rule(app: Any) -> dict[str, list[dict[str, Any]]]:
    found: dict[str, list[dict[str, Any]]] = {}
    for r in rows(app):
        found.setdefault(r["rule_id"], []).append(r)
    return found


def meeting_day(app: Any, meeting_id: int | None) -> date | None:
    with app.deps.uow() as uow:
        m = uow.board_meetings.meeting(meeting_id) if meeting_id else None
    return m.day if m else None


def test_every_meeting_reminder_of_the_stage_points_at_one_target_meeting(app: Any) -> None:
    """Entered 2022-03-01: the 4-week deadline of 30 March (2 March) can be kept, so 30 March is the target;
    the förvarning's date (16 February) had passed, so it is expired, not sent after the deadline."""
    rules = by_rule(app)
    days = {rule: meeting_day(app, rs[-1]["meeting_id"]) for rule, rs in rules.items() if rule != "stalled"}
    assert set(days.values()) == {date(2022, 3, 30)}
    assert rules["warning"][0]["status"] == "EXPIRED" and "hade passerat" in rules["warning"][0]["reason"]
    from journey.services.reminders.views import upcoming
    shown = upcoming(app.read_model(), app.reminder_reads(), "admin", TZ, "Karlstad")
    assert {str(r["meeting"]["date"]) for r in shown if r["meeting"]} == {"2022-03-30"}


def test_the_forvarning_states_the_real_deadline_not_its_own_send_date(
        database_url: str, tmp_path: Path, smtp: SmtpServer) -> None:  # noqa: F811
    app = make_app(database_url, tmp_path, FixedClock(at("2022-02-01T09:00:00+00:00")), smtp.port, workflows=WORKFLOWS)
    try:
        seed(app)
        import_meetings(app.deps, "admin", "Karlstad", KS)
        advance_case(app.deps, "admin", "Karlstad", "go", {})
        app.clock.at = at("2022-02-16T09:00:00+00:00")  # the förvarning (6 weeks before 30 March) falls due
        assert sweep_once(app).sent == 1
        text = smtp.inbox.messages[0][1].get_body(("plain",)).get_content()
        assert "klar senast onsdagen den 2 mars 2022" in text  # the 4-week deadline, not 16 February
        assert "kommunstyrelsens sammanträde onsdagen den 30 mars 2022" in text
    finally:
        app.close()


def test_a_missed_meeting_rolls_the_matter_over_once_and_tells_coordinator_and_process_supporter(
        app: Any, smtp: SmtpServer) -> None:  # noqa: F811
    from journey.services.registry import add_user
    add_user(app.deps, "admin", "stina", "process_supporter", None, "Stina Stöd", "stina@skr.se")
    with app.deps.uow() as uow:
        m = uow.municipalities.find("Karlstad")
        stina = uow.users.find("stina")
        assert m is not None and stina is not None
        uow.board_meetings.set_supporter(m.id or 0, stina["id"], True)
        uow.commit()
    app.clock.at = at("2022-04-13T09:00:00+00:00")  # 30 March held, no decision recorded: the minutes may be late
    assert sweep_once(app).rolled == 0
    with app.deps.uow() as uow:
        case = uow.cases.for_municipality(uow.municipalities.find("Karlstad").id)  # type: ignore[union-attr]
        assert uow.matters.open_for(case.id).planned_meeting == date(2022, 3, 30)  # type: ignore[union-attr]
    app.clock.at = at("2022-04-14T09:00:00+00:00")  # 15 days after: the minutes are justerade, no decision
    first = sweep_once(app)
    second = sweep_once(app)  # idempotent: told once
    assert first.rolled == 1 and second.rolled == 0
    notices = [(rcpt, m) for rcpt, m in smtp.inbox.messages if "hann inte" in str(m["Subject"])]
    assert sorted(r[0] for r, _ in notices) == ["samordnare@karlstad.se", "stina@skr.se"]  # not pia (all SKR)
    body = notices[0][1].get_body(("plain",)).get_content()
    assert "KS-sammanträdet 2022-03-30 passerade utan beslut (inget beslut)" in body
    assert str(notices[0][1]["Auto-Submitted"]) == "auto-generated"
    assert str(notices[0][1]["Message-ID"]).endswith("@skr.se>")
    planned = [r for r in rows(app) if r["status"] == "PLANNED" and r["anchor"] == "board_meeting"]
    # 4 May's deadline (6 April) has passed: the first meeting whose deadline can be kept is 15 June
    assert planned and {meeting_day(app, r["meeting_id"]) for r in planned} == {date(2022, 6, 15)}
    with app.deps.uow() as uow:
        case = uow.cases.for_municipality(uow.municipalities.find("Karlstad").id)  # type: ignore[union-attr]
        kinds = [e.kind.value for e in uow.cases.history(case.id)]  # type: ignore[union-attr]
    assert kinds.count("MISSED") == 1
    sweep_once(app)  # sending reminders never clears overdue
    data = build(app.monitor_source(), app.deps.workflows, "admin", app.clock.now(), MonitorFilter(overdue=True))
    [row] = data["rows"]
    assert "KS-sammanträdet 2022-03-30 passerade utan beslut" in row["overdue_reasons"][0]


def test_a_decision_recorded_within_the_14_days_of_the_minutes_is_no_miss(app: Any) -> None:
    app.clock.at = at("2022-04-08T09:00:00+00:00")  # the minutes of 30 March are justerade; the decision recorded
    decide(app.deps, "admin", "Karlstad", "KS", "bifall", "2022-03-30", tz=TZ, paragraph="45")
    app.clock.at = at("2022-04-20T09:00:00+00:00")
    assert sweep_once(app).rolled == 0
    with app.deps.uow() as uow:
        case = uow.cases.for_municipality(uow.municipalities.find("Karlstad").id)  # type: ignore[union-attr]
        assert case is not None and case.state == "done"
        assert not [e for e in uow.cases.history(case.id or 0) if e.kind.value == "MISSED"]


def test_aterremiss_rolls_over_at_once(app: Any) -> None:
    app.clock.at = at("2022-03-30T15:00:00+00:00")
    decide(app.deps, "admin", "Karlstad", "KS", "återremiss", "2022-03-30", tz=TZ)
    with app.deps.uow() as uow:
        case = uow.cases.for_municipality(uow.municipalities.find("Karlstad").id)  # type: ignore[union-attr]
        missed = [e for e in uow.cases.history(case.id) if e.kind.value == "MISSED"]  # type: ignore[union-attr]
        matter = uow.matters.open_for(case.id)  # type: ignore[union-attr]
    assert len(missed) == 1 and missed[0].evidence["missed_meeting"]["outcome"] == "återremiss"
    assert matter is not None and matter.planned_meeting == date(2022, 5, 4)


def test_a_reminder_whose_meeting_has_passed_is_expired_not_sent(app: Any, smtp: SmtpServer) -> None:  # noqa: F811
    with app.deps.uow() as uow:  # the scheduler was down past the meeting; the calendar keeps the meeting
        for r in uow.reminders.planned(case_id=rows(app)[0]["case_id"]):
            uow.reminders.save(r)
        uow.commit()
    app.clock.at = at("2022-04-01T06:00:00+00:00")
    result = sweep_once(app)
    [pre] = [r for r in rows(app) if r["rule_id"] == "pre"]  # none planned again while the minutes may be late
    assert pre["status"] == "EXPIRED" and "KS:s sammanträde 2022-03-30 har redan varit" in pre["reason"]
    from journey.services.reminders.views import sent
    assert any(r["status"] == "EXPIRED" for r in sent(app.read_model(), app.reminder_reads(), "admin", TZ))
    assert not any("ks@karlstad.se" in rcpt for rcpt, _ in smtp.inbox.messages)
    assert result.expired + result.rolled >= 1


def test_overdue_means_late_and_sending_never_clears_it(app: Any, smtp: SmtpServer) -> None:  # noqa: F811
    assert overdue_reasons(date(2022, 1, 1), date(2022, 6, 1), 120) == ["151 dagar i steget, förväntat högst 120"]
    assert overdue_reasons(date(2022, 1, 1), date(2022, 2, 1), 120, [Missed("KS", date(2022, 1, 20))]) == [
        "KS-sammanträdet 2022-01-20 passerade utan beslut (inget beslut)"]
    assert overdue_reasons(date(2022, 1, 1), date(2022, 2, 1), None) == []


def test_closed_periods_and_the_kallelse_move_dates_out() -> None:
    july = with_closed_periods(no_holidays, [ClosedPeriod(date(2022, 7, 1), date(2022, 7, 31), "sommaruppehåll")])
    moved = previous_working_day(date(2022, 7, 20), july)
    assert moved.day == date(2022, 6, 30) and "sommaruppehåll" in moved.reason
    assert kallelse_day(date(2022, 4, 20), None, no_holidays) == date(2022, 4, 11)  # 7 working days before


def test_stall_reminders_repeat_and_escalate(database_url: str, tmp_path: Path, smtp: SmtpServer) -> None:  # noqa: F811
    app = make_app(database_url, tmp_path, FixedClock(at("2022-03-01T09:00:00+00:00")), smtp.port, workflows=WORKFLOWS)
    try:
        seed(app)
        app.clock.at = at("2022-03-11T09:00:00+00:00")
        assert sweep_once(app).sent == 1  # round 1: the coordinator
        assert sweep_once(app).sent == 0  # the next sweep plans round 2, 7 days after round 1 went out
        stalled = [r for r in rows(app) if r["rule_id"] == "stalled"]
        assert sorted((r["round"], r["recipient_role"], r["status"]) for r in stalled) == [
            (1, "coordinator", "SENT"), (2, "coordinator", "PLANNED"), (2, "skr", "PLANNED")]
        app.clock.at = at("2022-03-18T09:00:00+00:00")
        assert sweep_once(app).sent == 2  # round 2: the coordinator, and SKR (no supporter assigned: every SKR user)
        assert sorted(r[0] for r, _ in smtp.inbox.messages[1:]) == ["pia@skr.se", "samordnare@karlstad.se"]
    finally:
        app.close()


def test_the_board_secretary_gets_what_they_can_act_on(database_url: str, tmp_path: Path,
                                                        smtp: SmtpServer) -> None:  # noqa: F811
    app = make_app(database_url, tmp_path, FixedClock(at("2022-02-01T09:00:00+00:00")), smtp.port, workflows=WORKFLOWS)
    try:
        seed(app)
        import_meetings(app.deps, "admin", "Karlstad", KS)
        advance_case(app.deps, "admin", "Karlstad", "go", {})
        register_matter(app.deps, "admin", "Karlstad", Facts(diarienummer="KS 2022/17"))
        app.clock.at = at("2022-03-23T08:00:00+00:00")
        sweep_once(app)
        [msg] = [m for rcpt, m in smtp.inbox.messages if rcpt == ["ks@karlstad.se"]]
        text = msg.get_body(("plain",)).get_content()
        assert "Riktlinje för sociala företag" in text and "diarienummer KS 2022/17" in text
        assert "Tjänsteskrivelsen ska vara klar senast onsdagen den 2 mars 2022." in text
        assert "Samordnare Karlstad, samordnare@karlstad.se" in text
        assert str(msg["Reply-To"]) == "samordnare@karlstad.se"
        assert str(msg["Auto-Submitted"]) == "auto-generated"
    finally:
        app.close()


def test_closed_periods_and_supporters_from_the_command_line(cli: Any) -> None:
    cli.ok("municipalities seed")
    cli.ok("municipalities closed-periods Karlstad --add 2022-07-01:2022-07-31 --label sommaruppehåll")
    import json
    [period] = json.loads(cli.ok("municipalities closed-periods Karlstad --json").output)
    assert period == {"first_day": "2022-07-01", "last_day": "2022-07-31", "label": "sommaruppehåll"}
    bad = cli("municipalities closed-periods Karlstad --add 2022-07-31:2022-07-01")
    assert bad.exit_code == 2 and "ends (2022-07-01) before it begins" in bad.output
    cli.ok("users add admin --role admin")
    cli.ok("users add stina --as admin --role process_supporter --name 'Stina Stöd' --email stina@skr.se")
    assert "stina" in cli.ok("municipalities supporter Karlstad --add stina --as admin").output


def test_kallelse_days_and_the_coordinators_phone_from_the_command_line(cli: Any, tmp_path: Path) -> None:
    import json

    from tests.test_journey_cli import JOURNEY

    cli.ok("municipalities seed")
    cli.ok("users add admin --role admin")
    cli.ok("users add anna --role coordinator --municipality Härjedalen --email anna@herjedalen.se "
           "--phone '0680-161 00' --as admin")
    assert "0680-161 00" in cli.ok("users list --as admin").output
    bad = cli("users add olle --role coordinator --municipality Härjedalen --phone 'ring mig' --as admin")
    assert bad.exit_code == 2 and len(bad.output.strip().splitlines()) == 1 and "not a telephone number" in bad.output
    assert "olle" not in cli.ok("users list --as admin").output
    cli.ok("open Härjedalen --as anna")
    for trigger, evidence in JOURNEY[:4]:  # into anchoring: a KS matter with a pre-meeting reminder to the board
        cli.ok(f"advance Härjedalen {trigger} {evidence} --as anna")
    plan = tmp_path / "ks.csv"
    plan.write_text("board,date,time,secretary_email\nKS,2022-04-20,13:00,ks@herjedalen.se\n")
    cli.ok(f"meetings import {plan} -m Härjedalen --as anna")

    def pre_meeting() -> set[str]:
        rows = json.loads(cli.ok("reminders upcoming Härjedalen --json --as anna").output)
        return {r["due_local"] for r in rows if r["rule_id"] == "pre_meeting"}

    assert pre_meeting() == {"2022-04-06 08:00"}  # the kallelse goes out 7 April (7 working days, Easter between)
    cli.ok("meetings board Härjedalen KS --kallelse-days 3 --as anna")  # kallelse 13 April
    assert pre_meeting() == {"2022-04-12 08:00"}
    cli.ok("meetings board Härjedalen KS --kallelse-days 0 --as anna")  # kallelse on the day: a week before stands
    assert pre_meeting() == {"2022-04-13 08:00"}
    refused = cli("meetings board Härjedalen KS --kallelse-days 31 --as anna")
    assert refused.exit_code == 2 and "0 to 30" in refused.output
    assert pre_meeting() == {"2022-04-13 08:00"}
