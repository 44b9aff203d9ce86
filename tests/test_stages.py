"""Each stage as a command of its own (`python -m pipeline ingest|language|extract|link|tables`):
the stages chained give the tables of `run`, link redoes exactly the articles whose inputs
changed, and a stage whose input is missing stops with exit code 3."""

from __future__ import annotations

import json
import re
import shutil
import sqlite3
from pathlib import Path

import pytest
from test_cli_commands import one_line_error, pipeline

from pipeline import cli, locking, runner
from pipeline.config import load_config
from pipeline.records import Mention
from pipeline.store import SCHEMA_VERSION, STORE_FILE, Store

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"
HALLE = "halle_saale_teleintensivmedizin_ultraschall.html"


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Five articles in three languages (one republished with other boilerplate, one whose
    organization the link stage finds again) and an empty file."""
    folder = tmp_path_factory.mktemp("stages") / "corpus"
    for path in (
        f"de/{HALLE}",
        "en/aarhus_digital_twin.html",
        "fr/nantes_capteurs_qualite_air.txt",
    ):
        (folder / path).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(ROOT / "corpus" / path, folder / path)
    bristol = (ROOT / "corpus" / "en" / "bristol_hydrogen_buses.txt").read_text(encoding="utf-8")
    (folder / "en" / "bristol.txt").write_text(bristol, encoding="utf-8")
    copy = bristol.replace("Bristol approves", "Bristol has approved") + "\nShare this story.\n"
    (folder / "mirror").mkdir()
    (folder / "mirror" / "bristol_copy.txt").write_text(copy, encoding="utf-8")
    (folder / "empty.txt").write_bytes(b"")
    return folder


@pytest.fixture(scope="module")
def whole(corpus: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    output = tmp_path_factory.mktemp("whole") / "out"
    assert cli.main(["run", str(corpus), "-o", str(output), "--no-report", "-q"]) == cli.EXIT_OK
    return output


@pytest.fixture(scope="module")
def staged(corpus: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The stages one command at a time, as `make ingest language extract link tables` runs
    them; after ingest, the near duplicate is already marked."""
    output = tmp_path_factory.mktemp("staged") / "out"
    assert cli.main(["ingest", str(corpus), "-o", str(output), "-q"]) == cli.EXIT_OK
    with Store(output / STORE_FILE) as store:
        assert sum(bool(s.duplicate_of) for s in store.article_index().values()) == 1
        assert not store.extraction_fingerprints()
    for stage in ("language", "extract", "link", "tables"):
        argv = [stage, *([str(corpus)] if stage == "language" else []), "-o", str(output), "-q"]
        assert cli.main(argv) == cli.EXIT_OK, stage
    return output


def csv_tables(output: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted((output / "current").glob("*.csv"))}


def test_run_equals_the_stages_chained(whole: Path, staged: Path) -> None:
    run_tables, stage_tables = csv_tables(whole), csv_tables(staged)
    assert len(run_tables) >= 14
    assert run_tables.keys() == stage_tables.keys()
    for name, content in run_tables.items():
        assert stage_tables[name] == content, name


def test_the_tables_hold_the_mentions_the_link_stage_stored(staged: Path) -> None:
    with sqlite3.connect(staged / STORE_FILE) as db:
        rows = db.execute("SELECT data FROM links WHERE data != '[]'").fetchall()
    linked = [Mention(**m) for (data,) in rows for m in json.loads(data)]
    assert linked, "the corpus has a name the link stage finds"
    assert all(m.source == "propagation" for m in linked)
    mentions = (staged / "current" / "mentions.csv").read_text(encoding="utf-8")
    for m in linked:
        assert f",{m.text},{m.start},{m.end}," in mentions


def relink(output: Path) -> runner.Summary:
    return runner.run_stages(load_config(output=output, progress=False), ("link",))


def test_link_is_skipped_when_nothing_changed_and_redone_where_extractions_changed(
    staged: Path, tmp_path: Path
) -> None:
    output = tmp_path / "out"
    shutil.copytree(staged, output, symlinks=True)
    before = csv_tables(output)
    assert relink(output).articles_linked == 0
    with Store(output / STORE_FILE) as store:
        analysed = sorted(a for a, s in store.article_index().items() if s.status == "ok")
        (first, _), (second, second_text) = [
            (e, a.text) for a, e in store.load_extractions(analysed[:2])
        ]
        with store.transaction():  # another fingerprint, the same result
            store.put_extraction(first, "0123456789abcdef")
    assert cli.main(["tables", "-o", str(output), "-q"]) == cli.EXIT_INPUT  # links not current
    assert relink(output).articles_linked == 1
    assert cli.main(["tables", "-o", str(output), "-q"]) == cli.EXIT_OK
    assert csv_tables(output) == before

    # A new confident name (two words of the second article's text that no mention covers)
    # in the first article: every article is linked again, and the second one gets the name.
    taken = [(m.start, m.end) for m in second.mentions]
    name = next(
        match.group(0)
        for match in re.finditer(r"\b[^\W\d_]{4,} [^\W\d_]{4,}\b", second_text)
        if not any(s < match.end() and match.start() < e for s, e in taken)
        and second_text[match.start() - 1 : match.start()] not in ("-", "_")
        and second_text[match.end() : match.end() + 1] not in ("-", "_")
    )
    first.mentions.append(Mention(first.article_id, 0, 1, name, "person", "model"))
    with Store(output / STORE_FILE) as store, store.transaction():
        store.put_extraction(first, "fedcba9876543210")
    assert relink(output).articles_linked == len(analysed)
    with Store(output / STORE_FILE) as store:
        found = store.links([second.article_id])[second.article_id]
    assert (name, "person", "propagation") in {(m.text, m.entity_type, m.source) for m in found}


def test_a_stage_on_a_missing_input_exits_3(corpus: Path, tmp_path: Path) -> None:
    nothing = tmp_path / "nothing"
    result = pipeline("tables", "-o", str(nothing))  # a real process
    assert result.returncode == cli.EXIT_INPUT
    assert "run `ingest`" in one_line_error(result)
    for stage in ("language", "extract", "link"):
        assert cli.main([stage, "-o", str(nothing), "-q"]) == cli.EXIT_INPUT, stage
    assert not nothing.exists()  # nothing is created for a stage that cannot run
    assert cli.main(["ingest", str(tmp_path / "no corpus"), "-o", str(nothing)]) == cli.EXIT_INPUT
    # Ingested but not extracted: link and tables say which stage to run first.
    output = tmp_path / "out"
    (tmp_path / "one").mkdir()
    shutil.copy(ROOT / "corpus" / "en" / "aarhus_digital_twin.html", tmp_path / "one")
    assert cli.main(["ingest", str(tmp_path / "one"), "-o", str(output), "-q"]) == cli.EXIT_OK
    result = pipeline("link", "-o", str(output))
    assert result.returncode == cli.EXIT_INPUT
    assert "run `extract` first" in one_line_error(result)
    result = pipeline("tables", "-o", str(output))
    assert result.returncode == cli.EXIT_INPUT
    assert "run `link` first" in one_line_error(result)


def test_a_store_of_schema_2_is_upgraded_in_place(tmp_path: Path) -> None:
    path = tmp_path / STORE_FILE
    with Store(path) as store, store.transaction():
        store.put_source("c", "a.txt", 1, 1, None)
    with sqlite3.connect(path) as db:
        db.execute("DROP TABLE links")
        db.execute("UPDATE meta SET value = '2' WHERE key = 'schema_version'")
    with Store(path) as store:
        assert store.schema_version() == SCHEMA_VERSION == "3"
        assert store.link_fingerprints() == {}
        assert list(store.sources("c")) == ["a.txt"]  # kept, not read again


def test_stages_and_the_report_take_the_output_lock(staged: Path) -> None:
    with locking.OutputLock(staged):
        for argv in (["link"], ["tables"], ["report"]):
            assert cli.main([*argv, "-o", str(staged), "-q"]) == cli.EXIT_LOCKED, argv
    assert not (staged / "report.html").exists()
