"""Incremental story clustering: each new document joins a story or starts one.

A document is a set of keys in channels: its content words, the numbers it gives, the
words of its lead (`^`), the years of its dates (`~`), and its actors by kind (`@kind:`
+ actor id). Each key is weighted by `(1 + log count) * idf` with the document
frequencies known when it arrives, and each channel is scaled to unit length, so that
a document's words, numbers, lead, years, people, organizations and places are compared
with a story's separately. A story's centroid is the sum of its documents' vectors
(strongest keys kept).

How well a document fits a story is a logistic score over those comparisons (the
cosine of each channel, whether both name people at all, and the share of the lead's
numbers the story lacks: two reports of one kind of event often differ in who, or in a
figure their leads give), with the
coefficients of `data/stories.yaml`, fitted on the ECB+ train and dev topics
(`benchmarks/fit_story_score.py`). The document joins the best-scoring story when the
score reaches the threshold.

Blocking keeps the cost flat: the document is compared only with the stories indexed
under its strongest words and actors (a capped, recency ordered posting list per key),
and only with stories whose dates are near its own. Within that window a dated document
fits a story less the further it lies from the story's dated reports (`time_penalty`).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import heapq
import math
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from typing import Any

import numpy as np
import numpy.typing as npt

from storyline.store.stories import StoryState, StoryTable
from storyline.stories.days import middle
from storyline.stories.rules import CHANNELS, FEATURES, StoryRules, story_rules
from storyline.stories.signature import AGAIN, LEAD, NAME, RUN, YEAR
from storyline.stories.split import agglomerate, apart_in_bursts, mean_within, parts

Vector = dict[str, float]
Entities = dict[str, tuple[str, int]]  # actor id -> (kind, mentions in the document)
# A placed document as a batch looks at it again: id, vector (with the document
# frequencies after the batch was placed), date.
Seen = tuple[str, Vector, str | None]

__all__ = ["CHANNELS", "ENGLISH", "FEATURES", "OTHER_LANGUAGE", "Assignment", "Channels",
           "Placement", "Scored", "Seen", "StoryClusterer", "both_ways", "channel_of",
           "features", "keys_of", "probability", "story_channels", "story_id", "time_penalty",
           "vectorize"]


@dataclass
class Assignment:
    """Where a document went, how well it fitted, and why."""

    story: str
    similarity: float | None
    new: bool
    evidence: dict[str, Any] = field(default_factory=dict)
    vector: Vector = field(default_factory=dict, repr=False)  # what the story gained


@dataclass
class Scored:
    """A candidate story with the document's features against it and its score (with
    the time penalty, in log-odds, already taken off)."""

    story: StoryState
    features: dict[str, float]
    score: float
    days_apart: int | None = None
    time_penalty: float = 0.0


@dataclass
class Placement:
    """A document's vector and the candidate stories it was scored against."""

    vector: Vector
    scored: list[Scored]
    skipped: list[dict[str, Any]]


def story_id(document_id: str) -> str:
    """The id of the story a document starts (stable)."""
    return "st_" + hashlib.sha1(document_id.encode()).hexdigest()[:12]


def actor_key(actor: str, kind: str) -> str:
    return f"@{kind}:{actor}"


#: Prefix of a flag: a key that says something of the report and is compared with
#: nothing (`OTHER_LANGUAGE`).
FLAG = "#"
#: The flag of a report in another language than English: it can name its story's names
#: and numbers, never its English words, so it is compared with a story by those alone.
OTHER_LANGUAGE = FLAG + "other-language"
#: The flag of a report in English: a story whose centroid holds it has English reports.
ENGLISH = FLAG + "english"


#: The channels of words and actors: what two reports name (not numbers, not years).
_NOT_NUMBERS = ("words", "person", "organization", "place")
#: The channel of numbers, which stories are also found under (`number_keys`).
_NUMBERS = frozenset({"numbers"})


@lru_cache(maxsize=1 << 18)
def channel_of(key: str) -> str:
    """The channel of a key: an actor's kind, lead, years, numbers or words (kept for
    the keys seen last: a key's channel is asked for again and again)."""
    if key.startswith("@"):
        kind, _, rest = key[1:].partition(":")
        return kind if rest else "actor"  # "actor": a key of an earlier version
    if key.startswith(LEAD):
        return "lead"
    if key.startswith(NAME):
        return "lead_names"
    if key.startswith(YEAR):
        return "years"
    if key.startswith(FLAG):
        return "flags"
    if key.startswith(AGAIN):
        return "again"
    if any(ch.isdigit() for ch in key):
        return "numbers"
    return "words"


_DIGITS = str.maketrans("٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹٬٫", "01234567890123456789,.")
_NUMBER = re.compile(r"(\d{1,3}(?:([.,])\d{3})(?:\2\d{3})*|\d+[.,]\d+)")


@lru_cache(maxsize=65536)
def comparable(key: str) -> str:
    """A signature key as reports in other languages and spellings write it too: Latin
    letters without their accents ("itajaí" and "itajai", "ocoña" and "ocona"), digits
    in ASCII ("٣٨" and "38"), and a
    number with its thousands separator dropped and a decimal point ("1.500" and
    "1,500" are 1500, "6,1" and "6.1" are 6.1)."""
    if not key.isascii():
        key = key.translate(_DIGITS)  # Arabic-Indic and Persian digits: "٣٨" is 38
        out: list[str] = []
        for ch in unicodedata.normalize("NFD", key):
            if unicodedata.combining(ch) and out and out[-1].isascii():
                continue
            out.append(ch)
        key = unicodedata.normalize("NFC", "".join(out))
    m = _NUMBER.search(key)
    if m is not None and m.group() == key.lstrip(LEAD + NAME):
        # 1,500 / 1.500 / 1,500,000 lose the separator; 6,1 / 6.1 take a point
        number = m.group().replace(m.group(2), "") if m.group(2) else \
            m.group().replace(",", ".")
        key = key[:m.start()] + number
    return key


def keys_of(terms: dict[str, int], entities: Entities) -> dict[str, int]:
    """The signature's keys (`comparable`) and the actors (`@kind:id`) with their
    counts."""
    keys: dict[str, int] = {}
    for term, n in terms.items():
        if RUN in term[:2]:
            continue  # a run of unspaced letters is read for names, never a key itself
        key = comparable(term)
        keys[key] = keys.get(key, 0) + n
    keys.update({actor_key(a, kind): n for a, (kind, n) in entities.items()})
    return keys


def vectorize(keys: dict[str, int], documents: int, df: dict[str, int]) -> Vector:
    """Tf-idf weights, each channel scaled to unit length."""
    return _unit({key: (1.0 + math.log(n)) * (math.log((documents + 1) / (df.get(key, 0) + 1))
                                              + 1.0)
                  for key, n in keys.items()})


def _unit(vec: Vector) -> Vector:
    """A vector scaled to unit length in each channel (a story's centroid as a
    document's vector)."""
    squares: dict[str, float] = {}
    channels = [channel_of(key) for key in vec]
    for c, w in zip(channels, vec.values(), strict=True):
        squares[c] = squares.get(c, 0.0) + w * w
    roots = {c: math.sqrt(x) for c, x in squares.items()}
    return {k: w / roots[c] for (k, w), c in zip(vec.items(), channels, strict=True)}


@dataclass(frozen=True)
class Channels:
    """A vector by channel, prepared once for comparing it with many others: a
    document's, or a story's centroid (`StoryState.prepared`)."""

    keys: dict[str, dict[str, float]]
    lead_numbers: tuple[str, ...]  # the numbers of the lead, without the prefix
    # Each name of the lead: its weight and the three keys a story may use it under
    # (a word, a lead word, a lead name).
    lead_names: tuple[tuple[float, str, str, str], ...] = ()
    norms: dict[str, float] = field(default_factory=dict)  # length of each channel
    other_language: bool = False
    english: bool = False

    @cached_property
    def name_norms(self) -> dict[str, float]:
        """Length of the words and lead channels counting only the lead's names and
        numbers: what a report in another language can share with them (computed only
        when such a report is compared)."""
        named = {word for _, word, _, _ in self.lead_names}
        return {c: math.sqrt(math.fsum(
            w * w for k, w in self.keys.get(c, {}).items()
            if k[len(strip):] in named or any(ch.isdigit() for ch in k)))
            for c, strip in (("words", ""), ("lead", LEAD))}

    @cached_property
    def sharable_keys(self) -> dict[str, dict[str, float]]:
        """The words and lead channels with only the keys a report in another script can
        share with English ones: in Latin letters (its names respelled as they spell
        them) or with digits (found once, when such a report is first compared)."""
        return {c: {k: w for k, w in self.keys.get(c, {}).items()
                    if k.isascii() or any(ch.isdigit() for ch in k)}
                for c in ("words", "lead")}

    @cached_property
    def sharable_norms(self) -> dict[str, float]:
        """Length of the words and lead channels counting only the `sharable_keys`."""
        return {c: math.sqrt(math.fsum(w * w for w in mine.values()))
                for c, mine in self.sharable_keys.items()}

    @classmethod
    def of(cls, vec: Vector) -> Channels:
        keys: dict[str, dict[str, float]] = {}
        squares: dict[str, float] = {}
        for key, w in vec.items():
            c = channel_of(key)
            keys.setdefault(c, {})[key] = w
            squares[c] = squares.get(c, 0.0) + w * w
        lead = tuple(k[len(LEAD):] for k in keys.get("lead", ())
                     if any(ch.isdigit() for ch in k))
        names = tuple((w, k[len(NAME):], LEAD + k[len(NAME):], k)
                      for k, w in keys.get("lead_names", {}).items())
        return cls(keys, lead, names, {c: math.sqrt(x) for c, x in squares.items()},
                   OTHER_LANGUAGE in vec, ENGLISH in vec)


def story_channels(story: StoryState) -> Channels:
    """A story's centroid by channel, prepared once per state (a saved state drops it)."""
    if story.prepared is None:
        story.prepared = Channels.of(story.centroid)
    found: Channels = story.prepared
    return found


def _dots(doc: Channels, other: Channels) -> dict[str, float]:
    """The dot product of two vectors in each channel both have (only the shared keys
    count: found by a set intersection, summed exactly, so the same in any order and
    either way round, whatever the hash seed)."""
    return {c: _dot(mine, other.keys[c]) for c, mine in doc.keys.items()
            if other.keys.get(c)}


def _dot(mine: dict[str, float], theirs: dict[str, float] | None) -> float:
    """The dot product of two channels over the keys both have (see `_dots`)."""
    if not mine or not theirs:
        return 0.0
    return math.fsum([mine[k] * theirs[k] for k in mine.keys() & theirs.keys()])


def _features(doc: Channels, story: Channels, centroid: Vector, dots: dict[str, float]
              ) -> dict[str, float]:
    out = {}
    norms = story.norms
    if doc.other_language and story.english:  # only what it can share counts
        norms = {**norms, **{c: n for c, n in story.name_norms.items() if n}}
        # ... on both sides of the ratio: the words its own language shares with a report
        # in that language in the story are not in those lengths either ("landslide",
        # "died" in Malayalam pinned a Malayalam report's words at 1.0 against a story of
        # another landslide two weeks away that held one)
        dots = {**dots, **{c: _dot(mine, story.keys.get(c))
                           for c, mine in doc.sharable_keys.items()}}
    for c in CHANNELS:
        norm = norms.get(c)
        out[c] = dots.get(c, 0.0) / norm if norm else 0.0
    if doc.other_language and story.english:  # its own words, never shared, count for none
        for c, mine in doc.sharable_norms.items():
            if mine > 0 and out[c]:
                out[c] = min(1.0, out[c] / mine)
    elif doc.other_language and not any(out[c] for c in _NOT_NUMBERS):
        # a report in another language and a story with no English report, sharing
        # nothing but numbers (a Khmer and a Burmese report, "11" and "4" in both):
        # nothing they could both name
        out["numbers"] = out["lead"] = 0.0
    lead = doc.lead_numbers
    out["lead_numbers_missing"] = (sum(k not in centroid for k in lead) / len(lead)
                                   if lead else 0.0)
    total = missing = 0.0
    for w, word, lead_word, name in doc.lead_names:
        total += w
        if not (word in centroid or lead_word in centroid or name in centroid):
            missing += w
    out["lead_names_missing"] = missing / total if total else 0.0
    # Both name people: then naming none of the same counts against (another arrest of
    # another player of the same team, in the same words).
    out["person_both"] = 1.0 if "person" in doc.keys and norms.get("person") else 0.0
    # A recurrence cue governing a word of the story's lead ("second church blaze")
    again = doc.keys.get("again")
    if again and any(LEAD + k[len(AGAIN):] in centroid for k in again):
        out["again"] = 1.0
    return out


def features(doc: Channels, story: StoryState) -> dict[str, float]:
    """The document's comparisons with a story, by name (see `FEATURES`)."""
    prepared = story_channels(story)
    return _features(doc, prepared, story.centroid, _dots(doc, prepared))


def both_ways(a: Channels, a_vec: Vector, b: Channels, b_vec: Vector
              ) -> tuple[dict[str, float], dict[str, float]]:
    """The features of `a` against `b` taken as a story of one, and of `b` against
    `a`: the same as `features` each way, with the dot products computed once."""
    dots = _dots(a, b)
    return _features(a, b, b_vec, dots), _features(b, a, a_vec, dots)


def pair_score(a: Channels, b: Channels, there: dict[str, float], back: dict[str, float],
               rules: StoryRules, penalty: float = 0.0) -> float:
    """The score of two documents, each taken as a story of one (`both_ways`): the mean
    of both ways, but between a report in another language and one in English only the
    way from the other-language report counts. That way compares it by what it can share
    with the English one (its names and numbers: `Channels.name_norms`); the other way
    measures the English report against all of the other's words, which English never
    writes, so it is low for any such pair, and a story of English and other-language
    reports was not joined with the other half of its reports (a Ukrainian and an English
    report of one blast: 0.84 one way, 0.01 the other, 0.42 in the mean)."""
    if a.other_language and not a.english and b.english:
        return probability(there, rules, penalty)
    if b.other_language and not b.english and a.english:
        return probability(back, rules, penalty)
    return (probability(there, rules, penalty) + probability(back, rules, penalty)) / 2


def probability(feats: dict[str, float], rules: StoryRules, penalty: float = 0.0) -> float:
    """The logistic story score of a document's features, `penalty` taken off its
    log-odds; a time penalty (beyond the grace days) grows by up to `decay_lead_factor`
    times itself as the document's lead falls below `decay_lead_floor` of the story's
    (the lead feature; 0 -> the whole factor): a report weeks later whose lead is about
    something else is likely another event of the same kind, one whose lead takes up the
    story's a development of it."""
    if penalty > 0:  # later than the grace days: the less its lead is the story's, the more
        short = max(0.0, 1 - feats.get("lead", 1.0) / rules.decay_lead_floor)
        penalty *= 1 + rules.decay_lead_factor * short
        penalty += rules.recurrence_penalty * feats.get("again", 0.0)
    z = rules.score_bias + sum(rules.score_weights.get(k, 0.0) * v for k, v in feats.items()) \
        - penalty
    return 1.0 / (1.0 + math.exp(-max(-60.0, min(60.0, z))))


def time_penalty(days_apart: int | None, rules: StoryRules) -> float:
    """Log-odds taken off the score of a dated document `days_apart` days from a story's
    dated reports: `decay_per_week` per week beyond the grace days; within them the
    penalty is negative, `same_days_bonus` added (reports of one story come in bursts).
    Nothing when either side is undated."""
    if days_apart is None:
        return 0.0
    if days_apart <= rules.decay_grace_days:
        return -rules.same_days_bonus
    return rules.decay_per_week * (days_apart - rules.decay_grace_days) / 7.0


def strongest(vec: Vector, n: int, channels: frozenset[str] | None = None) -> list[str]:
    """The `n` heaviest keys (of `channels`, when given)."""
    items = vec.items() if channels is None else (
        (k, w) for k, w in vec.items() if channel_of(k) in channels)
    # the same as the first n of a full sort, found without sorting the rest
    return [k for k, _ in heapq.nsmallest(n, items, key=lambda kv: (-kv[1], kv[0]))]


def _dated_by_story(members: list[Seen]) -> list[str | None]:
    """The dates of a story's documents, an undated one's taken as the middle of its
    story's dated ones: when two stories are compared for joining, an undated report
    counts as of its story's time. Left undated, it fitted a story of the same kind of
    event three weeks away with no time penalty, and its score carried the two stories
    over the join threshold (a shipyard strike joined a dock strike of three weeks
    before through the strike's undated reports)."""
    mid = middle([d[:10] for *_, d in members if d])
    return [d or mid for *_, d in members]


def _days_apart(date: str, first: str | None, last: str | None) -> int | None:
    return _range_apart(date, date, first, last)


def _range_apart(first: str | None, last: str | None, other_first: str | None,
                 other_last: str | None) -> int | None:
    """Days between two stories' date ranges (0 when they overlap; None when either is
    undated)."""
    if first is None or last is None or other_first is None or other_last is None:
        return None
    lo, hi, olo, ohi = (dt.date.fromisoformat(x[:10]) for x in (first, last, other_first,
                                                                 other_last))
    return max(0, (olo - hi).days, (lo - ohi).days)


class StoryClusterer:
    """Assigns documents to stories through a `StoryTable`."""

    def __init__(self, table: StoryTable, rules: StoryRules | None = None) -> None:
        self.table = table
        self.rules = rules or story_rules()
        # (document, story, version) -> features, kept while a window is looked at again
        self.looking: dict[tuple[str, str, int], dict[str, float]] | None = None
        # id(vector) -> (vector, its Channels), kept while a window's vectors are fixed:
        # every look, split and join compares the same vectors again
        self.prepared: dict[int, tuple[Vector, Channels]] | None = None

    def threshold(self, date: str | None) -> float:
        """The score a document must reach to join a story: `undated_threshold` for an
        undated one, which has no same-days bonus to reach it with, else `threshold`."""
        return self.rules.threshold if date else self.rules.undated_threshold

    def channels(self, vec: Vector) -> Channels:
        """`Channels.of(vec)`, prepared once per vector while `prepared` holds a dict."""
        if self.prepared is None:
            return Channels.of(vec)
        found = self.prepared.get(id(vec))
        if found is None or found[0] is not vec:
            found = self.prepared[id(vec)] = (vec, Channels.of(vec))
        return found[1]

    def vector(self, terms: dict[str, int], entities: Entities, *, count: bool = True
               ) -> Vector:
        """A document's vector with the document frequencies known now; with `count`,
        its keys are then added to them (once per document)."""
        keys = keys_of(terms, entities)
        documents, df = self.table.document_frequencies(keys)
        vec = vectorize(keys, documents, df)
        if count:
            self.table.count_keys(keys)
        return vec

    def query(self, vec: Vector) -> list[str]:
        """The keys blocking looks stories up by: the vector's `query_keys` strongest and,
        for a report in another script, up to as many more written in Latin letters (its
        names respelled as English reports spell them, its actors): its own words, rare
        everywhere else, outweigh those and find only stories in its language; and its
        `number_keys` strongest numbers."""
        rules = self.rules
        keys = strongest(vec, rules.query_keys, rules.blocking_channels)
        if OTHER_LANGUAGE in vec:
            taken = set(keys)
            latin = {k: w for k, w in vec.items() if k.isascii() and k not in taken}
            keys += strongest(latin, rules.query_keys, rules.blocking_channels)
            keys += strongest(vec, rules.number_keys, _NUMBERS)
        return keys

    def candidates(self, vec: Vector, date: str | None, exclude: str | None = None,
                   doc_id: str | None = None) -> tuple[list[Scored], list[dict[str, Any]]]:
        """The stories blocking finds for a vector (but `exclude`), scored, and those
        passed over as too far in time. With `doc_id`, while `looking` holds a dict,
        the features of the document against each version of a story are kept there
        and read again (a window's documents are looked at more than once, against
        stories most of which have not changed in between)."""
        rules = self.rules
        skipped: list[dict[str, Any]] = []
        near: dict[str, int | None] = {}  # story -> days apart (None: a side is undated)
        versions: dict[str, int] = {}
        for sid, first, last, version in self.table.candidate_dates(
                self.query(vec), rules.per_key, rules.max_candidates):
            if sid == exclude:
                continue
            apart = _days_apart(date, first, last) if date else None
            if apart is not None and apart > rules.window_days:
                skipped.append({"story": sid, "days_apart": apart})
            else:
                near[sid] = apart
                versions[sid] = version
        # Only the stories within the date window are read whole (centroids).
        states = self.table.states(near, versions)
        scored = []
        prepared: Channels | None = None
        memo = self.looking if doc_id is not None else None
        for sid, apart in near.items():
            key = (doc_id or "", sid, states[sid].version)
            feats = memo.get(key) if memo is not None else None
            if feats is None:
                prepared = prepared or self.channels(vec)
                feats = features(prepared, states[sid])
                if memo is not None:
                    memo[key] = feats
            penalty = time_penalty(apart, rules)
            scored.append(Scored(states[sid], feats, probability(feats, rules, penalty),
                                 apart, penalty))
        return scored, skipped

    def score(self, doc_id: str, terms: dict[str, int], entities: Entities,
              date: str | None) -> Placement:
        """The document's vector and its score against each candidate story (its key
        counts are added to the document frequencies)."""
        vec = self.vector(terms, entities)
        scored, skipped = self.candidates(vec, date)
        return Placement(vec, scored, skipped)

    def reconsider(self, doc_id: str, vec: Vector, date: str | None, joined: Vector
                   ) -> Assignment | None:
        """Look again at where a placed document went, now that the documents placed
        after it are known (their words' frequencies, the stories they formed): it
        moves to the best other story when that one reaches the threshold and scores it
        higher than its own story does without it (`joined`: the vector its story
        gained from it, `Assignment.vector`). A document alone in its story moves to
        any story that reaches the threshold; none leaves a story to stand alone.
        Returns the new assignment, or None when it stays."""
        rules = self.rules
        own_id = self.table.story_of(doc_id)
        own = self.table.state(own_id) if own_id else None
        if own is None:
            return None
        scored, skipped = self.candidates(vec, date, exclude=own.id, doc_id=doc_id)
        best = max(scored, key=lambda s: (s.score, s.story.id), default=None)
        if best is None or best.score < self.threshold(date):
            return None
        rest: StoryState | None = None
        left: float | None = None
        if own.size > 1:
            first, last = self.table.member_dates(own.id, doc_id)
            centroid = {k: round(w - joined.get(k, 0.0), 5) for k, w in own.centroid.items()}
            rest = StoryState(own.id, {k: w for k, w in centroid.items() if w > 1e-4},
                              first, last, own.size - 1, own.version)
            apart = _days_apart(date, first, last) if date else None
            left = probability(features(self.channels(vec), rest), rules,
                               time_penalty(apart, rules))
            if best.score <= left:
                return None
        if rest is None:
            self.table.delete(own.id)
        else:
            rest.version = self.table.next_version()
            self.table.save(rest, self.index_keys(rest.centroid))
        evidence: dict[str, Any] = {
            "score": round(best.score, 4), "threshold": self.threshold(date),
            "features": {k: round(v, 4) for k, v in best.features.items()},
            "days_apart": best.days_apart, "time_penalty": round(best.time_penalty, 4),
            "shared": self._shared(vec, best.story.centroid),
            "too_far_in_time": skipped[:5], "moved_from": own.id,
            "score_there": None if left is None else round(left, 4)}
        return self.join(doc_id, Placement(vec, scored, skipped), best.story, date,
                         round(best.score, 4), evidence)

    def pair_scores(self, vectors: list[Vector], dates: list[str | None]
                    ) -> npt.NDArray[np.float64]:
        """The score of each document against each other one taken as a story of one
        (time decay included), the mean of both ways (0 on the diagonal)."""
        return self._scores(vectors, dates, vectors, dates, same=True)

    def split(self, story: str, members: list[Seen]) -> list[str]:
        """Split a story whose documents (`members`, in the order they joined) fall into
        groups that would not join each other (`split.parts`): the group of its first
        document keeps the story, each other group becomes a story of its own, the first
        document not already a story's founder giving it its id. Each moved document's
        evidence names the story it left (`split_from`) and its group's mean score
        against the rest (`split_link`). Documents of an earlier run or window move like
        the others (the caller merges their events again). Returns the documents of the
        story when it was split (the new stories' centroids are the sums of their
        vectors), else nothing."""
        rules = self.rules
        vectors = [vec for _, vec, _ in members]
        dates = [date for *_, date in members]
        scores = self.pair_scores(vectors, dates)
        groups = parts(scores, rules.split_threshold, rules.split_min_part, dates,
                       rules.split_gap_days, rules.burst_ratio)
        if groups is None:
            return []
        for k, group in enumerate(groups):  # group 0 holds the first document
            docs = [members[i][0] for i in group]
            sid = story if k == 0 else self._free_id(docs, f"{story}/{k}")
            self._restate(sid, [vectors[i] for i in group], [dates[i] for i in group])
            rest = [i for i in range(len(members)) if i not in group]
            link = round(float(scores[np.ix_(group, rest)].mean()), 4)
            for seq, doc in enumerate(docs):
                similarity, evidence = self.table.placement(doc)
                if k:
                    evidence = {**evidence, "split_from": story, "split_link": link}
                self.table.assign(doc, sid, similarity, evidence, seq)
        return [doc_id for doc_id, *_ in members]

    def unite(self, stories: list[tuple[str, list[Seen], int]],
              more: Callable[[str], tuple[str, list[Seen], int] | None] | None = None
              ) -> list[str]:
        """Join stories (`stories`: id and documents, in the order they joined) whose
        documents score each other high enough across, the converse of `split`.

        Two stories are compared when one is found by blocking on the other's
        strongest keys, their dates lie within `window_days`, and their centroids, each
        scored as a document against the other, reach `join_screen` (the mean of both
        ways): a cheap screen before their documents are scored pair by pair. A story
        blocking finds that is not among `stories` is taken in when `more(id)` gives it
        (a story of earlier runs that none of this run's documents went to). Then
        average link over the stories, the mean of their documents' pairwise scores
        across, goes on while it stays above `join_threshold` (`split.agglomerate`). The
        story of a group that holds documents of an earlier run or window (the third
        item, how many) keeps its id, so a story known before keeps its name (the
        largest such, the earliest of those as large); without one, the largest story.
        The documents of the others move to it, their evidence naming the story they
        left (`joined_from`) and the mean score between the two (`join_link`); the
        caller merges the events of earlier documents that moved again. Returns the
        documents that moved."""
        rules = self.rules
        states = self.table.states(sid for sid, *_ in stories)
        stories = [story for story in stories if story[0] in states]
        pairs = self._join_pairs(stories, states, more)
        if not pairs:
            return []
        sizes = np.array([len(ms) for _, ms, _ in stories], dtype=np.float64)
        total = np.zeros((len(stories), len(stories)), dtype=np.float64)
        for k, j in sorted(pairs):
            (_, mine, _), (_, theirs, _) = stories[k], stories[j]
            across = self.cross_scores([v for _, v, _ in mine], _dated_by_story(mine),
                                       [v for _, v, _ in theirs], _dated_by_story(theirs))
            if self._bursts_apart(mine, theirs, float(across.mean())):
                continue  # two bursts of reports that a split would cut apart again
            total[k, j] = total[j, k] = float(across.sum())
        moved: list[str] = []
        for group in agglomerate(total, sizes, rules.join_threshold):
            if len(group) < 2:
                continue
            keep = max(group, key=lambda k: (stories[k][2] > 0, len(stories[k][1]), -k))
            sid = stories[keep][0]
            members = [m for k in group for m in stories[k][1]]
            self._restate(sid, [v for _, v, _ in members], [d for *_, d in members])
            seq = len(stories[keep][1])
            for k in group:
                if k == keep:
                    continue
                old = stories[k][0]
                link = round(float(total[k, keep] / (sizes[k] * sizes[keep])), 4)
                for doc, *_ in stories[k][1]:
                    similarity, evidence = self.table.placement(doc)
                    evidence = {**evidence, "joined_from": old, "join_link": link}
                    self.table.assign(doc, sid, similarity, evidence, seq)
                    moved.append(doc)
                    seq += 1
                self.table.delete(old)
        return moved

    def _bursts_apart(self, mine: list[Seen], theirs: list[Seen], across: float) -> bool:
        """Whether two stories are bursts of reports days apart (`split_gap_days`), each
        of `split_min_part` reports or more, whose mean score across is below
        `burst_ratio` times the lower of their mean scores within: the converse of
        `split.bursts`, so that joining does not undo such a cut."""
        rules = self.rules
        if rules.burst_ratio <= 0 or min(len(mine), len(theirs)) < rules.split_min_part \
                or not apart_in_bursts([d for *_, d in mine], [d for *_, d in theirs],
                                       rules.split_gap_days):
            return False
        within = min(mean_within(self.pair_scores([v for _, v, _ in group],
                                                   [d for *_, d in group]))
                     for group in (mine, theirs))
        return across < rules.burst_ratio * within

    def _join_pairs(self, stories: list[tuple[str, list[Seen], int]],
                    states: dict[str, StoryState],
                    more: Callable[[str], tuple[str, list[Seen], int] | None] | None = None
                    ) -> set[tuple[int, int]]:
        """The pairs of `stories` (by index) worth scoring document by document; the
        stories `more` gives for those blocking finds are appended to `stories` (and
        their states to `states`)."""
        rules = self.rules
        index: dict[str, int | None] = {sid: k for k, (sid, *_) in enumerate(stories)}
        found: set[tuple[int, int]] = set()
        for k in range(len(stories)):  # the stories given, not those taken in
            state = states[stories[k][0]]
            for other, first, last, _ in self.table.candidate_dates(
                    self.query(state.centroid), rules.per_key, rules.max_candidates):
                if other not in index and more is not None:
                    index[other] = self._take_in(other, stories, states, more)
                j = index.get(other)
                if j is not None and j != k and not (
                        (apart := _range_apart(state.first_date, state.last_date, first,
                                               last)) is not None
                        and apart > rules.window_days):
                    found.add((min(k, j), max(k, j)))
        prepared: dict[int, Channels] = {}
        pairs = set()
        for k, j in found:
            a, b = states[stories[k][0]], states[stories[j][0]]
            for i, state in ((k, a), (j, b)):
                if i not in prepared:
                    prepared[i] = Channels.of(_unit(state.centroid))
            penalty = time_penalty(_range_apart(a.first_date, a.last_date, b.first_date,
                                                b.last_date), rules)
            screen = (probability(features(prepared[k], b), rules, penalty)
                      + probability(features(prepared[j], a), rules, penalty)) / 2
            if screen >= rules.join_screen:
                pairs.add((k, j))
        return pairs

    def _take_in(self, sid: str, stories: list[tuple[str, list[Seen], int]],
                 states: dict[str, StoryState],
                 more: Callable[[str], tuple[str, list[Seen], int] | None]) -> int | None:
        """Append the story `more` gives for `sid` (with its state); its index, or None."""
        story = more(sid)
        state = self.table.state(sid) if story is not None else None
        if story is None or state is None:
            return None
        stories.append(story)
        states[sid] = state
        return len(stories) - 1

    def cross_scores(self, vectors: list[Vector], dates: list[str | None],
                     others: list[Vector], other_dates: list[str | None]
                     ) -> npt.NDArray[np.float64]:
        """The score of each document of one group against each of another, each taken
        as a story of one (time decay included), the mean of both ways."""
        return self._scores(vectors, dates, others, other_dates)

    def _scores(self, vectors: list[Vector], dates: list[str | None],
                others: list[Vector], other_dates: list[str | None], *,
                same: bool = False) -> npt.NDArray[np.float64]:
        """Each pair's score (`pair_score`); with `same` (`others` are
        `vectors`), each pair is scored once and the diagonal left at 0."""
        rules = self.rules
        mine = [self.channels(v) for v in vectors]
        theirs = mine if same else [self.channels(v) for v in others]
        scores = np.zeros((len(vectors), len(others)), dtype=np.float64)
        for i, (vec, day) in enumerate(zip(vectors, dates, strict=True)):
            for j, (other, other_day) in enumerate(zip(others, other_dates, strict=True)):
                if same and j <= i:
                    continue
                there, back = both_ways(mine[i], vec, theirs[j], other)
                penalty = time_penalty(_days_apart(day, other_day[:10], other_day[:10])
                                       if day and other_day else None, rules)
                scores[i, j] = pair_score(mine[i], theirs[j], there, back, rules, penalty)
                if same:
                    scores[j, i] = scores[i, j]
        return scores

    def _free_id(self, docs: list[str], fallback: str) -> str:
        for doc in docs:
            if self.table.state(story_id(doc)) is None:
                return story_id(doc)
        return story_id(fallback)

    def _restate(self, sid: str, vectors: list[Vector], dates: list[str | None]) -> None:
        """Write a story's state afresh from its documents' vectors and dates."""
        centroid: dict[str, float] = {}
        for vec in vectors:
            for k, w in vec.items():
                centroid[k] = centroid.get(k, 0.0) + w
        days = sorted(d[:10] for d in dates if d)
        state = StoryState(sid, {}, days[0] if days else None, days[-1] if days else None,
                           len(vectors), 0)
        self._write(state, centroid)

    def assign(self, doc_id: str, terms: dict[str, int], entities: Entities,
               date: str | None, affinity: Callable[[str], float] | None = None
               ) -> Assignment:
        """Place a document. `affinity(story)` (how well the document's events match the
        story's) decides between stories whose scores are within `margin` of the best,
        so words alone do not pick an earlier, similar story for an undated report.
        """
        rules = self.rules
        placement = self.score(doc_id, terms, entities, date)
        best = max(placement.scored, key=lambda s: (s.score, s.story.id), default=None)
        threshold = self.threshold(date)
        if best is None or best.score < threshold:
            return self.start(doc_id, placement, date, best)
        rivals = [s for s in placement.scored
                  if s.score >= threshold and s.score >= best.score - rules.margin]
        decided: list[dict[str, Any]] = []
        if affinity is not None and len(rivals) > 1:
            ranked = sorted(((affinity(s.story.id), s) for s in rivals),
                            key=lambda x: (-x[0], -x[1].score, x[1].story.id))
            best = ranked[0][1]
            decided = [{"story": s.story.id, "score": round(s.score, 4),
                        "event_affinity": round(a, 4)} for a, s in ranked]
        evidence: dict[str, Any] = {
            "score": round(best.score, 4), "threshold": threshold,
            "features": {k: round(v, 4) for k, v in best.features.items()},
            "days_apart": best.days_apart, "time_penalty": round(best.time_penalty, 4),
            "shared": self._shared(placement.vector, best.story.centroid),
            "too_far_in_time": placement.skipped[:5]}
        if decided:
            evidence["events_decided"] = decided
        return self.join(doc_id, placement, best.story, date, round(best.score, 4), evidence)

    def join(self, doc_id: str, placement: Placement, story: StoryState, date: str | None,
             score: float | None, evidence: dict[str, Any]) -> Assignment:
        """Add the document to `story` and record why."""
        self._grow(story, placement.vector, date)
        self.table.assign(doc_id, story.id, score, evidence, story.size - 1)
        return Assignment(story.id, score, False, evidence, placement.vector)

    def start(self, doc_id: str, placement: Placement, date: str | None,
              closest: Scored | None = None) -> Assignment:
        """Start a story with the document."""
        story = StoryState(story_id(doc_id), {}, None, None, 0, 0)
        evidence = {"closest": round(closest.score, 4) if closest else None,
                    "closest_story": closest.story.id if closest else None,
                    "threshold": self.threshold(date),
                    "too_far_in_time": placement.skipped[:5]}
        self._grow(story, placement.vector, date)
        self.table.assign(doc_id, story.id, None, evidence, story.size - 1)
        return Assignment(story.id, None, True, evidence, placement.vector)

    def _grow(self, story: StoryState, vec: Vector, date: str | None) -> None:
        centroid = dict(story.centroid)
        for k, w in vec.items():
            centroid[k] = centroid.get(k, 0.0) + w
        if date:
            day = date[:10]
            story.first_date = min(story.first_date or day, day)
            story.last_date = max(story.last_date or day, day)
        story.size += 1
        self._write(story, centroid)

    def _write(self, story: StoryState, centroid: Vector) -> None:
        """Keep the strongest keys of `centroid` as the story's, give it a new version
        and save it, indexed under its strongest blocking keys."""
        kept = strongest(centroid, self.rules.centroid_keys)
        story.centroid = {k: round(centroid[k], 5) for k in kept}
        story.version = self.table.next_version()
        self.table.save(story, self.index_keys(story.centroid))

    def index_keys(self, centroid: Vector) -> list[str]:
        """The keys a story is found under: its `index_keys` strongest of the blocking
        channels and its `number_keys` strongest numbers (which reports in every
        language and script write alike)."""
        rules = self.rules
        return strongest(centroid, rules.index_keys, rules.blocking_channels) + \
            strongest(centroid, rules.number_keys, _NUMBERS)

    def _shared(self, vec: Vector, centroid: Vector) -> list[str]:
        shared = {k: w * centroid[k] for k, w in vec.items()
                  if k in centroid and channel_of(k) in self.rules.blocking_channels}
        return strongest(shared, 8)
