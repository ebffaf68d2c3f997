"""Use cases over workflow versions: which spec a reference names, and what changed between two."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

from journey.definitions.catalog import WorkflowCatalog
from journey.definitions.diff import WorkflowDiff, diff_specs
from journey.definitions.variants import parse_ref
from journey.domain.case_migration import chain, check_chain, state_map
from journey.domain.errors import DefinitionError, DefinitionErrors, InputError, NotFoundError
from journey.domain.messages import message_of, msg
from journey.domain.spec import WorkflowSpec


def resolve(registry: WorkflowCatalog, ref: str, workflows_dir: Path) -> WorkflowSpec:
    """``handbook`` (latest), ``handbook@2``, or a YAML file (e.g. a draft not yet published)."""
    if ref.endswith((".yaml", ".yml")):
        return _draft(Path(ref), workflows_dir)
    name, version = parse_ref(ref)
    if "@" in ref and version is None:
        raise InputError(msg("{ref!r}: the version after '@' must be a whole number, e.g. handbook@2", ref=ref))
    return registry.get(name, version)


def _draft(path: Path, workflows_dir: Path) -> WorkflowSpec:
    """Load a file with the directory's workflows as bases (a published twin of the same version is replaced)."""
    from journey.definitions.loader import load_draft

    return load_draft(path, workflows_dir)


def diff_workflows(registry: WorkflowCatalog, old_ref: str, new_ref: str | None,
                   workflows_dir: Path) -> WorkflowDiff:
    """Diff two versions; renames come from the ``migrations:`` of the versions in between."""
    old = resolve(registry, old_ref, workflows_dir)
    new = resolve(registry, new_ref, workflows_dir) if new_ref else registry.get(old.name)
    if old.name != new.name or old.version >= new.version:
        diff = diff_specs([old, replace(new, migrations=())])
        diff.hints.insert(0, msg("{new} does not migrate from {old}: renames are only guessed", new=new.key,
                                 old=old.key))
        return diff

    def get(version: int) -> WorkflowSpec:
        return new if version == new.version else registry.get(new.name, version)

    specs = chain(get, old.version, new.version)
    errors = check_chain(specs)
    if errors:
        raise DefinitionErrors(errors)
    return diff_specs(specs)


def check_migrations(registry: Callable[[], WorkflowCatalog], specs: list[WorkflowSpec]) -> list[DefinitionError]:
    """For each spec with a ``migrations:`` block, the old paths it maps must exist in its ``from`` version.

    The published workflows (``registry``) are loaded only when some spec has such a block.
    """
    errors: list[DefinitionError] = []
    for spec in specs:
        if not spec.migrations:
            continue
        source = state_map(spec).source
        try:
            old = registry().get(spec.name, source)
        except NotFoundError as exc:
            errors.append(DefinitionError(message_of(exc), file=spec.source_file, key="migrations.from"))
            continue
        errors += check_chain([old, spec])
    return errors
