"""The in-memory repository of matters (ärenden) and their decisions."""

from __future__ import annotations

import copy

from journey.domain.errors import ConcurrentChangeError
from journey.domain.matters import Matter, MatterStatus
from tests.fakes.repositories import _Repository


class FakeMatterRepository(_Repository):
    """Matters with their decisions; a decision's ``(matter, seq)`` is unique, as in the SQL table."""

    def add(self, matter: Matter) -> Matter:
        matter.id = self.t.next_id("matter")
        self.save(matter)
        return matter

    def save(self, matter: Matter) -> None:
        assert matter.id is not None
        seqs = [d.seq for d in matter.decisions]
        if len(seqs) != len(set(seqs)):
            raise ConcurrentChangeError("another user recorded a decision on this matter at the same time; "
                                        "nothing was saved, try again")
        for d in matter.decisions:
            if d.id is None:
                d.id = self.t.next_id("matter_decision")
        self.t.matters[matter.id] = copy.deepcopy(matter)

    def for_case(self, case_id: int) -> list[Matter]:
        return [copy.deepcopy(m) for _, m in sorted(self.t.matters.items()) if m.case_id == case_id]

    def open_for(self, case_id: int, state_path: str | None = None) -> Matter | None:
        found = [m for m in self.for_case(case_id) if m.status is MatterStatus.OPEN
                 and (state_path is None or m.state_path == state_path)]
        return found[-1] if found else None
