"""Direktupphandling under LOU (2016:1145): the limit and the rule that applied on a given day.

The limit follows the day the purchase is decided, not the day a document is written:
- until 2022-01-31, 19 kap. 7 § LOU: 28 % of the EU threshold for goods and services, so the amount
  changed with every threshold period; social and other special services (bilaga 2) had the same
  limit (only välfärdstjänster, bilaga 2 a, from 2019, had a higher one);
- from 2022-02-01, 19 a kap. LOU: 700 000 kr for goods, services and works, fixed in
  the law; for social and other special services (bilaga 2) the limit is the EU threshold for them.

Amounts in kronor excluding VAT, as published by Konkurrensverket ("Tröskelvärden och
direktupphandlingsgränser", the current page and "Gamla tröskelvärden": 2018–2019, 2020–2021,
2022–2023) and Upphandlingsmyndigheten (from 2024-01-01); January 2022 (626 284 kr, the old rule on
the new threshold) from SKR, "Tröskelvärdena höjs den 1 januari 2022" (13 December 2021).
The EU threshold for social services after 2025-12-31 was not known when this table was written:
such a day gives no amount rather than a guess.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from journey.domain.messages import msg

OLD_RULE = "19 kap. 7 § lagen (2016:1145) om offentlig upphandling"
NEW_RULE = "19 a kap. lagen (2016:1145) om offentlig upphandling"
NEW_RULE_FROM = date(2022, 2, 1)


@dataclass(frozen=True)
class DirectAwardLimit:
    """The direktupphandlingsgräns on ``day``; ``amount_sek`` is None when it is not known."""

    day: date
    amount_sek: int | None
    reference: str
    special_services: bool
    valid_from: date
    valid_to: date | None  # None: until the law or the threshold changes


# (from, to, goods/services/works, social and other special services (bilaga 2))
_PERIODS: tuple[tuple[date, date | None, int, int | None], ...] = (
    (date(2018, 1, 1), date(2019, 12, 31), 586_907, 586_907),
    (date(2020, 1, 1), date(2021, 12, 31), 615_312, 615_312),
    (date(2022, 1, 1), date(2022, 1, 31), 626_284, 626_284),
    (date(2022, 2, 1), date(2023, 12, 31), 700_000, 7_802_550),
    (date(2024, 1, 1), date(2025, 12, 31), 700_000, 8_109_450),
    (date(2026, 1, 1), None, 700_000, None),
)


def direct_award_limit(day: date, special_services: bool = False) -> DirectAwardLimit:
    """The limit for a purchase decided on ``day``; raises ValueError before 2018 (not in the table).

    >>> direct_award_limit(date(2022, 1, 31)).amount_sek, direct_award_limit(date(2022, 2, 1)).amount_sek
    (626284, 700000)
    """
    reference = NEW_RULE if day >= NEW_RULE_FROM else OLD_RULE
    for start, end, goods, special in _PERIODS:
        if start <= day and (end is None or day <= end):
            return DirectAwardLimit(day, special if special_services else goods, reference, special_services,
                                    start, end)
    raise ValueError(msg("no direktupphandlingsgräns known for {value} (the table starts 2018-01-01)",
        value=day.isoformat()))
