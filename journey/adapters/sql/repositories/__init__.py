"""Repositories over one session, one module per feature: records <-> domain objects."""
