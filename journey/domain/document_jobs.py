"""The document outbox: what a change asks to be rendered, and when a failed render is tried again (pure).

A change that enters a state (or changes a matter, or corrects evidence) records one job in its
own transaction; the documents are rendered after it commits, so a slow or failing template never
holds the write lock nor fails the change. A job is done exactly once: it is claimed for a lease,
and only the claim that registers its files marks it done.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum


class JobStatus(StrEnum):
    PENDING = "PENDING"  # waiting, being rendered, or waiting to be tried again (``retry_at``)
    DONE = "DONE"
    FAILED = "FAILED"  # given up after MAX_ATTEMPTS; `journey documents retry` tries again


MAX_ATTEMPTS = 5
FIRST_DELAY = timedelta(minutes=1)
LONGEST_DELAY = timedelta(hours=1)


@dataclass(frozen=True)
class DocumentJob:
    """One change's documents: ``items`` are (state path, document id) pairs of its workflow."""

    id: int
    case_id: int
    items: tuple[tuple[str, str], ...]
    reason: str  # ENTERED, DECISION, MATTER_UPDATED, CORRECTED
    actor: str
    at: datetime  # when the change happened: the documents' date, whenever they are rendered
    seq: int  # the history entry of the change; a later rendering shows the history up to it
    conditional: bool = True  # ENTERED: only documents whose ``when`` holds
    status: JobStatus = JobStatus.PENDING
    attempts: int = 0
    error: str = ""


def retry_delay(attempts: int) -> timedelta:
    """How long a job waits after its ``attempts``-th failure: 1, 2, 4 ... minutes, at most an hour."""
    delay: timedelta = FIRST_DELAY * (2 ** max(0, attempts - 1))
    return min(delay, LONGEST_DELAY)


def after_failure(attempts: int, now: datetime) -> tuple[JobStatus, datetime | None]:
    """The status and next try of a job that has failed ``attempts`` times."""
    if attempts >= MAX_ATTEMPTS:
        return JobStatus.FAILED, None
    return JobStatus.PENDING, now + retry_delay(attempts)
