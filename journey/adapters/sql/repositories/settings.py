"""Database settings (the demo marker) in ``journey_setting``."""

from __future__ import annotations

from sqlmodel import Session

from journey.adapters.sql.tables.settings import SettingRow


class SqlSettingsRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def get(self, key: str) -> str | None:
        row = self.session.get(SettingRow, key)
        return row.value if row is not None else None

    def set(self, key: str, value: str) -> None:
        row = self.session.get(SettingRow, key)
        if row is None:
            self.session.add(SettingRow(key=key, value=value))
        else:
            row.value = value
        self.session.flush()
