"""The write side on plain DB-API connections (``sqlite3`` or psycopg): the unit of work and the
repositories of the hot write paths, so that a write command does not import the ORM."""
