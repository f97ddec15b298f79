"""Cross-document event coreference on ECB+ with gold event mentions.

The task: the gold event mentions of a set of ECB+ documents (the markables whose
category starts with ACTION_ or NEG_ACTION_, in the annotated sentences) are to be
grouped into events; the gold event of a mention is `EcbMention.cluster`. Systems see the
mention spans and the document text only (not the category, not the gold entity
coreference). Scoring is MUC, B3, CEAF-e and CoNLL F1 (`storyline.evaluate.coref`) over
all gold mentions of the split, singletons included.

Document clusters. Mentions are only linked inside one document cluster, given as a
mapping from document name to any hashable label. `gold_subtopics` gives the usual
"gold topics" setting (topic + ecb/ecbplus sub-topic: two sub-topics of one topic
describe two similar events, such as two different earthquakes); `gold_topics` the
harder topic-level one; any other mapping (Storyline's own story clusters) may be
passed. A document the mapping does not name is a cluster of its own.

Two systems:

* `same_lemma`: mentions whose syntactic head has the same spaCy lemma (lowercased) are
  one event.
* `storyline_linker`: a pairwise link probability from a small logistic model over
  lexical and context features (`PAIR_FEATURES`; the weights `PAIR_WEIGHTS` were fitted on
  the ECB+ train topics with `fit_pair_weights`), then average-link agglomerative
  clustering inside each document cluster, merging while the mean link probability
  between two clusters is above `LINK_THRESHOLD` (chosen on the train and dev topics).
  Lexical features: same lemma; same stem after stripping inflection and derivation
  suffixes (`SUFFIX_RULES`: "attacked"/"attack", "killing"/"kill", "explosion"/
  "explode"); same group in a small lexicon of news-event synonyms (`SYNONYM_SETS`:
  "quake"/"earthquake", "murder"/"kill") or related groups (`RELATED_SETS`: "die"/
  "kill"); same event type in Storyline's ontology (`storyline.events.ontology`).
  Context features: shared content words near the head in the dependency tree, shared
  or conflicting person names (spaCy PERSON entities) and time words (weekdays, months,
  numbers of spaCy DATE/TIME entities) in the sentence, word overlap of the two
  sentences, both mentions being reporting words, both in one sentence.

Text processing: each document's text is parsed once by Storyline's spaCy pipeline
(`storyline.nlp.model.load`); gold tokens are mapped to spaCy tokens by character
offset. The head of a mention is its token whose syntactic head lies outside the mention,
preferring content words (so "on the run" has the head "run").

`run(split)` reads the corpus (by default `../shared/corpora/ecbplus/ecbplus.tgz` next to
the repository), runs both systems and returns an `EventCorefReport`; `format_report`
renders it as a Markdown table. `benchmarks/ecbplus_event_coref.py` is the command line.
"""

from __future__ import annotations

import bisect
import json
import time
from collections import defaultdict
from collections.abc import Callable, Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any, NamedTuple

import numpy as np
import numpy.typing as npt

from storyline.evaluate.coref import ConllScore, conll
from storyline.evaluate.ecbplus import SPLITS, EcbDocument, load
from storyline.stories.split import average_link

__all__ = [
    "DEFAULT_CORPUS",
    "LINK_THRESHOLD",
    "PAIR_FEATURES",
    "PAIR_WEIGHTS",
    "EventCorefReport",
    "EventMention",
    "Token",
    "average_link",
    "event_mentions",
    "fit_pair_weights",
    "format_report",
    "gold_clusters",
    "gold_subtopics",
    "gold_topics",
    "is_event_category",
    "pair_features",
    "parse",
    "run",
    "same_lemma",
    "score",
    "stem",
    "storyline_linker",
    "tokens_of",
]

#: The ECB+ archive in the shared corpora folder next to the repository.
DEFAULT_CORPUS = (Path(__file__).resolve().parents[3].parent / "shared" / "corpora"
                  / "ecbplus" / "ecbplus.tgz")

# ---------------------------------------------------------------------------
# Heuristics, as data
# ---------------------------------------------------------------------------

#: Gold categories of event mentions (ACTION_OCCURRENCE, NEG_ACTION_REPORTING, ...).
EVENT_CATEGORY_PREFIXES = ("ACTION_", "NEG_ACTION_")

#: Parts of speech that can head an event mention or count as a context word.
CONTENT_POS = frozenset({"VERB", "NOUN", "PROPN", "ADJ", "NUM", "ADV"})
#: Parts of speech whose head never matches another mention lexically ("it", "that").
NO_LEXICAL_MATCH_POS = frozenset({"PRON", "DET", "PUNCT", "SPACE"})

#: (suffix, replacement, shortest stem left), tried in order; the first that applies is
#: the only one (one suffix at most); then a doubled final consonant is undoubled and a
#: final "e" dropped: attacked -> attack, killing -> kill, explosion and explode ->
#: explod, stopped -> stop, nominee, nomination and nominate -> nomin.
SUFFIX_RULES: tuple[tuple[str, str, int], ...] = (
    ("izations", "iz", 3), ("ization", "iz", 3), ("ations", "", 3), ("ation", "", 3),
    ("ings", "", 3), ("ing", "", 3), ("sions", "d", 3), ("sion", "d", 3), ("ions", "", 3),
    ("ion", "", 3), ("ments", "", 3), ("ment", "", 3), ("ies", "y", 3), ("ied", "y", 3),
    ("ees", "", 4), ("ee", "", 4), ("ers", "", 3), ("er", "", 3), ("ed", "", 3),
    ("es", "", 3), ("s", "", 3), ("ate", "", 3),
)
#: No stem is shorter than this (a final "e" or doubled consonant is kept then).
MIN_STEM = 3
_UNDOUBLED_KEEP = "aeiouls"

#: Groups of words for the same kind of news event (matched on lemma or stem). A general
#: lexicon of event nouns and verbs, not a list of corpus pairs.
SYNONYM_SETS: tuple[str, ...] = (
    "die death dead pass passing perish demise fatality",
    "kill murder slay slaying homicide assassinate assassination killing manslaughter",
    "shoot shooting shot gunfire gunshot gun",
    "earthquake quake tremor temblor",
    "fire blaze inferno burn burning flame",
    "arrest detain apprehend custody nab capture",
    "charge accuse indict indictment allegation",
    "win victory triumph beat defeat clinch",
    "lose loss",
    "rob robbery heist steal theft burglary loot snatch",
    "injure wound hurt injury",
    "explode explosion blast detonate detonation",
    "bomb bombing",
    "attack assault",
    "hire appoint name nominate nomination nominee tap select pick choose appointment",
    "sack dismiss oust axe dismissal ouster",
    "resign quit resignation",
    "release launch unveil introduce debut",
    "buy acquire acquisition purchase takeover",
    "sentence jail imprison imprisonment",
    "escape flee breakout",
    "rescue save",
    "crash collision collide accident",
    "sink capsize sinking",
    "hijack hijacking commandeer",
    "riot rioting unrest clash",
    "outage downtime disruption blackout",
    "damage destroy devastate wreck destruction",
    "cut sever",
    "storm hurricane typhoon cyclone",
    "evacuate evacuation",
    "marry wedding wed marriage",
    "convict conviction verdict",
    "confess admit confession",
    "discover find discovery",
    "rehab rehabilitation treatment",
    "negotiate negotiation talk",
    "foil thwart prevent",
    "hit strike",
)

#: Pairs of synonym groups (named by one member) whose events are often the same one.
RELATED_SETS: tuple[tuple[str, str], ...] = (
    ("die", "kill"), ("kill", "shoot"), ("attack", "shoot"), ("attack", "bomb"),
    ("explode", "bomb"), ("injure", "shoot"), ("arrest", "charge"), ("win", "lose"),
    ("fire", "burn"),
)

#: Lemmas of reporting events: two reports are seldom the same event.
REPORTING_LEMMAS = frozenset({
    "say", "tell", "report", "announce", "confirm", "state", "according", "accord",
    "add", "claim", "note", "explain", "reveal", "comment", "describe", "write",
    "statement", "announcement", "quote", "insist", "declare",
})

#: Words never used as context (besides those not in CONTENT_POS).
STOP_LEMMAS = frozenset({
    "be", "have", "do", "say", "get", "also", "not", "so", "then", "just", "very", "more",
    "most", "only", "even", "still", "now", "there", "here", "as", "well", "-", "'s",
})
WEEKDAYS = frozenset({"monday", "tuesday", "wednesday", "thursday", "friday", "saturday",
                      "sunday"})
MONTHS = frozenset({"january", "february", "march", "april", "may", "june", "july",
                    "august", "september", "october", "november", "december", "jan", "feb",
                    "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec"})
#: spaCy entity labels whose proper-noun tokens are names of participants.
NAME_ENTITY_LABELS = frozenset({"PERSON"})
#: spaCy entity labels whose weekday, month and number tokens are time words.
TIME_ENTITY_LABELS = frozenset({"DATE", "TIME"})
#: Dependency arcs (undirected) within which a content word counts as "near" the head.
NEAR_DISTANCE = 3

#: Pair features, in the order of `pair_features` (see its docstring).
PAIR_FEATURES: tuple[str, ...] = (
    "bias", "same_lemma", "same_stem", "synonym", "related", "same_type",
    "same_sentence", "both_reporting",
    "match_x_near", "match_x_name", "match_x_name_conflict", "match_x_time_conflict",
    "match_x_context", "related_x_near",
)

#: Logistic weights of the pair features, fitted on the ECB+ train topics (gold
#: sub-topics) by `fit_pair_weights` (`benchmarks/ecbplus_event_coref.py --fit`).
PAIR_WEIGHTS: Mapping[str, float] = {
    "bias": -3.51, "same_lemma": 4.72, "same_stem": 3.9, "synonym": 3.87, "related": 2.13,
    "same_type": 1.7, "same_sentence": -1.67, "both_reporting": -1.29,
    "match_x_near": 0.17, "match_x_name": 0.59, "match_x_name_conflict": -0.39,
    "match_x_time_conflict": -0.03, "match_x_context": 0.6, "related_x_near": 0.87,
}

#: Average-link merging goes on while the mean link probability exceeds this (chosen on
#: the train and dev topics).
LINK_THRESHOLD = 0.55


# ---------------------------------------------------------------------------
# Tokens and mentions
# ---------------------------------------------------------------------------


class Token(NamedTuple):
    """What the linker needs of one spaCy token (offsets into the document text)."""

    start: int
    end: int
    text: str
    lemma: str
    pos: str
    dep: str
    head: int  # index of the syntactic head in the document (itself for a root)
    ent_type: str = ""


@dataclass(frozen=True)
class EventMention:
    """One gold event mention with the features the systems use.

    `lemma` is the lowercased lemma of the head token and `pos` its part of speech.
    `context` holds the content-word lemmas of the sentence outside the mention, `near`
    the noun and number lemmas within `NEAR_DISTANCE` dependency arcs of the head,
    `names` the lowercased proper nouns of the sentence inside spaCy entities labelled
    `NAME_ENTITY_LABELS` and `times` its time words. `category` and
    `cluster` are gold data, used only for scoring and analysis.
    """

    doc: str
    m_id: str
    sentence: int
    text: str
    lemma: str
    pos: str = "VERB"
    context: frozenset[str] = frozenset()
    near: frozenset[str] = frozenset()
    names: frozenset[str] = frozenset()
    times: frozenset[str] = frozenset()
    category: str = "ACTION_OCCURRENCE"
    cluster: str = ""

    @property
    def key(self) -> tuple[str, str]:
        return (self.doc, self.m_id)


def is_event_category(category: str) -> bool:
    """Whether an ECB+ markable category is an event (ACTION_* or NEG_ACTION_*)."""
    return category.startswith(EVENT_CATEGORY_PREFIXES)


def tokens_of(parsed: Any) -> tuple[Token, ...]:
    """The `Token`s of a spaCy Doc."""
    return tuple(Token(t.idx, t.idx + len(t.text), t.text, t.lemma_, t.pos_, t.dep_,
                       t.head.i, t.ent_type_) for t in parsed)


def parse(docs: Sequence[EcbDocument], nlp: Any = None,
          batch_size: int = 32) -> dict[str, tuple[Token, ...]]:
    """Parse each document's text once; document name -> tokens."""
    if nlp is None:
        from storyline.nlp import model

        nlp = model.load()
    return {doc.name: tokens_of(parsed)
            for doc, parsed in zip(docs, nlp.pipe([d.text for d in docs],
                                                  batch_size=batch_size), strict=True)}


def _covered(tokens: Sequence[Token], starts: Sequence[int], start: int, end: int) -> list[int]:
    """Indices of the tokens overlapping [start, end) (an empty span: the token at start)."""
    k = max(bisect.bisect_right(starts, start) - 1, 0)
    out = []
    while k < len(tokens) and tokens[k].start < max(end, start + 1):
        if tokens[k].end > start:
            out.append(k)
        k += 1
    return out


def _head(tokens: Sequence[Token], span: Sequence[int]) -> int:
    """The head token of a mention: outside-governed, content words first, last wins."""
    inside = set(span)
    heads = [k for k in span if tokens[k].head == k or tokens[k].head not in inside]
    for pool in (heads, list(span)):
        content = [k for k in pool if tokens[k].pos in CONTENT_POS]
        if content:
            return content[-1]
    return heads[-1] if heads else span[-1]


def _distances(tokens: Sequence[Token], lo: int, hi: int, origin: int,
               limit: int) -> dict[int, int]:
    """Undirected dependency distance from `origin` to tokens lo..hi-1 (up to `limit`)."""
    neighbours: dict[int, list[int]] = defaultdict(list)
    for i in range(lo, hi):
        h = tokens[i].head
        if h != i and lo <= h < hi:
            neighbours[i].append(h)
            neighbours[h].append(i)
    dist = {origin: 0}
    frontier = [origin]
    for step in range(1, limit + 1):
        frontier = [n for f in frontier for n in neighbours[f] if n not in dist]
        for n in frontier:
            dist.setdefault(n, step)
    return dist


def _word(token: Token) -> str:
    return (token.lemma or token.text).lower()


def event_mentions(doc: EcbDocument, tokens: Sequence[Token]) -> list[EventMention]:
    """The gold event mentions of `doc` in annotated sentences, with their features."""
    starts = [t.start for t in tokens]
    out = []
    for m in doc.mentions:
        if not is_event_category(m.category) or not doc.is_annotated(m.sentence):
            continue
        span: list[int] = sorted({k for i in m.tokens
                                  for k in _covered(tokens, starts, *doc.token_offsets[i])})
        sentence = doc.sentence_span_at(m.start)
        s_start, s_end = (sentence[1], sentence[2]) if sentence else (m.start, m.end)
        lo = bisect.bisect_left(starts, s_start)
        hi = bisect.bisect_left(starts, s_end + 1)
        if not span:  # no spaCy token under the mention (cannot happen on ECB+ text)
            out.append(EventMention(doc.name, m.m_id, m.sentence, m.text, m.text.lower(),
                                    "X", category=m.category, cluster=m.cluster))
            continue
        head = _head(tokens, span)
        own = set(span)
        context, names, times = set(), set(), set()
        for k in range(lo, hi):
            tok = tokens[k]
            if k in own:
                continue
            low = tok.text.lower()
            if tok.pos in CONTENT_POS and _word(tok) not in STOP_LEMMAS:
                context.add(_word(tok))
            if tok.ent_type in NAME_ENTITY_LABELS and tok.pos == "PROPN":
                names.add(low)
            if tok.ent_type in TIME_ENTITY_LABELS and (
                    low in WEEKDAYS or low in MONTHS or low.isdigit()):
                times.add(low)
        near = {_word(tokens[k]) for k in _distances(tokens, lo, hi, head, NEAR_DISTANCE)
                if k not in own and tokens[k].pos in {"NOUN", "PROPN", "NUM"}}
        out.append(EventMention(
            doc=doc.name, m_id=m.m_id, sentence=m.sentence, text=m.text,
            lemma=_word(tokens[head]), pos=tokens[head].pos, context=frozenset(context),
            near=frozenset(near), names=frozenset(names), times=frozenset(times),
            category=m.category, cluster=m.cluster))
    return out


def gold_clusters(mentions: Iterable[EventMention]) -> dict[tuple[str, str], str]:
    """The gold clustering: mention key -> gold event id."""
    return {m.key: m.cluster for m in mentions}


def gold_subtopics(docs: Iterable[EcbDocument]) -> dict[str, str]:
    """Document name -> "<topic><ecb|ecbplus>": the usual gold document clusters."""
    return {doc.name: f"{doc.topic}{doc.subtopic}" for doc in docs}


def gold_topics(docs: Iterable[EcbDocument]) -> dict[str, str]:
    """Document name -> topic number: one cluster per topic (both sub-topics together)."""
    return {doc.name: str(doc.topic) for doc in docs}


def _by_document_cluster(mentions: Iterable[EventMention], doc_clusters: Mapping[str, Hashable]
                         ) -> dict[Hashable, list[EventMention]]:
    groups: dict[Hashable, list[EventMention]] = defaultdict(list)
    for m in mentions:
        groups[doc_clusters.get(m.doc, ("document", m.doc))].append(m)
    return groups


# ---------------------------------------------------------------------------
# The systems
# ---------------------------------------------------------------------------


def same_lemma(mentions: Iterable[EventMention], doc_clusters: Mapping[str, Hashable]
               ) -> dict[tuple[str, str], Hashable]:
    """Baseline: one event per head lemma inside each document cluster."""
    return {m.key: (label, m.lemma)
            for label, group in _by_document_cluster(mentions, doc_clusters).items()
            for m in group}


@cache
def stem(word: str) -> str:
    """`word` lowercased without one inflection or derivation suffix (`SUFFIX_RULES`)."""
    w = word.lower()
    for suffix, replacement, shortest in SUFFIX_RULES:
        if w.endswith(suffix) and len(w) - len(suffix) >= shortest:
            w = w[: len(w) - len(suffix)] + replacement
            break
    if len(w) > MIN_STEM and w[-1] == w[-2] and w[-1] not in _UNDOUBLED_KEEP:
        w = w[:-1]
    if len(w) > MIN_STEM and w.endswith("e"):
        w = w[:-1]
    return w


@cache
def _lexicon() -> tuple[dict[str, int], frozenset[tuple[int, int]], dict[str, frozenset[str]]]:
    """Synonym group of each word and stem, related group pairs, ontology types."""
    group: dict[str, int] = {}
    for number, words in enumerate(SYNONYM_SETS):
        for word in words.split():
            group.setdefault(word, number)
    for number, words in enumerate(SYNONYM_SETS):
        for word in words.split():
            group.setdefault(stem(word), number)
    related = frozenset(pair for a, b in RELATED_SETS
                        for pair in ((group[a], group[b]), (group[b], group[a])))
    from storyline.events.ontology import ontology

    types: dict[str, set[str]] = defaultdict(set)
    for (_, lemma), triggers in ontology().triggers.items():
        for trigger in triggers:
            types[lemma].add(trigger.type)
            types[stem(lemma)].add(trigger.type)
    return group, related, {k: frozenset(v) for k, v in types.items()}


def _jaccard(a: frozenset[str], b: frozenset[str]) -> float:
    union = len(a | b)
    return len(a & b) / union if union else 0.0


def pair_features(a: EventMention, b: EventMention) -> list[float]:
    """The values of `PAIR_FEATURES` for two mentions.

    The lexical features are exclusive, strongest first: same_lemma, same_stem,
    synonym (same `SYNONYM_SETS` group), related (groups paired in `RELATED_SETS`),
    same_type (an event type of Storyline's ontology in common). A head whose part of
    speech is in NO_LEXICAL_MATCH_POS matches nothing. "match" is any of the first three;
    match_x_near: a shared near word; match_x_name / match_x_name_conflict: the
    sentences share a person name / both have names but none in common;
    match_x_time_conflict: both have time words, none in common; match_x_context:
    Jaccard overlap of the sentence context words.
    """
    group, related_groups, types = _lexicon()
    lexical = a.pos not in NO_LEXICAL_MATCH_POS and b.pos not in NO_LEXICAL_MATCH_POS
    lemma = lexical and a.lemma == b.lemma
    sa, sb = stem(a.lemma), stem(b.lemma)
    same_stem = lexical and not lemma and sa == sb
    ga, gb = group.get(a.lemma, group.get(sa)), group.get(b.lemma, group.get(sb))
    synonym = lexical and not lemma and not same_stem and ga is not None and ga == gb
    match = lemma or same_stem or synonym
    related = (lexical and not match and ga is not None and gb is not None
               and (ga, gb) in related_groups)
    same_type = (lexical and not match and not related
                 and bool(types.get(a.lemma, types.get(sa, frozenset()))
                          & types.get(b.lemma, types.get(sb, frozenset()))))
    near = bool(a.near & b.near)
    name = bool(a.names & b.names)
    name_conflict = bool(a.names) and bool(b.names) and not name
    time_conflict = bool(a.times) and bool(b.times) and not (a.times & b.times)
    reporting = a.lemma in REPORTING_LEMMAS and b.lemma in REPORTING_LEMMAS
    return [1.0, float(lemma), float(same_stem), float(synonym), float(related),
            float(same_type), float(a.doc == b.doc and a.sentence == b.sentence),
            float(reporting), float(match and near), float(match and name),
            float(match and name_conflict), float(match and time_conflict),
            _jaccard(a.context, b.context) if match else 0.0, float(related and near)]


def _weight_vector(weights: Mapping[str, float]) -> npt.NDArray[np.float64]:
    unknown = set(weights) - set(PAIR_FEATURES)
    if unknown:
        raise ValueError(f"unknown pair feature(s) {sorted(unknown)}")
    return np.array([weights.get(name, 0.0) for name in PAIR_FEATURES], dtype=np.float64)


def _probabilities(group: Sequence[EventMention],
                   w: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
    n = len(group)
    probs = np.zeros((n, n), dtype=np.float64)
    if n < 2:
        return probs
    rows, cols = np.triu_indices(n, 1)
    features = np.array([pair_features(group[i], group[j]) for i, j in
                         zip(rows.tolist(), cols.tolist(), strict=True)], dtype=np.float64)
    values = 1.0 / (1.0 + np.exp(-(features @ w)))
    probs[rows, cols] = values
    probs[cols, rows] = values
    return probs


def storyline_linker(mentions: Iterable[EventMention], doc_clusters: Mapping[str, Hashable],
                     *, weights: Mapping[str, float] = PAIR_WEIGHTS,
                     threshold: float = LINK_THRESHOLD) -> dict[tuple[str, str], Hashable]:
    """Storyline's linker: pair probabilities, then average-link in each document cluster."""
    w = _weight_vector(weights)
    out: dict[tuple[str, str], Hashable] = {}
    for label, group in _by_document_cluster(mentions, doc_clusters).items():
        for number, members in enumerate(average_link(_probabilities(group, w), threshold)):
            for i in members:
                out[group[i].key] = (label, number)
    return out


def fit_pair_weights(mentions: Iterable[EventMention], doc_clusters: Mapping[str, Hashable],
                     *, l2: float = 1e-3, iterations: int = 50) -> dict[str, float]:
    """Logistic-regression weights of `PAIR_FEATURES` on the gold pairs (Newton steps).

    Every pair of mentions inside one document cluster is an example, positive when both
    have the same gold cluster. `l2` is a small ridge penalty (the bias included).
    """
    rows: list[list[float]] = []
    labels: list[float] = []
    for group in _by_document_cluster(mentions, doc_clusters).values():
        for i, a in enumerate(group):
            for b in group[i + 1:]:
                rows.append(pair_features(a, b))
                labels.append(float(a.cluster == b.cluster))
    x = np.array(rows, dtype=np.float64).reshape(len(rows), len(PAIR_FEATURES))
    y = np.array(labels, dtype=np.float64)
    w = np.zeros(len(PAIR_FEATURES), dtype=np.float64)
    for _ in range(iterations):
        p = 1.0 / (1.0 + np.exp(-(x @ w)))
        gradient = x.T @ (p - y) + l2 * w
        hessian = (x.T * (p * (1.0 - p))) @ x + l2 * np.eye(len(w))
        step = np.linalg.solve(hessian, gradient)
        w -= step
        if float(np.max(np.abs(step))) < 1e-8:
            break
    return {name: float(v) for name, v in zip(PAIR_FEATURES, w, strict=True)}


# ---------------------------------------------------------------------------
# Running and reporting
# ---------------------------------------------------------------------------

System = Callable[[Sequence[EventMention], Mapping[str, Hashable]],
                  Mapping[tuple[str, str], Hashable]]
SYSTEMS: Mapping[str, System] = {"same_lemma": same_lemma,
                                 "storyline_linker": storyline_linker}

DocClusters = Mapping[str, Hashable] | Callable[[Sequence[EcbDocument]], Mapping[str, Hashable]]


@dataclass
class EventCorefReport:
    """Scores of each system on one ECB+ split, with counts and timings."""

    split: str
    documents: int
    mentions: int
    gold_events: int
    document_clusters: int
    scores: dict[str, ConllScore]
    extra: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {"split": self.split, "documents": self.documents, "mentions": self.mentions,
                "gold_events": self.gold_events, "document_clusters": self.document_clusters,
                "scores": {name: s.to_dict() for name, s in self.scores.items()},
                "extra": self.extra}

    def to_json(self, indent: int | None = 2) -> str:
        return json.dumps(self.to_dict(), indent=indent)


def score(mentions: Sequence[EventMention], predicted: Mapping[tuple[str, str], Hashable]
          ) -> ConllScore:
    """CoNLL score of a predicted clustering against the gold one."""
    return conll(gold_clusters(mentions), predicted)


def run(split: str, doc_clusters: DocClusters | None = None, *,
        corpus: str | Path = DEFAULT_CORPUS, nlp: Any = None,
        topics: Iterable[int] | None = None) -> EventCorefReport:
    """Score the same-lemma baseline and Storyline's linker on an ECB+ split.

    `doc_clusters` maps document names to cluster labels, or is a function of the loaded
    documents returning such a mapping; None means `gold_subtopics`. `topics` overrides
    the split's topics (the report still names `split`). `nlp` is a spaCy pipeline
    (default: Storyline's).
    """
    if split not in SPLITS:
        raise ValueError(f"unknown split {split!r}; splits: {', '.join(sorted(SPLITS))}")
    started = time.perf_counter()
    chosen = tuple(SPLITS[split] if topics is None else topics)
    docs = list(load(corpus, chosen, annotated_only_sentences=True))
    if callable(doc_clusters):
        clusters = doc_clusters(docs)
    else:
        clusters = gold_subtopics(docs) if doc_clusters is None else doc_clusters
    loaded = time.perf_counter()
    tokens = parse(docs, nlp)
    parsed = time.perf_counter()
    mentions = [m for doc in docs for m in event_mentions(doc, tokens[doc.name])]
    scores: dict[str, ConllScore] = {}
    seconds: dict[str, float] = {}
    for name, system in SYSTEMS.items():
        t0 = time.perf_counter()
        scores[name] = score(mentions, system(mentions, clusters))
        seconds[name] = round(time.perf_counter() - t0, 3)
    return EventCorefReport(
        split=split, documents=len(docs), mentions=len(mentions),
        gold_events=len({m.cluster for m in mentions}),
        document_clusters=len({clusters.get(d.name, ("document", d.name)) for d in docs}),
        scores=scores,
        extra={"topics": list(chosen), "load_seconds": round(loaded - started, 3),
               "parse_seconds": round(parsed - loaded, 3), "system_seconds": seconds,
               "link_threshold": LINK_THRESHOLD})


def format_report(report: EventCorefReport) -> str:
    """Markdown table of MUC, B3, CEAF-e (P/R/F1) and CoNLL F1 per system, in percent."""
    lines = [
        f"ECB+ {report.split} split: {report.documents} documents, {report.mentions} gold "
        f"event mentions, {report.gold_events} gold events, {report.document_clusters} "
        "document clusters",
        "",
        "| system | MUC P | MUC R | MUC F1 | B3 P | B3 R | B3 F1 | CEAF-e P | CEAF-e R "
        "| CEAF-e F1 | CoNLL F1 |",
        "|---|" + "---:|" * 10,
    ]
    for name, s in report.scores.items():
        cells = [f"{100 * v:.1f}" for part in (s.muc, s.b3, s.ceaf_e)
                 for v in (part.precision, part.recall, part.f1)]
        lines.append(f"| {name} | " + " | ".join(cells) + f" | {100 * s.f1:.1f} |")
    return "\n".join(lines) + "\n"
