#!/usr/bin/env python
"""Convert GermEval 2014 + DFKI SmartData v1 into spaCy DocBin corpora.

Labels: PER, ORG, LOC, MISC.
  GermEval 2014: B-/I-PER, ORG, LOC, OTH->MISC; *deriv and *part tags -> O
                 (outer tag column only).
  SmartData v1:  person -> PER; organization, organization-company -> ORG;
                 location, location-* -> LOC; every other type -> O.
                 Spans are trimmed of edge whitespace/punctuation and snapped to
                 spaCy "de" token boundaries; unalignable spans (mostly parts of
                 compounds such as "E-Plus-Übernahme") and overlaps are dropped.
                 Harmonised with GermEval (unless --no-harmonize): derived
                 adjectives ("deutschen"), spans starting with an article or
                 "beiden"/"stadtauswärts", and a few generic nouns ("Polizei") -> O.

Split: per corpus, documents (GermEval: sentences grouped by their "#" source
line URL; SmartData: one JSON document, identical texts deduplicated) are
shuffled with random.Random(13) and cut 80/10/10 into train/dev/test.

Writes to --out:
  germeval_{train,dev,test}.spacy  smartdata_{train,dev,test}.spacy
  {train,dev,test}.spacy           (both corpora mixed)
  raw_train.jsonl                  ({"text": ...} of the train docs, for spacy pretrain)
  stats.json                       (counts, dropped spans)

Run from the repo root:
  python training/convert_de.py --data ../shared/data/german-ner --out training/build/corpus
"""

import argparse
import gzip
import json
import random
import re
import sys
from collections import Counter, OrderedDict
from pathlib import Path

import spacy
from spacy.tokens import Doc, DocBin
from spacy.util import filter_spans

SEED = 13
SPLIT = (0.8, 0.1, 0.1)
LABELS = ("PER", "ORG", "LOC", "MISC")

GERMEVAL_FILES = ("germeval2014/NER-de-dev.tsv", "germeval2014/NER-de-test-part1.tsv")
SMARTDATA_FILES = ("smartdata/v1_20180119_train.json.gz", "smartdata/v1_20180119_test.json.gz")

GERMEVAL_MAP = {"PER": "PER", "ORG": "ORG", "LOC": "LOC", "OTH": "MISC"}

# characters trimmed from the edges of SmartData spans
EDGE_CHARS = " \t\r\n\u00a0.,;:!?\"'„“”‚‘’«»()[]{}<>-–—/|*#"
# no space before these tokens / after these tokens when re-joining GermEval text
NO_SPACE_BEFORE = {".", ",", ";", ":", "!", "?", ")", "]", "}", "%"}
NO_SPACE_AFTER = {"(", "[", "{"}


def smartdata_label(t):
    if t == "person":
        return "PER"
    if t in ("organization", "organization-company"):
        return "ORG"
    if t == "location" or t.startswith("location-"):
        return "LOC"
    return None


# SmartData annotates some things GermEval leaves unlabelled (derived adjectives
# such as "deutschen", traffic directions such as "beiden Richtungen", generic
# nominal mentions such as "die Gruppe"); those spans are set to O so both
# corpora follow the GermEval convention.
DERIVED_ADJ = re.compile(r"^[a-zäöü][a-zäöüß-]*(isch|sch)(e|en|er|em|es)?$")
NON_NAME_FIRST = {
    "der",
    "die",
    "das",
    "den",
    "dem",
    "des",
    "ein",
    "eine",
    "einen",
    "einem",
    "einer",
    "eines",
    "beide",
    "beiden",
    "beider",
    "alle",
    "allen",
    "diese",
    "dieser",
    "diesem",
    "diesen",
    "dieses",
    "sein",
    "seine",
    "seinem",
    "seinen",
    "seiner",
    "ihr",
    "ihre",
    "ihrem",
    "ihren",
    "ihrer",
    "unser",
    "unsere",
    "unseren",
    "unserem",
    "stadtauswärts",
    "stadteinwärts",
    "richtung",
}
GENERIC_NOUNS = {"Polizei", "Unternehmen", "Gruppe", "Konzern", "Regierung", "Firma", "Stadt"}


def non_name(span):
    first = span[0].text
    single = len(span) == 1 and (DERIVED_ADJ.match(first) is not None or first in GENERIC_NOUNS)
    return first in NON_NAME_FIRST or single


def unwrap(v):
    if isinstance(v, dict) and "array" in v:
        return v["array"] or []
    return v or []


# ---------------------------------------------------------------- GermEval
def read_germeval(path):
    """Yield (source, tokens, bio_tags) per sentence."""
    source, toks, tags = None, [], []
    with Path(path).open(encoding="utf-8") as f:
        for line in f:
            line = line.rstrip("\n")
            if line.startswith("#"):
                parts = line.split("\t")
                source = parts[1].strip() if len(parts) > 1 else line
                continue
            if not line.strip():
                if toks:
                    yield source, toks, tags
                toks, tags = [], []
                continue
            cols = line.split("\t")
            toks.append(cols[1])
            tags.append(cols[2])
    if toks:
        yield source, toks, tags


def germeval_doc(vocab, toks, tags):
    spaces = []
    for i, t in enumerate(toks):
        nxt = toks[i + 1] if i + 1 < len(toks) else None
        sp = nxt is not None and nxt not in NO_SPACE_BEFORE and t not in NO_SPACE_AFTER
        spaces.append(sp)
    doc = Doc(vocab, words=toks, spaces=spaces)
    ents, start, label = [], None, None
    for i, tag in enumerate([*tags, "O"]):
        prefix, _, typ = tag.partition("-")
        lab = GERMEVAL_MAP.get(typ)  # *deriv / *part -> None -> O
        if prefix == "I" and lab is not None and label == lab:
            continue
        if start is not None:
            ents.append(
                doc.char_span(doc[start].idx, doc[i - 1].idx + len(doc[i - 1]), label=label)
            )
            start, label = None, None
        if prefix in ("B", "I") and lab is not None:  # stray I- starts an entity
            start, label = i, lab
    doc.ents = [e for e in ents if e is not None]
    return doc


def load_germeval(data, vocab):
    groups = OrderedDict()  # source -> list of docs
    for rel in GERMEVAL_FILES:
        for source, toks, tags in read_germeval(data / rel):
            groups.setdefault(source, []).append(germeval_doc(vocab, toks, tags))
    return list(groups.values()), Counter()


# ---------------------------------------------------------------- SmartData
def iter_json_stream(path):
    dec = json.JSONDecoder()
    with gzip.open(path, "rt", encoding="utf-8") as f:
        s = f.read()
    i, n = 0, len(s)
    while True:
        while i < n and s[i].isspace():
            i += 1
        if i >= n:
            break
        obj, i = dec.raw_decode(s, i)
        yield obj


def align_span(doc, start, end, label):
    text = doc.text
    while start < end and text[start] in EDGE_CHARS:
        start += 1
    while end > start and text[end - 1] in EDGE_CHARS:
        end -= 1
    if start >= end:
        return None, "empty"
    span = doc.char_span(start, end, label=label)
    if span is not None:
        return span, "ok"
    # snap to token boundaries: try keeping an abbreviation dot ("Co.", "Str.")
    if end < len(text) and text[end] == ".":
        span = doc.char_span(start, end + 1, label=label)
        if span is not None:
            return span, "snapped"
    span = doc.char_span(start, end, label=label, alignment_mode="expand")
    if (
        span is not None
        and len(span.text) - (end - start) <= 3
        and not any(t.is_space for t in span)
    ):
        return span, "snapped"
    return None, "unaligned"


def load_smartdata(data, nlp, harmonize=True):
    stats = Counter()
    docs, seen = [], set()
    for rel in SMARTDATA_FILES:
        for obj in iter_json_stream(data / rel):
            text = (obj.get("text") or {}).get("string") or ""
            if not text.strip():
                stats["empty_doc"] += 1
                continue
            if text in seen:
                stats["duplicate_doc"] += 1
                continue
            seen.add(text)
            doc = nlp.make_doc(text)
            spans = []
            for m in unwrap(obj.get("conceptMentions")):
                label = smartdata_label(m.get("type", ""))
                if label is None:
                    continue
                sp = m.get("span") or {}
                span, how = align_span(doc, int(sp["start"]), int(sp["end"]), label)
                stats["span_" + how] += 1
                if span is not None and harmonize and non_name(span):
                    stats["span_harmonized_to_O"] += 1
                    continue
                if span is not None:
                    spans.append(span)
            kept = filter_spans(spans)
            stats["span_overlap_dropped"] += len(spans) - len(kept)
            doc.ents = kept
            docs.append([doc])
    return docs, stats


# ---------------------------------------------------------------- split / write
def split(groups):
    idx = list(range(len(groups)))
    random.Random(SEED).shuffle(idx)
    n = len(idx)
    n_train = round(n * SPLIT[0])
    n_dev = round(n * SPLIT[1])
    parts = {
        "train": idx[:n_train],
        "dev": idx[n_train : n_train + n_dev],
        "test": idx[n_train + n_dev :],
    }
    return {k: [d for i in sorted(v) for d in groups[i]] for k, v in parts.items()}


def ent_counts(docs):
    c = Counter()
    for d in docs:
        for e in d.ents:
            c[e.label_] += 1
    return dict(sorted(c.items()))


def main(argv=None):
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--data", default="../shared/data/german-ner", help="german-ner data folder")
    ap.add_argument("--out", default="training/build/corpus", help="output folder for .spacy files")
    ap.add_argument(
        "--no-harmonize",
        action="store_true",
        help="keep SmartData derived adjectives / nominal mentions as entities",
    )
    args = ap.parse_args(argv)
    data, out = Path(args.data), Path(args.out)
    out.mkdir(parents=True, exist_ok=True)

    nlp = spacy.blank("de")
    corpora = {
        "germeval": load_germeval(data, nlp.vocab),
        "smartdata": load_smartdata(data, nlp, harmonize=not args.no_harmonize),
    }
    stats = {}
    mixed = {"train": [], "dev": [], "test": []}
    for name, (groups, cstats) in corpora.items():
        parts = split(groups)
        stats[name] = {"documents": len(groups), "conversion": dict(sorted(cstats.items()))}
        for part, docs in parts.items():
            DocBin(docs=docs, store_user_data=False).to_disk(out / f"{name}_{part}.spacy")
            mixed[part].extend(docs)
            stats[name][part] = {
                "docs": len(docs),
                "tokens": sum(len(d) for d in docs),
                "ents": ent_counts(docs),
            }
    for part, docs in mixed.items():
        DocBin(docs=docs, store_user_data=False).to_disk(out / f"{part}.spacy")
        stats.setdefault("mixed", {})[part] = {
            "docs": len(docs),
            "tokens": sum(len(d) for d in docs),
            "ents": ent_counts(docs),
        }
    with (out / "raw_train.jsonl").open("w", encoding="utf-8") as f:
        for d in mixed["train"]:
            f.write(json.dumps({"text": d.text}, ensure_ascii=False) + "\n")
    with (out / "stats.json").open("w", encoding="utf-8") as f:
        json.dump(stats, f, indent=2, ensure_ascii=False)
    json.dump(stats, sys.stdout, indent=1, ensure_ascii=False)
    print()


if __name__ == "__main__":
    main()
