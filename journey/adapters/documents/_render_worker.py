"""Renders templates in a separate, short-lived process (see renderer.py); JSON in on stdin, JSON out.

Runs Jinja2's ImmutableSandboxedEnvironment with StrictUndefined, autoescaping ``*.html.j2``,
caps output size and memory; the parent bounds the time by killing the process.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import re
import sys
from datetime import date
from pathlib import Path
from typing import Any


def msg(template: str, /, **params: Any) -> str:
    """The English text of a message; named as journey.domain.messages.msg so that the catalog extracts the
    template (the CLI shows a stored error in Swedish by it). This worker imports nothing of journey."""
    return template.format(**params)

MONTHS = ("januari", "februari", "mars", "april", "maj", "juni", "juli", "augusti", "september", "oktober",
          "november", "december")
MEMORY_LIMIT = 1 << 30


def datum(value: Any) -> str:
    """'2022-09-01' -> '1 september 2022'; anything else is returned as text."""
    try:
        d = date.fromisoformat(str(value)[:10])
    except ValueError:
        return str(value)
    return f"{d.day} {MONTHS[d.month - 1]} {d.year}"


def kr(value: Any) -> str:
    """450000 -> '450 000 kr' (non-breaking thin grouping as in Swedish print)."""
    try:
        number = int(value)
    except (TypeError, ValueError):
        return str(value)
    return f"{number:,}".replace(",", "\u00a0") + "\u00a0kr"


def lista(values: Any) -> str:
    """['A', 'B', 'C'] -> 'A, B och C'."""
    items = [str(v) for v in values] if isinstance(values, list | tuple) else [str(values)]
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " och " + items[-1] if items else ""


def _autoescape(name: str | None) -> bool:
    return bool(name) and str(name).removesuffix(".j2").endswith((".html", ".htm", ".xml"))


@functools.cache
def _bytecode_cache() -> Any:
    """Compiled templates kept for the worker's life, per template name, file and source checksum.

    Each render has a new environment (to record the sources it reads); without this every render
    compiled its template and partials again, most of a render's time. Sources are still read,
    checked and hashed on every render; a changed file has a new checksum and is compiled afresh.
    One cache per process, shared by every render's environment.
    """
    from jinja2.bccache import Bucket, BytecodeCache

    class MemoryBytecodeCache(BytecodeCache):
        def __init__(self) -> None:
            self.compiled: dict[str, tuple[str, Any]] = {}  # key -> (source checksum, code object)

        def load_bytecode(self, bucket: Bucket) -> None:
            checksum, code = self.compiled.get(bucket.key, ("", None))
            if code is not None and checksum == bucket.checksum:
                bucket.code = code

        def dump_bytecode(self, bucket: Bucket) -> None:
            self.compiled[bucket.key] = (bucket.checksum, bucket.code)

    return MemoryBytecodeCache()


def make_environment(search_path: list[str], loaded: dict[str, tuple[str, str]], root: str | None = None) -> Any:
    """A sandboxed environment over ``search_path``; with ``root`` every template file, links followed,
    must lie inside ``root`` (a municipality's override that links to /etc/passwd is refused)."""
    from jinja2 import FileSystemLoader, StrictUndefined
    from jinja2.sandbox import ImmutableSandboxedEnvironment

    class RecordingLoader(FileSystemLoader):
        def get_source(self, environment: Any, template: str) -> tuple[str, str, Any]:
            source, filename, uptodate = super().get_source(environment, template)
            if root is not None:
                real = os.path.realpath(filename)
                if os.path.commonpath([real, root]) != root:
                    from jinja2.exceptions import SecurityError

                    raise SecurityError(f"{filename} is a link to {real}, outside the template folder {root}; "
                                        "refused")
            loaded[template] = (filename, hashlib.sha256(source.encode()).hexdigest())
            return source, filename, uptodate

    env = ImmutableSandboxedEnvironment(loader=RecordingLoader(search_path), undefined=StrictUndefined,
                                        autoescape=_autoescape, trim_blocks=True, lstrip_blocks=True,
                                        keep_trailing_newline=True, bytecode_cache=_bytecode_cache())
    env.filters.update(datum=datum, kr=kr, lista=lista)
    return env


def _where(exc: BaseException, fallback: str) -> str:
    """'file:line' of the innermost template frame in the traceback (Jinja rewrites them)."""
    lineno = getattr(exc, "lineno", None)
    filename = getattr(exc, "filename", None) or getattr(exc, "name", None)
    tb = exc.__traceback__
    while tb is not None:
        name = tb.tb_frame.f_code.co_filename
        if name.endswith(".j2") or "<template>" in name:
            filename, lineno = name, tb.tb_lineno
        tb = tb.tb_next
    return f"{filename or fallback}" + (f":{lineno}" if lineno else "")


def describe(exc: BaseException, template: str) -> str:
    """One line naming template, line and cause, for every way a render can fail."""
    from jinja2 import TemplateNotFound, TemplateSyntaxError, UndefinedError
    from jinja2.exceptions import SecurityError

    if isinstance(exc, TemplateNotFound):
        return msg("{template}: template {name!r} not found", template=template, name=exc.name)
    where = _where(exc, template)
    text = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    if isinstance(exc, UndefinedError):
        m = re.search(r"has no attribute '([^']+)'", text) or re.search(r"'([^']+)' is undefined", text)
        return (msg("{where}: undefined variable {name!r} ({detail})", where=where, name=m.group(1), detail=text) if m
                else msg("{where}: undefined variable ({detail})", where=where, detail=text))
    if isinstance(exc, SecurityError):
        return msg("{where}: blocked by the sandbox: {detail}", where=where, detail=text)
    if isinstance(exc, TemplateSyntaxError):
        return msg("{where}: syntax error: {detail}", where=where, detail=text)
    if isinstance(exc, MemoryError):
        return msg("{where}: the template used too much memory", where=where)
    return f"{where}: {type(exc).__name__}: {text}"


_SHARED: dict[tuple[tuple[str, ...], str | None], Any] = {}


def shared_environment(search_path: list[str], root: str | None) -> Any:
    """One environment per search path for the worker's life (compiled templates cached, reloaded
    when a file changes); for e-mails, which need no record of the sources used."""
    key = (tuple(search_path), root)
    if key not in _SHARED:
        _SHARED[key] = make_environment(search_path, {}, root)
    return _SHARED[key]


def render_one(search_path: list[str], job: dict[str, Any], max_output: int, root: str | None = None) -> dict[str, Any]:
    loaded: dict[str, tuple[str, str]] = {}
    env = shared_environment(search_path, root) if job.get("shared") else make_environment(search_path, loaded, root)
    name = job.get("template") or job.get("name") or "<string>"
    try:  # a job names a template file, or brings its source (an e-mail subject line)
        template = env.from_string(job["source"]) if "source" in job else env.get_template(name)
        size, parts = 0, []
        for chunk in template.generate(job["context"]):
            size += len(chunk)
            if size > max_output:
                return {"ok": False, "error": f"{loaded.get(name, (name,))[0]}: output exceeds {max_output} characters"}
            parts.append(chunk)
    except Exception as exc:  # every failure becomes one line for the user
        return {"ok": False, "error": describe(exc, loaded.get(name, (name,))[0] or name)}
    return {"ok": True, "output": "".join(parts), "path": loaded.get(name, ("",))[0],
            "sources": sorted([n, p, h] for n, (p, h) in loaded.items())}


def _limit_memory() -> None:
    try:
        import resource

        resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT, MEMORY_LIMIT))
    except (ImportError, ValueError, OSError):  # not on this platform: the time bound still holds
        pass


def answer(request: dict[str, Any]) -> dict[str, Any]:
    path = [str(Path(p)) for p in request["search_path"]]
    root = os.path.realpath(request["root"]) if request.get("root") else None
    return {"results": [render_one(path, job, request["max_output"], root) for job in request["jobs"]]}


def main() -> None:
    """``--serve``: one JSON request per line until stdin closes; otherwise one request from stdin."""
    _limit_memory()
    if "--serve" not in sys.argv:
        json.dump(answer(json.load(sys.stdin)), sys.stdout, ensure_ascii=False)
        return
    for line in sys.stdin.buffer:
        sys.stdout.buffer.write(json.dumps(answer(json.loads(line)), ensure_ascii=False).encode() + b"\n")
        sys.stdout.buffer.flush()


if __name__ == "__main__":
    main()
