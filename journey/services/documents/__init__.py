"""Documents: rendered on state entry or on request, their data context, the register, template checks."""
