"""Load workflow files: YAML -> merged raw definition (variants) -> checked WorkflowSpec."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from journey.definitions import _yaml
from journey.definitions.shape import Problems, build_spec
from journey.definitions.validate import check_graph
from journey.definitions.variants import merge, parse_ref
from journey.domain.errors import DefinitionError, DefinitionErrors, NotFoundError
from journey.domain.messages import msg
from journey.domain.spec import WorkflowSpec


def _raise(errors: list[DefinitionError]) -> None:
    if errors:
        raise DefinitionErrors(errors)


def read_raw(path: Path) -> _yaml.LineDict:
    raw = _yaml.load_file(path)
    if not isinstance(raw, _yaml.LineDict):
        raise DefinitionError(msg("a workflow file must be a mapping with workflow:, version:, states: ..."), file=str(path),
                              line=getattr(raw, "line", 1))
    return raw


def spec_from_raw(raw: Any, source: str) -> WorkflowSpec:
    """Build and check a spec from a fully merged raw definition; raise all problems at once."""
    problems = Problems()
    spec = build_spec(raw, problems, source)
    _raise(problems.errors)
    assert spec is not None
    _raise(check_graph(spec))
    return spec


def load_text(text: str, source: str = "<string>") -> WorkflowSpec:
    """Load a self-contained (non-variant) workflow from YAML text."""
    raw = _yaml.load_text(text, source)
    if isinstance(raw, _yaml.LineDict) and "extends" in raw:
        raise DefinitionError(msg("a variant must be loaded together with the workflow it extends"), file=source,
                              line=raw.line_of("extends"), key="extends")
    return spec_from_raw(raw, source)


def load_all(paths: list[Path], read: dict[Path, Any] | None = None) -> list[WorkflowSpec]:
    """Load several files, resolving ``extends`` between them (in any order).

    ``read`` holds files the caller has already parsed with :func:`read_raw` (each is parsed once).
    """
    read = read or {}
    raws = {str(p): read[p] if p in read else read_raw(p) for p in paths}
    by_key: dict[tuple[str, int], str] = {}
    for source, raw in raws.items():
        name, version = raw.get("workflow"), raw.get("version")
        if isinstance(name, str) and isinstance(version, int):
            if (name, version) in by_key:
                raise DefinitionError(msg("{name}@{version} is also defined in {value}",
                    name=name, version=version, value=by_key[name, version]), file=source,
                                      line=raw.line_of("workflow"), key="workflow")
            by_key[(name, version)] = source
    resolved: dict[str, Any] = {}

    def resolve(source: str, chain: tuple[str, ...] = ()) -> Any:
        if source in resolved:
            return resolved[source]
        raw = raws[source]
        ref = raw.get("extends")
        if ref is None:
            resolved[source] = raw
            return raw
        if not isinstance(ref, str):
            raise DefinitionError(msg("must be a workflow name, optionally name@version"), file=source,
                                  line=raw.line_of("extends"), key="extends")
        name, version = parse_ref(ref)
        candidates = sorted(v for (n, v) in by_key if n == name)
        if not candidates or (version is not None and version not in candidates):
            raise DefinitionError(msg("extends unknown workflow {ref!r}", ref=ref), file=source, line=raw.line_of("extends"),
                                  key="extends")
        base_source = by_key[(name, version if version is not None else candidates[-1])]
        if base_source in chain or base_source == source:
            raise DefinitionError(msg("circular extends via {ref!r}", ref=ref), file=source, line=raw.line_of("extends"),
                                  key="extends")
        problems = Problems()
        merged = merge(resolve(base_source, (*chain, source)), raw, problems)
        _raise(problems.errors)
        resolved[source] = merged
        return merged

    return [spec_from_raw(resolve(source), source) for source in raws]


def workflow_files(directory: Path) -> list[Path]:
    """The workflow files below ``directory`` (*.yaml, *.yml), sorted; none if it is not a directory."""
    if not directory.is_dir():
        return []
    return sorted(p for p in directory.rglob("*.y*ml") if p.suffix in (".yaml", ".yml"))


def load_drafts(targets: list[Path], directory: Path) -> list[WorkflowSpec]:
    """Load ``targets`` with the directory's other workflows as bases for ``extends``.

    A base with the same name and version as a target is the published twin of the draft being
    edited: it is left out. Returns the specs of the targets only.
    """
    chosen = [p.resolve() for p in targets]
    read: dict[Path, Any] = {}  # each file is parsed once

    def key(path: Path) -> tuple[object, object]:
        if path not in read:
            read[path] = read_raw(path)
        return read[path].get("workflow"), read[path].get("version")

    keys = {key(p) for p in chosen}
    bases = [p.resolve() for p in workflow_files(directory)]
    bases = [p for p in bases if p not in chosen and key(p) not in keys]
    names = {str(p) for p in chosen}
    return [s for s in load_all(chosen + bases, read) if str(Path(s.source_file).resolve()) in names]


def load_draft(path: Path, directory: Path) -> WorkflowSpec:
    """One workflow file, e.g. a draft not yet published, with the directory's workflows as bases."""
    if not path.is_file():
        raise NotFoundError(msg("no such workflow file {path!r}", path=str(path)))
    return load_drafts([path], directory)[0]
