"""Wires the reminders feature: repositories, event handlers, and the mailer and renderer to use.

Called from :func:`journey.bootstrap.wire_features`. A test may put a ``mailer`` in
``App(overrides=...)``; otherwise SMTP settings come from ``JOURNEY_SMTP_*``.
"""

from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo

from journey.services.deps import Deps


def wire_reminders(app: Any, deps: Deps) -> None:
    from journey.adapters.calendars.holidays import swedish_holiday
    from journey.services.reminders.planning import ReminderPlanner, wire

    wire(deps, ReminderPlanner(deps.workflows, swedish_holiday, ZoneInfo(app.settings.timezone)))


def make_mailer(app: Any) -> Any:
    if "mailer" in app.overrides:
        return app.overrides["mailer"]
    from journey.adapters.mail.smtp import SmtpMailer, SmtpSettings

    return SmtpMailer(SmtpSettings.from_env(app.settings.smtp), ZoneInfo(app.settings.timezone), app.clock.now)


def make_renderer(app: Any) -> Any:
    from journey.adapters.mail.renderer import JinjaEmailRenderer

    return JinjaEmailRenderer(app.settings.templates_dir)


def sweep_once(app: Any, batch: int = 20) -> Any:
    """One sweep now, as the scheduler would do it (used by `journey reminders send-due`)."""
    from datetime import timedelta

    from journey.adapters.sql.scheduler_lease import holder_id
    from journey.services.reminders.sweep import SweepOptions, send_due_reminders

    options = SweepOptions(holder_id(), ZoneInfo(app.settings.timezone), batch, timedelta(minutes=10))
    return send_due_reminders(app.deps, make_mailer(app), make_renderer(app), options)


def holder_id() -> str:
    """This process's name in the scheduler lease."""
    from journey.adapters.sql.scheduler_lease import holder_id as lease_holder

    return lease_holder()


def make_lock(engine: Any, ttl: Any) -> Any:
    """The one-sender lock: a PostgreSQL advisory lock, or a lease row on SQLite."""
    from journey.adapters.sql.scheduler_lease import make_lock as lease_lock

    return lease_lock(engine, ttl)
