"""The claims stage: who says, reports or thinks what, on whose authority.

Each cue (a verb from data/attribution.yaml, or a phrase such as "according to") is read
off the dependency parse: its subject is the source, its clausal complement (or the
clause it is attached to, or the quotation next to it) is the content. Quotations with
no cue of their own continue the claim next to them in the paragraph. "X cited Y as
saying ..." gives two claims, the second carried by the first (`Claim.via`), so a chain
of authority can be read back to the outlet. A source that is a pronoun or a
description of an earlier source ("the agency", "it") points at that claim
(`source_ref`), and a source named through its channel ("the prime minister's
statement") is the owner, with the channel kept.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from typing import Any

from storyline.clean.rules import load_data
from storyline.events.parse import MentionIndex, child, last_person, paragraph_index
from storyline.model import Claim, Document, Span
from storyline.nlp.tokens import columns, text_of

_QUOTE = re.compile(r"[\"“”„«»]")
_PUNCT = " \t\n,;:.—–-"
_OPENERS = "\"“„«"


@dataclass(frozen=True)
class CueLexicon:
    """data/attribution.yaml, loaded."""

    verbs: dict[str, dict[str, str]]
    phrases: dict[str, dict[str, str]]
    channels: frozenset[str]
    unnamed: frozenset[str]
    person_pronouns: frozenset[str]
    any_pronouns: frozenset[str]


@cache
def lexicon() -> CueLexicon:
    data = load_data("attribution.yaml")
    return CueLexicon(
        verbs={k: dict(v or {}) for k, v in data["verbs"].items()},
        phrases={k: dict(v or {}) for k, v in data["phrases"].items()},
        channels=frozenset(data["channels"]),
        unnamed=frozenset(data["unnamed"]),
        person_pronouns=frozenset(data["pronouns"]["person"]),
        any_pronouns=frozenset(data["pronouns"]["any"]))


def find_claims(doc: Document) -> Document:
    """Fill `doc.claims` from the spaCy parses the parse stage left in `doc.analyses`."""
    doc.claims = []
    index = MentionIndex(doc)
    for para_start, sdoc in doc.analyses:
        _Paragraph(doc, para_start, sdoc, index).read()
    _resolve_references(doc)
    return doc


class _Paragraph:
    """The claims of one paragraph."""

    def __init__(self, doc: Document, base: int, sdoc: Any, index: MentionIndex) -> None:
        self.doc, self.base, self.sdoc, self.index = doc, base, sdoc, index
        self.lex = lexicon()
        self.quotes = _quotations(text_of(sdoc))
        self.first = len(doc.claims)
        self.paragraph = paragraph_index(doc, base)

    def read(self) -> None:
        cols = columns(self.sdoc)
        lowers, deps, n = cols.lowers, cols.deps, len(cols.lowers)
        for i, (low, pos, lemma) in enumerate(zip(lowers, cols.pos, cols.lemmas,
                                                  strict=True)):
            if low == "according" and i + 1 < n and lowers[i + 1] == "to":
                self._according(self.sdoc[i])
            elif low in ("citing", "quoting") and deps[i] in ("advcl", "prep", "xcomp",
                                                              "acl"):
                self._citing(self.sdoc[i])
            elif pos == "VERB" and lemma in self.lex.verbs \
                    and deps[i] not in ("amod", "compound"):
                self._verb(self.sdoc[i])
        self._attach_quotes()

    # --- cues ------------------------------------------------------------------------

    def _verb(self, cue: Any) -> None:
        entry = self.lex.verbs[cue.lemma_.lower()]
        if cue.dep_ == "pcomp" and cue.head.lower_ == "as":
            return  # "as saying": read with the citing verb
        saying = next((c for c in cue.children if c.lower_ == "as"
                       and any(g.lemma_ in self.lex.verbs for g in c.children)), None)
        content = self._whole_quotes(self._content_of(cue))
        if not content and saying is not None:
            # "cited an official as saying that ...": the content hangs from "saying"
            said = next(g for g in saying.children if g.lemma_ in self.lex.verbs)
            comp = child(said, "ccomp")
            if comp is not None:
                content = self._pieces([t.i for t in comp.subtree])
        if not content:
            return
        source_tok = child(cue, "nsubj") or _agent(cue)
        if source_tok is not None and source_tok.tag_ in ("WDT", "WP") and cue.dep_ == "relcl":
            source_tok = cue.head  # "a report that said": the report
        if source_tok is None and cue.dep_ == "conj" and child(cue, "auxpass") is None \
                and child(cue, "nsubjpass") is None:
            source_tok = child(cue.head, "nsubj")  # "emphasized ... and affirmed that"
        inherited = None
        if source_tok is None and cue.dep_ in ("advcl", "conj", "xcomp", "parataxis"):
            inherited = self._ancestor_claim(cue)
        claim = Claim(cue=self._cue_text(cue), cue_span=self._cue_span(cue), content=content,
                      kind=entry.get("kind", "speech"),
                      stance=entry.get("stance", "neutral"), paragraph=self.paragraph)
        if source_tok is not None:
            self._set_source(claim, source_tok)
        elif inherited is not None:
            parent = self.doc.claims[inherited]
            claim.source, claim.source_span = parent.source, parent.source_span
            claim.source_mention, claim.source_ref = parent.source_mention, inherited
        claim.direct = self._direct(content)
        self._set_channel(claim, cue)
        index = self._add(claim)
        cited = child(cue, "dobj")
        if cited is not None and saying is not None and cue.lemma_ in ("cite", "quote"):
            inner = Claim(cue=f"as {next(iter(saying.children)).text}",
                          cue_span=self._span(saying.i, saying.right_edge.i + 1),
                          content=list(content), kind="speech", paragraph=self.paragraph,
                          direct=claim.direct, via=index)
            self._set_source(inner, cited)
            self._add(inner)

    def _according(self, tok: Any) -> None:
        to = self.sdoc[tok.i + 1]
        pobj = child(to, "pobj")
        if pobj is None:
            return
        clause = tok.head
        skip = set(range(tok.i, max(tok.right_edge.i, pobj.right_edge.i) + 1))
        content = self._pieces([t.i for t in _clause_tokens(clause) if t.i not in skip])
        if not content:
            return
        claim = Claim(cue="according to", cue_span=self._span(tok.i, tok.i + 2),
                      content=content, kind="speech", paragraph=self.paragraph)
        self._set_source(claim, pobj)
        claim.direct = self._direct(content)
        self._add(claim)

    def _citing(self, tok: Any) -> None:
        obj = child(tok, "dobj") or child(tok, "pobj")
        if obj is None:
            return
        clause = tok.head
        skip = set(range(tok.left_edge.i, tok.right_edge.i + 1))
        content = self._pieces([t.i for t in _clause_tokens(clause) if t.i not in skip])
        if not content:
            return
        claim = Claim(cue=tok.text, cue_span=self._span(tok.i, tok.i + 1), content=content,
                      kind="report", paragraph=self.paragraph)
        self._set_source(claim, obj)
        self._add(claim)

    # --- parts -----------------------------------------------------------------------

    def _content_of(self, cue: Any) -> list[Span]:
        """The clause or quotation the cue attributes, as spans of the document text."""
        for dep in ("ccomp", "xcomp"):
            comp = child(cue, dep)
            if comp is not None and not (dep == "xcomp" and comp.pos_ not in ("VERB", "AUX")):
                return self._pieces([t.i for t in comp.subtree], mark=comp)
        if self._quoted(cue.idx):
            return []  # inside a quotation only a clausal complement is read
        obj = child(cue, "dobj")
        if obj is not None and any(qa in (obj.left_edge.idx, obj.left_edge.idx - 1)
                                   for qa, _ in self.quotes):
            return self._pieces([t.i for t in obj.subtree])
        if cue.dep_ in ("parataxis", "ccomp", "advcl") and cue.head.pos_ in ("VERB", "AUX") \
                and cue.head.lemma_.lower() not in self.lex.verbs and cue.i > cue.head.i:
            # "The talks will reaffirm ..., the statement added": the clause it interrupts
            own = {t.i for t in cue.subtree}
            return self._pieces([t.i for t in cue.head.subtree if t.i not in own])
        sent = cue.sent
        quotes = [q for q in self.quotes if sent.start_char <= q[0] < sent.end_char]
        return [self._doc_span(a, b) for a, b in quotes]

    def _whole_quotes(self, content: list[Span]) -> list[Span]:
        """A content that opens a quotation runs to its end, over sentence breaks."""
        out = []
        for a, b in content:
            for qa, qb in self.quotes:
                if self.base + qa == a and self.base + qb > b:
                    b = self.base + qb
            out.append((a, b))
        return out

    def _pieces(self, indices: Iterable[int], mark: Any = None) -> list[Span]:
        """Contiguous runs of tokens as document spans, trimmed of outer punctuation."""
        idx = sorted(set(indices))
        runs: list[list[int]] = []
        for i in idx:
            if runs and i == runs[-1][-1] + 1:
                runs[-1].append(i)
            else:
                runs.append([i])
        spans = []
        for run in runs:
            a = self.sdoc[run[0]].idx
            last = self.sdoc[run[-1]]
            b = last.idx + len(last.text)
            a, b = self._trim(a, b)
            if b > a:
                spans.append(self._doc_span(a, b))
        return spans

    def _trim(self, a: int, b: int) -> tuple[int, int]:
        text = text_of(self.sdoc)
        while a < b and text[a] in _PUNCT:
            a += 1
        while b > a and text[b - 1] in _PUNCT:
            b -= 1
        # Keep a quotation whole: its marks belong to the quoted content.
        for qa, qb in self.quotes:
            if qa < a < qb and a - qa <= 1:
                a = qa
            if qa < b < qb and qb - b <= 2:
                b = qb
        return a, b

    def _set_source(self, claim: Claim, tok: Any) -> None:
        """Source phrase, its actor mention, and the channel when the phrase names one."""
        lo, hi = tok.left_edge.i, tok.right_edge.i + 1
        # A relative clause or apposition after the head is not part of the source name.
        for dep in tok.rights:
            if dep.i > tok.i and (dep.dep_ in ("relcl", "acl")
                                    or (dep.dep_ == "punct" and dep.text == ",")):
                hi = min(hi, dep.left_edge.i)
                break
        a, b = self._trim(self.sdoc[lo].idx, self.sdoc[hi - 1].idx + len(self.sdoc[hi - 1]))
        while a < b and _QUOTE.match(text_of(self.sdoc)[a]):
            a += 1
        claim.source_span = self._doc_span(a, b)
        claim.source = self.doc.text[claim.source_span[0]:claim.source_span[1]]
        owner = tok
        if tok.lemma_.lower() in self.lex.channels:
            claim.channel = tok.text
            claim.channel_span = self._span(tok.i, tok.i + 1)
            inner = next((c for c in tok.children if c.dep_ == "poss"), None)
            if inner is None:
                for prep in tok.children:
                    if prep.dep_ == "prep" and prep.lower_ in ("from", "by", "of"):
                        inner = child(prep, "pobj")
                        break
            if inner is not None:
                owner = inner
                a, b = self._trim(self.sdoc[inner.left_edge.i].idx,
                                  inner.right_edge.idx + len(inner.right_edge))
                if inner.dep_ == "poss" and text_of(self.sdoc)[b - 2:b] in ("’s", "'s"):
                    b -= 2
                claim.source_span = self._doc_span(a, b)
                claim.source = self.doc.text[claim.source_span[0]:claim.source_span[1]]
            self._platform(claim, tok)
        claim.source_mention = self._mention_for(owner)
        if claim.source_mention is None:
            claim.source_mention = self._named_elsewhere(claim.source)

    def _set_channel(self, claim: Claim, cue: Any) -> None:
        for dep in cue.children:
            if dep.dep_ == "prep" and dep.lower_ in ("in", "on", "via", "during"):
                pobj = child(dep, "pobj")
                if pobj is not None and pobj.lemma_.lower() in self.lex.channels:
                    claim.channel = pobj.text
                    claim.channel_span = self._span(pobj.i, pobj.i + 1)
                    self._platform(claim, pobj)
            if dep.dep_ in ("dobj", "dative") and cue.lemma_ == "tell" \
                    and dep.lemma_.lower() in ("reporter", "journalist", "press", "medium"):
                claim.channel = "remarks to " + dep.text
                claim.channel_span = self._span(dep.i, dep.i + 1)
        if claim.channel is None:
            self._platform(claim, cue)

    def _platform(self, claim: Claim, head: Any) -> None:
        for prep in head.children:
            if prep.dep_ == "prep" and prep.lower_ == "on":
                pobj = child(prep, "pobj")
                if pobj is None:
                    continue
                m = self._mention_at(pobj.idx, kinds=("platform",))
                if m is not None or pobj.lemma_.lower().rstrip(".") in self.lex.channels:
                    name = self.doc.mentions[m].text if m is not None else pobj.text.rstrip(".")
                    claim.channel = f"{claim.channel} on {name}" if claim.channel else name
                    claim.channel_span = self._span(pobj.i, pobj.i + 1)

    def _named_elsewhere(self, source: str | None) -> int | None:
        """A bare name the model missed here ("Sharaa told") that it found elsewhere."""
        if not source or not source[:1].isupper() or len(source.split()) > 3:
            return None
        words = source.lower().split()
        if words[0] in ("the", "a", "an", "it", "he", "she", "they", "we", "i"):
            return None
        for k, m in enumerate(self.doc.mentions):
            if m.kind in ("person", "organization") and \
                    m.text.lower().split()[-len(words):] == words:
                return k
        return None

    def _mention_for(self, tok: Any) -> int | None:
        """The actor mention a source phrase names: its head's, else its owner's."""
        m = self._mention_at(tok.idx)
        if m is not None:
            return m
        for dep in tok.children:
            if dep.dep_ in ("poss", "compound", "appos", "amod", "nmod"):
                m = self._mention_at(dep.idx)
                if m is not None and self.doc.mentions[m].kind in ("person", "organization"):
                    return m
        for dep in tok.children:
            if dep.dep_ == "appos":
                return self._mention_for(dep)
        return None

    def _mention_at(self, char: int, kinds: tuple[str, ...] | None = None) -> int | None:
        if kinds is None:
            return self.index.at(self.base + char)
        return self.index.at(self.base + char, kinds)

    def _ancestor_claim(self, cue: Any) -> int | None:
        """The claim of the nearest speech verb above this one ("..., adding that")."""
        tok = cue.head
        for _ in range(6):
            for k in range(len(self.doc.claims) - 1, self.first - 1, -1):
                c = self.doc.claims[k]
                if c.kind != "belief" and c.cue_span == self._span(tok.i, tok.i + 1):
                    return k
            if tok.head.i == tok.i:
                break
            tok = tok.head
        return None

    def _cue_text(self, cue: Any) -> str:
        span = self._cue_span(cue)
        return self.doc.text[span[0]:span[1]]

    def _cue_span(self, cue: Any) -> Span:
        lo = hi = cue.i
        for dep in cue.children:
            if dep.dep_ in ("neg", "prt") and abs(dep.i - cue.i) <= 3:
                lo, hi = min(lo, dep.i), max(hi, dep.i)
        return self._span(lo, hi + 1)

    def _direct(self, content: list[Span]) -> bool:
        text = self.doc.text
        return any(_QUOTE.match(text[a]) is not None and _QUOTE.match(text[b - 1]) is not None
                   for a, b in content if b - a >= 2)

    def _quoted(self, char: int) -> bool:
        return any(a <= char < b for a, b in self.quotes)

    def _add(self, claim: Claim) -> int:
        self.doc.claims.append(claim)
        return len(self.doc.claims) - 1

    def _attach_quotes(self) -> None:
        """A quotation no claim covers continues the claim next to it in the paragraph."""
        mine = self.doc.claims[self.first:]
        if not mine:
            return
        for qa, qb in self.quotes:
            a, b = self._doc_span(qa, qb)
            if any(ca <= a < cb or a <= ca < b for c in mine for ca, cb in c.content):
                continue
            before = [c for c in mine if c.cue_span[0] < a and c.kind != "belief"]
            after = [c for c in mine if c.cue_span[0] >= b and c.kind != "belief"]
            claim = before[-1] if before else (after[0] if after else None)
            if claim is not None:
                claim.content = sorted([*claim.content, (a, b)])
                claim.direct = claim.direct or self._direct([(a, b)])

    # --- offsets -----------------------------------------------------------------------

    def _span(self, i: int, j: int) -> Span:
        a = self.sdoc[i].idx
        last = self.sdoc[j - 1]
        return self.base + a, self.base + last.idx + len(last.text)

    def _doc_span(self, a: int, b: int) -> Span:
        return self.base + a, self.base + b


def _agent(tok: Any) -> Any:
    by = next((c for c in tok.children if c.dep_ == "agent"), None)
    return child(by, "pobj") if by is not None else None


def _clause_tokens(head: Any) -> list[Any]:
    """The tokens of the clause a cue hangs from (the whole sentence for a root)."""
    tok = head
    while tok.dep_ not in ("ROOT", "ccomp", "conj", "advcl", "relcl") and tok.head.i != tok.i:
        tok = tok.head
    return list(tok.subtree)


def _quotations(text: str) -> list[tuple[int, int]]:
    """Quoted stretches of a paragraph (marks included), paired in order."""
    spans = []
    start: int | None = None
    for m in _QUOTE.finditer(text):
        ch = m.group()
        if start is None:
            if ch in _OPENERS or ch == "\"":
                start = m.start()
        elif ch in "\"”»" or (ch == "“" and m.start() - start > 1):
            spans.append((start, m.end()))
            start = None
    return [(a, b) for a, b in spans if b - a > 3]


def _resolve_references(doc: Document) -> None:
    """Pronoun and descriptive sources ("he", "the agency") point at an earlier source."""
    lex = lexicon()
    for k, claim in enumerate(doc.claims):
        if claim.source is None or claim.source_ref is not None:
            continue
        words = claim.source.lower().split()
        head = words[-1] if words else ""
        if claim.source_mention is not None and len(words) > 1:
            continue
        target = None
        if head in lex.person_pronouns or head in lex.any_pronouns:
            want = "person" if head in lex.person_pronouns else None
            target = _last_source(doc, k, want, None)
            if target is None and want == "person":
                m = last_person(doc.mentions, claim.source_span[0] if claim.source_span
                                 else 0)
                if m is not None:
                    claim.source_mention = m
        elif words and words[0] in ("the", "this", "that") and claim.source_mention is None:
            target = _last_source(doc, k, None, head)
        if target is not None:
            claim.source_ref = target
            if claim.source_mention is None:
                claim.source_mention = doc.claims[target].source_mention


def _last_source(doc: Document, k: int, kind: str | None, noun: str | None) -> int | None:
    for j in range(k - 1, -1, -1):
        other = doc.claims[j]
        if other.source is None:
            continue
        if noun is not None:
            said = (other.source + " " + (other.channel or "")).lower()
            if noun not in said.split():
                continue
        if kind is not None and (other.source_mention is None
                                 or doc.mentions[other.source_mention].kind != kind):
            continue
        return j
    return None
