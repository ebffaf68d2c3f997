"""Settings of the database itself (migration 0011): a key and a text value, e.g. ``demo`` = ``true``."""

from __future__ import annotations

from sqlmodel import Field, SQLModel


class SettingRow(SQLModel, table=True):
    __tablename__ = "journey_setting"
    key: str = Field(primary_key=True, max_length=100)
    value: str = Field(default="", max_length=1000)
