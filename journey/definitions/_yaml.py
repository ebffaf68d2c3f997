"""Safe YAML loading that remembers the file and line of every mapping and key.

A workflow file is data an administrator edits, but a mistake or a hostile file must not
cost the machine: before anything is built, one pass over the parser's events refuses a
file larger than :data:`MAX_BYTES`, nested deeper than :data:`MAX_DEPTH`, or with aliases
that are recursive, more than :data:`MAX_ALIASES`, or expand to more than
:data:`MAX_ALIAS_NODES` nodes (the "billion laughs"). Each is a one-line
:class:`DefinitionError` naming the file and line (exit code 7).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from journey.domain.errors import DefinitionError
from journey.domain.messages import msg

_Base: type = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

MAX_BYTES = 4 * 1024 * 1024  # a large workflow is some 50 KB; 20 000 states fit in 2 MB
MAX_DEPTH = 40  # nested mappings and lists; a workflow needs about 8
MAX_ALIASES = 1000  # uses of *alias (and <<: *alias)
MAX_ALIAS_NODES = 100_000  # nodes the aliases stand for, counted as if written out


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


class _Loader(_Base):  # type: ignore[misc]
    source_name = ""


def _mapping(loader: _Loader, node: yaml.MappingNode) -> LineDict:
    loader.flatten_mapping(node)
    result = LineDict()
    result.file, result.line = loader.source_name, node.start_mark.line + 1
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        line = key_node.start_mark.line + 1
        if not isinstance(key, str | int):
            raise DefinitionError(msg("mapping keys must be text"), file=loader.source_name, line=line)
        if key in result:
            raise DefinitionError(msg("duplicate key {key!r}", key=key), file=loader.source_name, line=line, key=str(key))
        result[key] = loader.construct_object(value_node, deep=True)
        result.lines[key] = line
    return result


def _sequence(loader: _Loader, node: yaml.SequenceNode) -> LineList:
    result = LineList(loader.construct_object(child, deep=True) for child in node.value)
    result.file, result.line = loader.source_name, node.start_mark.line + 1
    return result


_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _mapping)
_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_SEQUENCE_TAG, _sequence)


def _check_events(text: str, source: str) -> None:
    """One pass over the events: refuse deep nesting and aliases that are recursive or expand too far."""
    open_nodes: list[list[Any]] = []  # [anchor, expanded size so far] of each open mapping or list
    sizes: dict[str | None, int] = {}  # anchor -> the expanded size of the node it names
    aliases = expanded = 0
    for event in yaml.parse(text, Loader=_Base):
        line = event.start_mark.line + 1 if event.start_mark else None
        if isinstance(event, yaml.CollectionStartEvent):
            if len(open_nodes) >= MAX_DEPTH:
                raise DefinitionError(msg("nested deeper than {max_depth} levels",
                                          max_depth=MAX_DEPTH), file=source, line=line)
            open_nodes.append([event.anchor, 1])
            continue
        if isinstance(event, yaml.CollectionEndEvent):
            anchor, size = open_nodes.pop()
            if anchor is not None:
                sizes[anchor] = size
        elif isinstance(event, yaml.ScalarEvent):
            size = 1
            if event.anchor is not None:
                sizes[event.anchor] = 1
        elif isinstance(event, yaml.AliasEvent):
            if any(anchor == event.anchor for anchor, _ in open_nodes):
                raise DefinitionError(msg("alias *{anchor} refers to a node that contains it",
                                          anchor=event.anchor), file=source,
                                      line=line)
            size = sizes.get(event.anchor, 1)  # an undefined alias is reported by the composer
            aliases, expanded = aliases + 1, expanded + size
            if aliases > MAX_ALIASES or expanded > MAX_ALIAS_NODES:
                raise DefinitionError(msg("aliases expand too far (more than {max_aliases} aliases or "
                                          "{max_alias_nodes} nodes): a \"billion laughs\" file?",
                    max_aliases=MAX_ALIASES, max_alias_nodes=MAX_ALIAS_NODES), file=source, line=line)
        else:
            continue
        if open_nodes:
            open_nodes[-1][1] += size


def load_text(text: str, source: str = "<string>") -> Any:
    """Parse YAML with line tracking; syntax errors and the limits above become a one-line :class:`DefinitionError`."""
    if len(text) > MAX_BYTES:
        raise DefinitionError(msg("larger than {value} MiB; is this a workflow file?",
                                  value=MAX_BYTES // (1024 * 1024)), file=source)
    loader = _Loader(text)
    loader.source_name = source
    try:
        _check_events(text, source)
        return loader.get_single_data()
    except DefinitionError:
        raise
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else None
        problem = (exc.problem or exc.context or "invalid YAML").strip()
        raise DefinitionError(msg("invalid YAML: {problem}", problem=problem), file=source, line=line) from None
    except yaml.YAMLError as exc:
        raise DefinitionError(msg("invalid YAML: {exc}", exc=exc), file=source) from None
    finally:
        loader.dispose()


def load_file(path: Path) -> Any:
    try:
        if path.stat().st_size > MAX_BYTES:
            raise DefinitionError(msg("larger than {value} MiB; is this a workflow file?",
                value=MAX_BYTES // (1024 * 1024)),
                                  file=str(path))
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise DefinitionError(msg("no such file"), file=str(path)) from None
    except UnicodeDecodeError:
        raise DefinitionError(msg("not UTF-8 text"), file=str(path)) from None
    return load_text(text, str(path))
