"""``journey scheduler run``: one APScheduler process that polls the reminder outbox.

One interval job, kept in memory (nothing pickled: the outbox table is the durable state).
It runs at start-up, so what became due while the scheduler was down goes out at once, and
then every ``interval`` seconds. Only the holder of the scheduler lock sends.
"""

from __future__ import annotations

import logging
import signal
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from journey.services.reminders.sweep import SweepOptions, SweepResult, send_due_reminders

log = logging.getLogger("journey.scheduler")
JOB_ID = "journey.reminders.sweep"


@dataclass
class SweepRunner:
    """What one tick does: hold the lock, then sweep. ``ticks`` counts ticks (used by tests and logs)."""

    app: Any
    options: SweepOptions
    lock: Any
    ticks: int = 0
    standby: bool = False
    totals: SweepResult = field(default_factory=SweepResult)

    def tick(self) -> SweepResult | None:
        self.ticks += 1
        if not self.lock.acquire():
            if not self.standby:
                log.warning("standby: another scheduler holds the reminder lock; this one sends nothing")
            self.standby = True
            return None
        if self.standby:
            log.info("took over the reminder lock")
        self.standby = False
        from journey.bootstrap.reminders import make_mailer, make_renderer

        result = send_due_reminders(self.app.deps, make_mailer(self.app), make_renderer(self.app), self.options)
        for name in ("sent", "retrying", "failed", "late"):
            setattr(self.totals, name, getattr(self.totals, name) + getattr(result, name))
        if result.sent or result.retrying or result.failed:
            log.info("sweep: %d sent (%d late), %d to retry, %d failed", result.sent, result.late, result.retrying,
                     result.failed)
        self.deliver_webhooks()
        return result

    def deliver_webhooks(self) -> None:
        """The webhook outbox is swept by the same loop, under the same lock (issue 15)."""
        from journey.bootstrap.webhooks import deliver_once

        hooks = deliver_once(self.app)
        if hooks.sent or hooks.retrying or hooks.failed:
            log.info("webhooks: %d sent, %d to retry, %d failed", hooks.sent, hooks.retrying, hooks.failed)


def tick(runner: SweepRunner) -> None:
    """The job function (module level, referenced by import path, never pickled)."""
    runner.tick()


def _on_event(event: Any) -> None:
    from apscheduler.events import EVENT_JOB_MISSED  # type: ignore[import-untyped]

    if event.code == EVENT_JOB_MISSED:
        log.warning("sweep run due at %s was missed; the next run catches up", event.scheduled_run_time)
    else:
        log.error("sweep failed: %r", event.exception)


def make_runner(app: Any, interval: float, batch: int = 20) -> SweepRunner:
    from journey.bootstrap.reminders import holder_id, make_lock

    tz = ZoneInfo(app.settings.timezone)
    lease = timedelta(seconds=max(60.0, interval * 10))
    options = SweepOptions(worker=holder_id(), tz=tz, batch=batch, lease=lease)
    return SweepRunner(app, options, make_lock(app.engine, timedelta(seconds=max(3 * interval, 5))))


def make_scheduler(runner: SweepRunner, interval: float, tz: ZoneInfo) -> Any:
    """A BlockingScheduler with one in-memory interval job that also runs at once (catch-up)."""
    from apscheduler.events import EVENT_JOB_ERROR, EVENT_JOB_MISSED  # type: ignore[import-untyped]
    from apscheduler.executors.pool import ThreadPoolExecutor  # type: ignore[import-untyped]
    from apscheduler.schedulers.blocking import BlockingScheduler  # type: ignore[import-untyped]

    scheduler = BlockingScheduler(
        timezone=tz, executors={"default": ThreadPoolExecutor(1)},
        job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": max(30, int(interval * 5))})
    scheduler.add_listener(_on_event, EVENT_JOB_MISSED | EVENT_JOB_ERROR)
    scheduler.add_job(tick, "interval", seconds=interval, args=[runner], id=JOB_ID, replace_existing=True,
                      next_run_time=datetime.now(tz))
    return scheduler


def run(app: Any, interval: float = 60.0) -> SweepRunner:
    """Block until SIGINT or SIGTERM; returns the runner with its totals."""
    tz = ZoneInfo(app.settings.timezone)
    runner = make_runner(app, interval)
    scheduler = make_scheduler(runner, interval, tz)

    def stop(signum: int, _frame: Any) -> None:
        log.info("signal %d: stopping after the current sweep", signum)
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, stop)
    log.info("scheduler %s polling every %gs (timezone %s)", runner.options.worker, interval, tz)
    try:
        scheduler.start()
    except KeyboardInterrupt:
        pass
    finally:
        signal.signal(signal.SIGTERM, previous)
        if scheduler.running:
            scheduler.shutdown(wait=True)
        runner.lock.release()
    return runner
