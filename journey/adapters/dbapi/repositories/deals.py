"""The deals' hot read in plain SQL: a case's deals, which every document and the automatic steps read."""

from __future__ import annotations

from typing import Any

from journey.adapters.dbapi.repositories.base import PlainReads
from journey.adapters.sql.stored import day, loads, utc
from journey.domain.deals import Deal, DealDetails, DealForm, DealStatus, ValueBasis

_DEAL = ("id", "case_id", "municipality_id", "number", "form", "status", "status_date", "title", "counterparty",
         "org_number", "value_sek", "value_basis", "period_start", "period_end", "decided_date", "diarienummer",
         "special_services", "limit_sek", "limit_day", "limit_reference", "reserved_main_aim", "reserved_share",
         "social_considerations", "contract_conditions", "details", "created_by", "created_at", "updated_at",
         "version")
_DAYS = ("status_date", "period_start", "period_end", "decided_date", "limit_day")


def _deal(r: tuple[Any, ...]) -> Deal:
    v = dict(zip(_DEAL, r, strict=True))
    for name in _DAYS:
        v[name] = day(v[name])
    v["created_at"], v["updated_at"] = utc(v["created_at"]), utc(v["updated_at"])
    v["special_services"] = bool(v["special_services"])
    v["reserved_main_aim"] = None if v["reserved_main_aim"] is None else bool(v["reserved_main_aim"])
    v["form"], v["status"] = DealForm(v["form"]), DealStatus(v["status"])
    v["value_basis"] = ValueBasis(v["value_basis"]) if v["value_basis"] else None
    v["details"] = DealDetails.from_json(loads(v["details"]))
    return Deal(**v)


class PlainDealReads(PlainReads):
    """Deals read here are for reading: a change goes through ``get`` (the ORM's, with its lock version)."""

    def for_case(self, case_id: int) -> list[Deal]:
        rows = self._all(f"SELECT {', '.join(_DEAL)} FROM deal WHERE case_id = ? ORDER BY number", (case_id,))
        return [_deal(r) for r in rows]
