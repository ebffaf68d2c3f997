"""Atomic file writes (#16 §3): a reader sees the old file or the new one; a killed write leaves nothing."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from journey.adapters.files import STALE_AFTER, StagedFile, write_atomically


def test_bytes_and_a_streaming_writer_both_land_whole(tmp_path: Path) -> None:
    target = tmp_path / "out" / "a.csv"
    write_atomically(target, b"old")
    write_atomically(target, lambda fh: [fh.write(b"x" * 1000) for _ in range(100)], 0o644)
    assert target.read_bytes() == b"x" * 100_000
    assert target.stat().st_mode & 0o777 == 0o644
    assert sorted(p.name for p in target.parent.iterdir()) == ["a.csv"]


def test_a_failing_writer_keeps_the_old_file_and_leaves_no_temporary(tmp_path: Path) -> None:
    target = tmp_path / "a.docx"
    write_atomically(target, b"old")

    def boom(fh: object) -> None:
        fh.write(b"half")  # type: ignore[attr-defined]
        raise RuntimeError("disk gone")

    with pytest.raises(RuntimeError):
        write_atomically(target, boom)
    assert target.read_bytes() == b"old"
    assert [p.name for p in tmp_path.iterdir()] == ["a.docx"]


def test_stale_temporaries_of_a_killed_run_are_removed_by_the_next_write(tmp_path: Path) -> None:
    stale, fresh = tmp_path / f".tmp-{os.getpid()}-abc.docx", tmp_path / f".tmp-{os.getpid()}-def.docx"
    stale.write_bytes(b"half")
    fresh.write_bytes(b"in progress")
    old = time.time() - STALE_AFTER - 60
    os.utime(stale, (old, old))
    write_atomically(tmp_path / "b.docx", b"new")
    assert not stale.exists() and fresh.exists()  # a write still running elsewhere is left alone


def test_a_staged_file_is_hidden_until_placed_and_gone_when_discarded(tmp_path: Path) -> None:
    folder, target = tmp_path / "härjedalen", tmp_path / "härjedalen" / "a.docx"
    staged = StagedFile(folder, b"new", ".docx")
    [hidden] = folder.iterdir()  # under a temporary name until placed
    assert hidden.name.startswith(f".tmp-{os.getpid()}-") and hidden.suffix == ".docx" and not target.exists()
    staged.place(target)
    staged.discard()  # placed: nothing to remove
    assert target.read_bytes() == b"new" and [p.name for p in folder.iterdir()] == ["a.docx"]
    with pytest.raises(ValueError, match="placed once"):
        staged.place(target)

    other = StagedFile(folder, b"other", ".html")
    with pytest.raises(ValueError, match="is not in"):  # a rename across folders would not be one step
        other.place(tmp_path / "a.html")
    other.discard()
    assert [p.name for p in folder.iterdir()] == ["a.docx"]


@pytest.mark.slow
def test_sigkill_during_a_write_leaves_no_file(tmp_path: Path) -> None:
    script = ("import sys, time; from pathlib import Path; from journey.adapters.files import write_atomically\n"
              "def slow(fh):\n    fh.write(b'half'); fh.flush(); print('writing', flush=True); time.sleep(60)\n"
              "write_atomically(Path(sys.argv[1]), slow)\n")
    proc = subprocess.Popen([sys.executable, "-c", script, str(tmp_path / "report.xlsx")], stdout=subprocess.PIPE)
    assert proc.stdout is not None and proc.stdout.readline() == b"writing\n"
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    proc.stdout.close()
    assert all(p.name.startswith(".tmp-") for p in tmp_path.iterdir())
    write_atomically(tmp_path / "report.xlsx", b"whole")  # the next write removes what the killed one left
    assert [p.name for p in tmp_path.iterdir()] == ["report.xlsx"]
