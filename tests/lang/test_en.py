"""English profile: titles before and after names, capitalized names beside a city."""

from __future__ import annotations

from collections.abc import Callable

from found import Found


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
