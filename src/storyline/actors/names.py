"""Name keys that merge spellings of one person, organization or place across outlets and scripts.

All heuristics (letter classes, digraphs, articles, honorifics, demonyms) are data in
`data/names.yaml`; this module only applies them.

Consonant skeleton (`skeleton`) of one name token, identical for the usual romanizations
and for the Arabic original:

* Latin: `anyascii`, lowercase; the token is split on hyphens and spaces and article parts
  are dropped ("al-", "el ", "ul-", and sun-letter forms such as "ash-Shatri", "ad-Din"
  that are only articles when the next part starts with the same consonant). Apostrophes
  (', `, ʿ, ʾ, ’) are removed but break digraphs ("Is'haq" keeps s and h apart). Digraphs
  sh ch tch -> S, kh -> k, th -> t, dh -> d, zh -> z, gh -> g, ph -> f, dj -> j; then
  c q -> k, p -> b, v -> f, x -> ks; the vowels a e i o u and w y are dropped.
* Arabic: diacritics and tatweel removed, أ إ آ ٱ -> ا, ى -> ي, a leading "ال" removed,
  letters mapped to classes (ث -> t, ذ ض -> d, ص -> s, ظ -> z, خ ق ك -> k, ح ه ة -> h, ...);
  ا و ي ع and the hamza carriers are dropped.
* Both: a token starting with a vowel, an apostrophe, ا, ع or ء gets the marker "'"
  (Ahmad = أحمد -> 'hmd, Hamid = حميد -> hmd); doubled classes collapse; a final h is
  dropped (deviation from "after a vowel only": it makes ta marbuta and final ح agree
  between scripts, Rawashdeh = الرواشدة -> rSd, Saleh = صالح -> sl, Abdullah = عبدالله).
  "Abd"/"Abdul"/"Abdel"/"Abdur" joined to the next word ("Abdulrahman", "عبدالرحمن")
  give "'bd" followed by the skeleton of the rest.

Known gaps: a Latin "sh"/"th"/"dh" that spells two Arabic letters (Adham = أدهم, Ishaq
without apostrophe) differs from the Arabic; g/j/k and d/z are distinct classes that
`names_match` treats as compatible.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache, lru_cache
from itertools import groupby
from typing import Any, Literal, TypeAlias

from anyascii import anyascii

from storyline.clean.rules import load_data

NameKey: TypeAlias = tuple[str, ...]
MatchKind = Literal["exact", "skeleton", "middle-omitted", "cross-script"]

_ARABIC_LETTER = re.compile(r"[\u0620-\u064a\u066e-\u06d3\u06fa-\u06ff\u0750-\u077f\u08a0-\u08ff]")
_SPLIT = re.compile(r"[\s\-\u2010-\u2015_/,;:.()\[\]\"«»،؛]+")
_COLLAPSE = re.compile(r"(.)\1+")
_MARKER = "'"


@dataclass(frozen=True, eq=False)
class NameRules:
    """Compiled name heuristics; see the comments in data/names.yaml."""

    apostrophes: str
    indic: Mapping[int, str]
    english_letters: Mapping[int, str]
    vowels: frozenset[str]
    digraphs: tuple[tuple[str, str], ...]
    latin_letters: Mapping[str, str]
    articles: frozenset[str]
    assimilated: frozenset[str]
    ar_marks: Mapping[int, None]
    ar_fold: Mapping[int, str]
    ar_fold_keep_ya: Mapping[int, str]
    ar_article: str
    ar_letters: Mapping[str, str]
    ar_initial: frozenset[str]
    compatible: Mapping[str, str]
    heads: Mapping[str, str]
    abd_latin: re.Pattern[str]
    abd_arabic: re.Pattern[str]
    honorifics: frozenset[str]
    countries: Mapping[str, str]
    country_words: int
    org_leading: frozenset[str]
    org_replacements: tuple[tuple[str, str], ...]
    org_links: frozenset[str]
    function_words: frozenset[str]
    acronym_articles: frozenset[str]
    display_letters: Mapping[str, str]
    display_waw: tuple[str, str]
    display_ya: tuple[str, str]
    display_vowels: str
    display_article: str
    foreign_min_skeleton: int
    foreign_min_stem: int
    foreign_suffix: int
    data: Mapping[str, Any]


def fold_arabic(text: str, *, ya: bool = True) -> str:
    """Arabic text without diacritics and tatweel, with alef forms (and ى if `ya`) folded."""
    rules = name_rules()
    text = unicodedata.normalize("NFKC", text).translate(rules.ar_marks)
    return text.translate(rules.ar_fold if ya else rules.ar_fold_keep_ya)


def is_arabic(text: str) -> bool:
    """True if `text` contains an Arabic-script letter."""
    return _ARABIC_LETTER.search(text) is not None


@cache
def name_rules() -> NameRules:
    """Load and compile data/names.yaml once."""
    data: dict[str, Any] = load_data("names.yaml")
    latin, arabic = data["latin"], data["arabic"]
    compatible = {ch: group for group in data["compatible_classes"] for ch in group}
    marks = {ord(ch): None for ch in arabic["marks"]}
    fold = {ord(k): v for k, v in arabic["fold"].items()}

    def fold_word(word: str) -> str:
        return unicodedata.normalize("NFKC", word).translate(marks).translate(fold).lower()

    heads = {fold_word(form): canon for canon, forms in data["compound_heads"].items()
             for form in forms}
    honorifics = frozenset(fold_word(w) for w in data["honorifics"]["latin"]
                           + data["honorifics"]["arabic"])
    countries: dict[str, str] = {}
    for canon, forms in data["org"]["countries"].items():
        for form in [canon, *forms]:
            countries[_org_words_key(anyascii(form).lower())] = canon
    display = data["display"]
    return NameRules(
        apostrophes=latin["apostrophes"],
        indic={ord(k): str(v) for k, v in latin["indic_letters"].items()},
        english_letters={ord(k): str(v) for k, v in latin["english_letters"].items()},
        vowels=frozenset(latin["vowels"] + latin["semivowels"]),
        digraphs=tuple(sorted(latin["digraphs"].items(), key=lambda kv: -len(kv[0]))),
        latin_letters=dict(latin["letters"]),
        articles=frozenset(latin["articles"]),
        assimilated=frozenset(latin["assimilated_articles"]),
        ar_marks=marks,
        ar_fold=fold,
        ar_fold_keep_ya={k: v for k, v in fold.items() if k != ord("ى")},
        ar_article=arabic["article"],
        ar_letters=dict(arabic["letters"]),
        ar_initial=frozenset(arabic["initial_marker"]),
        compatible=compatible,
        heads=heads,
        abd_latin=re.compile(data["abd_joined"]["latin"]),
        abd_arabic=re.compile(data["abd_joined"]["arabic"]),
        honorifics=honorifics,
        countries=countries,
        country_words=max(len(k.split()) for k in countries),
        org_leading=frozenset(data["org"]["leading_articles"]),
        org_replacements=tuple(data["org"]["replacements"].items()),
        org_links=frozenset(data["org"]["trailing_links"]),
        function_words=frozenset(data["acronym"]["function_words"]),
        acronym_articles=frozenset(data["acronym"]["articles"]),
        display_letters=dict(display["letters"]),
        display_waw=(display["waw"][0], display["waw"][1]),
        display_ya=(display["ya"][0], display["ya"][1]),
        display_vowels=display["vowel_letters"],
        display_article=display["article"],
        foreign_min_skeleton=int(data["foreign_places"]["min_skeleton"]),
        foreign_min_stem=int(data["foreign_places"]["min_stem"]),
        foreign_suffix=int(data["foreign_places"]["suffix"]),
        data=data,
    )


# ------------------------------------------------------------------------ skeletons


def _finish(marker: str, classes: str) -> str:
    classes = _COLLAPSE.sub(r"\1", classes)
    if len(classes) > 1 and classes.endswith("h"):
        classes = classes[:-1]
    return marker + classes


def _latin_ascii(text: str) -> str:
    rules = name_rules()
    text = anyascii(unicodedata.normalize("NFKC", text).translate(rules.indic)).lower()
    return "".join(_MARKER if ch in rules.apostrophes else ch for ch in text)


def _is_article(part: str, following: str | None) -> bool:
    rules = name_rules()
    if following is None:
        return False
    if part in rules.articles:
        return True
    return part in rules.assimilated and following.startswith(part[1:])


def _latin_parts(text: str) -> list[str]:
    words = [w for w in (re.sub(r"[^a-z']", "", p) for p in _SPLIT.split(text)) if w.strip("'")]
    return [w for i, w in enumerate(words)
            if not _is_article(w, words[i + 1].lstrip(_MARKER) if i + 1 < len(words) else None)]


def _latin_word(word: str) -> str:
    rules = name_rules()
    joined = rules.abd_latin.match(word.replace(_MARKER, ""))
    if joined:
        return _COLLAPSE.sub(r"\1", _latin_word("abd") + _latin_word(joined["rest"]))
    marker = _MARKER if word[:1] == _MARKER or word[:1] in "aeiou" else ""
    classes: list[str] = []
    for segment in word.split(_MARKER):
        i = 0
        while i < len(segment):
            for spelling, cls in rules.digraphs:
                if segment.startswith(spelling, i):
                    classes.append(cls)
                    i += len(spelling)
                    break
            else:
                classes.append(rules.latin_letters.get(segment[i], segment[i]))
                i += 1
    return _finish(marker, "".join(c for c in "".join(classes) if c not in rules.vowels))


def _arabic_word(word: str) -> str:
    rules = name_rules()
    if word.startswith(rules.ar_article) and len(word) >= len(rules.ar_article) + 2:
        word = word[len(rules.ar_article):]
    joined = rules.abd_arabic.match(word)
    if joined:
        return _COLLAPSE.sub(r"\1", _latin_word("abd") + _arabic_word(joined["rest"]))
    marker = _MARKER if word[:1] in rules.ar_initial else ""
    return _finish(marker, "".join(rules.ar_letters.get(ch, "") for ch in word))


@lru_cache(maxsize=65536)
def skeleton(token: str) -> str:
    """Consonant skeleton of one name token, the same across romanizations and Arabic."""
    heads = name_rules().heads
    if is_arabic(token):
        words = [w for w in _SPLIT.split(fold_arabic(token)) if w]
        return _COLLAPSE.sub(r"\1", "".join(
            _latin_word(heads[w]) if w in heads else _arabic_word(w) for w in words))
    parts = _latin_parts(_latin_ascii(token))
    return _COLLAPSE.sub(r"\1", "".join(
        _latin_word(heads.get(p.replace(_MARKER, ""), p)) for p in parts))


def vowel_shape(word: str) -> str:
    """A word's skeleton with each run of vowels kept as one "V": "Almaty" VlmVtV. Two
    words of one skeleton but other syllables ("Әлеуметтік" VlVmVtVk) differ here."""
    vowels = name_rules().vowels
    letters = (ch for ch in anyascii(word).lower() if ch.isalpha())
    return "".join("V" if vowel else skeleton("".join(run))
                   for vowel, run in groupby(letters, key=vowels.__contains__))


def shapes_agree(name: str, other: str, *, ending: bool = False) -> bool:
    """Whether two place names of one skeleton are one name by syllables too: their
    vowel shapes agree but for a final vowel ("Vinnytsia", "Виннице"), where "Zambia"
    and "Zimbabwe", "South Africa" and "West Africa" do not. With `ending`, `name` may
    add an ending to `other` ("Алматыдан" is "Almaty" with one; "Әлеуметтік" is not).
    Arabic script writes few vowels: the skeleton alone decides there."""
    if is_arabic(name) or is_arabic(other):
        return True
    shape = vowel_shape(name).removesuffix("V")
    known = vowel_shape(other).removesuffix("V")
    return shape == known or (ending and shape.startswith(known))


# ------------------------------------------------------------------------ person names


@dataclass(frozen=True)
class _Parsed:
    plain: str
    key: NameKey
    arabic: bool


def _lookup_form(token: str, arabic: bool) -> str:
    if arabic:
        return fold_arabic(token)
    return _latin_ascii(token).replace(_MARKER, "")


@lru_cache(maxsize=16384)
def _parse(name: str) -> _Parsed:
    rules = name_rules()
    arabic = is_arabic(name)
    raw = [t for t in _SPLIT.split(unicodedata.normalize("NFKC", name)) if t.strip("'’ʿʾ`")]
    forms = [_lookup_form(t, arabic) for t in raw]
    while len(forms) > 1 and forms[0] in rules.honorifics:
        raw, forms = raw[1:], forms[1:]
    plain = " ".join(forms)
    keep = [i for i in range(len(forms))
            if not (i + 1 < len(forms) and (forms[i] == rules.ar_article
                                            or _is_article(forms[i], forms[i + 1])))]
    key: list[str] = []
    pending = ""
    for i in keep:
        head = rules.heads.get(forms[i])
        if head is not None:
            pending += skeleton(head)
            continue
        token = _COLLAPSE.sub(r"\1", pending + skeleton(raw[i]))
        pending = ""
        if token:
            key.append(token)
    if pending:
        key.append(_COLLAPSE.sub(r"\1", pending))
    return _Parsed(plain, tuple(key), arabic)


def name_key(name: str) -> NameKey:
    """Token skeletons of a person or place name, honorifics dropped, Abd/Abu/Bin joined."""
    return _parse(name).key


@dataclass(frozen=True)
class Match:
    """How two person names match: `kind` and a score in (0, 1]."""

    kind: MatchKind
    score: float


def _token_match(a: str, b: str) -> int:
    """0 if different, 1 if equal, 2 if equal up to compatible consonant classes."""
    if a == b:
        return 1
    if len(a) != len(b):
        return 0
    compatible = name_rules().compatible
    for x, y in zip(a, b, strict=True):
        if x != y and (x not in compatible or compatible[x] != compatible.get(y)):
            return 0
    return 2


def _keys_match(a: NameKey, b: NameKey) -> int:
    """0 if different, 1 if equal, 2 if equal up to compatible consonant classes."""
    if len(a) != len(b):
        return 0
    results = [_token_match(x, y) for x, y in zip(a, b, strict=True)]
    return 0 if 0 in results else max(results, default=1)


def _middle_omitted(a: NameKey, b: NameKey) -> int:
    """Like `_keys_match` for names whose first and last tokens agree and one has extras."""
    short, long = (a, b) if len(a) < len(b) else (b, a)
    if len(short) == len(long) or len(short) < 2:
        return 0
    ends = [_token_match(short[0], long[0]), _token_match(short[-1], long[-1])]
    if 0 in ends:
        return 0
    worst = max(ends)
    j = 1
    for token in short[1:-1]:
        while j < len(long) - 1 and not _token_match(token, long[j]):
            j += 1
        if j >= len(long) - 1:
            return 0
        worst = max(worst, _token_match(token, long[j]))
        j += 1
    return worst


def match_keys(a: NameKey, b: NameKey, *, cross_script: bool = False) -> Match | None:
    """Compare two person name keys (see `names_match`); single-token keys never match."""
    if len(a) < 2 or len(b) < 2:
        return None
    equal = _keys_match(a, b)
    if equal:
        kind: MatchKind = "cross-script" if cross_script else "skeleton"
        return Match(kind, round((0.85 if cross_script else 0.9) - 0.1 * (equal - 1), 2))
    omitted = _middle_omitted(a, b)
    if omitted:
        return Match("middle-omitted",
                     round((0.65 if cross_script else 0.7) - 0.1 * (omitted - 1), 2))
    return None


def names_match(a: str, b: str) -> Match | None:
    """How two person names (either script) match, or None; surnames alone never match."""
    pa, pb = _parse(a), _parse(b)
    if len(pa.key) < 2 or len(pb.key) < 2:
        return None
    if pa.arabic == pb.arabic and pa.plain == pb.plain:
        return Match("exact", 1.0)
    return match_keys(pa.key, pb.key, cross_script=pa.arabic != pb.arabic)


# ------------------------------------------------------------------------ organizations


def _org_words_key(text: str) -> str:
    return " ".join(w for w in re.split(r"[^a-z0-9]+", text.replace(".", "")) if w)


def _org_words(name: str) -> list[str]:
    rules = name_rules()
    text = _latin_ascii(name)
    for old, new in rules.org_replacements:
        text = text.replace(old, new)
    words = []
    for word in re.findall(r"[a-z0-9][a-z0-9'.]*", text):
        word = word.rstrip(".'")
        word = word.removesuffix("'s").replace("'", "").replace(".", "")
        if word:
            words.append(word)
    return words


def country_of(word: str, demonyms: Mapping[str, str] | None = None) -> str | None:
    """Canonical country named by a country name or demonym ("Iraqi", "Iraq's"), or None."""
    words = _org_words(word)
    table = _demonym_table(demonyms)
    return table.get(" ".join(words)) if words else None


def _demonym_table(demonyms: Mapping[str, str] | None) -> Mapping[str, str]:
    if demonyms is None:
        return name_rules().countries
    return {" ".join(_org_words(k)): v for k, v in demonyms.items()}


def org_key(name: str, demonyms: Mapping[str, str] | None = None) -> str:
    """Key of an organization name: "country|rest" when a country is named, else "rest"."""
    if demonyms is None:
        return _org_key_default(name)
    return _org_key(name, _demonym_table(demonyms))


@lru_cache(maxsize=65536)
def _org_key_default(name: str) -> str:
    """`org_key` with the country table of data/names.yaml, remembered: resolution asks
    for the same names in document after document."""
    return _org_key(name, name_rules().countries)


def _org_key(name: str, table: Mapping[str, str]) -> str:
    rules = name_rules()
    longest = max((len(k.split()) for k in table), default=1)
    words = _org_words(name)
    while words and words[0] in rules.org_leading:
        words = words[1:]
    country = None
    for i in range(len(words)):
        for n in range(min(longest, len(words) - i), 0, -1):
            found = table.get(" ".join(words[i:i + n]))
            if found is not None:
                country = found
                at_end = i + n == len(words)
                words = words[:i] + words[i + n:]
                if at_end:
                    while words and words[-1] in rules.org_leading:
                        words = words[:-1]
                    if words and words[-1] in rules.org_links:
                        words = words[:-1]
                break
        if country is not None:
            break
    while words and words[0] in rules.org_leading:
        words = words[1:]
    rest = " ".join(words)
    return f"{country}|{rest}" if country is not None else rest


# ------------------------------------------------------------------------ acronyms


def _acronym_letters(words: list[list[str]], split: bool, functions: bool,
                     articles: bool) -> str:
    rules = name_rules()
    letters = []
    for parts in words:
        if not split:
            content = [p for p in parts if p not in rules.acronym_articles] or parts
            parts = [content[0]]
        for part in parts:
            if part in rules.function_words and not functions and len(words) > 1:
                continue
            if part in rules.acronym_articles and not articles and split:
                continue
            letters.append(part[0].upper())
    return "".join(letters)


def acronym_of(long_form: str) -> set[str]:
    """Plausible acronyms of a long name: initials of its words and hyphenated parts."""
    rules = name_rules()
    text = _latin_ascii(long_form)
    for old, new in rules.org_replacements:
        text = text.replace(old, new)
    words = []
    for word in text.split():
        parts = [re.sub(r"[^a-z0-9]", "", p) for p in re.split(r"[-\u2010-\u2015]", word)]
        if any(parts):
            words.append([p for p in parts if p])
    found = set()
    for split in (True, False):
        for functions in (False, True):
            for articles in (False, True):
                letters = _acronym_letters(words, split, functions, articles)
                if len(letters) >= 2:
                    found.add(letters)
    return found


def is_acronym_of(short: str, long: str) -> bool:
    """True if `short` (upper-case, dots allowed, "HTS's") is a plausible acronym of `long`."""
    text = _latin_ascii(short).strip()
    text = text.removesuffix("'s").replace(".", "").replace(" ", "")
    original = re.sub(r"[^A-Za-z]", "", anyascii(short).removesuffix("'s"))
    if len(text) < 2 or not text.isalpha() or not original.isupper():
        return False
    return text.upper() in acronym_of(long)


# ------------------------------------------------------------------------ display


def _romanize(word: str) -> str:
    rules = name_rules()
    out = []
    vowel_letters = rules.display_vowels
    for i, ch in enumerate(word):
        prev = word[i - 1] if i else ""
        nxt = word[i + 1] if i + 1 < len(word) else ""
        if ch in "وي":
            consonant, vowel = rules.display_waw if ch == "و" else rules.display_ya
            as_consonant = (not prev or (nxt != "" and nxt in vowel_letters)
                            or prev in vowel_letters or (nxt in ("و", "ي") and nxt != ch))
            out.append(consonant if as_consonant else vowel)
        else:
            out.append(rules.display_letters.get(ch, anyascii(ch)))
    text = "".join(out)
    for i, ch in enumerate(text):
        if ch.isalpha():
            return text[:i] + ch.upper() + text[i + 1:]
    return text


def display_name(name: str) -> str:
    """Readable name: Arabic romanized by letter ("al-" for ال, capitalized), Latin tidied."""
    if not is_arabic(name):
        text = re.sub(r"[’‘ʼ]", "'", unicodedata.normalize("NFC", name))
        return " ".join(text.split())
    rules = name_rules()
    text = unicodedata.normalize("NFKC", name).translate(rules.ar_marks)
    words = []
    for word in text.split():
        if word.startswith(rules.ar_article) and len(word) > len(rules.ar_article) + 1:
            words.append(rules.display_article + _romanize(word[len(rules.ar_article):]))
        else:
            words.append(_romanize(word))
    return " ".join(words)
