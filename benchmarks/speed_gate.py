"""Speed gate: Storyline end to end against the bare spaCy pass, same texts, same process.

    python benchmarks/speed_gate.py [--articles 60] [--rounds 3]

A short version of `benchmarks/nlp_throughput.py` for CI: a fixed set of real PolNeAR
articles (evenly spaced over the 84 of the test split, in name order, read by path from
`../shared/corpora` or `$STORYLINE_CORPORA`) goes through

* the bare model: `nlp.pipe` (the model of `storyline.nlp.model.load()`, all its pipes,
  one process) over the cleaned English paragraphs Storyline would analyse (cleaning is
  done before the clock starts), and
* Storyline end to end: `storyline.ingest.run.ingest` of the same articles as a JSON
  lines feed into a fresh SQLite store (read, clean, language, metadata, NLP and rules,
  times, claims, events, actors, stories, the writes), one process.

The two alternate for `--rounds` rounds in one process after a short warm-up, and the
best time of each side is kept, which takes out most of the noise of a shared machine.
Both sides are divided into the same word count (whitespace-separated words of the raw
articles), so the ratio is Storyline's words/s over the bare model's. The gate fails
(exit 1) when the ratio is below `ratio_floor` in `benchmarks/speed-baseline.json`; the
floor is set by hand from measured runs, with the margin the file documents.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
BASELINE = ROOT / "benchmarks" / "speed-baseline.json"
#: The shared corpora folder: `$STORYLINE_CORPORA`, else `../shared/corpora`.
CORPORA = Path(os.environ.get("STORYLINE_CORPORA") or ROOT.parent / "shared" / "corpora")
ARTICLES = 60
ROUNDS = 3
WARMUP_ARTICLES = 3


@dataclass(frozen=True)
class Article:
    """One benchmark article: its name and raw text."""

    name: str
    text: str


@dataclass
class SpeedResult:
    """Timings of both sides, every round, on the same articles."""

    articles: int
    words: int
    bare_seconds: list[float] = field(default_factory=list)
    storyline_seconds: list[float] = field(default_factory=list)
    stored: int = 0

    @property
    def bare_words_per_s(self) -> float:
        return self.words / min(self.bare_seconds)

    @property
    def storyline_words_per_s(self) -> float:
        return self.words / min(self.storyline_seconds)

    @property
    def ratio(self) -> float:
        """Storyline words/s over bare spaCy words/s, best round of each."""
        return self.storyline_words_per_s / self.bare_words_per_s

    def to_dict(self) -> dict[str, Any]:
        return {"articles": self.articles, "words": self.words, "stored": self.stored,
                "bare_seconds": [round(s, 2) for s in self.bare_seconds],
                "storyline_seconds": [round(s, 2) for s in self.storyline_seconds],
                "bare_words_per_s": round(self.bare_words_per_s),
                "storyline_words_per_s": round(self.storyline_words_per_s),
                "ratio": round(self.ratio, 3)}


def select_articles(corpora: Path = CORPORA, count: int = ARTICLES) -> list[Article]:
    """`count` PolNeAR test articles, evenly spaced over the split in name order."""
    paths = sorted((corpora / "polnear" / "test" / "text").glob("*.txt"))
    if not 0 < count <= len(paths):
        raise ValueError(f"asked for {count} articles; {len(paths)} PolNeAR test articles "
                         f"under {corpora / 'polnear'}")
    chosen = [paths[i * len(paths) // count] for i in range(count)]
    return [Article(p.stem, p.read_text(encoding="utf-8")) for p in chosen]


def english_paragraphs(articles: Sequence[Article]) -> list[str]:
    """The cleaned paragraphs of `articles` that Storyline's NLP stage reads."""
    from storyline.model import Document
    from storyline.pipeline import CLEAN_STAGES, Pipeline

    clean = Pipeline(CLEAN_STAGES)
    paragraphs = []
    for article in articles:
        doc = clean(Document(source=article.name, name=article.name, raw=article.text,
                             format="txt"))
        paragraphs += [doc.text[p.start:p.end] for p in doc.paragraphs
                       if p.direction != "rtl"]
    return paragraphs


def time_bare(nlp: Any, paragraphs: Sequence[str]) -> float:
    """Seconds for `nlp.pipe` over `paragraphs`."""
    gc.collect()
    started = time.perf_counter()
    for _ in nlp.pipe(paragraphs):
        pass
    return time.perf_counter() - started


def time_storyline(articles: Sequence[Article], folder: Path) -> tuple[float, int]:
    """Seconds for the end-to-end ingest of `articles` into a fresh store under `folder`,
    and how many documents it stored."""
    from storyline.ingest.run import ingest
    from storyline.store import Store

    feed = folder / "feed.jsonl"
    with feed.open("w", encoding="utf-8") as handle:
        for article in articles:
            handle.write(json.dumps({"id": article.name, "text": article.text}) + "\n")
    database = folder / "speed.db"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{database}{suffix}").unlink(missing_ok=True)
    with Store(database) as store:
        gc.collect()
        started = time.perf_counter()
        ingest([str(feed)], store, workers=0)  # the stages in this process, as bare
        elapsed = time.perf_counter() - started
        stored = store.count_documents()
    return elapsed, stored


def measure(corpora: Path = CORPORA, articles: int = ARTICLES,
            rounds: int = ROUNDS) -> SpeedResult:
    """Both sides, alternating, `rounds` times each, after a warm-up of both."""
    from storyline.nlp import model

    chosen = select_articles(corpora, articles)
    paragraphs = english_paragraphs(chosen)
    nlp = model.load()  # loading the model is not part of either side's time
    result = SpeedResult(len(chosen), sum(len(a.text.split()) for a in chosen))
    with tempfile.TemporaryDirectory(prefix="storyline-speed-") as tmp:
        folder = Path(tmp)
        time_bare(nlp, english_paragraphs(chosen[:WARMUP_ARTICLES]))
        time_storyline(chosen[:WARMUP_ARTICLES], folder)
        for round_ in range(rounds):
            # Alternate which side goes first, so a slow spell hits both alike.
            if round_ % 2 == 0:
                result.bare_seconds.append(time_bare(nlp, paragraphs))
            seconds, result.stored = time_storyline(chosen, folder)
            result.storyline_seconds.append(seconds)
            if round_ % 2 == 1:
                result.bare_seconds.append(time_bare(nlp, paragraphs))
    return result


def read_baseline(path: Path = BASELINE) -> dict[str, Any]:
    """The speed baseline file's content."""
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return data


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description="Storyline end to end against bare spaCy on the same articles; fails "
                    "when the words/s ratio is below the pinned floor.")
    parser.add_argument("--articles", type=int, default=ARTICLES,
                        help=f"PolNeAR test articles to use (default {ARTICLES}; the floor "
                             "was pinned with the default)")
    parser.add_argument("--rounds", type=int, default=ROUNDS,
                        help=f"alternating rounds, best of each side kept (default {ROUNDS})")
    parser.add_argument("--corpora", type=Path, default=CORPORA,
                        help="the shared corpora folder (holding polnear/)")
    parser.add_argument("--baseline", type=Path, default=BASELINE)
    parser.add_argument("--json", action="store_true", help="print the result as JSON")
    args = parser.parse_args(argv)
    if args.rounds < 1:
        parser.error("--rounds must be at least 1")
    if not (args.corpora / "polnear").is_dir():
        parser.error(f"corpus folder not found: {args.corpora / 'polnear'}")
    floor = read_baseline(args.baseline)["ratio_floor"]
    result = measure(args.corpora, args.articles, args.rounds)
    passed = result.ratio >= floor
    if args.json:
        print(json.dumps({**result.to_dict(), "ratio_floor": floor, "passed": passed},
                         indent=2))
    else:
        print(f"{result.articles} articles, {result.words} words, {args.rounds} rounds "
              f"(best of each side)")
        print(f"bare spaCy   {result.bare_words_per_s:8.0f} words/s  rounds "
              f"{', '.join(f'{s:.1f}' for s in result.bare_seconds)} s")
        print(f"Storyline    {result.storyline_words_per_s:8.0f} words/s  rounds "
              f"{', '.join(f'{s:.1f}' for s in result.storyline_seconds)} s")
        print(f"ratio {result.ratio:.3f}, floor {floor:.2f}: "
              f"{'ok' if passed else 'BELOW FLOOR'}")
    return 0 if passed else 1


if __name__ == "__main__":
    raise SystemExit(main())
