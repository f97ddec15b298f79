"""Unit tests for storyline.ingest.decode.decode (bytes to text)."""

from __future__ import annotations

import codecs
import random

import pytest

from storyline.errors import BinaryInput, DecodeError, EmptyInput, InputError
from storyline.ingest.decode import decode

ARABIC = ("قال المتحدث باسم البلدية إن الطريق الجديد بين القريتين سيفتح أمام السيارات "
          "يوم الأحد المقبل بعد أشهر من الأعمال.")
FRENCH = "Élise a dîné à l'hôtel de la gare près du château. À Noël, l'école fermera."


# ---------------------------------------------------------------------------
# Text that decodes
# ---------------------------------------------------------------------------


def test_decode_plain_ascii_is_utf8() -> None:
    assert decode(b"The ferry left at dawn.\n") == ("The ferry left at dawn.\n", "utf-8")


def test_decode_utf8_with_non_ascii() -> None:
    text = "Café owners in Zürich said “business is slow” — 20 € less a day."
    assert decode(text.encode("utf-8")) == (text, "utf-8")


def test_decode_utf8_arabic() -> None:
    assert decode(ARABIC.encode("utf-8")) == (ARABIC, "utf-8")


def test_decode_utf8_with_bom_strips_the_bom() -> None:
    text = "Harbour fees rise again."
    decoded, encoding = decode(codecs.BOM_UTF8 + text.encode("utf-8"))
    assert decoded == text
    assert encoding == "utf-8-sig"
    assert not decoded.startswith("\ufeff")


def test_decode_utf16_with_bom_little_endian() -> None:
    text = "Grain prices – up 4% in a week. " + ARABIC
    data = codecs.BOM_UTF16_LE + text.encode("utf-16-le")
    assert decode(data) == (text, "utf-16")


def test_decode_utf16_with_bom_big_endian() -> None:
    text = "Snow closed the mountain pass on Tuesday."
    data = codecs.BOM_UTF16_BE + text.encode("utf-16-be")
    assert decode(data) == (text, "utf-16")


def test_decode_utf16_native_encoder_output() -> None:
    text = "Élise said the river was rising."
    assert decode(text.encode("utf-16")) == (text, "utf-16")


def test_decode_utf32_with_bom() -> None:
    text = "The bridge reopened."
    assert decode(text.encode("utf-32")) == (text, "utf-32")


def test_decode_windows_1256_arabic() -> None:
    data = ARABIC.encode("windows-1256")
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")  # really not UTF-8, so the legacy path is taken
    assert decode(data) == (ARABIC, "windows-1256")


def test_decode_windows_1256_arabic_mixed_with_english() -> None:
    text = "Statement (بيان): " + ARABIC + "\r\nEnd of statement."
    assert decode(text.encode("windows-1256")) == (text, "windows-1256")


def test_decode_cp1252_french() -> None:
    data = FRENCH.encode("cp1252")
    assert decode(data) == (FRENCH, "windows-1252")


def test_decode_latin1_french() -> None:
    text = "Évian: la réunion du comité aura lieu à Genève, déclare Éric."
    data = text.encode("latin-1")
    assert decode(data) == (text, "windows-1252")


def test_decode_cp1252_curly_quotes_and_euro() -> None:
    text = "Le maire a dit : « Ça coûte 5 € ». Œuvre d’Émile."
    assert decode(text.encode("cp1252")) == (text, "windows-1252")


def test_decode_lowercase_only_french_text_is_read_correctly() -> None:
    # Lower-case accented letters are the same bytes in windows-1252 and windows-1256,
    # so either label gives the right text; the text itself must be exact.
    text = "Le président a déclaré que l'école fermera à la fin de l'été."
    decoded, encoding = decode(text.encode("cp1252"))
    assert decoded == text
    assert encoding in ("windows-1252", "windows-1256")


def test_decode_keeps_line_endings_and_tabs() -> None:
    text = "Line one\r\n\tLine two\r\n"
    assert decode(text.encode("utf-8")) == (text, "utf-8")


# ---------------------------------------------------------------------------
# Empty input
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("data", [b"", b" ", b"\n\n", b" \t\r\n ", b"\x0b\x0c"])
def test_decode_empty_or_whitespace_only_raises_empty_input(data: bytes) -> None:
    with pytest.raises(EmptyInput) as info:
        decode(data)
    assert info.value.kind == "empty"
    assert "empty" in info.value.reason


@pytest.mark.parametrize(
    "data",
    [codecs.BOM_UTF8, codecs.BOM_UTF8 + b" \r\n\t", " \n".encode("utf-16")],
    ids=["utf8-bom-only", "utf8-bom-whitespace", "utf16-whitespace"],
)
def test_decode_bom_followed_by_nothing_is_empty_input(data: bytes) -> None:
    # An editor saving an empty file often writes just a byte-order mark: still no text.
    with pytest.raises(EmptyInput):
        decode(data)


# ---------------------------------------------------------------------------
# Binary input and undecodable input
# ---------------------------------------------------------------------------


def test_decode_nul_bytes_is_binary() -> None:
    with pytest.raises(BinaryInput) as info:
        decode(b"Some text\x00with a NUL byte in it")
    assert info.value.kind == "binary"
    assert "NUL" in info.value.reason


def test_decode_utf16_without_bom_is_binary_and_mentions_utf16() -> None:
    with pytest.raises(BinaryInput) as info:
        decode("Plain story without a byte-order mark.".encode("utf-16-le"))
    assert "UTF-16" in info.value.reason


@pytest.mark.parametrize(
    ("data", "word"),
    [
        (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\n", "PDF"),
        (b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + bytes(20), "PNG"),
        (b"GIF89a" + bytes(12), "GIF"),
        (b"\xff\xd8\xff\xe0\x00\x10JFIF\x00", "JPEG"),
        (b"PK\x03\x04\x14\x00\x06\x00", "ZIP"),
        (b"\x1f\x8b\x08\x00\x00\x00\x00\x00", "gzip"),
        (b"SQLite format 3\x00\x10\x00", "SQLite"),
        (b"\x7fELF\x02\x01\x01\x00", "executable"),
    ],
)
def test_decode_magic_numbers_are_binary_with_kind_named(data: bytes, word: str) -> None:
    with pytest.raises(BinaryInput) as info:
        decode(data)
    assert word in info.value.reason
    assert info.value.reason.startswith("binary file: looks like")


def test_decode_pdf_message_exact() -> None:
    with pytest.raises(BinaryInput) as info:
        decode(b"%PDF-1.4 some pdf body")
    assert info.value.reason == "binary file: looks like a PDF document, not a news article"


def test_decode_many_control_characters_is_binary() -> None:
    data = b"ab\x01\x02\x03\x04\x05\x06cd" * 3
    with pytest.raises(BinaryInput) as info:
        decode(data)
    assert "control characters" in info.value.reason


def test_decode_invalid_utf16_after_bom_is_decode_error() -> None:
    # A lone high surrogate after a UTF-16-LE byte-order mark.
    data = codecs.BOM_UTF16_LE + b"A\x00\x00\xd8"
    with pytest.raises(DecodeError) as info:
        decode(data)
    assert info.value.kind == "encoding"
    assert "byte-order mark" in info.value.reason


def test_decode_invalid_utf8_after_bom_falls_back_or_fails_cleanly() -> None:
    data = codecs.BOM_UTF8 + b"caf\xe9 \xff\xfe\xfd"
    with pytest.raises(DecodeError) as info:
        decode(data)
    assert "utf-8-sig" in info.value.reason


def test_decode_error_message_names_the_tried_encodings() -> None:
    # Bytes that are valid in the legacy encodings but not plausible text in any of them.
    data = bytes(range(0x80, 0xA0)) * 4
    with pytest.raises(DecodeError) as info:
        decode(data)
    assert "not valid UTF-8" in info.value.reason
    assert "windows-1256" in info.value.reason


@pytest.mark.parametrize("size", [64, 256, 4096, 65536])
def test_decode_random_binary_is_rejected(size: int) -> None:
    for seed in range(40):
        data = random.Random(seed * 1000 + size).randbytes(size)
        with pytest.raises((BinaryInput, DecodeError)):
            decode(data)


def test_decode_short_random_bytes_never_crash() -> None:
    # Very short random strings may happen to look like legacy-encoded text; whatever
    # decode decides, it returns text or raises an InputError, never anything else.
    rng = random.Random(20260312)
    for _ in range(400):
        data = rng.randbytes(rng.randint(1, 48))
        try:
            text, encoding = decode(data)
        except InputError as exc:
            assert exc.kind in ("empty", "binary", "encoding")
        else:
            assert isinstance(text, str)
            assert encoding in ("utf-8", "utf-8-sig", "utf-16", "utf-32",
                                "windows-1256", "iso-8859-6", "windows-1252")
