"""Story clustering measured on a labelled collection of one's own.

ECB+ (`storyline.evaluate.stories`) is one benchmark; an analyst who has labelled a
collection of articles from several outlets (which articles report the same story) can
measure Storyline on it the same way. A gold file is a TSV (`.tsv`, tab-separated) or
CSV file with a header and one row per article: a `file` column (or `document`,
`source`, `id`) naming the article, and a `story` column (or `label`, `cluster`) with
its story label. An article is named by its path relative to the gold file's folder or
to the collection folder, by its file name when that is unique, by its `id` field
(JSON and JSON Lines records) or by its Storyline document id.

`run` reads the collection once through the per-document stages, as `storyline ingest`
does, then stores the documents in shuffled orders, each into a fresh in-memory store,
and places them in stories as an ingest run does (at the end of the run, dated reports
by date, then undated ones in the order read), or with `one_at_a_time` as each arrives
(placement alone: no second look, split or join); with `runs`, in that many ingest runs
one after the other (one article per run is how the web API, which ingests each posted
body as a run of its own, places reports posted one by one); every order is scored
with pairwise and B-cubed precision, recall and F1 against the gold labels. The baseline
is TF-IDF cosine with average-link clustering over the same cleaned texts, its threshold
tuned on the gold labels themselves (an oracle no real system has).
"""

from __future__ import annotations

import csv
import statistics
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from storyline.errors import GoldFileError
from storyline.evaluate.coref import Score, bcubed, pairwise
from storyline.evaluate.stories import oracle_average_link, store_documents
from storyline.ingest.readers import discover, read
from storyline.model import Document, Rejection
from storyline.pipeline import Pipeline
from storyline.store import Store

__all__ = ["CollectionReport", "match_gold", "read_gold", "run"]

#: Accepted names of the two gold columns, in order of preference.
DOCUMENT_COLUMNS = ("file", "document", "source", "id")
STORY_COLUMNS = ("story", "label", "cluster")


def read_gold(path: str | Path) -> dict[str, str]:
    """Article name -> story label, from a TSV or CSV gold file (see the module doc)."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except OSError as exc:
        raise GoldFileError(f"cannot read: {exc.strerror or exc}", source=str(path)) from exc
    except UnicodeDecodeError as exc:
        raise GoldFileError("not UTF-8 text", source=str(path)) from exc
    delimiter = "\t" if path.suffix.lower() in (".tsv", ".tab") or "\t" in text[:1000] else ","
    rows = list(csv.reader(text.splitlines(), delimiter=delimiter))
    if not rows:
        raise GoldFileError("empty: a header and one row per article are needed",
                            source=str(path))
    header = [h.strip().lower() for h in rows[0]]
    doc_col = next((header.index(c) for c in DOCUMENT_COLUMNS if c in header), None)
    story_col = next((header.index(c) for c in STORY_COLUMNS if c in header), None)
    if doc_col is None or story_col is None:
        raise GoldFileError(
            f"the header must name an article column ({' | '.join(DOCUMENT_COLUMNS)}) and a "
            f"story column ({' | '.join(STORY_COLUMNS)}); it has: {', '.join(header)}",
            source=str(path), line=1)
    gold: dict[str, str] = {}
    for number, row in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in row):
            continue
        if len(row) <= max(doc_col, story_col):
            raise GoldFileError(f"{len(row)} columns, the header has {len(header)}",
                                source=str(path), line=number)
        name, story = row[doc_col].strip(), row[story_col].strip()
        if not name or not story:
            raise GoldFileError("an empty article name or story label", source=str(path),
                                line=number)
        if name in gold and gold[name] != story:
            raise GoldFileError(f"{name!r} is labelled twice ({gold[name]!r} and {story!r})",
                                source=str(path), line=number)
        gold[name] = story
    if not gold:
        raise GoldFileError("no labelled articles", source=str(path))
    return gold


def _names_of(doc: Document, roots: Sequence[Path], file: str | None = None) -> list[str]:
    """The names a gold file may give a document by: its id, its record's id, its source
    (a JSON record's url, else its file) and the file it was read from (`file`), each
    path also relative to each of `roots` and by its file name."""
    names = [doc.id]
    if doc.external_id:
        names.append(doc.external_id)
    for where in dict.fromkeys([doc.source] + ([file] if file else [])):
        source = Path(where)
        names.append(where)
        for root in roots:
            try:
                names.append(source.resolve().relative_to(root.resolve()).as_posix())
            except ValueError:
                continue
        names.append(source.name)
    return names


def match_gold(docs: Sequence[Document], gold: dict[str, str],
               roots: Sequence[Path] = (), files: Mapping[str, str] | None = None
               ) -> tuple[dict[str, str], list[str]]:
    """(document id -> gold label, gold names that match no document). `files` gives the
    file each document was read from (document id -> path), for records whose source is
    their url. A name that fits several documents (a file name found in two folders, a
    JSON Lines file) fits none: such an article must be named by a longer path or its id."""
    holders: dict[str, set[str]] = {}
    for doc in docs:
        for name in set(_names_of(doc, roots, (files or {}).get(doc.id))):
            holders.setdefault(name, set()).add(doc.id)
    labels: dict[str, str] = {}
    unmatched = []
    for name, story in gold.items():
        found = holders.get(name, set())
        if len(found) == 1:
            labels[next(iter(found))] = story
        else:
            unmatched.append(f"{name}: " + ("no such article in the collection" if not found
                                            else f"names {len(found)} articles"))
    return labels, unmatched


@dataclass
class CollectionReport:
    """Storyline's stories and the oracle baseline scored against the gold labels."""

    documents: int
    gold_stories: int
    orders: list[dict[str, Any]]  # per order: seed, stories, pairwise and B-cubed scores
    baseline_threshold: float
    baseline_clusters: int
    baseline_pairwise: Score
    baseline_bcubed: Score
    unmatched: list[str] = field(default_factory=list)
    rejected: list[str] = field(default_factory=list)
    seconds: float = 0.0
    one_at_a_time: bool = False
    runs: int = 1  # ingest runs the articles came in, one after the other

    def mean(self, key: str) -> float:
        return float(statistics.mean(o[key] for o in self.orders))

    def to_json(self) -> dict[str, Any]:
        def s(x: Score) -> dict[str, float]:
            return {"precision": round(x.precision, 4), "recall": round(x.recall, 4),
                    "f1": round(x.f1, 4)}
        return {"documents": self.documents, "gold_stories": self.gold_stories,
                "storyline": {"orders": self.orders,
                              "mean_bcubed_f1": round(self.mean("bcubed_f1"), 4),
                              "mean_pairwise_f1": round(self.mean("pairwise_f1"), 4)},
                "tfidf_oracle": {"threshold": self.baseline_threshold,
                                 "clusters": self.baseline_clusters,
                                 "pairwise": s(self.baseline_pairwise),
                                 "bcubed": s(self.baseline_bcubed)},
                "unmatched": self.unmatched, "rejected": self.rejected,
                "seconds": self.seconds, "one_at_a_time": self.one_at_a_time,
                "runs": self.runs}

    def format(self) -> str:
        def pct(x: float) -> str:
            return f"{100 * x:.1f}"
        mode = ("each placed as it arrives" if self.one_at_a_time else
                "placed at the end of the run, dated ones by date")
        if self.runs > 1:
            mode += f", in {self.runs} runs one after the other"
        lines = [f"{self.documents} documents, {self.gold_stories} gold stories, "
                 f"{len(self.orders)} arrival orders ({mode})", "",
                 "| system | clusters | pairwise P | R | F1 | B3 P | R | F1 |",
                 "|---|---|---|---|---|---|---|---|"]
        for o in self.orders:
            lines.append(f"| Storyline, order {o['seed']} | {o['stories']} | "
                         f"{pct(o['pairwise_precision'])} | {pct(o['pairwise_recall'])} | "
                         f"{pct(o['pairwise_f1'])} | {pct(o['bcubed_precision'])} | "
                         f"{pct(o['bcubed_recall'])} | {pct(o['bcubed_f1'])} |")
        p, b = self.baseline_pairwise, self.baseline_bcubed
        lines.append(f"| TF-IDF average link, oracle threshold {self.baseline_threshold:.2f} "
                     f"| {self.baseline_clusters} | {pct(p.precision)} | {pct(p.recall)} | "
                     f"{pct(p.f1)} | {pct(b.precision)} | {pct(b.recall)} | {pct(b.f1)} |")
        if len(self.orders) > 1:
            b3 = [o["bcubed_f1"] for o in self.orders]
            lines += ["", f"Storyline B3 F1 over {len(b3)} orders: mean {pct(statistics.mean(b3))}"
                      f" (min {pct(min(b3))}, max {pct(max(b3))})"]
        for title, items in (("Gold rows without an article", self.unmatched),
                             ("Rejected inputs", self.rejected)):
            if items:
                lines += ["", f"{title}:"] + [f"- {x}" for x in items]
        return "\n".join(lines)


@dataclass
class Analysed:
    """A collection read and analysed once."""

    documents: list[Document]
    rejected: list[str]  # inputs that were not read or analysed, with the reason
    files: dict[str, str]  # document id -> the file it was read from


def analyse(paths: Sequence[str], pipeline: Pipeline | None = None,
            skip: Sequence[str | Path] = ()) -> Analysed:
    """Read and analyse the collection once. Files in `skip` (the gold file, when it lies
    among the articles) are not read."""
    pipeline = pipeline or Pipeline()
    out = Analysed([], [], {})
    skipped = {Path(p).resolve() for p in skip}
    for path, _ in discover(paths):
        if skipped and Path(path).resolve() in skipped:
            continue
        for item in read([path]):
            if isinstance(item, Rejection):
                out.rejected.append(str(item))
                continue
            try:
                doc = pipeline(item)
            except Exception as exc:  # named and skipped, as ingest does
                out.rejected.append(f"{item.where}: {exc}")
                continue
            doc.analyses = []  # the parses are not stored; copies per order stay small
            out.documents.append(doc)
            out.files[doc.id] = path
    return out


def run(collection: str | Path, gold_file: str | Path, *, orders: int = 4, seed: int = 0,
        pipeline: Pipeline | None = None, one_at_a_time: bool = False, runs: int = 1
        ) -> CollectionReport:
    """Score Storyline's stories for a labelled collection (a folder or file of articles)
    in `orders` shuffled arrival orders (seeds `seed` ...), beside the oracle baseline;
    placed as an ingest run places them, or each as it arrives (`one_at_a_time`); with
    `runs`, each order comes in that many ingest runs, one after the other."""
    if runs < 1:
        raise ValueError(f"runs must be 1 or more, not {runs}")
    if orders < 1:
        raise ValueError(f"orders must be 1 or more, not {orders}")
    started = time.perf_counter()
    gold = read_gold(gold_file)
    found = analyse([str(collection)], pipeline, skip=[gold_file])
    docs, rejected = found.documents, found.rejected
    roots = [Path(gold_file).parent, Path(collection)]
    labels, unmatched = match_gold(docs, gold, roots, found.files)
    scored = [d for d in docs if d.id in labels]
    if not scored:
        raise GoldFileError("no gold row names an article of the collection",
                            source=str(gold_file))
    # Every article is stored (unlabelled ones can still draw others into their stories);
    # only the labelled ones are scored.
    analysed = [(d.id, d) for d in docs]
    rows = []
    for s in range(seed, seed + orders):
        with Store(":memory:") as store:
            ids = store_documents(analysed, store, seed=s, batch=not one_at_a_time,
                                  runs=runs)
            pred = {ids[d]: story for d, story in store.stories.assignments()
                    if ids.get(d) in labels}
        p, b = pairwise(labels, pred), bcubed(labels, pred)
        rows.append({"seed": s, "stories": len(set(pred.values())),
                     "pairwise_precision": round(p.precision, 6),
                     "pairwise_recall": round(p.recall, 6), "pairwise_f1": round(p.f1, 6),
                     "bcubed_precision": round(b.precision, 6),
                     "bcubed_recall": round(b.recall, 6), "bcubed_f1": round(b.f1, 6)})
    threshold, base = oracle_average_link({d.id: d.text for d in scored}, labels,
                                          [x / 100 for x in range(2, 80, 2)])
    return CollectionReport(
        len(scored), len(set(labels.values())), rows, threshold, len(set(base.values())),
        pairwise(labels, base), bcubed(labels, base), unmatched, rejected,
        round(time.perf_counter() - started, 1), one_at_a_time, runs)
