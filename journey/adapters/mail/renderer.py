"""Render reminder emails from ``templates/emails``: sandboxed Jinja2, StrictUndefined.

Plain text and subjects are rendered with autoescape off, HTML with autoescape on, so a
municipality name such as ``Karlstad & <Co>`` shows as written in text and is escaped in HTML.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from jinja2 import FileSystemLoader, StrictUndefined, TemplateError, TemplateNotFound
from jinja2.sandbox import SandboxedEnvironment

from journey.domain.errors import EmailTemplateError


class JinjaEmailRenderer:
    def __init__(self, templates_dir: Path) -> None:
        self.directory = templates_dir / "emails"
        loader = FileSystemLoader(str(self.directory))
        common: dict[str, Any] = {"loader": loader, "undefined": StrictUndefined, "trim_blocks": True,
                                  "lstrip_blocks": True}
        self.text = SandboxedEnvironment(autoescape=False, keep_trailing_newline=True, **common)
        self.html = SandboxedEnvironment(autoescape=True, **common)
        self.subject = SandboxedEnvironment(autoescape=False, undefined=StrictUndefined)

    def files(self, template: str) -> tuple[str, str]:
        return f"{template}.txt.j2", f"{template}.html.j2"

    def missing(self, template: str) -> list[str]:
        return [name for name in self.files(template) if not (self.directory / name).is_file()]

    def render(self, template: str, subject: str, context: dict[str, Any]) -> tuple[str, str, str]:
        text_name, html_name = self.files(template)
        current = "subject"
        try:
            rendered_subject = " ".join(self.subject.from_string(subject).render(context).split())
            current = text_name
            text = self.text.get_template(text_name).render(context)
            current = html_name
            html = self.html.get_template(html_name).render(context)
        except TemplateNotFound as exc:
            raise EmailTemplateError(f"{self.directory / str(exc.name)}: email template not found") from None
        except TemplateError as exc:
            line = getattr(exc, "lineno", None)
            where = f"{self.directory / current}:{line}" if line and current != "subject" else current
            raise EmailTemplateError(f"{where}: {exc.message or type(exc).__name__}") from None
        return rendered_subject, text, html
