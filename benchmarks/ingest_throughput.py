"""Ingest throughput on real articles, by number of worker processes, against bare spaCy.

    python benchmarks/ingest_throughput.py [--corpus POLNEAR ECBPLUS] [--limit N]
        [--repeat 1] [--workers 0 1 2] [--ray] [--bare] [--rounds 1]

For each worker count (0: the stages in the writer's process, in a thread beside it; N:
in N worker processes beside the writer), the whole `storyline ingest` path (read,
clean, NLP, time, events, attribution, actor resolution, stories, SQLite writes) on the
same feed: seconds of wall time from the start of the run to its end (model loading and
worker start-up included), articles/s, words/s, seconds until the first document was
stored, and the peak RSS and CPU seconds summed over the writer and its workers. `--ray`
adds the same run on a Ray instance started locally for it (`ingest --ray`: one actor
per CPU; Ray's start-up and its own processes included). `--bare` adds, for each worker
count N, the bare spaCy pass with the same model and pipes, `nlp.pipe(paragraphs,
n_process=max(N, 1))`, over the cleaned paragraphs of the same texts (model loaded
before the clock starts), and the ratio of the two. Every measurement runs in a fresh
child process; `--rounds` repeats the set, interleaved, and reports the median and the
range, since other work on the machine moves single runs. Each repeat gives the articles
fresh ids, so a larger run measures a larger store, not re-ingest of the same items.
Texts are read by path, never copied.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import os
import statistics
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

SHARED = Path(__file__).resolve().parents[1].parent / "shared" / "corpora"


def corpus_texts(corpus: Path, limit: int | None = None) -> list[tuple[str, str]]:
    """`(name, text)` of the English articles of one shared corpus: a PolNeAR folder
    (`*/text/*.txt`) or ECB+ (its folder or `ecbplus.tgz`; tokens joined by spaces, the
    URL line that opens each ECB+ text left out)."""
    if (corpus / "ecbplus.tgz").exists() or corpus.name.startswith("ecbplus"):
        from storyline.evaluate.ecbplus import load

        archive = corpus / "ecbplus.tgz" if corpus.is_dir() else corpus
        out = []
        for doc in load(archive):
            lines = doc.text.split("\n")
            if lines and lines[0].lower().startswith(("http", "www")):
                lines = lines[1:]
            out.append((f"ecb-{doc.name}", "\n".join(lines)))
        return out[:limit]
    return [(path.stem, path.read_text(encoding="utf-8", errors="replace"))
            for path in sorted(corpus.glob("*/text/*.txt"))[:limit]]


def build_feed(corpora: list[Path], repeat: int, out: Path, limit: int | None = None
               ) -> tuple[int, int]:
    """A JSON Lines feed of every article of `corpora`, `repeat` times with fresh ids."""
    texts = [t for corpus in corpora for t in corpus_texts(corpus, limit)]
    articles = words = 0
    with out.open("w", encoding="utf-8") as handle:
        for r in range(repeat):
            for name, text in texts:
                handle.write(json.dumps({"id": f"{name}#{r}", "text": text}) + "\n")
                articles += 1
                words += len(text.split())
    return articles, words


def _rss_mb(pid: int) -> float:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def _tree(pid: int) -> list[int]:
    try:
        children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    except OSError:
        return [pid]
    return [pid, *(p for c in map(int, children) for p in _tree(c))]


def _cpu_s(pid: int) -> float:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime + stime


class Usage:
    """Peak RSS (MB) summed over this process and its descendants, and the CPU seconds
    they used, sampled every 0.2 s (Linux /proc; zeros elsewhere)."""

    def __init__(self) -> None:
        self.peak_rss_mb = 0.0
        self._cpu: dict[int, float] = {}
        self._start = {os.getpid(): _cpu_s(os.getpid())}

    def sample(self) -> None:
        tree = _tree(os.getpid())
        self.peak_rss_mb = max(self.peak_rss_mb, sum(_rss_mb(p) for p in tree))
        for pid in tree:
            self._cpu[pid] = max(self._cpu.get(pid, 0.0), _cpu_s(pid))

    @property
    def cpu_s(self) -> float:
        return sum(cpu - self._start.get(pid, 0.0) for pid, cpu in self._cpu.items())


@contextmanager
def usage() -> Iterator[Usage]:
    found = Usage()
    done = threading.Event()

    def sample() -> None:
        while not done.wait(0.2):
            found.sample()

    thread = threading.Thread(target=sample, daemon=True)
    thread.start()
    try:
        yield found
    finally:
        found.sample()
        done.set()
        thread.join()


def _ingest(feed: str, workers: int, queue: Any) -> None:
    _measure_ingest(feed, queue, workers=workers)


def _ingest_ray(feed: str, workers: int, queue: Any) -> None:
    _measure_ingest(feed, queue, ray_address="local")


def _measure_ingest(feed: str, queue: Any, **how: Any) -> None:
    from storyline.ingest.run import IngestReport, ingest
    from storyline.store import Store

    first: list[float] = []

    def stored(report: IngestReport, source: str) -> None:
        if not first:
            first.append(time.perf_counter() - start)

    with (tempfile.TemporaryDirectory() as tmp, Store(Path(tmp) / "bench.db") as store,
          usage() as used):
        start = time.perf_counter()
        report = ingest([feed], store, progress=stored, **how)
        elapsed = time.perf_counter() - start
    queue.put({"seconds": elapsed, "first_s": first[0] if first else None,
               "peak_rss_mb": used.peak_rss_mb, "cpu_s": used.cpu_s,
               "summary": report.summary()})


def _bare(feed: str, workers: int, queue: Any) -> None:
    from storyline.model import Document
    from storyline.nlp import model
    from storyline.pipeline import CLEAN_STAGES, Pipeline

    clean = Pipeline(CLEAN_STAGES)
    paragraphs = []
    with open(feed, encoding="utf-8") as handle:
        for line in handle:
            record = json.loads(line)
            doc = clean(Document(source=record["id"], name=record["id"], raw=record["text"],
                                 format="txt"))
            paragraphs += [doc.text[p.start:p.end] for p in doc.paragraphs]
    start = time.perf_counter()
    nlp = model.load()
    load = time.perf_counter() - start
    with usage() as used:
        start = time.perf_counter()
        tokens = sum(len(d) for d in nlp.pipe(paragraphs, n_process=workers))
        elapsed = time.perf_counter() - start
    queue.put({"seconds": elapsed, "load_s": load, "tokens": tokens,
               "peak_rss_mb": used.peak_rss_mb, "cpu_s": used.cpu_s})


def _child(target: Callable[[str, int, Any], None], feed: str, workers: int) -> dict[str, Any]:
    ctx = mp.get_context("spawn")
    queue = ctx.Queue()
    proc = ctx.Process(target=target, args=(feed, workers, queue))
    proc.start()
    result: dict[str, Any] = queue.get()
    proc.join()
    return result


def _summary(runs: list[dict[str, Any]], articles: int, words: int) -> dict[str, Any]:
    rates = sorted(words / r["seconds"] for r in runs)
    out: dict[str, Any] = {
        "seconds": [round(r["seconds"], 1) for r in runs],
        "words_per_s": round(statistics.median(rates)),
        "words_per_s_range": [round(rates[0]), round(rates[-1])],
        "articles_per_s": round(articles * statistics.median(rates) / words, 2),
        "peak_rss_mb": round(max(r["peak_rss_mb"] for r in runs)),
    }
    for key in ("cpu_s", "first_s", "load_s"):
        if runs[0].get(key) is not None:
            out[key] = [round(r[key], 1) for r in runs]
    if "summary" in runs[0]:
        out["summary"] = runs[0]["summary"]
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--corpus", nargs="+", default=[str(SHARED / "polnear"),
                                                         str(SHARED / "ecbplus")],
                        help="PolNeAR and/or ECB+ folders (default: both, ~2,000 articles)")
    parser.add_argument("--limit", type=int, default=None,
                        help="articles to use from each corpus (all)")
    parser.add_argument("--json", default=None, help="also write the report here")
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--workers", type=int, nargs="+", default=[1],
                        help="worker processes to measure (0 = the writer's process)")
    parser.add_argument("--ray", action="store_true",
                        help="also measure on a local Ray, one actor per CPU (needs ray)")
    parser.add_argument("--bare", action="store_true",
                        help="also time bare spaCy nlp.pipe with n_process = each count")
    parser.add_argument("--rounds", type=int, default=1, help="repeat every measurement")
    args = parser.parse_args()
    results: dict[str, list[dict[str, Any]]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        feed = Path(tmp) / "feed.jsonl"
        articles, words = build_feed([Path(c) for c in args.corpus], args.repeat, feed,
                                     args.limit)
        for _ in range(args.rounds):
            for n in args.workers:
                results.setdefault(f"storyline_workers_{n}", []).append(
                    _child(_ingest, str(feed), n))
            for n in sorted({max(n, 1) for n in args.workers}) if args.bare else ():
                results.setdefault(f"bare_spacy_n_process_{n}", []).append(
                    _child(_bare, str(feed), n))
            if args.ray:
                results.setdefault("storyline_ray_local", []).append(
                    _child(_ingest_ray, str(feed), 0))
    report: dict[str, Any] = {"articles": articles, "words": words, "cores": os.cpu_count(),
                              "rounds": args.rounds}
    report |= {name: _summary(runs, articles, words) for name, runs in results.items()}
    if args.bare:
        report["ratio_to_bare"] = {
            n: round(statistics.median(b["seconds"]
                                       for b in results[f"bare_spacy_n_process_{max(n, 1)}"])
                     / statistics.median(s["seconds"] for s in results[f"storyline_workers_{n}"]),
                     3) for n in args.workers}
    print(json.dumps(report, indent=2))
    if args.json:
        Path(args.json).write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
