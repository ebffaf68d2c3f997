"""Use cases of logging in: passwords, sessions, API and calendar-feed tokens.

The server and the CLI call these; every check happens here, with the same roles as the CLI
(:mod:`journey.domain.access`). A session or token only says *who* is acting: what that user
may do is decided by the same use cases the CLI calls.
"""
