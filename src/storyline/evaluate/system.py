"""Storyline's own entity and time extraction as an ECB+ extractor, and the runner.

ECB+ texts are already tokenized and split into sentences, so the cleaning stages are
skipped: each sentence is one paragraph of a Document whose text is the ECB+ text, and
the nlp, time and entities stages run on it as they do on any article.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from storyline.actors.local import group_mentions
from storyline.evaluate.ecbplus import SPLITS, EcbDocument, load
from storyline.evaluate.entities import (
    BatchExtractor,
    EntityReport,
    PredictedSpan,
    evaluate_batch,
    spacy_baseline_batch_extractor,
)
from storyline.model import Document, Paragraph
from storyline.nlp import Recognizer
from storyline.offsets import OffsetMap
from storyline.time.stage import normalize_times

#: Storyline mention kinds scored against ECB+ categories (durations are not times).
KIND_TO_CATEGORY = {"person": "person", "organization": "organization", "place": "place",
                    "platform": "organization", "time": "time", "group": "group"}


def as_document(ecb: EcbDocument, *, article_only: bool = False) -> Document:
    """An ECB+ document as a cleaned Storyline Document (one paragraph per sentence).

    With `article_only`, the URL that the corpus puts as sentence 0 of every "ecbplus"
    text (and of no "ecb" text) becomes the document's source instead of a paragraph:
    a reader takes an article's address as metadata, and as text its tokens ("http",
    "www", "com") would tell the two halves of a topic apart for no real reason.
    """
    url = ecb.url if article_only else None
    doc = Document(source=url or ecb.name, name=ecb.name, raw=ecb.text, format="txt")
    doc.text = ecb.text
    doc.offsets = OffsetMap(((0, 0, len(ecb.text)),), len(ecb.text))
    sentences = ecb.article_sentences if article_only else ecb.sentences
    doc.paragraphs = [Paragraph(s, e, language="en") for s, e in sentences if e > s]
    doc.language = "en"
    return doc


def storyline_batch_extractor(recognizer: Recognizer | None = None) -> BatchExtractor:
    """Extractor running Storyline's nlp, time and entities stages."""
    rec = recognizer or Recognizer()

    def extract_many(docs: Sequence[EcbDocument]) -> list[list[PredictedSpan]]:
        out = []
        for ecb in docs:
            doc = group_mentions(normalize_times(rec(as_document(ecb))))
            out.append([PredictedSpan(m.start, m.end, KIND_TO_CATEGORY[m.kind])
                        for m in doc.mentions if m.kind in KIND_TO_CATEGORY])
        return out

    return extract_many


def run(corpus: str | Path, split: str, system: str = "storyline") -> EntityReport:
    """Score `system` ("storyline" or "spacy", the bare model) on an ECB+ split."""
    if split not in SPLITS:
        raise ValueError(f"unknown split {split!r}; splits: {', '.join(sorted(SPLITS))}")
    rec = Recognizer()
    started = time.perf_counter()
    extractor: Any = (storyline_batch_extractor(rec) if system == "storyline"
                      else spacy_baseline_batch_extractor(rec.nlp))
    report = evaluate_batch(load(corpus, SPLITS[split]), extractor)
    report.extra.update(split=split, system=system,
                        seconds=round(time.perf_counter() - started, 1))
    return report
