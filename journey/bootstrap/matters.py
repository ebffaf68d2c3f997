"""Wires the matters feature (called from ``bootstrap.wire_features``, before documents and reminders).

Its handlers open a state's matter before the state's documents render, and decide or close
it when the case leaves the state; it also lends ``journey advance`` the evidence a decided
matter holds.
"""

from __future__ import annotations

from typing import Any

from journey.domain.events import CaseMigrated, CaseOpened, StateEntered, StateExited
from journey.services.deps import Deps


def wire_matters(app: Any, deps: Deps) -> None:
    from journey.services.matters.recording import MatterFollower

    follower = MatterFollower(deps.workflows)
    deps.on(CaseOpened, follower.on_opened)
    deps.on(StateEntered, follower.on_entered)
    deps.on(StateExited, follower.on_exited)
    deps.on(CaseMigrated, follower.on_migrated)
    deps.evidence_providers.append(follower.evidence_for)
