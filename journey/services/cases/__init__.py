"""Cases: open, advance, pause and resume, and the read side (status, history, why)."""
