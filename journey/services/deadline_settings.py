"""A municipality's deadline settings: closed periods (sommaruppehåll, klämdagar) and its SKR process supporters.

Changing the closed periods re-plans the municipality's meeting reminders in the same transaction.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from journey.domain.access import Action, Role, authorize
from journey.domain.deadlines import ClosedPeriod, closed_period_problem
from journey.domain.errors import InputError, NotFoundError
from journey.domain.messages import msg
from journey.services.cases.lifecycle import actor_in, find_municipality
from journey.services.deps import Deps


def parse_period(text: str) -> tuple[date, date]:
    """``2022-07-01:2022-07-31`` or ``2022-05-27`` (one day) -> the first and last day (exit 2 otherwise)."""
    first, _, last = text.strip().partition(":")
    try:
        start, end = date.fromisoformat(first.strip()), date.fromisoformat((last or first).strip())
    except ValueError:
        raise InputError(msg("closed period {text!r}: give FIRST:LAST as YYYY-MM-DD:YYYY-MM-DD, or one day",
                             text=text)) from None
    problem = closed_period_problem(start, end)
    if problem:
        raise InputError(msg("closed period {text!r}: {problem}", text=text, problem=problem))
    return start, end


def closed_periods(deps: Deps, username: str | None, municipality: str, add: str | None = None, label: str = "",
                   remove: str | None = None) -> list[ClosedPeriod]:
    """Add (``FIRST:LAST``) or remove (the periods containing a day, or ``all``) and return the periods."""
    with deps.uow() as uow:
        m = find_municipality(uow, municipality)
        if add or remove:
            authorize(actor_in(uow, username), Action.CHANGE_CASE, m.id, m.name)
        else:
            authorize(actor_in(uow, username), Action.READ, m.id, m.name)
        if add:
            first, last = parse_period(add)
            uow.board_meetings.add_closed_period(m.id or 0, ClosedPeriod(first, last, label.strip()[:200]))
        if remove:
            day = None if remove.strip().lower() == "all" else parse_period(remove)[0]
            uow.board_meetings.remove_closed_periods(m.id or 0, day)
        if (add or remove) and deps.replanner is not None:
            deps.replanner.replan_meetings(uow, m.id or 0)
            _replan_entries(deps, uow, m.id or 0)
        periods = uow.board_meetings.closed_periods(m.id or 0)
        uow.commit()
    return periods


def _replan_entries(deps: Deps, uow: Any, municipality_id: int) -> None:
    """Deadlines counted from a state entry move out of (or back into) the changed periods."""
    for r in uow.reminders.planned(municipality_id=municipality_id, anchor="state_entry"):
        r.set_due(deps.replanner.due(r, uow), paused=r.send_after is None)  # type: ignore[union-attr]
        uow.reminders.save(r)


def supporters(deps: Deps, username: str | None, municipality: str, add: str | None = None,
               remove: str | None = None) -> list[dict[str, Any]]:
    """Assign or unassign an SKR process supporter (a user with role process_supporter or skr)."""
    with deps.uow() as uow:
        m = find_municipality(uow, municipality)
        actor = actor_in(uow, username)
        authorize(actor, Action.MANAGE_REGISTRY if add or remove else Action.READ, m.id, m.name)
        for name, assigned in ((add, True), (remove, False)):
            if not name:
                continue
            user = uow.users.find(name)
            if user is None:
                raise NotFoundError(msg("no user {name!r} (journey users list)", name=name))
            if user["role"] not in (Role.PROCESS_SUPPORTER.value, Role.SKR.value):
                raise InputError(msg("{name} is {value}, not an SKR process supporter",
                    name=name, value=user['role'].lower()))
            uow.board_meetings.set_supporter(m.id or 0, user["id"], assigned)
        found = uow.board_meetings.supporters(m.id or 0)
        uow.commit()
    return found
