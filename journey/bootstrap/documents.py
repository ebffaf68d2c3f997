"""Wires the documents feature (called from ``bootstrap.wire_features``): repository, tools, handler."""

from __future__ import annotations

from typing import Any

from journey.domain.events import EvidenceCorrected, MatterChanged, StateEntered
from journey.services.deps import Deps


def document_tools(settings: Any) -> Any:
    """Renderer, writers and storage from settings (templates_dir, output_dir); no database needed."""
    from journey.adapters.documents.tools import make_tools

    return make_tools(settings.templates_dir, settings.output_dir)


def wire_documents(app: Any, deps: Deps) -> None:
    from journey.services.documents.rendering import on_evidence_corrected, on_matter_changed, on_state_entered

    tools = deps.documents = document_tools(app.settings)
    deps.on(StateEntered, on_state_entered(deps, tools))
    deps.on(MatterChanged, on_matter_changed(deps, tools))  # issue 10: a matter's facts reach its documents
    deps.on(EvidenceCorrected, on_evidence_corrected(deps, tools))  # issue 10: corrections reach documents
