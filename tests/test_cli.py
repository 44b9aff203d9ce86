"""The command line: help, a run over good and bad files, exit codes, and the README's docs."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from pipeline import cli

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"


def test_help_lists_the_options() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "pipeline", "run", "--help"],
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
    )
    for option in ("--output", "--language", "--config", "--strict", "--csv-delimiter"):
        assert option in result.stdout


def test_run_over_good_and_bad_files_records_every_problem(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    corpus = tmp_path / "in"
    shutil.copytree(FIXTURES, corpus)
    output = tmp_path / "out"
    assert cli.main(["run", str(corpus), "--output", str(output), "--no-report"]) == cli.EXIT_OK
    summary = capsys.readouterr().out
    assert "files seen:      12" in summary
    problems = pd.read_csv(output / "problems.csv", dtype=str, keep_default_na=False)
    reasons = dict(zip(problems["source_path"], problems["reason"], strict=True))
    assert reasons == {
        "bad/empty.txt": "empty_file",
        "bad/navigation_only.html": "no_main_text",
        "bad/notes.docx": "unsupported_file_type",
        "bad/nul_bytes.txt": "nul_bytes",
        "bad/pdf_bytes.txt": "binary_content",
        "bad/png_bytes.txt": "binary_content",
        "bad/short.txt": "undetermined_language",
        "bad/whitespace.txt": "no_text",
        "bad/zip_bytes.md": "binary_content",
        "good/spanish.txt": "unsupported_language",
    }
    articles = pd.read_csv(output / "articles.csv", dtype=str, keep_default_na=False)
    status = dict(zip(articles["source_path"], articles["status"], strict=True))
    assert status["good/spanish.txt"] == "unsupported_language"
    assert status["good/latin1_de.txt"] == "ok" and status["good/utf16_en.txt"] == "ok"
    people = set(pd.read_csv(output / "people.csv")["name"])
    assert {"Ute Behrends", "Rui Tavares"} <= people
    argv = ["run", str(corpus), "--output", str(output), "--strict", "--no-report"]
    assert cli.main(argv) == cli.EXIT_STRICT


def test_exit_codes_for_fatal_errors(tmp_path: Path) -> None:
    assert cli.main(["run", str(tmp_path / "missing")]) == cli.EXIT_INPUT
    assert cli.main(["run", str(tmp_path), "--language", "german"]) == cli.EXIT_CONFIG
    blocker = tmp_path / "file"
    blocker.write_text("x", encoding="utf-8")
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    assert cli.main(["run", str(corpus), "--output", str(blocker / "out")]) == cli.EXIT_OUTPUT


def test_readme_documents_every_output_column_and_make_target(corpus_output: Path) -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for table in corpus_output.glob("*.csv"):
        assert f"`{table.name}`" in readme, table.name
        for column in pd.read_csv(table, nrows=0).columns:
            assert f"`{column}`" in readme, f"{table.name}: {column}"
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    for target in re.findall(r"^([a-z-]+):.*##", makefile, flags=re.M):
        assert f"make {target}" in readme, target


def test_two_runs_give_byte_identical_tables(tmp_path: Path) -> None:
    corpus = tmp_path / "in"
    shutil.copytree(ROOT / "corpus" / "en", corpus / "en")
    shutil.copytree(FIXTURES / "good", corpus / "good")
    first, second = tmp_path / "one", tmp_path / "two"
    assert cli.main(["run", str(corpus), "--output", str(first), "--no-report"]) == cli.EXIT_OK
    assert cli.main(["run", str(corpus), "--output", str(second), "--no-report"]) == cli.EXIT_OK
    tables = sorted(p.name for p in first.glob("*.csv"))
    assert len(tables) >= 12
    for name in tables:
        assert (first / name).read_bytes() == (second / name).read_bytes(), name
