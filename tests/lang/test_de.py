"""German profile: role compounds, capitalized nouns, genitive -s, the given-name rule."""

from __future__ import annotations

from collections.abc import Callable

from found import Found

from pipeline import extract


def test_role_compound_and_person(extract_text: Callable[[str, str], Found]) -> None:
    text = "Oberbürgermeisterin Katrin Albers eröffnete am Montag das Rechenzentrum in Mainz."
    result = extract_text("de", text)
    assert "Katrin Albers" in result.texts("person")
    assert [r.role for r in result.extraction.roles] == ["Oberbürgermeisterin"]


def test_genitive_s_finds_the_city(extract_text: Callable[[str, str], Found]) -> None:
    result = extract_text("de", "Der Ausbau von Hamburgs Hafen beginnt im Herbst.")
    assert result.keys("city") == {"2911298"}


def test_a_capitalized_noun_beside_a_city_does_not_hide_it() -> None:
    # German capitalizes every noun, so "Pendler" before "Mainz" says nothing about a longer
    # name; in English the same capital means one ("Wasu Media"). Rules alone, no model.
    german = extract.resolve_pipeline("de", [])[0]
    english = extract.resolve_pipeline("en", [])[0]
    doc = german("Viele Pendler Hamburg erreichen das Zentrum schneller.")
    assert [(e.text, e.label_) for e in doc.ents] == [("Hamburg", "CITY")]
    doc = english("Many Commuters London reach the centre faster.")
    assert not [e for e in doc.ents if e.label_ == "CITY"]


def test_role_phrase_with_its_subject_and_organization(
    extract_text: Callable[[str, str], Found],
) -> None:
    text = (
        "Jonas Brettschneider, Leiter Planung und Genehmigung bei Nordwind Kabel, sagte, die "
        "Trasse sei gesichert. Der Landesbeauftragte für den Datenschutz hat das Verfahren "
        "geprüft. Carla Vossberg, Direktorin der Niederlassung Süd der Autobahn GmbH, nannte "
        "einen Termin."
    )
    result = extract_text("de", text)
    assert result.texts("person") == {"Jonas Brettschneider", "Carla Vossberg"}
    roles = {r.role: r.affiliation for r in result.extraction.roles}
    assert roles["Leiter Planung und Genehmigung"] == "Nordwind Kabel"
    assert roles["Direktorin der Niederlassung Süd"] == "Autobahn GmbH"
    assert "Niederlassung Süd" not in result.texts("organization")


def test_a_model_organization_after_a_given_name_stays_one(
    extract_text: Callable[[str, str], Found],
) -> None:
    # "Royal" and "Davis" are given names, but "Navy" and "Cup" are common words: the model's
    # organizations stay organizations (a person there cost the extractor UNER points).
    result = extract_text("de", "Die Royal Navy schickte zwei Schiffe zum Davis Cup in Hamburg.")
    assert {"Royal Navy", "Davis Cup"} <= result.texts("organization")
    assert not result.texts("person")


def test_a_city_inside_an_institution_name_does_not_cut_it(
    extract_text: Callable[[str, str], Found],
) -> None:
    text = "Eine Delegation des Hong Kong Productivity Council besuchte am Montag Hamburg."
    result = extract_text("de", text)
    assert "Hong Kong Productivity Council" in result.texts("organization")
