"""Wires the documents feature (called from ``bootstrap.wire_features``): repository, tools, handler."""

from __future__ import annotations

from typing import Any

from journey.domain.events import StateEntered
from journey.services.deps import Deps


def document_tools(settings: Any) -> Any:
    """Renderer, writers and storage from settings (templates_dir, output_dir); no database needed."""
    from journey.adapters.documents.tools import make_tools

    return make_tools(settings.templates_dir, settings.output_dir)


def wire_documents(app: Any, deps: Deps) -> None:
    from journey.services.documents.rendering import on_state_entered

    tools = deps.documents = document_tools(app.settings)
    deps.on(StateEntered, on_state_entered(deps, tools))
