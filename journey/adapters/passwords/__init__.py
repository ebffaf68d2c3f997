"""Password hashing adapters."""
