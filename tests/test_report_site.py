"""The report's folder is published whole (#14): a reader and a failed run never see a mix of two reports."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from journey.adapters.exports import site as site_module
from journey.adapters.exports.site import DirectorySite


def _previous_report(root: Path) -> None:
    (root / "kommun").mkdir(parents=True)
    (root / "kommun" / "umea.html").write_text("old Umeå", encoding="utf-8")
    (root / "kommun" / "gone.html").write_text("a municipality no longer listed", encoding="utf-8")
    (root / "index.html").write_text("old index", encoding="utf-8")
    (root / "notes.txt").write_text("the user's own file", encoding="utf-8")


def _tree(root: Path) -> dict[str, str]:
    return {str(p.relative_to(root)): p.read_text(encoding="utf-8") for p in sorted(root.rglob("*")) if p.is_file()}


@pytest.mark.parametrize("exchange", [True, False], ids=["renameat2", "two-renames"])
def test_publishing_replaces_the_previous_report_whole(tmp_path: Path, exchange: bool,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    if not exchange:  # another system, or a file system without RENAME_EXCHANGE
        monkeypatch.setattr(site_module, "_exchange", lambda a, b: False)
    root = tmp_path / "site"
    _previous_report(root)
    site = DirectorySite(root)
    assert site.write("kommun/umea.html", "new Umeå") == root / "kommun" / "umea.html"
    site.write("kommun/tierp.html", "new Tierp")
    site.write("index.html", "new index")
    assert (root / "kommun" / "umea.html").read_text(encoding="utf-8") == "old Umeå"  # nothing shows before publish
    assert not (root / "kommun" / "tierp.html").exists()
    site.publish()
    assert _tree(root) == {"index.html": "new index", "kommun/tierp.html": "new Tierp", "kommun/umea.html": "new Umeå",
                           "notes.txt": "the user's own file"}
    assert sorted(p.name for p in root.iterdir()) == ["index.html", "kommun", "notes.txt"]  # no staging left


def test_a_first_report_and_a_page_mode_that_follows_the_umask(tmp_path: Path) -> None:
    old = os.umask(0o027)
    try:
        site = DirectorySite(tmp_path / "new" / "site")
        site.write("kommun/umea.html", "Umeå")
        site.write("index.html", "index")
        site.publish()
    finally:
        os.umask(old)
    page = tmp_path / "new" / "site" / "kommun" / "umea.html"
    assert page.read_text(encoding="utf-8") == "Umeå"
    assert stat.S_IMODE(page.stat().st_mode) == 0o640


def test_a_discarded_report_leaves_the_previous_one_and_nothing_else(tmp_path: Path) -> None:
    root = tmp_path / "site"
    _previous_report(root)
    before = _tree(root)
    site = DirectorySite(root)
    site.write("kommun/umea.html", "half of a new report")
    site.discard()
    assert _tree(root) == before
    assert sorted(p.name for p in root.iterdir()) == ["index.html", "kommun", "notes.txt"]


def test_what_a_killed_run_left_is_removed_by_the_next(tmp_path: Path) -> None:
    root = tmp_path / "site"
    _previous_report(root)
    ended = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    leftover = root / f".tmp-{int(ended.stdout)}-abc" / "kommun"  # its process is gone
    leftover.mkdir(parents=True)
    (leftover / "umea.html").write_text("half", encoding="utf-8")
    site = DirectorySite(root)
    site.write("index.html", "new index")
    site.publish()
    assert not leftover.parent.exists()
    assert (root / "kommun" / "umea.html").read_text(encoding="utf-8") == "old Umeå"  # not written this time: kept
