"""Readers of files people bring: time reports for `journey hours import`."""
