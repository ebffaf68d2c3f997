"""The reminder commands end to end on the real handbook workflow: preview, pause/resume, send, list sent."""

from __future__ import annotations

import json
from pathlib import Path

from tests.conftest import Cli
from tests.reminder_support import SmtpServer, smtp  # noqa: F401
from tests.test_journey_cli import JOURNEY
from tests.test_meetings__export import anchoring  # noqa: F401


def _upcoming(cli: Cli, **env: str) -> list[dict]:  # type: ignore[type-arg]
    return json.loads(cli.ok("reminders upcoming Härjedalen --json", **env).output)


def test_preview_pause_resume_send_and_list(cli: Cli, tmp_path: Path, smtp: SmtpServer) -> None:  # noqa: F811
    cli.ok("municipalities seed")
    cli.ok("users add admin --role admin")
    cli.ok("users add anna --role coordinator --municipality Härjedalen --email anna@herjedalen.se --as admin")
    cli.ok("open Härjedalen --as anna")
    for trigger, evidence in JOURNEY[:4]:  # into stage 4, anchoring: reminders relative to the next KS meeting
        cli.ok(f"advance Härjedalen {trigger} {evidence} --as anna")
    planned = _upcoming(cli, JOURNEY_USER="anna")
    assert {r["rule_id"] for r in planned} == {"matter_deadline_warning", "matter_deadline", "pre_meeting"}
    assert all(r["due_at"] is None and "inget kommande KS-sammanträde" in r["reason"] for r in planned)
    plan = tmp_path / "ks.csv"
    plan.write_text("board,date,time,secretary_email\nKS,2022-04-20,13:00,ks@herjedalen.se\n")
    cli.ok(f"meetings import {plan} -m Härjedalen --as anna")
    planned = _upcoming(cli, JOURNEY_USER="anna")
    assert [(r["rule_id"], r["due_local"]) for r in planned] == [
        ("matter_deadline_warning", "2022-03-09 08:00"), ("matter_deadline", "2022-03-23 08:00"),
        ("pre_meeting", "2022-04-06 08:00"), ("pre_meeting", "2022-04-06 08:00")]  # before the kallelse of 7 April
    assert planned[1]["reason"] == "4 veckor före KS:s sammanträde 2022-04-20"
    assert not any(r["late"] for r in planned)
    # a day after the first one's time with no scheduler running: it is marked, and the user told what happens
    later = {"JOURNEY_USER": "anna", "JOURNEY_NOW": "2022-03-10T09:00:00+00:00"}
    assert [r["late"] for r in _upcoming(cli, **later)] == [True, False, False, False]
    lines = cli.ok("reminders upcoming Härjedalen", **later, JOURNEY_LANG="sv").output.splitlines()
    assert lines[2].endswith("\t[försenad, inte skickad än] 6 veckor före KS:s sammanträde 2022-04-20"), lines
    assert "[försenad" not in lines[3] and lines[-1].startswith("Försenade påminnelser skickas vid schemaläggarens")

    cli.ok("case pause Härjedalen --reason 'Nytt politiskt styre' --as anna", JOURNEY_NOW="2022-03-02T09:00:00+00:00")
    assert all(r["held"] for r in _upcoming(cli, JOURNEY_USER="anna"))
    assert "\t[paused] 6 veckor" in cli.ok("reminders upcoming Härjedalen --as anna").output
    out = cli.ok("case resume Härjedalen --as anna", JOURNEY_NOW="2022-03-22T09:00:00+00:00").output
    assert "resumed after 20 day(s)" in out
    moved = {r["rule_id"]: r for r in _upcoming(cli, JOURNEY_USER="anna")}
    assert moved["matter_deadline"]["due_local"] == "2022-03-23 08:00"  # still reachable: the meeting stays
    assert "matter_deadline_warning" not in moved  # 6 weeks before 20 April came during the pause: expired

    smtp_env = {"JOURNEY_SMTP_HOST": "127.0.0.1", "JOURNEY_SMTP_PORT": str(smtp.port),
                "JOURNEY_SMTP_FROM": "journey@skr.se", "JOURNEY_NOW": "2022-03-23T07:00:00+00:00"}
    assert cli.ok("reminders send-due", **smtp_env).output.startswith("1 sent")
    assert cli.ok("reminders send-due", **smtp_env).output.startswith("0 sent")
    [(rcpt, msg)] = smtp.inbox.messages
    assert rcpt == ["anna@herjedalen.se"] and "Härjedalen" in str(msg["Subject"])
    sent, expired = json.loads(cli.ok("reminders sent --json --as anna").output)
    assert (sent["rule_id"], sent["status"], sent["sent_local"]) == ("matter_deadline", "SENT", "2022-03-23 08:00")
    assert (expired["rule_id"], expired["status"]) == ("matter_deadline_warning", "EXPIRED")
    assert "passerade medan ärendet var pausat" in expired["reason"]
    refused = cli("reminders sent Karlstad --as anna")
    assert refused.exit_code == 6


def test_commands_have_help_with_an_example(cli: Cli) -> None:
    for command in ("reminders upcoming", "reminders sent", "reminders send-due", "case pause", "case resume",
                    "scheduler run", "meetings import", "meetings list", "meetings add", "meetings move",
                    "meetings remove", "meetings board"):
        assert "Example:" in cli.ok(f"{command} --help").output, command


def test_the_send_due_example_in_its_help_works(cli: Cli, smtp: SmtpServer) -> None:  # noqa: F811
    example = next(line for line in cli.ok("reminders send-due --help").output.splitlines()
                   if "journey reminders send-due" in line and "=" in line)
    env = dict(word.split("=", 1) for word in example.split() if "=" in word)
    assert "JOURNEY_SMTP_FROM" in env  # without it the sender check refuses (exit 78)
    env |= {"JOURNEY_SMTP_HOST": "127.0.0.1", "JOURNEY_SMTP_PORT": str(smtp.port)}  # our server stands in for it
    assert cli.ok("reminders send-due", **env).output == "0 sent (0 late), 0 to retry, 0 failed\n"
    assert cli("reminders send-due", **(env | {"JOURNEY_SMTP_FROM": ""})).exit_code == 78


def test_a_failed_reminder_s_error_is_listed_in_swedish_and_kept_in_english(anchoring: Cli,  # noqa: F811
                                                                          smtp: SmtpServer) -> None:  # noqa: F811
    """Every recipient refused for good: FAILED at once, the error stored in English (``--json``, logs), the
    table in Swedish, the server's own reply as it gave it."""
    cli = anchoring
    smtp.inbox.refuse["anna@herjedalen.se"] = "550 5.1.1 Mailbox unavailable"
    smtp_env = {"JOURNEY_SMTP_HOST": "127.0.0.1", "JOURNEY_SMTP_PORT": str(smtp.port),
                "JOURNEY_SMTP_FROM": "journey@skr.se", "JOURNEY_NOW": "2022-03-09T07:00:00+00:00"}
    cli.ok("reminders send-due", **smtp_env)
    assert smtp.inbox.messages == []
    [failed] = json.loads(cli.ok("reminders sent --json --as anna").output)
    assert failed["status"] == "FAILED"
    assert failed["last_error"] == "every recipient was refused: anna@herjedalen.se (550 5.1.1 Mailbox unavailable)"
    table = cli.ok("reminders sent --as anna", JOURNEY_LANG="sv").output
    assert "\talla mottagare avvisades: anna@herjedalen.se (550 5.1.1 Mailbox unavailable)" in table, table
    assert "every recipient" not in table
    assert "every recipient was refused" in cli.ok("reminders sent --as anna", JOURNEY_LANG="en").output
