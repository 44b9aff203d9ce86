"""Write failures: a full disk, a read-only folder, a file where a folder belongs, a store of
another schema. Each is one line on stderr and exit code 4, with no temporary file left and
the previous tables intact. Real filesystems: a small tmpfs where mounting is allowed (root),
a file-size limit (RLIMIT_FSIZE) otherwise."""

from __future__ import annotations

import resource
import shutil
import signal
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "corpus"


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    """German articles in a run that analyses English only: no spaCy pipeline to load, the
    runs stay quick, and every table is still written."""
    folder = tmp_path / "in"
    shutil.copytree(CORPUS / "de", folder)
    return folder


@pytest.fixture
def settings(tmp_path: Path) -> Path:
    path = tmp_path / "settings.toml"
    path.write_text('languages = ["en"]\n', encoding="utf-8")
    return path


def run(
    corpus: Path, output: Path, settings: Path, limit: int | None = None
) -> subprocess.CompletedProcess[str]:
    def limited() -> None:  # in the child, before exec: writes past `limit` fail with EFBIG
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        if limit is not None:
            resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    command = [sys.executable, "-m", "pipeline", "run", str(corpus), "--output", str(output)]
    return subprocess.run(
        [*command, "--config", str(settings)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        preexec_fn=limited,
        timeout=300,
    )


def assert_write_failure(
    result: subprocess.CompletedProcess[str], output: Path, start: str = "error: cannot write"
) -> None:
    assert result.returncode == 4, result.stderr
    last = result.stderr.strip().splitlines()[-1]
    assert last.startswith(start), result.stderr
    assert "Traceback" not in result.stderr
    if output.is_dir():
        leftovers = [p for p in output.rglob("*") if p.name.endswith((".tmp", ".link"))]
        assert not leftovers


def tables(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.glob("*.csv"))}


@pytest.fixture
def tmpfs(tmp_path: Path) -> Iterator[Path]:
    mount = tmp_path / "disk"
    mount.mkdir()
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=40m", "tmpfs", str(mount)], capture_output=True
    )
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {done.stderr.decode().strip()}")
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=False)


def fill(disk: Path, leave: int) -> Path:
    """Fill the filesystem of `disk`, then free `leave` bytes again."""
    filler = disk / "filler"
    with filler.open("wb") as handle:
        try:
            while True:
                handle.write(b"\0" * 65536)
                handle.flush()
        except OSError:
            pass
    size = filler.stat().st_size
    with filler.open("r+b") as handle:
        handle.truncate(max(0, size - leave))
    return filler


def test_a_full_disk_is_exit_4_and_leaves_the_previous_tables(
    tmpfs: Path, corpus: Path, settings: Path
) -> None:
    output = tmpfs / "out"
    assert run(corpus, output, settings).returncode == 0
    before = tables(output)
    failures = 0
    for i, leave in enumerate((0, 16 << 10, 64 << 10, 256 << 10)):
        text = (corpus / "leipzig_5g_campusnetz.txt").read_text(encoding="utf-8")
        (corpus / f"neu{i}.txt").write_text(text.replace("Leipzig", f"Halle{i}"), "utf-8")
        filler = fill(tmpfs, leave)
        result = run(corpus, output, settings)
        filler.unlink()
        if result.returncode != 0:
            failures += 1
            assert_write_failure(result, output)
            assert tables(output) == before  # the last complete tables stay current
            assert len(list((output / ".generations").iterdir())) == 1
        else:
            before = tables(output)
    assert failures >= 2  # the full disk was hit (store and tables)
    assert run(corpus, output, settings).returncode == 0  # space again: the run completes
    titles = set(pd.read_csv(output / "articles.csv", dtype=str, keep_default_na=False)["title"])
    assert sum(any(f"Halle{i}" in t for t in titles) for i in range(4)) == 4  # all four added


def test_a_file_size_limit_is_exit_4(tmp_path: Path, corpus: Path, settings: Path) -> None:
    """The unprivileged twin of the full disk: writes past RLIMIT_FSIZE fail with EFBIG."""
    output = tmp_path / "out"
    assert_write_failure(run(corpus, output, settings, limit=24 << 10), output)
    assert run(corpus, output, settings).returncode == 0


def test_a_read_only_output_is_exit_4(tmpfs: Path, corpus: Path, settings: Path) -> None:
    output = tmpfs / "out"
    assert run(corpus, output, settings).returncode == 0
    before = tables(output)
    (corpus / "leipzig_5g_campusnetz.txt").unlink()
    subprocess.run(["mount", "-o", "remount,ro", str(tmpfs)], check=True)
    assert_write_failure(run(corpus, output, settings), output)
    assert_write_failure(run(corpus, tmpfs / "new", settings), tmpfs / "new")
    assert not (tmpfs / "new").exists()
    assert tables(output) == before


def test_a_file_where_a_folder_belongs_is_exit_4(
    tmp_path: Path, corpus: Path, settings: Path
) -> None:
    taken = tmp_path / "taken"
    taken.write_text("not a folder", encoding="utf-8")
    assert_write_failure(run(corpus, taken, settings), taken)
    output = tmp_path / "out"
    assert run(corpus, output, settings).returncode == 0
    before = tables(output)
    shutil.rmtree(output / ".generations")
    (output / ".generations").write_text("in the way", encoding="utf-8")
    (output / "run.json").unlink()  # the tables are rebuilt
    assert_write_failure(run(corpus, output, settings), output)
    assert not list(output.glob("*.tmp"))
    del before


def test_a_store_of_another_schema_is_exit_4(tmp_path: Path, corpus: Path, settings: Path) -> None:
    output = tmp_path / "out"
    assert run(corpus, output, settings).returncode == 0
    with sqlite3.connect(output / "store.sqlite") as db:
        db.execute("UPDATE meta SET value = '99' WHERE key = 'schema_version'")
    result = run(corpus, output, settings)
    assert_write_failure(result, output, start="error: store ")
    assert "schema version 99" in result.stderr


def test_a_store_of_the_previous_schema_starts_over(
    tmp_path: Path, corpus: Path, settings: Path
) -> None:
    output = tmp_path / "out"
    assert run(corpus, output, settings).returncode == 0
    before = tables(output)
    with sqlite3.connect(output / "store.sqlite") as db:
        db.execute("UPDATE meta SET value = '1' WHERE key = 'schema_version'")
        db.execute("UPDATE articles SET record = json_set(record, '$.title', 'stale')")
    result = run(corpus, output, settings)
    assert result.returncode == 0, result.stderr
    assert "every file is read again" in result.stderr
    assert tables(output) == before
