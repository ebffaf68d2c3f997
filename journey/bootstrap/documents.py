"""Wires the documents feature (called from ``bootstrap.wire_features``): repository, tools, handler."""

from __future__ import annotations

from typing import Any

from journey.domain.errors import InputError
from journey.domain.events import EvidenceCorrected, MatterChanged, StateEntered
from journey.domain.messages import msg
from journey.services.deps import Deps

DEFAULT_RENDER_TIMEOUT = 10.0  # seconds
LOCK_MARGIN = 5.0  # seconds a waiting SQLite writer waits beyond the longest render (docs/operations.md)


def render_timeout(settings: Any) -> float:
    """JOURNEY_RENDER_TIMEOUT in seconds (1-300), 10 when not set; InputError naming it otherwise."""
    raw = str(getattr(settings, "render_timeout", "") or "").strip()
    if not raw:
        return DEFAULT_RENDER_TIMEOUT
    try:
        seconds = float(raw)
    except ValueError:
        seconds = -1.0
    if not 1 <= seconds <= 300:
        raise InputError(msg("JOURNEY_RENDER_TIMEOUT {value!r} must be seconds from 1 to 300 (default 10)",
                             value=raw[:40]))
    return seconds


def busy_timeout_ms(settings: Any) -> int:
    """How long a SQLite writer waits for the write lock: longer than a document may render while the
    advance that renders it holds the lock, so a slow template never fails an unrelated write."""
    return int((render_timeout(settings) + LOCK_MARGIN) * 1000)


def document_tools(settings: Any) -> Any:
    """Renderer, writers and storage from settings (templates_dir, output_dir); no database needed."""
    from journey.adapters.documents.tools import make_tools

    return make_tools(settings.templates_dir, settings.output_dir, timeout=render_timeout(settings))


def render_waiting(app: Any, limit: int = 20) -> Any:
    """The scheduler's turn at the document outbox: render up to ``limit`` due jobs (a ``Settled``)."""
    from journey.services.documents.outbox import settle

    deps = app.deps
    return settle(deps, deps.documents, [], others=limit)


def wire_documents(app: Any, deps: Deps) -> None:
    from journey.services.documents.outbox import on_evidence_corrected, on_matter_changed, on_state_entered

    tools = deps.documents = document_tools(app.settings)
    deps.on(StateEntered, on_state_entered(deps, tools))
    deps.on(MatterChanged, on_matter_changed(deps, tools))  # issue 10: a matter's facts reach its documents
    deps.on(EvidenceCorrected, on_evidence_corrected(deps, tools))  # issue 10: corrections reach documents
