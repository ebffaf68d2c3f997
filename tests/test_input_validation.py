"""Every input path checked where it enters (#16): lengths, names, kommunkod, dates, evidence text.

Each bad value gives exit code 2, one line on stderr naming the field, and leaves the database
exactly as it was, on SQLite and on PostgreSQL alike (PostgreSQL enforces VARCHAR lengths,
SQLite does not: the limits are checked before the database sees a value).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import inspect

from journey.adapters.sql.engine import make_engine
from journey.adapters.sql.transfer_store import SqlTransferStore
from journey.domain import limits
from tests.conftest import Cli
from tests.test_journey_cli import JOURNEY

LONG = "x" * 5000


def dump(cli: Cli) -> dict[str, Any]:
    """Every row of every table: what "nothing changed" is compared with."""
    engine = make_engine(cli.env["JOURNEY_DATABASE_URL"])
    try:
        with SqlTransferStore(engine).dump(lambda _: None) as tables:
            return {name: (columns, [row for batch in batches for row in batch]) for name, columns, batches in tables}
    finally:
        engine.dispose()


def assert_refused(cli: Cli, command: str | list[str], code: int, *fragments: str) -> None:
    """Run ``command``: exit ``code``, one ``Error:`` line naming the problem, no traceback, no change."""
    before = dump(cli)
    result = cli(command)
    assert result.exit_code == code, result.output
    err = result.stderr.strip()
    assert len(err.splitlines()) == 1 and err.startswith("Error: "), err
    assert "Traceback" not in result.output and "internal error" not in err
    for fragment in fragments:
        assert fragment in err, err
    assert dump(cli) == before


@pytest.fixture
def tierp(cli: Cli) -> Cli:
    """The network seeded and Tierp's case open, in open mode (no users yet)."""
    cli.ok("municipalities seed")
    cli.ok("open Tierp")
    return cli


def _attend_meeting(cli: Cli) -> str:
    cli.ok(["network-meetings", "add", "physical", "--date", "2022-02-10", "--title", "Nätverksträff"])
    return "1"


# (command as a list, the limit it exceeds); every command would succeed with a short value
OVER_LONG: list[tuple[str, list[str], int]] = [
    ("municipality name", ["municipalities", "add", "9999", "N" * 101], limits.MUNICIPALITY_NAME),
    ("county", ["municipalities", "add", "9999", "Nyby", "--county", "L" * 101], limits.MUNICIPALITY_NAME),
    ("username", ["users", "add", "a" * 101, "--role", "admin"], limits.USERNAME),
    ("display name", ["users", "add", "admin", "--role", "admin", "--name", "A" * 201], limits.DISPLAY_NAME),
    ("acting user", ["case", "pause", "Tierp", "--as", "a" * 101], limits.USERNAME),
    ("evidence text", ["advance", "Tierp", "confirm_interest", "-e", "registered_date=2021-01-12",
                       "-e", "contact=" + "A" * 1001], limits.EVIDENCE_VALUE),
    ("comment", ["advance", "Tierp", "confirm_interest", "-e", "registered_date=2021-01-12", "-e", "contact=Anna",
                 "--comment", "c" * 4001], limits.COMMENT),
    ("pause reason", ["case", "pause", "Tierp", "--reason", "r" * 1001], limits.PAUSE_REASON),
    ("meeting location", ["meetings", "add", "Tierp", "KS", "2022-04-20", "--location", "l" * 201],
     limits.MEETING_LOCATION),
    ("meeting title", ["meetings", "add", "Tierp", "KS", "2022-04-20", "--title", "t" * 201], limits.MEETING_TITLE),
    ("board code", ["meetings", "board", "Tierp", "K" * 41], limits.BOARD_CODE),
    ("board name", ["meetings", "board", "Tierp", "AMN", "--name", "A" * 201], limits.BOARD_NAME),
    ("person", ["hours", "log", "Tierp", "--person", "P" * 201, "--date", "2022-02-14", "--hours", "3",
                "--activity", "inventory", "--description", "Kartläggning"], limits.PERSON),
    ("description", ["hours", "log", "Tierp", "--person", "Anna", "--date", "2022-02-14", "--hours", "3",
                     "--activity", "inventory", "--description", "d" * 2001], limits.DESCRIPTION),
    ("network meeting title", ["network-meetings", "add", "digital", "--date", "2022-02-10", "--title", "t" * 201],
     limits.NETWORK_MEETING_TITLE),
]


@pytest.mark.parametrize(("what", "command", "limit"), OVER_LONG, ids=[c[0] for c in OVER_LONG])
def test_over_long_values_are_refused_alike_on_both_backends(tierp: Cli, what: str, command: list[str],
                                                              limit: int) -> None:
    assert_refused(tierp, command, 2, f"at most {limit} are allowed")


def test_an_over_long_attendee_is_refused(tierp: Cli) -> None:
    meeting = _attend_meeting(tierp)
    assert_refused(tierp, ["network-meetings", "attend", meeting, "Tierp", "--person", "P" * 201], 2,
                   f"at most {limits.PERSON} are allowed")
    tierp.ok(["people", "add", "Tierp", "--name", "Anna Berg"])  # attendance is for registered people (#12)
    tierp.ok(["network-meetings", "attend", meeting, "Tierp", "--person", "Anna Berg"])


def test_an_over_long_calendar_value_names_file_and_line(tierp: Cli, tmp_path: Path) -> None:
    calendar = tmp_path / "plan.csv"
    calendar.write_text(f"board,date,location\nKS,2022-04-20,Sessionssalen\nKS,2022-05-18,{'l' * 201}\n",
                        encoding="utf-8")
    assert_refused(tierp, ["meetings", "import", str(calendar), "-m", "Tierp"], 2, "plan.csv:3",
                   f"at most {limits.MEETING_LOCATION} are allowed")


def test_values_at_the_limit_are_stored_whole(tierp: Cli) -> None:
    tierp.ok(["municipalities", "add", "9999", "N" * limits.MUNICIPALITY_NAME])
    tierp.ok(["case", "pause", "Tierp", "--reason", "r" * limits.PAUSE_REASON])
    history = json.loads(tierp.ok("history Tierp --json").output)["entries"]
    assert history[-1]["comment"] == "r" * limits.PAUSE_REASON
    names = {m["name"] for m in json.loads(tierp.ok("municipalities list --json").output)}
    assert "N" * limits.MUNICIPALITY_NAME in names


def test_the_migrations_declare_the_domain_limits(tierp: Cli) -> None:
    """The limits checked in the domain are the lengths the schema has, on this backend."""
    expected = {("municipality", "name"): limits.MUNICIPALITY_NAME, ("municipality", "county"): limits.MUNICIPALITY_NAME,
                ("app_user", "username"): limits.USERNAME, ("app_user", "display_name"): limits.DISPLAY_NAME,
                ("case_history", "comment"): limits.COMMENT, ("case_history", "actor"): limits.USERNAME,
                ("journey_case", "state"): limits.CASE_STATE, ("case_pause", "reason"): limits.PAUSE_REASON,
                ("board", "code"): limits.BOARD_CODE, ("board", "name"): limits.BOARD_NAME,
                ("board_meeting", "location"): limits.MEETING_LOCATION, ("board_meeting", "title"): limits.MEETING_TITLE,
                ("time_entry", "person"): limits.PERSON, ("time_entry", "description"): limits.DESCRIPTION,
                ("network_meeting", "title"): limits.NETWORK_MEETING_TITLE,
                ("document", "title"): limits.DOCUMENT_TITLE, ("reminder", "subject"): limits.REMINDER_SUBJECT}
    engine = make_engine(tierp.env["JOURNEY_DATABASE_URL"])
    try:
        inspector = inspect(engine)
        found = {(table, column): {c["name"]: getattr(c["type"], "length", None)
                                   for c in inspector.get_columns(table)}[column] for table, column in expected}
    finally:
        engine.dispose()
    assert found == expected


# --- names: NFC, no invisible, bidi or control characters, no look-alikes, one script ---

BAD_NAMES = [
    ("Mal\u200bmö", "U+200B"),  # zero-width space: not a second Malmö
    ("Malm\u00adö", "U+00AD"),  # soft hyphen
    ("\ufeffNyby", "U+FEFF"),  # byte order mark
    ("Ny\u200dby", "U+200D"),  # zero-width joiner
    ("Nyby\u202e", "U+202E"),  # right-to-left override
    ("Ny\x1b[2Jby", "U+001B"),  # escape sequence
    ("Ny\nby", "U+000A"),
    ("Ｍａｌｍö", "compatibility form"),  # fullwidth
    ("M\u0430lmö", "mixes scripts"),  # Cyrillic а
    ("Nyby ２", "compatibility form"),
    ("Nyby \u0664", "digit"),  # Arabic-Indic four
]


@pytest.mark.parametrize(("name", "fragment"), BAD_NAMES, ids=[repr(n) for n, _ in BAD_NAMES])
def test_municipality_names_that_are_not_clean_are_refused(tierp: Cli, name: str, fragment: str) -> None:
    assert_refused(tierp, ["municipalities", "add", "9999", name], 2, "municipality name", fragment)


@pytest.mark.parametrize("code", ["\u0661\u0662\u0668\u0660", "１２８０", "12 80", "128", "12800", "1280\n", "٠٣٦٠"])
def test_kommunkod_is_four_ascii_digits(tierp: Cli, code: str) -> None:
    assert_refused(tierp, ["municipalities", "add", code, "Nyby"], 2, "kommunkod", "four digits")


def test_a_decomposed_name_is_stored_composed_and_found_either_way(tierp: Cli) -> None:
    tierp.ok(["municipalities", "add", "2180", "Ga\u0308vle", "--county", "Ga\u0308vleborgs  län"])
    listed = {m["code"]: m for m in json.loads(tierp.ok("municipalities list --json").output)}
    assert listed["2180"]["name"] == "Gävle" and listed["2180"]["county"] == "Gävleborgs län"
    assert_refused(tierp, ["municipalities", "add", "2181", "Gävle"], 3, "already registered")
    tierp.ok(["open", "Ga\u0308vle"])


@pytest.mark.parametrize(("username", "fragment"), [
    ("anna\u200b", "may hold letters"), ("\u0430nna", "mixes scripts"), ("ａｎｎａ", "compatibility form"),
    ("anna\n", "may hold letters"), ("an\u202ena", "may hold letters"), ("anna\u0663", "digit")])
def test_usernames_that_are_not_clean_are_refused(tierp: Cli, username: str, fragment: str) -> None:
    assert_refused(tierp, ["users", "add", username, "--role", "admin"], 2, "username", fragment)


def test_display_names_and_acting_users_are_checked(tierp: Cli) -> None:
    assert_refused(tierp, ["users", "add", "admin", "--role", "admin", "--name", "Anna\u200bBerg"], 2, "U+200B")
    assert_refused(tierp, ["case", "pause", "Tierp", "--as", "ad\u202emin"], 2, "acting user", "U+202E")


@pytest.mark.parametrize(("code", "fragment"), [("K\u200bS", "U+200B"), ("ＫＳ", "compatibility form"),
                                                ("К S", "mixes scripts"), ("KS\x1b", "U+001B")])
def test_board_codes_that_are_not_clean_are_refused(tierp: Cli, code: str, fragment: str) -> None:
    assert_refused(tierp, ["meetings", "board", "Tierp", code], 2, "board", fragment)
    assert_refused(tierp, ["meetings", "add", "Tierp", code, "2022-04-20"], 2, "board", fragment)


def test_a_calendar_file_with_a_look_alike_board_names_its_line(tierp: Cli, tmp_path: Path) -> None:
    calendar = tmp_path / "plan.csv"
    calendar.write_text("board,date\nKS,2022-04-20\nK\u200bS,2022-05-18\n", encoding="utf-8")
    assert_refused(tierp, ["meetings", "import", str(calendar), "-m", "Tierp"], 2, "plan.csv:3", "U+200B")


def test_hours_people_are_names(tierp: Cli) -> None:
    base = ["hours", "log", "Tierp", "--date", "2022-02-14", "--hours", "3", "--activity", "inventory",
            "--description", "Kartläggning"]
    assert_refused(tierp, [*base, "--person", "Anna\u200bBerg"], 2, "person", "U+200B")
    assert_refused(tierp, [*base, "--person", "\u0410nna Berg"], 2, "person", "mixes scripts")
    meeting = _attend_meeting(tierp)
    assert_refused(tierp, ["network-meetings", "attend", meeting, "Tierp", "--person", "Olle\u202eÅs"], 2, "U+202E")


# --- evidence: identifiers, free text and dates ---

CONFIRM = ["advance", "Tierp", "confirm_interest"]


@pytest.mark.parametrize(("evidence", "fragments"), [
    ("contact=Anna\x1b[2J", ["interest_registration.contact", "U+001B"]),
    ("contact=Anna\u202eBerg", ["U+202E"]),
    ("contact=Anna\u200bBerg", ["U+200B"]),
    ("registered_date=2022-W09-1", ["is not a date (YYYY-MM-DD)"]),
    ("registered_date=20220207", ["is not a date (YYYY-MM-DD)"]),
    ("registered_date=2022-02-07T10:00", ["is not a date (YYYY-MM-DD)"]),
    ("registered_date=２０２２-02-07", ["is not a date (YYYY-MM-DD)"]),
    ("registered_date=2022-03-02", ["in the future", "today is 2022-03-01"]),
    ("registered_date=2031-01-01", ["in the future"]),
])
def test_bad_evidence_is_refused(tierp: Cli, evidence: str, fragments: list[str]) -> None:
    given = dict(pair.split("=", 1) for pair in ["registered_date=2021-01-12", "contact=Anna", evidence])
    assert_refused(tierp, [*CONFIRM, *[a for k, v in given.items() for a in ("-e", f"{k}={v}")]], 2, *fragments)


def test_a_decision_dated_today_is_accepted(tierp: Cli) -> None:
    tierp.ok([*CONFIRM, "-e", "registered_date=2022-03-01", "-e", "contact=Anna"])


def test_identifiers_in_evidence_are_names(tierp: Cli) -> None:
    for trigger, evidence in JOURNEY[:1]:
        tierp.ok(f"advance Tierp {trigger} {evidence}")
    sign = ["advance", "Tierp", "sign_letter_of_intent", "-e", "signed_date=2021-02-01"]
    assert_refused(tierp, [*sign, "-e", "signatories=Eva Ek, Olle \u0410s"], 2, "signatories", "mixes scripts")
    assert_refused(tierp, [*sign, "-e", "signatories=Eva Ek, Olle Ås", "-e", "diarienummer=KS ２０２１/7"], 2,
                   "diarienummer", "compatibility form")
    assert_refused(tierp, [*sign, "-e", "signatories=Eva Ek, Olle Ås", "-e", "diarienummer=KS \u0662\u0660\u0662\u0661/7"],
                   2, "diarienummer", "digit")
    tierp.ok([*sign, "-e", "signatories=Eva Ek, Olle Ås", "-e", "diarienummer=KS 2021/7"])


def test_a_field_may_allow_the_future(tierp: Cli) -> None:
    """A policy's valid_until is declared ``future: true``; its decision date is not."""
    for trigger, evidence in JOURNEY[:6]:
        tierp.ok(f"advance Tierp {trigger} {evidence}")
    policy = ["advance", "Tierp", "adopt_policy", "-e", "organ=KS", "-e", "paragraph=112", "-e", "diarienummer=KS 2022/245",
              "-e", "title=Riktlinje", "-e", "document_type=riktlinje", "-e", "valid_until=2026-12-31"]
    assert_refused(tierp, [*policy, "-e", "meeting_date=2022-04-01"], 2, "meeting_date", "in the future")
    tierp.ok([*policy, "-e", "meeting_date=2022-02-14"])


def test_comments_may_span_lines_but_hold_no_control_characters(tierp: Cli) -> None:
    base = [*CONFIRM, "-e", "registered_date=2021-01-12", "-e", "contact=Anna"]
    assert_refused(tierp, [*base, "--comment", "ok\x07"], 2, "comment", "U+0007")
    assert_refused(tierp, [*base, "--comment", "ok\u202e"], 2, "comment", "U+202E")
    assert_refused(tierp, ["case", "pause", "Tierp", "--reason", "\x1b]0;hijack\x07"], 2, "reason", "U+001B")
    tierp.ok([*base, "--comment", "rad ett\r\nrad två\ttabb"])
    entry = json.loads(tierp.ok("history Tierp --json").output)["entries"][-1]
    assert entry["comment"] == "rad ett\nrad två\ttabb"


@pytest.mark.parametrize("day", ["2022-W06-1", "20220207", "2022-02-07T08:00", "2022-2-7"])
def test_hours_and_meeting_dates_are_plain_iso_dates(tierp: Cli, day: str) -> None:
    assert_refused(tierp, ["hours", "log", "Tierp", "--person", "Anna", "--date", day, "--hours", "3",
                           "--activity", "inventory", "--description", "Kartläggning"], 2, "is not a date")
    assert_refused(tierp, ["network-meetings", "add", "digital", "--date", day, "--title", "Möte"], 2, "is not a date")
    assert_refused(tierp, ["meetings", "add", "Tierp", "KS", day], 2, "is not a date")


def test_an_import_with_an_over_long_value_is_refused_before_loading(tierp: Cli, tmp_path: Path) -> None:
    """An old SQLite database may hold a value PostgreSQL cannot: the import says which, and loads nothing."""
    export = tmp_path / "export.json"
    tierp.ok(["export", str(export)])
    from tests._demo_export import read_lines, write_lines

    document = read_lines(export)
    table = document["tables"]["municipality"]
    table["rows"][0][table["columns"].index("name")] = "N" * 101
    write_lines(document, export)
    target = Cli(f"sqlite:///{tmp_path / 'target.db'}", tmp_path)
    result = target(["import", str(export)])
    assert result.exit_code == 2 and "municipality row 1, name: 101 characters long; at most 100" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
