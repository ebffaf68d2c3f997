"""Workflow definitions and versions as use cases: validate, describe, diff, diagrams."""
