"""The rule components one by one, with the examples their comments cite, through the real
pipelines (the installed English model, the project's German model)."""

from __future__ import annotations

import sys
from typing import Any

import pytest
from spacy.language import Language

from pipeline import extract
from pipeline.config import DEFAULT_PIPELINES


@pytest.fixture(scope="module")
def nlp() -> dict[str, Language]:
    return {
        code: extract.resolve_pipeline(code, DEFAULT_PIPELINES[code])[0] for code in ("en", "de")
    }


def ents(nlp: Language, text: str) -> set[tuple[str, str]]:
    return {(e.text, e.label_) for e in nlp(text).ents}


# --- pi_places ---------------------------------------------------------------------------------
def test_common_german_words_are_no_cities(nlp: dict[str, Language]) -> None:
    text = (
        "Dabei hilft ein Gerät im Keller. Dort steht ein Tank. Man rechnet mit Kosten. "
        "Alter Beton wird zerkleinert."
    )
    assert not {label for _, label in ents(nlp["de"], text)} & {"CITY"}


def test_ambiguous_cities_are_found_with_evidence(nlp: dict[str, Language]) -> None:
    found = ents(nlp["de"], "Essen, 5. Mai 2025 – Die Städte Essen, Halle (Saale) und Hof planen.")
    assert {("Essen", "CITY"), ("Hof", "CITY")} <= found
    found = ents(nlp["en"], "Heat networks will be built in Bath, Reading and Sale next year.")
    assert {("Bath", "CITY"), ("Reading", "CITY"), ("Sale", "CITY")} <= found
    assert ("Split", "CITY") in ents(nlp["en"], "The City of Split in Croatia opened a port.")


def test_states_and_provinces_are_no_cities(nlp: dict[str, Language]) -> None:
    found = ents(nlp["en"], "The satellites watch Florida and Arizona, and Washington state.")
    assert not {text for text, label in found if label == "CITY"}


def test_namesakes_prefer_the_language_region() -> None:
    from pipeline import gazetteer

    region = gazetteer.language_region("en")
    city = gazetteer.resolve_city("Valencia", region=region)
    assert city is not None and city.country_code == "ES"
    assert gazetteer.resolve_city("Valencia").country_code == "VE"  # the largest namesake


# --- pi_organizations --------------------------------------------------------------------------
def test_coordinated_names_are_split(nlp: dict[str, Language]) -> None:
    found = ents(nlp["en"], "Leeds City Council and Siemens Mobility Ltd will build the depot.")
    assert {("Leeds City Council", "ORG"), ("Siemens Mobility Ltd", "ORG")} <= found
    found = ents(nlp["en"], "Austin and Cisco Systems, Inc. signed the contract.")
    assert ("Cisco Systems, Inc.", "ORG") in found
    assert not any("and" in text for text, _ in found)


def test_units_roads_formulas_and_departments_are_no_organizations(
    nlp: dict[str, Language],
) -> None:
    text = (
        "The portfolios are Finance, Digital Transformation and Citizen Participation. "
        "The park adds 40 MW beside the A61 and saves CO2."
    )
    orgs = {t for t, label in ents(nlp["en"], text) if label == "ORG"}
    assert not orgs & {"Finance", "Digital Transformation", "Citizen Participation", "MW", "A61"}


def test_names_stay_whole_and_companies_named_after_people(nlp: dict[str, Language]) -> None:
    found = ents(nlp["de"], "Die Bosch.IO GmbH und die Robert Bosch GmbH bauen ein Netz.")
    assert {("Bosch.IO GmbH", "ORG"), ("Robert Bosch GmbH", "ORG")} <= found
    found = ents(nlp["en"], "After a trial at Royal Jubilee Hospital in Victoria, it spreads.")
    assert ("Royal Jubilee Hospital", "ORG") in found


# --- pi_people ---------------------------------------------------------------------------------
def test_role_phrases_as_written_and_no_role_words_as_people(nlp: dict[str, Language]) -> None:
    doc = nlp["de"]("Felix Hartung, Leiter Public Sector beim Bitkom, sagte das.")
    assert ("Public Sector", "PER") not in {(e.text, e.label_) for e in doc.ents}
    assert [r.role for r in doc._.roles] == ["Leiter Public Sector"]
    doc = nlp["en"]("Jane Doe, chief technology officer of Northwind Robotics, said so.")
    assert [(r.role, r.affiliation) for r in doc._.roles] == [
        ("chief technology officer", "Northwind Robotics")
    ]
    found = ents(nlp["en"], "Executive Member for Transport Jane Doe opened the line.")
    assert ("Member", "PER") not in found


# --- cost in article length --------------------------------------------------------------------
#: Syllables of invented names: each paragraph of a long article brings new people and companies.
SYLLABLES = ("kal", "ven", "dor", "mir", "sol", "tan", "bex", "lor", "quin", "rud")


def invented(i: int) -> str:
    """A name of its own for every number: 0 -> "Kalkal", 12 -> "Venven", 123 -> "Venvendor"."""
    digits = str(i).zfill(2)
    return "".join(SYLLABLES[int(d)] for d in digits).capitalize()


def long_article(paragraphs: int) -> str:
    """An English press release of many paragraphs, each with people and companies of its own
    who come back in later sentences, cities, a country and technologies."""
    return "\n\n".join(
        f"HAMBURG, 5 May 2025 – Dr. Maria {invented(i)} of {invented(i + 500)} Systems GmbH met "
        f"Mayor Jonas {invented(i + 1000)} in Vienna, Lyon and Oslo. {invented(i + 500)} "
        f"Systems GmbH (KX{i}) will deploy hydrogen buses and artificial intelligence in Germany. "
        f"{invented(i)} said the {invented(i + 500)} platform works, and {invented(i + 1000)} "
        f"agreed with {invented(i + 500)} Systems."
        for i in range(paragraphs)
    )


def rule_component_lines(nlp: Language, text: str) -> int:
    """Lines of Python the rule components execute on the text (every line a loop runs counts
    again), after one warm-up run that fills the caches they share."""
    from pipeline.extract.components import RULE_COMPONENTS

    with nlp.select_pipes(disable=list(RULE_COMPONENTS)):
        statistical = nlp(text)

    def run() -> None:
        doc = statistical.copy()
        for name in RULE_COMPONENTS:
            doc = nlp.get_pipe(name)(doc)

    run()
    lines = 0

    def trace(frame: Any, event: str, arg: Any) -> Any:
        nonlocal lines
        lines += event == "line"
        return trace

    sys.settrace(trace)
    try:
        run()
    finally:
        sys.settrace(None)
    return lines


def test_rule_components_cost_grows_linearly_with_the_article(nlp: dict[str, Language]) -> None:
    """Four times the paragraphs (and the names) cost the rule components about four times the
    work, not sixteen: entities are looked up by token, names by their first word, never
    compared pairwise."""
    short = rule_component_lines(nlp["en"], long_article(25))
    long = rule_component_lines(nlp["en"], long_article(100))
    assert long < 4.6 * short, f"{long} lines for 4x the text against {short}"


def test_names_are_found_where_the_alternation_of_all_names_finds_them() -> None:
    """Propagation looks names up by their first word; it finds what the regular expression of
    all names (longest first, whole words, no hyphen either side) finds, in the same order."""
    import re

    from pipeline.extract.components.propagation import occurrences

    names = ["Siemens", "Siemens AG", "AG", "Bosch.IO", "“Nova”", "-X", "Dr. Li", "Li", "A/S"]
    text = (
        "Siemens AG and Siemens-Chef Li met Dr. Li of Bosch.IO and “Nova” (Siemens); "
        "Siemens AGs, e-Siemens, Vestas A/S, -X and a-X and Li-Ion, Siemens AG."
    )
    pattern = re.compile(
        r"(?<![\w-])("
        + "|".join(re.escape(n) for n in sorted(names, key=len, reverse=True))
        + r")(?![\w-])"
    )
    expected = [(m.start(), m.end(), m.group(1)) for m in pattern.finditer(text)]
    assert list(occurrences(text, names)) == expected
    assert ("Siemens AG" in [n for _, _, n in expected]) and len(expected) >= 8
