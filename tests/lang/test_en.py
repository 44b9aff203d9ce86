"""English profile: titles before and after names, capitalized names beside a city."""

from __future__ import annotations

from collections.abc import Callable

from found import Found

from pipeline import gazetteer


def test_apposition_role_with_organization(extract_text: Callable[[str, str], Found]) -> None:
    text = "Raj Patel, chief executive of Northwind Robotics Ltd, opened the depot in Leeds."
    result = extract_text("en", text)
    assert "Raj Patel" in result.texts("person")
    role = result.extraction.roles[0]
    assert role.role == "chief executive"
    assert text[role.start : role.end] == "chief executive"


def test_a_capitalized_neighbour_makes_a_longer_name_not_a_city(
    extract_text: Callable[[str, str], Found],
) -> None:
    text = "The award went to Wasu Media for its streaming work."
    result = extract_text("en", text)
    assert not result.texts("city")


def test_role_phrase_runs_to_the_organization_it_belongs_to(
    extract_text: Callable[[str, str], Found],
) -> None:
    text = (
        "The depot opens in May, said Hannah Kerr, director of fleet services at the "
        "Department of Transport. Omar Haddad, chief executive of Quillfeather, said the "
        "software was ready. Jules Radich, mayor of Dunedin, welcomed the plan."
    )
    result = extract_text("en", text)
    roles = {r.role: r.affiliation for r in result.extraction.roles}
    assert roles["director of fleet services"] in {
        "Department of Transport",
        "the Department of Transport",
    }
    # a name no component knew becomes the organization the role belongs to
    assert roles["chief executive"] == "Quillfeather"
    assert "Quillfeather" in result.texts("organization")
    assert roles["mayor"] == "Dunedin" and "Dunedin" in result.texts("city")


def test_a_department_after_a_role_is_not_an_organization(
    extract_text: Callable[[str, str], Found],
) -> None:
    result = extract_text("en", "Jane Moss, head of Marketing, said the results were strong.")
    assert "Marketing" not in result.texts("organization")
    assert [r.affiliation for r in result.extraction.roles] == [""]


def test_a_state_after_a_city_is_the_citys_state(
    extract_text: Callable[[str, str], Found],
) -> None:
    result = extract_text("en", "The premier opened the depot in Melbourne, Victoria, on Monday.")
    assert result.texts("city") == {"Melbourne"}
    result = extract_text("en", "The clinic in Victoria, British Columbia, hired nurses.")
    [key] = result.keys("city")
    assert gazetteer.cities_by_id()[int(key)].country_code == "CA"
    result = extract_text("en", "Trains now run between Bremen, Hamburg and Berlin every hour.")
    assert result.texts("city") == {"Bremen", "Hamburg", "Berlin"}  # a list, not city and state
