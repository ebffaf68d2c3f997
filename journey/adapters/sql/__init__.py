"""SQL storage (SQLModel/SQLAlchemy, Alembic): engine, tables, repositories, unit of work, schema upgrades."""
