"""``uow.auth``: password hashes, sessions, tokens and login attempts (tables of migration 0006)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import delete, func, update
from sqlmodel import Session, col, select

from journey.adapters.sql.tables.auth import LoginAttemptRow, PasswordRecord, SessionRow, TokenRow
from journey.adapters.sql.tables.core import UserRecord
from journey.domain.auth import LOGIN_WINDOW, SessionRecord, TokenRecord, TokenScope


def _token(row: TokenRow, username: str) -> TokenRecord:
    assert row.id is not None
    return TokenRecord(row.id, username, row.name, TokenScope(row.scope), row.prefix, row.municipality_id,
                       row.created_at, row.created_by, row.last_used_at, row.revoked_at)


class SqlCredentialRepository:
    def __init__(self, session: Session) -> None:
        self._session = session

    def _user_id(self, username: str) -> int | None:
        return self._session.exec(select(UserRecord.id).where(UserRecord.username == username)).first()

    def password_hash(self, username: str) -> str | None:
        stmt = (select(PasswordRecord.password_hash).join(UserRecord, col(UserRecord.id) == PasswordRecord.user_id)
                .where(UserRecord.username == username))
        return self._session.exec(stmt).first()

    def set_password_hash(self, username: str, password_hash: str, at: datetime) -> None:
        user_id = self._user_id(username)
        assert user_id is not None
        record = self._session.get(PasswordRecord, user_id)
        if record is None:
            self._session.add(PasswordRecord(user_id=user_id, password_hash=password_hash, updated_at=at))
        else:
            record.password_hash, record.updated_at = password_hash, at
        self._session.flush()

    def add_session(self, token_hash: str, username: str, at: datetime, expires_at: datetime) -> None:
        user_id = self._user_id(username)
        assert user_id is not None
        self._session.add(SessionRow(token_hash=token_hash, user_id=user_id, created_at=at, last_seen_at=at,
                                    expires_at=expires_at))
        self._session.flush()

    def session(self, token_hash: str) -> SessionRecord | None:
        stmt = (select(SessionRow, UserRecord.username).join(UserRecord, col(UserRecord.id) == SessionRow.user_id)
                .where(SessionRow.token_hash == token_hash))
        found = self._session.exec(stmt).first()
        if found is None:
            return None
        row, username = found
        return SessionRecord(row.token_hash, username, row.created_at, row.last_seen_at, row.expires_at)

    def touch_session(self, token_hash: str, at: datetime) -> None:
        self._session.execute(update(SessionRow).where(col(SessionRow.token_hash) == token_hash).values(last_seen_at=at))

    def end_session(self, token_hash: str) -> None:
        self._session.execute(delete(SessionRow).where(col(SessionRow.token_hash) == token_hash))

    def end_sessions_of(self, username: str) -> int:
        user_id = self._user_id(username)
        result: Any = self._session.execute(delete(SessionRow).where(col(SessionRow.user_id) == user_id))
        return int(result.rowcount or 0)

    def add_token(self, token_hash: str, username: str, name: str, scope: str, prefix: str,
                  municipality_id: int | None, at: datetime, created_by: str) -> int:
        user_id = self._user_id(username)
        assert user_id is not None
        row = TokenRow(token_hash=token_hash, user_id=user_id, name=name, scope=scope, prefix=prefix,
                       municipality_id=municipality_id, created_at=at, created_by=created_by)
        self._session.add(row)
        self._session.flush()
        assert row.id is not None
        return row.id

    def token(self, token_hash: str) -> TokenRecord | None:
        stmt = (select(TokenRow, UserRecord.username).join(UserRecord, col(UserRecord.id) == TokenRow.user_id)
                .where(TokenRow.token_hash == token_hash))
        found = self._session.exec(stmt).first()
        return _token(*found) if found else None

    def tokens(self, username: str | None = None) -> list[TokenRecord]:
        stmt = select(TokenRow, UserRecord.username).join(UserRecord, col(UserRecord.id) == TokenRow.user_id)
        if username is not None:
            stmt = stmt.where(UserRecord.username == username)
        return [_token(row, name) for row, name in self._session.exec(stmt.order_by(col(TokenRow.id)))]

    def revoke_token(self, token_id: int, at: datetime) -> TokenRecord | None:
        row = self._session.get(TokenRow, token_id)
        if row is None:
            return None
        if row.revoked_at is None:
            row.revoked_at = at
            self._session.flush()
        username = self._session.exec(select(UserRecord.username).where(UserRecord.id == row.user_id)).one()
        return _token(row, username)

    def touch_token(self, token_id: int, at: datetime) -> None:
        self._session.execute(update(TokenRow).where(col(TokenRow.id) == token_id).values(last_used_at=at))

    def record_attempt(self, username: str, client: str, at: datetime, success: bool) -> None:
        # Old attempts are of no use for throttling: drop them as new ones come in (bounded table).
        self._session.execute(delete(LoginAttemptRow).where(col(LoginAttemptRow.at) < at - 4 * LOGIN_WINDOW))
        self._session.add(LoginAttemptRow(username=username[:200], client=client[:100], at=at, success=success))
        self._session.flush()

    def failures_since(self, username: str, client: str, since: datetime) -> tuple[int, int]:
        def count(*where: Any) -> int:
            stmt = select(func.count()).select_from(LoginAttemptRow).where(
                LoginAttemptRow.success == False, col(LoginAttemptRow.at) >= since, *where)  # noqa: E712
            return int(self._session.exec(stmt).one())

        return count(LoginAttemptRow.username == username), count(LoginAttemptRow.client == client)
