"""Person names in Arabic text without an NER model: after a title, or matching a known name.

Word tokens are runs of Arabic letters (diacritics and tatweel included), so offsets are
exact: `text[name.start:name.end] == name.text`. Two tokens belong to one name only when
they are separated by spaces alone; punctuation (، ؛ ؟ . : " « » ( ) ...), digits, Latin
script or a line break end a name.

* "title": after an honorific (السيد, الشيخ, الدكتور ...), an office or rank (الرئيس,
  اللواء, الأمير ...) optionally followed by modifiers ("الرئيس السوري", "اللواء الركن"),
  or a title head with its complement ("وزير الخارجية", "رئيس مجلس الوزراء"), the next
  2-4 tokens are taken as a name. The name stops at a stop word, another title, a word
  with a prefixed preposition and article ("بالعاصمة"), and after its first word at a
  word starting with و unless that word is a name that starts with و (وليد, وائل ...).
* "known": a 2-4 token window whose `name_key` matches a known name (Latin or Arabic),
  exactly, up to compatible consonant classes, or with middle names omitted. Longest
  windows win and names never overlap; single tokens only with `single_tokens=True`.

All word lists are data (`arabic_titles` in data/names.yaml).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import cache
from typing import Literal, TypeAlias

from storyline.actors.names import (
    NameKey,
    fold_arabic,
    is_arabic,
    match_keys,
    name_key,
    name_rules,
    skeleton,
)

ArabicMethod = Literal["title", "known"]
TitleKind = Literal["honorific", "office", "head"]

_TOKEN = re.compile(
    r"[\u0621-\u063a\u0641-\u064a\u066e\u066f\u0671-\u06d3\u06d5\u06fa-\u06fc\u06ff]"
    r"[\u0621-\u063a\u0640-\u065f\u066e-\u06d3\u06d5-\u06ed\u06fa-\u06fc\u06ff\u0670]*")
_SPACE = re.compile(r"[ \t\u00a0\u200c\u200d\u200e\u200f\u061c]+")
_PREPOSITION_ARTICLE = ("بال", "لل", "كال", "فال", "وال")
_PREFIX = re.compile(r".[\u064b-\u065f\u0670\u0640]*")


@dataclass(frozen=True)
class ArabicName:
    """A person name found in Arabic text; `text == source[start:end]`."""

    start: int
    end: int
    text: str
    method: ArabicMethod
    title: str | None


@dataclass(frozen=True)
class _Token:
    start: int
    end: int
    norm: str


@dataclass(frozen=True, eq=False)
class _Lists:
    titles: dict[str, TitleKind]
    complements: frozenset[str]
    modifiers: frozenset[str]
    stop: frozenset[str]
    waw_names: frozenset[str]
    prefixes: tuple[str, ...]
    name_prefixes: frozenset[str]
    article: str
    max_tokens: int


def _norm(word: str) -> str:
    return fold_arabic(word, ya=False)


@cache
def _lists() -> _Lists:
    rules = name_rules()
    data = rules.data["arabic_titles"]
    groups: tuple[tuple[TitleKind, str], ...] = (
        ("head", "heads"), ("office", "offices"), ("honorific", "honorifics"))
    titles = {_norm(word): kind for kind, key in groups for word in data[key]}
    return _Lists(
        titles=titles,
        complements=frozenset(_norm(w) for w in data["complement_nouns"]),
        modifiers=frozenset(_norm(w) for w in data["modifiers"]),
        stop=frozenset(_norm(w) for w in data["stop_words"]),
        waw_names=frozenset(_norm(w) for w in data["waw_names"]),
        prefixes=tuple(_norm(p) for p in data["title_prefixes"]),
        name_prefixes=frozenset(_norm(p) for p in data["name_prefixes"]),
        article=rules.ar_article,
        max_tokens=int(data["max_tokens"]),
    )


def _title_kind(word: str) -> TitleKind | None:
    lists = _lists()
    kind = lists.titles.get(word)
    if kind is not None:
        return kind
    if word.startswith("لل") and len(word) > 3:
        kind = lists.titles.get(lists.article + word[2:])
        if kind is not None:
            return kind
    for prefix in lists.prefixes:
        if word.startswith(prefix) and len(word) > len(prefix) + 2:
            kind = lists.titles.get(word[len(prefix):])
            if kind is not None:
                return kind
    return None


def _tokens(text: str, start: int, end: int) -> list[_Token]:
    return [_Token(m.start(), m.end(), _norm(m.group())) for m in _TOKEN.finditer(text, start, end)]


def _joined(text: str, a: _Token, b: _Token) -> bool:
    return _SPACE.fullmatch(text, a.end, b.start) is not None


def _definite(word: str) -> bool:
    article = _lists().article
    return word.startswith(article) or word.startswith("و" + article)


def _prepositional(word: str) -> bool:
    return any(word.startswith(p) and len(word) - len(p) >= 3 for p in _PREPOSITION_ARTICLE)


def _name_word(word: str, position: int) -> bool:
    lists = _lists()
    if word in lists.stop or _title_kind(word) is not None or _prepositional(word):
        return False
    if word.startswith("و") and word not in lists.waw_names:
        return position == 0 and word[1:] not in lists.stop and not _definite(word[1:])
    return True


def _qualifies(kind: TitleKind, word: str) -> bool:
    """True if `word` continues a title phrase of this kind (complement or modifier)."""
    lists = _lists()
    if kind == "head" and (word in lists.complements or _definite(word)):
        return True
    return kind != "honorific" and word in lists.modifiers


def _after_title(text: str, tokens: list[_Token], i: int,
                 kind: TitleKind) -> tuple[int, int]:
    """Start of the last title phrase and the first token after the one started at `i`."""
    j = i + 1
    extra = 0
    title = i
    while j < len(tokens) and _joined(text, tokens[j - 1], tokens[j]) and extra < 4:
        next_kind = _title_kind(tokens[j].norm)
        if next_kind is not None:
            if extra:
                title = j
            kind, extra = next_kind, 0
        elif _qualifies(kind, tokens[j].norm):
            extra += 1
        else:
            break
        j += 1
    return title, j


def _head(word: str) -> bool:
    return word in name_rules().heads


def _name_end(text: str, tokens: list[_Token], j: int) -> int:
    """End (exclusive token index) of the name that starts at token `j`."""
    limit = min(len(tokens), j + _lists().max_tokens)

    def usable(k: int) -> bool:
        return (k < limit and _joined(text, tokens[k - 1], tokens[k])
                and _name_word(tokens[k].norm, k - j))

    if j >= len(tokens) or not _name_word(tokens[j].norm, 0):
        return j
    k = j + 1
    after_head = _head(tokens[j].norm)
    if _definite(tokens[j].norm) and not after_head:
        return k
    while usable(k):
        word = tokens[k].norm
        compound = after_head or _head(word)
        if not compound and _definite(word):
            k += 1
            break
        if not compound and k - j >= 2 and not _surname_ahead(k + 1, usable, tokens):
            break
        after_head = _head(word)
        k += 1
    while k - j > 1 and _head(tokens[k - 1].norm):
        k -= 1
    return k


def _surname_ahead(k: int, usable: Callable[[int], bool], tokens: list[_Token]) -> bool:
    """True if a definite (ال) word follows at `k` or after more usable words."""
    while usable(k):
        if _definite(tokens[k].norm):
            return True
        k += 1
    return False


def _by_title(text: str, tokens: list[_Token], single: bool) -> list[ArabicName]:
    found: list[ArabicName] = []
    i = 0
    while i < len(tokens):
        kind = _title_kind(tokens[i].norm)
        if kind is None:
            i += 1
            continue
        title, j = _after_title(text, tokens, i, kind)
        k = j
        if j < len(tokens) and _joined(text, tokens[j - 1], tokens[j]):
            k = _name_end(text, tokens, j)
        if k - j >= (1 if single else 2):
            start, end = tokens[j].start, tokens[k - 1].end
            found.append(ArabicName(start, end, text[start:end], "title",
                                    text[tokens[title].start:tokens[j - 1].end]))
            i = k
        else:
            i = j
    return found


def _canon(token: str) -> str:
    compatible = name_rules().compatible
    return "".join(compatible[c][0] if c in compatible else c for c in token)


_KnownIndex: TypeAlias = dict[tuple[str, str], list[tuple[NameKey, bool]]]


def _known_index(known: Iterable[str], single: bool) -> tuple[_KnownIndex, set[str]]:
    """Known names' keys by (first, last) token class, and surnames for single tokens."""
    index: _KnownIndex = {}
    surnames: set[str] = set()
    for name in known:
        key = name_key(name)
        if len(key) >= 2:
            index.setdefault((_canon(key[0]), _canon(key[-1])), []).append(
                (key, not is_arabic(name)))
            if single and len(key[-1].lstrip("'")) >= 3:
                surnames.add(key[-1])
    return index, surnames


def _first_variants(text: str, token: _Token) -> list[tuple[int, str, float]]:
    """The first word of a window without a one-letter prefix ("وخالد"), then as written."""
    lists = _lists()
    if (token.norm[:1] in lists.name_prefixes and token.norm not in lists.waw_names
            and len(token.norm) > 3):
        cut = _PREFIX.match(text, token.start, token.end)
        if cut is not None:
            return [(cut.end(), token.norm[1:], 0.0), (token.start, token.norm, 0.01)]
    return [(token.start, token.norm, 0.0)]


def _by_known(text: str, tokens: list[_Token], known: Iterable[str],
              single: bool) -> list[ArabicName]:
    lists = _lists()
    index, surnames = _known_index(known, single)
    if not index and not surnames:
        return []
    candidates: list[tuple[int, float, int, int]] = []
    for i in range(len(tokens)):
        if _title_kind(tokens[i].norm) is not None or tokens[i].norm in lists.stop:
            continue
        for start, first, penalty in _first_variants(text, tokens[i]):
            words = [first]
            for size in range(1, min(lists.max_tokens, len(tokens) - i) + 1):
                last = tokens[i + size - 1]
                if size > 1:
                    if last.norm in lists.stop or not _joined(text, tokens[i + size - 2], last):
                        break
                    words.append(last.norm)
                if size == 1:
                    if skeleton(first) in surnames:
                        candidates.append((1, 0.5 - penalty, i, start))
                    continue
                key = name_key(" ".join(words))
                if len(key) < 2:
                    continue
                for other, cross in index.get((_canon(key[0]), _canon(key[-1])), []):
                    match = match_keys(key, other, cross_script=cross)
                    if match is not None:
                        candidates.append((size, match.score - penalty, i, start))
                        break
    candidates.sort(key=lambda c: (-c[0], -c[1], c[2]))
    taken: set[int] = set()
    found: list[ArabicName] = []
    for size, _, i, start in candidates:
        span = set(range(i, i + size))
        if span & taken:
            continue
        taken |= span
        end = tokens[i + size - 1].end
        found.append(ArabicName(start, end, text[start:end], "known", None))
    return found


def find_arabic_names(text: str, start: int = 0, end: int | None = None,
                      known: Iterable[str] = (), *,
                      single_tokens: bool = False) -> list[ArabicName]:
    """Person names in `text[start:end]` found after titles or matching `known` names."""
    stop = len(text) if end is None else end
    tokens = _tokens(text, start, stop)
    by_known = _by_known(text, tokens, known, single_tokens)
    by_title = _by_title(text, tokens, single_tokens)
    names: list[ArabicName] = []
    for name in by_known:
        title = next((t.title for t in by_title if t.start < name.end and name.start < t.end),
                     None)
        names.append(ArabicName(name.start, name.end, name.text, "known", title))
    names += [t for t in by_title if all(t.end <= n.start or n.end <= t.start for n in by_known)]
    return sorted(names, key=lambda n: n.start)
