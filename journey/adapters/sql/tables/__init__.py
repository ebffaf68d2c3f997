"""SQLModel table classes, one module per feature. Import ``all`` to load every table."""
