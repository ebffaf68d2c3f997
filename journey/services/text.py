"""Text as people read it, for the entry points (which reach the domain through the services).

Light on purpose: `journey monitor` formats its hours with it and must not load a feature's use cases.
"""

from __future__ import annotations

from journey.domain.text import swedish_number as swedish_number
