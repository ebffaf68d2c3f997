"""How long each stored text may be, declared once.

PostgreSQL enforces a column's ``VARCHAR(n)``; SQLite stores any length. So that a value is
refused the same way on both (one line, exit code 2, before the database sees it) and a
SQLite database always moves to PostgreSQL, the use cases check these limits where input
enters, the tables declare their columns with the same constants, and
``tests/test_input_validation.py`` checks that the migrations agree.
"""

from __future__ import annotations

from journey.domain.errors import InputError
from journey.domain.messages import msg

# registry
MUNICIPALITY_NAME = 100  # also its slug and the county
USERNAME = 100  # users, and every actor recorded in history, pauses, documents, hours
DISPLAY_NAME = 200
EMAIL = 200
# workflow definitions (checked by `journey workflows validate`, exit code 7)
IDENTIFIER = 100  # workflow name, state path, trigger, document and reminder ids, template names
CASE_STATE = 500  # a case's state: its leaves joined by commas
DOCUMENT_TITLE = 300
REMINDER_TITLE = 300
REMINDER_SUBJECT = 500
# cases
COMMENT = 4000  # history comment
PAUSE_REASON = 1000
EVIDENCE_VALUE = 1000  # one evidence value (stored as JSON, bounded all the same)
# board calendars
BOARD_CODE = 40
BOARD_NAME = 200
MEETING_LOCATION = 200
MEETING_TITLE = 200
MEETING_SOURCE = 300
# ESF hours
PERSON = 200
DESCRIPTION = 2000
NETWORK_MEETING_TITLE = 200
# case migrations
MIGRATION_WORKFLOWS = 500  # the workflow names of one `journey migrate` run, comma-separated


def check_length(value: str, limit: int, what: str) -> str:
    """Return ``value`` if it has at most ``limit`` characters, else raise a one-line :class:`InputError`."""
    if len(value) > limit:
        raise InputError(msg("{what} is {count} characters long; at most {limit} are allowed",
            what=what, count=len(value), limit=limit))
    return value
