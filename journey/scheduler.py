"""``journey scheduler run``: one APScheduler process that polls the reminder outbox.

One interval job, kept in memory (nothing pickled: the outbox table is the durable state).
It runs at start-up, so what became due while the scheduler was down goes out at once, and
then every ``interval`` seconds. Only the holder of the scheduler lock sends, and it renews
the lock before every message. The sender and the SMTP server are checked before the first
sweep: a configuration error or an unreachable server ends the process with its exit code.
"""

from __future__ import annotations

import logging
import signal
import threading
from collections.abc import Callable
from contextlib import suppress
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from journey.domain.errors import MailConfigError, MailUnavailableError
from journey.services.reminders.sweep import SweepOptions, SweepResult, send_due_reminders

log = logging.getLogger("journey.scheduler")
JOB_ID = "journey.reminders.sweep"


@dataclass
class SweepRunner:
    """What one tick does: hold the lock, then sweep. ``ticks`` counts ticks (used by tests and logs).

    The lock is also the sweep's fence: it is renewed before every message, and a sweep that
    finds it taken stops at once. ``fatal`` holds a configuration error that stopped the scheduler.
    """

    app: Any
    options: SweepOptions
    lock: Any
    ticks: int = 0
    standby: bool = False
    unreachable: bool = False
    totals: SweepResult = field(default_factory=SweepResult)
    fatal: BaseException | None = None
    on_fatal: Callable[[], None] | None = None

    def tick(self) -> SweepResult | None:
        """One sweep if this process holds the lock; raises MailConfigError / MailUnavailableError."""
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

        result = send_due_reminders(self.app.deps, make_mailer(self.app), make_renderer(self.app), self.options,
                                    fence=self.lock)
        for name in ("sent", "retrying", "failed", "late", "partial"):
            setattr(self.totals, name, getattr(self.totals, name) + getattr(result, name))
        if result.sent or result.retrying or result.failed:
            log.info("sweep: %d sent (%d late), %d to retry, %d failed", result.sent, result.late, result.retrying,
                     result.failed)
        self.deliver_webhooks()
        self.render_documents()
        return result

    def deliver_webhooks(self) -> None:
        """The webhook outbox is swept by the same loop, under the same lock (issue 15)."""
        from journey.bootstrap.webhooks import deliver_once

        hooks = deliver_once(self.app)
        if hooks.sent or hooks.retrying or hooks.failed:
            log.info("webhooks: %d sent, %d to retry, %d failed", hooks.sent, hooks.retrying, hooks.failed)


    def render_documents(self) -> None:
        """Documents a change could not render are tried again here (the document outbox, issue #14)."""
        from journey.bootstrap.documents import render_waiting

        done = render_waiting(self.app)
        if done.rows or done.failed:
            log.info("documents: %d files written, %d changes' documents still failing", len(done.rows),
                     len(done.failed))


def tick(runner: SweepRunner) -> None:
    """The job function (module level, referenced by import path, never pickled).

    An unreachable server is waited out (one warning when it goes, one line when it is back); a
    refused sender or login stops the scheduler, which then exits with that error.
    """
    try:
        runner.tick()
    except MailUnavailableError as exc:
        if not runner.unreachable:
            log.warning("%s; due reminders stay queued until it answers", exc)
        runner.unreachable = True
        return
    except MailConfigError as exc:
        runner.fatal = exc
        if runner.on_fatal is not None:
            runner.on_fatal()
        return
    if runner.unreachable:
        log.warning("SMTP server reachable again")
    runner.unreachable = False


def _on_event(event: Any) -> None:
    from apscheduler.events import EVENT_JOB_MISSED

    if event.code == EVENT_JOB_MISSED:
        log.warning("sweep run due at %s was missed; the next run catches up", event.scheduled_run_time)
    else:
        log.error("sweep failed: %r", event.exception)


def make_runner(app: Any, interval: float, batch: int = 20) -> SweepRunner:
    from journey.bootstrap.reminders import make_scheduler_lock, sweep_options, worker_id

    lease = timedelta(seconds=max(60.0, interval * 10))
    return SweepRunner(app, sweep_options(app, worker_id(), batch, lease), make_scheduler_lock(app, interval))


def make_scheduler(runner: SweepRunner, interval: float, tz: ZoneInfo) -> Any:
    """A BlockingScheduler with one in-memory interval job that also runs at once (catch-up)."""
    from apscheduler.events import EVENT_JOB_ERROR, EVENT_JOB_MISSED
    from apscheduler.executors.pool import ThreadPoolExecutor
    from apscheduler.schedulers.blocking import BlockingScheduler

    scheduler = BlockingScheduler(
        timezone=tz, executors={"default": ThreadPoolExecutor(1)},
        job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": max(30, int(interval * 5))})
    scheduler.add_listener(_on_event, EVENT_JOB_MISSED | EVENT_JOB_ERROR)
    scheduler.add_job(tick, "interval", seconds=interval, args=[runner], id=JOB_ID, replace_existing=True,
                      next_run_time=datetime.now(tz))
    return scheduler


def run(app: Any, interval: float = 60.0) -> SweepRunner:
    """Check the mail settings, then block until SIGINT or SIGTERM; returns the runner with its totals.

    Raises MailConfigError or MailUnavailableError when the check at start fails, and
    MailConfigError when a sender or login is refused later (the scheduler stops for it).
    """
    from journey.bootstrap.reminders import check_mail

    tz = ZoneInfo(app.settings.timezone)
    check_mail(app)
    runner = make_runner(app, interval)
    scheduler = make_scheduler(runner, interval, tz)
    stopping: list[threading.Thread] = []

    def on_fatal() -> None:
        """Called in the job's own thread, which cannot wait for itself: another thread stops the scheduler
        once the job and its log lines are done, and is joined below, so the error that stopped the
        scheduler is the last line the process prints."""
        def shut_down() -> None:
            from apscheduler.schedulers import SchedulerNotRunningError

            with suppress(SchedulerNotRunningError):  # stopped already (a signal at the same moment)
                scheduler.shutdown(wait=True)

        stopper = threading.Thread(target=shut_down, daemon=True)
        stopping.append(stopper)
        stopper.start()

    runner.on_fatal = on_fatal

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
        for stopper in stopping:
            stopper.join()
        runner.lock.release()
    if runner.fatal is not None:
        raise runner.fatal
    return runner
