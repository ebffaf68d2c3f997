"""The dependency rules of docs/architecture.md, checked by walking every import statement."""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "journey"
STDLIB = set(sys.stdlib_module_names)
FORBIDDEN_IN_SERVICES = {"sqlmodel", "sqlalchemy", "jinja2", "smtplib", "click", "apscheduler", "docx", "docxtpl",
                         "openpyxl", "psycopg", "alembic", "rich"}


def imports(path: Path) -> list[str]:
    names = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names += [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.append(node.module)
    return names


def modules(layer: str) -> list[Path]:
    return sorted((PACKAGE / layer).rglob("*.py"))


@pytest.mark.parametrize("path", modules("domain"), ids=lambda p: p.name)
def test_domain_imports_only_the_standard_library(path: Path) -> None:
    bad = [n for n in imports(path) if n.split(".")[0] not in STDLIB and not n.startswith("journey.domain")]
    assert not bad, f"{path.name} imports {bad}"


@pytest.mark.parametrize("path", modules("services"), ids=lambda p: p.name)
def test_services_reach_adapters_only_through_ports(path: Path) -> None:
    bad = [n for n in imports(path) if n.split(".")[0] in FORBIDDEN_IN_SERVICES or n.startswith("journey.adapters")
           or n.startswith("journey.cli") or n == "journey.bootstrap"]
    assert not bad, f"{path.name} imports {bad}"


@pytest.mark.parametrize("path", modules("definitions"), ids=lambda p: p.name)
def test_definitions_never_touch_storage(path: Path) -> None:
    bad = [n for n in imports(path) if n.split(".")[0] in {"sqlmodel", "sqlalchemy", "click"}
           or n.startswith(("journey.adapters", "journey.services", "journey.cli"))]
    assert not bad, f"{path.name} imports {bad}"


def test_importing_journey_and_the_cli_is_cheap() -> None:
    import subprocess

    code = ("import sys, journey.cli, journey.cli.cases, journey.services.cases.views, journey.bootstrap; "
            "print(','.join(m for m in ('sqlalchemy','sqlmodel','alembic','transitions','jinja2','apscheduler') "
            "if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip()
    assert out == "", f"heavy modules imported on the read path: {out}"
