"""journey: a workflow engine for municipalities' journey toward business with social enterprises.

Importing this package is cheap and has no side effects; the CLI lives in :mod:`journey.cli`
and the wiring of concrete adapters in :mod:`journey.bootstrap`.
"""

__version__ = "0.1.0"
__all__ = ["__version__"]
