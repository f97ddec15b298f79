"""Language and script direction of each paragraph, and of the whole document."""

from __future__ import annotations

import copy
import re
import unicodedata
from collections import Counter
from functools import cache
from typing import Any

from storyline.clean.rules import load_data
from storyline.model import Document


@cache
def _config() -> dict[str, Any]:
    data: dict[str, Any] = load_data("languages.yaml")
    return data


@cache
def _model() -> Any:
    """The language identifier over every language, loaded once (about 0.2 s)."""
    import py3langid.langid as langid

    return langid.LanguageIdentifier.from_model_file(langid.MODEL_FILE, norm_probs=True)


@cache
def _identifier(script: str) -> Any:
    """The identifier for one script: the model restricted to its languages (a copy that
    shares the loaded model's arrays; `set_languages` replaces, never edits, them)."""
    languages = _config().get(f"{script.lower()}_script")
    if not languages:
        return _model()
    ident = copy.copy(_model())
    ident.set_languages(languages)
    return ident


def _latin_class() -> str:
    """A regex class of every letter below U+0250 (Basic Latin to Latin Extended-B), built
    from `str.isalpha` so it matches exactly what that test counts."""
    return "[" + "".join(re.escape(chr(i)) for i in range(0x250) if chr(i).isalpha()) + "]"


_LATIN = re.compile(_latin_class())
_BEYOND_LATIN = re.compile(r"[^\u0000-\u024f]")


def script_letters(text: str) -> Counter[str]:
    """Letters of `text` by script (the first word of their Unicode name; LATIN for every
    letter below U+0250), in the order each script first occurs. Regexes do the
    counting: most news text is Latin, and a loop over its characters in Python cost a
    tenth of a second per hundred articles."""
    counts: Counter[str] = Counter()
    first = _LATIN.search(text)
    latin_at = first.start() if first else len(text)
    for match in _BEYOND_LATIN.finditer(text):
        if match.start() > latin_at and "LATIN" not in counts:
            counts["LATIN"] = 0  # keeps its place in the order of first occurrence
        ch = match.group()
        if ch.isalpha():
            counts[unicodedata.name(ch, "UNKNOWN").split(" ")[0]] += 1
    if first:  # (letters above U+024F may have counted as LATIN already: "ʅ")
        counts["LATIN"] += len(_LATIN.findall(text))
    return counts


def dominant_script(text: str) -> tuple[str | None, int]:
    """The script most letters of `text` are written in (Unicode name prefix; on a tie,
    the one that occurs first), and the number of letters."""
    counts = script_letters(text)
    if not counts:
        return None, 0
    script, _ = counts.most_common(1)[0]
    return script, sum(counts.values())


def detect(text: str) -> tuple[str | None, str]:
    """`(language, direction)` of a paragraph; language None when too short to tell."""
    language, direction, _ = _detect(text)
    return language, direction


def _detect(text: str) -> tuple[str | None, str, int]:
    """`detect`, and the paragraph's number of letters."""
    script, letters = dominant_script(text)
    cfg = _config()
    direction = "rtl" if script in cfg["right_to_left_scripts"] else "ltr"
    if script is None or letters < cfg["min_letters"]:
        return None, direction, letters
    if script in ("LATIN", "ARABIC", "CYRILLIC", "HEBREW"):
        language, _ = _identifier(script).classify(text)
        return str(language), direction, letters
    language, _ = _identifier("all").classify(text)
    return str(language), direction, letters


def english(language: str | None) -> bool:
    """Whether a paragraph's language is the parse model's (unknown counts as English)."""
    return not language or language.split("-")[0].lower() == "en"


def identify_languages(doc: Document) -> Document:
    """Stage: language and direction of each paragraph; the document's main language."""
    letters: Counter[str] = Counter()
    for paragraph in doc.paragraphs:
        chunk = doc.text[paragraph.start:paragraph.end]
        language, paragraph.direction, count = _detect(chunk)
        if language:
            paragraph.language = language
            paragraph.language_from = "detected"
            letters[language] += count
    main = letters.most_common(1)[0][0] if letters else None
    if main:
        main_direction = "rtl" if main in _rtl() else "ltr"
        for paragraph in doc.paragraphs:
            # Too short to detect: take the main language if the script agrees with it.
            if paragraph.language is None and paragraph.direction == main_direction:
                paragraph.language = main
                paragraph.language_from = "context"
    doc.language = main
    return doc


@cache
def _rtl() -> frozenset[str]:
    cfg = _config()
    return frozenset(cfg["arabic_script"]) | frozenset(cfg["hebrew_script"])
