"""Sending reminders over a real SMTP server (aiosmtpd on loopback), on SQLite and PostgreSQL.

Besides the happy path: every way delivery can be poisoned (issue #16) — a sender or login
that is refused, a server that cannot be reached, answers late or refuses one recipient, a
claim that runs out mid-batch, a non-ASCII local part, a template that never ends.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import Counter
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from journey.adapters.clock import FixedClock
from journey.adapters.mail.renderer import JinjaEmailRenderer
from journey.adapters.mail.smtp import SmtpMailer, SmtpSettings, compose
from journey.bootstrap.reminders import make_mailer, make_renderer, sweep_once
from journey.domain.board_meetings import MeetingRow
from journey.domain.errors import MailConfigError, MailError, MailUnavailableError
from journey.ports.mail import OutgoingEmail
from journey.services.board_meetings import import_meetings
from journey.services.cases.lifecycle import advance_case
from journey.services.registry import add_user
from journey.services.reminders.sweep import SweepOptions, send_due_reminders
from tests.conftest import TEMPLATES
from tests.reminder_support import (  # noqa: F401
    AUTH_WITHOUT_TLS,
    REMIND_WORKFLOWS,
    TOWNS,
    SmtpServer,
    add_towns,
    at,
    free_port,
    make_app,
    rows,
    seed,
    smtp,
)

TZ = ZoneInfo("Europe/Stockholm")
START = "2022-03-01T09:00:00+00:00"
DUE = "2022-03-11T07:00:00+00:00"  # the nudge: ten days after opening, 08:00 Stockholm time


@pytest.fixture
def app(database_url: str, tmp_path: Path, smtp: SmtpServer) -> Iterator[Any]:  # noqa: F811
    application = make_app(database_url, tmp_path, FixedClock(at(START)), smtp.port)
    seed(application)
    yield application
    application.close()


def _untouched(row: dict[str, Any]) -> bool:
    """A reminder as planned: queued and due, no attempt counted, nobody holding it."""
    return (row["status"], row["attempts"], row["claimed_by"], row["last_error"]) == ("PLANNED", 0, "", "") \
        and row["send_after"] <= at(DUE)


def test_a_reminder_goes_out_once_at_its_due_time(app: Any, smtp: SmtpServer) -> None:  # noqa: F811
    app.clock.at = at("2022-03-11T06:59:00+00:00")  # one minute before 08:00 Stockholm time
    assert sweep_once(app).sent == 0
    app.clock.at = at(DUE)
    assert sweep_once(app).sent == 1
    assert sweep_once(app).sent == 0
    app.clock.advance(timedelta(days=3))
    assert sweep_once(app).sent == 0
    [(rcpt, msg)] = smtp.inbox.messages
    assert rcpt == ["samordnare@karlstad.se"]
    assert msg["Subject"] == "Påminnelse: Dags att gå vidare – Karlstad"
    assert msg.get_content_type() == "multipart/alternative"
    text = msg.get_body(("plain",)).get_content()
    html = msg.get_body(("html",)).get_content()
    assert text.splitlines()[:3] == ["Hej!", "", "Till: lokal projektsamordnare, Karlstads kommun"]
    assert "Karlstads kommun har varit i steget \"Start\" sedan länge." in text
    assert "<em>Start</em>" in html and msg.get_body(("plain",)).get_content_charset() == "utf-8"
    [row] = rows(app)
    assert row["status"] == "SENT" and row["sent_at"] == at(DUE) and row["attempts"] == 1


def test_an_unreachable_server_changes_nothing_and_counts_no_attempt(database_url: str, tmp_path: Path) -> None:
    port = free_port()
    app = make_app(database_url, tmp_path, FixedClock(at(START)), port)
    try:
        seed(app)
        app.clock.at = at(DUE)
        for _ in range(10):  # more than MAX_ATTEMPTS: an outage never uses up the retry budget
            with pytest.raises(MailUnavailableError, match=f"127.0.0.1:{port} unreachable"):
                sweep_once(app)
        [row] = rows(app)
        assert _untouched(row)
        server = SmtpServer(port).start()
        try:
            assert sweep_once(app).sent == 1
            app.clock.advance(timedelta(hours=1))
            assert sweep_once(app).sent == 0
            assert len(server.inbox.messages) == 1
        finally:
            server.stop()
        assert rows(app)[0]["status"] == "SENT" and rows(app)[0]["attempts"] == 1
    finally:
        app.close()


@pytest.mark.parametrize("sender, message", [
    ("", "JOURNEY_SMTP_FROM is not set"),
    ("journey@localhost", "JOURNEY_SMTP_FROM 'journey@localhost' is not a valid email address: the domain needs"),
    ("journey@kommun.se\r\nBcc: x@y.se", "JOURNEY_SMTP_FROM 'journey@kommun.se\\r\\nBcc: x@y.se' is not a valid"),
])
def test_an_invalid_sender_stops_the_sweep_before_anything_is_claimed(
        database_url: str, tmp_path: Path, smtp: SmtpServer, sender: str, message: str) -> None:  # noqa: F811
    app = make_app(database_url, tmp_path, FixedClock(at(START)), smtp.port, smtp_settings={"from": sender})
    try:
        seed(app, TOWNS)
        app.clock.at = at(DUE)
        with pytest.raises(MailConfigError) as err:
            sweep_once(app)
        assert str(err.value).startswith(message) and err.value.exit_code == 78
        assert len(rows(app)) == len(TOWNS) and all(_untouched(r) for r in rows(app))
        assert smtp.inbox.messages == []
        # Even a sweep started without the check (as a library call) leaves every row as it was.
        with pytest.raises(MailConfigError):
            sweep_once(app, check=False)
        assert all(_untouched(r) for r in rows(app))
    finally:
        app.close()


@AUTH_WITHOUT_TLS
def test_a_server_that_refuses_the_sender_stops_the_sweep(database_url: str, tmp_path: Path) -> None:
    server = SmtpServer(login=("journey", "rätt")).start()  # without a login, MAIL FROM gets 530
    app = make_app(database_url, tmp_path, FixedClock(at(START)), server.port)
    try:
        seed(app)
        app.clock.at = at(DUE)
        with pytest.raises(MailConfigError, match="requires a login: 530"):
            sweep_once(app)
        assert _untouched(rows(app)[0]) and server.inbox.messages == []
    finally:
        app.close()
        server.stop()


@pytest.fixture
def login_server() -> Iterator[SmtpServer]:
    server = SmtpServer(login=("journey", "hemligt-lösen-42")).start()
    yield server
    server.stop()


@AUTH_WITHOUT_TLS
def test_login_with_the_right_password_sends(database_url: str, tmp_path: Path, login_server: SmtpServer) -> None:
    app = make_app(database_url, tmp_path, FixedClock(at(START)), login_server.port,
                   smtp_settings={"user": "journey", "password": "hemligt-lösen-42"})
    try:
        seed(app)
        app.clock.at = at(DUE)
        assert sweep_once(app).sent == 1
        assert [rcpt for rcpt, _ in login_server.inbox.messages] == [["samordnare@karlstad.se"]]
        assert login_server.inbox.logins == ["journey"]  # one session: checked at start, then used by the sweep
    finally:
        app.close()


@AUTH_WITHOUT_TLS
def test_a_refused_login_stops_the_sweep_and_never_shows_the_password(
        database_url: str, tmp_path: Path, login_server: SmtpServer, caplog: pytest.LogCaptureFixture) -> None:
    app = make_app(database_url, tmp_path, FixedClock(at(START)), login_server.port,
                   smtp_settings={"user": "journey", "password": "fel-lösen-41"})
    caplog.set_level(logging.DEBUG)
    try:
        seed(app, TOWNS)
        app.clock.at = at(DUE)
        for check in (True, False):  # refused at the check, or by the first message of a sweep
            with pytest.raises(MailConfigError, match="SMTP login as 'journey' refused .*: 535") as err:
                sweep_once(app, check=check)
            assert all(_untouched(r) for r in rows(app))
        assert login_server.inbox.messages == [] and login_server.inbox.logins == []
        mailer = make_mailer(app)
        for text in (str(err.value), repr(mailer), repr(mailer.settings), caplog.text):
            assert "lösen" not in text
    finally:
        app.close()


def test_a_refused_recipient_fails_only_that_recipient(app: Any, smtp: SmtpServer) -> None:  # noqa: F811
    add_towns(app, TOWNS[1:2])  # Örebro too: its reminder must not notice Karlstad's bad address
    add_user(app.deps, "admin", "gone", "coordinator", "Karlstad", "Slutat", "slutat@karlstad.se")
    smtp.inbox.refuse["slutat@karlstad.se"] = "550 5.1.1 <slutat@karlstad.se>: no such user"
    app.clock.at = at(DUE)
    result = sweep_once(app)
    assert (result.sent, result.partial, result.failed, result.retrying) == (2, 1, 0, 0)
    assert sorted(rcpt for rcpt, _ in smtp.inbox.messages) == [["samordnare@karlstad.se"], ["samordnare@orebro.se"]]
    karlstad = next(r for r in rows(app) if r["municipality_id"] == 1)
    assert karlstad["status"] == "SENT" and karlstad["attempts"] == 1
    assert "slutat@karlstad.se (550 5.1.1" in karlstad["last_error"]
    assert "ej levererad till slutat@karlstad.se (550" in karlstad["reason"]


def test_a_reminder_whose_every_recipient_is_refused_fails_alone(app: Any, smtp: SmtpServer) -> None:  # noqa: F811
    add_towns(app, TOWNS[1:2])
    smtp.inbox.refuse["samordnare@karlstad.se"] = "550 5.1.1 no such user"
    app.clock.at = at(DUE)
    result = sweep_once(app)
    assert (result.sent, result.failed) == (1, 1)
    failed = next(r for r in rows(app) if r["status"] == "FAILED")
    assert failed["attempts"] == 1 and "every recipient was refused: samordnare@karlstad.se (550" in failed["last_error"]


def test_a_bad_address_stored_before_validation_fails_only_that_address(app: Any, smtp: SmtpServer) -> None:  # noqa: F811
    from sqlalchemy import text

    add_user(app.deps, "admin", "legacy", "coordinator", "Karlstad", "Gammal", "gammal@karlstad.se")
    with app.engine.begin() as conn:  # as written by an older journey that validated nothing
        conn.execute(text("UPDATE app_user SET email = :e WHERE username = 'legacy'"),
                     {"e": "gammal@karlstad.se\r\nBcc: evil@example.com"})
    app.clock.at = at(DUE)
    assert sweep_once(app).sent == 1
    [(rcpt, msg)] = smtp.inbox.messages
    assert rcpt == ["samordnare@karlstad.se"] and msg["Bcc"] is None
    [row] = rows(app)
    assert row["status"] == "SENT" and "not a valid address: it contains '\\r'" in row["last_error"]


def test_a_reply_after_the_client_timeout_causes_at_most_the_one_documented_duplicate(
        database_url: str, tmp_path: Path, smtp: SmtpServer) -> None:  # noqa: F811
    app = make_app(database_url, tmp_path, FixedClock(at(START)), smtp.port, smtp_settings={"timeout": "2"})
    try:
        seed(app, TOWNS)
        app.clock.at = at(DUE)
        smtp.inbox.late, smtp.inbox.delay = 1, 5.0  # the first message is kept, its 250 comes after 5 s
        first = sweep_once(app)
        assert (first.sent, first.retrying) == (0, 1) and "no reply from the SMTP server" in first.stopped
        [(_, in_flight)] = smtp.inbox.messages
        uncertain = next(r for r in rows(app) if r["attempts"] == 1)
        assert uncertain["status"] == "PLANNED" and uncertain["last_error"].startswith("no reply after the whole")
        assert sum(_untouched(r) for r in rows(app)) == len(TOWNS) - 1  # the rest waits, no attempt counted
        assert sweep_once(app).sent == len(TOWNS) - 1  # the uncertain one waits for its backoff (1 min)
        app.clock.advance(timedelta(minutes=1))
        assert sweep_once(app).sent == 1
        assert sweep_once(app).sent == 0
        ids = Counter(smtp.inbox.ids())
        assert ids[str(in_flight["Message-ID"])] == 2 and sorted(ids.values()) == [1] * (len(TOWNS) - 1) + [2]
        resent = next(r for r in rows(app) if r["id"] == uncertain["id"])
        assert resent["status"] == "SENT" and resent["attempts"] == 2
        assert "kan ha skickats en gång tidigare" in resent["reason"]
    finally:
        app.close()


def test_one_message_never_takes_longer_than_its_budget(smtp: SmtpServer) -> None:  # noqa: F811
    settings = SmtpSettings("127.0.0.1", smtp.port, "journey@skr.se", timeout=0.5)  # 1.5 s for a whole message
    smtp.inbox.rcpt_delay = 0.4  # each answer within the timeout, all five together past the budget
    mailer = SmtpMailer(settings, TZ, lambda: at(START))
    to = tuple(f"person{i}@kommun.se" for i in range(5))
    try:
        with pytest.raises(MailError, match="lost while sending: the message took longer than 1.5 s in all") as err:
            mailer.send(OutgoingEmail(to, "s", "t", "h", "<i@j>"))
        assert err.value.temporary and not err.value.uncertain
    finally:
        mailer.close()
    assert smtp.inbox.messages == []


def test_a_claim_that_runs_out_mid_batch_is_never_sent_by_its_old_holder(
        app: Any, database_url: str, tmp_path: Path, smtp: SmtpServer) -> None:  # noqa: F811
    add_towns(app, TOWNS[1:])
    app.clock.at = at(DUE)
    # Another sender starts once the first one's claims have run out (its clock is 11 minutes on).
    other = make_app(database_url, tmp_path / "other", FixedClock(at(DUE) + timedelta(minutes=11)), smtp.port)
    other_result: list[Any] = []

    def other_sender() -> None:
        options = SweepOptions("other-host:1", TZ)
        other_result.append(send_due_reminders(other.deps, make_mailer(other), make_renderer(other), options))

    thread = threading.Thread(target=other_sender)

    def first_message_in_flight(_msg: Any) -> None:
        if thread.ident is None:  # the first sender waits for its reply while the other claims everything
            thread.start()
            deadline = time.monotonic() + 20
            while {r["claimed_by"] for r in rows(app)} != {"other-host:1"} and time.monotonic() < deadline:
                time.sleep(0.02)

    smtp.inbox.on_data = first_message_in_flight
    try:
        result = sweep_once(app)
        thread.join(timeout=30)
    finally:
        smtp.inbox.on_data = None
        other.close()
    assert result.sent == 0  # its claims ran out: the message in flight is not marked, nothing else is sent
    assert other_result[0].sent == len(TOWNS)
    ids = Counter(smtp.inbox.ids())
    assert sorted(ids.values()) == [1] * (len(TOWNS) - 1) + [2]  # only the message in flight twice
    assert {r["status"] for r in rows(app)} == {"SENT"}


@pytest.mark.parametrize("smtputf8", [False, True], ids=["plain-server", "smtputf8-server"])
def test_a_non_ascii_local_part_needs_smtputf8_and_never_blocks_the_others(
        database_url: str, tmp_path: Path, smtputf8: bool) -> None:
    server = SmtpServer(enable_SMTPUTF8=smtputf8).start()
    app = make_app(database_url, tmp_path, FixedClock(at(START)), server.port)
    try:
        seed(app)
        add_user(app.deps, "admin", "asa", "coordinator", "Karlstad", "Åsa", "åsa.öberg@karlstad.se")
        app.clock.at = at(DUE)
        result = sweep_once(app)
        [(rcpt, msg)] = server.inbox.messages
        [row] = rows(app)
        assert row["status"] == "SENT" and result.sent == 1
        if smtputf8:
            assert sorted(rcpt) == ["samordnare@karlstad.se", "åsa.öberg@karlstad.se"] and result.partial == 0
            assert "åsa.öberg@karlstad.se" in str(msg["To"])
        else:
            assert rcpt == ["samordnare@karlstad.se"] and result.partial == 1
            assert "åsa.öberg@karlstad.se (non-ASCII before the @ needs SMTPUTF8" in row["last_error"]
    finally:
        app.close()
        server.stop()


def test_an_endless_subject_fails_its_reminder_and_the_sweep_goes_on(
        database_url: str, tmp_path: Path, smtp: SmtpServer) -> None:  # noqa: F811
    workflows = tmp_path / "workflows"
    workflows.mkdir()
    loop = "{% for i in range(99999) %}{% for j in range(99999) %}{% endfor %}{% endfor %}"
    yaml = (REMIND_WORKFLOWS / "remind.yaml").read_text(encoding="utf-8").replace(
        "template: stalled}",
        f"template: stalled}}\n      - {{id: loop, title: Loop, offset: 10d, to: [coordinator], template: stalled,\n"
        f"         subject: \"{loop}\"}}", 1)
    (workflows / "remind.yaml").write_text(yaml, encoding="utf-8")
    renderer = JinjaEmailRenderer(TEMPLATES, timeout=1.0)
    app = make_app(database_url, tmp_path, FixedClock(at(START)), smtp.port, workflows=workflows, renderer=renderer)
    try:
        seed(app)
        app.clock.at = at(DUE)
        result = sweep_once(app)
        assert (result.sent, result.failed) == (1, 1)
        failed = next(r for r in rows(app) if r["status"] == "FAILED")
        assert failed["rule_id"] == "loop" and "took longer than 1 s" in failed["last_error"]
        assert failed["attempts"] == 0  # never reached the server
        assert [str(m["Subject"]) for _, m in smtp.inbox.messages] == ["Påminnelse: Dags att gå vidare – Karlstad"]
    finally:
        app.close()
        renderer.close()


def test_downtime_sends_what_fell_due_once_and_marks_it_late(app: Any, smtp: SmtpServer) -> None:  # noqa: F811
    app.clock.at = at("2022-03-15T09:00:00+00:00")
    result = sweep_once(app)
    assert (result.sent, result.late) == (1, 1)
    assert "4 dagar senare" in smtp.inbox.messages[0][1].get_body(("plain",)).get_content()
    assert "skickad 4 dagar sent" in rows(app)[0]["reason"]


def test_meeting_reminder_to_board_secretary_carries_the_meeting_as_ics(app: Any, smtp: SmtpServer) -> None:  # noqa: F811
    import_meetings(app.deps, "admin", "Karlstad", [
        MeetingRow("KS", date(2022, 4, 20), "13:00", "Sessionssalen, Karlstad; plan 2", board_name="Kommunstyrelsen",
                   secretary_email="ks@karlstad.se")])
    advance_case(app.deps, "admin", "Karlstad", "go", {"board": "KS"})
    app.clock.at = at("2022-04-13T06:00:00+00:00")
    assert sweep_once(app).sent == 2  # the coordinator's deadline (late) and the secretary's pre-meeting reminder
    secretary = next(m for rcpt, m in smtp.inbox.messages if rcpt == ["ks@karlstad.se"])
    assert secretary.get_content_type() == "multipart/mixed"
    [ics] = [p for p in secretary.iter_attachments() if p.get_content_type() == "text/calendar"]
    body = ics.get_content()
    assert "DTSTART:20220420T110000Z" in body and "LOCATION:Sessionssalen\\, Karlstad\\; plan 2" in body
    assert "SUMMARY:Kommunstyrelsens sammanträde\\, Karlstads kommun" in body
    assert ics.get_filename() == "sammantrade.ics"


def test_mails_greet_with_hej_and_name_the_recipient_the_board_and_the_date_in_swedish(
        app: Any, smtp: SmtpServer) -> None:  # noqa: F811
    import_meetings(app.deps, "admin", "Karlstad", [
        MeetingRow("KS", date(2022, 4, 20), "13:00", "Sessionssalen", board_name="Kommunstyrelsen",
                   secretary_email="ks@karlstad.se")])
    advance_case(app.deps, "admin", "Karlstad", "go", {"board": "KS"})
    app.clock.at = at("2022-04-13T06:00:00+00:00")
    assert sweep_once(app).sent == 2
    mails = {rcpt[0]: m for rcpt, m in smtp.inbox.messages}
    coordinator = mails["samordnare@karlstad.se"].get_body(("plain",)).get_content().replace("\r\n", "\n")
    secretary = mails["ks@karlstad.se"].get_body(("plain",)).get_content().replace("\r\n", "\n")
    assert coordinator.startswith("Hej!\n\nTill: lokal projektsamordnare, Karlstads kommun\n\n")
    assert ("behöver vara klar senast onsdagen den 23 mars 2022 för att hinna med beredningen inför "
            "kommunstyrelsens sammanträde onsdagen den 20 april 2022 kl. 13:00, Sessionssalen.\n") in coordinator
    assert secretary.startswith("Hej!\n\nTill: kommunstyrelsens sekreterare, Karlstads kommun\n\n")
    assert ("Karlstads kommun har ett ärende om sociala företag (\"Ärende till nämnd\") som väntas på "
            "kommunstyrelsens sammanträde onsdagen den 20 april 2022 kl. 13:00, Sessionssalen.\n") in secretary
    for text in (coordinator, secretary):
        assert "KS:s sammanträde 2022-04-20" in text and "KS sammanträde" not in text
        assert "Hej nämndens" not in text and "Kommunstyrelsens sammanträde" not in text
        paragraphs = [p for p in text.split("\n\n") if p.strip()]
        assert all(p[0].isupper() for p in paragraphs), paragraphs  # no sentence broken by a blank line
    html = mails["ks@karlstad.se"].get_body(("html",)).get_content().replace("\r\n", "\n")
    assert "<p>Hej!</p>\n<p>Till: kommunstyrelsens sekreterare, Karlstads kommun</p>" in html


def test_no_address_for_the_role_fails_the_reminder_visibly(app: Any, smtp: SmtpServer) -> None:  # noqa: F811
    advance_case(app.deps, "admin", "Karlstad", "go", {"board": "KS"})
    import_meetings(app.deps, "admin", "Karlstad", [MeetingRow("KS", date(2022, 4, 20))])  # no secretary address
    app.clock.at = at("2022-04-13T06:00:00+00:00")
    result = sweep_once(app)
    assert (result.sent, result.failed) == (1, 1)
    failed = next(r for r in rows(app) if r["status"] == "FAILED")
    assert failed["recipient_role"] == "board_secretary" and "no email address" in failed["last_error"]


def test_header_injection_is_impossible(smtp: SmtpServer) -> None:  # noqa: F811
    evil = OutgoingEmail(("a@kommun.se",), "Hej\r\nBcc: evil@example.com", "text", "<p>html</p>", "<id@journey>",
                         headers=(("X-Journey-Reminder", "k\r\nBcc: evil@example.com"),))
    mailer = SmtpMailer(SmtpSettings("127.0.0.1", smtp.port, "journey@skr.se"), TZ, lambda: at(START))
    try:
        assert mailer.send(evil).refused == ()
        # An address with a line break is refused on its own; the message goes to the others.
        split = OutgoingEmail(("b@kommun.se", "c@kommun.se\r\nBcc: evil@example.com"), "s", "t", "h", "<i@j>")
        [(address, why)] = mailer.send(split).refused
        assert address.startswith("c@kommun.se\r\n") and "not a valid address" in why
    finally:
        mailer.close()
    [(rcpt, msg), (rcpt2, msg2)] = smtp.inbox.messages
    assert rcpt == ["a@kommun.se"] and msg["Bcc"] is None and rcpt2 == ["b@kommun.se"] and msg2["Bcc"] is None
    assert msg["Subject"] == "Hej Bcc: evil@example.com"
    with pytest.raises(MailError):
        compose(OutgoingEmail(("a@kommun.se\r\nBcc: evil@example.com",), "s", "t", "h", "<i@j>"), "j@skr.se", TZ,
                at(START))


def test_a_failed_reminder_is_sent_once_after_the_missing_address_is_added(app: Any, smtp: SmtpServer) -> None:  # noqa: F811
    from journey.domain.errors import NotFoundError, PermissionDeniedError
    from journey.services.board_meetings import set_board
    from journey.services.reminders.retry import retry_failed

    advance_case(app.deps, "admin", "Karlstad", "go", {"board": "KS"})
    import_meetings(app.deps, "admin", "Karlstad", [MeetingRow("KS", date(2022, 4, 20))])
    app.clock.at = at("2022-04-13T06:00:00+00:00")
    assert sweep_once(app).failed == 1
    failed_id = next(r["id"] for r in rows(app) if r["status"] == "FAILED")
    with pytest.raises(PermissionDeniedError):
        retry_failed(app.deps, "pia", "Karlstad")  # SKR staff read, they do not change cases
    with pytest.raises(NotFoundError):
        retry_failed(app.deps, "admin", reminder_id=failed_id + 1000)
    set_board(app.deps, "admin", "Karlstad", "KS", secretary_email="ks@karlstad.se")
    assert retry_failed(app.deps, "coord_karlstad", "Karlstad").requeued == [failed_id]
    before = len(smtp.inbox.messages)
    assert sweep_once(app).sent == 1
    assert sweep_once(app).sent == 0
    assert len(smtp.inbox.messages) == before + 1 and smtp.inbox.messages[-1][0] == ["ks@karlstad.se"]
    row = next(r for r in rows(app) if r["id"] == failed_id)
    assert row["status"] == "SENT" and "åter i kö" in row["reason"]
