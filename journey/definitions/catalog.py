"""All workflow versions found in a directory, loaded side by side and looked up by name and version.

Parsed specs are cached (pickle in the user's cache directory, keyed by every file's path,
size and mtime and by journey's version), so read commands skip YAML parsing and checks.
"""

from __future__ import annotations

import os
import pickle
import zlib
from pathlib import Path

from journey.domain.errors import DefinitionError, InputError, NotFoundError
from journey.domain.messages import msg
from journey.domain.spec import WorkflowSpec

CACHE_FORMAT = 4  # raise when the shape of the pickled specs or the checks change (4: #13 choice labels)
_FROM_SETTINGS = object()


def require_workflow_files(directory: Path) -> list[Path]:
    """The workflow files below ``directory``, refusing a missing directory (exit 2) or one without any (exit 7)."""
    if not directory.is_dir():
        raise InputError(msg("{directory}: no such workflows directory (check --workflows / "
                             "JOURNEY_WORKFLOWS_DIR)", directory=directory))
    files = sorted(p for p in directory.rglob("*.y*ml") if p.suffix in (".yaml", ".yml"))
    if not files:
        raise DefinitionError(msg("no workflow files (*.yaml, *.yml) in this directory"), file=str(directory))
    return files


def _fingerprint(directory: Path, files: list[Path]) -> tuple[str, str]:
    """The cache file's name key (a CRC of the directory) and the stamp stored in the file, compared whole.

    No hashlib: it loads OpenSSL, which costs a read command more than reading the cache does. Two
    directories whose keys collide take turns in one cache file; their stamps tell them apart.
    """
    from journey import __version__

    resolved = str(directory.resolve())
    stamp = [f"{CACHE_FORMAT}:{__version__}:{resolved}"]
    for path in files:
        st = path.stat()
        stamp.append(f"{path}:{st.st_size}:{st.st_mtime_ns}")
    return f"{zlib.crc32(resolved.encode()):08x}", "\n".join(stamp)


def _load_cached(directory: Path, files: list[Path], cache: Path | None) -> list[WorkflowSpec]:
    key, fingerprint = _fingerprint(directory, files)
    target = cache / f"workflows-{key}.pickle" if cache else None
    if target is not None:
        try:
            with target.open("rb") as fh:
                stored_fingerprint, specs = pickle.load(fh)
            if stored_fingerprint == fingerprint:
                return specs  # type: ignore[no-any-return]
        except (OSError, pickle.PickleError, EOFError, ValueError, AttributeError, ImportError, TypeError):
            pass
    from journey.definitions.loader import load_all

    specs = load_all(files)
    if target is not None:
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            tmp = target.with_suffix(f".{os.getpid()}.tmp")
            with tmp.open("wb") as fh:
                pickle.dump((fingerprint, specs), fh, protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(tmp, target)
        except OSError:
            pass  # a read-only home only costs speed
    return specs


class WorkflowCatalog:
    """Specs keyed by ``(name, version)``; the highest version of a name is its latest."""

    def __init__(self, specs: list[WorkflowSpec]) -> None:
        self._specs = {(s.name, s.version): s for s in specs}

    @classmethod
    def from_directory(cls, directory: Path, cache_dir: Path | None | object = _FROM_SETTINGS) -> WorkflowCatalog:
        """Every workflow file below ``directory``; ``cache_dir`` holds parsed specs (None: no cache;
        by default the one the settings name)."""
        if cache_dir is _FROM_SETTINGS:
            from journey.config import spec_cache_dir

            cache_dir = spec_cache_dir()
        cache = cache_dir if isinstance(cache_dir, Path) else None
        files = sorted(p for p in directory.rglob("*.y*ml") if p.suffix in (".yaml", ".yml")) if directory.is_dir() else []
        return cls(_load_cached(directory, files, cache) if files else [])

    def names(self) -> list[str]:
        return sorted({name for name, _ in self._specs})

    def versions(self, name: str) -> list[int]:
        return sorted(v for n, v in self._specs if n == name)

    def all(self) -> list[WorkflowSpec]:
        return [self._specs[k] for k in sorted(self._specs)]

    def get(self, name: str, version: int | None = None) -> WorkflowSpec:
        versions = self.versions(name)
        if not versions:
            import difflib

            close = difflib.get_close_matches(name, self.names(), n=1)
            hint = msg("; did you mean {name!r}?", name=close[0]) if close else msg(
                "; known: {names}", names=", ".join(self.names()) or "-")
            raise NotFoundError(msg("unknown workflow {name!r}{hint}", name=name, hint=hint))
        if version is None:
            version = versions[-1]
        if version not in versions:
            raise NotFoundError(msg("workflow {name!r} has no version {version} (known: {str})",
                name=name, version=version, str=', '.join(map(str, versions))))
        return self._specs[(name, version)]
