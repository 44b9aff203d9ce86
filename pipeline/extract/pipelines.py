"""Which spaCy pipeline serves a language: the first installed candidate of the language's
profile (official pipelines first, then the ones `make setup` installs or the project ships),
with the statistical components the extractor needs and the project's rule components."""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Callable
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

import spacy
from spacy.language import Language
from spacy.symbols import ORTH

from pipeline.config import Config
from pipeline.extract.components import RULE_COMPONENTS
from pipeline.fingerprint import extraction_fingerprint
from pipeline.lang import PROJECT_MODEL_PREFIX

log = logging.getLogger(__name__)


#: Pipeline components the extractor needs; everything else a loaded pipeline has is disabled.
NEEDED = {"tok2vec", "transformer", "ner", "senter", "sentencizer"}
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
    if (Path(candidate) / "meta.json").is_file():  # a pipeline folder
        return spacy.load(candidate)
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
        elif (Path(candidate) / "meta.json").is_file():
            meta = Path(candidate) / "meta.json"
            return candidate, str(json.loads(meta.read_text(encoding="utf-8"))["version"])
        elif spacy.util.is_package(candidate):
            return candidate, spacy.util.get_package_version(candidate) or ""
    return "", ""


def fingerprint(language: str, config: Config) -> str:
    """What an extraction in this language depends on (see `pipeline.fingerprint`)."""
    return extraction_fingerprint(language, config)


class DottedName:
    """Tokenizer match that keeps a dotted name whole ("Bosch.IO", "Nuvola.AI"), then asks the
    language's own token_match."""

    PATTERN = re.compile(r"[A-Z][\w-]*\.[A-Z][A-Za-z0-9]+")

    def __init__(self, fallback: Callable[[str], Any] | None) -> None:
        self.fallback = fallback

    def __call__(self, text: str) -> Any:
        match = self.PATTERN.fullmatch(text)
        if match is None and self.fallback is not None:
            return self.fallback(text)
        return match


def resolve_pipeline(
    language: str, candidates: list[str], rules: dict[str, dict[str, Any]] | None = None
) -> tuple[Language, PipelineInfo]:
    """The first candidate that loads, with the rule components added; rules alone otherwise.
    `rules` configures the rule components by name (`Config.component_rules`; a component
    left out keeps its defaults, which are `Config`'s)."""
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
    tokenizer.token_match = DottedName(tokenizer.token_match)
    for text, pieces in TOKEN_SPECIAL_CASES.items():
        tokenizer.add_special_case(text, [{ORTH: piece} for piece in pieces])
    for component in RULE_COMPONENTS:
        nlp.add_pipe(component, config=(rules or {}).get(component, {}))
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
