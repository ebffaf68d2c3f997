"""Per-feature wiring called from :func:`journey.bootstrap.wire_features`: which adapters serve which feature."""
