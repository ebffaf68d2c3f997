"""Safe YAML loading that remembers the file and line of every mapping and key."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from journey.domain.errors import DefinitionError

_Base: type = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class LineDict(dict):  # type: ignore[type-arg]
    """A dict from YAML that knows where it and each of its keys stand."""

    file: str = ""
    line: int | None = None

    def __init__(self) -> None:
        super().__init__()
        self.lines: dict[Any, int] = {}

    def line_of(self, key: Any) -> int | None:
        return self.lines.get(key, self.line)


class LineList(list):  # type: ignore[type-arg]
    file: str = ""
    line: int | None = None


class _Loader(_Base):  # type: ignore[misc,valid-type]
    source_name = ""


def _mapping(loader: _Loader, node: yaml.MappingNode) -> LineDict:
    loader.flatten_mapping(node)
    result = LineDict()
    result.file, result.line = loader.source_name, node.start_mark.line + 1
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        line = key_node.start_mark.line + 1
        if not isinstance(key, str | int):
            raise DefinitionError("mapping keys must be text", file=loader.source_name, line=line)
        if key in result:
            raise DefinitionError(f"duplicate key {key!r}", file=loader.source_name, line=line, key=str(key))
        result[key] = loader.construct_object(value_node, deep=True)
        result.lines[key] = line
    return result


def _sequence(loader: _Loader, node: yaml.SequenceNode) -> LineList:
    result = LineList(loader.construct_object(child, deep=True) for child in node.value)
    result.file, result.line = loader.source_name, node.start_mark.line + 1
    return result


_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _mapping)
_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_SEQUENCE_TAG, _sequence)


def load_text(text: str, source: str = "<string>") -> Any:
    """Parse YAML with line tracking; syntax errors become a one-line :class:`DefinitionError`."""
    loader = _Loader(text)
    loader.source_name = source
    try:
        return loader.get_single_data()
    except DefinitionError:
        raise
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else None
        problem = (exc.problem or exc.context or "invalid YAML").strip()
        raise DefinitionError(f"invalid YAML: {problem}", file=source, line=line) from None
    except yaml.YAMLError as exc:
        raise DefinitionError(f"invalid YAML: {exc}", file=source) from None
    finally:
        loader.dispose()


def load_file(path: Path) -> Any:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise DefinitionError("no such file", file=str(path)) from None
    except UnicodeDecodeError:
        raise DefinitionError("not UTF-8 text", file=str(path)) from None
    return load_text(text, str(path))
