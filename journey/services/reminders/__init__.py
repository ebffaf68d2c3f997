"""Reminders: planned on state entry, cancelled on exit, swept and sent once, retried, listed."""
