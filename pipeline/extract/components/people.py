"""pi_people: people after role and title cues, in appositions and after known given names;
the roles they hold, with the organization named beside the role."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass

from spacy.lang.en.stop_words import STOP_WORDS as ENGLISH_STOP_WORDS
from spacy.language import Language
from spacy.tokens import Doc, Span, Token
from spacy.util import filter_spans

from pipeline import gazetteer
from pipeline.extract.components.organizations import COORDINATORS
from pipeline.extract.labels import CITY, COUNTRY, LOC, ORG, PER
from pipeline.extract.spans import (
    Entities,
    RoleMatch,
    Words,
    after_affiliation,
    contained,
    first_names,
    is_name_token,
    is_role_token,
    make_span,
    person_after,
    tokens_of,
    words,
    zipf,
)
from pipeline.lexicon import LEGAL_FORM_TOKENS


@dataclass(frozen=True)
class PeopleRules:
    """Thresholds of the people component (`Config.people_rules`, documented in `Config`)."""

    common_word_zipf: float = 4.5
    first_name_common_zipf: float = 5.0
    city_min_population: int = 100_000
    genitive_city_min_population: int = 500_000
    surname_zipf: float = 3.5


@Language.factory("pi_people", default_config=asdict(PeopleRules()))
def make_people_finder(
    nlp: Language,
    name: str,
    common_word_zipf: float,
    first_name_common_zipf: float,
    city_min_population: int,
    genitive_city_min_population: int,
    surname_zipf: float,
) -> Callable[[Doc], Doc]:
    rules = PeopleRules(
        common_word_zipf,
        first_name_common_zipf,
        city_min_population,
        genitive_city_min_population,
        surname_zipf,
    )
    return lambda doc: find_people(doc, rules)


def find_people(doc: Doc, rules: PeopleRules) -> Doc:
    """People after role and title cues, in appositions, and after known first names; roles."""
    tok = tokens_of(doc)
    w = words(doc)
    names = first_names()
    found: list[Span] = []
    roles: list[tuple[int, int, int, int, Span | None]] = []  # role span, person span, affil
    ents = list(doc.ents)
    known = Entities(doc, ents)  # the entities as they came: never changed
    by_start = known.by_start
    people_by_end = {e.end: e for e in ents if e.label_ == PER}
    phrase_end = 0
    for i, token in enumerate(tok):
        honorific = token.lower_ in w.honorifics
        if i < phrase_end or not (honorific or is_role_token(token, w)):
            continue
        role_start = i
        while role_start > 0 and (
            tok[role_start - 1].lower_ in w.role_modifiers
            or (
                tok[role_start - 1].text == "-"
                and role_start > 1
                and tok[role_start - 2].lower_ in w.role_modifiers
            )
        ):
            role_start -= 1
        role_end = i + 1 if honorific else role_phrase_end(doc, i, w)
        phrase_end = role_end
        if (
            not honorific
            and role_start > 1
            and tok[role_start - 1].text == ","
            and (role_start - 1) in people_by_end
        ):
            continue  # "Felix Hartung, Leiter Public Sector beim Bitkom": the apposition rule
        j = role_end
        affiliation: Span | None = None
        if j < len(doc) and tok[j].lower_ in w.affiliation_words and not honorific:
            k = j + 1
            if k < len(doc) and tok[k].lower_ in w.determiners:
                k += 1
            ent = by_start.get(k)
            if ent is not None and ent.label_ in (ORG, CITY, COUNTRY, LOC):
                affiliation = ent
                j = ent.end
            else:
                # "Sekretär von Innovation and Technology of Hong Kong Nicholas W. Yang"
                p_start, p_end = person_after(doc, known, k, names, reach=9)
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
            and (is_name_token(tok[end]) or (tok[end].lower_ in w.name_particles and end > j))
        ):
            end += 1
        while end > j and tok[end - 1].lower_ in w.name_particles:
            end -= 1
        if affiliation is not None and not honorific:
            # "Mayor of Seville, José Luis Sanz": a known person or a first name must follow.
            j, end = person_after(doc, known, after_affiliation, names)
        if (
            end > j
            and not any(is_role_token(t, w) for t in doc[j:end])
            and not (not honorific and coordinated_words(doc, j, end, names))
            and tok[j - 1].lower_ not in w.determiners  # "… für den Datenschutz"
        ):
            min_tokens = 1 if honorific or affiliation is None else 2
            if end - j >= min_tokens and (
                honorific or named_like_a_person(doc, j, end, known, rules.common_word_zipf)
            ):
                found.append(make_span(doc, j, end, PER, "rule"))
                if not honorific:
                    roles.append((role_start, role_end, j, end, affiliation))
    # Apposition: "Margaret Fong, Geschäftsführerin des …", "Jules Radich, mayor of Dunedin".
    named_by_role: list[Span] = []  # "Tomas Venckus, chief executive of Ledgerline"
    attributed = {role_end - 1 for _, role_end, _, _, _ in roles}
    for i, token in enumerate(tok):
        if token.text != "," or i + 1 >= len(doc):
            continue
        k = i + 1
        if tok[k].lower_ in w.determiners:
            k += 1
        role_start = k
        while (
            k + 1 < len(doc)
            and (tok[k].lower_ in w.role_modifiers or tok[k].text == "-")
            and (
                tok[k + 1].lower_ in w.role_modifiers
                or tok[k + 1].text == "-"
                or is_role_token(tok[k + 1], w)
            )
        ):
            k += 1
        if k >= len(doc) or not is_role_token(tok[k], w) or k in attributed:
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
                and not any(e.label_ != PER for e in known.overlapping(start, i))
            ):
                person = make_span(doc, start, i, PER, "rule")
                found.append(person)
        if person is None:
            continue
        role_end, affiliation = role_affiliation(doc, k, by_start, w, rules.common_word_zipf)
        if affiliation is not None and affiliation.id_ == "rule" and affiliation.label_ == ORG:
            named_by_role.append(affiliation)
        roles.append((role_start, role_end, person.start, person.end, affiliation))

    # Organizations the model made of people: "Mayor Liisa Raudsepp", "Piotr Zalewski"; not
    # "Royal Navy", "Davis Cup" (common words after the given name).
    def is_common(t: Token) -> bool:
        return max(zipf(t.lower_, doc.lang_), zipf(t.lower_, "en")) >= rules.surname_zipf

    for ent in ents:
        if ent.label_ != ORG or ent.id_ != "model":
            continue
        cue = 0
        while cue < len(ent) - 1 and (
            ent[cue].lower_ in w.honorifics or is_role_token(ent[cue], w)
        ):
            cue += 1
        rest = ent[cue:]
        if (
            2 <= len(rest) <= 3
            and all(is_name_token(t) for t in rest)
            and (cue > 0 or (rest[0].lower_ in names and not any(map(is_common, rest[1:]))))
            and not any(t.lower_.endswith(w.org_heads) for t in rest)
        ):
            found.append(make_span(doc, rest.start, rest.end, PER, "rule"))
    # A known first name followed by one or two name tokens.
    by_given_name: list[Span] = []
    for i, token in enumerate(tok):
        if not w.profile.first_name_rule:
            break  # the English statistical model finds these well; the rule adds noise there
        if (
            token.lower_ not in names
            or not is_name_token(token)
            or token.is_stop
            or zipf(token.lower_, doc.lang_) >= rules.first_name_common_zipf  # "Alter Hafen"
            or token.lower_ in ENGLISH_STOP_WORDS  # English phrases in German text: "One Belt"
        ):
            continue
        end = i + 1
        while (
            end < len(doc)
            and end - i < 3
            and (end - i < 2 or tok[end - 1].lower_ in names)  # "Hans Peter Müller"
            and is_name_token(tok[end])
            and not tok[end].lower_.endswith(w.org_heads)
            and not is_role_token(tok[end], w)  # "Donald Trump Präsident"
            and zipf(tok[end].lower_, doc.lang_) < rules.common_word_zipf  # "Gelegenheit"
        ):
            end += 1
        if end - i >= 2 and not any(t.lower_ in w.not_names for t in doc[i + 1 : end]):
            by_given_name.append(make_span(doc, i, end, PER, "rule"))
    entities = Entities(doc, ents)
    entities.add(filter_spans(found), replaceable_by_person)
    entities.add(filter_spans(named_by_role), same_place_span)
    # Given names fill gaps and complete a person the model cut short ("Felix" -> "Felix
    # Hartung"); "Royal Navy", "Davis Cup" stay what the model said.
    entities.add(
        filter_spans(by_given_name),
        lambda old, new: old.label_ == PER and contained(old, new),
    )
    # A name inside a role phrase is part of the role: "Leiter Testing und Validierung".
    for rs, re_, _, _, _ in roles:
        for ent in entities.overlapping(rs, re_):
            if ent.label_ == PER and rs <= ent.start and ent.end <= re_:
                entities.remove(ent)
    entities.write()
    doc._.roles = [
        RoleMatch(
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
        if is_person(entities.covering(ps, pe))
    ]
    return doc


def replaceable_by_person(old: Span, new: Span) -> bool:
    """Overlap rule of people found by a role, a title or an apposition: they replace places,
    other people and misc names, a model organization inside them, and a gazetteer city they
    contain."""
    return (
        old.label_ in (PER, LOC, "MISC")
        or (old.label_ == ORG and old.id_ == "model" and contained(new, old))
        or (old.label_ == CITY and old.id_ == "gazetteer" and contained(old, new))
    )


def role_phrase_end(doc: Doc, k: int, w: Words) -> int:
    """End of the role phrase whose role word is token k, as written: "chief technology
    officer", "Leiter Public Sector" (capitalized words count only when an affiliation word
    follows them: "… beim Bitkom"), never into a given name."""
    tok = tokens_of(doc)
    names = first_names()
    end = j = k + 1
    capitalized = False  # inside a run of capitalized words, kept only if affiliated
    while j < len(doc) and j - k <= 5:
        t = tok[j]
        if t.lower_ in w.affiliation_words or t.is_punct or t.lower_ in names:
            break
        if not (t.is_alpha or "-" in t.text):
            break
        j += 1
        if t.lower_ in w.role_words or t.lower_ in w.role_modifiers:
            end = j
        elif t.is_lower:
            if capitalized:
                break
            end = j
        else:
            capitalized = True
            if j < len(doc) and tok[j].lower_ in w.affiliation_words:
                end = j
    return end


def role_affiliation(
    doc: Doc, k: int, by_start: dict[int, Span], w: Words, common_zipf: float
) -> tuple[int, Span | None]:
    """The end of the role phrase whose role word is token k, and the organization (or else
    the place) the role belongs to, when the clause names it: "director of aerospace at the
    Department of Commerce", "Vertriebsdirektor für Deutschland bei Solaris", "cheffe de
    projet au CNES". The role phrase runs, as written, up to the affiliation word. A name
    no component found becomes an organization when it is neither a place nor a department
    and not made of common words only ("chief executive of Ledgerline")."""
    tok = tokens_of(doc)
    end = role_phrase_end(doc, k, w)
    place: tuple[int, Span | None] = (end, None)
    place_role = tok[k].lower_.endswith(w.place_roles)
    j = end
    while j < min(len(doc), end + AFFILIATION_REACH):
        if tok[j].is_punct or tok[j].is_quote:
            break
        a = after_affiliation(doc, j, w, by_start)
        if a is None:
            j += 1
            continue
        found = by_start.get(a)
        if found is None:
            found = organization_named_at(doc, a, by_start, w, common_zipf)
        elif found.label_ == LOC and not place_role:
            # "chief executive of Ledgerline", a name the model took for a place
            found = organization_named_at(doc, found.start, {}, w, common_zipf) or found
        if found is not None and found.label_ == ORG:
            parent = parent_organization(doc, found.end, by_start, w, common_zipf)
            return j if parent is None else found.end, parent or found
        if (
            found is not None
            and (found.label_ in (CITY, COUNTRY) or (found.label_ == LOC and place_role))
            and place[1] is None
        ):
            place = (j, found)
        j = found.end if found is not None else j + 1
    return place


def coordinated_words(doc: Doc, start: int, end: int, names: frozenset[str]) -> bool:
    """Capitalized words joined to more by "und"/"and" after a role are its subject, not a
    name: "Leiter Testing und Validierung" (unless a given name is among them)."""
    tok = tokens_of(doc)
    return (
        end + 1 < len(doc)
        and tok[end].lower_ in COORDINATORS
        and tok[end + 1].text[:1].isupper()
        and not any(t.lower_ in names for t in doc[start:end])
    )


def same_place_span(old: Span, new: Span) -> bool:
    """An organization named by a role replaces the unresolved place of the same words."""
    return old.label_ == LOC and (old.start, old.end) == (new.start, new.end)


def parent_organization(
    doc: Doc, i: int, by_start: dict[int, Span], w: Words, common_zipf: float
) -> Span | None:
    """The organization that a unit found before token i belongs to, when named right after
    it: "Niederlassung Süd der Autobahn GmbH", "Labor für Beton und Asphalt der Empa"."""
    k = after_affiliation(doc, i, w, by_start)
    if k is None:
        return None
    parent = by_start.get(k) or organization_named_at(doc, k, by_start, w, common_zipf)
    return parent if parent is not None and parent.label_ == ORG else None


def organization_named_at(
    doc: Doc, a: int, by_start: dict[int, Span], w: Words, common_zipf: float
) -> Span | None:
    """The capitalized name at token a, as an organization of the "rule" source, when it can
    be one: a clause-final run of name words and acronyms (with connectors inside, up to the
    next entity), not a place, a person's given name, department words or common words only
    ("Ledgerline", "Fraunhofer IEE")."""
    tok = tokens_of(doc)

    def name_like(t: Token) -> bool:
        return is_name_token(t) or (t.is_upper and t.is_alpha and len(t) <= 6)

    end = a
    while (
        end < len(doc)
        and end - a < 6
        and (end == a or end not in by_start)
        and (
            name_like(tok[end])
            or (end > a and tok[end].lower_ in w.org_connectors)
            or (
                end > a + 1
                and tok[end].lower_ in w.determiners
                and tok[end - 1].lower_ in w.org_connectors
            )
        )
    ):
        end += 1
    if end < len(doc) and end in by_start and end > a:
        return None  # "Niederlassung West der Autobahn GmbH": the organization comes later
    while end > a and not name_like(tok[end - 1]):
        end -= 1
    if end == a or tok[a].lower_ in first_names():
        return None
    if end < len(doc) and not (tok[end].is_punct or tok[end].lower_ in w.affiliation_words):
        return None  # the name goes on in words this rule cannot judge
    span = make_span(doc, a, end, ORG, "rule")
    text = span.text
    if gazetteer.find_country(text) is not None or gazetteer.city_candidates(text):
        return None
    department = w.department_words
    if all(t.lower_ in department or t.lower_ in w.org_connectors for t in span):
        return None
    if all(
        max(zipf(t.lower_, doc.lang_), zipf(t.lower_, "en")) >= common_zipf
        for t in span
        if t.lower_ not in w.org_connectors
    ):
        return None
    return span


#: Tokens after a role phrase within which its affiliation is looked for.
AFFILIATION_REACH = 8


def is_person(ent: Span | None) -> bool:
    return ent is not None and ent.label_ == PER


def named_like_a_person(
    doc: Doc, start: int, end: int, ents: Entities, common_word_zipf: float
) -> bool:
    """Whether the words after a role cue can be a person's name: a given name or an initial
    among them, a person the model found there, or not all of them common words of the
    article's language or English ("Executive Member", "Leiter Public Sector")."""
    span = doc[start:end]
    names = first_names()
    if any(t.lower_ in names or (len(t) == 2 and t.text.endswith(".")) for t in span):
        return True
    if is_person(ents.covering(start, end)):
        return True
    return not all(
        max(zipf(t.lower_, doc.lang_), zipf(t.lower_, "en")) >= common_word_zipf for t in span
    )


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


def plausible_person(
    ent: Span,
    names: frozenset[str],
    city_min_population: int = PeopleRules.city_min_population,
    genitive_city_min_population: int = PeopleRules.genitive_city_min_population,
) -> bool:
    """Whether a PER span can be a person's name: no company words, and in German a first
    word that is a given name, an initial or a name-like word rather than an adjective."""
    w = words(ent.doc)
    if any(
        t.lower_ in PERSON_STOP_WORDS
        or t.lower_ in LEGAL_FORM_TOKENS
        or t.lower_.endswith(w.org_heads)
        or (ent.id_ == "model" and is_role_token(t, w))  # "… Bürgermeister"
        for t in ent
    ):
        return False
    if not any(ch.isalpha() for ch in ent.text) or ent.text[:1] in "@#":
        return False
    if any(ch.isdigit() for ch in ent.text):  # "GPT-4o", "777X"
        return False
    if ent[0].is_stop and ent[0].lower_ not in names:  # "Warum Waymo"
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
                any(t.is_upper and len(t) > 1 and not t.text.endswith(".") for t in ent)
                or any(
                    c.population >= city_min_population
                    for c in gazetteer.city_candidates(first.text)
                )
                or any(  # "Geschenk Hangzhous"
                    c.population >= genitive_city_min_population
                    for t in ent[1:]
                    for c in gazetteer.city_candidates(t.text, genitive=w.profile.genitive_s)
                )
            )
        ):
            return False
    return not (
        w.profile.inflection_endings
        and len(ent) > 1
        and first.lower_ not in names
        and first.lower_.endswith(w.profile.inflection_endings)
        and ent.id_ == "model"
        and first.lower_ not in w.name_particles
    )
