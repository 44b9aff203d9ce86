"""How the extract stage scales with the length of one article. A development tool: it is not
part of the installed package, and it measures the pipeline of the checkout it lives in.

    .venv/bin/python benchmarks/long_article.py [--words 12500 50000 100000 200000]
        [--languages en de] [--output outputs/long_article]

For each language and length, one long article is composed of whole articles of the
language, in turn one of `corpus/<language>/` (read the way the ingest stage reads them) and
one of the benchmark's synthetic generator (`benchmarks/bench.py`, seed 0), each synthetic one
with its own invented people and companies, until the article has the words asked for. Each
measurement runs in its own Python process, which

1. loads the language's spaCy pipeline with the project's components (`Extractor`, with
   `max_text_chars` raised to the article's length: the default limit, 1,000,000 characters,
   turns articles above about 140,000 words away as text_too_long);
2. runs it over the article and turns the document into its `Extraction` record, and records
   the CPU seconds of that (time.process_time), the wall seconds, and the peak resident
   memory of the process (ru_maxrss) beside the memory after loading;
3. with `--bare`, does the same with the project's components (`pi_*`) disabled: spaCy alone.

and writes `long_article.json` and `long_article.md` into the output folder.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent  # the checkout whose pipeline is measured
sys.path[:0] = [str(ROOT), str(Path(__file__).resolve().parent)]

DEFAULT_WORDS = (12_500, 50_000, 100_000, 200_000)
MB = 1_000_000


def corpus_texts(language: str) -> list[str]:
    """The texts of `corpus/<language>/`, extracted as the ingest stage extracts them."""
    from pipeline.config import Config
    from pipeline.errors import DocumentError
    from pipeline.ingest import read_article

    config = Config()
    texts = []
    for path in sorted((ROOT / "corpus" / language).rglob("*")):
        if path.is_file():
            try:
                texts.append(read_article(path, path.name, config).text)
            except DocumentError:
                continue
    return texts


def long_text(language: str, n_words: int) -> str:
    """Corpus articles and synthetic ones in turn, until the text has `n_words` words."""
    import bench

    vocab = bench.vocabulary()
    corpus = corpus_texts(language)
    parts: list[str] = []
    words = 0
    index = 0 if language == "en" else 1  # the generator writes English at even indexes
    turn = 0
    while words < n_words:
        if corpus and turn % 2 == 0:
            text = corpus[(turn // 2) % len(corpus)]
        else:
            draft = bench.make_draft(vocab, 0, index)
            index += 2
            text = draft.dateline + draft.text
        parts.append(text)
        words += len(text.split())
        turn += 1
    return "\n\n".join(parts)


def max_rss() -> int:
    """Peak resident memory of this process, in bytes (ru_maxrss is in KiB on Linux)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def child(language: str, n_words: int, bare: bool) -> dict[str, Any]:
    """One measurement, in this process."""
    from pipeline.config import Config
    from pipeline.extract.components import RULE_COMPONENTS
    from pipeline.extract.convert import doc_to_extraction
    from pipeline.extract.stage import Extractor
    from pipeline.records import Article

    text = long_text(language, n_words)
    config = Config(max_text_chars=max(Config.max_text_chars, len(text)))
    nlp = Extractor(config).pipeline(language)
    nlp("Warm-up. " * 3)
    if bare:
        for name in RULE_COMPONENTS:
            nlp.disable_pipe(name)
    article = Article("long", [], text, language=language, n_words=len(text.split()))
    loaded = max_rss()
    cpu, wall = time.process_time(), time.perf_counter()
    doc = nlp(text)
    extraction = None if bare else doc_to_extraction(doc, article)
    cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
    return {
        "language": language,
        "words": article.n_words,
        "characters": len(text),
        "tokens": len(doc),
        "components": "spaCy alone" if bare else "pipeline",
        "mentions": len(extraction.mentions) if extraction is not None else len(doc.ents),
        "cpu_seconds": round(cpu, 2),
        "wall_seconds": round(wall, 2),
        "rss_after_load": loaded,
        "peak_rss": max_rss(),
    }


def measure(language: str, n_words: int, bare: bool) -> dict[str, Any]:
    command = [sys.executable, __file__, "--child", language, str(n_words)]
    if bare:
        command.append("--bare")
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} failed:\n{done.stderr[-2000:]}")
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def markdown(results: list[dict[str, Any]]) -> str:
    lines = [
        "| language | words | tokens | components | mentions | CPU (s) | CPU µs/word "
        "| wall (s) | peak RSS (MB) | RSS after loading (MB) |",
        "| --- | ---: | ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for r in results:
        lines.append(
            f"| {r['language']} | {r['words']:,} | {r['tokens']:,} | {r['components']} "
            f"| {r['mentions']:,} | {r['cpu_seconds']:.2f} "
            f"| {1e6 * r['cpu_seconds'] / r['words']:.0f} | {r['wall_seconds']:.2f} "
            f"| {r['peak_rss'] / MB:,.0f} | {r['rss_after_load'] / MB:,.0f} |"
        )
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--words", type=int, nargs="+", default=list(DEFAULT_WORDS))
    parser.add_argument("--languages", nargs="+", default=["en", "de"])
    parser.add_argument("--output", "-o", type=Path, default=Path("outputs/long_article"))
    parser.add_argument("--bare", action="store_true", help="also measure spaCy alone")
    parser.add_argument("--child", nargs=2, metavar=("LANGUAGE", "WORDS"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        print(json.dumps(child(args.child[0], int(args.child[1]), args.bare)))
        return 0
    results = []
    for language in args.languages:
        for n_words in args.words:
            for bare in (False, True) if args.bare else (False,):
                result = measure(language, n_words, bare)
                results.append(result)
                print(markdown([result]).splitlines()[-1], flush=True)
    args.output.mkdir(parents=True, exist_ok=True)
    (args.output / "long_article.json").write_text(json.dumps(results, indent=2), "utf-8")
    (args.output / "long_article.md").write_text(markdown(results), "utf-8")
    print(markdown(results))
    return 0


if __name__ == "__main__":
    sys.exit(main())
