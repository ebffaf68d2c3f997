"""Issue 12: the pure ESF rules (journey.domain.esf) and the unit-cost table loader, without a database."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from journey.definitions.unit_costs import load_unit_costs, unit_costs_from_text
from journey.domain.errors import DefinitionError, InputError, RefusedError
from journey.domain.esf import (
    Attestation,
    ClaimPeriod,
    ClaimStatus,
    EsfSettings,
    MonthStatus,
    format_hours,
    hours,
    month_status,
    pace,
    parse_quarters,
    parse_sek,
    report_period,
    row_attestation,
    stage_on,
    value_sek,
)
from tests.conftest import ROOT


@pytest.mark.parametrize(("text", "quarters"), [("2", 8), ("2.5", 10), ("2,75", 11), ("0.25", 1), ("1:15", 5),
                                                ("13", 52), (2.5, 10), ("0:45", 3)])
def test_quarter_hours_are_parsed_exactly(text: str | float, quarters: int) -> None:
    assert parse_quarters(text) == quarters


@pytest.mark.parametrize("text", ["2.3", "2.10", "1:20", "0", "0.0", "-1", "13.25", "x", "", "2,5h", "1e1"])
def test_anything_but_positive_quarter_hours_is_refused(text: str) -> None:
    with pytest.raises(InputError):
        parse_quarters(text)


@given(st.integers(min_value=1, max_value=52))
def test_formatted_hours_parse_back(quarters: int) -> None:
    assert parse_quarters(format_hours(quarters)) == quarters
    assert hours(quarters) * 4 == quarters and "E" not in format_hours(quarters * 100)


@given(st.integers(min_value=-10**9, max_value=10**9))
def test_hours_are_exact_and_plain(quarters: int) -> None:
    """Exact, and written as people write hours: no exponent, no trailing zeros ('2.5', '2', never '2.50')."""
    shown = str(hours(quarters))
    assert hours(quarters) * 4 == quarters
    whole, _, fraction = shown.lstrip("-").partition(".")
    assert whole.isdigit() and (fraction == "" or fraction.isdigit() and not fraction.endswith("0")), shown


@given(st.integers(min_value=-6648, max_value=6648), st.integers(min_value=0, max_value=200_000))
def test_value_is_exact(quarters: int, ore: int) -> None:
    assert value_sek(quarters, ore) * 400 == Decimal(quarters) * ore


def test_money_in_kronor_with_at_most_two_decimals() -> None:
    assert (parse_sek("412"), parse_sek("412,5"), parse_sek("1 412.05")) == (41200, 41250, 141205)
    for bad in ("412.505", "-1", "tolv", "NaN"):
        with pytest.raises(InputError):
            parse_sek(bad)


def test_pace_is_pro_rata_over_the_project_days_of_the_year() -> None:
    settings = EsfSettings()
    mid = pace(800, 500, date(2022, 7, 2), settings)  # 200 h done, 250.5 h expected
    assert (mid.expected_quarters, mid.behind) == (1002, True)
    assert not pace(802, 500, date(2022, 7, 2), settings).behind  # 200.5 h: exactly 80 %
    assert pace(0, 500, date(2022, 1, 1), settings).expected_quarters == 5  # day one
    assert pace(0, 500, date(2023, 3, 1), settings).expected_quarters == 0  # no project days in 2023
    short = EsfSettings(period_end=date(2022, 6, 30))
    assert pace(0, 500, date(2022, 12, 1), short).expected_quarters == 2000  # the whole target by the end


def _period(pid: int, start: str, end: str, status: ClaimStatus = ClaimStatus.OPEN) -> ClaimPeriod:
    return ClaimPeriod(pid, f"P{pid}", date.fromisoformat(start), date.fromisoformat(end), status)


def test_a_row_in_a_locked_period_is_reported_in_the_next_open_one() -> None:
    periods = [_period(2, "2022-07-01", "2022-12-31"), _period(1, "2022-01-01", "2022-06-30", ClaimStatus.LOCKED),
               _period(3, "2021-07-01", "2021-12-31")]
    assert report_period(periods, date(2022, 3, 1)) == (periods[0], True)
    assert report_period(periods, date(2022, 8, 1)) == (periods[0], False)
    assert report_period(periods, date(2021, 3, 1)) == (None, False)  # no period yet
    with pytest.raises(RefusedError, match="no open claim period follows it"):
        report_period(periods[1:], date(2022, 3, 1))


def test_attestation_status_per_month_and_per_row() -> None:
    at = datetime(2022, 4, 2, tzinfo=UTC)
    attested = Attestation(1, "2022-03", MonthStatus.ATTESTED, "anna", at, 5, 12, "SELF")
    approved = Attestation(1, "2022-03", MonthStatus.APPROVED, "chef", at, 5, 12)
    assert month_status(5, [attested])[0] is MonthStatus.ATTESTED
    assert month_status(5, [attested, approved])[0] is MonthStatus.APPROVED
    assert month_status(7, [attested, approved])[0] is MonthStatus.CHANGED  # a row 7 came later
    assert row_attestation(5, [attested, approved])[0] is MonthStatus.APPROVED  # still approved
    assert row_attestation(7, [attested, approved])[0] is MonthStatus.REPORTED


def test_stage_on_a_date_comes_from_the_history() -> None:
    changes = [(date(2022, 1, 10), "interest"), (date(2022, 2, 2), "letter_of_intent")]
    assert [stage_on(changes, date(2022, m, d)) for m, d in ((1, 9), (1, 10), (2, 1), (2, 2), (9, 9))] == [
        "", "interest", "interest", "letter_of_intent", "letter_of_intent"]


def test_the_shipped_unit_cost_table_is_labelled_as_examples() -> None:
    table = load_unit_costs(ROOT / "data" / "esf_unit_costs.yaml")
    assert table.example and "EXEMPELVÄRDEN" in table.source["note"]
    assert sorted(table.years) == list(range(2016, 2023))
    assert all(set(groups) == {"1", "2", "3", "4", "5", "6", "7a", "7b", "7c"}
               for regions in table.years.values() for groups in regions.values())


@pytest.mark.parametrize(("text", "where"), [
    ("status: guess\nyears: {2021: {other: {}}}", "<t>:1: status"),
    ("status: example\nyears:\n  2021:\n    other: {'1': 100, '8': 5}", "<t>:4: years.2021.other.8"),
    ("status: example\nyears:\n  2021:\n    other: {'1': 1.005}", "<t>:4: years.2021.other.1"),
    ("status: example\nyears:\n  2021:\n    mars: {}", "<t>:3: years.2021"),
    ("status: example\nyears:\n  2021:\n    other: {'1': 100}", "<t>:4: years.2021.other: salary groups missing"),
])
def test_a_broken_unit_cost_table_names_file_line_and_key(text: str, where: str) -> None:
    with pytest.raises(DefinitionError) as caught:
        unit_costs_from_text(text, "<t>")
    assert str(caught.value).startswith(where)


def test_a_broken_table_file_is_one_line_with_exit_code_7(tmp_path: Path) -> None:
    from tests.conftest import Cli

    bad = tmp_path / "costs.yaml"
    bad.write_text("status: official\nyears: [2021]\n", encoding="utf-8")
    cli = Cli(f"sqlite:///{tmp_path / 'j.db'}", tmp_path)
    result = cli("hours unit-costs", JOURNEY_ESF_UNIT_COSTS=str(bad))
    assert result.exit_code == 7 and f"{bad}:2: years: years must map" in result.output
    assert result.output.count("\n") == 1
