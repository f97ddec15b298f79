"""Named entities: the spaCy model's spans, corrected by rules kept in data/entities.yaml.

The small English model makes errors that matter for news about the Arab world; each
rule below fixes one kind, and tests/test_nlp.py has a case for each:

* spans that run across a sentence end ("X. The") are cut at it;
* a dateline glued to a name ("Kurdistan Region - Hamid al-Shatri") is split at the dash;
* names cut at an apostrophe ("Mohammed Shia" + "’ al-Sudani", "Hay’at" + "Tahrir
  al-Sham") are joined again;
* a possessive ("al-Shatri’s"), a leading "the" and trailing punctuation are trimmed;
* titles at the start of a person span ("President al-Sharaa") are left to the roles;
* social networks ("on X"), outlets ("Shafaq News") and towns ("al-Qaim town") get the
  right kind, whatever label the model gave them;
* all-capital acronyms the model missed (INIS, HTS) become organization mentions, and
  an acronym in brackets after a name is linked to it as its long form;
* spans with Arabic letters or no letters at all (the model's junk on Arabic) are dropped.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from typing import Any

from storyline.actors.names import is_acronym_of, is_arabic
from storyline.clean.rules import load_data
from storyline.nlp.tokens import text_of, words_of

_APOSTROPHES = "’'ʼ`"
_POSSESSIVE = re.compile(r"(?:['’]s|s['’]|['’])$")
_DASHES = {"-", "–", "—"}
_INNER_APOSTROPHE = re.compile(r"\w['’ʼ](?!s\b)\w")
_ACRONYM = re.compile(r"^[A-Z][A-Z0-9&]{1,6}$")


@dataclass(frozen=True, eq=False)
class EntityRules:
    """The lexicons of data/entities.yaml, ready to use."""

    labels: dict[str, str]
    platforms: frozenset[str]
    outlet_words: frozenset[str]
    place_nouns: frozenset[str]
    place_of: frozenset[str]
    not_acronyms: frozenset[str]
    acronym_places: frozenset[str]
    title_prefixes: frozenset[str]
    particles: frozenset[str]
    other_articles: frozenset[str]
    other_connectors: frozenset[str]


@cache
def entity_rules() -> EntityRules:
    data = load_data("entities.yaml")
    return EntityRules(
        labels=dict(data["labels"]),
        platforms=frozenset(data["platforms"]),
        outlet_words=frozenset(data["outlet_words"]),
        place_nouns=frozenset(w.lower() for w in data["place_nouns"]),
        place_of=frozenset(w.lower() for w in data["place_of"]),
        not_acronyms=frozenset(data["not_acronyms"]),
        acronym_places=frozenset(data["acronym_places"]),
        title_prefixes=frozenset(data["title_prefixes"]),
        particles=frozenset(w.lower() for w in data["name_particles"]),
        other_articles=frozenset(data["other_language_articles"]),
        other_connectors=frozenset(data["other_language_connectors"]),
    )


@dataclass
class Found:
    """A mention found in one paragraph: token span, char span (paragraph-relative)."""

    ts: int
    te: int
    label: str  # spaCy label, or the rule's own (ORG for acronyms)
    kind: str
    method: str
    start: int = 0
    end: int = 0
    long_form: int | None = None  # index into the list of Found, for acronyms


def find_entities(sdoc: Any, *, dateline: str | None = None, english: bool = True
                  ) -> list[Found]:
    """The corrected name and time mentions of one paragraph's spaCy Doc (`english`:
    the paragraph's language is English; otherwise only name-shaped names are kept)."""
    rules = entity_rules()
    spans = [Found(e.start, e.end, e.label_, rules.labels[e.label_], f"spacy:{e.label_}")
             for e in sdoc.ents if e.label_ in rules.labels]
    spans = _cut_at_sentences(sdoc, spans)
    spans = _split_at_dashes(sdoc, spans, dateline)
    spans = _join_across_apostrophes(sdoc, spans)
    for s in spans:
        _extend_over_apostrophe(sdoc, s, rules)
    spans = [s for s in (_trim(sdoc, s, rules) for s in spans) if s is not None]
    if not english:
        spans = [s for s in (_name_shaped(sdoc, s, rules) for s in spans) if s is not None]
    for s in spans:
        _retype(sdoc, s, rules)
    spans += _platform_mentions(sdoc, spans, rules)
    spans += _acronyms(sdoc, spans, rules)
    spans.sort(key=lambda s: s.start)
    _link_long_forms(sdoc, spans)
    return spans


def _cut_at_sentences(sdoc: Any, spans: list[Found]) -> list[Found]:
    out = []
    for s in spans:
        end = s.te
        for i in range(s.ts + 1, s.te):
            if sdoc[i].is_sent_start or (sdoc[i - 1].text.endswith(".") and
                                         len(sdoc[i - 1].text) <= 3 and sdoc[i - 1].whitespace_
                                         and sdoc[i].lower_ in ("the", "a", "an", "it", "he",
                                                                "she", "they", "this")):
                end = i
                break
        s.te = end
        out.append(s)
    return out


def _split_at_dashes(sdoc: Any, spans: list[Found], dateline: str | None) -> list[Found]:
    """A spaced dash inside a span separates two names (usually a dateline and a name)."""
    out: list[Found] = []
    for s in spans:
        cut = next((i for i in range(s.ts + 1, s.te - 1)
                    if sdoc[i].text in _DASHES and sdoc[i - 1].whitespace_
                    and sdoc[i].whitespace_), None)
        if cut is None:
            out.append(s)
            continue
        left_text = sdoc[s.ts:cut].text
        left_kind = "place" if (dateline and left_text in dateline) or s.label in (
            "GPE", "LOC") else s.kind
        out.append(Found(s.ts, cut, s.label, left_kind, s.method + "+split-dash"))
        right = Found(cut + 1, s.te, s.label, s.kind, s.method + "+split-dash")
        if s.label in ("GPE", "LOC", "FAC") and _looks_like_person(sdoc, cut + 1, s.te):
            right.kind, right.label = "person", "PERSON"
        out.append(right)
    return out


def _looks_like_person(sdoc: Any, ts: int, te: int) -> bool:
    words = [t.text.lower() for t in sdoc[ts:te] if t.text not in _DASHES]
    return len(words) >= 2 and any(w in entity_rules().particles for w in words)


def _join_across_apostrophes(sdoc: Any, spans: list[Found]) -> list[Found]:
    """Join spans separated by an apostrophe or capitalized words the model left out."""
    out: list[Found] = []
    for s in spans:
        if out and s.kind != "time" and out[-1].kind != "time":
            prev = out[-1]
            gap = sdoc[prev.te:s.ts]
            last = sdoc[prev.te - 1].text
            cut_at_apostrophe = (
                last[-1:] in _APOSTROPHES
                or (len(gap) > 0 and gap[0].text in _APOSTROPHES)
                or (prev.te - prev.ts == 1 and _INNER_APOSTROPHE.search(last) is not None))
            gap_ok = len(gap) <= 2 and all(
                t.text in _APOSTROPHES or (t.pos_ == "PROPN" and t.text[:1].isupper()
                                           and t.text not in entity_rules().title_prefixes)
                for t in gap)
            if cut_at_apostrophe and gap_ok and not any(t.is_sent_start for t in
                                                        sdoc[prev.te:s.te]):
                kinds = {prev.kind, s.kind}
                kind = "organization" if "organization" in kinds else prev.kind
                label = "ORG" if kind == "organization" else prev.label
                out[-1] = Found(prev.ts, s.te, label, kind, prev.method + "+join-apostrophe")
                continue
        out.append(s)
    return out


def _extend_over_apostrophe(sdoc: Any, s: Found, rules: EntityRules) -> None:
    """"Mohammed Shia" + "’ al-Karimi": the model stopped at the apostrophe of a name."""
    if s.kind != "person" or s.te + 2 >= len(sdoc):
        return
    i = s.te
    if sdoc[i].text not in _APOSTROPHES and not sdoc[i - 1].text.endswith(tuple(_APOSTROPHES)):
        return
    if sdoc[i].text in _APOSTROPHES:
        i += 1
    j = i
    if sdoc[j].lower_ in rules.particles and j + 2 < len(sdoc) and sdoc[j + 1].text in _DASHES:
        j += 2
    if j < len(sdoc) and sdoc[j].text[:1].isupper() and sdoc[j].pos_ == "PROPN":
        s.te = j + 1
        s.method += "+extend-apostrophe"


def _name_shaped(sdoc: Any, s: Found, rules: EntityRules) -> Found | None:
    """In a paragraph of another language: the mention without leading articles when
    it is shaped like a name (every word capitalized but connectors between them), a
    time expression when it holds a digit; else None."""
    if s.kind in ("time", "duration"):
        return s if any(ch.isdigit() for ch in text_of(sdoc)[s.start:s.end]) else None
    ts = s.ts
    while ts < s.te and sdoc[ts].lower_ in rules.other_articles:
        ts += 1
    words = [sdoc[i].text for i in range(ts, s.te)]
    if not words or not (words[0][:1].isupper() and words[-1][:1].isupper()):
        return None
    if not all(w[:1].isupper() or w[:1].isdigit() or w.lower() in rules.other_connectors
               for w in words):
        return None
    if ts > s.ts:
        s.start += sdoc[ts].idx - sdoc[s.ts].idx
        s.ts = ts
    return s


def _trim(sdoc: Any, s: Found, rules: EntityRules) -> Found | None:
    ts, te = s.ts, s.te
    while ts < te and sdoc[ts].lower_ in ("the", "a", "an"):
        ts += 1
    if s.kind == "person":
        while ts < te - 1 and sdoc[ts].text in rules.title_prefixes:
            ts += 1
    while te > ts and (sdoc[te - 1].tag_ == "POS" or (sdoc[te - 1].is_punct
                       and sdoc[te - 1].text not in (")",))):
        te -= 1
    if te <= ts:
        return None
    start = sdoc[ts].idx
    last = sdoc[te - 1]
    end = last.idx + len(last.text)
    text = text_of(sdoc)[start:end]
    m = _POSSESSIVE.search(text)
    if m and s.kind != "time" and len(text) - len(m.group()) > 1:
        end -= len(m.group())
        text = text[:len(text) - len(m.group())]
    while text and text[-1] in ".,;:":
        if s.kind == "person" and re.search(r"\b[A-Z]\.$", text) and len(text) > 2:
            break  # an initial ("John F.") keeps its dot
        end -= 1
        text = text[:-1]
    if not text or is_arabic(text) or not any(ch.isalpha() for ch in text):
        return None
    s.ts, s.te, s.start, s.end = ts, te, start, end
    return s


def _retype(sdoc: Any, s: Found, rules: EntityRules) -> None:
    """Give outlets, platforms, towns and acronyms the right kind."""
    if s.kind == "time":
        return
    text = text_of(sdoc)[s.start:s.end]
    words = text.split()
    if text in rules.platforms:
        s.kind, s.method = "platform", s.method + "+platform"
        return
    if s.kind in ("person", "place", "organization") and words and (
            words[-1] in rules.outlet_words) and len(words) > 1:
        if s.kind != "organization":
            s.kind, s.method = "organization", s.method + "+outlet"
        return
    nxt = sdoc[s.te] if s.te < len(sdoc) else None
    if nxt is not None and s.kind in ("person", "organization") and (
            nxt.lower_ in rules.place_nouns):
        s.kind, s.method = "place", s.method + "+place-noun"
        return
    if s.ts >= 2 and s.kind in ("person", "organization") and sdoc[s.ts - 1].lower_ == "of" \
            and sdoc[s.ts - 2].lower_ in rules.place_of:
        s.kind, s.method = "place", s.method + "+place-of"
        return
    if s.kind == "person" and len(words) == 1 and _ACRONYM.match(text) \
            and text not in rules.not_acronyms:
        s.kind, s.method = "organization", s.method + "+acronym"


def _platform_mentions(sdoc: Any, spans: list[Found], rules: EntityRules) -> list[Found]:
    """"on X" / "via Telegram" when the model found no entity there."""
    covered = {i for s in spans for i in range(s.ts, s.te)}
    texts, lowers = words_of(sdoc)
    out = []
    for i, text in enumerate(texts):
        if i in covered or i == 0:
            continue
        word = text.rstrip(".")
        if word in rules.platforms and lowers[i - 1] in ("on", "via", "through"):
            idx = sdoc[i].idx
            out.append(Found(i, i + 1, "PLATFORM", "platform", "rule:platform",
                             idx, idx + len(word)))
    return out


def _acronyms(sdoc: Any, spans: list[Found], rules: EntityRules) -> list[Found]:
    covered = {i for s in spans for i in range(s.ts, s.te)}
    texts, _ = words_of(sdoc)
    out = []
    for i, text in enumerate(texts):
        if i in covered or not _ACRONYM.match(text) or text in rules.not_acronyms:
            continue
        tok = sdoc[i]
        if tok.is_sent_start and i + 1 < len(texts) and texts[i + 1].isupper():
            continue  # a headline in capitals, not an acronym
        kind = "place" if tok.text in rules.acronym_places else "organization"
        out.append(Found(tok.i, tok.i + 1, "ORG", kind, "rule:acronym",
                         tok.idx, tok.idx + len(tok.text)))
    return out


def _link_long_forms(sdoc: Any, spans: list[Found]) -> None:
    """"the Iraqi National Intelligence Service (INIS)": link INIS to its long form.

    When the model found no entity before the bracket, the long form is read back from
    the capitalized words before it, as many as the acronym needs.
    """
    starts = {s.ts for s in spans}
    pairs: list[tuple[Found, Found]] = []  # (acronym, long form), linked once sorted
    for s in list(spans):
        acronym = text_of(sdoc)[s.start:s.end]
        if s.kind not in ("organization", "place", "person") or not _ACRONYM.match(acronym):
            continue
        if s.ts < 2 or s.te >= len(sdoc) or sdoc[s.ts - 1].text != "(" or \
                sdoc[s.te].text != ")":
            continue
        before = s.ts - 1
        prev = next((p for p in spans if p.te == before and p.kind != "time"), None)
        if prev is not None and is_acronym_of(acronym, text_of(sdoc)[prev.start:prev.end]):
            pairs.append((s, prev))
            if prev.kind in ("person", "place") and s.kind == "organization":
                prev.kind, prev.label = "organization", "ORG"
                prev.method += "+acronym-long-form"
            continue
        long_start = _long_form_start(sdoc, before, acronym)
        if long_start is not None and long_start not in starts:
            first, last = sdoc[long_start], sdoc[before - 1]
            found = Found(long_start, before, "ORG", s.kind, "rule:acronym-long-form",
                          first.idx, last.idx + len(last.text))
            spans.append(found)
            pairs.append((s, found))
    spans.sort(key=lambda f: f.start)
    index = {id(f): j for j, f in enumerate(spans)}
    for acronym_span, long_span in pairs:
        acronym_span.long_form = index[id(long_span)]


def _long_form_start(sdoc: Any, before: int, acronym: str) -> int | None:
    """Start token of the capitalized words before `before` whose initials spell `acronym`."""
    particles = entity_rules().particles | {"of", "for", "and", "the", "on", "in", "&"}
    i = before - 1
    start = None
    while i >= 0 and before - i <= len(acronym) * 2 + 2:
        tok = sdoc[i]
        if tok.text[:1].isupper() or (tok.text in _DASHES and i > 0):
            if tok.text[:1].isupper():
                candidate = text_of(sdoc)[tok.idx:sdoc[before - 1].idx + len(sdoc[before - 1].text)]
                if is_acronym_of(acronym, candidate):
                    start = i
        elif tok.lower_ not in particles:
            break
        i -= 1
    return start
