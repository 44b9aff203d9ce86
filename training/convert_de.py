#!/usr/bin/env python
"""Convert the German NER corpora in ../shared/data/german-ner into spaCy DocBin corpora.

Labels: PER, ORG, LOC, MISC.
  GermEval 2014: B-/I-PER, ORG, LOC, OTH->MISC; *deriv and *part tags -> O (outer column).
  SmartData v1:  person -> PER; organization, organization-company -> ORG;
                 location, location-* -> LOC; every other type -> O. Spans are trimmed
                 and snapped to spaCy "de" token boundaries; harmonised with GermEval
                 (unless --no-harmonize): derived adjectives, spans starting with an
                 article, generic nouns -> O.
  MobIE v1:      person -> PER; organization* -> ORG; location, location-city,
                 location-street, location-stop -> LOC; the rest (routes, dates,
                 triggers...) -> O.
  LER (legal):   PER, RR, AN -> PER; ORG, UN, INN, GRT, MRK -> ORG; LD, ST, STR, LDS -> LOC;
                 laws, citations, literature -> O. Sampled: --ler-sentences sentences that
                 hold an entity of ours plus a quarter as many without (most hold none).
  UNER German PUD: PER, ORG, LOC; written as uner_test.spacy only (evaluation only, never
                 trained on).

Splits (official where the corpus has them):
  GermEval: train = NER-de-train (all 24,000 sentences), dev = NER-de-dev (official),
            test = NER-de-test-part1.
  SmartData: the v1 train file cut 90/10 into train/dev by document (random.Random(13)),
            test = the v1 test file.
  MobIE: its train/dev/test files.  LER: the sample cut 80/10/10 (random.Random(13)).

Writes to --out:
  {germeval,smartdata,mobie,ler}_{train,dev,test}.spacy, uner_test.spacy
  {train,dev,test}.spacy           (the corpora mixed)
  raw_train.jsonl                  ({"text": ...}: every train text plus the LER sentences
                                    outside the sample's dev/test, for spacy pretrain / floret)
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

GERMEVAL_FILES = {
    "train": "germeval2014/NER-de-train.iob2.gz",
    "dev": "germeval2014/NER-de-dev.tsv",
    "test": "germeval2014/NER-de-test-part1.tsv",
}
SMARTDATA_FILES = {
    "train": "smartdata/v1_20180119_train.json.gz",
    "test": "smartdata/v1_20180119_test.json.gz",
}
MOBIE_FILES = {part: f"mobie/{part}.conll2003.gz" for part in ("train", "dev", "test")}
LER_FILES = tuple(
    f"ler/{court}.conll.gz" for court in ("bag", "bfh", "bgh", "bpatg", "bsg", "bverfg", "bverwg")
)
UNER_FILE = "uner-pud/de_pud-ud-test.iob2.gz"
LER_MAP = {
    **dict.fromkeys(("PER", "RR", "AN"), "PER"),
    **dict.fromkeys(("ORG", "UN", "INN", "GRT", "MRK"), "ORG"),
    **dict.fromkeys(("LD", "ST", "STR", "LDS"), "LOC"),
}
MOBIE_LOC = {"location", "location-city", "location-street", "location-stop"}
UNER_MAP = {"PER": "PER", "ORG": "ORG", "LOC": "LOC"}

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


# ---------------------------------------------------------------- column formats
def read_columns(path, tok_col, tag_col):
    """Yield (document_key, tokens, tags) per sentence of a CoNLL-like file.

    Sentences end at blank lines; `#` comment lines and `-DOCSTART-` lines are skipped
    (a `-DOCSTART-` line starts a new document key, so MobIE sentences stay grouped).
    """
    opener = gzip.open if str(path).endswith(".gz") else open
    doc_key, toks, tags, n = 0, [], [], 0
    with opener(path, "rt", encoding="utf-8") as f:
        for raw in f:
            line = raw.rstrip("\r\n")
            if line.startswith("-DOCSTART-"):
                doc_key += 1
                continue
            if line.startswith("#") and not toks and "\t" not in line[:3]:
                continue
            cols = line.split("\t") if "\t" in line else line.split(" ")
            if not line.strip() or len(cols) <= max(tok_col, tag_col):
                if toks:
                    n += 1
                    yield (doc_key, n), toks, tags
                toks, tags = [], []
                continue
            toks.append(cols[tok_col])
            tags.append(cols[tag_col])
    if toks:
        yield (doc_key, n + 1), toks, tags


def germeval_label(typ):
    return GERMEVAL_MAP.get(typ)  # *deriv / *part -> None -> O


def mobie_label(typ):
    if typ == "person":
        return "PER"
    if typ.startswith("organization"):
        return "ORG"
    return "LOC" if typ in MOBIE_LOC else None


def bio_doc(vocab, toks, tags, label_of):
    """A Doc from tokens and BIO tags; `label_of` maps a tag's type to PER/ORG/LOC/MISC or None."""
    toks = [t[1:] if t.startswith("#") and len(t) > 1 else t for t in toks]  # MobIE hashtags
    spaces = []
    for i, t in enumerate(toks):
        nxt = toks[i + 1] if i + 1 < len(toks) else None
        sp = nxt is not None and nxt not in NO_SPACE_BEFORE and t not in NO_SPACE_AFTER
        spaces.append(sp)
    doc = Doc(vocab, words=toks, spaces=spaces)
    ents, start, label = [], None, None
    for i, tag in enumerate([*tags, "O"]):
        prefix, _, typ = tag.partition("-")
        lab = label_of(typ)
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
    cols = {"train": (0, 1), "dev": (1, 2), "test": (1, 2)}
    return {
        part: [
            bio_doc(vocab, toks, tags, germeval_label)
            for _, toks, tags in read_columns(data / rel, *cols[part])
        ]
        for part, rel in GERMEVAL_FILES.items()
    }, Counter()


def load_mobie(data, vocab):
    return {
        part: [
            bio_doc(vocab, toks, tags, mobie_label)
            for _, toks, tags in read_columns(data / rel, 0, 3)
        ]
        for part, rel in MOBIE_FILES.items()
    }, Counter()


def load_ler(data, vocab, n_sentences):
    """A seeded sample of LER sentences: n with an entity of ours, n/4 without; plus the rest."""
    with_ents, without = [], []
    for rel in LER_FILES:
        for _, toks, tags in read_columns(data / rel, 0, 1):
            doc = bio_doc(vocab, toks, tags, LER_MAP.get)
            (with_ents if doc.ents else without).append([doc])
    rng = random.Random(SEED)
    rng.shuffle(with_ents)
    rng.shuffle(without)
    sample = with_ents[:n_sentences] + without[: n_sentences // 4]
    rest = with_ents[n_sentences:] + without[n_sentences // 4 :]
    parts = dict(zip(("train", "dev", "test"), split(sample, SPLIT), strict=True))
    stats = Counter(sampled=len(sample), with_entities=len(with_ents), without=len(without))
    return parts, stats, [d.text for g in rest for d in g]


def load_uner(data, vocab):
    return [bio_doc(vocab, toks, tags, UNER_MAP.get) for _, toks, tags in read_columns(data / UNER_FILE, 1, 2)]


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
    seen = set()
    out = {}
    for part, rel in SMARTDATA_FILES.items():
        docs = out.setdefault(part, [])
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
    train, dev = split(out["train"], (0.9, 0.1, 0.0))[:2]
    return {"train": train, "dev": dev, "test": [d for g in out["test"] for d in g]}, stats


# ---------------------------------------------------------------- split / write
def split(groups, fractions):
    """Seeded split of groups of docs into three lists of docs (fractions of the groups)."""
    idx = list(range(len(groups)))
    random.Random(SEED).shuffle(idx)
    n = len(idx)
    n_a = round(n * fractions[0])
    n_b = round(n * fractions[1])
    cuts = (idx[:n_a], idx[n_a : n_a + n_b], idx[n_a + n_b :])
    return tuple([d for i in sorted(c) for d in groups[i]] for c in cuts)


def ent_counts(docs):
    c = Counter()
    for d in docs:
        for e in d.ents:
            c[e.label_] += 1
    return dict(sorted(c.items()))


def describe(docs):
    return {"docs": len(docs), "tokens": sum(len(d) for d in docs), "ents": ent_counts(docs)}


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
    ap.add_argument("--ler-sentences", type=int, default=5000,
                    help="LER sentences with an entity to sample (0: leave LER out)")
    ap.add_argument("--corpora", default="germeval,smartdata,mobie,ler",
                    help="comma list of corpora to mix")
    args = ap.parse_args(argv)
    data, out = Path(args.data), Path(args.out)
    out.mkdir(parents=True, exist_ok=True)

    nlp = spacy.blank("de")
    wanted = set(args.corpora.split(","))
    corpora, extra_raw = {}, []
    if "germeval" in wanted:
        corpora["germeval"] = load_germeval(data, nlp.vocab)
    if "smartdata" in wanted:
        corpora["smartdata"] = load_smartdata(data, nlp, harmonize=not args.no_harmonize)
    if "mobie" in wanted:
        corpora["mobie"] = load_mobie(data, nlp.vocab)
    if "ler" in wanted and args.ler_sentences:
        parts, lstats, extra_raw = load_ler(data, nlp.vocab, args.ler_sentences)
        corpora["ler"] = (parts, lstats)
    stats = {}
    mixed = {"train": [], "dev": [], "test": []}
    for name, (parts, cstats) in corpora.items():
        stats[name] = {"conversion": dict(sorted(cstats.items()))}
        for part, docs in parts.items():
            DocBin(docs=docs, store_user_data=False).to_disk(out / f"{name}_{part}.spacy")
            mixed[part].extend(docs)
            stats[name][part] = describe(docs)
    uner = load_uner(data, nlp.vocab)
    DocBin(docs=uner, store_user_data=False).to_disk(out / "uner_test.spacy")
    stats["uner"] = {"test": describe(uner)}
    for part, docs in mixed.items():
        DocBin(docs=docs, store_user_data=False).to_disk(out / f"{part}.spacy")
        stats.setdefault("mixed", {})[part] = describe(docs)
    with (out / "raw_train.jsonl").open("w", encoding="utf-8") as f:
        for text in [d.text for d in mixed["train"]] + extra_raw:
            f.write(json.dumps({"text": text}, ensure_ascii=False) + "\n")
    with (out / "stats.json").open("w", encoding="utf-8") as f:
        json.dump(stats, f, indent=2, ensure_ascii=False)
    json.dump(stats, sys.stdout, indent=1, ensure_ascii=False)
    print()


if __name__ == "__main__":
    main()
