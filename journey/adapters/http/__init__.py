"""Outbound HTTP (webhook delivery)."""
