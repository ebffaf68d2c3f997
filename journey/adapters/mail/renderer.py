"""Render reminder emails from ``templates/emails`` in the sandboxed, time- and memory-bounded worker.

The same worker process as documents (``journey/adapters/documents/render_process.py``):
Jinja2's ImmutableSandboxedEnvironment with StrictUndefined, at most 1 GiB of memory, killed
after ``timeout`` seconds. A template that loops forever (a ``subject:`` line included) fails
its reminder with one line instead of hanging the sweep.

Plain text and subjects are rendered with autoescape off, HTML with it on, so a
municipality name such as ``Karlstad & <Co>`` shows as written in text and is escaped in HTML.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from journey.adapters.documents.render_process import RenderProcess
from journey.domain.errors import EmailTemplateError, WorkerCrashed, WorkerTimeout
from journey.domain.messages import msg


class JinjaEmailRenderer:
    def __init__(self, templates_dir: Path, timeout: float = 10.0, max_output: int = 1_000_000) -> None:
        self.directory = Path(templates_dir) / "emails"
        self.timeout, self.max_output = timeout, max_output
        self._process = RenderProcess()

    def files(self, template: str) -> tuple[str, str]:
        return f"{template}.txt.j2", f"{template}.html.j2"

    def missing(self, template: str) -> list[str]:
        return [name for name in self.files(template) if not (self.directory / name).is_file()]

    def render(self, template: str, subject: str, context: dict[str, Any]) -> tuple[str, str, str]:
        for name in self.missing(template):
            raise EmailTemplateError(msg("{value}: email template not found", value=self.directory / name))
        text_name, html_name = self.files(template)
        jobs = [{"source": subject, "name": "subject", "context": context, "shared": True},
                {"template": text_name, "context": context, "shared": True},
                {"template": html_name, "context": context, "shared": True}]
        request = {"search_path": [str(self.directory)], "max_output": self.max_output, "jobs": jobs,
                   "root": str(self.directory.parent.resolve())}  # links out of the templates folder are refused
        line = json.dumps(request, ensure_ascii=False, default=str).encode("utf-8")
        try:
            answer = self._process.request(line, self.timeout)
        except WorkerTimeout:
            raise EmailTemplateError(msg("rendering email {template!r} (subject, {text_name}, {html_name}) took "
                                         "longer than {timeout:g} s (an endless or very large loop?); stopped",
                template=template, text_name=text_name, html_name=html_name, timeout=self.timeout)) from None
        except (WorkerCrashed, OSError) as exc:
            raise EmailTemplateError(msg("rendering email {template!r} failed: the render process stopped "
                                         "({exc})", template=template, exc=exc)) from None
        results = json.loads(answer)["results"]
        for job, result in zip(jobs, results, strict=True):
            if not result["ok"]:
                error = str(result["error"])
                raise EmailTemplateError(error.replace("<template>", "subject") if "source" in job else error)
        subject_text, text, html = (r["output"] for r in results)
        return " ".join(subject_text.split()), text, html

    def close(self) -> None:
        """Stop the worker process (it is also stopped when the renderer is garbage-collected)."""
        self._process.close()
