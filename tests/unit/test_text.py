"""Swedish number text (journey.domain.text.swedish_number): pure, no database."""

from __future__ import annotations

from decimal import Decimal

from journey.domain.text import swedish_number


def test_a_decimal_comma_and_groups_of_three_from_five_digits() -> None:
    assert [swedish_number(v) for v in ("6.5", "1965.5", "531286.25", "-12345", "7", Decimal("0.25"), 12345.5)] == [
        "6,5", "1965,5", "531\u00a0286,25", "-12\u00a0345", "7", "0,25", "12\u00a0345,5"]


def test_text_that_is_no_number_is_left_as_it_is() -> None:
    assert [swedish_number(v) for v in (None, "", "abc", "1.2.3", "1 262.50", "-", "5.")] == [
        "", "", "abc", "1.2.3", "1 262.50", "-", "5."]
