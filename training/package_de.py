#!/usr/bin/env python
"""Copy a trained spaCy pipeline (model-best) into pipeline/models/de_ner and set its meta.

Keeps an existing README.md (the model card) in the target folder; everything else
in the target is replaced.

  python training/package_de.py --src training/build/model/model-best --dst pipeline/models/de_ner
"""

import argparse
import json
import shutil
from pathlib import Path

META = {
    "lang": "de",
    "name": "de_pressner",
    "version": "0.2.0",
    "license": "CC BY 4.0",
    "description": "German NER (PER, ORG, LOC, MISC), tok2vec + ner with floret static vectors "
    "trained on the corpora's own text, trained on GermEval 2014 (train split), DFKI "
    "SmartData v1, MobIE v1 and a sample of German Legal Entity Recognition, for press-release "
    "entity extraction.",
    "sources": [
        {
            "name": "GermEval 2014 NER (NER-de-train; NER-de-dev for model selection)",
            "url": "https://sites.google.com/site/germeval2014ner/",
            "license": "CC BY 4.0",
            "author": "D. Benikova, C. Biemann, M. Reznicek: NoSta-D Named Entity Annotation "
            "for German: Guidelines and Dataset. LREC 2014",
        },
        {
            "name": "DFKI SmartData Corpus v1 (v1_20180119)",
            "url": "https://github.com/DFKI-NLP/smartdata-corpus",
            "license": "CC BY 4.0",
            "author": "M. Schiersch, V. Mironova, M. Schmitt, P. Thomas, A. Gabryszak, L. Hennig: "
            "A German Corpus for Fine-Grained Named Entity Recognition and Relation Extraction "
            "of Traffic and Industry Events. LREC 2018",
        },
        {
            "name": "MobIE v1",
            "url": "https://github.com/DFKI-NLP/MobIE",
            "license": "CC BY 4.0",
            "author": "L. Hennig, P. T. Truong, A. Gabryszak: MobIE: A German Dataset for Named "
            "Entity Recognition, Entity Linking and Relation Extraction in the Mobility Domain. "
            "KONVENS 2021",
        },
        {
            "name": "German Legal Entity Recognition (a sample of 6,250 sentences)",
            "url": "https://github.com/elenanereiss/Legal-Entity-Recognition",
            "license": "CC BY 4.0",
            "author": "E. Leitner, G. Rehm, J. Moreno-Schneider: Fine-grained Named Entity "
            "Recognition in Legal Documents. SEMANTiCS 2019",
        },
    ],
}


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--src", default="training/build/model/model-best")
    ap.add_argument("--dst", default="pipeline/models/de_ner")
    args = ap.parse_args(argv)
    src, dst = Path(args.src), Path(args.dst)
    dst.mkdir(parents=True, exist_ok=True)
    for p in dst.iterdir():
        if p.name in ("README.md",):
            continue
        shutil.rmtree(p) if p.is_dir() else p.unlink()
    for p in src.iterdir():
        (shutil.copytree if p.is_dir() else shutil.copy2)(p, dst / p.name)
    meta_path = dst / "meta.json"
    meta = json.loads(meta_path.read_text(encoding="utf-8"))
    meta.update(META)
    meta_path.write_text(json.dumps(meta, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    size = sum(f.stat().st_size for f in dst.rglob("*") if f.is_file())
    print(f"packaged {src} -> {dst} ({size / 1e6:.1f} MB)")


if __name__ == "__main__":
    main()
