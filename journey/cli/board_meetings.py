"""Board meeting calendars (sammanträdesplaner): import, list and edit."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from journey.cli._common import actor_option, echo, echo_json, echo_table, get_app, json_option
from journey.cli._i18n import _


@click.group()
def meetings() -> None:
    """Board meeting calendars per municipality and board (KS, KF, nämnd)."""


def _report(c: Any) -> None:
    """Print a :class:`journey.services.board_meetings.CalendarChange`."""
    echo(_("{municipality}: {added} added, {updated} updated, {removed} removed; {reminders_moved} reminder(s) "
           "re-planned").format(
        municipality=c.municipality, added=c.added, updated=c.updated, removed=c.removed,
        reminders_moved=c.reminders_moved))


@meetings.command("import")
@click.argument("file", type=click.Path(path_type=Path))
@click.option("--municipality", "-m", required=True, help="Municipality the calendar belongs to.")
@click.option("--board", help="Board code for every row (required for ICS; CSV and XLSX may have a board column).")
@actor_option
def import_(file: Path, municipality: str, board: str | None, actor: str | None) -> None:
    """Import a sammanträdesplan from CSV, XLSX or ICS; all rows or nothing.

    CSV and XLSX: a header row with board (Nämnd) and date (Datum, YYYY-MM-DD), and optionally
    time (Tid), location (Plats), title (Rubrik), board_name (Nämndens namn), secretary_email
    (Sekreterare e-post) and chair_email (Ordförande e-post). CSV may be UTF-8 or Windows-1252
    (Swedish Excel), with semicolons or commas. ICS (e.g. an Outlook export): one board per file;
    series are expanded up to 3 years ahead, cancelled meetings are left out, and a meeting moved in
    the calendar moves here too. A meeting already in the calendar (same event, or same board and
    date) is updated. A bad row stops the import with FILE:LINE (FILE:SHEET:ROW for XLSX).

    \b
    Example:
        journey meetings import sammantradesplan-2022.csv -m Karlstad
        journey meetings import sammantradesplan-2023.xlsx -m Karlstad
        journey meetings import ks-2022.ics -m Karlstad --board KS
    """
    from zoneinfo import ZoneInfo

    from journey.services.board_meetings import import_meetings

    app = get_app()
    tz = ZoneInfo(app.settings.timezone)
    rows = app.calendar_files().read(file, board, app.clock.now().astimezone(tz).date())
    _report(import_meetings(app.deps, actor, municipality, rows, file.name))


@meetings.command("export")
@click.argument("municipality")
@click.argument("file", type=click.Path(path_type=Path, dir_okay=False, allow_dash=True))
@actor_option
def export(municipality: str, file: Path, actor: str | None) -> None:
    """Write MUNICIPALITY's board meetings and reminder deadlines as an iCalendar file.

    Publish FILE on a web server (or a shared folder) and subscribe to it in Outlook, Google or
    Apple Calendar. Run the command again after calendar changes (cron): every event keeps its UID,
    and a moved meeting gets a higher SEQUENCE. "-" writes to standard output.

    \b
    Example:
        journey meetings export Karlstad /var/www/kalender/karlstad.ics
    """
    import sys
    from zoneinfo import ZoneInfo

    from journey.services.board_meetings import calendar_feed

    app = get_app()
    calendars = app.calendar_files()
    feed = calendar_feed(app.deps, actor, municipality, ZoneInfo(app.settings.timezone))
    data = calendars.feed(feed, app.clock.now())
    if str(file) == "-":
        sys.stdout.buffer.write(data)
        sys.stdout.buffer.flush()
        return
    calendars.write(file, data)
    click.echo(_("Wrote {file}: {meetings} meeting(s), {deadlines} deadline(s)").format(
        file=file, meetings=feed.meetings, deadlines=feed.deadlines))


@meetings.command("list")
@click.argument("municipality", required=False)
@json_option
@actor_option
def list_(municipality: str | None, as_json: bool, actor: str | None) -> None:
    """List board meetings, soonest first.

    \b
    Example:
        journey meetings list Karlstad --json
    """
    from journey.services.reminders.views import meetings as meetings_view

    app = get_app()
    rows = meetings_view(app.read_model(), app.reminder_reads(), actor, municipality)
    if as_json:
        echo_json(rows)
        return
    echo_table([_("Date"), _("Time"), _("Municipality"), _("Board"), _("Location"), _("Title")],
               [[r["date"], r["time"], r["municipality"], r["board_name"] or r["board"], r["location"], r["title"]]
                for r in rows], title=_("{count} meeting(s)").format(count=len(rows)))


@meetings.command()
@click.argument("municipality")
@click.argument("board")
@click.argument("day", metavar="DATE")
@click.option("--time", "start", default="", help="Start time HH:MM.")
@click.option("--location", default="", help="Where the board meets.")
@click.option("--title", default="", help="E.g. 'Kommunstyrelsen, ordinarie sammanträde'.")
@actor_option
def add(municipality: str, board: str, day: str, start: str, location: str, title: str, actor: str | None) -> None:
    """Add (or update) one meeting of BOARD on DATE.

    \b
    Example:
        journey meetings add Karlstad KS 2022-04-20 --time 13:00 --location "Sessionssalen"
    """
    from journey.services.board_meetings import MeetingRow, add_meeting, check_board, parse_day, parse_time

    row = MeetingRow(check_board(board), parse_day(day), parse_time(start), location.strip(), title.strip())
    _report(add_meeting(get_app().deps, actor, municipality, row))


@meetings.command()
@click.argument("municipality")
@click.argument("board")
@click.argument("day", metavar="DATE")
@click.argument("new_day", metavar="NEW_DATE")
@actor_option
def move(municipality: str, board: str, day: str, new_day: str, actor: str | None) -> None:
    """Move BOARD's meeting from DATE to NEW_DATE; reminders follow.

    \b
    Example:
        journey meetings move Karlstad KS 2022-04-20 2022-04-27
    """
    from journey.services.board_meetings import move_meeting, parse_day

    _report(move_meeting(get_app().deps, actor, municipality, board, parse_day(day), parse_day(new_day)))


@meetings.command()
@click.argument("municipality")
@click.argument("board")
@click.argument("day", metavar="DATE")
@actor_option
def remove(municipality: str, board: str, day: str, actor: str | None) -> None:
    """Remove BOARD's meeting on DATE; its reminders move to the next meeting.

    \b
    Example:
        journey meetings remove Karlstad KS 2022-04-20
    """
    from journey.services.board_meetings import parse_day, remove_meeting

    _report(remove_meeting(get_app().deps, actor, municipality, board, parse_day(day)))


@meetings.command()
@click.argument("municipality")
@click.argument("code")
@click.option("--name", default="", help="Full name, e.g. Kommunstyrelsen or Arbetsmarknadsnämnden.")
@click.option("--secretary-email", default="", help="Nämndsekreterare: receives pre-meeting reminders.")
@click.option("--chair-email", default="", help="Ordförande: receives political pre-meeting reminders.")
@click.option("--kallelse-days", type=int, default=None, metavar="N",
              help="Working days before a meeting that the kallelse goes out (0-30; 7 when never set). "
                   "Reminders to the secretary and chair go out the working day before it at the latest.")
@actor_option
def board(municipality: str, code: str, name: str, secretary_email: str, chair_email: str, kallelse_days: int | None,
          actor: str | None) -> None:
    """Create board CODE or set its name, contact addresses and kallelse.

    \b
    Example:
        journey meetings board Karlstad AMN --name Arbetsmarknadsnämnden --secretary-email amn@karlstad.se
        journey meetings board Karlstad KS --kallelse-days 10
    """
    from journey.services.board_meetings import set_board

    _report(set_board(get_app().deps, actor, municipality, code, name, secretary_email, chair_email, kallelse_days))
