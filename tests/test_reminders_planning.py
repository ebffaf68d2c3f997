"""Planning reminders: rules, Swedish working days, state entry/exit, board calendars, pause/resume."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from journey.adapters.calendars.holidays import swedish_holiday
from journey.adapters.clock import FixedClock
from journey.domain.board_meetings import MeetingRow
from journey.domain.errors import DefinitionError, RefusedError
from journey.domain.reminders import (
    Meeting,
    ReminderRule,
    due_after_entry,
    due_for_meeting,
    parse_offset,
    pick_target,
    rule_problems,
)
from journey.domain.workdays import no_holidays, previous_working_day
from journey.services.board_meetings import import_meetings, move_meeting, remove_meeting
from journey.services.cases.lifecycle import advance_case
from journey.services.cases.pausing import pause_case, resume_case
from tests.reminder_support import at, make_app, rows, seed

TZ = ZoneInfo("Europe/Stockholm")
RULE = ReminderRule("r", "R", "state_entry", 10, "", ("coordinator",), "stalled")


def test_offsets_parse_days_and_weeks() -> None:
    assert [parse_offset(v) for v in ("-6w", "14d", "60", "+2w", 5)] == [-42, 14, 60, 14, 5]
    with pytest.raises(ValueError):
        parse_offset("six weeks")


def test_christmas_moves_to_the_friday_before_with_every_reason() -> None:
    shifted = previous_working_day(date(2022, 12, 26), swedish_holiday)
    assert shifted.day == date(2022, 12, 23)
    assert "annandag jul" in shifted.reason and "juldagen" in shifted.reason and "julafton" in shifted.reason
    assert previous_working_day(date(2022, 12, 22), swedish_holiday).reason == ""


def test_midsummer_eve_is_not_a_working_day() -> None:
    assert previous_working_day(date(2022, 6, 24), swedish_holiday).day == date(2022, 6, 23)


def test_due_date_is_local_time_in_utc_across_daylight_saving() -> None:
    winter = due_after_entry(RULE, date(2022, 3, 1), no_holidays, TZ)  # 2022-03-11 is a Friday
    summer = due_after_entry(RULE, date(2022, 4, 1), no_holidays, TZ)  # 2022-04-11 is a Monday
    assert winter.due_at == datetime(2022, 3, 11, 7, 0, tzinfo=UTC)
    assert summer.due_at == datetime(2022, 4, 11, 6, 0, tzinfo=UTC)


def test_meeting_rule_picks_the_next_meeting_whose_deadline_is_still_ahead() -> None:
    rule = ReminderRule("d", "D", "board_meeting", -28, "KS", ("coordinator",), "matter_deadline", at=time(8))
    meetings = [Meeting(1, "KS", "Kommunstyrelsen", date(2022, 3, 16)), Meeting(2, "KS", "Kommunstyrelsen",
                                                                                date(2022, 4, 20))]
    target = pick_target(meetings, date(2022, 3, 1), rule.offset_days)
    assert target is not None
    due = due_for_meeting(rule, target, no_holidays, TZ)
    assert due.meeting is not None
    assert due.meeting.day == date(2022, 4, 20) and due.day == date(2022, 3, 23)
    assert due.reason == "4 veckor före KS:s sammanträde 2022-04-20"
    assert pick_target(meetings, date(2022, 4, 1), rule.offset_days) is None


def test_rule_problems_name_each_bad_key() -> None:
    bad = {"id": "x", "offset": "soon", "to": ["mayor"], "template": "Bad Name", "relative_to": "board_meeting",
           "colour": "red"}
    keys = {k for k, _ in rule_problems(bad)}
    assert keys == {"offset", "to", "template", "board", "colour"}


def test_invalid_reminder_in_yaml_names_file_line_and_key(tmp_path: Path) -> None:
    from journey.definitions.catalog import WorkflowCatalog

    text = (Path(__file__).parent / "data" / "reminder_workflows" / "remind.yaml").read_text()
    (tmp_path / "remind.yaml").write_text(text.replace("offset: 10d", "offset: ten days"))
    with pytest.raises(DefinitionError) as err:
        WorkflowCatalog.from_directory(tmp_path).get("remind")
    assert "remind.yaml:15: states[0].reminders[0].offset:" in str(err.value)


def test_every_reminder_template_in_the_workflows_exists() -> None:
    from journey.adapters.mail.renderer import JinjaEmailRenderer
    from journey.definitions.catalog import WorkflowCatalog
    from journey.domain.reminders import rule_from_spec
    from tests.conftest import TEMPLATES, WORKFLOWS

    renderer = JinjaEmailRenderer(TEMPLATES)
    registry = WorkflowCatalog.from_directory(WORKFLOWS)
    rules = [rule_from_spec(r) for name in ("handbook", "handbook-integrated")
             for s in registry.get(name).all_states() for r in s.reminders]
    assert len(rules) >= 8
    assert [r.template for r in rules if renderer.missing(r.template)] == []


@pytest.fixture
def app(database_url: str, tmp_path: Path):  # type: ignore[no-untyped-def]
    application = make_app(database_url, tmp_path, FixedClock(at("2022-03-01T09:00:00+00:00")), 25)
    seed(application)
    yield application
    application.close()


def test_entering_a_state_plans_its_reminders_in_the_same_transaction(app) -> None:  # type: ignore[no-untyped-def]
    [nudge] = rows(app)
    assert (nudge["rule_id"], nudge["state_path"], nudge["recipient_role"], nudge["status"]) == (
        "nudge", "start", "coordinator", "PLANNED")
    assert nudge["due_at"] == datetime(2022, 3, 11, 7, 0, tzinfo=UTC)
    assert nudge["send_after"] == nudge["due_at"] and nudge["reason"] == "10 dagar efter inträde 2022-03-01"


def test_a_failing_advance_plans_nothing(app) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(RefusedError):
        advance_case(app.deps, "admin", "Karlstad", "go", {})  # lacks the responsible_board evidence
    assert [r["rule_id"] for r in rows(app)] == ["nudge"]


def test_leaving_a_state_cancels_and_meetings_drive_the_next_ones(app) -> None:  # type: ignore[no-untyped-def]
    import_meetings(app.deps, "admin", "Karlstad", [
        MeetingRow("KS", date(2022, 3, 16)), MeetingRow("KS", date(2022, 4, 20), "13:00", "Sessionssalen"),
        MeetingRow("AMN", date(2022, 4, 14), board_name="Arbetsmarknadsnämnden", secretary_email="amn@karlstad.se")])
    advance_case(app.deps, "admin", "Karlstad", "go", {"board": "Arbetsmarknadsnämnden"})
    by_rule = {r["rule_id"]: r for r in rows(app)}
    assert by_rule["nudge"]["status"] == "CANCELLED" and "lämnade start (go)" in by_rule["nudge"]["reason"]
    assert by_rule["deadline"]["due_at"] == datetime(2022, 3, 23, 7, 0, tzinfo=UTC)
    assert by_rule["pre"]["board"] == "Arbetsmarknadsnämnden"  # the responsible board from the evidence
    # the working day before AMN's kallelse (5 April, 7 working days before 14 April); 07:30 local, summer time
    assert by_rule["pre"]["due_at"] == datetime(2022, 4, 4, 5, 30, tzinfo=UTC)
    move_meeting(app.deps, "admin", "Karlstad", "KS", date(2022, 4, 20), date(2022, 5, 4))
    assert {r["rule_id"]: r for r in rows(app)}["deadline"]["due_at"] == datetime(2022, 4, 6, 6, 0, tzinfo=UTC)
    remove_meeting(app.deps, "admin", "Karlstad", "AMN", date(2022, 4, 14))
    pre = {r["rule_id"]: r for r in rows(app)}["pre"]
    assert pre["due_at"] is None and pre["send_after"] is None and "inget" in pre["reason"]
    advance_case(app.deps, "admin", "Karlstad", "finish", {})
    assert {r["status"] for r in rows(app) if r["state_path"] == "board"} == {"CANCELLED"}


def test_pause_holds_reminders_and_resume_shifts_them_by_the_pause(app) -> None:  # type: ignore[no-untyped-def]
    clock = app.clock
    clock.at = at("2022-03-05T10:00:00+00:00")
    pause_case(app.deps, "admin", "Karlstad", "omorganisation")
    [held] = rows(app)
    assert held["send_after"] is None and held["due_at"] == datetime(2022, 3, 11, 7, 0, tzinfo=UTC)
    with pytest.raises(RefusedError):
        advance_case(app.deps, "admin", "Karlstad", "go", {"board": "KS"})
    with pytest.raises(RefusedError):
        pause_case(app.deps, "admin", "Karlstad")
    clock.at = at("2022-03-19T10:00:00+00:00")
    result = resume_case(app.deps, "admin", "Karlstad", TZ)
    assert result.shift_days == 14
    [moved] = rows(app)
    assert moved["due_at"] == datetime(2022, 3, 25, 7, 0, tzinfo=UTC) == moved["send_after"]
    assert moved["shift_days"] == 14 and "14 dagars paus" in moved["reason"]
    with app.deps.uow() as uow:
        [pause] = uow.pauses.ledger(moved["case_id"])
        kinds = [e.kind.value for e in uow.cases.history(moved["case_id"])]
    assert pause["shift_days"] == 14 and pause["reason"] == "omorganisation"
    assert kinds[-2:] == ["PAUSED", "RESUMED"]


def test_the_same_entry_published_twice_plans_once(app) -> None:  # type: ignore[no-untyped-def]
    """A migration re-publishing StateEntered for an entry already planned adds nothing."""
    from journey.domain.events import StateEntered

    [planned] = rows(app)
    with app.deps.uow() as uow:
        app.deps.publish([StateEntered(planned["case_id"], planned["entered_at"], "start")], uow)
        uow.commit()
    assert [r["id"] for r in rows(app)] == [planned["id"]]
