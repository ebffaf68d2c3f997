"""All workflow versions found in a directory, loaded side by side and looked up by name and version."""

from __future__ import annotations

import difflib
from pathlib import Path

from journey.definitions.loader import load_all
from journey.domain.errors import NotFoundError
from journey.domain.spec import WorkflowSpec


class WorkflowRegistry:
    """Specs keyed by ``(name, version)``; the highest version of a name is its latest."""

    def __init__(self, specs: list[WorkflowSpec]) -> None:
        self._specs = {(s.name, s.version): s for s in specs}

    @classmethod
    def from_directory(cls, directory: Path) -> WorkflowRegistry:
        files = sorted(p for p in directory.rglob("*.y*ml") if p.suffix in (".yaml", ".yml")) if directory.is_dir() else []
        return cls(load_all(files))

    def names(self) -> list[str]:
        return sorted({name for name, _ in self._specs})

    def versions(self, name: str) -> list[int]:
        return sorted(v for n, v in self._specs if n == name)

    def all(self) -> list[WorkflowSpec]:
        return [self._specs[k] for k in sorted(self._specs)]

    def get(self, name: str, version: int | None = None) -> WorkflowSpec:
        versions = self.versions(name)
        if not versions:
            close = difflib.get_close_matches(name, self.names(), n=1)
            hint = f"; did you mean {close[0]!r}?" if close else f"; known: {', '.join(self.names()) or 'none'}"
            raise NotFoundError(f"unknown workflow {name!r}{hint}")
        if version is None:
            version = versions[-1]
        if version not in versions:
            raise NotFoundError(f"workflow {name!r} has no version {version} (known: {', '.join(map(str, versions))})")
        return self._specs[(name, version)]
