"""Tables for logging in (migration 0006): password hashes, sessions, API and feed tokens, login attempts.

Session and token secrets are stored as SHA-256 digests only; password hashes never leave
:class:`journey.adapters.sql.repositories.auth.SqlCredentialRepository`.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index
from sqlmodel import Field, SQLModel

from journey.adapters.sql.column_types import UTCDateTime
from journey.adapters.sql.tables import core as _core  # noqa: F401  (foreign keys to app_user, municipality)


class PasswordRecord(SQLModel, table=True):
    __tablename__ = "user_password"
    user_id: int = Field(foreign_key="app_user.id", primary_key=True, sa_column_kwargs={"autoincrement": False})
    password_hash: str = Field(max_length=500)
    updated_at: datetime = Field(sa_type=UTCDateTime)


class SessionRow(SQLModel, table=True):
    __tablename__ = "web_session"
    __table_args__ = (Index("ix_web_session_user", "user_id"),)
    token_hash: str = Field(primary_key=True, max_length=64)
    user_id: int = Field(foreign_key="app_user.id")
    created_at: datetime = Field(sa_type=UTCDateTime)
    last_seen_at: datetime = Field(sa_type=UTCDateTime)
    expires_at: datetime = Field(sa_type=UTCDateTime)


class TokenRow(SQLModel, table=True):
    __tablename__ = "api_token"
    __table_args__ = (Index("ix_api_token_user", "user_id"),)
    id: int | None = Field(default=None, primary_key=True)
    token_hash: str = Field(unique=True, max_length=64)
    user_id: int = Field(foreign_key="app_user.id")
    name: str = Field(default="", max_length=200)
    scope: str = Field(max_length=20)
    prefix: str = Field(max_length=20)
    municipality_id: int | None = Field(default=None, foreign_key="municipality.id")
    created_at: datetime = Field(sa_type=UTCDateTime)
    created_by: str = Field(default="", max_length=100)
    last_used_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    revoked_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class LoginAttemptRow(SQLModel, table=True):
    __tablename__ = "login_attempt"
    __table_args__ = (Index("ix_login_attempt_username_at", "username", "at"),
                      Index("ix_login_attempt_client_at", "client", "at"))
    id: int | None = Field(default=None, primary_key=True)
    username: str = Field(max_length=200)
    client: str = Field(max_length=100)
    at: datetime = Field(sa_type=UTCDateTime)
    success: bool = False
