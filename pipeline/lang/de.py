"""German: every noun capitalized, role compounds ("Oberbürgermeisterin"), genitive -s on
names ("Hamburgs"), a model trained by the project (`pipeline/models/de_ner`)."""

from __future__ import annotations

from pipeline.lang import PROJECT_MODEL_PREFIX, Profile

PROFILE = Profile(
    code="de",
    pipelines=(
        "de_core_news_lg",
        "de_core_news_md",
        "de_core_news_sm",
        PROJECT_MODEL_PREFIX + "de_ner",
    ),
    role_suffixes=(
        "bürgermeisterin",
        "bürgermeister",
        "präsidentin",
        "präsident",
        "geschäftsführerin",
        "geschäftsführer",
        "vorstandsvorsitzende",
        "vorstandsvorsitzender",
        "vorsitzende",
        "vorsitzender",
        "ministerin",
        "minister",
        "staatssekretärin",
        "staatssekretär",
        "sekretärin",
        "sekretär",
        "direktorin",
        "direktor",
        "gründerin",
        "gründer",
        "leiterin",
        "leiter",
        "sprecherin",
        "sprecher",
        "dezernentin",
        "dezernent",
        "chefin",
        "chef",
        "vorständin",
        "vorstand",
        "senatorin",
        "senator",
        "landrätin",
        "landrat",
        "stadträtin",
        "stadtrat",
        "referentin",
        "referent",
        "beauftragte",
        "beauftragter",
        "botschafterin",
        "botschafter",
        "managerin",
        "manager",
        "rektorin",
        "rektor",
        "kanzlerin",
        "kanzler",
    ),
    role_modifiers=frozenset(
        """stellvertretende stellvertretender erste erster technische technischer
        kaufmännische kaufmännischer""".split()
    ),
    honorifics=frozenset({"herr", "herrn", "frau", "professorin"}),
    determiners=frozenset({"die", "der", "das", "den", "dem", "des", "ein", "eine"}),
    leading_articles=frozenset({"die", "der", "das", "den", "dem", "des"}),
    affiliation_words=frozenset({"des", "der", "von", "vom", "bei", "beim", "am", "im"}),
    org_heads=(
        "universität",
        "hochschule",
        "ministerium",
        "kommission",
        "verband",
        "stadtwerke",
        "institut",
        "akademie",
        "agentur",
        "stiftung",
        "behörde",
        "konsortium",
        "bundesamt",
        "landesamt",
        "senatsverwaltung",
        "kammer",
        "gesellschaft",
        "allianz",
        "verwaltung",
        "komitee",
        "klinikum",
        "klinik",
        "krankenhaus",
        "schule",
        "telekom",
    ),
    org_connectors=frozenset({"für", "der", "des", "und", "zur", "zum"}),
    name_particles=frozenset({"von", "der", "den", "zu"}),
    not_names=frozenset(
        {"am", "im", "mai", "den", "der", "die", "das", "ein", "eine", "und", "neue"}
    ),
    place_prepositions=frozenset({"in", "aus", "nach", "von", "bei"}),
    place_cues=frozenset(
        """stadt städte gemeinde landeshauptstadt hauptstadt kreisstadt hansestadt großstadt
        metropole messestadt universitätsstadt hafenstadt bundesstadt""".split()
    ),
    org_descriptors=(
        "unternehmen",
        "unternehmens",
        "konzern",
        "konzerns",
        "hersteller",
        "herstellers",
        "anbieter",
        "anbieters",
        "versorger",
        "versorgers",
        "dienstleister",
        "dienstleisters",
        "verband",
        "verbands",
        "firma",
        "vermittler",
        "vermittlers",
        "autobauer",
        "autobauers",
        "betreiber",
        "betreibers",
        "start-up",
        "start-ups",
    ),
    place_roles=(
        "bürgermeister",
        "bürgermeisterin",
        "landrat",
        "landrätin",
        "stadtrat",
        "stadträtin",
    ),
    department_words=frozenset(
        """it finanzen finanz digitalisierung transformation personal vertrieb marketing einkauf
        beschaffung kommunikation presse öffentlichkeitsarbeit umwelt klimaschutz mobilität
        verkehr bildung kultur gesundheit soziales wirtschaft wirtschaftsförderung
        stadtentwicklung bürgerbeteiligung recht sicherheit infrastruktur innovation strategie
        forschung entwicklung netzbetrieb niederlassung abteilung fachbereich referat bereich
        geschäftsbereich""".split()
    ),
    titles=frozenset(
        """bürgermeister bürgermeisterin oberbürgermeister oberbürgermeisterin ministerin
        präsident präsidentin""".split()
    ),
    capitalizes_nouns=True,
    genitive_s=True,
    first_name_rule=True,
    # The model takes inflected nouns and adjectives for names: "Entwürfe", "Neuen Mitte".
    inflection_endings=("es", "er", "en", "e"),
    # A lone word only the model calls a person is an inflected noun when it ends so
    # ("Entwürfe", "Dieselbussen"); surnames alone ("Merkel", "Sammer") are common in news.
    lone_person_endings=("en", "e"),
    country_locale="de",
)
