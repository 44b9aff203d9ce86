from __future__ import annotations

from pipeline import normalize, schema
from pipeline.records import Article, Extraction, Mention, Role


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


def test_article_overview_and_entity_dates_and_roles() -> None:
    text = "Mayor Jane Roe of Springfield met CEO Jane Roe. Jane Roe spoke."
    first = Article("a1", ["1.txt"], text, title="One", published="2025-03-02", language="en")
    second = Article("a2", ["2.txt"], text, title="Two", published="2024-11-30", language="de")

    def extraction(aid: str) -> Extraction:
        mentions = [
            Mention(aid, 6, 14, "Jane Roe", "person", "rule", "", "", "en"),
            Mention(aid, 18, 29, "Springfield", "organization", "model", "", "", "en"),
            Mention(aid, 38, 46, "Jane Roe", "person", "rule", "", "", "en"),
        ]
        roles = [
            Role(aid, 6, 14, "Mayor", 0, 5, "Springfield", 18, 29),
            Role(aid, 38, 46, "CEO", 34, 37),
        ]
        return Extraction(aid, mentions, roles)

    tables = normalize.build([(first, extraction("a1")), (second, extraction("a2"))])
    people = tables["people"]
    assert len(people) == 1
    roe = people.iloc[0]
    assert roe["roles"] == "CEO|Mayor"  # as written, in order of the normalized role
    assert roe["affiliation"] == "Springfield" and roe["affiliation_id"].startswith("org_")
    assert roe["languages"] == "de|en"
    assert (roe["first_published"], roe["last_published"]) == ("2024-11-30", "2025-03-02")
    roles = tables["roles"]
    assert list(roles.columns) == schema.columns("roles")
    assert set(zip(roles["role"], roles["role_normalized"], strict=True)) == {
        ("Mayor", "mayor"),
        ("CEO", "ceo"),
    }
    assert set(roles["entity_id"]) == {roe["entity_id"]}
    overview = tables["article_overview"].set_index("article_id")
    assert overview.loc["a1", "n_people"] == 1 and overview.loc["a1", "people"] == "Jane Roe"
    assert overview.loc["a1", "n_entities"] == 2
    assert overview.loc["a2", "title"] == "Two"
    assert overview.loc["a2", "organizations"] == "Springfield"
    assert tables["article_entities"]["n_mentions"].tolist() == [1, 2, 1, 2]
