"""Exports Swedish Excel opens (issue 13 §3): semicolons and a BOM, kommunkod as text, dates as dates."""

from __future__ import annotations

import csv
from datetime import UTC, date, datetime
from pathlib import Path

from journey.adapters.exports.xlsx_writer import write_csv, write_xlsx
from journey.ports.exports import Sheet
from tests.conftest import Cli

SHEET = Sheet("Status", ["Kommun", "Kommunkod", "Datum", "Ändrad", "Belopp"],
              [["Upplands Väsby", "0114", date(2022, 9, 1), datetime(2022, 9, 1, 8, 0, tzinfo=UTC), 450000],
               ["Umeå", "2480", date(2023, 1, 31), datetime(2023, 1, 31, 23, 30, tzinfo=UTC), 12.5]],
              formats={"Kommunkod": "@"})


def test_csv_is_semicolon_separated_with_a_bom_by_default(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "status.csv", SHEET)
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # UTF-8 BOM: Excel reads å, ä, ö right
    text = raw.decode("utf-8-sig")
    assert text.splitlines()[0] == "Kommun;Kommunkod;Datum;Ändrad;Belopp"
    rows = list(csv.reader(text.splitlines(), delimiter=";"))
    assert rows[1] == ["Upplands Väsby", "0114", "2022-09-01", "2022-09-01 10:00", "450000"]  # leading zero kept
    assert rows[2][3] == "2023-02-01 00:30"  # Swedish local time, as everywhere people read times


def test_csv_with_commas_on_request(tmp_path: Path) -> None:
    text = write_csv(tmp_path / "s.csv", SHEET, delimiter=",").read_text(encoding="utf-8-sig")
    assert text.splitlines()[0] == "Kommun,Kommunkod,Datum,Ändrad,Belopp"
    assert text.splitlines()[1].startswith("Upplands Väsby,0114,2022-09-01,")


def test_xlsx_keeps_kommunkod_as_text_and_dates_as_date_cells(tmp_path: Path) -> None:
    from openpyxl import load_workbook

    ws = load_workbook(write_xlsx(tmp_path / "s.xlsx", [SHEET]))["Status"]
    code, day, changed = ws["B2"], ws["C2"], ws["D2"]
    assert code.value == "0114" and code.data_type == "s" and code.number_format == "@"
    assert ws["B1"].value == "Kommunkod" and ws["B3"].value == "2480" and ws["B3"].data_type == "s"
    assert day.is_date and day.value == datetime(2022, 9, 1) and day.number_format == "yyyy-mm-dd"
    assert changed.is_date and changed.value == datetime(2022, 9, 1, 10, 0) and changed.number_format == \
        "yyyy-mm-dd hh:mm"
    assert ws["E2"].value == 450000 and ws["E2"].data_type == "n"


def test_the_cli_exports_use_semicolons_unless_told(cli: Cli, tmp_path: Path) -> None:
    from openpyxl import load_workbook

    cli.ok("municipalities seed")
    semi, comma, book = tmp_path / "status.csv", tmp_path / "komma.csv", tmp_path / "status.xlsx"
    cli.ok(["monitor", "--csv", str(semi), "--xlsx", str(book)])
    cli.ok(["monitor", "--csv", str(comma), "--csv-delimiter", "comma"])
    assert semi.read_text(encoding="utf-8-sig").startswith("Kommun;Kommunkod;Län;")
    assert comma.read_text(encoding="utf-8-sig").startswith("Kommun,Kommunkod,Län,")
    status = load_workbook(book)["Status"]
    codes = [row[1] for row in status.iter_rows(min_row=2)]
    assert codes and all(c.data_type == "s" and c.number_format == "@" for c in codes)
    bad = cli(["monitor", "--csv", str(comma), "--csv-delimiter", "tab"])
    assert bad.exit_code == 2
