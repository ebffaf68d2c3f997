"""Issue 12: `journey hours import FILE`: CSV (UTF-8 or cp1252, comma or semicolon) or XLSX, all rows or nothing."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from tests.conftest import Cli

LATE = datetime(2022, 12, 31, 12, 0, tzinfo=UTC)
HEADER = "Kommun;Person;Datum;Timmar;Aktivitet;Beskrivning av arbetet"
GOOD = [
    "Umeå;Anna Berg;2022-03-14;2,5;Behovsinventering;Kartläggning av sociala företag",
    "Umeå;Olle Ås;2022-03-14;1:15;policy;Utkast till riktlinje",
    "Umeå;anna berg;2022-03-15;3;Dialog med sociala företag;Möte med Returbutiken",
]


@pytest.fixture
def icli(database_url: str, tmp_path: Path) -> Cli:
    cli = Cli(database_url, tmp_path, now=LATE)
    cli.ok("init")
    cli.ok("municipalities seed")
    cli.ok("users add admin --role admin")
    cli.ok("users add skr --role skr --as admin")
    cli.ok("users add anna --role coordinator --municipality Umeå --as admin")
    cli.ok("people add Umeå --name 'Anna Berg' --salary-group 5 --as anna")
    cli.ok("people add Umeå --name 'Olle Ås' --as anna")
    return cli


def _rows(cli: Cli) -> list[dict[str, object]]:
    return json.loads(cli.ok("hours list --year 2022 --json --as skr").output)  # type: ignore[no-any-return]


def _write(path: Path, lines: list[str], encoding: str = "utf-8", sep: str = ";") -> Path:
    path.write_bytes("\r\n".join(line.replace(";", sep) for line in lines).encode(encoding))
    return path


@pytest.mark.parametrize(("encoding", "sep"), [("utf-8", ";"), ("utf-8-sig", ","), ("cp1252", ";")])
def test_import_csv_in_the_encodings_and_separators_people_have(icli: Cli, tmp_path: Path, encoding: str,
                                                                 sep: str) -> None:
    lines = [HEADER, *GOOD] if sep == ";" else [HEADER, *(g.replace("2,5", "2.5") for g in GOOD)]
    path = _write(tmp_path / "mars.csv", lines, encoding, sep)
    out = icli.ok(f"hours import {path} --as anna").output
    assert f"Imported 3 rows, 6.75 h for Umeå from {path} (entries 1–3)" in out
    rows = _rows(icli)
    assert [(r["person"], r["hours"], r["activity"]) for r in rows] == [
        ("Anna Berg", 2.5, "inventory"), ("Olle Ås", 1.25, "policy"), ("Anna Berg", 3, "dialogue")]
    assert rows[2]["description"] == "Möte med Returbutiken"
    audit = json.loads(icli.ok("hours audit --json --as admin").output)
    assert audit[0]["action"] == "IMPORTED" and audit[0]["detail"]["rows"] == 3


def test_import_xlsx_with_date_cells_and_a_default_municipality(icli: Cli, tmp_path: Path) -> None:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.append(["Person", "Datum", "Timmar", "Aktivitet", "Beskrivning"])
    sheet.append(["Anna Berg", date(2022, 4, 4), 1.75, "inventory", "Enkät till förvaltningarna"])
    sheet.append(["Olle Ås", "2022-04-05", "4", "Övrigt", "Planering"])
    sheet.append([None, None, None, None, None])
    path = tmp_path / "april.xlsx"
    book.save(path)
    dry = icli.ok(f"hours import {path} --municipality Umeå --dry-run --as anna").output
    assert "Checked 2 rows, 5.75 h for Umeå" in dry and _rows(icli) == []
    icli.ok(f"hours import {path} --municipality Umeå --as anna")
    assert [(r["date"], r["hours"]) for r in _rows(icli)] == [("2022-04-04", 1.75), ("2022-04-05", 4)]


@pytest.mark.parametrize(("row", "code", "message"), [
    ("Umeå;Anna Berg;2022-03-16;2,3;policy;x", 2, "{f}:5: Timmar: hours '2,3' must be whole quarter hours"),
    ("Umeå;Anna Berg;16/3/2022;2;policy;x", 2, "{f}:5: Datum: date '16/3/2022' is not a date"),
    ("Umeå;Anna Berg;2019-03-16;2;policy;x", 2, "{f}:5: Datum: date 2019-03-16 is outside the project period"),
    ("Umeå;Ana Berg;2022-03-16;2;policy;x", 4, "{f}:5: Person: unknown person 'Ana Berg' in Umeå; did you mean "
                                               "'Anna Berg'?"),
    ("Umeåå;Anna Berg;2022-03-16;2;policy;x", 4, "{f}:5: Kommun: unknown municipality 'Umeåå'"),
    ("Umeå;Anna Berg;2022-03-16;2;golf;x", 2, "{f}:5: Aktivitet: activity 'golf' must be one of"),
    ("Umeå;Anna Berg;2022-03-16;2;policy; ", 2, "{f}:5: Beskrivning av arbetet: empty"),
    ("Umeå;Anna Berg;2022-03-16;2;network_meeting;x", 2, "{f}:5: Aktivitet: meeting hours come from attendance"),
    ("Umeå;Anna Berg;2022-03-14;11;policy;x", 3, "{f}:5: Timmar: Anna Berg would have 13.5 h on 2022-03-14"),
    ("Umeå;Anna Berg;2022-03-14;2,5;Behovsinventering;Kartläggning av sociala företag", 3, "{f}:5: repeats line 2"),
    ("Umeå;Anna Berg;2022-03-16;2;policy", 2, "{f}:5: 5 columns, the header has 6"),
])
def test_a_malformed_row_names_file_line_and_column_and_nothing_is_written(icli: Cli, tmp_path: Path, row: str,
                                                                            code: int, message: str) -> None:
    path = _write(tmp_path / "mars.csv", [HEADER, *GOOD, row])
    result = icli(f"hours import {path} --as anna")
    assert result.exit_code == code, result.output
    assert message.format(f=path) in result.output and result.output.count("\n") == 1
    assert _rows(icli) == []


def test_file_level_problems(icli: Cli, tmp_path: Path) -> None:
    cases = {
        "missing.csv": (None, "no such file"),
        "empty.csv": ([], ":1: empty file"),
        "header.csv": (["Kommun;Person;Datum;Timmar;Aktivitet"], ":1: missing column Beskrivning"),
        "unknown.csv": (["Kommun;Person;Datum;Timmar;Aktivitet;Beskrivning;Kommentar"], ":1: unknown column 'Kommentar'"),
        "nodata.csv": ([HEADER], ":2: no rows to import"),
        "nomunicipality.csv": (["Person;Datum;Timmar;Aktivitet;Beskrivning"], "missing column Kommun (or --municipality)"),
    }
    for name, (lines, message) in cases.items():
        path = tmp_path / name
        if lines is not None:
            _write(path, lines)
        result = icli(f"hours import {path} --as anna")
        assert result.exit_code == 2 and message in result.output and result.output.count("\n") == 1, name
    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(b"not a workbook")
    assert icli(f"hours import {bad} --as anna").exit_code == 2
    binary = tmp_path / "binary.csv"
    binary.write_bytes(HEADER.encode() + b"\r\nUme\x81;x;x;x;x;x")
    result = icli(f"hours import {binary} --as anna")
    assert result.exit_code == 2 and ":2: neither UTF-8 nor Windows-1252 text" in result.output
    assert _rows(icli) == []


def test_importing_the_same_file_twice_is_refused(icli: Cli, tmp_path: Path) -> None:
    path = _write(tmp_path / "mars.csv", [HEADER, *GOOD])
    icli.ok(f"hours import {path} --as anna")
    again = icli(f"hours import {path} --as anna")
    assert again.exit_code == 3 and f"{path}:2: the same entry is already reported for Anna Berg" in again.output
    assert len(_rows(icli)) == 3
    assert icli(f"hours import {path} --as skr").exit_code == 6
