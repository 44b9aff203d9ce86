from __future__ import annotations

from pipeline import normalize
from pipeline.records import Article, Extraction, Mention


def mention(article: str, start: int, text: str, etype: str, key: str = "") -> Mention:
    return Mention(article, start, start + len(text), text, etype, "model", "", key, "en")


def test_org_keys_ignore_legal_form_article_case_and_generic_words() -> None:
    key = normalize.org_key
    assert key("Huawei Technologies Co., Ltd.") == key("Huawei Technologies") == key("Huawei")
    assert key("the Stadtwerke Leipzig GmbH") == key("Stadtwerke Leipzig")
    assert key("ANT FINANCIAL SERVICES") == key("Ant Financial Services")
    assert key("Siemens Mobility") != key("Siemens")


def test_person_names_drop_honorifics_and_possessives() -> None:
    assert normalize.person_name("Herr Sanz") == "Sanz"
    assert normalize.person_name("Dr. Jonas Weber’s") == "Jonas Weber"


def test_entities_merge_short_forms_acronyms_and_articles() -> None:
    a = [
        mention("a1", 0, "José Luis Sanz", "person"),
        mention("a1", 40, "Mr Sanz", "person"),
        mention(
            "a1", 60, "China Academy of Information and Communications Technology", "organization"
        ),
        mention("a1", 130, "CAICT", "organization"),
        mention("a1", 150, "Seville", "city", "2510911"),
    ]
    b = [
        mention("a2", 0, "CAICT", "organization"),
        mention("a2", 10, "Sevilla", "city", "2510911"),
        mention("a2", 30, "Sanz", "person"),
    ]
    articles = [Article("a1", ["1.txt"], "x"), Article("a2", ["2.txt"], "y")]
    extractions = [Extraction("a1", a), Extraction("a2", b)]
    tables = normalize.build(list(zip(articles, extractions, strict=True)))
    entities = tables["entities"]
    people = entities[entities["entity_type"] == "person"]
    assert list(people["name"]) == ["José Luis Sanz"]  # "Sanz" alone in a2 joins him
    assert people.iloc[0]["n_articles"] == 2
    orgs = entities[entities["entity_type"] == "organization"]
    assert len(orgs) == 1
    assert orgs.iloc[0]["n_articles"] == 2 and "CAICT" in orgs.iloc[0]["aliases"]
    cities = entities[entities["entity_type"] == "city"]
    assert len(cities) == 1 and cities.iloc[0]["geonames_id"] == 2510911
    assert cities.iloc[0]["n_articles"] == 2
    assert set(cities.iloc[0]["aliases"].split("|")) == {"Seville", "Sevilla"}


def test_ids_are_stable_and_content_derived() -> None:
    first = normalize.entity_id("organization", "huawei")
    assert first == normalize.entity_id("organization", "huawei")
    assert first.startswith("org_") and first != normalize.entity_id("person", "huawei")


def test_acronym_joins_follow_chains_across_articles() -> None:
    """ "AC" is introduced as "AB-CD" in one article, "AB-CD" as the long name in another."""
    org = "organization"
    chunks = [
        [mention("a1", 0, "AB-CD", org), mention("a1", 20, "AC", org)],
        [mention("a2", 0, "Alpha Beta Charlie Delta", org), mention("a2", 40, "AB-CD", org)],
        [mention("a3", 0, "AC", org)],
    ]
    articles = [Article(f"a{i}", [f"{i}.txt"], "x") for i in (1, 2, 3)]
    extractions = [Extraction(f"a{i}", m) for i, m in zip((1, 2, 3), chunks, strict=True)]
    tables = normalize.build(list(zip(articles, extractions, strict=True)))
    orgs = tables["entities"]
    assert list(orgs["name"]) == ["Alpha Beta Charlie Delta"]
    assert orgs.iloc[0]["n_articles"] == 3
    assert set(tables["mentions"]["entity_id"]) == {orgs.iloc[0]["entity_id"]}
