"""Bytes to text: UTF-8 first, then the legacy encodings Arabic and European news sites use."""

from __future__ import annotations

import codecs
import contextlib
import re
import unicodedata

from storyline.errors import BinaryInput, DecodeError, EmptyInput

#: Legacy encodings tried, in order, when the bytes are not UTF-8.
LEGACY_ENCODINGS = ("windows-1256", "iso-8859-6", "windows-1252")

_WORD = re.compile(r"\w+")
_ASCII_LETTER = re.compile(r"[A-Za-z]")

_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)

_MAGIC = (
    (b"%PDF", "a PDF document"),
    (b"\x89PNG", "a PNG image"),
    (b"GIF8", "a GIF image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"PK\x03\x04", "a ZIP archive (or a Word/Excel file)"),
    (b"\x1f\x8b", "a gzip archive"),
    (b"\xd0\xcf\x11\xe0", "an old Microsoft Office file"),
    (b"SQLite format 3", "an SQLite database"),
    (b"\x7fELF", "an executable"),
)

_PUNCT_OK = set("“”‘’«»–—…·•°€£¥§©®™€\u00a0\u200f\u200e\u200b\u200c\u200d") | set(
    "\u060c\u061b\u061f\u066a\u066b\u066c\u06d4")


def decode(data: bytes) -> tuple[str, str]:
    """Decode one item's bytes; returns `(text, encoding)` or raises an `InputError`."""
    if not data.strip():
        raise EmptyInput("empty: no text at all")
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            try:
                text = data.decode(encoding)
            except UnicodeDecodeError as exc:
                raise DecodeError(
                    f"starts with a {encoding} byte-order mark but does not decode as "
                    f"{encoding} ({exc.reason} at byte {exc.start})") from exc
            if not text.strip():
                raise EmptyInput("empty: only a byte-order mark, no text")
            return text, encoding
    head = data[:4096]
    for magic, what in _MAGIC:
        if head.startswith(magic):
            raise BinaryInput(f"binary file: looks like {what}, not a news article")
    if b"\x00" in head:
        raise BinaryInput("binary file: contains NUL bytes (not text; if it is UTF-16, "
                          "save it with a byte-order mark or as UTF-8)")
    try:
        text = data.decode("utf-8")
        encoding = "utf-8"
    except UnicodeDecodeError as exc:
        text, encoding = _legacy(data, exc)
    _check_controls(text)
    return text, encoding


def _legacy(data: bytes, error: UnicodeDecodeError) -> tuple[str, str]:
    best: tuple[float, str, str] | None = None
    for encoding in LEGACY_ENCODINGS:
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        score = plausibility(text)
        if best is None or score > best[0]:
            best = (score, text, encoding)
    if best is not None and not any("\u0600" <= ch <= "\u06ff" for ch in best[1]):
        # No Arabic letters: the bytes mean the same in windows-1252, the likelier label.
        with contextlib.suppress(UnicodeDecodeError):
            if data.decode("windows-1252") == best[1]:
                best = (best[0], best[1], "windows-1252")
    if best is None or best[0] < 0.9:
        tried = ", ".join(LEGACY_ENCODINGS)
        raise DecodeError(
            f"not valid UTF-8 ({error.reason} at byte {error.start}) and not plausible "
            f"text in {tried}; re-save the file as UTF-8")
    return best[1], best[2]


def plausibility(text: str) -> float:
    """Share of non-ASCII characters that look like real text in one dominant script."""
    scripts: dict[str, int] = {}
    good = bad = total = 0
    for ch in text:
        if ch < "\x80":
            continue
        total += 1
        cat = unicodedata.category(ch)
        if cat.startswith("L") or cat == "Mn":
            good += 1
            script = unicodedata.name(ch, "UNKNOWN").split(" ")[0]
            scripts[script] = scripts.get(script, 0) + 1
        elif ch in _PUNCT_OK or cat in ("Zs", "Pd", "Pi", "Pf", "Sc", "Nd"):
            good += 1
        elif cat.startswith("C"):
            bad += 1
    if total == 0:
        return 1.0
    letters = sum(scripts.values())
    consistency = max(scripts.values()) / letters if letters else 1.0
    # Letters of another script inside a Latin word ("rىunion") mean a wrong code page.
    mixed = sum(sum(1 for ch in word if ch > "\u024f")
                for word in _WORD.findall(text) if _ASCII_LETTER.search(word))
    return (good - 5 * bad - 5 * mixed) / total * consistency


def _check_controls(text: str) -> None:
    sample = text[:20000]
    controls = sum(1 for ch in sample if ch < " " and ch not in "\t\n\r\f\v")
    if controls > max(3, len(sample) // 200):
        raise BinaryInput(f"binary file: {controls} control characters in the first "
                          f"{len(sample)} characters")
