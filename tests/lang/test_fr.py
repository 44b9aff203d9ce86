"""French profile: the official fr_core_news pipeline, French role words and honorifics."""

from __future__ import annotations

from collections.abc import Callable

from found import Found

from pipeline import extract
from pipeline.config import DEFAULT_PIPELINES


def test_french_resolves_to_the_official_pipeline() -> None:
    _, info = extract.resolve_pipeline("fr", DEFAULT_PIPELINES["fr"])
    assert info.candidate == "fr_core_news_sm" and not info.rules_only


def test_role_with_place_and_person(extract_text: Callable[[str, str], Found]) -> None:
    text = "La maire de Lyon, Anne Martin, a présenté le projet à Marseille."
    result = extract_text("fr", text)
    assert "Anne Martin" in result.texts("person")
    assert {"Lyon", "Marseille"} <= result.texts("city")
    assert [(r.role, r.affiliation) for r in result.extraction.roles] == [("maire", "Lyon")]


def test_honorific_before_a_name(extract_text: Callable[[str, str], Found]) -> None:
    text = "Selon Mme Claire Dubois, le réseau sera prêt en juin."
    assert "Claire Dubois" in extract_text("fr", text).texts("person")


def test_role_phrase_and_organization_after_de_and_au(
    extract_text: Callable[[str, str], Found],
) -> None:
    text = (
        "« Le calendrier tient », résume Camille Roussel, cheffe de projet au CNES. Selon "
        "Julien Marchetti, directeur d'Air Pays de la Loire, les capteurs suffisent."
    )
    result = extract_text("fr", text)
    roles = {r.role: r.affiliation for r in result.extraction.roles}
    assert roles["cheffe de projet"] == "CNES"
    assert roles["directeur"] == "Air Pays de la Loire"
