"""The bad-input corpus (#16 §4): every case in tests/corpus/*.yaml, on SQLite and on PostgreSQL.

Each case is a command line (``args``, ``{tmp}`` is the case's own directory) run against a
database prepared by a named ``setup`` (default ``opened``), or against ``url`` when the case is
about the database URL. ``files`` are written into ``{tmp}`` first (``symlinks`` linked,
``copy_templates`` copies the shipped templates there), ``env`` adds environment variables; a
value ``{head, repeat, times, tail}`` stands for a big input. Every case must exit with its
``code``, print exactly one line on stderr (containing ``contains``, if given), never a
traceback, leave every table of the database exactly as it was, and create none of the
``absent`` paths. Cases run in-process through click's CliRunner; a case marked
``subprocess: true`` (argv bytes that are not UTF-8) runs ``python -m journey`` instead.

The databases of one setup are shared by the cases that use it (they must not change it).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.conftest import BACKENDS, PG_URL, ROOT, TEMPLATES, Cli, make_database_url
from tests.test_matters import EARLIER

CORPUS = Path(__file__).parent / "corpus"
PG_SERVER = PG_URL.rsplit("/", 1)[0] if PG_URL else "postgresql+psycopg://postgres@127.0.0.1:5432"  # {pg}
PG_HOST = PG_SERVER.rsplit("@", 1)[-1]  # {pg_host}
SETUPS: dict[str, list[str]] = {
    "empty": [],
    "init": ["init"],
    "opened": ["init", "municipalities seed", "users add admin --role admin", "open Tierp",
               "users add anna --role coordinator --municipality Tierp --email anna@tierp.se",
               "people add Tierp --name 'Anna Berg' --kind staff --share 20 --salary-group 5 --start 2022-01-01",
               "meetings add Tierp KS 2022-04-04"],
    "matter": ["init", "municipalities seed", "users add admin --role admin", f"open Umeå --at anchoring {EARLIER}",
               "matters register Umeå --diarienummer 'KS 2022/31'"],
}


def load_cases() -> list[Any]:
    cases = []
    for path in sorted(CORPUS.glob("*.yaml")):
        for case in yaml.safe_load(path.read_text(encoding="utf-8")):
            case.setdefault("setup", "opened")
            cases.append(pytest.param(case, id=f"{path.stem}:{case['id']}"))
    return cases


CASES = load_cases()


def dump(url: str) -> dict[str, list[str]]:
    """Every row of every table, sorted: what "the database is unchanged" compares."""
    from sqlalchemy import inspect, text

    from journey.adapters.sql.engine import make_engine

    if url.startswith("sqlite") and not Path(url.split("///", 1)[1]).exists():
        return {}
    engine = make_engine(url, create=False)
    try:
        with engine.connect() as conn:
            names = inspect(conn).get_table_names()
            return {name: sorted(repr(tuple(row)) for row in conn.execute(text(f'SELECT * FROM "{name}"')))
                    for name in names}
    finally:
        engine.dispose()


@pytest.fixture(scope="module", params=BACKENDS)
def databases(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    """One prepared database per setup on this backend, made when a case first needs it."""
    class Lazy(dict[str, Any]):
        backend = request.param

        def __missing__(self, setup: str) -> Any:
            base = tmp_path_factory.mktemp(f"corpus-{request.param}-{setup}")
            url = make_database_url(request.param, base, request)
            runner = Cli(url, base)
            for command in SETUPS[setup]:
                runner.ok(command, JOURNEY_USER="admin")
            self[setup] = (url, base)
            return self[setup]

    yield Lazy()


def _text(value: Any, tmp: Path) -> str:
    """A value of the corpus as text: ``{tmp}`` filled in; ``{head, repeat, times, tail}`` for big inputs."""
    if isinstance(value, dict):
        value = value.get("head", "") + value["repeat"] * value["times"] + value.get("tail", "")
    return str(value).replace("{tmp}", str(tmp)).replace("{pg}", PG_SERVER).replace("{pg_host}", PG_HOST)


def prepare(case: dict[str, Any], tmp: Path) -> None:
    """Write the case's files (and a copy of the shipped templates, symbolic links) into ``tmp``."""
    if case.get("copy_templates"):
        shutil.copytree(TEMPLATES, tmp / "templates")
    for name, content in (case.get("files") or {}).items():
        target = tmp / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(_text(content, tmp), encoding=case.get("encoding", "utf-8"), newline="")
    for name, points_to in (case.get("symlinks") or {}).items():
        link = tmp / name
        link.parent.mkdir(parents=True, exist_ok=True)
        link.unlink(missing_ok=True)
        link.symlink_to(_text(points_to, tmp))


def run_case(case: dict[str, Any], url: str, home: Path, tmp: Path) -> tuple[int, str, str]:
    env = {"JOURNEY_USER": "admin", **{k: _text(v, tmp) for k, v in (case.get("env") or {}).items()}}
    runner = Cli(url, home)
    if case.get("subprocess"):  # argv bytes that are not UTF-8 cannot pass through CliRunner faithfully
        args = [a if isinstance(a, bytes) else os.fsencode(_text(a, tmp)) for a in case["argv"]]
        proc = subprocess.run([os.fsencode(sys.executable), b"-m", b"journey", *args],
                              env={**os.environ, **runner.env, **env}, cwd=ROOT, capture_output=True, timeout=60)
        return proc.returncode, proc.stdout.decode(errors="replace"), proc.stderr.decode(errors="replace")
    args = [_text(a, tmp) for a in case["args"]] if isinstance(case["args"], list) else _text(case["args"], tmp)
    result = runner(args, **env)
    return result.exit_code, result.stdout, result.stderr


@pytest.mark.parametrize("case", CASES)
def test_bad_input(case: dict[str, Any], databases: dict[str, Any], tmp_path: Path) -> None:
    postgres = databases.backend == "postgres"
    if case.get("sqlite_only") and postgres:
        pytest.skip("a case about the SQLite file")
    if case.get("postgres") and not postgres:
        pytest.skip("a case that needs the PostgreSQL server")
    url, home = databases[case["setup"]]
    prepare(case, tmp_path)
    before = dump(url)
    code, out, err = run_case(case, _text(case["url"], tmp_path) if case.get("url") else url, home, tmp_path)
    lines = err.strip().splitlines()
    assert "Traceback" not in out + err, err
    assert code == case["code"], f"exit {code}, expected {case['code']}: {err or out}"
    assert len(lines) == 1, f"expected one line on stderr, got {len(lines)}: {err!r}"
    if case.get("contains"):
        assert case["contains"] in lines[0], lines[0]
    assert dump(url) == before, "the database changed"
    for leftover in case.get("absent") or []:
        assert not Path(_text(leftover, tmp_path)).exists(), f"{leftover} was created"


def test_the_corpus_is_large_and_covers_every_area() -> None:
    areas = {p.stem for p in CORPUS.glob("*.yaml")}
    assert {"workflow_yaml", "evidence", "names", "calendars", "addresses", "output_paths", "template_overrides",
            "export_files", "cli_args", "database_urls"} <= areas
    assert len(CASES) >= 120
    assert len({c.id for c in CASES}) == len(CASES)
