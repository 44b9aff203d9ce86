"""Stage 4, link: a name found confidently in one article is found wherever it occurs in the
other articles of the store (a company the English pipeline knows, in a German article).

Input: every analysed article's `Extraction`. Output: per article, the mentions this stage adds
(`found_by` "propagation"), which the store keeps beside the extraction. What an article's
links depend on is its extraction, the set of confident names of the whole store and this
module's code (`pipeline.fingerprint.link_fingerprint`).
"""

from __future__ import annotations

import bisect
import hashlib
import json
import re
from collections.abc import Iterable

from pipeline.records import Extraction, Mention, sentence_at

#: The `source` (found_by) of the mentions this stage adds.
SOURCE = "propagation"
#: A word, as names are looked up by their first word.
WORD = re.compile(r"\w+")


def confident_names(extractions: Iterable[Extraction]) -> dict[str, str]:
    """Names safe to look for in every article (name -> entity type; the first type seen
    wins): multi-word people, and organizations with a legal form or institutional head
    (rule) or of several words."""
    names: dict[str, str] = {}
    for extraction in extractions:
        for m in extraction.mentions:
            if m.source == SOURCE or "\n" in m.text:
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


def names_digest(names: dict[str, str]) -> str:
    """The confident names and their types, as 16 hex digits."""
    text = json.dumps(sorted(names.items()), ensure_ascii=False)
    return hashlib.sha1(text.encode("utf-8")).hexdigest()[:16]


class NameIndex:
    """Confident names indexed by their first word, for lookups at each word of a text."""

    def __init__(self, names: dict[str, str]) -> None:
        self.names = names
        lengths: dict[str, set[int]] = {}
        for name in names:
            first = WORD.match(name)
            if first is not None:  # names start with a word character
                lengths.setdefault(first.group(0), set()).add(len(name))
        #: Per first word, the lengths of the names starting with it, longest first: a name
        #: is looked up as the text's slice of that length.
        self.by_first_word = {word: sorted(found, reverse=True) for word, found in lengths.items()}

    def links(self, extraction: Extraction, text: str) -> list[Mention]:
        """The mentions of confident names in `text` that `extraction` lacks: the longest name
        at a word not inside a name found before it, not overlapping a mention."""
        names, by_first_word = self.names, self.by_first_word
        taken = sorted((m.start, m.end) for m in extraction.mentions)
        language = extraction.mentions[0].language if extraction.mentions else ""
        found: list[Mention] = []
        end_of_last = -1
        for word in WORD.finditer(text):
            lengths = by_first_word.get(word.group(0))
            if lengths is None:
                continue
            start = word.start()
            if start < end_of_last or (start > 0 and text[start - 1] in "-_"):
                continue
            for length in lengths:
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
            found.append(
                Mention(
                    extraction.article_id,
                    start,
                    end,
                    name,
                    names[name],
                    SOURCE,
                    sentence_at(text, extraction.sentences, start),
                    "",
                    language,
                )
            )
        return found


def merge(extraction: Extraction, linked: list[Mention]) -> Extraction:
    """The extraction with the linked mentions among its own, in offset order."""
    extraction.mentions.extend(linked)
    extraction.mentions.sort(key=lambda m: (m.start, m.end, m.entity_type))
    return extraction


def propagate_across(
    extractions: list[Extraction], texts: dict[str, str], names: dict[str, str] | None = None
) -> None:
    """Link a batch in place: every confident name (of `names`, by default those of the
    batch) is found wherever it occurs in the batch."""
    index = NameIndex(confident_names(extractions) if names is None else names)
    for extraction in extractions:
        merge(extraction, index.links(extraction, texts[extraction.article_id]))
