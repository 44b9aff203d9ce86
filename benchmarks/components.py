"""CPU seconds of each of the project's rule components. A development tool: it is not part of
the installed package, and it measures the pipeline of the checkout it lives in.

    .venv/bin/python benchmarks/components.py [--articles 400] [--repeat 3]

The texts are `--articles` articles of the benchmark's synthetic generator (`benchmarks/bench.py`,
seed 0: half English, half German) and the articles of `corpus/` (read the way the ingest stage
reads them). Each language's spaCy pipeline runs its statistical components over them once;
then, `--repeat` times, every rule component (`pi_*`, in pipeline order) runs over copies of
those documents, and the CPU seconds (time.process_time) of each component are summed over the
documents. The table gives the least of the repeats, per component (the machine's other work
only ever adds time). Caches the components share (gazetteer, word frequencies, taxonomy) are
filled by a first pass that is not counted.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent  # the checkout whose pipeline is measured
sys.path[:0] = [str(ROOT), str(Path(__file__).resolve().parent)]


def texts_by_language(n_articles: int) -> dict[str, list[str]]:
    import bench

    from pipeline.config import Config
    from pipeline.errors import DocumentError
    from pipeline.ingest import read_article

    vocab = bench.vocabulary()
    texts: dict[str, list[str]] = {}
    for index in range(n_articles):
        draft = bench.make_draft(vocab, 0, index)
        texts.setdefault(draft.language, []).append(draft.dateline + draft.text)
    config = Config()
    for folder in sorted(p for p in (ROOT / "corpus").iterdir() if p.is_dir()):
        if folder.name not in ("en", "de"):
            continue
        for path in sorted(folder.rglob("*")):
            if path.is_file():
                try:
                    texts.setdefault(folder.name, []).append(read_article(path, "", config).text)
                except DocumentError:
                    continue
    return texts


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--articles", type=int, default=400, help="synthetic articles")
    parser.add_argument("--repeat", type=int, default=3, help="timed passes")
    args = parser.parse_args(argv)

    from pipeline.config import Config
    from pipeline.extract.components import RULE_COMPONENTS
    from pipeline.extract.pipelines import resolve_pipeline

    config = Config()
    best = dict.fromkeys(RULE_COMPONENTS, 0.0)
    n_docs = 0
    for language, texts in sorted(texts_by_language(args.articles).items()):
        nlp, _ = resolve_pipeline(language, config.pipelines[language])
        with nlp.select_pipes(disable=list(RULE_COMPONENTS)):
            statistical = list(nlp.pipe(texts, batch_size=config.batch_size))
        n_docs += len(statistical)
        components = [(name, nlp.get_pipe(name)) for name in RULE_COMPONENTS]
        seconds = []
        for _ in range(args.repeat + 1):
            spent = dict.fromkeys(RULE_COMPONENTS, 0.0)
            for original in statistical:
                doc = original.copy()
                for name, component in components:
                    started = time.process_time()
                    doc = component(doc)
                    spent[name] += time.process_time() - started
            seconds.append(spent)
        for name in RULE_COMPONENTS:  # the first pass filled the caches: not counted
            best[name] += min(s[name] for s in seconds[1:])
    print(f"{n_docs} documents; CPU seconds per component, least of {args.repeat} passes:")
    print("| component | CPU (s) |\n| --- | ---: |")
    for name in RULE_COMPONENTS:
        print(f"| `{name}` | {best[name]:.2f} |")
    print(f"| all | {sum(best.values()):.2f} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
