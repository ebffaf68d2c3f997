"""Wires the reminders feature: repositories, event handlers, and the mailer, renderer and lock to use.

Called from :func:`journey.bootstrap.wire_features`. A test may put a ``mailer`` or a
``renderer`` in ``App(overrides=...)``; otherwise SMTP settings come from ``JOURNEY_SMTP_*``.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any
from zoneinfo import ZoneInfo

from journey.services.deps import Deps


def wire_reminders(app: Any, deps: Deps) -> None:
    from journey.adapters.calendars.holidays import swedish_holiday
    from journey.services.reminders.planning import ReminderPlanner, wire

    wire(deps, ReminderPlanner(deps.workflows, swedish_holiday, ZoneInfo(app.settings.timezone), deps.clock))


def smtp_settings(app: Any) -> Any:
    from journey.adapters.mail.smtp import SmtpSettings

    return SmtpSettings.from_env(app.settings.smtp)


def make_mailer(app: Any) -> Any:
    if "mailer" in app.overrides:
        return app.overrides["mailer"]
    from journey.adapters.mail.smtp import SmtpMailer

    return SmtpMailer(smtp_settings(app), ZoneInfo(app.settings.timezone), app.clock.now)


def make_renderer(app: Any) -> Any:
    if "renderer" in app.overrides:
        return app.overrides["renderer"]
    from journey.adapters.mail.renderer import JinjaEmailRenderer

    return JinjaEmailRenderer(app.settings.templates_dir)


def check_mail(app: Any) -> None:
    """Check the sender and reach the SMTP server (connect, TLS, login) before any row is claimed.

    Raises MailConfigError (exit 78) or MailUnavailableError (exit 75); nothing is changed.
    """
    mailer = make_mailer(app)
    try:
        mailer.check()
    finally:
        mailer.close()


def make_scheduler_lock(app: Any, interval: float) -> Any:
    """The scheduler's lock: a PostgreSQL advisory lock, or a lease row on SQLite.

    The lease outlives one poll and one SMTP exchange (renewed before every message), so a
    scheduler that is merely busy is never taken over.
    """
    from journey.adapters.sql.scheduler_lease import make_lock

    return make_lock(app.engine, timedelta(seconds=max(3 * interval, 5.0) + smtp_settings(app).timeout))


def worker_id() -> str:
    from journey.adapters.sql.scheduler_lease import holder_id

    return holder_id()


def sweep_once(app: Any, batch: int = 20, check: bool = True) -> Any:
    """One sweep now, as the scheduler does it (used by `journey reminders send-due`).

    With ``check`` the sender and the server are checked first, so a configuration error or an
    unreachable server changes no row.
    """
    from journey.services.reminders.sweep import send_due_reminders

    mailer = make_mailer(app)
    if check:
        try:
            mailer.check()
        except BaseException:
            mailer.close()
            raise
    options = sweep_options(app, worker_id(), batch, timedelta(minutes=10))
    return send_due_reminders(app.deps, mailer, make_renderer(app), options)


def sweep_options(app: Any, worker: str, batch: int, lease: timedelta) -> Any:
    """How a sweep claims: ``lease`` per claim, and the mailer's bound on one message."""
    from journey.services.reminders.sweep import SweepOptions

    return SweepOptions(worker, ZoneInfo(app.settings.timezone), batch, lease,
                        timedelta(seconds=smtp_settings(app).send_budget))
