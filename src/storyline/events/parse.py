"""Small readers over spaCy parses and mentions, shared by the claims and events stages."""

from __future__ import annotations

from typing import Any

from storyline.model import Document, Mention

ACTOR_KINDS = ("person", "organization", "place", "group")


def child(tok: Any, dep: str) -> Any:
    """The first dependent of `tok` with this relation, or None."""
    return next((c for c in tok.children if c.dep_ == dep), None)


def paragraph_index(doc: Document, start: int) -> int:
    """Index of the paragraph that starts at `start` (where a parse was made)."""
    return next((k for k, p in enumerate(doc.paragraphs) if p.start == start), 0)


def last_person(mentions: list[Mention], before: int) -> int | None:
    """The last person mention that starts before `before`."""
    best = None
    for k, m in enumerate(mentions):
        if m.start >= before:
            break
        if m.kind == "person":
            best = k
    return best


class MentionIndex:
    """The mention covering each character of a document, built once per stage."""

    def __init__(self, doc: Document) -> None:
        self.mentions = doc.mentions
        self.by_char: dict[int, int] = {}
        for k, m in enumerate(doc.mentions):
            for c in range(m.start, m.end):
                self.by_char.setdefault(c, k)

    def at(self, char: int, kinds: tuple[str, ...] = ACTOR_KINDS) -> int | None:
        """The mention of one of `kinds` covering document offset `char`, if any."""
        k = self.by_char.get(char)
        return k if k is not None and self.mentions[k].kind in kinds else None
