"""Babel extractor for journey's Python files: gettext keywords (``_``, ``msg``, ``nmsg``) plus click help texts.

Click help texts are plain strings (``help=``, ``short_help=``, ``epilog=`` and the docstrings of
click commands), translated when a command is looked up (``journey.cli._i18n.localize``), so they
are extracted here by walking the syntax tree. Used by ``make messages`` through babel.cfg
(``PYTHONPATH=scripts``) and by tests/test_i18n.py.
"""

from __future__ import annotations

import ast
import inspect
from collections.abc import Iterator
from typing import Any

from babel.messages.extract import extract_python

HELP_KEYWORDS = ("help", "short_help", "epilog")


def _is_click_decorator(node: ast.expr) -> bool:
    func = node.func if isinstance(node, ast.Call) else node
    name = func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else ""
    return name in {"command", "group"}


def help_texts(source: str) -> Iterator[tuple[int, str]]:
    """(line, text) of every click help text in ``source``, as click shows it (``inspect.cleandoc``).

    ``help=``/``short_help=``/``epilog=`` keywords, ``{"help": ...}`` entries of option tables, and
    docstrings of functions decorated as click commands or groups.
    """
    tree = ast.parse(source)
    constants = {t.id: n.value.value for n in tree.body if isinstance(n, ast.Assign)
                 for t in n.targets if isinstance(t, ast.Name)
                 and isinstance(n.value, ast.Constant) and isinstance(n.value.value, str)}
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            for kw in node.keywords:
                if kw.arg in HELP_KEYWORDS:
                    if isinstance(kw.value, ast.Constant) and isinstance(kw.value.value, str):
                        yield kw.value.lineno, inspect.cleandoc(kw.value.value)
                    elif isinstance(kw.value, ast.Name) and kw.value.id in constants:
                        yield kw.value.lineno, inspect.cleandoc(constants[kw.value.id])
        elif isinstance(node, ast.Dict):  # option settings kept in a table: {"help": "..."}
            for key, value in zip(node.keys, node.values, strict=True):
                if (isinstance(key, ast.Constant) and key.value in HELP_KEYWORDS and isinstance(value, ast.Constant)
                        and isinstance(value.value, str)):
                    yield value.lineno, inspect.cleandoc(value.value)
        elif isinstance(node, ast.FunctionDef) and any(_is_click_decorator(d) for d in node.decorator_list):
            doc = ast.get_docstring(node, clean=True)
            if doc:
                yield node.lineno, doc


def extract(fileobj: Any, keywords: Any, comment_tags: Any, options: Any) -> Iterator[tuple[int, Any, Any, list[str]]]:
    yield from extract_python(fileobj, keywords, comment_tags, options)
    name = str(getattr(fileobj, "name", "")).replace("\\", "/")
    if "/journey/cli/" in name or name.startswith("journey/cli/"):
        fileobj.seek(0)
        for lineno, text in help_texts(fileobj.read().decode("utf-8")):
            if text.strip():
                yield lineno, None, text, []
