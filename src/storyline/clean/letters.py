"""Words with their combining marks.

Python's `\\w` leaves out combining marks, and the vowel signs and viramas of the Indic
scripts (Devanagari, Bengali, Tamil, Sinhala) and Thai are combining marks: `\\w+` cuts
"रविवार" into "रव", "व", "र", and `(?!\\w)` after "मे" (May) lets it match the start of
"में" ("in"). These pieces of patterns keep such words whole.
"""

from __future__ import annotations

import re
import unicodedata


def _mark_ranges() -> str:
    """The combining marks of the Basic Multilingual Plane as character-class ranges."""
    ranges: list[tuple[int, int]] = []
    for code in range(0x300, 0x10000):
        if unicodedata.category(chr(code)).startswith("M"):
            if ranges and ranges[-1][1] == code - 1:
                ranges[-1] = (ranges[-1][0], code)
            else:
                ranges.append((code, code))
    return "".join(f"\\u{a:04x}" if a == b else f"\\u{a:04x}-\\u{b:04x}" for a, b in ranges)


#: Combining marks, for use inside a character class.
MARKS = _mark_ranges()
#: A word character: `\w` or a combining mark.
WORD_CHAR = rf"[\w{MARKS}]"
#: A word of letters (no digits, no underscore) with its combining marks.
LETTERS = rf"(?:[^\W\d_]|[{MARKS}])+"
#: Not after, not before a word character.
NOT_AFTER_WORD = rf"(?<!{WORD_CHAR})"
NOT_BEFORE_WORD = rf"(?!{WORD_CHAR})"

#: Full stops and question marks of the scripts that have their own: Chinese and
#: Japanese (full width too), Arabic and Urdu, Devanagari and Bengali (danda, double
#: danda), Ethiopic, Armenian, Myanmar, Khmer. Thai writes none.
SCRIPT_STOPS = "。！？؟۔।॥።፧։။។៕"
#: The full stops of the scripts written without spaces, which need none after them.
UNSPACED_STOPS = "。！？"
#: A letter of a script written without spaces between words (Chinese, Japanese kana,
#: Thai, Lao, Myanmar, Khmer): such a text's words are not counted by its spaces.
UNSPACED_LETTER = re.compile(
    "[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\u0e00-\u0e7f"
    "\u0e80-\u0eff\u1000-\u109f\u1780-\u17ff]")
