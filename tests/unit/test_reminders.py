"""Reminders on the fakes: planned on state entry, cancelled on exit, and the sweep's claim and settle."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from journey.domain.errors import MailConfigError, MailError, MailUnavailableError
from journey.domain.reminders import ReminderStatus
from journey.services.cases.lifecycle import advance_case
from journey.services.reminders.sweep import MAX_ATTEMPTS, UNCERTAIN, SweepOptions, SweepResult, send_due_reminders
from tests.fakes import TZ, FakeApp
from tests.unit.support import COORDINATOR, add_meeting, case_in, reminders

ANCHORED = {"organ": "KS", "meeting_date": "2022-02-23", "paragraph": "§ 45", "diarienummer": "KS 2022/123",
            "board": "KS", "officials_function": "Näringslivsenheten"}
INVENTORY = {"approved_by": "Lokala teamet", "approved_date": "2022-02-28", "enterprises_identified": "14"}
STALLED_DUE = datetime(2022, 4, 29, 6, 0, tzinfo=UTC)  # 60 days after 2022-03-01 is a Saturday: Friday 08:00 CEST


def enter_political_intent(app: FakeApp) -> None:
    """anchoring -> political_intent, whose `stalled` rule (60d, coordinator and SKR) is planned on entry."""
    case_in(app, "anchoring")
    advance_case(app.deps, COORDINATOR, "Hudiksvall", "anchor_in_board", ANCHORED)


def sweep(app: FakeApp, worker: str = "worker-1") -> SweepResult:
    return send_due_reminders(app.deps, app.mailer, app.email_renderer, SweepOptions(worker, TZ))


def test_entering_a_state_plans_its_reminders_on_the_previous_working_day(fake: FakeApp) -> None:
    enter_political_intent(fake)

    planned = reminders(fake)
    assert sorted(r.recipient_role for r in planned) == ["coordinator", "skr"]
    for r in planned:
        assert (r.rule_id, r.state_path, r.status) == ("stalled", "political_intent", ReminderStatus.PLANNED)
        assert r.nominal_date == date(2022, 4, 30)
        assert r.due_at == r.send_after == STALLED_DUE
        assert r.reason == "60 dagar efter inträde 2022-03-01; 2022-04-30 är lördag → flyttad till fredag 2022-04-29"


def test_a_due_date_on_a_holiday_moves_to_the_working_day_before(fake: FakeApp) -> None:
    fake.clock.at = datetime(2022, 4, 25, 9, 0, tzinfo=UTC)  # + 60 days = midsommarafton 2022-06-24

    enter_political_intent(fake)

    due = {(r.nominal_date, r.due_at, r.reason) for r in reminders(fake)}
    assert due == {(date(2022, 6, 24), datetime(2022, 6, 23, 6, 0, tzinfo=UTC),
                    "60 dagar efter inträde 2022-04-25; 2022-06-24 är midsommarafton → flyttad till torsdag 2022-06-23")}


def test_meeting_reminders_count_back_from_the_next_board_meeting(fake: FakeApp) -> None:
    add_meeting(fake, date(2022, 5, 4))
    case_in(fake, "needs_inventory")

    advance_case(fake.deps, COORDINATOR, "Hudiksvall", "approve_inventory", INVENTORY)

    planned = {(r.rule_id, r.recipient_role): r for r in reminders(fake)}
    assert {k: (r.nominal_date, r.due_at) for k, r in planned.items()} == {
        ("matter_deadline_warning", "coordinator"): (date(2022, 3, 23), datetime(2022, 3, 23, 7, 0, tzinfo=UTC)),
        ("matter_deadline", "coordinator"): (date(2022, 4, 6), datetime(2022, 4, 6, 6, 0, tzinfo=UTC)),
        # the kallelse goes out 7 working days before (Monday 25 April): the board hears of it before
        ("pre_meeting", "board_secretary"): (date(2022, 4, 24), datetime(2022, 4, 22, 6, 0, tzinfo=UTC)),
        ("pre_meeting", "board_chair"): (date(2022, 4, 24), datetime(2022, 4, 22, 6, 0, tzinfo=UTC)),
    }
    assert planned["matter_deadline", "coordinator"].reason == "4 veckor före KS:s sammanträde 2022-05-04"
    assert planned["pre_meeting", "board_secretary"].reason.startswith(
        "före kallelsen 2022-04-25 till KS:s sammanträde 2022-05-04; ")
    assert all(r.board == "KS" and r.meeting_id is not None for r in planned.values())


def test_leaving_a_state_cancels_its_open_reminders(fake: FakeApp) -> None:
    add_meeting(fake, date(2022, 5, 4))
    case_in(fake, "needs_inventory")
    advance_case(fake.deps, COORDINATOR, "Hudiksvall", "approve_inventory", INVENTORY)
    fake.clock.advance(timedelta(days=1))

    advance_case(fake.deps, COORDINATOR, "Hudiksvall", "anchor_in_board", ANCHORED)

    by_state = {r.id: r for r in reminders(fake)}
    anchoring = [r for r in by_state.values() if r.state_path == "anchoring"]
    assert len(anchoring) == 4
    for r in anchoring:
        assert r.status is ReminderStatus.CANCELLED and r.send_after is None
        assert r.reason.endswith("; avbruten: ärendet lämnade anchoring (anchor_in_board)")
    assert {r.status for r in by_state.values() if r.state_path == "political_intent"} == {ReminderStatus.PLANNED}


def test_the_sweep_sends_each_due_reminder_once_and_marks_it_sent(fake: FakeApp) -> None:
    enter_political_intent(fake)
    fake.clock.at = STALLED_DUE - timedelta(minutes=1)
    assert sweep(fake).sent == 0 and fake.mailer.sent == []

    fake.clock.at = STALLED_DUE
    result = sweep(fake)
    again = sweep(fake)

    assert (result.sent, result.retrying, result.failed, again.sent) == (2, 0, 0, 0)
    assert sorted(m.to for m in fake.mailer.sent) == [("anna@hudiksvall.se",), ("sven@skr.se",)]
    assert len({m.message_id for m in fake.mailer.sent}) == 2
    assert all("Hudiksvall" in m.subject for m in fake.mailer.sent)
    for r in reminders(fake):
        assert (r.status, r.sent_at, r.send_after, r.attempts) == (ReminderStatus.SENT, STALLED_DUE, None, 1)


def test_a_temporary_mail_error_leaves_the_reminders_for_a_later_sweep(fake: FakeApp) -> None:
    enter_political_intent(fake)
    fake.clock.at = STALLED_DUE
    fake.mailer.fail_with("451 4.3.0 mailbox busy", temporary=True)

    result = sweep(fake)

    assert (result.sent, result.retrying, result.failed) == (0, 2, 0)
    for r in reminders(fake):
        assert r.status is ReminderStatus.PLANNED and r.last_error == "451 4.3.0 mailbox busy"
        assert r.send_after is not None and r.send_after > STALLED_DUE
    assert sweep(fake).sent == 0  # not before the retry time

    fake.mailer.recover()
    fake.clock.advance(timedelta(hours=1))
    assert sweep(fake).sent == 2
    assert {r.status for r in reminders(fake)} == {ReminderStatus.SENT}
    assert len(fake.mailer.sent) == 2


def test_a_permanent_mail_error_fails_the_reminders_for_good(fake: FakeApp) -> None:
    enter_political_intent(fake)
    fake.clock.at = STALLED_DUE
    fake.mailer.fail_with("550 5.1.1 no such user", temporary=False)

    result = sweep(fake)
    fake.mailer.recover()
    fake.clock.advance(timedelta(days=1))
    later = sweep(fake)

    assert (result.sent, result.retrying, result.failed, later.sent) == (0, 0, 2, 0)
    for r in reminders(fake):
        assert (r.status, r.last_error, r.send_after) == (ReminderStatus.FAILED, "550 5.1.1 no such user", None)
    with fake.deps.uow() as uow:
        assert len(uow.reminders.failed()) == 2
    assert fake.mailer.sent == []


@pytest.mark.parametrize("error", [MailUnavailableError("SMTP server smtp.kommun.se:25 unreachable"),
                                   MailConfigError("SMTP login as 'journey' refused by smtp.kommun.se:25: 535")],
                         ids=["unreachable", "login-refused"])
def test_a_server_or_setting_problem_stops_the_sweep_with_every_row_as_it_was(fake: FakeApp, error: MailError) -> None:
    enter_political_intent(fake)
    fake.clock.at = STALLED_DUE
    fake.mailer.fail_with(error=error)

    for _ in range(10):  # more sweeps than MAX_ATTEMPTS: nothing is used up
        with pytest.raises(type(error)):
            sweep(fake)

    assert fake.mailer.attempts == 10  # one per sweep: the sweep stops at the first
    for r in reminders(fake):
        assert (r.status, r.attempts, r.claimed_by, r.last_error) == (ReminderStatus.PLANNED, 0, "", "")
        assert r.send_after == STALLED_DUE
    fake.mailer.recover()
    assert sweep(fake).sent == 2


def test_a_refused_recipient_fails_only_that_recipient(fake: FakeApp) -> None:
    enter_political_intent(fake)
    with fake.deps.uow() as uow:  # a second SKR process supporter whose mailbox is gone
        uow.users.add("olle", "SKR", None, "Olle", "olle@skr.se")
        uow.commit()
    fake.mailer.refuse["olle@skr.se"] = "550 5.1.1 no such user"
    fake.clock.at = STALLED_DUE

    result = sweep(fake)

    assert (result.sent, result.partial, result.failed) == (2, 1, 0)
    skr = next(r for r in reminders(fake) if r.recipient_role == "skr")
    assert skr.status is ReminderStatus.SENT and skr.attempts == 1
    assert skr.last_error == "not delivered to olle@skr.se (550 5.1.1 no such user)"
    assert skr.reason.endswith("; ej levererad till olle@skr.se (550 5.1.1 no such user)")


def test_no_reply_after_sending_is_retried_once_and_stops_the_sweep(fake: FakeApp) -> None:
    enter_political_intent(fake)
    fake.clock.at = STALLED_DUE
    fake.mailer.fail_with("no reply from smtp.kommun.se:25 after the whole message was sent", uncertain=True)

    result = sweep(fake)

    assert (result.sent, result.retrying, fake.mailer.attempts) == (0, 1, 1) and result.stopped
    [tried] = [r for r in reminders(fake) if r.attempts == 1]
    assert tried.status is ReminderStatus.PLANNED and tried.last_error.startswith(UNCERTAIN)
    [waiting] = [r for r in reminders(fake) if r.attempts == 0]
    assert (waiting.status, waiting.send_after) == (ReminderStatus.PLANNED, STALLED_DUE)
    fake.mailer.recover()
    fake.clock.advance(timedelta(minutes=1))
    assert sweep(fake).sent == 2
    resent = next(r for r in reminders(fake) if r.id == tried.id)
    assert resent.attempts == 2 and "kan ha skickats en gång tidigare" in resent.reason


def test_a_bug_while_sending_is_retried_a_bounded_number_of_times_and_never_blocks_the_queue(fake: FakeApp) -> None:
    enter_political_intent(fake)
    fake.clock.at = STALLED_DUE
    fake.mailer.fail_with(error=RuntimeError("unexpected"))

    for _ in range(MAX_ATTEMPTS):
        sweep(fake)
        fake.clock.advance(timedelta(hours=1))

    assert fake.mailer.attempts == 2 * MAX_ATTEMPTS  # every sweep tried both: one failing row never stops the rest
    for r in reminders(fake):
        assert (r.status, r.attempts) == (ReminderStatus.FAILED, MAX_ATTEMPTS)
        assert r.last_error == "internal error while sending: RuntimeError: unexpected"


def test_a_reminder_nobody_can_receive_fails_instead_of_retrying(fake: FakeApp) -> None:
    users = fake.db.committed.users  # SKR's process supporter has left: nobody holds the skr role
    for user_id in [i for i, u in users.items() if u["role"] == "SKR"]:
        del users[user_id]
    enter_political_intent(fake)
    fake.clock.at = STALLED_DUE

    result = sweep(fake)

    assert (result.sent, result.failed) == (1, 1)
    failed = [r for r in reminders(fake) if r.status is ReminderStatus.FAILED]
    assert [r.recipient_role for r in failed] == ["skr"]
    assert "no email address for skr" in failed[0].last_error


def test_the_stalled_mail_lists_what_is_missing_in_swedish_and_never_asks_to_run_journey_why(fake: FakeApp) -> None:
    from journey.adapters.mail.renderer import JinjaEmailRenderer
    from tests.conftest import TEMPLATES

    enter_political_intent(fake)
    fake.clock.at = STALLED_DUE
    assert sweep(fake).sent == 2
    template, context = fake.email_renderer.calls[0]
    assert template == "stalled"
    steps = {s["step"]: s["missing"] for s in context["missing"]}
    assert steps["Viljeinriktning uttalad"] == [
        "Uttalad politisk viljeinriktning (Beslut, mål- eller budgetdokument, Beslutande organ, Beslutsdatum)"]
    renderer = JinjaEmailRenderer(TEMPLATES)
    try:
        _, text, html = renderer.render(template, "{{ rule_title }}", context)
    finally:
        renderer.close()
    for body in (text, html):
        assert "journey why" not in body and "express_political_intent" not in body and "decided_by" not in body
        assert "Det här behövs för att komma vidare:" in body
        assert "Viljeinriktning uttalad (till " in body and "Beslutande organ, Beslutsdatum" in body
    assert "Beslutsdatum)\n\n" in text  # a blank line before the footer
    assert "\n- Viljeinriktning uttalad (till \"Policy för sociala företag\"): Uttalad politisk viljeinriktning" in text
