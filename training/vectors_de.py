#!/usr/bin/env python
"""Static floret vectors for the German model, trained here on the raw text of the training
corpora (raw_train.jsonl from convert_de.py: every train text plus the LER sentences outside
the sample's dev/test), then turned into a spaCy vectors folder.

floret (the fastText fork spaCy uses for compact subword vectors) hashes words and their
character 4- and 5-grams into a small table, so the table covers unseen words and compounds
("Wasserstofftankstelle") and stays small enough to ship (20,000 rows x 160 = 13 MB).

  python training/vectors_de.py --raw training/build/corpus/raw_train.jsonl \
      --out training/build/vectors
"""

import argparse
import json
import subprocess
import sys
from pathlib import Path

import floret
import spacy

SEED_SETTINGS = {
    "model": "cbow",
    "mode": "floret",
    "hashCount": 2,
    "bucket": 20000,
    "minn": 4,
    "maxn": 5,
    "minCount": 3,
    "dim": 160,
    "epoch": 8,
    "thread": 2,
}


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--raw", default="training/build/corpus/raw_train.jsonl")
    ap.add_argument("--out", default="training/build/vectors")
    args = ap.parse_args(argv)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    tokens = out / "raw_tok.txt"
    nlp = spacy.blank("de")
    with Path(args.raw).open(encoding="utf-8") as f, tokens.open("w", encoding="utf-8") as w:
        texts = (json.loads(line)["text"] for line in f)
        for doc in nlp.tokenizer.pipe(texts, batch_size=1000):
            w.write(" ".join(t.text for t in doc if not t.is_space) + "\n")
    model = floret.train_unsupervised(str(tokens), verbose=0, **SEED_SETTINGS)
    model.save_floret_vectors(str(out / "de_press.floret"))
    subprocess.run(
        [sys.executable, "-m", "spacy", "init", "vectors", "de", str(out / "de_press.floret"),
         str(out / "de_press"), "--mode", "floret"],
        check=True,
    )
    print(f"vectors in {out / 'de_press'}")


if __name__ == "__main__":
    main()
