"""Streaming cost of the story stage: adding one document to a store that already holds
1,000, 10,000 or 100,000 documents.

    PYTHONPATH=src python benchmarks/story_scaling.py [--sizes 1000,10000,100000] [--probes 200]
        [--seed-docs 600] [--source polnear|ecbplus] [--out benchmarks/results/story-scaling.json]

1. A pool of realistic inputs is built once: `--seed-docs` real articles (PolNeAR texts,
   read by path, through every per-document stage with one Recognizer; or ECB+ documents
   the way `storyline.evaluate.stories` prepares them). Each processed Document is kept
   (mentions, entities, events, claims, `terms`); the spaCy parses are dropped.
2. One on-disk store (a temp file) grows to each size with copies of pool documents under
   fresh ids, hashes and names, no MinHash (so the copies are not linked as near
   duplicates) and a publication date that advances one day every `--per-day`
   documents, so stories spread over time. Copies are committed every 50 documents or
   second, as `storyline.ingest.run` does.
   Fill paths: `full` is the real one, `store.add(doc, resolver.resolve, builder)`;
   `fast` skips the resolver and instead gives the copy the actor links that the real
   resolver gave the same pool document the first time it went through the full path
   (mentions, roles and story keys are then the same as with resolution; only alias
   counts stop growing). `--fill auto` (default) measures the full path on the first
   documents and switches the rest of the fill to `fast` when the full path would not
   fit in `--budget-minutes`; the JSON says how many documents went each way.
3. At each size `--probes` more copies are added, always through the full real path and
   timed with `time.perf_counter`: the whole `store.add`, the resolver, and the story
   stage (the `StoryBuilder` call: signature, clustering, event merging), with the
   clustering and merging parts on their own. Commits are timed apart (per document).
   Probes stay in the store, so the next size starts `--probes` documents later.

Prints a Markdown table and writes the figures as JSON (after every size, with
`"complete": false` until the last, so a run stopped early keeps what it measured).
Per probe it also tallies the store look-ups whose result grows with the store (stories
loaded as candidates, canonical-event members, role holders), to show where time goes.

On the 2-core development machine the fill itself slows as the store grows (about 45
documents/s near 1,000 documents, 20/s past 10,000 even on the fast path), so reaching
100,000 takes well over an hour; see benchmarks/results/story-scaling.json.
"""

from __future__ import annotations

import argparse
import copyreg
import datetime as dt
import hashlib
import json
import pickle
import platform
import random
import signal
import sqlite3
import sys
import tempfile
import time
import types
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from storyline.actors.resolve import Resolver
from storyline.errors import StorylineError
from storyline.model import Document
from storyline.nlp import Recognizer
from storyline.pipeline import Pipeline, full_stages, nlp_stages
from storyline.store import Store
from storyline.stories import StoryBuilder

BASE_DATE = dt.date(2017, 1, 1)  # after every date PolNeAR (2015-2016) mentions
BATCH_SIZE, BATCH_SECONDS = 50, 1.0  # as storyline.ingest.run

# `TimeValue.relative` is a read-only mappingproxy, which neither pickle nor
# copy.deepcopy can copy: teach both to rebuild it (here only, src is untouched).
def _mappingproxy(items: dict[Any, Any]) -> types.MappingProxyType[Any, Any]:
    return types.MappingProxyType(items)


copyreg.pickle(types.MappingProxyType, lambda m: (_mappingproxy, (dict(m),)))


# --- the pool of processed documents ---------------------------------------------------


def polnear_pool(corpus: Path, n: int) -> list[Document]:
    paths = sorted(corpus.glob("*/text/*.txt"))
    if not paths:
        sys.exit(f"no PolNeAR texts under {corpus}/*/text")
    step = max(1, len(paths) // n) if n < len(paths) else 1
    chosen = paths[::step][:n]  # evenly over publishers, splits and dates
    pipeline = Pipeline(full_stages(Recognizer()))
    docs = []
    for k, path in enumerate(chosen, 1):
        doc = Document(source=str(path), name=path.name, format="txt",
                       raw=path.read_text(encoding="utf-8", errors="replace"))
        try:
            doc = pipeline(doc)
        except StorylineError as exc:
            print(f"  skipped {path.name}: {exc}", file=sys.stderr)
            continue
        doc.analyses = []
        docs.append(doc)
        if k % 100 == 0:
            print(f"  parsed {k}/{len(chosen)}", file=sys.stderr)
    return docs


def ecbplus_pool(archive: Path, n: int) -> list[Document]:
    from storyline.evaluate.ecbplus import load
    from storyline.evaluate.system import as_document
    from storyline.ingest.identity import identify

    stages = nlp_stages(Recognizer())
    ecb = list(load(archive))
    step = max(1, len(ecb) // n) if n < len(ecb) else 1
    docs = []
    for k, item in enumerate(ecb[::step][:n], 1):
        doc = identify(as_document(item))  # as storyline.evaluate.stories.ingest_documents
        for st in stages:
            doc = st.func(doc)
        doc.analyses = []
        docs.append(doc)
        if k % 100 == 0:
            print(f"  parsed {k}", file=sys.stderr)
    return docs


def build_pool(args: argparse.Namespace) -> tuple[list[bytes], dict[str, Any]]:
    """Pickled processed documents (a pickle round trip is a deep copy, made faster)."""
    cache = Path(args.pool_cache) if args.pool_cache else None
    key = f"{args.source}:{args.seed_docs}"
    if cache and cache.exists():
        saved = pickle.loads(cache.read_bytes())
        if saved["key"] == key:
            print(f"pool: {len(saved['pool'])} documents from {cache}", file=sys.stderr)
            return saved["pool"], saved["info"]
    started = time.perf_counter()
    if args.source == "polnear":
        docs = polnear_pool(Path(args.polnear), args.seed_docs)
    else:
        docs = ecbplus_pool(Path(args.ecbplus), args.seed_docs)
    seconds = time.perf_counter() - started
    info = {"source": args.source, "documents": len(docs),
            "parse_seconds": round(seconds, 1),
            "words": sum(len(d.text.split()) for d in docs),
            "mentions": sum(len(d.mentions) for d in docs),
            "events": sum(len(d.events) for d in docs),
            "claims": sum(len(d.claims) for d in docs),
            "terms_per_document": round(float(np.mean([len(d.terms) for d in docs])), 1)}
    pool = [pickle.dumps(d, protocol=pickle.HIGHEST_PROTOCOL) for d in docs]
    print(f"pool: {len(pool)} documents parsed in {seconds:.0f} s", file=sys.stderr)
    if cache:
        cache.write_bytes(pickle.dumps({"key": key, "pool": pool, "info": info}))
    return pool, info


# --- timing ---------------------------------------------------------------------------


class Timed:
    """Wraps a callable; `last` is the duration of its latest call, in seconds."""

    def __init__(self, func: Callable[..., Any]) -> None:
        self.func = func
        self.last = 0.0
        self.result: Any = None

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        start = time.perf_counter()
        try:
            self.result = self.func(*args, **kwargs)
            return self.result
        finally:
            self.last = time.perf_counter() - start


class Tally:
    """Wraps a callable; adds up the time, calls and rows returned since `reset`."""

    def __init__(self, func: Callable[..., Any]) -> None:
        self.func = func
        self.reset()

    def reset(self) -> None:
        self.seconds, self.calls, self.rows = 0.0, 0, 0

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        start = time.perf_counter()
        result = self.func(*args, **kwargs)
        self.seconds += time.perf_counter() - start
        self.calls += 1
        if isinstance(result, list | dict):
            self.rows += len(result)
        return result


#: Store look-ups the story stage and the resolver make, tallied per probe document.
TALLIED = {
    "stories.candidates": ("stories", "candidates"),
    "stories.state": ("stories", "state"),
    "stories.assign": ("stories", "assign"),
    "events.story_candidates": ("events", "story_candidates"),
    "events.members": ("events", "members"),
    "actors.role_holders": ("actors", "role_holders"),
}


def stats(seconds: list[float]) -> dict[str, float]:
    ms = np.array(seconds) * 1000
    return {"mean": round(float(ms.mean()), 3), "median": round(float(np.median(ms)), 3),
            "p95": round(float(np.percentile(ms, 95)), 3), "max": round(float(ms.max()), 3)}


# --- the store under test ---------------------------------------------------------------


class Bench:
    """One store, its resolver and story builder, and the copies added to it."""

    def __init__(self, path: Path, pool: list[bytes], seed: int, per_day: int) -> None:
        self.path = path
        self.store = Store(path)
        self.pool = pool
        self.rng = random.Random(seed)
        self.order = list(range(len(pool)))
        self.rng.shuffle(self.order)  # every pool document once first, then at random
        self.per_day = per_day
        self.added = 0
        self.templates: dict[int, bytes] = {}  # pool index -> copy as the resolver left it
        self.resolver = Resolver(self.store.actors)
        self.builder = StoryBuilder(self.store)
        # Time the story stage and its parts on our own instances (src is untouched).
        self.resolve = Timed(self.resolver.resolve)
        self.relate = Timed(self.builder)
        self.cluster = Timed(self.builder.clusterer.assign)
        self.builder.clusterer.assign = self.cluster  # type: ignore[method-assign]
        self.merge = Timed(self.builder.merger.link)
        self.builder.merger.link = self.merge  # type: ignore[method-assign]
        self.tallies: dict[str, Tally] = {}
        for name, (table, method) in TALLIED.items():
            owner = getattr(self.store, table)
            self.tallies[name] = Tally(getattr(owner, method))
            setattr(owner, method, self.tallies[name])
        self.filled = {"full": 0, "fast": 0}
        self.auto_fast = False  # --fill auto decided to fill the rest the fast way
        self.switched_at: int | None = None
        self.pending = 0
        self.last_commit = time.monotonic()

    def next_index(self) -> int:
        n = self.added
        return self.order[n] if n < len(self.order) else self.rng.randrange(len(self.pool))

    def copy(self, k: int, resolved: bool) -> Document:
        doc: Document = pickle.loads(self.templates[k] if resolved else self.pool[k])
        n = self.added
        digest = hashlib.sha256(f"story-scaling:{n}".encode()).hexdigest()
        doc.id = f"doc-{digest[:16]}"
        doc.content_hash = hashlib.sha256(f"story-scaling-content:{n}".encode()).hexdigest()
        doc.name = f"story-scaling/{n}/{doc.name}"
        doc.minhash = None
        doc.duplicate_of = doc.duplicate_kind = doc.similarity = None
        doc.published = BASE_DATE + dt.timedelta(days=n // self.per_day)
        return doc

    def add_full(self, k: int) -> Document:
        doc = self.copy(k, resolved=False)
        outcome = self.store.add(doc, self.resolve, self.relate)
        assert outcome == "stored", outcome
        if k not in self.templates:
            self.templates[k] = pickle.dumps(doc, protocol=pickle.HIGHEST_PROTOCOL)
        self.added += 1
        self.filled["full"] += 1
        return doc

    def add_fast(self, k: int) -> None:
        if k not in self.templates:  # resolve each pool document for real once
            self.add_full(k)
            return
        doc = self.copy(k, resolved=True)
        outcome = self.store.add(doc, None, self.relate)
        assert outcome == "stored", outcome
        self.added += 1
        self.filled["fast"] += 1

    def maybe_commit(self) -> float:
        """Commit like storyline.ingest.run (every 50 documents or second); seconds."""
        self.pending += 1
        if self.pending < BATCH_SIZE and time.monotonic() - self.last_commit < BATCH_SECONDS:
            return 0.0
        start = time.perf_counter()
        self.store.commit()
        self.store.begin()
        self.pending, self.last_commit = 0, time.monotonic()
        return time.perf_counter() - start

    def count(self) -> int:
        return self.store.count_documents()

    def db_bytes(self) -> int:
        return sum(p.stat().st_size for p in (self.path, Path(f"{self.path}-wal"))
                   if p.exists())


def fill(bench: Bench, target: int, mode: str, budget_s: float, deadline: float,
         max_size: int) -> None:
    """Add copies until the store holds `target` documents."""
    start_n = bench.count()
    if target <= start_n:
        return
    started = time.perf_counter()
    last_report = started
    full_started, full_n = started, 0
    bench.store.begin()
    while (n := bench.added) < target:
        k = bench.next_index()
        use_fast = mode == "fast" or (mode == "auto" and bench.auto_fast)
        if use_fast:
            bench.add_fast(k)
        else:
            bench.add_full(k)
            full_n += 1
        bench.maybe_commit()
        if mode == "auto" and not bench.auto_fast and full_n == 1000:
            rate = (time.perf_counter() - full_started) / full_n
            remaining = (max_size - n) * rate * 1.3  # cost per document grows a little
            if time.perf_counter() + remaining > deadline or remaining > budget_s:
                bench.auto_fast = True
                bench.switched_at = n + 1
                print(f"  full path {1000 * rate:.1f} ms/doc: {remaining / 60:.0f} min more "
                      f"to reach {max_size}; the rest of the fill goes the fast way",
                      file=sys.stderr)
            full_started, full_n = time.perf_counter(), 0
        now = time.perf_counter()
        if now - last_report > 30:
            done = n + 1 - start_n
            print(f"  filled {n + 1}/{target} ({done / (now - started):.0f} docs/s, "
                  f"full {bench.filled['full']}, fast {bench.filled['fast']})",
                  file=sys.stderr)
            last_report = now
    bench.store.commit()
    bench.pending = 0


def probe(bench: Bench, probes: int) -> dict[str, Any]:
    """Add `probes` copies through the full real path, timing each."""
    times: dict[str, list[float]] = {k: [] for k in
                                     ("add", "resolve", "story", "cluster", "merge", "other")}
    calls: dict[str, dict[str, list[float]]] = {
        name: {"ms": [], "calls": [], "rows": []} for name in TALLIED}
    commit_s = 0.0
    joined_sizes: list[int] = []
    new_stories = candidates = 0
    bench.store.begin()
    for _ in range(probes):
        k = bench.next_index()
        doc = bench.copy(k, resolved=False)
        bench.resolve.last = bench.relate.last = bench.cluster.last = bench.merge.last = 0.0
        for tally in bench.tallies.values():
            tally.reset()
        start = time.perf_counter()
        outcome = bench.store.add(doc, bench.resolve, bench.relate)
        elapsed = time.perf_counter() - start
        assert outcome == "stored", outcome
        bench.added += 1
        if k not in bench.templates:
            bench.templates[k] = pickle.dumps(doc, protocol=pickle.HIGHEST_PROTOCOL)
        times["add"].append(elapsed)
        times["resolve"].append(bench.resolve.last)
        times["story"].append(bench.relate.last)
        times["cluster"].append(bench.cluster.last)
        times["merge"].append(bench.merge.last)
        times["other"].append(elapsed - bench.resolve.last - bench.relate.last)
        for name, tally in bench.tallies.items():
            calls[name]["ms"].append(1000 * tally.seconds)
            calls[name]["calls"].append(tally.calls)
            calls[name]["rows"].append(tally.rows)
        assignment = bench.relate.result
        if assignment.new:
            new_stories += 1
        else:
            state = bench.store.stories.state(assignment.story)
            joined_sizes.append(state.size if state else 0)
        candidates += len(assignment.evidence.get("too_far_in_time", []))
        commit_s += bench.maybe_commit()
    start = time.perf_counter()
    bench.store.commit()
    commit_s += time.perf_counter() - start
    bench.pending = 0
    return {
        "ms": {name: stats(values) for name, values in times.items()},
        "commit_ms_per_document": round(1000 * commit_s / probes, 3),
        "lookups_per_document": {  # mean per probe: time (ms), calls, rows returned
            name: {k: round(float(np.mean(v)), 2) for k, v in c.items()}
            for name, c in calls.items()},
        "probes_starting_a_story": new_stories,
        "joined_story_size": {"mean": round(float(np.mean(joined_sizes)), 1),
                              "max": int(max(joined_sizes))} if joined_sizes else None,
    }


def snapshot(bench: Bench) -> dict[str, Any]:
    conn = bench.store.conn

    def one(sql: str) -> Any:
        return conn.execute(sql).fetchone()[0]

    return {"documents": bench.count(), "stories": bench.store.stories.count(),
            "largest_story": one("SELECT max(size) FROM stories"),
            "events": one("SELECT count(*) FROM events"),
            "canonical_events": one("SELECT count(*) FROM events WHERE canonical = id"),
            "largest_canonical_event": one(
                "SELECT max(n) FROM (SELECT count(*) AS n FROM events GROUP BY canonical)"),
            "roles": one("SELECT count(*) FROM roles"),
            "actors": one("SELECT count(*) FROM actors"),
            "db_mb": round(bench.db_bytes() / 2**20, 1)}


# --- output -----------------------------------------------------------------------------


def table(rows: list[dict[str, Any]]) -> str:
    lines = [
        "| documents in store | stories | DB MB | store.add mean / p50 / p95 ms "
        "| story stage mean / p50 / p95 ms | cluster mean | merge mean | resolve mean "
        "| commit/doc |",
        "|---:|---:|---:|---|---|---:|---:|---:|---:|",
    ]
    for r in rows:
        ms = r["ms"]
        add, story = ms["add"], ms["story"]
        lines.append(
            f"| {r['before']['documents']:,} | {r['before']['stories']:,} "
            f"| {r['before']['db_mb']:,.0f} "
            f"| {add['mean']:.1f} / {add['median']:.1f} / {add['p95']:.1f} "
            f"| {story['mean']:.1f} / {story['median']:.1f} / {story['p95']:.1f} "
            f"| {ms['cluster']['mean']:.1f} | {ms['merge']['mean']:.1f} "
            f"| {ms['resolve']['mean']:.1f} | {r['commit_ms_per_document']:.1f} |")
    return "\n".join(lines)


def lookup_table(rows: list[dict[str, Any]]) -> str:
    """Mean per probe document of each tallied look-up: ms (calls, rows returned)."""
    lines = ["| documents in store | largest story | joined story size (mean) | "
             + " | ".join(TALLIED) + " |",
             "|---:|---:|---:|" + "---|" * len(TALLIED)]
    for r in rows:
        joined = r["joined_story_size"]["mean"] if r["joined_story_size"] else 0
        cells = [f"{c['ms']:.2f} ms ({c['calls']:.0f}, {c['rows']:.0f})"
                 for c in r["lookups_per_document"].values()]
        lines.append(f"| {r['before']['documents']:,} | {r['before']['largest_story']:,} | "
                     f"{joined:.0f} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def code_measured() -> dict[str, str]:
    """Which storyline was imported, and a hash of the modules this benchmark exercises
    (results from different code must not be compared as if they were one run)."""
    import storyline

    root = Path(storyline.__file__).parent
    digest = hashlib.sha256()
    for path in sorted([*root.glob("stories/*.py"), *root.glob("store/*.py"),
                        *root.glob("actors/*.py")]):
        digest.update(path.name.encode() + path.read_bytes())
    return {"storyline": str(root), "sha256_stories_store_actors": digest.hexdigest()[:16]}


def write_results(args: argparse.Namespace, pool_info: dict[str, Any], bench: Bench,
                  rows: list[dict[str, Any]], started: float, complete: bool) -> None:
    out = {
        "benchmark": "story-scaling",
        "what": "milliseconds to add one document to a store already holding N documents "
                "(full path: store.add(doc, Resolver.resolve, StoryBuilder))",
        "args": {k: v for k, v in vars(args).items() if k != "db"},
        "pool": pool_info,
        "fill": {"mode": args.fill, "full_path_documents": bench.filled["full"],
                 "fast_path_documents": bench.filled["fast"],
                 "switched_to_fast_at": bench.switched_at,
                 "fast_path": "resolver skipped; the copy keeps the actor links the real "
                              "resolver gave the same pool document"},
        "code": code_measured(),
        "machine": {"python": platform.python_version(), "sqlite": sqlite3.sqlite_version,
                    "platform": platform.platform(), "processor": platform.processor()},
        "complete": complete,
        "total_seconds": round(time.perf_counter() - started, 1),
        "results": rows,
    }
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(json.dumps(out, indent=2) + "\n", encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,10000,100000",
                        help="store sizes (documents) at which to probe, comma separated")
    parser.add_argument("--probes", type=int, default=200)
    parser.add_argument("--seed-docs", type=int, default=600,
                        help="real articles parsed into the pool of inputs")
    parser.add_argument("--source", choices=("polnear", "ecbplus"), default="polnear")
    parser.add_argument("--polnear", default="../shared/corpora/polnear")
    parser.add_argument("--ecbplus", default="../shared/corpora/ecbplus/ecbplus.tgz")
    parser.add_argument("--per-day", type=int, default=30,
                        help="documents per publication day (the date of copy i is "
                             "2017-01-01 + i // per-day days)")
    parser.add_argument("--fill", choices=("auto", "full", "fast"), default="auto")
    parser.add_argument("--budget-minutes", type=float, default=30.0,
                        help="with --fill auto: the longest the full-path fill may take")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--pool-cache", help="keep the parsed pool in this pickle file")
    parser.add_argument("--db", help="store path (default: a temp file, deleted)")
    parser.add_argument("--out", default="benchmarks/results/story-scaling.json")
    args = parser.parse_args()
    sizes = sorted(int(s) for s in args.sizes.split(","))
    # `kill` ends the run like Ctrl-C: the temp store is deleted, partial results stay.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))

    started = time.perf_counter()
    pool, pool_info = build_pool(args)
    budget_s = args.budget_minutes * 60
    deadline = time.perf_counter() + budget_s
    rows: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(args.db) if args.db else Path(tmp) / "story-scaling.db"
        bench = Bench(path, pool, args.seed, args.per_day)
        for size in sizes:
            fill_started = time.perf_counter()
            fill(bench, size, args.fill, budget_s, deadline, sizes[-1])
            fill_seconds = time.perf_counter() - fill_started
            before = snapshot(bench)
            print(f"size {before['documents']}: filled in {fill_seconds:.0f} s; probing",
                  file=sys.stderr)
            result = probe(bench, args.probes)
            row = {"size": size, "before": before, **result,
                   "fill_seconds": round(fill_seconds, 1),
                   "filled_so_far": dict(bench.filled)}
            rows.append(row)
            print(table([row]).splitlines()[-1], file=sys.stderr)
            write_results(args, pool_info, bench, rows, started, complete=False)
        bench.store.close()

    write_results(args, pool_info, bench, rows, started, complete=True)
    print(table(rows))
    print()
    print("Look-ups per probe document, mean: time (calls, rows returned)")
    print()
    print(lookup_table(rows))
    print(f"wrote {args.out}", file=sys.stderr)


if __name__ == "__main__":
    main()
