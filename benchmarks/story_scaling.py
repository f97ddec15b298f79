"""Streaming cost of the story stage: adding one document to a store that already holds
1,000, 10,000 or 100,000 documents.

    PYTHONPATH=src python benchmarks/story_scaling.py [--sizes 1000,10000,100000]
        [--probes 200] [--base 5000] [--seed-docs 600] [--pool-cache FILE] [--profile]
        [--cache-mb N] [--out benchmarks/results/story-scaling.json]

1. Pool. `--seed-docs` real articles (PolNeAR texts read by path, through every
   per-document stage with one Recognizer; or ECB+ documents prepared the way
   `storyline.evaluate.stories` does) are processed once. Each Document is kept with its
   mentions, entities, events, claims and `terms`; the spaCy parses are dropped.
2. Real fill. Copies of pool documents (every pool document once, then at random) go
   through the real path, `store.add(doc, Resolver.resolve, StoryBuilder)`, under fresh
   ids, hashes and names, without MinHash (so copies are not linked as near duplicates),
   with a publication date that advances one day every `--per-day` documents, committed
   every 50 documents or second as `storyline.ingest.run` does. This goes on until the
   store holds `--base` documents; sizes up to `--base` are probed on the way.
3. Replication. Larger sizes are reached by copying the rows of the base block (the
   store as it is when the first size above `--base` is wanted) at the SQL level,
   `k` times: documents (and so their full-text index, by its trigger), paragraphs,
   passages, mentions, roles, claims, events, event mentions and participants,
   signatures, stories, story keys, story documents, event merges and inferred dates,
   each with fresh ids (documents, events and stories; every reference mapped), and
   with every date that derives from the publication date (publication, signature and
   story dates, events dated by their report's publication) shifted by `k` times the
   base block's span, so each copy is a later stretch of the same news flow at the same
   density (`--per-day`). Story versions are raised above every existing one (so the
   newest copy is the most recent in each key's posting list); term document
   frequencies and alias counts grow by the base block's own counts per copy, as if
   the copies had gone through the pipeline. Actors are shared by the copies (the same
   people, places and organizations are reported again), so mentions, roles and alias
   counts grow with the store while the actor table does not. Each copy's stories are
   as large as the base block's (a story does not continue from one copy into the
   next). After the last copy `PRAGMA integrity_check`, `PRAGMA foreign_key_check` and
   consistency counts (one signature and one story row per document, story sizes, the
   document count in `term_stats`, canonical events that exist) are run and reported.
4. Probes. At each size `--probes` more copies go through the full real path, dated
   within the last `--probe-days` days of the filled range (the head of the news
   flow), timed with `time.perf_counter`: the whole `store.add`, the resolver, the story
   stage (the `StoryBuilder` call: signature, clustering, event merging) with
   clustering and merging apart. Commits are timed apart (per document). Probes stay in
   the store. Per probe the store look-ups of the story stage and the resolver are
   tallied (time, calls, rows returned), to show where time goes.
5. `--profile`: after the timed probes at the largest size, `--profile-probes` more go
   through the same path under pyinstrument; its report is written next to `--out`
   (`.profile.txt`). `--cache-mb` gives the store's connection a larger SQLite page
   cache than the store's own (SQLite's default 2 MB), to see what page misses cost.

Prints a Markdown table and writes the figures as JSON (after every size, with
`"complete": false` until the last, so a run stopped early keeps what it measured).
"""

from __future__ import annotations

import argparse
import copyreg
import datetime as dt
import hashlib
import json
import math
import pickle
import platform
import random
import re
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


#: Store look-ups the story stage and the resolver make, tallied per probe document
#: (those a version of the code does not have are left out).
TALLIED = {
    "stories.candidates": ("stories", "candidates"),
    "stories.candidate_dates": ("stories", "candidate_dates"),
    "stories.state": ("stories", "state"),
    "stories.states": ("stories", "states"),
    "stories.assign": ("stories", "assign"),
    "events.story_candidates": ("events", "story_candidates"),
    "events.newest_events": ("events", "newest_events"),
    "events.members": ("events", "members"),
    "events.reports": ("events", "reports"),
    "events.set_digest": ("events", "set_digest"),
    "events.merge": ("events", "merge"),
    "actors.role_holders": ("actors", "role_holders"),
    "actors.title_holders": ("actors", "title_holders"),
}


def stats(seconds: list[float]) -> dict[str, float]:
    ms = np.array(seconds) * 1000
    return {"mean": round(float(ms.mean()), 3), "median": round(float(np.median(ms)), 3),
            "p95": round(float(np.percentile(ms, 95)), 3), "max": round(float(ms.max()), 3)}


# --- the store under test ---------------------------------------------------------------


class Bench:
    """One store, its resolver and story builder, and the copies added to it."""

    def __init__(self, path: Path, pool: list[bytes], seed: int, per_day: int,
                 cache_mb: int | None = None, mmap_mb: int | None = None) -> None:
        self.path = path
        self.store = Store(path)
        if cache_mb is not None:  # SQLite's page cache (the store keeps the default)
            self.store.conn.execute(f"PRAGMA cache_size = {-1024 * cache_mb}")
        if mmap_mb is not None:  # pages read through a memory map instead of read()
            self.store.conn.execute(f"PRAGMA mmap_size = {1024 * 1024 * mmap_mb}")
        self.pool = pool
        self.rng = random.Random(seed)
        self.order = list(range(len(pool)))
        self.rng.shuffle(self.order)  # every pool document once first, then at random
        self.per_day = per_day
        self.added = 0  # copies added through the real path (fill and probes)
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
            if hasattr(owner, method):
                self.tallies[name] = Tally(getattr(owner, method))
                setattr(owner, method, self.tallies[name])
        self.pending = 0
        self.last_commit = time.monotonic()
        self.replicator: Replicator | None = None

    def next_index(self) -> int:
        n = self.added
        return self.order[n] if n < len(self.order) else self.rng.randrange(len(self.pool))

    def copy(self, k: int, published: dt.date) -> Document:
        doc: Document = pickle.loads(self.pool[k])
        n = self.added
        digest = hashlib.sha256(f"story-scaling:{n}".encode()).hexdigest()
        doc.id = f"doc-{digest[:16]}"
        doc.content_hash = hashlib.sha256(f"story-scaling-content:{n}".encode()).hexdigest()
        doc.name = f"story-scaling/{n}/{doc.name}"
        doc.minhash = None
        doc.duplicate_of = doc.duplicate_kind = doc.similarity = None
        doc.published = published
        return doc

    def stream_date(self) -> dt.date:
        """The publication date of the next document of the real fill."""
        return BASE_DATE + dt.timedelta(days=self.added // self.per_day)

    def add(self, published: dt.date) -> Document:
        doc = self.copy(self.next_index(), published)
        outcome = self.store.add(doc, self.resolve, self.relate)
        assert outcome == "stored", outcome
        self.added += 1
        return doc

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

    def last_date(self) -> dt.date:
        row = self.store.conn.execute("SELECT max(published) FROM documents").fetchone()
        return dt.date.fromisoformat(row[0])

    def db_bytes(self) -> int:
        return sum(p.stat().st_size for p in (self.path, Path(f"{self.path}-wal"))
                   if p.exists())


def fill_real(bench: Bench, target: int) -> None:
    """Add copies through the real path until the store holds `target` documents."""
    start_n = bench.count()
    if target <= start_n:
        return
    started = last_report = time.perf_counter()
    bench.store.begin()
    for done in range(1, target - start_n + 1):
        bench.add(bench.stream_date())
        bench.maybe_commit()
        now = time.perf_counter()
        if now - last_report > 30:
            print(f"  filled {start_n + done}/{target} ({done / (now - started):.0f} docs/s)",
                  file=sys.stderr)
            last_report = now
    bench.store.commit()
    bench.pending = 0


# --- replication at the SQL level -------------------------------------------------------

_ID = re.compile(r"^([a-z]+[-_])(.+)$")


def _copy_id(old: str | None, replica: int) -> str | None:
    """A fresh id of the same form (`doc-…`, `ev_…`, `st_…`) for replica `replica`."""
    if old is None:
        return None
    found = _ID.match(old)
    prefix, rest = (found.group(1), found.group(2)) if found else ("", old)
    digest = hashlib.sha1(f"{old}#{replica}".encode()).hexdigest()
    return prefix + digest[:max(12, len(rest))]


def _copy_hash(old: str | None, replica: int) -> str | None:
    if old is None:
        return None
    return hashlib.sha256(f"{old}#{replica}".encode()).hexdigest()


def _shift(value: str | None, days: int) -> str | None:
    """An ISO day (`YYYY-MM-DD`, possibly with a time after it) moved by `days`."""
    if value is None or len(value) < 10 or value[4] != "-" or value[7] != "-":
        return value
    try:
        day = dt.date.fromisoformat(value[:10])
    except ValueError:
        return value
    return (day + dt.timedelta(days=days)).isoformat() + value[10:]


def _shift_own(own: str | None, days: int) -> str | None:
    """An event's own values (JSON) with a publication-derived date moved by `days`."""
    if own is None:
        return None
    values = json.loads(own)
    if values.get("date_precision") == "published":
        for key in ("date_value", "date_start", "date_end"):
            values[key] = _shift(values.get(key), days)
    return json.dumps(values, ensure_ascii=False, default=str)


def _copy_digest(digest: str | None, days: int, r: int) -> str | None:
    """A canonical event's digest (JSON, `storyline.stories.digest`) for the copy: its
    publication-derived dates moved by `days`, the document of its place's vote
    renamed. The orders (rowids) are kept: copied rows come after every base row, as
    their reports' rows do, and a digest only compares orders within itself or with
    later reports."""
    if digest is None:
        return None
    d = json.loads(digest)
    d["published"] = _shift(d["published"], days)
    d["reported"] = [_shift(v, days) for v in d["reported"]]
    if d["date"] and d["date"][5] == "published":
        d["date"][2:5] = [_shift(v, days) for v in d["date"][2:5]]
    for vote in d["votes"].values():
        vote[3] = _copy_id(vote[3], r)
    return json.dumps(d, ensure_ascii=False, separators=(",", ":"))


DOC = "bench_id(document_id, :r)"
PUBLISHED_DATE = ("CASE WHEN date_precision = 'published' THEN bench_shift({col}, :shift) "
                  "ELSE {col} END")
#: table -> (the base rows to copy, column -> SQL expression of the copy's value).
#: Columns not named are copied as they are; `None` leaves a column to its default.
COPIED: dict[str, tuple[str, dict[str, str | None]]] = {
    "documents": ("rowid IN (SELECT doc_rowid FROM temp.base_documents)", {
        "id": "bench_id(id, :r)", "name": "name || '#' || :r",
        "content_hash": "bench_hash(content_hash, :r)",
        "duplicate_of": "bench_id(duplicate_of, :r)",
        "published": "bench_shift(published, :shift)"}),
    "paragraphs": ("document_id IN (SELECT id FROM temp.base_documents)", {"document_id": DOC}),
    "passages": ("document_id IN (SELECT id FROM temp.base_documents)", {"document_id": DOC}),
    "minhash_bands": ("document_id IN (SELECT id FROM temp.base_documents)",
                      {"document_id": DOC}),
    "mentions": ("document_id IN (SELECT id FROM temp.base_documents)", {"document_id": DOC}),
    "roles": ("document_id IN (SELECT id FROM temp.base_documents)", {
        "id": None, "document_id": DOC, "as_of": "bench_shift(as_of, :shift)"}),
    "claims": ("document_id IN (SELECT id FROM temp.base_documents)", {"document_id": DOC}),
    "stories": ("id IN (SELECT id FROM temp.base_stories)", {
        "id": "bench_id(id, :r)", "first_date": "bench_shift(first_date, :shift)",
        "last_date": "bench_shift(last_date, :shift)", "version": "version + :voff"}),
    "events": ("id IN (SELECT id FROM temp.base_events)", {
        "id": "bench_id(id, :r)", "canonical": "bench_id(canonical, :r)",
        "story_id": "bench_id(story_id, :r)",
        "location_document": "bench_id(location_document, :r)",
        "date_value": PUBLISHED_DATE.format(col="date_value"),
        "date_start": PUBLISHED_DATE.format(col="date_start"),
        "date_end": PUBLISHED_DATE.format(col="date_end"),
        "own": "bench_shift_own(own, :shift)",
        "digest": "bench_copy_digest(digest, :shift, :r)"}),
    "event_mentions": ("document_id IN (SELECT id FROM temp.base_documents)", {
        "document_id": DOC, "event_id": "bench_id(event_id, :r)"}),
    "event_participants": ("document_id IN (SELECT id FROM temp.base_documents)", {
        "document_id": DOC, "event_id": "bench_id(event_id, :r)"}),
    "signatures": ("document_id IN (SELECT id FROM temp.base_documents)", {
        "document_id": DOC, "date": "bench_shift(date, :shift)"}),
    "story_documents": ("document_id IN (SELECT id FROM temp.base_documents)", {
        "document_id": DOC, "story_id": "bench_id(story_id, :r)"}),
    "story_keys": ("story_id IN (SELECT id FROM temp.base_stories)", {
        "story_id": "bench_id(story_id, :r)", "version": "version + :voff",
        "first_date": "bench_shift(first_date, :shift)",
        "last_date": "bench_shift(last_date, :shift)"}),
    "event_merges": ("event_id IN (SELECT id FROM temp.base_events)", {
        "event_id": "bench_id(event_id, :r)", "into_id": "bench_id(into_id, :r)"}),
    "inferred_dates": ("document_id IN (SELECT id FROM temp.base_documents)", {
        "document_id": DOC, "event_id": "bench_id(event_id, :r)",
        "from_document": "bench_id(from_document, :r)"}),
}
#: Tables shared by every copy (the same actors), grown by counts, or not per document.
NOT_COPIED = {"actors", "actor_aliases", "actor_keys", "term_stats", "ingest_runs",
              "rejections", "schema_migrations", "sqlite_sequence", "sqlite_stat1"}


class Replicator:
    """Copies the base block of a store (its documents and everything that hangs off
    them) under fresh ids and later dates; see the module docstring."""

    def __init__(self, store: Store) -> None:
        self.store = store
        conn = store.conn
        conn.create_function("bench_id", 2, _copy_id, deterministic=True)
        conn.create_function("bench_hash", 2, _copy_hash, deterministic=True)
        conn.create_function("bench_shift", 2, _shift, deterministic=True)
        conn.create_function("bench_shift_own", 2, _shift_own, deterministic=True)
        conn.create_function("bench_copy_digest", 3, _copy_digest, deterministic=True)
        tables = {r[0] for r in conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE "
            "'documents_fts%'")}
        unknown = tables - set(COPIED) - NOT_COPIED
        if unknown:  # a newer schema: say so rather than fill an inconsistent store
            sys.exit(f"story_scaling.py does not know how to copy tables {sorted(unknown)}")
        self.columns = {t: [r[1] for r in conn.execute(f"PRAGMA table_info({t})")]
                        for t in COPIED if t in tables}
        store.begin()
        conn.execute("CREATE TEMP TABLE base_documents AS SELECT rowid AS doc_rowid, id "
                     "FROM documents")
        conn.execute("CREATE TEMP TABLE base_events AS SELECT DISTINCT event_id AS id FROM "
                     "event_mentions WHERE document_id IN (SELECT id FROM base_documents)")
        conn.execute("CREATE TEMP TABLE base_stories AS SELECT DISTINCT story_id AS id FROM "
                     "story_documents WHERE document_id IN (SELECT id FROM base_documents)")
        conn.execute("CREATE TEMP TABLE base_terms AS SELECT term, df FROM term_stats")
        conn.execute("CREATE TEMP TABLE base_aliases AS SELECT actor_id, alias, count FROM "
                     "actor_aliases")
        for index in ("base_documents(id)", "base_events(id)", "base_stories(id)",
                      "base_terms(term)"):
            name = index.split("(")[0]
            conn.execute(f"CREATE INDEX temp.{name}_key ON {index}")
        store.commit()
        self.documents = int(conn.execute("SELECT count(*) FROM base_documents").fetchone()[0])
        first, last = conn.execute("SELECT min(published), max(published) FROM documents "
                                   "WHERE id IN (SELECT id FROM base_documents)").fetchone()
        self.span_days = (dt.date.fromisoformat(last) - dt.date.fromisoformat(first)).days + 1
        self.replicas = 0
        self.seconds = 0.0

    def replicate(self, copies: int) -> None:
        conn = self.store.conn
        started = time.perf_counter()
        # Copying writes millions of index entries at random places: a large page cache
        # for the copy only (the probes run with the store's own settings), and foreign
        # keys checked once at the end (`check_store`) rather than row by row.
        cache_size = conn.execute("PRAGMA cache_size").fetchone()[0]
        conn.execute("PRAGMA cache_size = -1000000")
        conn.execute("PRAGMA foreign_keys = OFF")
        for _ in range(copies):
            self.replicas += 1
            r = self.replicas
            voff = int(conn.execute("SELECT max(version) FROM stories").fetchone()[0] or 0)
            params = {"r": r, "shift": r * self.span_days, "voff": voff}
            self.store.begin()
            for table, (where, mapped) in COPIED.items():
                if table not in self.columns:
                    continue
                cols = [c for c in self.columns[table] if mapped.get(c, c) is not None]
                values = [mapped.get(c) or c for c in cols]
                order = " ORDER BY rowid" if table == "documents" else ""
                conn.execute(f"INSERT INTO {table} ({', '.join(cols)}) SELECT "
                             f"{', '.join(values)} FROM {table} WHERE {where}{order}", params)
            self.store.commit()
            print(f"  copy {r}: {self.count()} documents", file=sys.stderr)
        # Term document frequencies and alias counts grow as the pipeline would grow them.
        self.store.begin()
        conn.execute("UPDATE term_stats SET df = df + ? * (SELECT b.df FROM temp.base_terms b "
                     "WHERE b.term = term_stats.term) WHERE term IN (SELECT term FROM "
                     "temp.base_terms)", (copies,))
        conn.execute("UPDATE actor_aliases SET count = count + ? * (SELECT b.count FROM "
                     "temp.base_aliases b WHERE b.actor_id = actor_aliases.actor_id AND "
                     "b.alias = actor_aliases.alias) WHERE EXISTS (SELECT 1 FROM "
                     "temp.base_aliases b WHERE b.actor_id = actor_aliases.actor_id AND "
                     "b.alias = actor_aliases.alias)", (copies,))
        self.store.commit()
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        conn.execute("PRAGMA foreign_keys = ON")
        conn.execute(f"PRAGMA cache_size = {int(cache_size)}")
        self.seconds += time.perf_counter() - started

    def count(self) -> int:
        return self.store.count_documents()


def check_store(store: Store) -> dict[str, Any]:
    """SQLite's own checks and the consistency counts the copies must keep."""
    conn = store.conn
    started = time.perf_counter()

    def one(sql: str) -> Any:
        return conn.execute(sql).fetchone()[0]

    fk = conn.execute("PRAGMA foreign_key_check").fetchall()
    out = {
        "integrity_check": one("PRAGMA integrity_check"),
        "foreign_key_violations": len(fk),
        "documents": one("SELECT count(*) FROM documents"),
        "signatures": one("SELECT count(*) FROM signatures"),
        "story_documents": one("SELECT count(*) FROM story_documents"),
        "sum_story_sizes": one("SELECT sum(size) FROM stories"),
        "term_stats_documents": one("SELECT df FROM term_stats WHERE term = ''"),
        "events_with_missing_canonical": one(
            "SELECT count(*) FROM events e WHERE NOT EXISTS (SELECT 1 FROM events c WHERE "
            "c.id = e.canonical)"),
        "story_keys_with_other_dates": one(
            "SELECT count(*) FROM story_keys k JOIN stories s ON s.id = k.story_id WHERE "
            "k.first_date IS NOT s.first_date OR k.last_date IS NOT s.last_date"),
        "events_with_missing_story": one(
            "SELECT count(*) FROM events e WHERE story_id IS NOT NULL AND NOT EXISTS "
            "(SELECT 1 FROM stories s WHERE s.id = e.story_id)"),
    }
    try:  # the full-text index holds exactly the documents' texts
        conn.execute("INSERT INTO documents_fts(documents_fts) VALUES ('integrity-check')")
        out["fts_integrity"] = "ok"
    except sqlite3.DatabaseError as exc:
        out["fts_integrity"] = str(exc)
    n = out["documents"]
    out["consistent"] = bool(
        out["integrity_check"] == "ok" and not fk and out["signatures"] == n
        and out["story_documents"] == n and out["sum_story_sizes"] == n
        and out["term_stats_documents"] == n and out["fts_integrity"] == "ok"
        and out["events_with_missing_canonical"] == 0
        and out["events_with_missing_story"] == 0
        and out["story_keys_with_other_dates"] == 0)
    out["seconds"] = round(time.perf_counter() - started, 1)
    return out


# --- probes -------------------------------------------------------------------------------


def probe(bench: Bench, probes: int, probe_days: int) -> dict[str, Any]:
    """Add `probes` copies through the full real path, timing each."""
    times: dict[str, list[float]] = {k: [] for k in ("add", "add_cpu", "resolve", "story",
                                                     "cluster", "merge", "other")}
    calls: dict[str, dict[str, list[float]]] = {
        name: {"ms": [], "calls": [], "rows": []} for name in bench.tallies}
    commit_s = 0.0
    joined_sizes: list[int] = []
    new_stories = 0
    end = bench.last_date()
    bench.store.begin()
    for j in range(probes):
        published = end - dt.timedelta(days=j % probe_days)
        bench.resolve.last = bench.relate.last = bench.cluster.last = bench.merge.last = 0.0
        for tally in bench.tallies.values():
            tally.reset()
        start, cpu = time.perf_counter(), time.process_time()
        bench.add(published)
        elapsed = time.perf_counter() - start
        times["add"].append(elapsed)
        times["add_cpu"].append(time.process_time() - cpu)  # less sensitive to other load
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
            row = bench.store.conn.execute("SELECT size FROM stories WHERE id = ?",
                                           (assignment.story,)).fetchone()
            joined_sizes.append(int(row[0]) if row else 0)
        commit_s += bench.maybe_commit()
    start = time.perf_counter()
    bench.store.commit()
    commit_s += time.perf_counter() - start
    bench.pending = 0
    return {
        "dated": [(end - dt.timedelta(days=probe_days - 1)).isoformat(), end.isoformat()],
        "ms": {name: stats(values) for name, values in times.items()},
        "commit_ms_per_document": round(1000 * commit_s / probes, 3),
        "lookups_per_document": {  # mean per probe: time (ms), calls, rows returned
            name: {k: round(float(np.mean(v)), 2) for k, v in c.items()}
            for name, c in calls.items()},
        "probes_starting_a_story": new_stories,
        "joined_story_size": {"mean": round(float(np.mean(joined_sizes)), 1),
                              "max": int(max(joined_sizes))} if joined_sizes else None,
    }


def profile(bench: Bench, probes: int, probe_days: int) -> str:
    """Profile `probes` more probes with pyinstrument; the report as text."""
    from pyinstrument import Profiler

    profiler = Profiler(interval=0.0005)
    end = bench.last_date()
    bench.store.begin()
    profiler.start()
    for j in range(probes):
        bench.add(end - dt.timedelta(days=j % probe_days))
        bench.maybe_commit()
    profiler.stop()
    bench.store.commit()
    bench.pending = 0
    text: str = profiler.output_text(unicode=False, color=False, show_all=False)
    return text


def snapshot(bench: Bench) -> dict[str, Any]:
    conn = bench.store.conn

    def one(sql: str) -> Any:
        return conn.execute(sql).fetchone()[0]

    return {"documents": bench.count(), "stories": one("SELECT count(*) FROM stories"),
            "largest_story": one("SELECT max(size) FROM stories"),
            "events": one("SELECT count(*) FROM events"),
            "canonical_events": one("SELECT count(*) FROM events WHERE canonical = id"),
            "mentions": one("SELECT count(*) FROM mentions"),
            "roles": one("SELECT count(*) FROM roles"),
            "actors": one("SELECT count(*) FROM actors"),
            "terms": one("SELECT count(*) FROM term_stats"),
            "first_date": one("SELECT min(published) FROM documents"),
            "last_date": one("SELECT max(published) FROM documents"),
            "db_mb": round(bench.db_bytes() / 2**20, 1)}


# --- output -----------------------------------------------------------------------------


def table(rows: list[dict[str, Any]]) -> str:
    lines = [
        "| documents in store | stories | DB MB | store.add mean / p50 / p95 ms "
        "| its CPU time mean / p50 ms "
        "| story stage mean / p50 / p95 ms | cluster mean | merge mean "
        "| resolve mean / p50 / p95 ms | commit/doc |",
        "|---:|---:|---:|---|---|---|---:|---:|---|---:|",
    ]
    for r in rows:
        ms = r["ms"]
        add, story, resolve = ms["add"], ms["story"], ms["resolve"]
        cpu = ms.get("add_cpu", {"mean": math.nan, "median": math.nan})
        lines.append(
            f"| {r['before']['documents']:,} | {r['before']['stories']:,} "
            f"| {r['before']['db_mb']:,.0f} "
            f"| {add['mean']:.1f} / {add['median']:.1f} / {add['p95']:.1f} "
            f"| {cpu['mean']:.1f} / {cpu['median']:.1f} "
            f"| {story['mean']:.1f} / {story['median']:.1f} / {story['p95']:.1f} "
            f"| {ms['cluster']['mean']:.1f} | {ms['merge']['mean']:.1f} "
            f"| {resolve['mean']:.1f} / {resolve['median']:.1f} / {resolve['p95']:.1f} "
            f"| {r['commit_ms_per_document']:.1f} |")
    return "\n".join(lines)


def lookup_table(rows: list[dict[str, Any]]) -> str:
    """Mean per probe document of each tallied look-up: ms (calls, rows returned)."""
    names = [n for n in (rows[0]["lookups_per_document"] if rows else {})  # those used
             if any(r["lookups_per_document"][n]["calls"] for r in rows)]
    lines = ["| documents in store | largest story | joined story size (mean) | "
             + " | ".join(names) + " |",
             "|---:|---:|---:|" + "---|" * len(names)]
    for r in rows:
        joined = r["joined_story_size"]["mean"] if r["joined_story_size"] else 0
        cells = [f"{c['ms']:.2f} ms ({c['calls']:.1f}, {c['rows']:.0f})"
                 for n, c in r["lookups_per_document"].items() if n in names]
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
                  rows: list[dict[str, Any]], checks: dict[str, Any] | None,
                  started: float, complete: bool) -> None:
    rep = bench.replicator
    out = {
        "benchmark": "story-scaling",
        "what": "milliseconds to add one document to a store already holding N documents "
                "(full path: store.add(doc, Resolver.resolve, StoryBuilder))",
        "args": {k: v for k, v in vars(args).items() if k != "db"},
        "pool": pool_info,
        "fill": {
            "real_path_documents": bench.added,
            "base_block_documents": rep.documents if rep else None,
            "base_block_days": rep.span_days if rep else None,
            "copies_of_base_block": rep.replicas if rep else 0,
            "copy_seconds": round(rep.seconds, 1) if rep else 0.0,
            "method": "the first --base documents through the real path; larger sizes by "
                      "copying the base block's rows in SQL with fresh ids and dates "
                      "shifted by the block's span (see the script's docstring)"},
        "checks_after_last_copy": checks,
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
    parser.add_argument("--probe-days", type=int, default=7,
                        help="probes are dated within the last this many days of the store")
    parser.add_argument("--base", type=int, default=5000,
                        help="documents stored through the real path before copying")
    parser.add_argument("--seed-docs", type=int, default=600,
                        help="real articles parsed into the pool of inputs")
    parser.add_argument("--source", choices=("polnear", "ecbplus"), default="polnear")
    parser.add_argument("--polnear", default="../shared/corpora/polnear")
    parser.add_argument("--ecbplus", default="../shared/corpora/ecbplus/ecbplus.tgz")
    parser.add_argument("--per-day", type=int, default=30,
                        help="documents per publication day in the real fill")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--pool-cache", help="keep the parsed pool in this pickle file")
    parser.add_argument("--profile", action="store_true",
                        help="profile more probes at the largest size (pyinstrument)")
    parser.add_argument("--profile-probes", type=int, default=100)
    parser.add_argument("--cache-mb", type=int,
                        help="SQLite page cache of the store's connection (default: the "
                             "store's own setting, SQLite's 2 MB)")
    parser.add_argument("--mmap-mb", type=int,
                        help="SQLite memory map size of the store's connection (default: "
                             "the store's own setting)")
    parser.add_argument("--no-check", action="store_true",
                        help="skip the integrity and consistency checks after copying")
    parser.add_argument("--db", help="store path (default: a temp file, deleted)")
    parser.add_argument("--out", default="benchmarks/results/story-scaling.json")
    args = parser.parse_args()
    sizes = sorted(int(s) for s in args.sizes.split(","))
    # `kill` ends the run like Ctrl-C: the temp store is deleted, partial results stay.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))

    started = time.perf_counter()
    pool, pool_info = build_pool(args)
    rows: list[dict[str, Any]] = []
    checks: dict[str, Any] | None = None
    with tempfile.TemporaryDirectory(dir=Path(args.db).parent if args.db else None) as tmp:
        path = Path(args.db) if args.db else Path(tmp) / "story-scaling.db"
        bench = Bench(path, pool, args.seed, args.per_day, args.cache_mb, args.mmap_mb)
        for size in sizes:
            fill_started = time.perf_counter()
            fill_real(bench, min(size, args.base))
            if size > bench.count():
                if bench.replicator is None:
                    fill_real(bench, args.base)
                    bench.replicator = Replicator(bench.store)
                rep = bench.replicator
                rep.replicate(math.ceil((size - bench.count()) / rep.documents))
                if size == sizes[-1] and not args.no_check:
                    checks = check_store(bench.store)
                    print(f"  checks: {checks}", file=sys.stderr)
            fill_seconds = time.perf_counter() - fill_started
            before = snapshot(bench)
            print(f"size {before['documents']}: filled in {fill_seconds:.0f} s; probing",
                  file=sys.stderr)
            result = probe(bench, args.probes, args.probe_days)
            row = {"size": size, "before": before, **result,
                   "fill_seconds": round(fill_seconds, 1)}
            rows.append(row)
            print(table([row]).splitlines()[-1], file=sys.stderr)
            write_results(args, pool_info, bench, rows, checks, started, complete=False)
        if args.profile:
            text = profile(bench, args.profile_probes, args.probe_days)
            out = Path(args.out).with_suffix(".profile.txt")
            out.write_text(f"pyinstrument, {args.profile_probes} probes after the timed ones "
                           f"at {bench.count():,} documents\n\n{text}", encoding="utf-8")
            print(f"wrote {out}", file=sys.stderr)
        bench.store.close()

    write_results(args, pool_info, bench, rows, checks, started, complete=True)
    print(table(rows))
    print()
    print("Look-ups per probe document, mean: time (calls, rows returned)")
    print()
    print(lookup_table(rows))
    print(f"wrote {args.out}", file=sys.stderr)


if __name__ == "__main__":
    main()
