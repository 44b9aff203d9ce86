"""Word lists shared by the stages that recognize names (extract) and normalize them."""

from __future__ import annotations

#: Titles and forms of address before a name; not part of the name.
HONORIFICS = {
    "mr",
    "mr.",
    "mrs",
    "mrs.",
    "ms",
    "ms.",
    "dr",
    "dr.",
    "prof",
    "prof.",
    "professor",
    "sir",
    "dame",
    "herr",
    "herrn",
    "frau",
    "professorin",
    "cllr",
    "cllr.",
    "councillor",
}

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

#: Articles and determiners that are not part of a name.
DETERMINERS = frozenset(
    {"the", "die", "der", "das", "den", "dem", "des", "a", "an", "ein", "eine", "our"}
)
LEADING_ARTICLES = frozenset({"the", "die", "der", "das", "den", "dem", "des"})
#: Titles that may stand before a name in a mention ("Mayor Tan Chengxu").
TITLES = frozenset(
    """mayor president chairman chairwoman ceo minister governor bürgermeister bürgermeisterin
    oberbürgermeister oberbürgermeisterin ministerin präsident präsidentin""".split()
)
