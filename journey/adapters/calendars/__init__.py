"""Calendars: ICS and CSV board calendars, and Swedish holidays."""
