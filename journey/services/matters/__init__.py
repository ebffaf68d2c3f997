"""Matters (ärenden): opened with their state, registered, decided by a chain of bodies; the read side."""
