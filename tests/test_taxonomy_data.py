"""The shipped taxonomy file: ids, Wikidata ids, names per language, no term claimed twice."""

from __future__ import annotations

import json
import re
from collections import defaultdict
from importlib import resources
from typing import Any

import pytest

from pipeline import taxonomy

ID = re.compile(r"[a-z][a-z0-9]*(?:_[a-z0-9]+)*")
WIKIDATA_ID = re.compile(r"Q[1-9][0-9]*")
#: Fields press releases of cities, utilities, manufacturers, telecoms, health and space companies
#: talk about, each needing a category of its own or a shared one.
CATEGORIES = {
    "advertising",
    "blockchain",
    "computing",
    "connectivity",
    "data_ai",
    "energy",
    "fintech",
    "health",
    "iot_industry",
    "materials_manufacturing",
    "robotics_mobility",
    "security",
    "sensing",
    "software",
    "space",
    "urban",
    "xr",
}


@pytest.fixture(scope="module")
def entries() -> list[dict[str, Any]]:
    text = resources.files("pipeline.data").joinpath("technologies.json").read_text("utf-8")
    data: dict[str, Any] = json.loads(text)
    return list(data["entries"])


@pytest.fixture(scope="module")
def tax() -> taxonomy.Taxonomy:
    return taxonomy.load()


def test_the_taxonomy_covers_several_hundred_technologies(entries: list[dict[str, Any]]) -> None:
    assert len(entries) >= 550
    assert {e["category"] for e in entries} == CATEGORIES
    per_category = defaultdict(int)
    for entry in entries:
        per_category[entry["category"]] += 1
    assert min(per_category.values()) >= 9, per_category


def test_ids_are_snake_case_unique_and_sorted(entries: list[dict[str, Any]]) -> None:
    ids = [e["id"] for e in entries]
    assert [i for i in ids if not ID.fullmatch(i)] == []
    assert len(set(ids)) == len(ids)
    assert ids == sorted(ids)


def test_wikidata_ids_are_q_numbers_or_empty(entries: list[dict[str, Any]]) -> None:
    bad = [(e["id"], e["wikidata_id"]) for e in entries if e["wikidata_id"]]
    assert [b for b in bad if not WIKIDATA_ID.fullmatch(b[1])] == []
    # Ids nobody guessed: a few well-known ones pinned.
    by_id = {e["id"]: e["wikidata_id"] for e in entries}
    assert by_id["artificial_intelligence"] == "Q11660"
    assert by_id["machine_learning"] == "Q2539"


def test_every_entry_is_named_in_english_and_german(entries: list[dict[str, Any]]) -> None:
    for entry in entries:
        assert set(entry) >= {"id", "category", "wikidata_id", "names", "synonyms"}, entry["id"]
        assert entry["names"].get("en"), entry["id"]
        assert entry["names"].get("de"), entry["id"]
        assert set(entry["names"]) <= {"en", "de", "fr"}, entry["id"]
        assert set(entry["synonyms"]) <= {"en", "de", "fr"}, entry["id"]
        assert not {"name_en", "name_de", "synonyms_en", "synonyms_de"} & set(entry)


def test_common_entries_are_named_in_french(entries: list[dict[str, Any]]) -> None:
    french = {e["id"]: e["names"]["fr"] for e in entries if e["names"].get("fr")}
    assert len(french) >= 150
    for common in (
        "artificial_intelligence",
        "cloud_computing",
        "five_g",
        "internet_of_things",
        "hydrogen",
        "solar_power",
        "electric_vehicles",
        "heat_pump",
        "smart_grid",
        "data_centre",
        "cybersecurity",
        "digital_twin",
    ):
        assert common in french, common


def test_no_term_is_claimed_by_two_entries_within_a_language(
    entries: list[dict[str, Any]],
) -> None:
    owners: dict[tuple[str, tuple[str, ...]], set[str]] = defaultdict(set)
    for entry in entries:
        context = entry.get("context", {}).get("terms", {})
        for language in {*entry["names"], *entry["synonyms"], *context}:
            written = [
                entry["names"].get(language, ""),
                *entry["synonyms"].get(language, []),
                *context.get(language, []),
            ]
            for term in filter(None, written):
                owners[language, taxonomy.words_of(term.casefold())].add(entry["id"])
    shared = {key: ids for key, ids in owners.items() if len(ids) > 1}
    assert shared == {}


def test_no_abbreviation_is_claimed_by_two_entries(entries: list[dict[str, Any]]) -> None:
    owners: dict[tuple[str, ...], set[str]] = defaultdict(set)
    for entry in entries:
        for abbreviation in entry.get("abbreviations", []):
            owners[taxonomy.words_of(abbreviation)].add(entry["id"])
    assert {key: ids for key, ids in owners.items() if len(ids) > 1} == {}


def test_every_term_and_its_generated_forms_lead_to_its_own_entry(
    tax: taxonomy.Taxonomy,
) -> None:
    """Across languages too: no German inflection or French plural lands on another entry."""
    lost = [
        (tech.tech_id, term, tax.by_words.get(taxonomy.words_of(term.casefold())))
        for tech in tax.technologies.values()
        for term in (*tech.terms, *tech.context_terms)
        if tax.by_words.get(taxonomy.words_of(term.casefold())) != tech.tech_id
    ]
    assert lost == []


def test_no_term_is_made_only_of_one_or_two_letter_words(tax: taxonomy.Taxonomy) -> None:
    """Casefolded, such a term would match ordinary words ("C++" is the word "c")."""
    short = [
        key
        for key in tax.by_words
        if all(len(word) <= 2 for word in key) and not any(ch.isdigit() for ch in "".join(key))
    ]
    assert sorted(short) == [("li", "fi"), ("wi", "fi")]  # Li-Fi and Wi-Fi, two words each


def test_context_rules_name_their_terms_and_words(entries: list[dict[str, Any]]) -> None:
    with_context = {e["id"]: e["context"] for e in entries if "context" in e}
    assert {"cloud_computing", "hydrogen", "programmatic_advertising"} <= set(with_context)
    for tech_id, context in with_context.items():
        assert context["terms"] and any(context["terms"].values()), tech_id
        assert context.get("requires") or context.get("excludes"), tech_id
        words = [*context.get("requires", []), *context.get("excludes", [])]
        assert all(len(word) >= 2 and word == word.casefold() for word in words), tech_id


def test_existing_callers_see_the_english_and_german_names(tax: taxonomy.Taxonomy) -> None:
    """normalize.py and report.py read name_en and name_de: the columns keep their values."""
    ai = tax.technologies["artificial_intelligence"]
    assert (ai.name_en, ai.name_de) == ("artificial intelligence", "künstliche Intelligenz")
    assert ai.names["fr"] == "intelligence artificielle"
    assert ai.name("fr") == "intelligence artificielle"
    assert tax.technologies["hydrogen"].name("es") == "hydrogen technology"
    assert all(
        t.name_en == t.names["en"] and t.name_de == t.names["de"] for t in tax.technologies.values()
    )
