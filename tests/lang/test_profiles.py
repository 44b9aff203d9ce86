from __future__ import annotations

import pytest

from pipeline import lang
from pipeline.errors import ConfigError


def test_every_profile_has_pipelines_and_the_supported_list_follows_the_modules() -> None:
    assert lang.supported() == ("en", "de", "fr")
    for code in lang.supported():
        profile = lang.profile(code)
        assert profile.code == code and profile.pipelines
        for name in ("role_words", "honorifics", "determiners", "org_connectors"):
            words = getattr(profile, name)
            assert all(w == w.lower() for w in words), (code, name)


def test_context_words_add_english_and_name_words_span_every_language() -> None:
    german_roles = lang.context_words("de", "role_words")
    assert "ceo" in german_roles  # English titles appear in German releases
    assert "maire" not in german_roles
    assert {"university", "universität", "université"} <= set(lang.all_suffixes("org_heads"))


def test_unknown_language_names_the_supported_ones() -> None:
    with pytest.raises(ConfigError, match="'es' is not supported; supported: en, de, fr"):
        lang.profile("es")
