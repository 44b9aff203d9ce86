from __future__ import annotations

from pipeline import language
from pipeline.config import load_config
from pipeline.records import Article

GERMAN = (
    "Die Stadt Leipzig hat am Mittwoch ein eigenes Mobilfunknetz für das Güterverkehrszentrum "
    "in Betrieb genommen. Die Stadtwerke betreiben die Anlage gemeinsam mit einem Partner."
)
ENGLISH = (
    "The city council approved a plan on Tuesday to equip every bus stop with real-time "
    "displays, and the first stops in the harbour district will be converted next spring."
)
FRENCH = (
    "La métropole a présenté jeudi une nouvelle plateforme qui rassemble les données de "
    "circulation et de qualité de l'air des bâtiments publics."
)


def article(text: str) -> Article:
    return Article(article_id="x", source_paths=["x.txt"], text=text)


def test_detects_english_and_german_with_scores() -> None:
    items = [article(GERMAN), article(ENGLISH)]
    language.run(items, load_config())
    assert [a.language for a in items] == ["de", "en"]
    assert all(a.language_score > 0.9 and a.status == "ok" for a in items)


SPANISH = (
    "El ayuntamiento de Valencia presentó el jueves una nueva plataforma que reúne los datos "
    "de tráfico y de calidad del aire de los edificios públicos de la ciudad."
)


def test_other_language_is_kept_but_unsupported() -> None:
    item = article(SPANISH)
    language.run([item], load_config())
    assert (item.language, item.status) == ("es", "unsupported_language")
    item = article(FRENCH)  # analysed since the French profile
    language.run([item], load_config())
    assert (item.language, item.status) == ("fr", "ok")
    item = article(FRENCH)
    language.run([item], load_config(languages=("en", "de")))
    assert (item.language, item.status) == ("fr", "unsupported_language")


def test_short_text_is_undetermined() -> None:
    item = article("Smart city.")
    language.run([item], load_config())
    assert (item.language, item.status) == ("und", "undetermined_language")


def test_detection_is_deterministic() -> None:
    mixed = "Smart City Expo: Huawei und die Stadt zeigen digital twin Lösungen " * 3
    results = {language.detect_language(mixed, load_config()) for _ in range(10)}
    assert len(results) == 1


def test_forced_language() -> None:
    item = article(ENGLISH)
    language.run([item], load_config(language="de"))
    assert (item.language, item.language_score, item.status) == ("de", 1.0, "ok")
