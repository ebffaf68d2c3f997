"""The pure domain: workflow specs, cases, evidence, guards and errors. Standard library only."""
