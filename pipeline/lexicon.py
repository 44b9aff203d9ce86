"""Word lists shared by the stages that recognize names (extract) and normalize them: legal
forms (language-neutral) and the unions of the language profiles' words."""

from __future__ import annotations

from pipeline import lang

#: Titles and forms of address before a name, in every language; not part of the name.
HONORIFICS = lang.all_words("honorifics")

#: Legal forms after a company name, as spaCy tokens ("Co., Ltd." is three).
LEGAL_FORMS = (
    ("GmbH", "&", "Co.", "KG"),
    ("Co.", ",", "Ltd."),
    ("Co", ",", "Ltd"),
    ("Co.", "Ltd."),
    ("GmbH",),
    ("gGmbH",),
    ("mbH",),
    ("AG",),
    ("SE",),
    ("KGaA",),
    ("KG",),
    ("e.V.",),
    ("eG",),
    ("Inc.",),
    ("Inc",),
    ("Ltd.",),
    ("Ltd",),
    ("LLC",),
    ("plc",),
    ("PLC",),
    ("Corp.",),
    ("Corporation",),
    ("S.A.",),
    ("N.V.",),
    ("B.V.",),
    ("S.p.A.",),
    ("AB",),
    ("ASA",),
    ("Oy",),
    ("Co.",),
    ("Lda.",),
    ("S.L.",),
    ("S.r.l.",),
    ("Srl",),
    ("ApS",),
    ("A/S",),
    ("OÜ",),
    ("Group",),
    ("Gruppe",),
    ("Holding",),
)

#: Every word of a legal form, lower case without periods ("gmbh", "co", "ltd", ...).
LEGAL_FORM_TOKENS = frozenset(part.lower().rstrip(".") for form in LEGAL_FORMS for part in form) - {
    "&",
    ",",
}

#: Legal-form words as organization keys see them (periods and commas turned into spaces).
LEGAL_FORM_WORDS = {
    "co",
    "ltd",
    "limited",
    "inc",
    "incorporated",
    "corp",
    "corporation",
    "llc",
    "plc",
    "gmbh",
    "ag",
    "se",
    "kgaa",
    "kg",
    "ev",
    "e v",
    "eg",
    "sa",
    "nv",
    "bv",
    "spa",
    "s p a",
    "ab",
    "asa",
    "oy",
    "mbh",
    "ggmbh",
    "co kg",
}

#: Articles cut from the start of names, in every language.
LEADING_ARTICLES = lang.all_words("leading_articles")
#: Titles that may stand before a name in a mention ("Mayor Tan Chengxu").
TITLES = lang.all_words("titles")
