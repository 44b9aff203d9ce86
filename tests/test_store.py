"""Incremental runs through the store: only new work is done, ids stay stable, a killed run
leaves the previous tables intact, and the next run completes the work."""

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

from pipeline import runner
from pipeline.config import load_config

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "corpus"


def table(output: Path, name: str) -> pd.DataFrame:
    return pd.read_csv(output / f"{name}.csv", dtype=str, keep_default_na=False)


def run(corpus: Path, output: Path, **options: object) -> runner.Summary:
    rebuild = bool(options.pop("rebuild", False))
    return runner.run(load_config(corpus=corpus, output=output, **options), rebuild=rebuild)


@pytest.fixture
def english(tmp_path: Path) -> Path:
    folder = tmp_path / "day1"
    shutil.copytree(CORPUS / "en", folder)
    return folder


def test_second_run_does_no_work_and_changes_nothing(english: Path, tmp_path: Path) -> None:
    output = tmp_path / "out"
    first = run(english, output)
    assert first.articles_extracted == 20
    before = {p.name: p.read_bytes() for p in output.glob("*.csv")}
    second = run(english, output)
    assert (second.files_read, second.articles_extracted) == (0, 0)
    assert not second.tables_rebuilt
    assert {p.name: p.read_bytes() for p in output.glob("*.csv")} == before


def test_a_new_folder_adds_only_its_articles_and_ids_stay(english: Path, tmp_path: Path) -> None:
    output = tmp_path / "out"
    run(english, output)
    entities_before = table(output, "entities")
    day2 = tmp_path / "day2"
    shutil.copytree(CORPUS / "de", day2)
    summary = run(day2, output)
    assert summary.articles_extracted == 20  # only the German articles
    articles = table(output, "articles")
    assert len(articles) == 40
    assert articles["source_path"].str.startswith(("day1/", "day2/")).all()
    entities = table(output, "entities")
    # Every entity of day 1 keeps its id and name.
    merged = entities_before.merge(entities, on="entity_id", suffixes=("_1", "_2"))
    assert len(merged) == len(entities_before)
    assert (merged["name_1"] == merged["name_2"]).all()
    copenhagen = entities[entities["geonames_id"] == "2618425"]  # in English and German texts
    assert len(copenhagen) == 1 and int(copenhagen.iloc[0]["n_articles"]) >= 2


def test_changed_and_removed_files(english: Path, tmp_path: Path) -> None:
    output = tmp_path / "out"
    run(english, output)
    old = table(output, "articles")
    changed = english / "bristol_hydrogen_buses.txt"
    changed.write_text(changed.read_text(encoding="utf-8").replace("40", "45"), encoding="utf-8")
    (english / "lisbon_smart_parking.md").unlink()
    summary = run(english, output)
    assert (summary.files_read, summary.articles_extracted) == (1, 1)
    new = table(output, "articles")
    assert len(new) == 19
    assert not new["source_path"].str.contains("lisbon").any()
    bristol_old = old.loc[old["source_path"].str.contains("bristol"), "article_id"].item()
    bristol_new = new.loc[new["source_path"].str.contains("bristol"), "article_id"].item()
    assert bristol_old != bristol_new
    texts = {p.stem for p in (output / "texts").glob("*.txt")}
    assert texts == set(new["article_id"])


def test_changed_fingerprint_and_rebuild_reprocess(english: Path, tmp_path: Path) -> None:
    output = tmp_path / "out"
    run(english, output)
    assert run(english, output, gazetteer_min_population=200_000).articles_extracted == 20
    assert run(english, output, gazetteer_min_population=200_000).articles_extracted == 0
    rebuilt = run(english, output, gazetteer_min_population=200_000, rebuild=True)
    assert rebuilt.articles_extracted == 20


def test_near_duplicates_are_recorded_and_not_double_counted(tmp_path: Path) -> None:
    corpus = tmp_path / "in"
    corpus.mkdir()
    original = (CORPUS / "en" / "bristol_hydrogen_buses.txt").read_text(encoding="utf-8")
    (corpus / "site_a.txt").write_text(original, encoding="utf-8")
    (corpus / "site_b.txt").write_text(
        original.replace("Bristol approves", "Bristol has approved") + "\nShare this story.\n",
        encoding="utf-8",
    )
    output = tmp_path / "out"
    run(corpus, output)
    articles = table(output, "articles")
    assert len(articles) == 2
    duplicate = articles[articles["duplicate_of"] != ""]
    assert len(duplicate) == 1
    assert duplicate.iloc[0]["duplicate_of"] in set(articles["article_id"])
    bristol = table(output, "cities").query("name == 'Bristol'")
    assert bristol["n_articles"].tolist() == ["1"]


def consistent(output: Path) -> bool:
    """Whether the visible tables are all of one generation and agree with each other."""
    articles, entities = table(output, "articles"), table(output, "entities")
    mentions, links = table(output, "mentions"), table(output, "article_entities")
    import json

    manifest = json.loads((output / "run.json").read_text(encoding="utf-8"))
    return (
        manifest["tables"]["articles"] == len(articles)
        and manifest["tables"]["mentions"] == len(mentions)
        and set(mentions["entity_id"]) <= set(entities["entity_id"])
        and set(links["article_id"]) <= set(articles["article_id"])
    )


def test_killed_runs_leave_consistent_tables_and_the_next_run_completes(tmp_path: Path) -> None:
    corpus = tmp_path / "in"
    shutil.copytree(CORPUS, corpus / "first")
    for i, path in enumerate(sorted((CORPUS / "en").glob("*"))):  # more distinct articles
        text = path.read_bytes().replace(b"2025", f"20{30 + i}".encode())
        (corpus / "second").mkdir(exist_ok=True)
        (corpus / "second" / path.name).write_bytes(text)
    output = tmp_path / "out"
    reference = tmp_path / "reference"
    run(corpus, reference)
    command = [sys.executable, "-m", "pipeline", "run", str(corpus), "--output", str(output)]
    for delay in (2.0, 4.0, 6.0, 8.0):
        process = subprocess.Popen(
            command,
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        time.sleep(delay)
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
        process.wait()
        if (output / "run.json").exists():
            assert consistent(output), f"inconsistent tables after a kill at {delay} s"
    subprocess.run(command, cwd=ROOT, check=True, capture_output=True)
    for path in sorted(reference.glob("*.csv")):
        assert (output / path.name).read_bytes() == path.read_bytes(), path.name


def test_an_error_after_the_switch_keeps_the_new_tables(
    english: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An interruption while stale texts are removed (after the new generation became
    current) must not remove the generation that is now current."""
    output = tmp_path / "out"
    run(english, output)
    (output / "texts" / "0stale.txt").write_text("from a file that is gone", encoding="utf-8")
    (output / "run.json").unlink()  # the tables are rebuilt

    unlink = Path.unlink

    def interrupted(self: Path, missing_ok: bool = False) -> None:
        if self.parent.name == "texts":
            raise KeyboardInterrupt
        unlink(self, missing_ok=missing_ok)

    monkeypatch.setattr(Path, "unlink", interrupted)
    with pytest.raises(KeyboardInterrupt):
        run(english, output)
    monkeypatch.undo()
    assert (output / "current").resolve().is_dir()
    assert len(table(output, "articles")) == 20
    assert (output / "run.json").is_file()
