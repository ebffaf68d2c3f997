"""Where the documents are (issue 13 §5): `advance` names the files it wrote, and they are group-readable."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from journey.adapters.files import default_mode, write_atomically
from tests.conftest import Cli
from tests.test_journey_cli import JOURNEY


def test_advance_prints_the_documents_it_wrote_and_where(cli: Cli, tmp_path: Path) -> None:
    cli.ok("municipalities seed")
    cli.ok("open Härjedalen --as anna")
    out = ""
    for trigger, evidence in JOURNEY[:6]:  # ... express_political_intent enters `policy`
        out = cli.ok(f"advance Härjedalen {trigger} {evidence} --as anna").output
    folder = tmp_path / "documents" / "härjedalen"
    assert f"Documents written to {folder}/:" in out
    listed = [line.split()[0] for line in out.splitlines() if line.startswith("  ")]
    assert "2022-03-01_tjänsteskrivelse-riktlinje-för-sociala-företag_v1.docx" in listed
    assert all((folder / name).is_file() for name in listed)
    quiet = cli.ok("advance Härjedalen adopt_policy -e organ=KS -e meeting_date=2021-12-13 -e paragraph=112 "
                   "-e diarienummer='KS 2022/245' -e title='Riktlinje' -e document_type=riktlinje --as anna --dry-run")
    assert "Documents written" not in quiet.output


@pytest.mark.parametrize("umask", [0o022, 0o027])
def test_files_are_readable_by_the_group_honouring_the_umask(tmp_path: Path, umask: int) -> None:
    old = os.umask(umask)
    try:
        assert default_mode() == 0o666 & ~umask
        write_atomically(tmp_path / "a.docx", b"x")
    finally:
        os.umask(old)
    mode = stat.S_IMODE((tmp_path / "a.docx").stat().st_mode)
    assert mode == (0o644 if umask == 0o022 else 0o640)
    assert mode & stat.S_IRGRP  # never mkstemp's 0600


def test_documents_written_on_advance_are_group_readable(cli: Cli, tmp_path: Path) -> None:
    cli.ok("municipalities seed")
    cli.ok("open Härjedalen --as anna")
    for trigger, evidence in JOURNEY[:2]:
        cli.ok(f"advance Härjedalen {trigger} {evidence} --as anna")
    files = list((tmp_path / "documents" / "härjedalen").iterdir())
    assert files and all(stat.S_IMODE(f.stat().st_mode) & stat.S_IRGRP for f in files)
