"""The command line speaks Swedish by default and English with JOURNEY_LANG=en (issue #13 §1).

The catalog check is what makes a new user-facing string without a Swedish translation fail:
the committed messages.pot must match what Babel extracts from the source now (journey and
click), and every msgid in it must have a Swedish msgstr with the same placeholders.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import click
import pytest

from journey.config import ui_language

ROOT = Path(__file__).resolve().parent.parent
LOCALE = ROOT / "journey" / "locale"
PO = LOCALE / "sv" / "LC_MESSAGES" / "messages.po"
MO = LOCALE / "sv" / "LC_MESSAGES" / "messages.mo"
JOURNEY = [sys.executable, "-m", "journey"]

babel = pytest.importorskip("babel")


def _catalog(path: Path) -> object:
    from babel.messages.pofile import read_po

    with path.open("rb") as f:
        return read_po(f, locale="sv")


def _ids(catalog: object) -> set[object]:
    return {m.id for m in catalog if m.id}  # type: ignore[attr-defined]


_PLACEHOLDER = re.compile(r"\{[A-Za-z_][A-Za-z0-9_]*(?:![rsa])?(?::[^{}]*)?\}|%\([A-Za-z_]+\)[sdr]")


def _placeholders(text: str) -> list[str]:
    return sorted(_PLACEHOLDER.findall(text))


def test_every_message_has_a_swedish_translation_with_the_same_placeholders() -> None:
    catalog = _catalog(PO)
    problems = []
    for message in catalog:  # type: ignore[attr-defined]
        if not message.id:
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        if not all(s.strip() for s in strings):
            problems.append(f"untranslated: {ids[0][:80]!r}")
            continue
        if "fuzzy" in message.flags:
            problems.append(f"fuzzy: {ids[0][:80]!r}")
        wanted = _placeholders(ids[-1]) if len(ids) > 1 else _placeholders(ids[0])
        for s in strings[-1:]:
            if _placeholders(s) != wanted and not (len(ids) > 1 and set(_placeholders(s)) <= set(wanted)):
                problems.append(f"placeholders differ: {ids[0][:60]!r} -> {s[:60]!r}")
    problems += [f"{message.id!r}: {error}" for message, errors in catalog.check() for error in errors]  # type: ignore[attr-defined]
    assert problems == []


def test_the_committed_catalog_is_up_to_date_with_the_source(tmp_path: Path) -> None:
    """Re-extract (as `make messages` does) and compare: a new string must go into the catalog, translated."""
    pot = tmp_path / "messages.pot"
    click_dir = str(Path(click.__file__).parent)
    pybabel = Path(sys.executable).with_name("pybabel")
    env = {**os.environ, "PYTHONPATH": str(ROOT / "scripts")}
    subprocess.run([str(pybabel), "-q", "extract", "-F", "babel.cfg", "-k", "msg", "-k", "nmsg:1,2", "--no-location",
                    "--sort-output", "--omit-header", "-o", str(pot), "journey", click_dir],
                   cwd=ROOT, env=env, check=True, capture_output=True)
    fresh, committed, translated = _ids(_catalog(pot)), _ids(_catalog(LOCALE / "messages.pot")), _ids(_catalog(PO))
    assert sorted(map(str, fresh - committed)) == [], "run `make messages` and translate the new strings"
    assert sorted(map(str, committed - fresh)) == [], "run `make messages` to drop strings no longer used"
    assert sorted(map(str, fresh - translated)) == [], "translate the new strings in messages.po"


def test_the_compiled_catalog_is_up_to_date() -> None:
    import gettext

    with MO.open("rb") as f:
        compiled = gettext.GNUTranslations(f)
    for message in _catalog(PO):  # type: ignore[attr-defined]
        if message.id and isinstance(message.id, str):
            assert compiled.gettext(message.id) == message.string, f"run `make messages`: {message.id[:60]!r}"


@pytest.mark.parametrize(("env", "expected"), [
    ({}, "sv"), ({"LANG": "C"}, "sv"), ({"LANG": "POSIX"}, "sv"), ({"LANG": "sv_SE.UTF-8"}, "sv"),
    ({"LANG": "en_US.UTF-8"}, "en"), ({"LC_ALL": "en_GB.UTF-8", "LANG": "sv_SE.UTF-8"}, "en"),
    ({"LC_ALL": "C", "LANG": "en_US.UTF-8"}, "sv"), ({"LC_MESSAGES": "en_US", "LANG": "sv_SE"}, "en"),
    ({"JOURNEY_LANG": "en", "LANG": "sv_SE.UTF-8"}, "en"), ({"JOURNEY_LANG": "sv", "LANG": "en_US.UTF-8"}, "sv"),
    ({"JOURNEY_LANG": "sv_SE.UTF-8", "LC_ALL": "en_US.UTF-8"}, "sv"), ({"JOURNEY_LANG": "EN"}, "en"),
])
def test_the_language_comes_from_journey_lang_then_the_locale(env: dict[str, str], expected: str) -> None:
    assert ui_language(env) == expected


def _run(args: list[str], tmp_path: Path, **env: str) -> subprocess.CompletedProcess[str]:
    base = {k: v for k, v in os.environ.items()
            if k not in {"JOURNEY_LANG", "LANG", "LC_ALL", "LC_MESSAGES", "LANGUAGE", "JOURNEY_DATABASE_URL"}}
    base.update({"JOURNEY_HOME": str(tmp_path / "home"), "PYTHONIOENCODING": "utf-8", "LANG": "C", **env})
    return subprocess.run([*JOURNEY, *args], capture_output=True, text=True, env=base, cwd=tmp_path, timeout=60)


def test_help_is_swedish_by_default_and_english_with_journey_lang_en(tmp_path: Path) -> None:
    sv, en = _run(["--help"], tmp_path), _run(["--help"], tmp_path, JOURNEY_LANG="en")
    assert sv.returncode == en.returncode == 0
    assert "Användning: journey [OPTIONS] COMMAND [ARGS]..." in sv.stdout
    assert "Visa det här meddelandet och avsluta." in sv.stdout
    assert "Slutkoder:" in sv.stdout and "Kommandon:" in sv.stdout
    assert "Usage: journey [OPTIONS] COMMAND [ARGS]..." in en.stdout
    assert "Show this message and exit." in en.stdout and "Exit codes:" in en.stdout
    assert "Usage:" not in sv.stdout and "Show this message" not in sv.stdout


def _names(help_text: str) -> list[str]:
    """Option names (--x, -x) and the command list's names: what must not change with the language."""
    options = re.findall(r"(?m)^\s+((?:-\w, )?--[\w-]+)", help_text)
    commands = re.findall(r"(?m)^  ([a-z][\w-]+)\s{2,}", help_text)
    return options + commands


@pytest.mark.parametrize("args", [["--help"], ["advance", "--help"], ["hours", "--help"], ["hours", "log", "--help"],
                                  ["meetings", "import", "--help"]])
def test_command_and_option_names_are_the_same_in_swedish(tmp_path: Path, args: list[str]) -> None:
    sv, en = _run(args, tmp_path), _run(args, tmp_path, JOURNEY_LANG="en")
    assert sv.returncode == en.returncode == 0
    assert _names(sv.stdout) == _names(en.stdout) != []
    assert sv.stdout != en.stdout
    assert sv.stdout.splitlines()[0].replace("Användning:", "Usage:") == en.stdout.splitlines()[0]


def test_a_table_header_is_swedish_by_default(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'journey.db'}"
    assert _run(["--db", db, "init"], tmp_path).returncode == 0
    sv, en = _run(["--db", db, "status"], tmp_path), _run(["--db", db, "status"], tmp_path, JOURNEY_LANG="en")
    assert sv.returncode == en.returncode == 0
    assert sv.stdout.splitlines()[0].startswith("Kommun\t")
    assert en.stdout.splitlines()[0].startswith("Municipality\t")


def test_an_error_line_is_swedish_by_default_with_the_same_exit_code(tmp_path: Path) -> None:
    sv, en = _run(["open", "--bogus"], tmp_path), _run(["open", "--bogus"], tmp_path, JOURNEY_LANG="en")
    assert sv.returncode == en.returncode == 2
    assert sv.stderr.strip() == "Fel: Flaggan '--bogus' finns inte. (prova 'journey open --help')"
    assert en.stderr.strip() == "Error: No such option '--bogus'. (try 'journey open --help')"


def test_a_missing_option_is_one_swedish_line_without_the_catalog_header(tmp_path: Path) -> None:
    """click's error for a missing option has an empty message part; looking "" up in a catalog gives
    its header (Project-Id-Version ...), which the line once showed."""
    db = f"sqlite:///{tmp_path / 'journey.db'}"
    sv = _run(["--db", db, "hours", "log", "Umeå", "--person", "Anna Berg", "--date", "2022-03-14", "--hours", "2"],
              tmp_path)
    assert sv.returncode == 2
    assert sv.stderr.strip() == "Fel: Du måste ange flaggan '--activity'. (prova 'journey hours log --help')"
    # click puts the name after its words: "Missing option '--x'", in Swedish a whole sentence
    argument = _run(["--db", db, "hours", "log"], tmp_path)
    assert argument.returncode == 2
    assert argument.stderr.strip() == ("Fel: Du måste ange argumentet 'MUNICIPALITY'. "
                                       "(prova 'journey hours log --help')")


@pytest.mark.parametrize("args", [[], ["hours"]])
def test_a_group_without_a_command_shows_its_help_as_laid_out(tmp_path: Path, args: list[str]) -> None:
    """`journey` or `journey hours` alone: the help on several lines (exit 2, usage), not one 'Fel:' line."""
    result = _run(args, tmp_path)
    assert result.returncode == 2
    lines = result.stderr.splitlines()
    assert lines[0] == f"Användning: {' '.join(['journey', *args])} [OPTIONS] COMMAND [ARGS]...", lines[:3]
    assert "Kommandon:" in lines and not any(line.startswith("Fel:") for line in lines)


def test_an_english_locale_gives_english(tmp_path: Path) -> None:
    result = _run(["--help"], tmp_path, LANG="en_US.UTF-8")
    assert "Usage: journey" in result.stdout


def test_a_domain_message_is_english_text_that_the_cli_shows_in_swedish() -> None:
    import pickle

    from journey.cli._i18n import error_text, install, translation_for
    from journey.domain.errors import InputError
    from journey.domain.messages import Msg, message_of, msg, nmsg

    error = InputError(msg("{what} {text!r} is not a date (YYYY-MM-DD)", what=msg("date"), text="2022-13-01"))
    assert str(error) == "date '2022-13-01' is not a date (YYYY-MM-DD)"  # logs, the JSON API and the tests: English
    assert message_of(error) == str(error) and isinstance(message_of(error), Msg)
    sv = translation_for("sv")
    assert message_of(error).translated(sv.gettext, sv.ngettext) == "datum '2022-13-01' är inget datum (ÅÅÅÅ-MM-DD)"
    copy = pickle.loads(pickle.dumps(error))  # errors cross process boundaries (the render worker)
    assert str(copy) == str(error) and message_of(copy).params == message_of(error).params
    assert str(nmsg("{n} row", "{n} rows", 1)) == "1 row" and str(nmsg("{n} row", "{n} rows", 3)) == "3 rows"
    try:
        install("sv")
        assert error_text(error) == "datum '2022-13-01' är inget datum (ÅÅÅÅ-MM-DD)"
    finally:
        install("en")
    assert error_text(error) == str(error)


def test_a_domain_error_line_is_swedish_by_default(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'journey.db'}"
    assert _run(["--db", db, "init"], tmp_path).returncode == 0
    args = ["--db", db, "municipalities", "add", "12", "Nowhere"]
    sv, en = _run(args, tmp_path), _run(args, tmp_path, JOURNEY_LANG="en")
    assert sv.returncode == en.returncode == 2
    assert en.stderr.strip() == "Error: kommunkod '12' must be four digits 0-9 (e.g. 1280 for Malmö)"
    assert sv.stderr.strip() == "Fel: kommunkoden '12' måste vara fyra siffror 0-9 (t.ex. 1280 för Malmö)"


def test_joined_problems_are_translated_one_by_one() -> None:
    import pickle

    from journey.cli._i18n import translation_for
    from journey.domain.messages import joined, msg

    problems = joined([msg("unknown guard {name!r}", name="x"), "Beslut: paragraph"])
    assert problems == "unknown guard 'x'; Beslut: paragraph"
    sv = translation_for("sv")
    assert problems.translated(sv.gettext, sv.ngettext) == "okänt villkor 'x'; Beslut: paragraph"
    assert pickle.loads(pickle.dumps(problems)).translated(sv.gettext, sv.ngettext) == "okänt villkor 'x'; Beslut: paragraph"


def test_an_evidence_error_names_its_field_in_swedish() -> None:
    """The field's place ("evidence kind.field") is part of the message, so it is translated with it."""
    from journey.cli._i18n import translation_for
    from journey.domain.errors import EvidenceError
    from journey.domain.evidence import parse_value
    from journey.domain.messages import message_of
    from journey.domain.spec import EvidenceFieldSpec

    sv = translation_for("sv")
    for field, raw, swedish in (
            (EvidenceFieldSpec("adopted_date", "date", "Datum"), "2026-13-01",
             "underlaget action_plan_adoption.adopted_date: '2026-13-01' är inget datum (ÅÅÅÅ-MM-DD)"),
            (EvidenceFieldSpec("members", "people", "Medlemmar"), "A, \u200bB",
             "underlaget action_plan_adoption.members innehåller ett osynligt eller otilldelat tecken U+200B"),
            (EvidenceFieldSpec("members", "people", "Medlemmar"), "A, " + "B" * 300,
             "underlaget action_plan_adoption.members: namn: 300 tecken; högst 200 är tillåtna")):
        with pytest.raises(EvidenceError) as caught:
            parse_value("action_plan_adoption", field, raw)
        assert str(caught.value).startswith("evidence action_plan_adoption.")
        assert message_of(caught.value).translated(sv.gettext, sv.ngettext).startswith(swedish)


def test_a_stored_english_message_is_shown_by_the_template_it_was_made_from() -> None:
    """A reminder's last error is stored as English text; the CLI finds its template again and fills the
    Swedish one with the same parameters, those that are messages themselves translated too."""
    from journey.cli._i18n import translation_for
    from journey.cli._stored_messages import StoredMessages
    from journey.domain.messages import msg
    from journey.domain.reminders import INTERRUPTED

    stored = StoredMessages.of(translation_for("sv"))
    assert stored.translate(INTERRUPTED) == "avbruten under sändningen: den kan ha skickats en gång tidigare"
    nested = str(msg("no reply after the whole message was sent: it may have gone out once before: {error}",
                     error=msg("connection to {server} lost while sending: {why}", server="smtp.kommun.se:25",
                               why=msg("the message took longer than {seconds} s in all", seconds="30"))))
    assert stored.translate(nested) == (
        "inget svar efter att hela meddelandet skickats: det kan ha skickats en gång tidigare: anslutningen till "
        "smtp.kommun.se:25 bröts under sändningen: meddelandet tog sammanlagt längre tid än 30 s")
    quoted = str(msg("invalid email address {value!r}: {problem}", value="anna@", problem="no domain"))
    assert stored.translate(quoted) == "ogiltig e-postadress 'anna@': no domain"  # the quotes as stored, once
    # text no template gives (a server's own reply, an older version's error) stays as it is
    assert stored.translate("550 5.1.1 User unknown") == "550 5.1.1 User unknown"
    assert stored.translate("") == ""
    assert StoredMessages.of(translation_for("en")).translate(INTERRUPTED) == INTERRUPTED
