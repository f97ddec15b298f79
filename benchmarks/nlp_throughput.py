"""End-to-end ingest against the bare spaCy pass, on the same texts, in the same run.

    python benchmarks/nlp_throughput.py [--corpus ../shared/corpora/polnear] [--limit 300]

Both sides run single-process with the same model and pipes. The bare side is
`nlp.pipe` over the paragraphs Storyline would analyse (the cleaned English
paragraphs), so the ratio shows what the rest of Storyline costs on top of the model:
reading, cleaning, the entity/role rules, Arabic names, time normalization, in-document
grouping, actor resolution and the SQLite writes. Each side runs in its own child
process so peak RSS is measured separately. PolNeAR texts are read by path, never copied.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import resource
import tempfile
import time
from pathlib import Path
from typing import Any


def _texts(corpus: Path, limit: int) -> list[tuple[str, str]]:
    paths = sorted(corpus.glob("*/text/*.txt"))[:limit]
    return [(p.stem, p.read_text(encoding="utf-8", errors="replace")) for p in paths]


def _bare(corpus: str, limit: int, queue: Any) -> None:
    from storyline.model import Document
    from storyline.nlp import model
    from storyline.pipeline import CLEAN_STAGES, Pipeline

    clean = Pipeline(CLEAN_STAGES)
    paragraphs = []
    for name, text in _texts(Path(corpus), limit):
        doc = clean(Document(source=name, name=name, raw=text, format="txt"))
        paragraphs += [doc.text[p.start:p.end] for p in doc.paragraphs]
    nlp = model.load()
    start = time.perf_counter()
    tokens = sum(len(d) for d in nlp.pipe(paragraphs))
    elapsed = time.perf_counter() - start
    queue.put({"seconds": elapsed, "tokens": tokens,
               "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024})


def _storyline(corpus: str, limit: int, queue: Any) -> None:
    from storyline.ingest.run import ingest
    from storyline.nlp import model
    from storyline.store import Store

    model.load()  # loading the model is not part of either side's time
    with tempfile.TemporaryDirectory() as tmp:
        feed = Path(tmp) / "feed.jsonl"
        with feed.open("w", encoding="utf-8") as handle:
            for name, text in _texts(Path(corpus), limit):
                handle.write(json.dumps({"id": name, "text": text}) + "\n")
        with Store(Path(tmp) / "bench.db") as store:
            start = time.perf_counter()
            report = ingest([str(feed)], store)
            elapsed = time.perf_counter() - start
            mentions = store.conn.execute("SELECT count(*) FROM mentions").fetchone()[0]
            actors = store.actors.count()
    queue.put({"seconds": elapsed, "summary": report.summary(), "mentions": mentions,
               "actors": actors,
               "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024})


def _child(target: Any, corpus: str, limit: int) -> dict[str, Any]:
    ctx = mp.get_context("spawn")
    queue = ctx.Queue()
    proc = ctx.Process(target=target, args=(corpus, limit, queue))
    proc.start()
    result: dict[str, Any] = queue.get()
    proc.join()
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--corpus", default="../shared/corpora/polnear")
    parser.add_argument("--limit", type=int, default=300, help="articles to use")
    args = parser.parse_args()
    texts = _texts(Path(args.corpus), args.limit)
    words = sum(len(t.split()) for _, t in texts)
    bare = _child(_bare, args.corpus, args.limit)
    full = _child(_storyline, args.corpus, args.limit)
    print(json.dumps({
        "articles": len(texts), "words": words,
        "bare_spacy": {"seconds": round(bare["seconds"], 1),
                       "words_per_s": round(words / bare["seconds"]),
                       "peak_rss_mb": round(bare["peak_rss_mb"])},
        "storyline": {"seconds": round(full["seconds"], 1),
                      "words_per_s": round(words / full["seconds"]),
                      "articles_per_s": round(len(texts) / full["seconds"], 1),
                      "peak_rss_mb": round(full["peak_rss_mb"]), "mentions": full["mentions"],
                      "actors": full["actors"], "summary": full["summary"]},
        "ratio_to_bare": round(bare["seconds"] / full["seconds"], 3),
    }, indent=2))


if __name__ == "__main__":
    main()
