"""Per-request session and token lookups over the plain read connection (no ORM, no write lock)."""

from __future__ import annotations

from typing import Any

from journey.adapters.sql.stored import utc
from journey.domain.auth import SessionRecord, TokenRecord, TokenScope

SESSION_SQL = ("SELECT s.token_hash, u.username, s.created_at, s.last_seen_at, s.expires_at FROM web_session s "
               "JOIN app_user u ON u.id = s.user_id WHERE s.token_hash = ?")
TOKEN_SQL = ("SELECT t.id, u.username, t.name, t.scope, t.prefix, t.municipality_id, t.created_at, t.created_by, "
             "t.last_used_at, t.revoked_at FROM api_token t JOIN app_user u ON u.id = t.user_id WHERE t.token_hash = ?")


class CredentialQueries:
    def __init__(self, read: Any) -> None:
        self.read = read

    def session(self, token_hash: str) -> SessionRecord | None:
        rows = self.read.query(SESSION_SQL, (token_hash,))
        if not rows:
            return None
        h, username, created, seen, expires = rows[0]
        return SessionRecord(h, username, utc(created), utc(seen), utc(expires))

    def token(self, token_hash: str) -> TokenRecord | None:
        rows = self.read.query(TOKEN_SQL, (token_hash,))
        if not rows:
            return None
        r = rows[0]
        return TokenRecord(int(r[0]), r[1], r[2], TokenScope(r[3]), r[4], r[5], utc(r[6]), r[7],
                           utc(r[8]) if r[8] is not None else None, utc(r[9]) if r[9] is not None else None)
