"""Unit tests for storyline.offsets: Piece, TextBuilder, OffsetMap and the helpers."""

from __future__ import annotations

import contextlib
import json
import warnings

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from storyline.offsets import OffsetMap, Piece, TextBuilder, collapse_spaces, join_pieces

# When a Hypothesis test fails, its pytest plugin imports libcst to suggest a patch, and
# libcst triggers a DeprecationWarning (from mypy_extensions) that the project's
# `filterwarnings = error` turns into an INTERNALERROR aborting the whole run. Import it
# once here with that warning silenced so a failing property test is reported normally.
with warnings.catch_warnings():
    warnings.simplefilter("ignore", DeprecationWarning)
    with contextlib.suppress(ImportError):  # without libcst the plugin skips the patch
        import hypothesis.extra._patching  # noqa: F401

# ---------------------------------------------------------------------------
# Piece
# ---------------------------------------------------------------------------


def test_piece_of_whole_string_maps_each_char_to_itself() -> None:
    piece = Piece.of("tide")
    assert piece.text == "tide"
    assert list(piece.offsets) == [0, 1, 2, 3]
    assert len(piece) == 4
    assert piece.span == (0, 4)


def test_piece_of_slice_keeps_original_offsets() -> None:
    piece = Piece.of("the quay wall", 4, 8)
    assert piece.text == "quay"
    assert list(piece.offsets) == [4, 5, 6, 7]
    assert piece.span == (4, 8)


def test_piece_of_start_only_runs_to_end() -> None:
    piece = Piece.of("harbour", 3)
    assert piece.text == "bour"
    assert list(piece.offsets) == [3, 4, 5, 6]


def test_piece_slicing_slices_text_and_offsets_together() -> None:
    piece = Piece("xyz", [10, 20, 30])
    sub = piece[1:]
    assert sub.text == "yz"
    assert list(sub.offsets) == [20, 30]
    assert sub.span == (20, 31)


def test_piece_strip_drops_surrounding_whitespace_and_their_offsets() -> None:
    piece = Piece.of("  \tsea wall \n")
    stripped = piece.strip()
    assert stripped.text == "sea wall"
    assert list(stripped.offsets) == list(range(3, 11))
    assert stripped.span == (3, 11)


def test_piece_strip_of_only_whitespace_is_empty_with_zero_span() -> None:
    stripped = Piece.of(" \n\t ").strip()
    assert stripped.text == ""
    assert len(stripped) == 0
    assert stripped.span == (0, 0)


def test_empty_piece_span_is_zero_zero() -> None:
    assert Piece("", []).span == (0, 0)


def test_piece_span_uses_first_and_last_offsets() -> None:
    # Non-contiguous offsets: span goes from the first to one past the last.
    assert Piece("ab", [5, 42]).span == (5, 43)


# ---------------------------------------------------------------------------
# TextBuilder
# ---------------------------------------------------------------------------


def test_textbuilder_add_returns_clean_spans() -> None:
    source = "hello world"
    builder = TextBuilder()
    assert len(builder) == 0
    assert builder.add(Piece.of(source, 6, 11)) == (0, 5)
    builder.add_separator("\n\n", 11)
    assert builder.add(Piece.of(source, 0, 5)) == (7, 12)
    assert len(builder) == 12
    text, offsets = builder.build()
    assert text == "world\n\nhello"
    assert offsets.length == 12
    assert offsets.runs == ((0, 6, 6), (6, 11, 1), (7, 0, 5))


def test_textbuilder_separator_maps_to_given_offset() -> None:
    builder = TextBuilder()
    builder.add(Piece.of("ab cd", 0, 2))
    builder.add_separator(" | ", 99)
    builder.add(Piece.of("ab cd", 3, 5))
    text, offsets = builder.build()
    assert text == "ab | cd"
    assert [offsets.original(i) for i in range(len(text))] == [0, 1, 99, 99, 99, 3, 4]


def test_textbuilder_piece_matches_build() -> None:
    builder = TextBuilder()
    builder.add(Piece.of("abcdef", 1, 3))
    builder.add_separator("-", 3)
    builder.add(Piece.of("abcdef", 4, 6))
    piece = builder.piece()
    text, offsets = builder.build()
    assert piece.text == text == "bc-ef"
    assert list(piece.offsets) == [1, 2, 3, 4, 5]
    assert [offsets.original(i) for i in range(len(text))] == [1, 2, 3, 4, 5]
    # Contiguous offsets collapse into a single run.
    assert offsets.runs == ((0, 1, 5),)


def test_textbuilder_empty_build() -> None:
    text, offsets = TextBuilder().build()
    assert text == ""
    assert offsets.runs == ()
    assert offsets.length == 0


# ---------------------------------------------------------------------------
# OffsetMap
# ---------------------------------------------------------------------------


def _sample_map() -> OffsetMap:
    # clean "world\n\nhello" from original "hello world" (see the builder test).
    return OffsetMap(((0, 6, 6), (6, 11, 1), (7, 0, 5)), 12)


def test_offsetmap_original_inside_runs() -> None:
    m = _sample_map()
    assert [m.original(i) for i in range(12)] == [6, 7, 8, 9, 10, 11, 11, 0, 1, 2, 3, 4]


def test_offsetmap_original_clamps_past_the_end_to_last_char() -> None:
    m = _sample_map()
    assert m.original(12) == 4
    assert m.original(500) == 4


def test_offsetmap_original_negative_clamps_to_first_run() -> None:
    assert _sample_map().original(-3) == 6


def test_offsetmap_span_covers_cleaned_span() -> None:
    m = _sample_map()
    assert m.span(0, 5) == (6, 11)
    assert m.span(7, 12) == (0, 5)
    assert m.span(8, 10) == (1, 3)


def test_offsetmap_empty_span_is_a_point() -> None:
    m = _sample_map()
    assert m.span(9, 9) == (2, 2)
    assert m.span(4, 2) == (10, 10)


def test_empty_offsetmap_maps_everything_to_zero() -> None:
    m = OffsetMap()
    assert m.original(0) == 0
    assert m.original(7) == 0
    assert m.span(0, 0) == (0, 0)
    assert m.to_json() == []


def test_offsetmap_to_json_and_from_json() -> None:
    m = _sample_map()
    data = m.to_json()
    assert data == [[0, 6, 6], [6, 11, 1], [7, 0, 5]]
    assert json.loads(json.dumps(data)) == data
    back = OffsetMap.from_json(data)
    assert back == m
    assert back.length == 12
    assert [back.original(i) for i in range(12)] == [m.original(i) for i in range(12)]


def test_offsetmap_from_json_explicit_length_and_empty() -> None:
    assert OffsetMap.from_json([[0, 3, 4]], 4) == OffsetMap(((0, 3, 4),), 4)
    assert OffsetMap.from_json([]) == OffsetMap((), 0)
    assert OffsetMap.from_json([("1", "2", "3")]).runs == ((1, 2, 3),)


# ---------------------------------------------------------------------------
# join_pieces
# ---------------------------------------------------------------------------


def test_join_pieces_separator_maps_after_previous_piece() -> None:
    source = "grain\nprices rose"
    a = Piece.of(source, 0, 5)
    b = Piece.of(source, 6, 12)
    joined = join_pieces([a, b])
    assert joined.text == "grain prices"
    assert list(joined.offsets) == [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]


def test_join_pieces_custom_separator_and_single_piece() -> None:
    source = "abc   def"
    joined = join_pieces([Piece.of(source, 0, 3), Piece.of(source, 6, 9)], separator="--")
    assert joined.text == "abc--def"
    assert list(joined.offsets) == [0, 1, 2, 3, 3, 6, 7, 8]
    single = join_pieces([Piece.of(source, 6, 9)])
    assert single.text == "def"
    assert list(single.offsets) == [6, 7, 8]
    assert join_pieces([]).text == ""


# ---------------------------------------------------------------------------
# collapse_spaces
# ---------------------------------------------------------------------------


def test_collapse_spaces_turns_runs_into_one_space_at_run_start() -> None:
    source = "dock  \n\t workers"
    collapsed = collapse_spaces(Piece.of(source))
    assert collapsed.text == "dock workers"
    assert list(collapsed.offsets) == [0, 1, 2, 3, 4, 9, 10, 11, 12, 13, 14, 15]


def test_collapse_spaces_without_runs_returns_same_piece() -> None:
    piece = Piece.of("a single space each")
    assert collapse_spaces(piece) is piece


def test_collapse_spaces_no_break_space_and_newline_become_space() -> None:
    collapsed = collapse_spaces(Piece.of("ten\xa0km\nroad"))
    assert collapsed.text == "ten km road"
    assert list(collapsed.offsets) == list(range(11))


@pytest.mark.parametrize(
    "raw",
    [
        "one\u2003two",  # EM SPACE alone
        "one \u3000two",  # space + IDEOGRAPHIC SPACE: a run of two white-space characters
        "one\x0ctwo",  # form feed
        "one\u2028two",  # LINE SEPARATOR
        "one\x85two",  # NEXT LINE
    ],
)
def test_collapse_spaces_handles_every_unicode_whitespace(raw: str) -> None:
    # The docstring: "Turn each run of white space into one space".
    collapsed = collapse_spaces(Piece.of(raw))
    assert collapsed.text == "one two"
    assert list(collapsed.offsets)[:4] == [0, 1, 2, 3]
    assert list(collapsed.offsets)[-3:] == [len(raw) - 3, len(raw) - 2, len(raw) - 1]


# ---------------------------------------------------------------------------
# Property tests
# ---------------------------------------------------------------------------

# Arbitrary text: letters, digits, punctuation, symbols, every kind of space and
# control/format characters (no private-use characters: JOIN is one of them).
_ALPHABET = st.characters(codec="utf-8", categories=("L", "N", "P", "S", "Z", "Cc", "Cf", "Mn"))
_SETTINGS = settings(max_examples=300, deadline=None, database=None,
                     suppress_health_check=[HealthCheck.too_slow])
JOIN = "\ue000"  # separator used with join_pieces, recognisable in the cleaned text


def _clean(original: str, removed: set[int]) -> tuple[str, OffsetMap, dict[int, int], set[int]]:
    """Remove the characters at `removed`; glue neighbouring pairs of the remaining segments
    with join_pieces(JOIN); collapse and strip; then build with "\\n\\n" separators.
    Returns the cleaned text, its map, the expected offset of each builder separator
    character, and the original offsets of the last character of every segment."""
    segments: list[Piece] = []
    start = 0
    for i in [*sorted(removed), len(original)]:
        if i > start:
            segments.append(Piece.of(original, start, i))
        start = i + 1
    joined = [join_pieces(segments[k:k + 2], JOIN) for k in range(0, len(segments), 2)]
    builder = TextBuilder()
    separators: dict[int, int] = {}
    for piece in joined:
        piece = collapse_spaces(piece).strip()
        if not piece.text:
            continue
        if len(builder):
            at = piece.offsets[0]
            separators[len(builder)] = separators[len(builder) + 1] = at
            builder.add_separator("\n\n", at)
        builder.add(piece)
    text, offsets = builder.build()
    return text, offsets, separators, {seg.offsets[-1] for seg in segments}


def _check_mapping(original: str, removed: set[int]) -> None:
    text, offsets, separators, segment_ends = _clean(original, removed)
    assert offsets.length == len(text)
    kept: list[int] = []
    for i, ch in enumerate(text):
        at = offsets.original(i)
        if i in separators:
            assert ch == "\n"
            assert at == separators[i]
        elif ch == JOIN:  # join_pieces' separator: mapped just after the piece before it
            assert at - 1 in segment_ends
        else:
            assert 0 <= at < len(original)
            assert at not in removed
            if ch.isspace():
                assert ch == " " or original[at] == ch
                assert original[at].isspace()
            else:
                assert original[at] == ch
            kept.append(at)
    # Kept characters come from distinct original characters, in the original order.
    assert kept == sorted(set(kept))


def test_cleaning_helpers_fixed_example_maps_back() -> None:
    original = "a  b\n\nc\td xy"
    text, offsets, separators, _ = _clean(original, {1, 9})
    assert text == f"a{JOIN} b c d\n\nxy"
    assert [offsets.original(i) for i in range(len(text))] == [
        0, 1, 2, 3, 4, 6, 7, 8, 10, 10, 10, 11]
    assert separators == {8: 10, 9: 10}
    _check_mapping(original, {1, 9})


@_SETTINGS
@given(data=st.data(), original=st.text(alphabet=_ALPHABET, max_size=200))
def test_property_cleaned_chars_map_back_to_identical_original_chars(
        data: st.DataObject, original: str) -> None:
    removed = data.draw(st.sets(st.integers(0, max(len(original) - 1, 0)),
                                max_size=len(original)))
    _check_mapping(original, {i for i in removed if i < len(original)})


@_SETTINGS
@given(data=st.data(), original=st.text(alphabet=_ALPHABET, max_size=200))
def test_property_offsetmap_json_round_trip(data: st.DataObject, original: str) -> None:
    removed = data.draw(st.sets(st.integers(0, max(len(original) - 1, 0)), max_size=40))
    text, offsets, _, _ = _clean(original, {i for i in removed if i < len(original)})
    encoded = json.dumps(offsets.to_json())
    back = OffsetMap.from_json(json.loads(encoded))
    assert back == offsets
    assert OffsetMap.from_json(json.loads(encoded), offsets.length) == offsets
    assert [back.original(i) for i in range(len(text))] == [
        offsets.original(i) for i in range(len(text))]
    if text:
        assert back.span(0, len(text)) == offsets.span(0, len(text))


@_SETTINGS
@given(original=st.text(alphabet=_ALPHABET, max_size=200))
def test_property_collapse_spaces_leaves_no_whitespace_runs(original: str) -> None:
    collapsed = collapse_spaces(Piece.of(original))
    for a, b in zip(collapsed.text, collapsed.text[1:], strict=False):
        assert not (a.isspace() and b.isspace()), repr(collapsed.text)
    assert all(ch == " " for ch in collapsed.text if ch.isspace()), repr(collapsed.text)


@_SETTINGS
@given(original=st.text(alphabet=_ALPHABET, max_size=120))
def test_property_piece_of_round_trips_every_slice(original: str) -> None:
    for start in range(0, len(original) + 1, 7):
        piece = Piece.of(original, start)
        assert piece.text == original[start:]
        assert all(original[o] == c for c, o in zip(piece.text, piece.offsets, strict=True))
