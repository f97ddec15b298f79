"""Scoring attribution extraction (source, cue, content) against the PolNeAR corpus.

PolNeAR (Newell et al., LREC 2018) annotates attributions in news articles in brat
standoff: `{split}/text/NAME.txt` and `{split}/attributions/NAME_ANNOTATOR.ann`, offsets
are characters of the UTF-8 text. Reading the annotations:

* `Source`, `Cue` and `Content` text-bound (T) annotations are the gold spans; a
  discontinuous one ("2103 2168;2170 2425") gives one span per piece.
* An `E` line groups them into one `Attribution` (role `Content2`, a second content, is
  content). Its `Attribution` / `Attribution-no-source` anchor (a copy of the cue span) is
  not a label. Gold spans in no `E` line are kept, each as an attribution of its own.
* `Discard` (bylines, editor's notes, credits the annotators left out) and `Discuss`
  (spans flagged for discussion, never resolved into an attribution) are not gold: they
  are skipped, so a prediction there counts as a false positive like anywhere else.
  `AnnotatorNotes` (`#` lines) are skipped too.
* An annotation whose text does not match its slice of the article is skipped and
  counted in `PolnearDocument.skipped`; text running over a line break continues on the
  next lines of the .ann file, which are joined back first.
* A few articles were annotated by several annotators (to measure agreement); the first
  annotator file in name order is used, so loading is deterministic.

Scoring, per label (source, cue, content), with both sides deduplicated per document:

* token: the text is split into `\\w+` words and single punctuation characters; a token
  has label L when it overlaps a span (as annotated) of label L; P/R/F1 count tokens.
* exact: spans (each piece of a discontinuous span on its own), trimmed of surrounding
  whitespace, quotes, commas, periods, colons and semicolons, are equal; one-to-one.
* overlap: exact pairs first, then each remaining trimmed prediction (in text order)
  takes the unmatched gold span sharing the most tokens with it, if any; one-to-one.
"""

from __future__ import annotations

import glob
import json
import re
import string
import time
from bisect import bisect_left, bisect_right
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from storyline.model import Document, Paragraph
from storyline.offsets import OffsetMap

Span = tuple[int, int]
Extractor = Callable[[Sequence["PolnearDocument"]], list[list["Attribution"]]]

SPLITS = ("train", "dev", "test")
LABELS = ("source", "cue", "content")
LEVELS = ("token", "exact", "overlap")

TOKEN = re.compile(r"\w+|[^\w\s]")
TRIM = string.whitespace + "\"'`‘’‚“”„«»‹›,.:;"
_GOLD_LABEL = {"Source": "source", "Cue": "cue", "Content": "content"}
_LINE = re.compile(r"[TERAMN#]\d*\t")
_ANNOTATOR = re.compile(r"[0-9a-f]{4}")


@dataclass(frozen=True)
class Attribution:
    """One attribution: its source (may be empty), cue and content spans in the text."""

    source: tuple[Span, ...]
    cue: tuple[Span, ...]
    content: tuple[Span, ...]


@dataclass
class PolnearDocument:
    """One PolNeAR article and its gold attributions."""

    name: str
    split: str
    text: str
    attributions: list[Attribution]
    skipped: int = 0  # gold annotations skipped because their text did not match


def load(root: str | Path, split: str, limit: int | None = None) -> list[PolnearDocument]:
    """The documents of one split, sorted by name (the first `limit` of them)."""
    if split not in SPLITS:
        raise ValueError(f"unknown split {split!r}; splits: {', '.join(SPLITS)}")
    folder = Path(root) / split
    if not (folder / "text").is_dir():
        raise FileNotFoundError(f"PolNeAR {split} texts not found: {folder / 'text'} "
                                "(is the corpus folder right?)")
    docs = []
    for path in sorted((folder / "text").glob("*.txt"))[:limit]:
        text = path.read_text(encoding="utf-8")
        attributions, skipped = parse_ann(_ann_path(folder, path.stem).read_text("utf-8"), text)
        docs.append(PolnearDocument(path.stem, split, text, attributions, skipped))
    return docs


def _ann_path(folder: Path, name: str) -> Path:
    """The annotation file of `name`: NAME.ann, else the first NAME_ANNOTATOR.ann."""
    plain = folder / "attributions" / f"{name}.ann"
    if plain.is_file():
        return plain
    for path in sorted((folder / "attributions").glob(f"{glob.escape(name)}_*.ann")):
        if path.stem.startswith(f"{name}_") and _ANNOTATOR.fullmatch(path.stem[len(name) + 1:]):
            return path
    raise FileNotFoundError(f"no annotation file for {name} in {folder / 'attributions'}")


def parse_ann(ann: str, text: str) -> tuple[list[Attribution], int]:
    """Gold attributions of one .ann file, and how many annotations were skipped."""
    lines: list[str] = []
    for line in ann.removesuffix("\n").split("\n"):
        if _LINE.match(line) or not lines:
            lines.append(line)
        else:  # the annotated text ran over a line break
            lines[-1] += "\n" + line
    spans: dict[str, tuple[str, tuple[Span, ...]]] = {}
    skipped = 0
    relations = []
    for line in lines:
        fields = line.split("\t")
        if line.startswith("T") and len(fields) >= 3:
            label, _, offsets = fields[1].partition(" ")
            if label not in _GOLD_LABEL:
                continue
            pieces = _spans(offsets)
            if pieces and " ".join(text[s:e] for s, e in pieces) == fields[2]:
                spans[fields[0]] = (_GOLD_LABEL[label], pieces)
            else:
                skipped += 1
        elif line.startswith("E") and len(fields) >= 2:
            relations.append([arg.partition(":")[2] for arg in fields[1].split()])
    attributions = []
    used: set[str] = set()
    for args in relations:
        parts: dict[str, list[Span]] = {label: [] for label in LABELS}
        for ref in args:
            if ref in spans:
                label, pieces = spans[ref]
                parts[label].extend(pieces)
                used.add(ref)
        if any(parts.values()):
            attributions.append(Attribution(*(tuple(sorted(parts[lb])) for lb in LABELS)))
    for ref, (label, pieces) in spans.items():
        if ref not in used:
            attributions.append(Attribution(**{lb: pieces if lb == label else ()
                                               for lb in LABELS}))
    return attributions, skipped


def _spans(offsets: str) -> tuple[Span, ...]:
    """`"3 8;10 14"` as `((3, 8), (10, 14))`; empty when malformed."""
    pieces = [piece.split() for piece in offsets.split(";")]
    if not all(len(p) == 2 and p[0].isdigit() and p[1].isdigit() for p in pieces):
        return ()
    return tuple((int(start), int(end)) for start, end in pieces)


def tokenize(text: str) -> list[Span]:
    """Token spans: `\\w+` words and single non-space, non-word characters."""
    return [m.span() for m in TOKEN.finditer(text)]


def trim(text: str, span: Span) -> Span:
    """`span` without surrounding whitespace, quotes, commas, periods, colons, semicolons."""
    start, end = span
    while start < end and text[start] in TRIM:
        start += 1
    while end > start and text[end - 1] in TRIM:
        end -= 1
    return (start, end) if end > start else span


@dataclass
class Score:
    """Counts and P/R/F1 for one label at one level."""

    label: str
    level: str
    tp: int = 0
    fp: int = 0
    fn: int = 0

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 0.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 0.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


@dataclass
class AttributionReport:
    """Scores per label and level, plus run metadata in `extra`."""

    scores: list[Score]
    extra: dict[str, Any] = field(default_factory=dict)

    def get(self, label: str, level: str) -> Score:
        return next(s for s in self.scores if s.label == label and s.level == level)

    def to_dict(self) -> dict[str, Any]:
        rows = [{**asdict(s), "precision": s.precision, "recall": s.recall, "f1": s.f1}
                for s in self.scores]
        return {"scores": rows, "extra": self.extra}

    def to_json(self, indent: int | None = 2) -> str:
        return json.dumps(self.to_dict(), indent=indent, ensure_ascii=False)

    def table(self) -> str:
        """Markdown table: one row per label and level, P/R/F1 in percent and counts."""
        lines = ["| label | level | P | R | F1 | tp | fp | fn |",
                 "|---|---|---:|---:|---:|---:|---:|---:|"]
        for s in self.scores:
            lines.append(f"| {s.label} | {s.level} | {100 * s.precision:.1f} | "
                         f"{100 * s.recall:.1f} | {100 * s.f1:.1f} | {s.tp} | {s.fp} | {s.fn} |")
        return "\n".join(lines)


def _pieces(attributions: Iterable[Attribution], label: str) -> set[Span]:
    return {span for a in attributions for span in getattr(a, label) if span[1] > span[0]}


class _Tokens:
    """The tokens of one text, to find those a span overlaps."""

    def __init__(self, text: str) -> None:
        spans = tokenize(text)
        self.starts = [s for s, _ in spans]
        self.ends = [e for _, e in spans]

    def covered(self, spans: Iterable[Span]) -> set[int]:
        """Indices of the tokens overlapping any of `spans`."""
        return {i for s, e in spans
                for i in range(bisect_right(self.ends, s), bisect_left(self.starts, e))}


def score(gold: Sequence[PolnearDocument],
          predicted: Sequence[Sequence[Attribution]]) -> AttributionReport:
    """Token-, exact- and overlap-level scores of `predicted` (one list per document)."""
    if len(gold) != len(predicted):
        raise ValueError(f"{len(predicted)} predictions for {len(gold)} documents")
    scores = {(lb, lv): Score(lb, lv) for lb in LABELS for lv in LEVELS}
    for doc, pred in zip(gold, predicted, strict=True):
        tokens = _Tokens(doc.text)
        for label in LABELS:
            g, p = _pieces(doc.attributions, label), _pieces(pred, label)
            gt, pt = tokens.covered(g), tokens.covered(p)
            _add(scores[label, "token"], len(gt & pt), len(pt), len(gt))
            g_trim = sorted({trim(doc.text, span) for span in g})
            p_trim = sorted({trim(doc.text, span) for span in p})
            exact = _match_exact(g_trim, p_trim)
            _add(scores[label, "exact"], len(exact), len(p_trim), len(g_trim))
            overlap = _match_overlap(tokens, g_trim, p_trim, exact)
            _add(scores[label, "overlap"], len(overlap), len(p_trim), len(g_trim))
    return AttributionReport(list(scores.values()))


def _add(s: Score, tp: int, predicted: int, gold: int) -> None:
    s.tp += tp
    s.fp += predicted - tp
    s.fn += gold - tp


def _match_exact(gold: list[Span], pred: list[Span]) -> dict[int, int]:
    """Pairs predicted index -> gold index of identical spans (both lists distinct)."""
    index = {span: i for i, span in enumerate(gold)}
    return {j: index[span] for j, span in enumerate(pred) if span in index}


def _match_overlap(tokens: _Tokens, gold: list[Span], pred: list[Span],
                   exact: dict[int, int]) -> dict[int, int]:
    """Exact pairs, then each other prediction with the free gold span sharing most tokens."""
    pairs = dict(exact)
    free = sorted(set(range(len(gold))) - set(exact.values()))
    gold_tokens = [tokens.covered([span]) for span in gold]
    for j, span in enumerate(pred):
        if j in pairs:
            continue
        mine = tokens.covered([span])
        best, shared = -1, 0
        for i in free:
            if len(mine & gold_tokens[i]) > shared:
                best, shared = i, len(mine & gold_tokens[i])
        if shared:
            pairs[j] = best
            free.remove(best)
    return pairs


def run(corpus: str | Path, split: str, extractor: Extractor,
        limit: int | None = None) -> AttributionReport:
    """Load a split, run `extractor` on it and score its attributions."""
    started = time.perf_counter()
    docs = load(corpus, split, limit)
    report = score(docs, extractor(docs))
    report.extra.update(split=split, documents=len(docs),
                        gold_attributions=sum(len(d.attributions) for d in docs),
                        skipped_gold=sum(d.skipped for d in docs),
                        seconds=round(time.perf_counter() - started, 1))
    return report


def as_document(pd: PolnearDocument) -> Document:
    """A PolNeAR article as a cleaned Storyline Document (text and offsets unchanged)."""
    text = pd.text
    doc = Document(source=pd.name, name=pd.name, raw=text, format="txt")
    doc.text = text
    doc.offsets = OffsetMap(((0, 0, len(text)),), len(text))
    doc.paragraphs = []
    for m in re.finditer(r"[^\n]+", text):
        start, end = trim_space(text, m.span())
        if end > start:
            doc.paragraphs.append(Paragraph(start, end, language="en"))
    doc.language = "en"
    doc.published = None
    return doc


def trim_space(text: str, span: Span) -> Span:
    """`span` without surrounding whitespace (empty when it is all whitespace)."""
    start, end = span
    chunk = text[start:end]
    start += len(chunk) - len(chunk.lstrip())
    return start, max(start, end - (len(chunk) - len(chunk.rstrip())))


def storyline_extractor() -> Extractor:
    """Extractor running Storyline's nlp stage and claim finder on each document."""
    from storyline.nlp import Recognizer

    rec = Recognizer()

    def extract(docs: Sequence[PolnearDocument]) -> list[list[Attribution]]:
        # Imported here: the claims module is newer than this harness.
        from storyline.events.attribution import (  # type: ignore[import-not-found,unused-ignore]
            find_claims,
        )

        out = []
        for pd in docs:
            doc = find_claims(rec(as_document(pd)))
            out.append([Attribution(source=(c.source_span,) if c.source_span else (),
                                    cue=(c.cue_span,), content=tuple(c.content))
                        for c in doc.claims])
        return out

    return extract
