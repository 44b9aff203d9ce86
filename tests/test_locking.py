"""Two runs on one output folder, and readers beside a run: real processes, real locks."""

from __future__ import annotations

import shutil
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest

from pipeline import locking, runner
from pipeline.config import load_config
from pipeline.errors import LockedError

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "corpus"


def start(corpus: Path, output: Path, *options: str) -> subprocess.Popen[str]:
    command = [sys.executable, "-m", "pipeline", "run", str(corpus), "--output", str(output)]
    return subprocess.Popen(
        [*command, *options], cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )


def wait_for_lock(output: Path, process: subprocess.Popen[str], timeout: float = 60) -> None:
    """Until `process` holds the output lock (it writes its pid into the lock file)."""
    deadline = time.monotonic() + timeout
    lock = output / locking.LOCK_FILE
    while time.monotonic() < deadline:
        if lock.is_file() and lock.read_text().strip() == str(process.pid):
            return
        assert process.poll() is None, "the first run ended before it took the lock"
        time.sleep(0.05)
    raise AssertionError("the first run never took the lock")


def tables(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.glob("*.csv"))}


@pytest.fixture(scope="module")
def reference(tmp_path_factory: pytest.TempPathFactory) -> Path:
    output = tmp_path_factory.mktemp("reference")
    runner.run(load_config(corpus=CORPUS, output=output))
    return output


def test_a_second_run_fails_at_once_and_the_first_completes(
    reference: Path, tmp_path: Path
) -> None:
    output = tmp_path / "out"
    first = start(CORPUS, output)
    wait_for_lock(output, first)
    began = time.monotonic()
    second = start(CORPUS, output)
    _, err = second.communicate(timeout=120)
    assert second.returncode == 5
    assert first.poll() is None, "the second run should have failed while the first still ran"
    lines = err.strip().splitlines()
    assert lines[-1].startswith("error: output folder") and "in use by another run" in lines[-1]
    assert f"process {first.pid}" in lines[-1] and "Traceback" not in err
    assert time.monotonic() - began < 30  # spaCy import included, no waiting for the first
    first.communicate(timeout=300)
    assert first.returncode == 0
    assert tables(output) == tables(reference)


def test_wait_waits_for_the_first_run(reference: Path, tmp_path: Path) -> None:
    output = tmp_path / "out"
    first = start(CORPUS, output)
    wait_for_lock(output, first)
    second = start(CORPUS, output, "--wait")
    second.communicate(timeout=300)
    first.communicate(timeout=300)
    assert (first.returncode, second.returncode) == (0, 0)
    assert tables(output) == tables(reference)
    assert (output / "current" / "articles.csv").is_file()


def test_pairs_started_together_never_break_the_output(tmp_path: Path) -> None:
    """The issue's scenario: pairs started within a fraction of a second. Before the lock, most
    pairs crashed (FileNotFoundError) or left `current` with run.json alone. (German articles,
    English analysed only: quick runs, no spaCy pipeline.)"""
    settings = tmp_path / "settings.toml"
    settings.write_text('languages = ["en"]\n', encoding="utf-8")
    reference = tmp_path / "reference"
    runner.run(load_config(settings, corpus=CORPUS / "de", output=reference))
    output = tmp_path / "out"
    for _ in range(4):
        shutil.rmtree(output, ignore_errors=True)
        pair = [start(CORPUS / "de", output, "--config", str(settings)) for _ in range(2)]
        errors = [p.communicate(timeout=300)[1] for p in pair]
        codes = sorted(p.returncode for p in pair)
        assert codes in ([0, 0], [0, 5]), errors
        assert not any("Traceback" in e for e in errors)
        assert tables(output) == tables(reference)
        assert len(list((output / ".generations").iterdir())) == 1


def test_the_lock_in_this_process(tmp_path: Path) -> None:
    with (
        locking.OutputLock(tmp_path),
        pytest.raises(LockedError, match="in use by another run"),
    ):
        runner.run(load_config(corpus=CORPUS / "de", output=tmp_path))
    assert not (tmp_path / "store.sqlite").exists()  # nothing was touched


def test_a_reader_keeps_its_generation_while_a_run_replaces_it(tmp_path: Path) -> None:
    corpus = tmp_path / "in"
    shutil.copytree(CORPUS / "en", corpus)
    output = tmp_path / "out"
    config = load_config(corpus=corpus, output=output)
    runner.run(config)
    with locking.pinned_generation(output) as pinned:
        before = tables(pinned)
        (corpus / "bristol_hydrogen_buses.txt").unlink()  # the next run has other tables
        subprocess.run(
            [sys.executable, "-m", "pipeline", "run", str(corpus), "--output", str(output)],
            cwd=ROOT,
            check=True,
            capture_output=True,
        )
        assert (output / "current").resolve() != pinned  # the run switched ...
        assert tables(pinned) == before  # ... and left the generation being read alone
        articles = pd.read_csv(pinned / "articles.csv", dtype=str)
        mentions = pd.read_csv(pinned / "mentions.csv", dtype=str)
        assert set(mentions["article_id"]) <= set(articles["article_id"])
        assert len(articles) == 20 and len(pd.read_csv(output / "articles.csv")) == 19
    runner.run(config, rebuild=True)  # the next run removes it, now nobody reads it
    assert not pinned.exists()
    assert len(list((output / ".generations").iterdir())) == 1


def test_a_current_generation_with_missing_tables_is_rebuilt(tmp_path: Path) -> None:
    """Two racing runs used to leave `current` with run.json alone, and every later run said
    "(unchanged)" without repairing it."""
    output = tmp_path / "out"
    config = load_config(corpus=CORPUS / "de", output=output, languages=["en"])
    runner.run(config)
    before = tables(output)
    for table in (output / "current").glob("*.csv"):
        table.unlink()
    summary = runner.run(config)
    assert summary.tables_rebuilt
    assert tables(output) == before
