from __future__ import annotations

import json
from importlib import resources

import pytest

from pipeline import taxonomy
from pipeline.errors import ConfigError


@pytest.fixture(scope="module")
def tax() -> taxonomy.Taxonomy:
    return taxonomy.load()


def ids(tax: taxonomy.Taxonomy, text: str) -> list[tuple[str, str]]:
    return [(text[s:e], tech_id) for s, e, tech_id in tax.find(text)]


def test_shipped_taxonomy_is_large_bilingual_and_categorized(tax: taxonomy.Taxonomy) -> None:
    assert len(tax.technologies) >= 150
    assert all(t.name_en and t.name_de and t.category for t in tax.technologies.values())
    assert tax.technologies["artificial_intelligence"].wikidata_id == "Q11660"


def test_case_inflection_compounds_and_pairs(tax: taxonomy.Taxonomy) -> None:
    found = ids(tax, "KI-Lösungen im 5G-Netz, Cloud-Dienste und AR/VR; die ai-Abteilung.")
    techs = {tech for _, tech in found}
    assert {"artificial_intelligence", "five_g", "augmented_reality", "virtual_reality"} <= techs
    assert ("KI-Lösungen", "artificial_intelligence") in found
    assert not any(text.startswith("ai") for text, _ in found)  # AI/KI only in capitals
    english = ids(tax, "Digital twins and machine-learning models on edge computing nodes.")
    assert {"digital_twin", "machine_learning", "edge_computing"} <= {t for _, t in english}


def test_candidates_are_unknown_technology_like_phrases(tax: taxonomy.Taxonomy) -> None:
    text = (
        "The city tests Quuxnet technology and vehicle-to-everything-lite sensors. "
        "Die Stadt nutzt Zauberfunk-Sensoren und eine neue Plattform mit LiDAR-Technologie. "
        "Our chief technology officer said the new technology works."
    )
    terms = {term for _, _, term in taxonomy.find_candidates(text, tax)}
    assert {"Quuxnet technology", "Zauberfunk-Sensoren"} <= terms
    assert not any("LiDAR" in t or "chief" in t or "new" in t for t in terms)


def test_bad_taxonomy_entries_are_named() -> None:
    with pytest.raises(ConfigError, match=r"'x' lacks 'names\.de'"):
        taxonomy.build({"entries": [{"id": "x", "names": {"en": "X"}, "category": "c"}]})
    data = json.loads(resources.files("pipeline.data").joinpath("technologies.json").read_text())
    data["entries"].append(dict(data["entries"][0]))
    with pytest.raises(ConfigError, match="appears twice"):
        taxonomy.build(data)


def test_bad_language_fields_and_context_rules_are_named() -> None:
    base = {"id": "x", "names": {"en": "X", "de": "X"}, "category": "c"}
    with pytest.raises(ConfigError, match="'synonyms' must map language codes"):
        taxonomy.build({"entries": [{**base, "synonyms": ["x"]}]})
    with pytest.raises(ConfigError, match="a context needs 'requires' or 'excludes'"):
        taxonomy.build({"entries": [{**base, "context": {"terms": {"en": ["x"]}}}]})
    rule = {"terms": {"en": ["quux"]}, "requires": ["widget"], "excludes": ["zoo"], "window": 3}
    tax = taxonomy.build({"entries": [{**base, "context": rule}]})
    assert [t for *_, t in tax.find("the quux widget")] == ["x"]
    assert tax.find("the quux a b c d widget") == []  # too far away
    assert tax.find("quux widget in zoos") == []  # a negative neighbour
