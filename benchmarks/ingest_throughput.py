"""Ingest throughput on real articles: PolNeAR's texts (read by path, never copied).

    python benchmarks/ingest_throughput.py [--corpus ../shared/corpora/polnear] [--repeat 1]

Reports articles/s, words/s and peak RSS for the whole ingest (read, clean, language,
metadata, identity, duplicate search, SQLite writes). Each repeat gives the articles
fresh ids, so a larger run measures a larger store, not re-ingest of the same items.
"""

from __future__ import annotations

import argparse
import json
import resource
import tempfile
import time
from pathlib import Path

from storyline.ingest.run import ingest
from storyline.store import Store


def build_feed(corpus: Path, repeat: int, out: Path) -> tuple[int, int]:
    texts = sorted(corpus.glob("*/text/*.txt"))
    articles = words = 0
    with out.open("w", encoding="utf-8") as handle:
        for r in range(repeat):
            for path in texts:
                text = path.read_text(encoding="utf-8", errors="replace")
                handle.write(json.dumps({"id": f"{path.stem}#{r}", "text": text}) + "\n")
                articles += 1
                words += len(text.split())
    return articles, words


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--corpus", default="../shared/corpora/polnear")
    parser.add_argument("--repeat", type=int, default=1)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        feed = Path(tmp) / "feed.jsonl"
        articles, words = build_feed(Path(args.corpus), args.repeat, feed)
        with Store(Path(tmp) / "bench.db") as store:
            start = time.perf_counter()
            report = ingest([str(feed)], store)
            elapsed = time.perf_counter() - start
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({
        "articles": articles, "words": words, "seconds": round(elapsed, 2),
        "articles_per_s": round(articles / elapsed, 1), "words_per_s": round(words / elapsed),
        "peak_rss_mb": round(peak_mb), "summary": report.summary()}, indent=2))


if __name__ == "__main__":
    main()
