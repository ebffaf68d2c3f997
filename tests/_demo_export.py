"""The demo network run on SQLite and exported, built on first use and shared by the xdist workers
(see :func:`build_demo_source`), for tests that need twelve municipalities at varied stages without
replaying the demo (documents make it slow)."""

from __future__ import annotations

import fcntl
import gzip
import hashlib
import json
import os
import shutil
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import pytest

from journey.adapters.clock import FixedClock
from journey.bootstrap import App
from journey.services.demo import run_demo
from journey.services.transfer import export_data
from tests.conftest import NOW, make_database_url, make_settings, workflows_v1


@dataclass(frozen=True)
class DemoSource:
    url: str  # the SQLite database the demo ran on (read it, do not change it)
    export: Path  # its export file


_built: dict[bool, DemoSource] = {}


def _session_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The directory this test session's processes share: the xdist workers' common parent, else the base."""
    base = tmp_path_factory.getbasetemp()
    return base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base


def build_demo_source(tmp_path_factory: pytest.TempPathFactory, version_1: bool = False) -> DemoSource:
    """Built once per test process at most, then shared: tests must not change it.

    The first worker to need it builds it where the session's workers share files; a worker that
    needs it meanwhile waits for that build (there are more workers than cores, so the wait leaves no
    core idle) and then reads it. ``version_1``: the demo as run before handbook@2 was published
    (every case on version 1).
    """
    if version_1 not in _built:
        name = "demo-source-v1" if version_1 else "demo-source"
        where = _session_dir(tmp_path_factory) / name
        with open(where.with_name(name + ".lock"), "w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)  # released when the file closes
            if not (where / "built").exists():
                shutil.rmtree(where, ignore_errors=True)  # a build that failed half-way
                where.mkdir()
                _build(where, version_1)
                (where / "built").touch()
        _built[version_1] = DemoSource(f"sqlite:///{where / 'journey.db'}", where / "demo.json")
    return _built[version_1]


def demo_copy(backend: str, request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[App]:
    """A fresh database of ``backend`` holding the shared demo (a copy of the SQLite file, or its export
    imported into a new PostgreSQL schema), with the users admin, skr and anna (coordinator in Umeå).

    The copy may be changed; its documents are the source's files (read them, do not change them).
    """
    from journey.services.registry import add_user
    from journey.services.transfer import import_data

    source = build_demo_source(tmp_path_factory)
    tmp = tmp_path_factory.mktemp("demo")
    url = make_database_url(backend, tmp, request)
    if backend == "sqlite":
        with sqlite3.connect(source.url.removeprefix("sqlite:///")) as src, \
                sqlite3.connect(url.removeprefix("sqlite:///")) as dst:
            src.backup(dst)
    app = App(make_settings(url, tmp), clock=FixedClock(NOW))
    try:
        if backend != "sqlite":
            import_data(app.deps, None, source.export)
        add_user(app.deps, None, "admin", "admin", None)
        add_user(app.deps, "admin", "skr", "skr", None)
        add_user(app.deps, "admin", "anna", "coordinator", "Umeå")
        yield app
    finally:
        app.close()


def _build(where: Path, version_1: bool) -> None:
    settings = make_settings(f"sqlite:///{where / 'journey.db'}", where)
    if version_1:
        settings = replace(settings, workflows_dir=workflows_v1(where / "workflows"))
    app = App(settings, clock=FixedClock(NOW))
    try:
        app.init_database()
        run_demo(app.deps, "demo")
        export_data(app.deps, "demo", where / "demo.json")
    finally:
        app.close()


def read_lines(path: Path) -> dict[str, Any]:
    """A format 2 export as one dict: the header's fields, ``tables`` (columns and rows), ``counts``, ``sha256``."""
    raw = path.read_bytes()
    lines = [json.loads(line) for line in (gzip.decompress(raw) if raw[:2] == b"\x1f\x8b" else raw).splitlines()]
    doc: dict[str, Any] = {**lines[0], "tables": {}}
    for line in lines[1:-1]:
        if isinstance(line, dict):
            body = doc["tables"][line["table"]] = {"columns": line["columns"], "rows": []}
        else:
            body["rows"].append(line)
    return doc | lines[-1]


def write_lines(doc: dict[str, Any], target: Path, keep_checksum: bool = False) -> Path:
    """``doc`` (as :func:`read_lines` gives it) written back as format 2, with a fresh checksum unless kept."""
    header = {k: v for k, v in doc.items() if k not in ("tables", "counts", "sha256")}
    body = [json.dumps(header | {"tables": list(doc["tables"])}, ensure_ascii=False)]
    for name, table in doc["tables"].items():
        body.append(json.dumps({"table": name, "columns": table["columns"]}, ensure_ascii=False))
        body += [json.dumps(row, ensure_ascii=False) for row in table["rows"]]
    data = "".join(line + "\n" for line in body).encode("utf-8")
    sha = doc["sha256"] if keep_checksum else hashlib.sha256(data).hexdigest()
    target.write_bytes(data + json.dumps({"counts": doc["counts"], "sha256": sha}).encode() + b"\n")
    return target
