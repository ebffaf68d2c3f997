"""The dependency rules of docs/architecture.md, checked by walking every import statement.

Relative imports are resolved to absolute names first, so ``from ..adapters import x`` counts too.
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "journey"
STDLIB = set(sys.stdlib_module_names)
THIRD_PARTY_IO = {"sqlmodel", "sqlalchemy", "jinja2", "smtplib", "click", "apscheduler", "docx", "openpyxl",
                  "psycopg", "psycopg2", "alembic", "rich", "fastapi", "starlette", "uvicorn", "argon2", "icalendar",
                  "recurring_ical_events", "holidays", "yaml", "transitions", "httpx"}


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports(path: Path) -> list[str]:
    """Every module ``path`` imports, relative imports resolved against its package."""
    package = module_name(path) if path.name == "__init__.py" else module_name(path).rpartition(".")[0]
    names = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names += [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                names.append(".".join(base + ([node.module] if node.module else [])))
            elif node.module:
                names.append(node.module)
    return names


def modules(layer: str) -> list[Path]:
    target = PACKAGE / layer
    return sorted(target.rglob("*.py")) if target.is_dir() else [target.with_suffix(".py")]


def outside(path: Path, allowed: tuple[str, ...]) -> list[str]:
    """The journey modules ``path`` imports that are not under one of ``allowed``."""
    return sorted({n for n in imports(path) if (n == "journey" or n.startswith("journey."))
                   and n != "journey" and not any(n == a or n.startswith(a + ".") for a in allowed)})


def ids(path: Path) -> str:
    return str(path.relative_to(PACKAGE))


@pytest.mark.parametrize("path", modules("domain"), ids=ids)
def test_domain_imports_only_the_standard_library(path: Path) -> None:
    bad = [n for n in imports(path) if n.split(".")[0] not in STDLIB and not n.startswith("journey.domain")]
    assert not bad, f"{path.name} imports {bad}"


@pytest.mark.parametrize("path", modules("ports"), ids=ids)
def test_ports_name_only_domain_types(path: Path) -> None:
    bad = outside(path, ("journey.domain", "journey.ports"))
    bad += [n for n in imports(path) if n.split(".")[0] in THIRD_PARTY_IO]
    assert not bad, f"{path.name} imports {bad}"


@pytest.mark.parametrize("path", modules("services"), ids=ids)
def test_services_reach_adapters_only_through_ports(path: Path) -> None:
    bad = outside(path, ("journey.domain", "journey.definitions", "journey.ports", "journey.services"))
    bad += [n for n in imports(path) if n.split(".")[0] in THIRD_PARTY_IO - {"yaml", "transitions"}]
    assert not bad, f"{path.name} imports {bad}"


@pytest.mark.parametrize("path", modules("definitions"), ids=ids)
def test_definitions_never_touch_storage(path: Path) -> None:
    bad = outside(path, ("journey.domain", "journey.definitions", "journey.config"))
    bad += [n for n in imports(path) if n.split(".")[0] in {"sqlmodel", "sqlalchemy", "click"}]
    assert not bad, f"{path.name} imports {bad}"


@pytest.mark.parametrize("path", modules("adapters"), ids=ids)
def test_adapters_import_only_domain_ports_and_adapters(path: Path) -> None:
    bad = outside(path, ("journey.domain", "journey.ports", "journey.adapters"))
    assert not bad, f"{path.name} imports {bad}"


@pytest.mark.parametrize("path", modules("cli"), ids=ids)
def test_the_cli_is_thin(path: Path) -> None:
    """The CLI parses, calls a use case and prints: it reaches adapters only through the composition root."""
    bad = outside(path, ("journey.bootstrap", "journey.services", "journey.domain.errors", "journey.cli"))
    assert not bad, f"{path.name} imports {bad}"


@pytest.mark.parametrize("path", modules("server") + modules("scheduler"), ids=ids)
def test_the_server_and_the_scheduler_are_thin(path: Path) -> None:
    bad = outside(path, ("journey.bootstrap", "journey.services", "journey.ports", "journey.domain",
                         "journey.definitions", "journey.server", "journey.scheduler"))
    assert not bad, f"{path.name} imports {bad}"


def test_only_the_composition_root_builds_adapters() -> None:
    """Outside adapters/ (and tests) only journey/bootstrap/ imports a concrete adapter."""
    offenders = {ids(p): [n for n in imports(p) if n.startswith("journey.adapters")]
                 for p in sorted(PACKAGE.rglob("*.py"))
                 if not ids(p).startswith(("adapters/", "bootstrap/"))}
    assert not {k: v for k, v in offenders.items() if v}


def test_only_config_reads_the_environment() -> None:
    readers = []
    for path in sorted(PACKAGE.rglob("*.py")):
        text = path.read_text(encoding="utf-8")
        if ("os.environ" in text or "getenv(" in text or "getpass" in text) and ids(path) != "config.py":
            readers.append(ids(path))
    assert readers == []


def _is_protocol(base: ast.expr) -> bool:
    """``Protocol``, ``typing.Protocol`` or ``Protocol[T]`` among a class's bases."""
    if isinstance(base, ast.Subscript):
        base = base.value
    return (isinstance(base, ast.Name) and base.id == "Protocol") or (
        isinstance(base, ast.Attribute) and base.attr == "Protocol")


def test_every_protocol_lives_in_ports() -> None:
    """A port is a typing.Protocol, and every one is in journey/ports/ (one place to find what a use case needs)."""
    protocols = [f"{ids(path)}:{node.lineno} {node.name}" for path in sorted(PACKAGE.rglob("*.py"))
                 for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
                 if isinstance(node, ast.ClassDef) and any(_is_protocol(b) for b in node.bases)]
    assert "ports/clock.py:9 Clock" in protocols  # the check sees them
    assert [p for p in protocols if not p.startswith("ports/")] == []


def test_importing_journey_and_the_cli_is_cheap() -> None:
    import subprocess

    code = ("import sys, journey.cli, journey.cli.cases, journey.services.cases.views, journey.bootstrap; "
            "print(','.join(m for m in ('sqlalchemy','sqlmodel','alembic','transitions','jinja2','apscheduler') "
            "if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip()
    assert out == "", f"heavy modules imported on the read path: {out}"
