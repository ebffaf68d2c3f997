"""Put reminders that failed for good (no address, rejected by the server) back in the queue.

Only reminders whose state the case is still in are re-queued; one for a state the case has
left would remind about something already done, so it is reported and left alone.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from journey.domain.access import Action, authorize
from journey.domain.errors import NotFoundError
from journey.domain.messages import msg
from journey.domain.reminders import ReminderStatus
from journey.domain.spec import active_paths
from journey.services.cases.lifecycle import actor_in, find_municipality
from journey.services.deps import Deps


@dataclass
class RetryResult:
    requeued: list[int] = field(default_factory=list)
    skipped: list[tuple[int, str]] = field(default_factory=list)  # (id, why)


def retry_failed(deps: Deps, username: str | None, municipality: str | None = None,
                 reminder_id: int | None = None) -> RetryResult:
    """Re-queue FAILED reminders of one municipality, one reminder, or all the actor may change."""
    with deps.uow() as uow:
        actor = actor_in(uow, username)
        repo = uow.reminders
        municipality_id = None
        if municipality:
            m = find_municipality(uow, municipality)
            authorize(actor, Action.CHANGE_CASE, m.id, m.name)
            municipality_id = m.id
        failed = repo.failed(municipality_id=municipality_id, reminder_id=reminder_id)
        if reminder_id is not None and not failed:
            raise NotFoundError(msg("no failed reminder with id {reminder_id} (see `journey reminders sent`)",
                reminder_id=reminder_id))
        if not municipality:
            for m_id in {r.municipality_id for r in failed}:
                authorize(actor, Action.CHANGE_CASE, m_id, uow.municipalities.get(m_id).name)
        now = deps.clock.now()
        result = RetryResult()
        for reminder in failed:
            case = uow.cases.get(reminder.case_id)
            if reminder.state_path not in active_paths(case.leaves):
                result.skipped.append((reminder.id or 0, f"the case has left {reminder.state_path}"))
                continue
            reminder.status = ReminderStatus.PLANNED
            reminder.attempts, reminder.claimed_by, reminder.send_after = 0, "", now
            reminder.reason = f"{reminder.reason}; åter i kö {now.date().isoformat()} av {actor.username}"[:1000]
            reminder.last_error = ""
            repo.save(reminder)
            result.requeued.append(reminder.id or 0)
        uow.commit()
        return result
