"""French: nouns in lower case as in English, elided articles ("l'Agence"), titles such as
"directeur général" after the name, official spaCy pipelines from PyPI (fr_core_news_*)."""

from __future__ import annotations

from pipeline.lang import Profile

PROFILE = Profile(
    code="fr",
    pipelines=(
        "fr_core_news_lg",
        "fr_core_news_md",
        "fr_core_news_sm",
    ),
    role_words=frozenset(
        """maire adjoint adjointe président présidente directeur directrice gérant gérante
        fondateur fondatrice cofondateur cofondatrice ministre secrétaire préfet préfète
        conseiller conseillère chef cheffe responsable porte-parole ambassadeur ambassadrice
        chercheur chercheuse ingénieur ingénieure doyen recteur rectrice délégué déléguée
        vice-président vice-présidente pdg dg""".split()
    ),
    role_modifiers=frozenset({"vice", "premier", "première", "général", "générale", "adjoint"}),
    honorifics=frozenset({"mme", "mme.", "mlle", "monsieur", "madame", "maître"}),
    determiners=frozenset({"le", "la", "les", "l'", "l’", "un", "une", "des", "du", "notre"}),
    # No leading articles: they belong to names such as "Le Monde" and "La Poste".
    leading_articles=frozenset(),
    affiliation_words=frozenset({"de", "d'", "d’", "du", "des", "chez", "à", "au"}),
    org_heads=(
        "université",
        "ministère",
        "agence",
        "institut",
        "fondation",
        "commission",
        "métropole",
        "mairie",
        "société",
        "fédération",
        "chambre",
        "conseil",
        "autorité",
        "direction",
    ),
    org_connectors=frozenset({"de", "du", "pour", "et"}),
    name_particles=frozenset({"de", "du", "d'", "le", "la"}),
    not_names=frozenset({"le", "la", "les", "mai", "juin", "juillet", "mars", "avril", "août"}),
    place_prepositions=frozenset({"à", "de", "depuis", "vers", "près", "en"}),
    place_cues=frozenset({"ville", "villes", "commune", "métropole", "capitale"}),
    org_descriptors=("société", "groupe", "entreprise", "start-up", "opérateur", "constructeur"),
    place_roles=("maire", "préfet", "préfète"),
    department_words=frozenset(
        """finances transformation numérique innovation stratégie communication marketing
        ressources humaines développement durable mobilité transports environnement culture
        santé sécurité""".split()
    ),
    titles=frozenset({"maire", "président", "présidente", "ministre"}),
    lone_person_endings=None,
    country_locale="fr",
)
