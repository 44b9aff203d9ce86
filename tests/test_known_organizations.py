"""Known organizations: the shipped data file, the gazetteer component in real pipelines, and
one entity per organization whatever form an article uses."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from importlib import resources

import pytest
from spacy.language import Language

from pipeline import extract, known_organizations, normalize
from pipeline.config import DEFAULT_PIPELINES

ID = re.compile(r"[a-z0-9_]+")
KINDS = {
    "company",
    "public_body",
    "research",
    "university",
    "association",
    "international",
    "media",
    "nonprofit",
}


def test_data_file_ids_kinds_and_no_form_claimed_twice() -> None:
    path = resources.files("pipeline") / "data" / "known_organizations.json"
    entries = json.loads(path.read_text(encoding="utf-8"))["organizations"]
    ids = [e["id"] for e in entries]
    assert ids == sorted(ids) and len(set(ids)) == len(ids) > 500
    assert all(ID.fullmatch(i) for i in ids)
    assert {e["kind"] for e in entries} <= KINDS
    assert all(re.fullmatch(r"[A-Z]{2}|EU|INT", e["country"]) for e in entries)
    owners: dict[str, set[str]] = {}
    for e in entries:
        for form in (e["name"], *e["aliases"]):
            owners.setdefault(form.casefold(), set()).add(e["id"])
    assert not {form: ids for form, ids in owners.items() if len(ids) > 1}


def test_an_ambiguous_name_is_only_found_in_its_long_forms() -> None:
    orange = known_organizations.load()["orange"]
    assert orange.ambiguous and "Orange" not in known_organizations.safe_forms()
    assert all(len(f.split()) >= 3 for f in orange.safe_forms())
    assert known_organizations.safe_forms()["Nvidia"] == "nvidia"


@pytest.fixture(scope="module")
def ents() -> Callable[[str, str], list[tuple[str, str, str]]]:
    pipelines: dict[str, Language] = {}

    def run(language: str, text: str) -> list[tuple[str, str, str]]:
        if language not in pipelines:
            pipelines[language] = extract.resolve_pipeline(language, DEFAULT_PIPELINES[language])[0]
        return [(e.text, e.label_, e.id_) for e in pipelines[language](text).ents]

    return run


def test_known_names_the_model_misses_are_organizations(
    ents: Callable[[str, str], list[tuple[str, str, str]]],
) -> None:
    found = ents("de", "Waymo und xAI testen in Hamburg, berichtet der Digitalverband Bitkom.")
    orgs = {text for text, label, _ in found if label == "ORG"}
    assert {"Waymo", "xAI", "Bitkom"} <= orgs
    assert "Digitalverband Bitkom" not in orgs  # the descriptor is not part of the name
    assert ("Hamburg", "CITY") in {(t, label) for t, label, _ in found}


def test_known_names_keep_a_legal_form_and_a_unit_acronym(
    ents: Callable[[str, str], list[tuple[str, str, str]]],
) -> None:
    found = ents("de", "Die naturstrom AG liefert Wärme, begleitet vom Fraunhofer IEE in Kassel.")
    orgs = {text for text, label, _ in found if label == "ORG"}
    assert {"naturstrom AG", "Fraunhofer IEE"} <= orgs and "Fraunhofer" not in orgs


def test_an_ambiguous_word_is_left_to_the_model(
    ents: Callable[[str, str], list[tuple[str, str, str]]],
) -> None:
    # "Orange" and "Lime" are known companies, but as written here also a colour and a fruit:
    # the gazetteer does not call them organizations (only their long forms would be).
    found = ents("en", "Orange and Lime are the colours of the new buses in Leeds.")
    assert not [e for e in found if e[1] == "ORG" and e[2] == "gazetteer"]


def test_every_form_of_a_known_organization_is_one_entity() -> None:
    assert normalize.org_key("DLR") == normalize.org_key(
        "Deutsches Zentrum für Luft- und Raumfahrt"
    )
    assert normalize.org_key("Europäische Kommission") == normalize.org_key("European Commission")
    assert normalize.org_key("Siemens Mobility") != normalize.org_key("Siemens")
