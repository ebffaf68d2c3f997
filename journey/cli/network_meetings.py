"""The network's meetings (2 physical + 2 digital a year) and each municipality's local full day.

Named `journey network-meetings` so it does not clash with `journey meetings` (board calendars).
"""

from __future__ import annotations

import click

from journey.cli._common import actor_option, echo, echo_json, echo_table, get_app, json_option, lower_first
from journey.cli._i18n import _, language, ngettext, number


@click.group("network-meetings")
def network_meetings() -> None:
    """Network meetings and local full-day meetings, with attendance that feeds the ESF time report."""


@network_meetings.command("add")
@click.argument("kind", type=click.Choice(["physical", "digital", "local"], case_sensitive=False))
@click.option("--date", "day", required=True, metavar="YYYY-MM-DD", help="Day the meeting is held.")
@click.option("--title", required=True, help="E.g. 'Nätverksträff 1 2022, Stockholm'.")
@click.option("--hours", "length", metavar="H", help="Hours each attendee reports, in quarter hours (default "
              "physical 7, digital 3, local 7).")
@click.option("--municipality", metavar="NAME", help="The host municipality (local meetings only).")
@actor_option
def meetings_add(kind: str, day: str, title: str, length: str | None, municipality: str | None,
                 actor: str | None) -> None:
    """Record a meeting: network ones by SKR staff or admins, a local one by its municipality.

    \b
    Example:
        journey network-meetings add physical --date 2022-03-24 --title "Nätverksträff Stockholm" --as skr-anna
        journey network-meetings add local --municipality Umeå --date 2022-05-12 --title "Lokal heldag" --as anna
    """
    from journey.services.hours.entries import add_meeting

    meeting = add_meeting(get_app().deps, actor, kind, day, title, length, municipality)
    from journey.services.hours.entries import format_hours

    echo(_("Recorded meeting {id}: {value} {day} {title} ({quarters} h)").format(
        id=meeting.id, value=lower_first(_kind(meeting.kind.value, meeting.kind.label)), day=meeting.day,
        title=meeting.title, quarters=number(format_hours(meeting.quarters))))


@network_meetings.command("attend")
@click.argument("meeting_id", type=int)
@click.argument("municipality")
@click.option("--person", "persons", multiple=True, required=True, help="An attendee; repeat for each.")
@actor_option
def meetings_attend(meeting_id: int, municipality: str, persons: tuple[str, ...], actor: str | None) -> None:
    """Record who from MUNICIPALITY attended MEETING_ID; each gets the meeting's hours in the time report.

    Attendees are registered people (`journey people add`; an unknown name: exit code 4 with the
    close matches). All or nothing: if one attendee is already recorded, or would pass a ceiling,
    nobody is added (exit code 3).

    \b
    Example:
        journey network-meetings attend 1 Umeå --person "Anna Berg" --person "Olle Ås" --as anna
    """
    from journey.services.hours.entries import attend

    count = attend(get_app().deps, actor, meeting_id, municipality, list(persons))
    echo(_("Recorded {count} attendee(s) from {municipality} at meeting {meeting_id}").format(
        count=count, municipality=municipality, meeting_id=meeting_id))


@network_meetings.command("list")
@click.option("--year", type=int, help="Calendar year (default: this year).")
@json_option
@actor_option
def meetings_list(year: int | None, as_json: bool, actor: str | None) -> None:
    """List the year's meetings with attendance, and what the year still lacks.

    \b
    Example:
        journey network-meetings list --year 2022 --json
    """
    from journey.services.hours.entries import meetings

    app = get_app()
    data = meetings(app.deps, actor, year or app.clock.now().year)
    if as_json:
        echo_json(data)
        return
    if data["meetings"]:
        echo_table([_("Id"), _("Date"), _("Kind"), _("Title"), _("Hours"), _("Host"), _("Attendees"),
                    _("Municipalities")],
                   [[m["id"], m["date"], _kind(m["kind"], m["kind_label"]), m["title"], number(m["hours"]),
                     m["municipality"] or _("network"),
                     m["attendees"], len(m["municipalities_present"])] for m in data["meetings"]],
                   title=_("Meetings {year}").format(year=data['year']))
    else:
        echo(_("No meetings recorded for {year}").format(year=data["year"]))
    missing = ", ".join(_still_to_hold(k, n) for k, n in data["missing"].items() if n)
    this_year = data["year"] == app.clock.now().year
    if this_year:
        echo(_("Still to hold this year: {value}").format(value=missing) if missing
             else _("No more network meetings to hold this year"))
    elif missing:  # another year's: what it lacked, or lacks so far
        echo(_("Missing from {year}: {value}").format(year=data["year"], value=missing))
    if data["municipalities_without_local_meeting"]:
        echo((_("No local full-day meeting yet: {names}") if this_year else
              _("No local full-day meeting in {year}: {names}")).format(
            year=data["year"], names=", ".join(data["municipalities_without_local_meeting"])))


def _kind(kind: str, label: str) -> str:
    """A meeting's kind: its Swedish name (Fysiskt nätverksmöte) in Swedish, its id (physical) in English,
    the ids staying the values of the options."""
    return label if language() == "sv" else kind.lower()


def _still_to_hold(kind: str, n: int) -> str:
    """'2 physical', in Swedish '2 fysiska' (the adjective takes the plural)."""
    if kind == "PHYSICAL":
        return ngettext("{n} physical", "{n} physical", n).format(n=n)
    if kind == "DIGITAL":
        return ngettext("{n} digital", "{n} digital", n).format(n=n)
    return f"{n} {kind.lower()}"  # only PHYSICAL and DIGITAL are counted

