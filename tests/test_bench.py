"""The benchmark (benchmarks/bench.py, a tool outside the installed package)."""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
import tomllib
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "benchmarks" / "bench.py"
SMALL = ["--noop-articles", "0", "--processes", "1"]


def load_bench() -> ModuleType:
    spec = importlib.util.spec_from_file_location("bench", BENCH)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["bench"] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


def test_the_benchmark_is_not_in_the_package() -> None:
    assert not (ROOT / "pipeline" / "bench.py").exists()
    assert not (ROOT / "pipeline" / "bench_data").exists()
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    package_data = project["tool"]["setuptools"]["package-data"]["pipeline"]
    assert not [pattern for pattern in package_data if "bench" in pattern]


def test_the_synthetic_corpus_is_seeded_and_mixed(tmp_path: Path) -> None:
    bench = load_bench()
    first = bench.build_corpus(tmp_path / "a", 12, seed=3)
    second = bench.build_corpus(tmp_path / "b", 12, seed=3)
    files_a = sorted(p.relative_to(tmp_path / "a") for p in (tmp_path / "a").rglob("*.*"))
    files_b = sorted(p.relative_to(tmp_path / "b") for p in (tmp_path / "b").rglob("*.*"))
    assert files_a == files_b and len(files_a) == 12
    for name in files_a:
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes()
    assert first["languages"] == {"de": 6, "en": 6}
    assert set(first["formats"]) == {"html", "md", "txt"}
    assert bench.MIN_WORDS <= first["words_min"] <= first["words_max"] <= bench.MAX_WORDS
    other = bench.build_corpus(tmp_path / "c", 12, seed=4)
    assert other["words"] != second["words"]


@pytest.mark.slow
def test_the_benchmark_runs_and_prints_the_ratio(tmp_path: Path) -> None:
    """A whole benchmark over 20 articles: the pipeline's own command, bare nlp.pipe over the
    same texts with the same pipelines and batch size, memory, and a no-op second run."""
    done = subprocess.run(
        [sys.executable, str(BENCH), "--output", str(tmp_path), "--articles", "20", *SMALL],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=1800,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    assert "ratio pipeline / bare nlp.pipe (1 process):" in done.stdout
    assert "| extract |" in done.stdout
    results = json.loads((tmp_path / "bench_results.json").read_text(encoding="utf-8"))
    run, bare = results["pipeline_1"], results["bare_1"]
    assert run["package"] == str(ROOT / "pipeline")  # the checkout's code was measured
    assert run["articles"] == bare["articles"] == 20
    assert run["words"] == bare["words"] > 0
    assert run["batch_size"] == bare["batch_size"]
    for lang, components in bare["components"].items():
        assert "ner" in components
        assert bare["candidates"][lang] == run["pipelines"][lang]["candidate"]
        assert bare["left_out"][lang]  # the project's own components are not in bare nlp.pipe
        assert not set(bare["left_out"][lang]) & set(components)
    assert run["seconds"] > 0
    assert bare["seconds"] > 0
    assert run["max_rss_bytes"] > 100_000_000  # a process holding spaCy pipelines
    assert run["peak_tree_rss_bytes"] > 0
    assert run["stage_seconds"]["extract"] > 0
    assert results["noop_main"]["articles_extracted"] == 0
    assert not [w for w in results["warnings"] if "differ" in w or "other pipelines" in w]
