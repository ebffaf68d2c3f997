"""Concrete adapters: SQL storage, read model, clock (and later SMTP, Jinja2)."""
