"""German pipeline resolution, in order: an official pipeline where installed, the project's
own model, the rule components alone. Each path runs on a small German text."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
import spacy

from pipeline import extract
from pipeline.config import DEFAULT_PIPELINES
from pipeline.records import Article

TEXT = (
    "Die Bürgermeisterin von Mainz, Katrin Albers, und Jonas Weber, Geschäftsführer der "
    "Rheinwerk Digital GmbH, haben am Montag einen Vertrag über ein 5G-Netz unterzeichnet. "
    "Weber sagte, die Stadt Mainz wolle auch KI-Lösungen in der Verwaltung testen."
)


def people(nlp: spacy.language.Language) -> set[str]:
    article = Article(article_id="t", source_paths=["t"], text=TEXT, language="de")
    result = extract.doc_to_extraction(nlp(TEXT), article)
    return {m.text for m in result.mentions if m.entity_type == "person"}


def test_project_model_is_used_when_no_official_pipeline_is_installed() -> None:
    nlp, info = extract.resolve_pipeline("de", DEFAULT_PIPELINES["de"])
    assert info.candidate == "project:de_ner"
    assert not info.rules_only
    assert "ner" in info.components
    assert {"Katrin Albers", "Jonas Weber"} <= people(nlp)


def test_official_pipeline_is_preferred_where_installed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A stand-in for de_core_news_sm, installed the way spaCy packages are: a module with
    # load() beside its dist-info. Its entity_ruler marks one name, to prove it ran.
    site = tmp_path / "site"
    model_dir = tmp_path / "model"
    official = spacy.blank("de")
    ruler = official.add_pipe("entity_ruler", name="ner")
    ruler.add_patterns([{"label": "PER", "pattern": "Katrin Albers"}])
    official.meta.update({"name": "core_news_sm", "version": "3.8.0"})
    official.to_disk(model_dir)
    package = site / "de_core_news_sm"
    package.mkdir(parents=True)
    (package / "__init__.py").write_text(
        "import spacy\n\n\ndef load(**overrides):\n"
        f"    return spacy.load({str(model_dir)!r}, **overrides)\n",
        encoding="utf-8",
    )
    dist = site / "de_core_news_sm-3.8.0.dist-info"
    dist.mkdir()
    (dist / "METADATA").write_text(
        "Metadata-Version: 2.1\nName: de_core_news_sm\nVersion: 3.8.0\n", encoding="utf-8"
    )
    monkeypatch.syspath_prepend(str(site))
    nlp, info = extract.resolve_pipeline("de", DEFAULT_PIPELINES["de"])
    assert info.candidate == "de_core_news_sm"
    assert info.name == "de_core_news_sm" and info.version == "3.8.0"
    assert "Katrin Albers" in people(nlp)


def test_rules_alone_when_no_pipeline_loads(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING, logger="pipeline.extract"):
        nlp, info = extract.resolve_pipeline("de", ["de_core_news_lg", "project:no_such_model"])
    assert info.rules_only and info.candidate == ""
    assert "rule and gazetteer components only" in caplog.text
    assert {"Katrin Albers", "Jonas Weber"} <= people(nlp)


def test_project_model_is_small_and_credited() -> None:
    folder = extract.project_model_path("de_ner")
    size = sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())
    assert size < 32 * 1024 * 1024  # 13 MB of them are the floret vectors
    card = (folder / "README.md").read_text(encoding="utf-8")
    assert "GermEval 2014" in card and "SmartData" in card and "CC BY 4.0" in card
