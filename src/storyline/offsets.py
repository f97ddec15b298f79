"""Text that remembers where each character came from in the original input.

Cleaning rejoins wrapped lines, drops boilerplate and invisible characters, and strips
datelines; every later extraction must still be able to cite the exact span of the
original input. A `Piece` is a string plus, for each character, its offset in the
original; a `TextBuilder` glues pieces into the cleaned text and produces an
`OffsetMap`, a compact run-length map from cleaned offsets back to original offsets.
"""

from __future__ import annotations

import bisect
import re
from array import array
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

_SPACE = re.compile(r"\s")
_NEEDS_COLLAPSE = re.compile(r"\s\s|[^\S ]")


@dataclass(frozen=True)
class Piece:
    """A string whose characters each know their offset in the original input."""

    text: str
    offsets: Sequence[int]

    @classmethod
    def of(cls, original: str, start: int = 0, end: int | None = None) -> Piece:
        """The slice `original[start:end]`, mapped to itself."""
        end = len(original) if end is None else end
        return cls(original[start:end], range(start, end))

    def __len__(self) -> int:
        return len(self.text)

    def __getitem__(self, key: slice) -> Piece:
        return Piece(self.text[key], self.offsets[key])

    def strip(self) -> Piece:
        text = self.text
        start, end = 0, len(text)
        while start < end and text[start].isspace():
            start += 1
        while end > start and text[end - 1].isspace():
            end -= 1
        return self[start:end]

    @property
    def span(self) -> tuple[int, int]:
        """Original span covered by this piece (empty pieces give (0, 0))."""
        if not self.text:
            return (0, 0)
        return (self.offsets[0], self.offsets[-1] + 1)


@dataclass(frozen=True)
class OffsetMap:
    """Maps offsets of a cleaned text back to offsets in the original input.

    Stored as runs `(clean_start, original_start, length)`: inside a run, characters
    are contiguous in both texts.
    """

    runs: tuple[tuple[int, int, int], ...] = ()
    length: int = 0
    _starts: list[int] = field(default_factory=list, compare=False, repr=False)

    def __post_init__(self) -> None:
        self._starts.extend(r[0] for r in self.runs)

    def original(self, offset: int) -> int:
        """Original offset of the cleaned character at `offset`."""
        if not self.runs:
            return 0
        i = bisect.bisect_right(self._starts, offset) - 1
        clean_start, original_start, length = self.runs[max(i, 0)]
        return original_start + min(max(offset - clean_start, 0), length - 1)

    def span(self, start: int, end: int) -> tuple[int, int]:
        """Original span `[s, e)` covering the cleaned span `[start, end)`."""
        if end <= start:
            at = self.original(start)
            return (at, at)
        return (self.original(start), self.original(end - 1) + 1)

    def clean_span(self, start: int, end: int) -> tuple[int, int] | None:
        """The cleaned span covering every cleaned character that came from the original
        span `[start, end)`, or None when none did (the span was dropped as boilerplate)."""
        lo: int | None = None
        hi = 0
        for clean_start, original_start, length in self.runs:
            a, b = max(start, original_start), min(end, original_start + length)
            if a < b:
                lo = clean_start + a - original_start if lo is None else lo
                hi = clean_start + b - original_start
        return (lo, hi) if lo is not None else None

    def to_json(self) -> list[list[int]]:
        return [list(r) for r in self.runs]

    @classmethod
    def from_json(cls, runs: Iterable[Sequence[int]], length: int | None = None) -> OffsetMap:
        tuples = tuple((int(a), int(b), int(c)) for a, b, c in runs)
        if length is None:
            length = tuples[-1][0] + tuples[-1][2] if tuples else 0
        return cls(tuples, length)


class TextBuilder:
    """Accumulates pieces into one cleaned text with its offset map."""

    def __init__(self) -> None:
        self._parts: list[str] = []
        self._offsets = array("q")
        self._length = 0

    def __len__(self) -> int:
        return self._length

    def add(self, piece: Piece) -> tuple[int, int]:
        """Append a piece; returns its span in the cleaned text."""
        start = self._length
        self._parts.append(piece.text)
        self._offsets.extend(piece.offsets)
        self._length += len(piece.text)
        return (start, self._length)

    def add_separator(self, text: str, at: int) -> None:
        """Append characters that stand for something at original offset `at`."""
        self._parts.append(text)
        self._offsets.extend([at] * len(text))
        self._length += len(text)

    def build(self) -> tuple[str, OffsetMap]:
        text = "".join(self._parts)
        return text, _runs(self._offsets, len(text))

    def piece(self) -> Piece:
        return Piece("".join(self._parts), self._offsets)


def _runs(offsets: Sequence[int], length: int) -> OffsetMap:
    runs: list[tuple[int, int, int]] = []
    n = len(offsets)
    i = 0
    while i < n:
        j = i + 1
        base = offsets[i]
        while j < n and offsets[j] == base + (j - i):
            j += 1
        runs.append((i, base, j - i))
        i = j
    return OffsetMap(tuple(runs), length)


def join_pieces(pieces: Sequence[Piece], separator: str = " ") -> Piece:
    """Join pieces with a separator mapped to the end of the piece before it."""
    builder = TextBuilder()
    for k, piece in enumerate(pieces):
        if k:
            prev = pieces[k - 1]
            builder.add_separator(separator, prev.offsets[-1] + 1 if len(prev) else 0)
        builder.add(piece)
    return builder.piece()


def collapse_spaces(piece: Piece) -> Piece:
    """Turn each run of white space into one space (kept at the run's first offset)."""
    text = piece.text
    if not _NEEDS_COLLAPSE.search(text):
        return piece
    chars: list[str] = []
    offs: list[int] = []
    prev_space = False
    for ch, off in zip(text, piece.offsets, strict=True):
        if _SPACE.match(ch):
            if not prev_space:
                chars.append(" ")
                offs.append(off)
            prev_space = True
        else:
            chars.append(ch)
            offs.append(off)
            prev_space = False
    return Piece("".join(chars), offs)
