"""Per-paragraph views of a spaCy parse, built once and kept on the parse.

spaCy builds a new Python `Token` for every index or iteration and rebuilds `Doc.text`
on every access. The rule layer scans the same tokens many times (entities, roles,
claims, events, signature), so the attributes its scans test are read in one pass into
plain lists, kept in the parse's `user_data`; a rule builds a `Token` only where a scan
has found a candidate.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

_TEXT = "storyline_text"
_COLUMNS = "storyline_columns"


@dataclass(frozen=True)
class Columns:
    """Token attributes of one parse, by token index (`lemmas` are lower-cased)."""

    texts: list[str]
    lowers: list[str]
    lemmas: list[str]
    pos: list[str]
    tags: list[str]
    deps: list[str]
    stop_or_punct: list[bool]


def text_of(sdoc: Any) -> str:
    """The paragraph's text, built once (spaCy rebuilds `Doc.text` on every access)."""
    text = sdoc.user_data.get(_TEXT)
    if text is None:
        text = sdoc.user_data[_TEXT] = sdoc.text
    return str(text)


def columns(sdoc: Any) -> Columns:
    """The token attributes the rule layer scans, read once per parse."""
    cols = sdoc.user_data.get(_COLUMNS)
    if cols is None:
        cols = sdoc.user_data[_COLUMNS] = _read(sdoc)
    return cols  # type: ignore[no-any-return]


def words_of(sdoc: Any) -> tuple[list[str], list[str]]:
    """Each token's text and its lower-case form, by token index."""
    cols = columns(sdoc)
    return cols.texts, cols.lowers


def _read(sdoc: Any) -> Columns:
    cols = Columns([], [], [], [], [], [], [])
    for tok in sdoc:  # one pass; faster than `Doc.to_array` on paragraph-sized parses
        cols.texts.append(tok.text)
        cols.lowers.append(tok.lower_)
        cols.lemmas.append(tok.lemma_.lower())
        cols.pos.append(tok.pos_)
        cols.tags.append(tok.tag_)
        cols.deps.append(tok.dep_)
        cols.stop_or_punct.append(tok.is_stop or tok.is_punct)
    return cols
