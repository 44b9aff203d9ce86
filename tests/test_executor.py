"""Worker processes and a Dask cluster give the same tables as a run in one process."""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest

from pipeline import runner
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
    assert summary.articles_extracted == 40
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
    assert summary.articles_extracted == 40
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
