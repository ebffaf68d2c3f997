"""The fast read side: plain DB-API queries (sqlite3 or psycopg), never the ORM, one module per feature."""
