"""Template lookup with municipality overrides, and time-bounded sandboxed rendering.

Lookup for municipality ``härjedalen`` (slug as in the registry) tries, in order::

    <templates>/municipalities/harjedalen/documents/<name>.html.j2
    <templates>/documents/<name>.html.j2

Partials (``_letterhead.html.j2``) resolve the same way, so an override can be a single
partial. A template file may be a link, but only to a file inside the templates folder:
anything that resolves outside it (``/etc/passwd``) is refused with a one-line error.
Rendering runs in a worker process (``_render_worker``, kept by ``render_process``) killed
after ``timeout`` seconds: Jinja's sandbox blocks unsafe attribute access but does not bound
CPU or memory.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from journey.adapters.documents.render_process import RenderProcess
from journey.domain.errors import TemplateError, WorkerCrashed, WorkerTimeout
from journey.domain.messages import msg

SUFFIX = ".html.j2"


@dataclass(frozen=True)
class Rendered:
    """One rendered template: the HTML, the file it came from, and the hash of every source used."""

    name: str
    html: str
    path: str
    template_hash: str
    sources: tuple[tuple[str, str, str], ...]

    @property
    def overridden(self) -> bool:
        """True if the municipality's own file replaced the template or any partial it used."""
        return any("/municipalities/" in path.replace("\\", "/") for _, path, _ in self.sources)


class SandboxRenderer:
    """Renders ``documents/<name>.html.j2`` templates; every failure is a one-line :class:`TemplateError`."""

    def __init__(self, templates_dir: Path, timeout: float = 10.0, max_output: int = 2_000_000) -> None:
        self.templates_dir = Path(templates_dir)
        self.timeout = timeout
        self.max_output = max_output
        self._process = RenderProcess()

    def search_path(self, municipality_slug: str | None) -> list[Path]:
        defaults = self.templates_dir / "documents"
        if not municipality_slug:
            return [defaults]
        return [self.templates_dir / "municipalities" / municipality_slug / "documents", defaults]

    def overrides(self) -> list[str]:
        """Slugs of municipalities that have their own document templates."""
        root = self.templates_dir / "municipalities"
        return sorted(p.parent.name for p in root.glob("*/documents") if p.is_dir()) if root.is_dir() else []

    def exists(self, name: str, municipality_slug: str | None = None) -> bool:
        return any((d / f"{name}{SUFFIX}").is_file() for d in self.search_path(municipality_slug))

    def names(self) -> list[str]:
        """Default document templates (partials, starting with ``_``, excluded)."""
        root = self.templates_dir / "documents"
        return sorted(p.name[: -len(SUFFIX)] for p in root.glob(f"*{SUFFIX}") if not p.name.startswith("_"))

    def render(self, jobs: list[tuple[str, dict[str, Any]]], municipality_slug: str | None = None,
               strict: bool = True) -> list[Any]:
        """Render ``(template name, context)`` pairs in one child process.

        With ``strict`` the first failure raises :class:`TemplateError`; otherwise failures are
        returned in place of their :class:`Rendered` result.
        """
        if not jobs:
            return []
        search = [str(p) for p in self.search_path(municipality_slug) if p.is_dir()]
        outcomes: list[Any] = [None] * len(jobs)
        for i, (name, _) in enumerate(jobs):
            if not self.exists(name, municipality_slug):
                tried = ", ".join(str(p / f"{name}{SUFFIX}") for p in self.search_path(municipality_slug))
                outcomes[i] = TemplateError(msg("document template {name!r} not found (looked for {tried})",
                    name=name, tried=tried), name)
        todo = [i for i, o in enumerate(outcomes) if o is None]
        request = {"search_path": search, "max_output": self.max_output, "root": str(self.templates_dir.resolve()),
                   "jobs": [{"template": f"{jobs[i][0]}{SUFFIX}", "context": jobs[i][1]} for i in todo]}
        results = self._run(request, sorted({jobs[i][0] for i in todo})) if todo else []
        for i, result in zip(todo, results, strict=True):
            outcomes[i] = self._result(jobs[i][0], result)
        if strict:
            failed = next((o for o in outcomes if isinstance(o, TemplateError)), None)
            if failed is not None:
                raise failed
        return outcomes

    @staticmethod
    def _result(name: str, result: dict[str, Any]) -> Rendered | TemplateError:
        if not result["ok"]:
            return TemplateError(result["error"], name)
        sources = tuple((s[0], s[1], s[2]) for s in result["sources"])
        digest = hashlib.sha256("\n".join(f"{n}:{h}" for n, _, h in sources).encode()).hexdigest()
        return Rendered(name, result["output"], result["path"], digest, sources)

    def _run(self, request: dict[str, Any], names: list[str]) -> list[dict[str, Any]]:
        line = json.dumps(request, ensure_ascii=False, default=str).encode("utf-8")
        try:
            answer = self._process.request(line, self.timeout)
        except WorkerTimeout:
            raise TemplateError(msg("rendering {names} took longer than {timeout:g} s (an endless or very large "
                                    "loop in the template?); stopped", names=', '.join(names), timeout=self.timeout),
                                names[0]) from None
        except (WorkerCrashed, OSError) as exc:
            raise TemplateError(msg("rendering {names} failed: the render process stopped ({exc})",
                names=', '.join(names), exc=exc),
                                names[0]) from None
        results: list[dict[str, Any]] = json.loads(answer)["results"]
        return results

    def close(self) -> None:
        """Stop the worker process now (it is also stopped when the renderer is garbage-collected)."""
        self._process.close()
