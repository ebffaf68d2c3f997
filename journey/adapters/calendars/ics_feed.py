"""Write a subscribable ICS feed with the ``icalendar`` library (RFC 5545)."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from icalendar import Calendar, Event

from journey.ports.feeds import FeedItem


class IcalendarFeedWriter:
    """VCALENDAR with one VEVENT per item; times in UTC, all-day events as DATE values."""

    def __init__(self, refresh: timedelta = timedelta(hours=1)) -> None:
        self.refresh = refresh

    def write(self, name: str, items: list[FeedItem], stamp: datetime) -> bytes:
        cal = Calendar()
        cal.add("prodid", "-//journey//Utvecklingsnätverk sociala företag//SV")
        cal.add("version", "2.0")
        cal.add("calscale", "GREGORIAN")
        cal.add("method", "PUBLISH")
        cal.add("x-wr-calname", name)
        cal.add("x-wr-timezone", "Europe/Stockholm")
        cal.add("refresh-interval", self.refresh, parameters={"VALUE": "DURATION"})
        cal.add("x-published-ttl", self.refresh)
        for item in items:
            event = Event()
            event.add("uid", item.uid)
            event.add("dtstamp", stamp)
            event.add("summary", item.summary)
            event.add("dtstart", item.start)
            if item.end is not None:
                event.add("dtend", item.end)
            elif isinstance(item.start, date) and not isinstance(item.start, datetime):
                event.add("dtend", item.start + timedelta(days=1))
            if item.location:
                event.add("location", item.location)
            if item.description:
                event.add("description", item.description)
            if item.category:
                event.add("categories", [item.category])
            event.add("transp", "TRANSPARENT" if not isinstance(item.start, datetime) else "OPAQUE")
            cal.add_component(event)
        ical: bytes = cal.to_ical()
        return ical
