#!/usr/bin/env python
"""Score a German NER pipeline on the held-out test splits written by convert_de.py.

Reports precision/recall/F1 per label (PER, ORG, LOC, MISC) and overall for
GermEval, SmartData, MobIE, the LER sample, the mix and (test split) Universal NER German PUD,
plus words per second (nlp.pipe, one process).

  python training/evaluate_de.py --model pipeline/models/de_ner \
      --corpus training/build/corpus [--json scores.json] [--md scores.md]
"""

import argparse
import json
import time
from pathlib import Path

import spacy
from spacy.tokens import DocBin
from spacy.training import Example

LABELS = ("PER", "ORG", "LOC", "MISC")
SETS = (
    ("germeval", "germeval_{split}.spacy"),
    ("smartdata", "smartdata_{split}.spacy"),
    ("mobie", "mobie_{split}.spacy"),
    ("ler", "ler_{split}.spacy"),
    ("mixed", "{split}.spacy"),
    ("uner-pud", "uner_{split}.spacy"),  # evaluation only: test split
)


def score(nlp, path):
    docs = list(DocBin().from_disk(path).get_docs(nlp.vocab))
    texts = [d.text for d in docs]
    n_words = sum(len(nlp.make_doc(t)) for t in texts)
    t0 = time.perf_counter()
    preds = list(nlp.pipe(texts, batch_size=256, n_process=1))
    secs = time.perf_counter() - t0
    examples = [Example(p, g) for p, g in zip(preds, docs, strict=True)]
    s = nlp.get_pipe("ner").score(examples)
    res = {
        "overall": {"p": s["ents_p"], "r": s["ents_r"], "f": s["ents_f"]},
        "per_label": {},
        "docs": len(docs),
        "words": n_words,
        "seconds": secs,
        "wps": n_words / secs if secs else 0.0,
    }
    gold = {lab: sum(1 for d in docs for e in d.ents if e.label_ == lab) for lab in LABELS}
    res["gold_counts"] = gold
    for lab in LABELS:
        d = (s.get("ents_per_type") or {}).get(lab)
        if d is not None and gold[lab]:
            res["per_label"][lab] = {"p": d["p"], "r": d["r"], "f": d["f"]}
    return res


def to_markdown(all_res, split):
    lines = [
        f"Held-out `{split}` split (P / R / F1, %):",
        "",
        "| corpus | " + " | ".join(LABELS) + " | overall | words/s |",
        "| --- | " + " | ".join("---" for _ in LABELS) + " | --- | --- |",
    ]
    for name, r in all_res.items():
        cells = []
        for lab in (*LABELS, "overall"):
            d = r["overall"] if lab == "overall" else r["per_label"].get(lab)
            cells.append(
                "no gold"
                if d is None
                else f"{100 * d['p']:.1f} / {100 * d['r']:.1f} / **{100 * d['f']:.1f}**"
            )
        lines.append(f"| {name} | " + " | ".join(cells) + f" | {r['wps']:,.0f} |")
    return "\n".join(lines) + "\n"


def main(argv=None):
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--model", default="pipeline/models/de_ner")
    ap.add_argument("--corpus", default="training/build/corpus")
    ap.add_argument("--split", default="test", choices=("train", "dev", "test"))
    ap.add_argument("--json", default=None, help="write scores as JSON here")
    ap.add_argument("--md", default=None, help="write the markdown table here")
    args = ap.parse_args(argv)
    nlp = spacy.load(args.model)
    all_res = {}
    for name, pattern in SETS:
        path = Path(args.corpus) / pattern.format(split=args.split)
        if path.exists():
            all_res[name] = score(nlp, path)
    md = to_markdown(all_res, args.split)
    print(md)
    if args.json:
        Path(args.json).write_text(json.dumps(all_res, indent=2) + "\n", encoding="utf-8")
    if args.md:
        Path(args.md).write_text(md, encoding="utf-8")


if __name__ == "__main__":
    main()
