"""Cross-article linking: a name found confidently in one article is found wherever it
occurs in the batch (a company the English pipeline knows, in a German article)."""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterable

from pipeline.extract.convert import sentence_at
from pipeline.records import Extraction, Mention


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
