"""Story clustering measured on ECB+: do Storyline's stories find the seminal events?

Each ECB+ topic holds the reports of two different real events of the same kind (its
`ecb` and `ecbplus` halves), so a topic's documents are hard negatives for each other.
The documents of a split are ingested into a fresh store in a shuffled order (the
incremental clusterer sees them one by one, without topic labels), and the stories it
forms are scored against the events with pairwise and B-cubed precision, recall and F1.

The baseline is TF-IDF cosine similarity with average-link clustering whose threshold is
tuned on the very documents it is scored on (an oracle: no real system can tune on the
answers); `tfidf_baseline` reports its best threshold and score.
"""

from __future__ import annotations

import copy
import math
import random
import re
import statistics
import time
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from storyline.actors.resolve import Resolver
from storyline.evaluate.coref import Score, bcubed, pairwise
from storyline.evaluate.ecbplus import SPLITS, EcbDocument, load
from storyline.evaluate.system import as_document
from storyline.ingest.identity import identify
from storyline.model import Document
from storyline.nlp import Recognizer
from storyline.pipeline import nlp_stages
from storyline.store import Store
from storyline.stories import StoryBuilder
from storyline.stories.cluster import FEATURES, StoryClusterer
from storyline.stories.split import average_link as shared_average_link


@dataclass
class ClusteringReport:
    """Pairwise and B-cubed scores of Storyline's stories and of the oracle baseline."""

    split: str
    documents: int
    events: int
    stories: int
    pairwise: Score
    bcubed: Score
    baseline_threshold: float
    baseline_clusters: int
    baseline_pairwise: Score
    baseline_bcubed: Score
    extra: dict[str, Any] = field(default_factory=dict)
    predicted: dict[str, str] = field(default_factory=dict)  # document name -> story

    def to_json(self) -> dict[str, Any]:
        def s(x: Score) -> dict[str, float]:
            return {"precision": round(x.precision, 4), "recall": round(x.recall, 4),
                    "f1": round(x.f1, 4)}
        return {"split": self.split, "documents": self.documents, "events": self.events,
                "storyline": {"stories": self.stories, "pairwise": s(self.pairwise),
                              "bcubed": s(self.bcubed)},
                "tfidf_oracle": {"threshold": self.baseline_threshold,
                                 "clusters": self.baseline_clusters,
                                 "pairwise": s(self.baseline_pairwise),
                                 "bcubed": s(self.baseline_bcubed)},
                **self.extra}

    def format(self) -> str:
        def row(name: str, n: int, p: Score, b: Score) -> str:
            return (f"| {name} | {n} | {100 * p.precision:.1f} | {100 * p.recall:.1f} | "
                    f"{100 * p.f1:.1f} | {100 * b.precision:.1f} | {100 * b.recall:.1f} | "
                    f"{100 * b.f1:.1f} |")
        return "\n".join([
            f"ECB+ {self.split} topics: {self.documents} documents, {self.events} events",
            "",
            "| system | clusters | pairwise P | R | F1 | B3 P | R | F1 |",
            "|---|---|---|---|---|---|---|---|",
            row(f"Storyline stories (incremental, order {self.extra.get('seed', 0)})",
                self.stories,
                self.pairwise, self.bcubed),
            row(f"TF-IDF average link, oracle threshold {self.baseline_threshold:.2f}",
                self.baseline_clusters, self.baseline_pairwise, self.baseline_bcubed),
            *self._orders_line(),
        ])

    def _orders_line(self) -> list[str]:
        orders = self.extra.get("orders")
        if not orders:
            return []
        runs = orders["runs"]
        b3 = [100 * r["bcubed_f1"] for r in runs]
        pw = [100 * r["pairwise_f1"] for r in runs]
        return ["", f"Storyline over {len(runs)} shuffled orders (seeds {runs[0]['seed']}-"
                f"{runs[-1]['seed']}): B3 F1 mean {statistics.mean(b3):.1f} (min "
                f"{min(b3):.1f}, max {max(b3):.1f}), pairwise F1 mean {statistics.mean(pw):.1f} "
                f"(min {min(pw):.1f}, max {max(pw):.1f}), {orders['mean_stories']:.1f} "
                "stories on average."]


def event_of(doc: EcbDocument) -> str:
    """The seminal event of an ECB+ document: its topic and half."""
    return f"{doc.topic}{doc.subtopic}"


def analyse_documents(docs: Sequence[EcbDocument], recognizer: Recognizer | None = None
                      ) -> list[tuple[str, Document]]:
    """(ECB+ document name, Document after the per-document stages), in corpus order.
    ECB+ texts are already clean (see `as_document`): the cleaning stages are skipped."""
    stages = nlp_stages(recognizer)
    out = []
    for ecb in docs:
        doc = identify(as_document(ecb, article_only=True))
        for st in stages:
            doc = st.func(doc)
        doc.analyses = []
        out.append((ecb.name, doc))
    return out


def store_documents(analysed: Sequence[tuple[str, Document]], store: Store, *,
                    seed: int = 0, batch: bool = True, runs: int = 1) -> dict[str, str]:
    """Store copies of analysed documents in the order `seed` shuffles them to, through
    actor resolution and the story stage; returns Storyline document id -> ECB+ name.
    As `storyline ingest` does, the documents are placed in stories at the end (`batch`:
    dated ones by date, then the rest in the shuffled order); with `batch=False` each is
    placed as it is stored (placement alone: no second look, split or join). With `runs`,
    the shuffled documents come in that many ingest runs of about equal size, one after
    the other (each placed at its own end, against the stories of the runs before)."""
    order = list(analysed)
    random.Random(seed).shuffle(order)
    names: dict[str, str] = {}
    size = -(-len(order) // max(1, runs))
    for start in range(0, len(order), size):
        resolver = Resolver(store.actors)
        builder = StoryBuilder(store, defer=batch)
        with store.transaction():
            for name, analysed_doc in order[start:start + size]:
                doc = copy.deepcopy(analysed_doc)  # the store fills in ids and links
                store.add(doc, resolver.resolve, builder)
                names[doc.id] = name
                if builder.window_full():
                    builder.place_waiting()
            builder.place_waiting()
            resolver.finish()
            builder.finish()
    return names


def ingest_documents(docs: Sequence[EcbDocument], store: Store, *, seed: int = 0,
                     recognizer: Recognizer | None = None) -> dict[str, str]:
    """Run the per-document stages and the story stage over `docs` in a shuffled order;
    returns Storyline document id -> ECB+ document name."""
    return store_documents(analyse_documents(docs, recognizer), store, seed=seed)


def stories_of(store: Store, names: dict[str, str]) -> dict[str, str]:
    """ECB+ document name -> story id."""
    return {names[d]: s for d, s in store.stories.assignments() if d in names}


def _tokens(text: str) -> list[str]:
    return [t for t in re.findall(r"[a-z0-9]+", text.lower()) if len(t) > 1]


def tfidf_matrix(texts: Sequence[str]) -> np.ndarray:
    """Unit-length TF-IDF rows (log tf, smooth idf) over lower-cased word tokens."""
    counts = [Counter(_tokens(t)) for t in texts]
    vocab = {w: i for i, w in enumerate(sorted({w for c in counts for w in c}))}
    df = np.zeros(len(vocab))
    for c in counts:
        for w in c:
            df[vocab[w]] += 1
    idf = np.log((len(texts) + 1) / (df + 1)) + 1
    m = np.zeros((len(texts), len(vocab)))
    for i, c in enumerate(counts):
        for w, n in c.items():
            m[i, vocab[w]] = (1 + math.log(n)) * idf[vocab[w]]
    m /= np.maximum(np.linalg.norm(m, axis=1, keepdims=True), 1e-12)
    return m


def average_link(similarity: np.ndarray, threshold: float) -> list[int]:
    """Agglomerative clustering with average linkage, merging while the best pair of
    clusters is more than `threshold` similar; returns a cluster label per item."""
    label = [0] * len(similarity)
    for number, members in enumerate(shared_average_link(similarity, threshold)):
        for i in members:
            label[i] = number
    return label


def oracle_average_link(texts: Mapping[str, str], gold: Mapping[str, str],
                        thresholds: Iterable[float]) -> tuple[float, dict[str, int]]:
    """TF-IDF cosine with average link at the threshold (of `thresholds`) whose clusters
    have the best B-cubed F1 against `gold` itself, an oracle; `texts` maps each item to
    its text. Returns (threshold, item -> cluster)."""
    names = list(texts)
    matrix = tfidf_matrix([texts[n] for n in names])
    sim = matrix @ matrix.T
    best: tuple[float, float, dict[str, int]] | None = None
    for t in thresholds:
        labels = average_link(sim, t)
        pred = {name: labels[i] for i, name in enumerate(names)}
        f1 = bcubed(gold, pred).f1
        if best is None or f1 > best[0]:
            best = (f1, t, pred)
    if best is None:
        raise ValueError("no threshold to try")
    return best[1], best[2]


def tfidf_baseline(docs: Sequence[EcbDocument],
                   thresholds: Iterable[float] | None = None) -> tuple[float, dict[str, int]]:
    """The oracle baseline: the average-link threshold with the best B-cubed F1 on the
    scored documents themselves; returns (threshold, document name -> cluster)."""
    # What Storyline reads: the article without the URL line.
    return oracle_average_link({d.name: d.article_text for d in docs},
                               {d.name: event_of(d) for d in docs},
                               thresholds or [x / 100 for x in range(2, 60, 2)])


def run(corpus: str | Path, split: str, *, seed: int = 0, orders: int = 1,
        store_path: str | Path = ":memory:", runs: int = 1) -> ClusteringReport:
    """Ingest an ECB+ split into a fresh store and score its stories and the baseline.

    The report is that of the order `seed` shuffles the documents to. With `orders` > 1
    the same documents (parsed once) are also stored in orders `seed + 1` ... `seed +
    orders - 1`, each into a fresh in-memory store, and `extra["orders"]` gives every
    order's scores with their mean: an incremental clusterer's result depends on the
    order documents arrive in. With `runs`, each order comes in that many ingest runs,
    one after the other."""
    if split not in SPLITS:
        raise ValueError(f"unknown split {split!r}; splits: {', '.join(sorted(SPLITS))}")
    docs = list(load(corpus, SPLITS[split]))
    gold = {d.name: event_of(d) for d in docs}
    started = time.perf_counter()
    analysed = analyse_documents(docs)
    with Store(store_path) as store:
        pred = stories_of(store, store_documents(analysed, store, seed=seed, runs=runs))
    seconds = time.perf_counter() - started
    extra: dict[str, Any] = {"seed": seed, "seconds": round(seconds, 1), "runs": runs}
    if orders > 1:
        extra["orders"] = _orders(analysed, gold, pred, range(seed, seed + orders), runs)
    threshold, base = tfidf_baseline(docs)
    return ClusteringReport(
        split, len(docs), len(set(gold.values())), len(set(pred.values())),
        pairwise(gold, pred), bcubed(gold, pred), threshold, len(set(base.values())),
        pairwise(gold, base), bcubed(gold, base), extra=extra, predicted=pred)


def _orders(analysed: Sequence[tuple[str, Document]], gold: dict[str, str],
            first: dict[str, str], seeds: range, runs: int = 1) -> dict[str, Any]:
    """Scores of the stories formed in each order of `seeds` (`first`: the first's)."""
    rows = []
    for seed in seeds:
        if seed == seeds[0]:
            pred = first
        else:
            with Store(":memory:") as store:
                pred = stories_of(store, store_documents(analysed, store, seed=seed,
                                                         runs=runs))
        b, p = bcubed(gold, pred), pairwise(gold, pred)
        rows.append({"seed": seed, "stories": len(set(pred.values())),
                     "bcubed_f1": round(b.f1, 6), "pairwise_f1": round(p.f1, 6)})
    return {"runs": rows, **{f"mean_{k}": round(statistics.mean(r[k] for r in rows), 4)
                             for k in ("bcubed_f1", "pairwise_f1", "stories")}}


@dataclass
class ScoreFit:
    """Coefficients of the story score fitted on placements into the true stories."""

    bias: float
    weights: dict[str, float]
    instances: int
    positives: int

    def to_yaml(self) -> str:
        lines = ["  score:", f"    bias: {self.bias:.3f}"]
        lines += [f"    {k}: {self.weights[k]:.3f}" for k in FEATURES]
        return "\n".join(lines)


class _TruePlacer:
    """The story stage of a perfect clusterer: places each document in the story of its
    true event, and records its features against every candidate story on the way."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self.clusterer = StoryClusterer(store.stories)
        self.story_of_event: dict[str, str] = {}
        self.event_of_story: dict[str, str] = {}
        self.rows: list[list[float]] = []
        self.labels: list[float] = []
        self.event = ""  # the true event of the document being stored

    def __call__(self, doc: Document) -> None:
        table, rules = self.store.stories, self.clusterer.rules
        date = doc.published.isoformat() if doc.published else None
        table.save_signature(doc.id, doc.terms, date)
        placement = self.clusterer.score(doc.id, doc.terms,
                                         table.entity_counts(doc.id, rules.entity_kinds), date)
        for s in placement.scored:
            self.rows.append([s.features[k] for k in FEATURES])
            self.labels.append(float(self.event_of_story[s.story.id] == self.event))
        own_id = self.story_of_event.get(self.event)
        own = next((s.story for s in placement.scored if s.story.id == own_id), None)
        if own is None and own_id is not None:  # not among the candidates blocking found
            own = table.state(own_id)
        if own is None:
            started = self.clusterer.start(doc.id, placement, date)
            self.story_of_event[self.event] = started.story
            self.event_of_story[started.story] = self.event
        else:
            self.clusterer.join(doc.id, placement, own, date, None, {})


def score_instances(analysed: Sequence[tuple[str, Document]], gold: dict[str, str],
                    seeds: Iterable[int]) -> tuple[np.ndarray, np.ndarray]:
    """Features of each document against each candidate story, with whether that story
    is the document's own, when documents arrive in each order of `seeds` and every one
    is placed in its true story (the stories are those a perfect clusterer would have
    built so far). Candidates come through the real blocking and date window."""
    rows: list[list[float]] = []
    labels: list[float] = []
    for seed in seeds:
        order = list(analysed)
        random.Random(seed).shuffle(order)
        with Store(":memory:") as store:
            resolver = Resolver(store.actors)
            placer = _TruePlacer(store)
            with store.transaction():
                for name, analysed_doc in order:
                    placer.event = gold[name]
                    store.add(copy.deepcopy(analysed_doc), resolver.resolve, placer)
                resolver.finish()
            rows += placer.rows
            labels += placer.labels
    return np.array(rows), np.array(labels)


def fit_logistic(x: np.ndarray, y: np.ndarray, *, l2: float = 1e-3,
                 steps: int = 3000, rate: float = 0.5) -> tuple[float, np.ndarray]:
    """Logistic regression by gradient descent on standardized features (L2 penalty);
    returns (bias, weights) on the original scale."""
    mu, sd = x.mean(axis=0), x.std(axis=0)
    sd[sd == 0] = 1.0
    z = (x - mu) / sd
    w, b = np.zeros(z.shape[1]), 0.0
    for _ in range(steps):
        p = 1.0 / (1.0 + np.exp(-(z @ w + b)))
        w -= rate * (z.T @ (p - y) / len(y) + l2 * w)
        b -= rate * float(np.mean(p - y))
    weights = w / sd
    return b - float(weights @ mu), weights


def fit_story_score(corpus: str | Path, splits: Sequence[str] = ("train", "dev"),
                    seeds: Iterable[int] = range(4)) -> ScoreFit:
    """Fit the story score on ECB+ splits (train and dev topics, by default)."""
    docs = [d for split in splits for d in load(corpus, SPLITS[split])]
    gold = {d.name: event_of(d) for d in docs}
    x, y = score_instances(analyse_documents(docs), gold, seeds)
    bias, weights = fit_logistic(x, y)
    return ScoreFit(bias, dict(zip(FEATURES, map(float, weights), strict=True)), len(y),
                    int(y.sum()))
