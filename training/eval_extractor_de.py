#!/usr/bin/env python
"""`make eval-de`: mention-level precision, recall and F1 of the whole German extractor.

Scores, side by side on the splits written by convert_de.py (exact spans over
PER, ORG and LOC, plus PER+ORG together):
- the raw statistical model (pipeline/models/de_ner alone),
- the full extractor (the model plus the project's rule, gazetteer and propagation components,
  as `pipeline.extract` builds it; CITY and COUNTRY count as LOC),
- the rule components alone (what runs when no German model is available).

  python training/eval_extractor_de.py --corpus training/build/corpus [--json out.json]
"""

from __future__ import annotations

import argparse
import json
import time
from collections import Counter
from collections.abc import Callable, Iterable
from pathlib import Path

import spacy
from spacy.language import Language
from spacy.tokens import Doc, DocBin

from pipeline import extract

LABELS = ("PER", "ORG", "LOC")
AS_LOC = {"LOC": "LOC", "CITY": "LOC", "COUNTRY": "LOC", "GPE": "LOC", "PER": "PER",
          "PERSON": "PER", "ORG": "ORG"}


def spans(doc: Doc) -> set[tuple[int, int, str]]:
    return {(e.start_char, e.end_char, AS_LOC[e.label_]) for e in doc.ents if e.label_ in AS_LOC}


def score(gold: list[Doc], predicted: Iterable[Doc]) -> dict[str, dict[str, float]]:
    tp: Counter[str] = Counter()
    fp: Counter[str] = Counter()
    fn: Counter[str] = Counter()
    for g, p in zip(gold, predicted, strict=True):
        want, got = spans(g), spans(p)
        for _, _, label in got & want:
            tp[label] += 1
        for _, _, label in got - want:
            fp[label] += 1
        for _, _, label in want - got:
            fn[label] += 1
    groups = {label: (label,) for label in LABELS}
    groups["PER+ORG"] = ("PER", "ORG")
    groups["all"] = LABELS
    out = {}
    for name, labels in groups.items():
        t = sum(tp[x] for x in labels)
        p = t / (t + sum(fp[x] for x in labels)) if t + sum(fp[x] for x in labels) else 0.0
        r = t / (t + sum(fn[x] for x in labels)) if t + sum(fn[x] for x in labels) else 0.0
        out[name] = {"p": p, "r": r, "f": 2 * p * r / (p + r) if p + r else 0.0}
    return out


def run(nlp: Language, texts: list[str]) -> tuple[list[Doc], float]:
    started = time.perf_counter()
    docs = list(nlp.pipe(texts, batch_size=64))
    return docs, time.perf_counter() - started


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--corpus", type=Path, default=Path("training/build/corpus"))
    parser.add_argument("--json", type=Path, default=None)
    parser.add_argument("--model", default="project:de_ner",
                        help="the German model: project:NAME or a pipeline folder")
    parser.add_argument("--rules-only", action="store_true", help="also score the rules alone")
    args = parser.parse_args(argv)
    model = args.model
    model_path = (extract.project_model_path(model.removeprefix("project:"))
                  if model.startswith("project:") else Path(model))
    systems: dict[str, Callable[[], Language]] = {
        "raw model": lambda: spacy.load(model_path),
        "full extractor": lambda: extract.resolve_pipeline("de", [model])[0],
    }
    if args.rules_only:
        systems["rules only"] = lambda: extract.resolve_pipeline("de", [])[0]
    results = {}
    # The official GermEval development split, the held-out test split of every corpus mixed
    # (GermEval test part 1, SmartData, MobIE, LER sample), and Universal NER German PUD,
    # which no model of the project trains on.
    for corpus_name, file_name in (("germeval-dev", "germeval_dev.spacy"),
                                   ("heldout-test", "test.spacy"),
                                   ("germeval-test", "germeval_test.spacy"),
                                   ("uner-pud", "uner_test.spacy")):
        path = args.corpus / file_name
        if not path.exists():
            continue
        for system, build in systems.items():
            nlp = build()
            gold = list(DocBin().from_disk(path).get_docs(nlp.vocab))
            docs, seconds = run(nlp, [d.text for d in gold])
            words = sum(len(d) for d in gold)
            results[f"{corpus_name}/{system}"] = {
                **score(gold, docs), "words_per_second": round(words / seconds) if seconds else 0,
            }
    print(f"{'corpus/system':<28}" + "".join(f"{g:>20}" for g in ("PER", "ORG", "LOC", "PER+ORG",
                                                                    "all")) + "   words/s")
    for name, r in results.items():
        cells = "".join(
            f"{100 * r[g]['p']:6.1f}/{100 * r[g]['r']:5.1f}/{100 * r[g]['f']:5.1f}"
            for g in ("PER", "ORG", "LOC", "PER+ORG", "all")
        )
        print(f"{name:<28}{cells}{r['words_per_second']:>10}")
    print("(precision/recall/F1 in %, exact mention spans)")
    if args.json:
        args.json.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
