"""The parse and mentions stages: spaCy's parses, then names, titles and time expressions
of each paragraph.

English (and other Latin-script) paragraphs go through the spaCy pipeline and the rule
layer of `storyline.nlp.entities` and `storyline.nlp.roles`; Arabic-script paragraphs
and Arabic runs inside English ones go through `storyline.actors.arabic`, which needs
no model. Every mention keeps its span in `Document.text`, and through the offset map
its span in the original input.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from storyline.actors.arabic import find_arabic_names
from storyline.model import Document, Mention, Paragraph, Role
from storyline.nlp import model
from storyline.nlp.entities import Found, find_entities
from storyline.nlp.roles import find_roles
from storyline.nlp.tokens import text_of

_ARABIC_RUN = re.compile(r"[\u0600-\u06FF\u0750-\u077F\u08A0-\u08FF\uFB50-\uFDFF\uFE70-\uFEFF]"
                         r"[\u0600-\u06FF\u0750-\u077F\u08A0-\u08FF\uFB50-\uFDFF\uFE70-\uFEFF"
                         r"\s\u200c\u200d\u0640]*")

__all__ = ["recognize", "tense_of"]


class Recognizer:
    """Both stages as a callable: `Recognizer(nlp)(doc)` parses the document and fills
    mentions and roles (`parse_batch` and `finish` are the two stages apart).

    `gazetteer` holds person names already known (from the store or an alias file), so
    an Arabic-script name in an Arabic-only article can be linked to a known person.
    """

    def __init__(self, nlp: Any = None, gazetteer: Iterable[str] = ()) -> None:
        self._nlp = nlp
        self.gazetteer: list[str] = list(gazetteer)

    @property
    def nlp(self) -> Any:
        if self._nlp is None:
            self._nlp = model.load()
        return self._nlp

    def __call__(self, doc: Document) -> Document:
        result = self.batch([doc])[0]
        if isinstance(result, Exception):
            raise result
        return result

    def batch(self, docs: list[Document]) -> list[Document | Exception]:
        """The stage on several documents at once: their paragraphs go through spaCy in
        one `nlp.pipe` call, which is faster than one call per document (the model works
        on batches; short documents, such as one-sentence paragraphs, gain most). Each
        document is then finished alone: one that fails gets its exception in its place
        in the result, and the others are kept."""
        self.parse_batch(docs)
        return self.finish_batch(docs)

    def parse(self, doc: Document) -> Document:
        """`parse_batch` for one document."""
        self.parse_batch([doc])
        return doc

    def parse_batch(self, docs: list[Document]) -> list[Document | Exception]:
        """The language model's part of the stage: each document's left-to-right
        paragraphs parsed in one `nlp.pipe` call, the parses in `Document.analyses` as
        `(paragraph start, parse)`. The rules (`finish`) need no model and can run in
        another process (`storyline.nlp.model.pack_parses`)."""
        latin = [_latin(doc) for doc in docs]
        texts = [doc.text[p.start:p.end] for doc, paras in zip(docs, latin, strict=True)
                 for _, p in paras]
        analyses = iter(list(self.nlp.pipe(texts)) if texts else [])
        out: list[Document | Exception] = []
        for doc, paras in zip(docs, latin, strict=True):
            doc.analyses = [(p.start, next(analyses)) for _, p in paras]
            out.append(doc)
        return out

    def finish_batch(self, docs: list[Document]) -> list[Document | Exception]:
        """`finish` on each document: one that fails gets its exception in its place."""
        out: list[Document | Exception] = []
        for doc in docs:
            try:
                out.append(self.finish(doc))
            except (KeyboardInterrupt, SystemExit):
                raise
            except Exception as exc:  # handed back, named by the caller
                out.append(exc)
        return out

    def finish(self, doc: Document) -> Document:
        """The rule layer on a parsed document (`parse_batch`): names, titles, time
        expressions, Arabic names."""
        latin = _latin(doc)
        if len(latin) != len(doc.analyses):
            raise ValueError(f"{len(doc.analyses)} parses for {len(latin)} paragraphs")
        doc.mentions, doc.roles = [], []
        for (k, para), (_, sdoc) in zip(latin, doc.analyses, strict=True):
            self._paragraph(doc, k, para, sdoc)
        known = [m.text for m in doc.mentions if m.kind == "person"
                 and m.method != "rule:title-only"] + self.gazetteer
        for k, para in enumerate(doc.paragraphs):
            self._arabic(doc, k, para, known)
        _reindex(doc)
        return doc

    def _paragraph(self, doc: Document, k: int, para: Paragraph, sdoc: Any) -> None:
        language = para.language or doc.language or "en"
        found = find_entities(sdoc, dateline=doc.dateline,
                              english=language.split("-")[0].lower() == "en")
        roles, title_only = find_roles(sdoc, found)
        base = len(doc.mentions)
        for f in found:
            mention = Mention(para.start + f.start, para.start + f.end,
                              text_of(sdoc)[f.start:f.end], f.kind, f.method, k, language)
            if f.long_form is not None:
                mention.long_form = base + f.long_form
            if f.kind == "time":
                mention.tense = tense_of(sdoc, f)
            doc.mentions.append(mention)
        for role in roles:
            org_mention = None
            if role.organization_span:
                a, b = role.organization_span
                org_mention = _best_inside(found, a, b, base)
            doc.roles.append(Role(
                base + role.person, role.title, para.start + role.start,
                para.start + role.end, role.organization, org_mention, role.qualifier,
                doc.published))
        for f in title_only:
            doc.mentions.append(Mention(para.start + f.start, para.start + f.end,
                                        text_of(sdoc)[f.start:f.end], "person", f.method, k,
                                        language))

    def _arabic(self, doc: Document, k: int, para: Paragraph, known: list[str]) -> None:
        text = doc.text
        if para.direction == "rtl":
            runs = [(para.start, para.end)]
        else:
            runs = [(m.start(), m.end())
                    for m in _ARABIC_RUN.finditer(text, para.start, para.end)]
        for a, b in runs:
            for name in find_arabic_names(text, a, b, known):
                doc.mentions.append(Mention(name.start, name.end, name.text, "person",
                                            f"rule:arabic-{name.method}", k, "ar"))


def _latin(doc: Document) -> list[tuple[int, Paragraph]]:
    """The paragraphs the language model parses (all but right-to-left ones), by index."""
    return [(k, p) for k, p in enumerate(doc.paragraphs) if p.direction != "rtl"]


def _best_inside(found: list[Found], a: int, b: int, base: int) -> int | None:
    """The organization mention inside an organization phrase, else its country."""
    inside = [j for j, f in enumerate(found) if f.start >= a and f.end <= b
              and f.kind in ("organization", "place", "group")]
    for kind in ("organization", "place", "group"):
        for j in inside:
            if found[j].kind == kind:
                return base + j
    return None


def _reindex(doc: Document) -> None:
    """Mentions were sorted by position: renumber the indices that point at them."""
    order = sorted(range(len(doc.mentions)), key=lambda i: doc.mentions[i].start)
    if order == list(range(len(doc.mentions))):
        return
    new_index = {old_i: new_i for new_i, old_i in enumerate(order)}
    mentions = [doc.mentions[i] for i in order]
    for m in mentions:
        if m.long_form is not None:
            m.long_form = new_index[m.long_form]
    for r in doc.roles:
        r.person = new_index[r.person]
        if r.organization_mention is not None:
            r.organization_mention = new_index[r.organization_mention]
    doc.mentions = mentions


def tense_of(sdoc: Any, found: Found) -> str:
    """Tense of the clause a time expression modifies: past, present or future."""
    tok = sdoc[found.ts:found.te].root
    for _ in range(8):
        if tok.pos_ in ("VERB", "AUX") or tok.head is tok:
            break
        tok = tok.head
    verb = tok
    auxes = [c for c in verb.children if c.dep_ in ("aux", "auxpass")]
    words = {a.lower_ for a in auxes}
    if words & {"will", "shall", "'ll", "wo"} or "going" in words:
        return "future"
    if verb.tag_ == "VBD" or any(a.tag_ == "VBD" for a in auxes) or words & {"has", "have",
                                                                              "had"}:
        return "past"
    if verb.tag_ in ("VBZ", "VBP", "VBG") and verb.lemma_ in ("be",) and any(
            c.dep_ == "xcomp" and c.tag_ == "VB" for c in verb.children):
        return "future"  # "is due to reopen", "is expected to meet"
    if verb.tag_ == "VB" and any(a.lemma_ in ("would", "could", "may", "might") for a in auxes):
        return "future"
    return "present" if verb.tag_ in ("VBZ", "VBP") else "past"
