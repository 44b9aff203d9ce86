"""Worker processes and a Dask cluster give the same tables as a run in one process."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest

from pipeline import executor, runner
from pipeline.config import load_config

ROOT = Path(__file__).resolve().parent.parent


def same_tables(one: Path, other: Path) -> None:
    names = sorted(p.name for p in one.glob("*.csv"))
    assert len(names) >= 12
    for name in names:
        assert (other / name).read_bytes() == (one / name).read_bytes(), name


def test_worker_processes_give_identical_tables(corpus_output: Path, tmp_path: Path) -> None:
    config = load_config(
        corpus=ROOT / "corpus", output=tmp_path / "out", workers=2, chunk_size=2, parquet=True
    )
    summary = runner.run(config)
    assert summary.articles_extracted == 44
    same_tables(corpus_output, tmp_path / "out")
    mentions = pd.read_parquet(tmp_path / "out" / "parquet" / "mentions")
    assert len(mentions) == len(pd.read_csv(tmp_path / "out" / "mentions.csv"))
    assert set(mentions["entity_type"]) >= {"person", "organization", "city", "technology"}
    articles = pd.read_parquet(tmp_path / "out" / "parquet" / "articles")
    assert sorted(articles["language"].astype(str).unique()) == ["de", "en", "fr"]


def test_dask_cluster_gives_identical_tables(corpus_output: Path, tmp_path: Path) -> None:
    distributed = pytest.importorskip("distributed")
    with distributed.LocalCluster(
        n_workers=2,
        threads_per_worker=1,
        processes=True,
        host="127.0.0.1",
        dashboard_address=None,
    ) as cluster:
        config = load_config(
            corpus=ROOT / "corpus",
            output=tmp_path / "out",
            executor="dask",
            scheduler=cluster.scheduler_address,
            chunk_size=4,
        )
        summary = runner.run(config)
    assert summary.articles_extracted == 44
    same_tables(corpus_output, tmp_path / "out")


def test_tables_built_in_small_chunks_are_identical(
    corpus_output: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The tables stage streams the store in chunks; chunks of 3 articles change nothing."""
    output = tmp_path / "out"
    shutil.copytree(corpus_output, output, symlinks=True)
    (output / "run.json").unlink()  # the tables are rebuilt from the store
    monkeypatch.setattr(runner, "TABLE_CHUNK", 3)
    summary = runner.run(
        load_config(corpus=ROOT / "corpus", output=output, workers=1, parquet=True)
    )
    assert summary.articles_extracted == 0 and summary.tables_rebuilt
    same_tables(corpus_output, output)
    parts = list((output / "parquet" / "mentions").rglob("*.parquet"))
    assert len(parts) > 5  # one part per chunk and entity type
    mentions = pd.read_parquet(output / "parquet" / "mentions")
    assert len(mentions) == len(pd.read_csv(output / "mentions.csv"))


def descendants(pid: int) -> dict[int, str | None]:
    """Every process below `pid`, with its identity (start time)."""
    parents: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            parents[int(entry.name)] = int(fields[1])
    found: set[int] = set()
    frontier = {pid}
    while frontier:
        frontier = {child for child, parent in parents.items() if parent in frontier} - found
        found |= frontier
    return {child: executor.process_identity(child) for child in found}


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="needs /proc")
def test_worker_processes_end_when_the_main_process_is_killed(tmp_path: Path) -> None:
    """kill -9 of the main process gives it no chance to stop its workers; they used to
    survive (two of about 490 MB each, 85 s later)."""
    settings = tmp_path / "settings.toml"
    settings.write_text("chunk_size = 1\n", encoding="utf-8")
    command = [sys.executable, "-m", "pipeline", "run", str(ROOT / "corpus")]
    main = subprocess.Popen(
        [*command, "--output", str(tmp_path / "out"), "--workers", "2", "--config", str(settings)],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    children: dict[int, str | None] = {}
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and main.poll() is None:
            children = descendants(main.pid)
            workers = [
                pid
                for pid in children
                if "from multiprocessing"
                in Path(f"/proc/{pid}/cmdline").read_text(errors="replace")
            ]
            if len(workers) >= 3:  # the forkserver and two workers
                break
            time.sleep(0.2)
        assert main.poll() is None, "the run ended before its workers could be seen"
        time.sleep(2)  # the workers are busy loading or extracting
        children = descendants(main.pid)
        os.kill(main.pid, signal.SIGKILL)
        main.wait()
        deadline = time.monotonic() + 30
        alive = children
        while alive and time.monotonic() < deadline:
            time.sleep(0.5)
            alive = {
                pid: identity
                for pid, identity in children.items()
                if identity is not None and executor.process_identity(pid) == identity
            }
        assert not alive, f"processes outlived the main process: {sorted(alive)}"
    finally:
        if main.poll() is None:
            main.kill()
        for pid, identity in children.items():  # only what this test started, by pid
            if identity is not None and executor.process_identity(pid) == identity:
                os.kill(pid, signal.SIGKILL)
