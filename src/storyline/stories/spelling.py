"""Names as the English reports spell them: a report in another language or script
writes the names of its story otherwise ("زوارة", "Zouara" for "Zuwara"), so its keys
never meet those of the English reports and it starts a story of its own.

The English (or undated-language) reports give the spellings: each name of a lead (a
`!` key) is kept with its consonant skeleton (`storyline.actors.names.skeleton`, the
same across romanizations and Arabic script) in the store. When a report in another
language is placed, each of its keys whose skeleton is one of those is written as the
spelling most English reports use (`respell`). Only keys of `min_skeleton` consonants
or more are respelled: two-consonant skeletons are shared by too many names.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from anyascii import anyascii

from storyline.actors.names import name_rules, skeleton
from storyline.clean.language import english
from storyline.stories.signature import LEAD, NAME, RUN

__all__ = ["english", "lead_spellings", "respell"]

#: skeletons -> the spelling English reports use most for each (those known)
Spellings = Callable[[Iterable[str]], dict[str, str]]


def _skeleton(word: str, min_skeleton: int) -> str | None:
    """A word's skeleton if it is long enough to identify a name (no numbers)."""
    if not word or any(ch.isdigit() for ch in word):
        return None
    found = skeleton(word)
    return found if len(found.strip("'")) >= min_skeleton else None


def _other_skeleton(word: str, min_skeleton: int) -> str | None:
    """A word's skeleton as English writes it from another spelling habit, when its
    letters have one (`english_letters`: Azerbaijani "Şirvan" as "Shirvan", Romanian
    "Mărășești" with "sh"), or None."""
    table = name_rules().english_letters
    if not any(ord(ch) in table for ch in word):
        return None
    return _skeleton(word.translate(table), min_skeleton)


def _stems(found: str, suffix: int, min_skeleton: int) -> list[str]:
    """A skeleton and the stems of up to `suffix` consonants fewer (a case ending cut),
    the longest first, each of `min_skeleton` consonants or more."""
    return [found[:len(found) - cut] for cut in range(suffix + 1)
            if len(found.strip("'")) - cut >= min_skeleton]


def lead_spellings(terms: dict[str, int], min_skeleton: int) -> list[tuple[str, str]]:
    """(skeleton, name) for each name of a report's lead (its `!` keys)."""
    out = []
    for key in terms:
        if key.startswith(NAME):
            found = _skeleton(key[len(NAME):], min_skeleton)
            if found is not None:
                out.append((found, key[len(NAME):]))
    return out


#: (start, end, skeleton, letters) of a stretch of a run of unspaced letters
Stretch = tuple[int, int, str, str]


def _stretches(run: str, shortest: int, longest: int) -> list[Stretch]:
    """Each stretch of a run of unspaced letters long enough to be a name, romanized
    once (`anyascii`: Chinese as pinyin, Korean as its Revised Romanization): its
    skeleton, and its Latin letters in lower case."""
    out = []
    for start in range(len(run)):
        for end in range(start + shortest, min(len(run), start + longest) + 1):
            latin = anyascii(run[start:end])
            found = skeleton(latin)
            if found:
                out.append((start, end, found, _letters(latin)))
    return out


def _letters(text: str) -> str:
    """The Latin letters of a text, romanized and in lower case."""
    return "".join(ch for ch in anyascii(text).lower() if ch.isalpha())


def _run_names(stretches: list[Stretch], known: dict[str, str], min_skeleton: int
               ) -> list[str]:
    """The names found in a run's stretches, left to right, the longest at each place,
    not overlapping. A stretch is a name only if it romanizes to the name's very letters
    ("千岚" to "qianlan" for "Qianlan"): two Chinese syllables share a skeleton with too
    many names ("东方", "dongfang", has the skeleton of "Dingfeng")."""
    names: list[str] = []
    at = 0
    hits = [(s, e, known[k]) for s, e, k, letters in stretches
            if k in known and len(k.strip("'")) >= min_skeleton
            and letters == _letters(known[k])]
    for start, end, name in sorted(hits, key=lambda h: (h[0], -(h[1] - h[0]))):
        if start >= at:
            names.append(name)
            at = end
    return names


def respell(terms: dict[str, int], spellings: Spellings, min_skeleton: int,
            suffix: int = 0, runs: tuple[int, int] = (2, 4)) -> dict[str, int]:
    """A report's keys with each word whose skeleton an English report's lead name has
    written as that name (its prefix kept: `^زوارة` becomes `^Zuwara`); with `suffix`,
    also a word whose skeleton is such a name's and up to that many consonants more, an
    ending of its language's grammar ("Нарынской", "Вінницькій" as "Naryn",
    "Vinnytsia"); the longest such name wins. A run of a script written without spaces
    (a `%` key) gives the names its stretches of `runs` letters spell, and nothing else.
    Counts of keys that fall together add up."""
    # each word with its skeletons: its own, then the one of English letter habits
    split: list[tuple[str, str, int, tuple[str, ...]]] = []
    stretches: dict[str, list[Stretch]] = {}  # each run once, under any prefix
    for key, n in terms.items():
        prefix = key[0] if key[:1] in (LEAD, NAME) else ""
        word = key[len(prefix):]
        if word.startswith(RUN):
            if word not in stretches:
                stretches[word] = _stretches(word[len(RUN):], *runs)
            split.append((prefix, word, n, ()))
            continue
        found = _skeleton(word, min_skeleton)
        other = _other_skeleton(word, min_skeleton) if found is not None else None
        split.append((prefix, word, n, tuple(dict.fromkeys(
            s for s in (found, other) if s is not None))))
    asked = {stem for *_, skeletons in split for s in skeletons
             for stem in _stems(s, suffix, min_skeleton)}
    asked |= {k for found in stretches.values() for _, _, k, _ in found
              if len(k.strip("'")) >= min_skeleton}
    known = spellings(asked)
    out: dict[str, int] = {}
    for prefix, word, n, skeletons in split:
        if word in stretches:
            for name in _run_names(stretches[word], known, min_skeleton):
                out[prefix + name] = out.get(prefix + name, 0) + n
            continue
        spelled = next((known[stem] for s in skeletons
                        for stem in _stems(s, suffix, min_skeleton) if stem in known), word)
        out[prefix + spelled] = out.get(prefix + spelled, 0) + n
    return out
