"""The signature stage: what a document is about, as weighted keys for story clustering.

A signature counts the content words of the title and the body (spaCy lemmas of nouns,
names, verbs, adjectives and numbers, stop words left out; the title is not parsed, so
its words take the lemma the same word has in the body). The words of the lead (the
title and the first sentence, or the first `lead_sentences` sentences when there is no
title) are counted again under `^`, since the opening of a news report names its
event; the years of the calendar dates the text gives are counted under `~`. The store
adds the document's actors (`@`) and weighs every key by how rare it is
(`storyline.stories.cluster`).
"""

from __future__ import annotations

import importlib.util
import re
from collections import Counter
from collections.abc import Callable
from functools import cache
from pathlib import Path

from spacy.lang.en.stop_words import STOP_WORDS

from storyline.clean.language import english
from storyline.clean.letters import LETTERS, WORD_CHAR
from storyline.clean.rules import cleaning_rules
from storyline.model import Document
from storyline.nlp.tokens import Columns, columns
from storyline.stories.rules import story_rules

#: Key prefixes of a signature: lead words and years (actors, `@`, are added later).
LEAD = "^"
YEAR = "~"
#: Prefix of the names (proper nouns) of the lead, counted once more under it: a
#: report's lead names who or what it is about, and a story that never names them is
#: likely another story of the same kind.
NAME = "!"
#: Prefix of a run of letters of a script written without spaces ("烽火机器人港交所上市"):
#: never a key itself; read for names as the report is placed (`storyline.stories.spelling`).
RUN = "%"
#: Prefix of a word a recurrence cue of the title or lead governs ("second church
#: blaze", "under water again"): the report may be about another event of a kind its
#: story's lead names (`StoryClusterer`).
AGAIN = "&"
#: A language's recurrence cues: words before what they govern ("second", "another"),
#: words after it ("again"), and words they govern that mark nothing ("a third day").
Cues = tuple[frozenset[str], frozenset[str], frozenset[str]]

#: A word (Persian's "استان‌ها" whole, across its zero-width non-joiner), or a number
#: with its separators ("120.000", "11,5", "٣١٫٥") kept whole.
_MARKS = r"[.,\u066b\u066c]"  # decimal and thousands marks, Arabic ones too
_NUMBER = re.compile(rf"\d+(?:{_MARKS}\d+)*")
_WORD = re.compile(rf"\d+(?:{_MARKS}\d+)+|{WORD_CHAR}+(?:['’\u200c-]{WORD_CHAR}+)*")
_SEPARATORS = re.compile(_MARKS)


def number_key(text: str, multiplier: float = 1) -> str | None:
    """A number as English writes it, whatever the convention it was written in, or None
    when `text` is not one: digits of any script ("٣١" is 31); "120.000" and "120,000"
    are both 120,000 (one separator before exactly three digits groups thousands),
    "11,5" and "11.5" both 11.5 (before one, two or four and more digits it is a decimal
    mark); with both marks the last is the decimal one ("1.234,5"). A `multiplier` (10,000
    for "万") gives the figure as English counts it: "3100万" is 31 (million), "2.1亿"
    210 (million), "67亿" 6.7 (billion), "5万" 50,000."""
    if not _NUMBER.fullmatch(text):
        return None
    digits = "".join(str(int(ch)) if ch.isdigit() else ch for ch in text)
    marks = _SEPARATORS.findall(digits)
    groups = _SEPARATORS.split(digits)
    if not marks:
        whole, decimals = digits, ""
    elif len(set(marks)) > 1:  # "1.234,5": the last mark is the decimal one
        whole, decimals = "".join(groups[:-1]), groups[-1]
    elif len(marks) > 1 or len(groups[-1]) == 3:  # "1.200.000", "120.000"
        whole, decimals = "".join(groups), ""
    else:  # "11,5"
        whole, decimals = groups[0], groups[1]
    if multiplier == 1:
        if not marks and len(whole) <= 4:  # "31", "2026"
            return whole
        return f"{int(whole):,}" + (f".{decimals}" if decimals else "")
    value = float(f"{whole}.{decimals or 0}") * multiplier
    for size in (1e9, 1e6):
        if value >= size:
            return f"{round(value / size, 6):g}"
    return f"{round(value):,}"


#: A number with a short prefix or suffix of a script without capitals glued to it:
#: Amharic "የ27" ("of 27"), "ከ150" ("from 150"), Bengali "৩১টি" (31 and a classifier).
_GLUED = re.compile(rf"(?P<before>{LETTERS})?(?P<number>{_NUMBER.pattern})"
                    rf"(?P<after>{LETTERS})?")


def glued_number_key(word: str) -> str | None:
    """The number of a word that glues a particle or classifier of a script without
    capitals (`caseless`, up to 3 letters) to it, as `number_key` writes it; None for
    any other word ("F16", "3rd", "COVID19" stay words)."""
    m = _GLUED.fullmatch(word)
    if m is None or not (m.group("before") or m.group("after")):
        return None
    for part in (m.group("before"), m.group("after")):
        if part and (len(part) > 3 or not caseless(part)):
            return None
    return number_key(m.group("number"))


@cache
def stop_words(language: str | None) -> frozenset[str]:
    """The stop words of a language other than English (spaCy's list, which ships with
    spaCy itself, no model needed, and Storyline's own where spaCy's is missing or
    unusable: `stop_words` in `data/stories.yaml`): an English parse of a French
    paragraph does not know "des" and "la" for stop words. English and unknown
    languages: none (the parse's own stop flags cover English)."""
    if not language or language == "en" or not language.isalpha():
        return frozenset()
    return _spacy_stop_words(language) | story_rules().stop_words.get(language, frozenset())


def _spacy_stop_words(language: str) -> frozenset[str]:
    # The list's own file is read, not the language's package: importing that builds
    # its tokenizer exceptions first (about 4 s for French).
    lang = importlib.util.find_spec("spacy.lang")
    folders = lang.submodule_search_locations if lang else None
    path = Path(next(iter(folders)), language, "stop_words.py") if folders else None
    if path is None or not path.is_file():
        return frozenset()
    spec = importlib.util.spec_from_file_location(f"_storyline_stop_words_{language}", path)
    if spec is None or spec.loader is None:
        return frozenset()
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return frozenset(str(w).lower() for w in getattr(module, "STOP_WORDS", ()))


@cache
def calendar_words() -> frozenset[str]:
    """Names of months and weekdays, in English and in the languages cleaning reads dates
    in ("setyembre", "martes", "Oktober"): never the names a lead is about, even where
    the time stage resolves no date around them ("Monday and Tuesday's strike")."""
    rules = cleaning_rules()
    english = rules.english_month_names  # full names, not "Jan" or "Sept"
    full = [m for m in english if not any(o != m and o.startswith(m) for o in english)]
    return frozenset([*full, *rules.month_names, *rules.weekdays])


def caseless(word: str) -> bool:
    """Whether a word is written in a script with no capitals (Georgian, Arabic,
    Devanagari, Bengali, Tamil, Sinhala), where any word may be a name."""
    first = word[:1]
    # Georgian's everyday letters are lower-case letters to Unicode, but the script
    # writes names without capitals all the same
    return first.isalpha() and (first.lower() == first.upper() or "\u10d0" <= first <= "\u10ff")


def name_shaped(word: str) -> bool:
    """Whether a word of another language may be a name: capitalised, or written in a
    script with no capitals."""
    return word[:1].isupper() or caseless(word)


def _count_run_keys(terms: Counter[str], word: str, scripts: str, lead: bool) -> None:
    """Count the keys of a word of an unspaced script (`run_keys`), in the lead too."""
    for piece, named in run_keys(word, scripts):
        terms[piece] += 1
        if lead:
            terms[LEAD + piece] += 1
            if named:
                terms[NAME + piece] += 1


@cache
def _run_pieces(scripts: str, multipliers: str) -> re.Pattern[str]:
    letters = rf"(?:(?!{scripts})[^\W\d_])+"
    times = rf"(?P<times>[{re.escape(multipliers)}])?" if multipliers else ""
    return re.compile(rf"(?P<number>{_NUMBER.pattern}){times}|(?P<run>{scripts}+)"
                      rf"|(?P<word>{letters})")


def run_keys(word: str, scripts: str) -> list[tuple[str, bool]]:
    """The keys of a word holding letters of a script written without spaces, each with
    whether it may be a name: its numbers as English writes them ("7死26伤": 7, 26;
    "3100万": 31, for 31 million; `number_multipliers`), its Latin words in lower case as
    every key ("LNG선": lng, a name when capitalised) and its runs of that script (`RUN` keys)."""
    multipliers = story_rules().number_multipliers
    out = []
    for m in _run_pieces(scripts, "".join(multipliers)).finditer(word):
        if m.group("number"):
            times = m.groupdict().get("times")
            key = number_key(m.group("number"), multipliers[times] if times else 1)
            out.append((key or m.group("number"), False))
        elif m.group("run"):
            out.append((RUN + m.group(), True))
        elif name_shaped(m.group()):
            out.append((m.group().lower(), True))  # as every other key: lower case
    return out


def _recurring(words: list[str], cues: Cues, most: int,
               key: Callable[[int], str | None]) -> list[str]:
    """The words recurrence cues govern in a title or lead: up to `most` after a cue
    that comes before its noun ("another", "second"), before one that follows
    ("again"), up to a word `key` (by index) makes no key (a stop word, a name) or one
    the cue marks nothing by ("a third day")."""
    before, after, skip = cues
    out: list[str] = []
    for i, word in enumerate(words):
        for step, ok in ((1, word in before), (-1, word in after)):
            if not ok:
                continue
            j, taken = i + step, 0
            while 0 <= j < len(words) and taken < most:
                k = None if words[j] in skip else key(j)
                if k is None:
                    break
                out.append(k)
                taken += 1
                j += step
    return out


def _recurring_tokens(cols: Columns, end: int, cues: Cues, most: int) -> list[str]:
    """`_recurring` over the parsed tokens of a lead (up to token `end`): the lemmas of
    nouns, verbs and adjectives, up to the first stop word or punctuation."""
    def key(k: int) -> str | None:
        if cols.stop_or_punct[k] or cols.pos[k] not in ("NOUN", "VERB", "ADJ"):
            return None
        return cols.lemmas[k].strip() or None
    return _recurring(cols.lowers[:end], cues, most, key)


def sign_document(doc: Document) -> Document:
    """Fill `doc.terms` from the parses the parse stage left in `doc.analyses` and the
    times the time stage resolved."""
    rules = story_rules()
    kinds = {p.start: p.kind for p in doc.paragraphs}
    terms: Counter[str] = Counter()
    title_as_written = _WORD.findall(doc.title.text) if doc.title is not None else []
    title = [word.lower() for word in title_as_written]
    lead_left = rules.lead_sentences - (1 if title else 0)
    lemma_of: dict[str, str | None] = {}  # body word -> its lemma, None if not a key
    names: set[str] = set()  # body words tagged as proper nouns (not in a time: "Monday")
    times = [(m.start, m.end) for m in doc.mentions if m.kind == "time"]
    lead_recurring: list[str] = []

    def is_name(pos: str, at: int, lower: str) -> bool:
        return pos == "PROPN" and not any(a <= at < b for a, b in times) \
            and lower not in calendar_words()

    language = {p.start: p.language or doc.language for p in doc.paragraphs}
    unspaced = rules.unspaced_scripts
    parsed = set()
    for base, sdoc in doc.analyses:
        parsed.add(base)
        if kinds.get(base, "body") not in rules.paragraph_kinds:
            continue
        stops = stop_words(language.get(base))
        # A paragraph in another language than the parse model's: its common words never
        # meet those of reports in English, so only its names and numbers are keys.
        foreign = rules.foreign_names_only and not english(language.get(base))
        lead_end = 0
        if lead_left > 0:
            for sent in sdoc.sents:
                lead_end, lead_left = sent.end, lead_left - 1
                if not lead_left:
                    break
        cols = columns(sdoc)
        lead_cues = rules.recurrence.get(language.get(base) or "", None)
        if lead_end and lead_cues is not None:
            lead_recurring += _recurring_tokens(cols, lead_end, lead_cues,
                                                rules.recurrence_words)
        for i, (skip, pos, lemma, lower) in enumerate(zip(
                cols.stop_or_punct, cols.pos, cols.lemmas, cols.lowers, strict=True)):
            lemma = lemma.strip()
            if foreign and unspaced.search(lower):  # "烽火机器人16日在香港联交所主板挂牌上市"
                lemma_of.setdefault(lower, None)
                _count_run_keys(terms, sdoc[i].text, unspaced.pattern, i < lead_end)
                continue
            if (skip or pos not in rules.parts_of_speech or len(lemma) < rules.min_length
                    or not any(ch.isalnum() for ch in lemma) or lower in stops
                    or lemma in stops):
                lemma_of.setdefault(lower, None)
                continue
            if foreign and not (name_shaped(sdoc[i].text)
                                or any(ch.isdigit() for ch in lemma)):
                lemma_of.setdefault(lower, None)
                continue
            lemma = number_key(lemma) or glued_number_key(lemma) or lemma
            lemma_of[lower] = lemma
            terms[lemma] += 1
            # the English model calls any word of a script without capitals a proper
            # noun: there the tag tells no name from a common word
            name = is_name(pos, base + sdoc[i].idx, lower) and not (
                foreign and caseless(lower))
            if name:
                names.add(lower)
            if i < lead_end:
                terms[LEAD + lemma] += 1
                if name:
                    terms[NAME + lemma] += 1
    # Paragraphs the language model does not parse (Arabic script): their words as
    # written, stop words of their language left out; the first one is the lead when
    # no parsed sentence was.
    for para in doc.paragraphs:
        if para.start in parsed or para.kind not in rules.paragraph_kinds:
            continue
        stops = stop_words(para.language or doc.language)
        words = [w for w in _WORD.findall(doc.text[para.start:para.end].lower())
                 if len(w) >= rules.min_length and w not in stops and w not in STOP_WORDS]
        keys = [k for w in words for k in (
            [k for k, _ in run_keys(w, unspaced.pattern)] if unspaced.search(w)
            else [number_key(w) or glued_number_key(w) or w])]
        for w in words:
            lemma_of.setdefault(w, w)
        for k in keys:
            terms[k] += 1
        if lead_left > 0 and keys:
            lead_left -= 1
            for k in keys:
                terms[LEAD + k] += 1
    title_stops = stop_words(doc.language)
    foreign_title = rules.foreign_names_only and not english(doc.language)
    for word, written in zip(title, title_as_written, strict=True):
        if foreign_title and unspaced.search(word):
            _count_run_keys(terms, written, unspaced.pattern, lead=True)
            continue
        key = lemma_of[word] if word in lemma_of else (
            None if word in STOP_WORDS or word in title_stops or len(word) < rules.min_length
            or (foreign_title and not (written[:1].isupper()
                                       or any(ch.isdigit() for ch in word)))
            else number_key(word) or glued_number_key(word) or word)
        if key is not None:
            terms[key] += 1
            terms[LEAD + key] += 1
            if word in names:
                terms[NAME + key] += 1
    cues = rules.recurrence.get(doc.language or "", None)
    if cues is not None:
        for key in _recurring(title, cues, rules.recurrence_words,
                              lambda j: None if title[j] in names or title[j] in STOP_WORDS
                              or title[j] in title_stops else lemma_of.get(title[j], title[j])):
            terms[AGAIN + key] += 1
        for key in lead_recurring:
            terms[AGAIN + key] += 1
    allowed = {k for k, p in enumerate(doc.paragraphs) if p.kind in rules.paragraph_kinds}
    for m in doc.mentions:
        value = m.time
        if (m.kind == "time" and value is not None and value.start is not None
                and value.precision in rules.year_precisions and m.paragraph in allowed):
            terms[f"{YEAR}{value.start.year}"] += 1
    doc.terms = dict(terms)
    return doc
