"""Sending reminders over a real SMTP server (aiosmtpd on loopback), on SQLite and PostgreSQL."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from journey.adapters.clock import FixedClock
from journey.adapters.mail.smtp import SmtpMailer, SmtpSettings, compose
from journey.bootstrap.reminders import sweep_once
from journey.domain.board_meetings import MeetingRow
from journey.domain.errors import MailError
from journey.ports.mail import OutgoingEmail
from journey.services.board_meetings import import_meetings
from journey.services.cases.lifecycle import advance_case
from tests.reminder_support import SmtpServer, at, free_port, make_app, rows, seed, smtp  # noqa: F401

TZ = ZoneInfo("Europe/Stockholm")


@pytest.fixture
def app(database_url: str, tmp_path: Path, smtp: SmtpServer) -> Iterator[Any]:  # noqa: F811
    application = make_app(database_url, tmp_path, FixedClock(at("2022-03-01T09:00:00+00:00")), smtp.port)
    seed(application)
    yield application
    application.close()


def test_a_reminder_goes_out_once_at_its_due_time(app: Any, smtp: SmtpServer) -> None:  # noqa: F811
    app.clock.at = at("2022-03-11T06:59:00+00:00")  # one minute before 08:00 Stockholm time
    assert sweep_once(app).sent == 0
    app.clock.at = at("2022-03-11T07:00:00+00:00")
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
    assert row["status"] == "SENT" and row["sent_at"] == at("2022-03-11T07:00:00+00:00") and row["attempts"] == 1


def test_smtp_down_then_up_delivers_exactly_once(database_url: str, tmp_path: Path) -> None:
    port = free_port()
    app = make_app(database_url, tmp_path, FixedClock(at("2022-03-01T09:00:00+00:00")), port)
    try:
        seed(app)
        app.clock.at = at("2022-03-11T07:00:00+00:00")
        down = sweep_once(app)
        assert (down.sent, down.retrying) == (0, 1)
        [row] = rows(app)
        assert row["status"] == "PLANNED" and row["attempts"] == 1 and "unreachable" in row["last_error"]
        assert row["send_after"] == at("2022-03-11T07:01:00+00:00")
        server = SmtpServer(port).start()
        try:
            assert sweep_once(app).sent == 0  # backoff: not before 07:01
            app.clock.advance(timedelta(minutes=1))
            assert sweep_once(app).sent == 1
            app.clock.advance(timedelta(hours=1))
            assert sweep_once(app).sent == 0
            assert len(server.inbox.messages) == 1
        finally:
            server.stop()
        assert rows(app)[0]["status"] == "SENT" and rows(app)[0]["attempts"] == 2
    finally:
        app.close()


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
    mailer = SmtpMailer(SmtpSettings("127.0.0.1", smtp.port, "journey@skr.se"), TZ, lambda: at("2022-03-01T09:00:00+00:00"))
    try:
        mailer.send(evil)
    finally:
        mailer.close()
    [(rcpt, msg)] = smtp.inbox.messages
    assert rcpt == ["a@kommun.se"] and msg["Bcc"] is None
    assert msg["Subject"] == "Hej Bcc: evil@example.com"
    with pytest.raises(MailError):
        compose(OutgoingEmail(("a@kommun.se\r\nBcc: evil@example.com",), "s", "t", "h", "<i@j>"), "j@skr.se", TZ,
                at("2022-03-01T09:00:00+00:00"))


def test_smtp_password_is_never_logged(smtp: SmtpServer, caplog: pytest.LogCaptureFixture) -> None:  # noqa: F811
    settings = SmtpSettings.from_env({"host": "127.0.0.1", "port": str(smtp.port), "user": "journey",
                                      "password": "hemligt-lösen-42"})
    mailer = SmtpMailer(settings, TZ, lambda: at("2022-03-01T09:00:00+00:00"))
    caplog.set_level(logging.DEBUG)
    with pytest.raises(MailError) as err:  # the server offers no AUTH: login fails
        mailer.send(OutgoingEmail(("a@kommun.se",), "s", "t", "h", "<i@j>"))
    mailer.close()
    for text in (str(err.value), repr(mailer), repr(settings), caplog.text):
        assert "hemligt" not in text


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
