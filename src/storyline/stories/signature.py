"""The signature stage: what a document is about, as weighted keys for story clustering.

A signature counts the content words of the body (spaCy lemmas of nouns, names, verbs,
adjectives and numbers, stop words left out). The store adds the document's actors and
weighs every key by how rare it is (`storyline.stories.cluster`).
"""

from __future__ import annotations

from collections import Counter

from storyline.model import Document
from storyline.nlp.tokens import columns
from storyline.stories.rules import story_rules


def sign_document(doc: Document) -> Document:
    """Fill `doc.terms` from the parses the nlp stage left in `doc.analyses`."""
    rules = story_rules()
    kinds = {p.start: p.kind for p in doc.paragraphs}
    terms: Counter[str] = Counter()
    for base, sdoc in doc.analyses:
        if kinds.get(base, "body") not in rules.paragraph_kinds:
            continue
        cols = columns(sdoc)
        for skip, pos, lemma in zip(cols.stop_or_punct, cols.pos, cols.lemmas, strict=True):
            if skip or pos not in rules.parts_of_speech:
                continue
            lemma = lemma.strip()
            if len(lemma) < rules.min_length or not any(ch.isalnum() for ch in lemma):
                continue
            terms[lemma] += 1
    doc.terms = dict(terms)
    return doc
