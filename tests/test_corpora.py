"""Corpus and output folders: an output is never read as input, a moved corpus is recognized,
a corpus added to an output is announced, an empty or missing corpus is said so."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from pipeline import runner
from pipeline.config import load_config
from pipeline.errors import ConfigError

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "corpus"
FIXTURES = Path(__file__).resolve().parent / "fixtures"


def quick(corpus: Path, output: Path) -> runner.Summary:
    """German articles with English analysed only: no spaCy pipeline, quick runs."""
    return runner.run(load_config(corpus=corpus, output=output, languages=["en"]))


def cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "pipeline", "run", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )


@pytest.fixture
def settings(tmp_path: Path) -> Path:
    path = tmp_path / "settings.toml"
    path.write_text('languages = ["en"]\n', encoding="utf-8")
    return path


def test_a_missing_corpus_creates_nothing(tmp_path: Path) -> None:
    result = cli(str(tmp_path / "nope"), "--output", str(tmp_path / "out"))
    assert result.returncode == 3
    assert result.stderr.strip().splitlines()[-1].startswith("error: corpus folder")
    assert not (tmp_path / "out").exists()


def test_an_output_folder_inside_the_corpus_is_never_read(tmp_path: Path) -> None:
    corpus = tmp_path / "in"
    shutil.copytree(CORPUS / "de", corpus)
    first = quick(corpus, corpus / "out")
    again = quick(corpus, corpus / "out")
    only_languages = {"unsupported_language": 20}  # no problem rows from the output's files
    assert (again.files_seen, again.problem_reasons, again.articles) == (20, only_languages, 20)
    assert first.files_seen == 20
    elsewhere = quick(corpus, tmp_path / "elsewhere")  # an older output below the corpus
    assert (elsewhere.files_seen, elsewhere.problem_reasons) == (20, only_languages)
    articles = pd.read_csv(tmp_path / "elsewhere" / "articles.csv", dtype=str)
    assert not articles["source_path"].str.contains("out/").any()
    with pytest.raises(ConfigError, match="inside it"):
        quick(corpus / "out", corpus)


def test_a_moved_corpus_is_recognized_and_its_old_paths_dropped(tmp_path: Path) -> None:
    before = tmp_path / "monday"
    shutil.copytree(CORPUS / "de", before)
    output = tmp_path / "out"
    quick(before, output)
    after = tmp_path / "archive" / "monday"
    after.parent.mkdir()
    before.rename(after)
    summary = quick(after, output)
    assert summary.duplicates == 0  # was 20 "exact duplicate files merged"
    assert summary.corpora == [str(after.resolve())]
    assert any("moved to" in w for w in summary.warnings)
    articles = pd.read_csv(output / "articles.csv", dtype=str)
    assert len(articles) == 20 and not articles["source_path"].str.contains(r"\|").any()
    manifest = json.loads((output / "run.json").read_text(encoding="utf-8"))
    assert manifest["corpora"] == [str(after.resolve())]


def test_a_corpus_added_to_an_output_is_announced_and_listed(
    tmp_path: Path, settings: Path
) -> None:
    output = tmp_path / "out"
    first = cli(str(CORPUS / "de"), "--output", str(output), "--config", str(settings))
    assert first.returncode == 0 and "already held" not in first.stdout
    second = cli(str(CORPUS / "en"), "--output", str(output), "--config", str(settings))
    assert second.returncode == 0
    both = [str((CORPUS / "de").resolve()), str((CORPUS / "en").resolve())]
    assert f"corpora:         {', '.join(both)}" in second.stdout
    assert f"added {CORPUS / 'en'} to {output}, which already held 1 other" in second.stdout
    manifest = json.loads((output / "run.json").read_text(encoding="utf-8"))
    assert manifest["corpora"] == both
    assert manifest["summary"]["corpora"] == both and manifest["summary"]["new_corpus"]


@pytest.mark.parametrize("content", ["empty", "documents"])
def test_no_articles_found_is_a_warning_and_strict_fails(
    tmp_path: Path, settings: Path, content: str
) -> None:
    corpus = tmp_path / "in"
    corpus.mkdir()
    if content == "documents":
        shutil.copy(FIXTURES / "bad" / "notes.docx", corpus / "notes.docx")
        (corpus / "scan.pdf").write_bytes(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
        (corpus / "photo.png").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(32))
    options = ["--output", str(tmp_path / "out"), "--config", str(settings)]
    result = cli(str(corpus), *options)
    assert result.returncode == 0
    assert f"warning:         no articles found in {corpus}" in result.stdout
    assert cli(str(corpus), *options, "--strict").returncode == 1


def test_the_summary_and_run_json_tell_what_happened(tmp_path: Path, settings: Path) -> None:
    options = ["--output", str(tmp_path / "out"), "--config", str(settings)]
    first = cli(str(CORPUS / "de"), *options)
    assert "files seen:      20 (20 read)\n" in first.stdout  # not "the rest unchanged"
    second = cli(str(CORPUS / "de"), *options)
    assert "files seen:      20 (0 read, 20 unchanged)\n" in second.stdout


def test_run_json_records_the_real_time(corpus_output: Path) -> None:
    summary = json.loads((corpus_output / "run.json").read_text(encoding="utf-8"))["summary"]
    assert summary["seconds"] > 0  # was 0.0
    assert summary["articles_per_second"] > 0
    assert summary["seconds"] >= sum(summary["stage_seconds"].values()) - 0.01
