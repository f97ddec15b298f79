"""Readers: turn paths (files, folders, `-` for standard input) into Documents.

Each reader yields, per input item, either a `Document` (not yet cleaned) or a
`Rejection` naming the item and the reason; one bad item never stops the others.
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any, BinaryIO

from storyline.clean.letters import SCRIPT_STOPS, UNSPACED_LETTER, UNSPACED_STOPS
from storyline.clean.rules import load_data
from storyline.errors import FormatError, InputError, MissingText, StorylineError, TooLarge
from storyline.ingest.decode import decode
from storyline.model import KNOWN_FIELDS, Document, Rejection

#: File name endings read when walking a folder, and the format each one means.
FORMATS = {".txt": "txt", ".text": "txt", ".html": "html", ".htm": "html", ".xhtml": "html",
           ".json": "json", ".jsonl": "jsonl", ".ndjson": "jsonl", ".csv": "csv",
           ".tsv": "tsv"}

#: Formats read whole as one file of many articles (limited by `max_json_bytes`).
TABLES = {"csv": ",", "tsv": "\t"}

STDIN = "-"


@dataclass(frozen=True)
class ReadOptions:
    """Limits that protect a run from inputs that are not news articles."""

    max_article_bytes: int = 10 * 1024 * 1024  # one article (a text/HTML file, a record)
    max_json_bytes: int = 256 * 1024 * 1024  # a .json file is parsed whole


Item = Document | Rejection


class Upload(io.BytesIO):
    """Bytes read in place of standard input, under the file name they came with (an
    article posted to the API): the name's ending sets the format, else it is sniffed,
    and the documents' source is `upload:NAME`."""

    def __init__(self, data: bytes, name: str | None = None) -> None:
        super().__init__(data)
        self.label = name


def discover(paths: Iterable[str]) -> Iterator[tuple[str, str | None]]:
    """`(path, format)` for every input: files as given, folders walked recursively
    (hidden entries and unknown endings skipped), `-` for standard input. A missing
    path comes out with format None."""
    for path in paths:
        if path == STDIN:
            yield STDIN, "stdin"
            continue
        p = Path(path)
        if p.is_dir():
            for root, dirs, files in os.walk(p):
                dirs[:] = sorted(d for d in dirs if not d.startswith("."))
                for name in sorted(files):
                    fmt = FORMATS.get(Path(name).suffix.lower())
                    if fmt and not name.startswith("."):
                        yield str(Path(root) / name), fmt
        elif p.is_file():
            yield str(p), FORMATS.get(p.suffix.lower(), "sniff")
        else:
            yield str(p), None


def read(paths: Iterable[str], options: ReadOptions | None = None,
         stdin: BinaryIO | None = None) -> Iterator[Item]:
    """Every input item under `paths`, as Documents or Rejections."""
    options = options or ReadOptions()
    for path, fmt in discover(paths):
        if fmt is None:
            yield Rejection(path, "no such file or directory", "missing")
            continue
        try:
            if fmt == "stdin":
                data = (stdin or sys.stdin.buffer).read()
                label = stdin.label if isinstance(stdin, Upload) else None
                if label:
                    path = f"upload:{Path(label).name}"
                    fmt = FORMATS.get(Path(label).suffix.lower()) or _sniff(data)
                    yield from _read_bytes(data, path, fmt, options)
                else:
                    yield from _read_bytes(data, STDIN, _sniff(data), options)
            elif fmt == "jsonl":
                yield from _read_jsonl(path, options)
            else:
                yield from _read_file(path, fmt, options)
        except InputError as exc:
            yield _reject(exc.locate(path))
        except OSError as exc:
            yield Rejection(path, f"cannot read: {exc.strerror or exc}", "unreadable")


def _reject(exc: InputError) -> Rejection:
    return Rejection(exc.source or "<input>", exc.reason, exc.kind, exc.line)


def _read_file(path: str, fmt: str, options: ReadOptions) -> Iterator[Item]:
    size = os.path.getsize(path)
    many = fmt == "json" or fmt in TABLES
    limit = options.max_json_bytes if many else options.max_article_bytes
    if size > limit:
        kind = "JSON file" if fmt == "json" else f"{fmt.upper()} file" if many else "article"
        raise TooLarge(f"file too large for one {kind}"
                       f" ({_mb(size)} > limit {_mb(limit)}); split it, use JSON Lines, "
                       "or raise the limit (--max-article-mb)")
    with open(path, "rb") as handle:
        data = handle.read()
    if fmt == "sniff":
        fmt = _sniff(data)
    yield from _read_bytes(data, path, fmt, options)


def _read_bytes(data: bytes, path: str, fmt: str, options: ReadOptions) -> Iterator[Item]:
    if fmt in ("json", "jsonl"):
        text, encoding = decode(data)
        if fmt == "jsonl" and not text.lstrip().startswith("["):
            for number, line in enumerate(text.splitlines(), 1):
                if line.strip():
                    yield _record_from_line(line, path, number, encoding, options)
            return
        yield from _read_json(text, path, encoding, options)
        return
    if fmt in TABLES:
        text, encoding = decode(data)
        yield from _read_table(text, path, encoding, options, TABLES[fmt])
        return
    if len(data) > options.max_article_bytes:
        raise TooLarge(f"too large for one article ({_mb(len(data))} > limit "
                       f"{_mb(options.max_article_bytes)})")
    text, encoding = decode(data)
    name = "stdin" if path == STDIN else Path(path).name
    doc = Document(source=path, name=name, raw=text, format=fmt,
                   markup="html" if fmt == "html" else "text", encoding=encoding)
    if encoding not in ("utf-8", "utf-8-sig"):
        doc.warnings.append(f"decoded as {encoding} (not UTF-8)")
    yield doc


def _sniff(data: bytes) -> str:
    head = data[:2048].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if head.startswith((b"{", b"[")):
        first = data.lstrip().split(b"\n", 1)[0].strip()
        if head.startswith(b"{") and first.endswith(b"}") and data.strip().count(b"\n"):
            return "jsonl"
        return "json"
    if head.startswith((b"<!doctype html", b"<html", b"<head", b"<body", b"<article", b"<p",
                        b"<div", b"<!--")):
        return "html"
    return "txt"


def _read_jsonl(path: str, options: ReadOptions) -> Iterator[Item]:
    with open(path, "rb") as handle:
        for number, line in enumerate(handle, 1):
            if not line.strip():
                continue
            try:
                if len(line) > options.max_article_bytes:
                    raise TooLarge(f"record too large ({_mb(len(line))} > limit "
                                   f"{_mb(options.max_article_bytes)})")
                text, encoding = decode(line)
                yield _record_from_line(text, path, number, encoding, options)
            except InputError as exc:
                yield _reject(exc.locate(path, number))


def _record_from_line(line: str, path: str, number: int, encoding: str,
                      options: ReadOptions) -> Item:
    try:
        value = json.loads(line)
    except json.JSONDecodeError as exc:
        return Rejection(path, f"invalid JSON: {exc.msg} (column {exc.colno})", "format", number)
    try:
        return record(value, path, number, encoding, options, fmt="jsonl")
    except InputError as exc:
        return _reject(exc.locate(path, number))


def _read_table(text: str, path: str, encoding: str, options: ReadOptions,
                delimiter: str) -> Iterator[Item]:
    """A CSV or TSV file with a header row: one article per row, its columns read as a
    JSON record's keys. Without a column for the text, the file is one rejection."""
    csv.field_size_limit(max(options.max_article_bytes * 2, 131072))
    reader = csv.DictReader(io.StringIO(text, newline=""), delimiter=delimiter,
                            restkey="columns_beyond_header")
    try:
        header = reader.fieldnames or []
    except csv.Error as exc:
        raise FormatError(f"unreadable header row: {exc}") from exc
    names = {str(h).strip().lower() for h in header}
    wanted = field_names()["text"] + field_names()["html"]
    if not names & {n.lower() for n in wanted}:
        raise FormatError("no column for the article's text: a table of articles needs a "
                          f"header with one named {', '.join(wanted[:4])} ...; this one has "
                          f"{', '.join(map(str, header[:8])) or 'no columns'}")
    start = reader.line_num + 1
    while True:
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            yield Rejection(path, f"unreadable row: {exc}", "format", start)
            return
        number, start = start, reader.line_num + 1
        value = {str(k).strip(): v for k, v in row.items() if k is not None}
        try:
            yield record(value, path, number, encoding, options, fmt="csv" if delimiter == ","
                         else "tsv")
        except InputError as exc:
            yield _reject(exc.locate(path, number))


def _read_json(text: str, path: str, encoding: str, options: ReadOptions) -> Iterator[Item]:
    try:
        value = json.loads(text)
    except json.JSONDecodeError as exc:
        raise FormatError(f"invalid JSON: {exc.msg} (line {exc.lineno}, column {exc.colno}); "
                          "nothing in this file was read") from exc
    items = value if isinstance(value, list) else [value]
    for number, item in enumerate(items, 1):
        at = number if isinstance(value, list) else None
        try:
            yield record(item, path, at, encoding, options)
        except InputError as exc:
            yield _reject(exc.locate(path, at))


@cache
def field_names() -> dict[str, tuple[str, ...]]:
    """Known field -> the record keys that may give it, in order (`data/fields.yaml`)."""
    data = load_data("fields.yaml")
    names = {k: tuple(str(n) for n in data.get(k) or ()) for k in KNOWN_FIELDS}
    missing = [k for k, v in names.items() if not v]
    if missing:
        raise StorylineError(f"data/fields.yaml names no key for {', '.join(missing)}")
    return names


def _usable(field: str, value: Any) -> bool:
    if value is None or value == "" or isinstance(value, bool):
        return False
    if field in ("text", "html"):
        return isinstance(value, str) and bool(value.strip())
    if field in ("published", "id"):
        return isinstance(value, str | int | float)
    return isinstance(value, str)


def known_fields(value: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """Split a JSON article record into its known fields (by the names of
    `data/fields.yaml`: `body`, `publishedAt`, `source.name` ...) and the rest, kept as
    given. A key read for a known field is not repeated in the rest."""
    lower = {k.lower(): k for k in value if isinstance(k, str)}
    known: dict[str, Any] = {}
    used: set[str] = set()
    for name, aliases in field_names().items():
        first: tuple[str, Any] | None = None
        for alias in aliases:
            head, _, inner = alias.lower().partition(".")
            key = lower.get(head)
            if key is None or key in used:
                continue
            got = value[key]
            if inner:
                got = got.get(next((k for k in got if str(k).lower() == inner), inner)) \
                    if isinstance(got, dict) else None
            if _usable(name, got):
                known[name] = got
                if not inner:
                    used.add(key)
                break
            if first is None and not inner and alias == aliases[0]:
                first = (key, got)
        else:
            if first is not None:  # the canonical key holds something unusable: say so
                known[name] = first[1]
                used.add(first[0])
    rest = {k: v for k, v in value.items() if k not in used}
    return known, rest


def record(value: Any, path: str, number: int | None, encoding: str = "utf-8",
           options: ReadOptions | None = None, fmt: str | None = None) -> Document:
    """A Document from one JSON article object (its text, or HTML, required; the names
    each field may have are in `data/fields.yaml`)."""
    options = options or ReadOptions()
    if not isinstance(value, dict):
        raise FormatError(f"expected a JSON object for an article, got {_json_type(value)}")
    value, extra = known_fields(value)
    warnings: list[str] = []
    text, html = value.get("text"), value.get("html")
    if isinstance(text, str) and text.strip():
        raw, markup = text, "text"
    elif isinstance(html, str) and html.strip():
        raw, markup = html, "html"
    elif text is not None and not isinstance(text, str):
        raise MissingText(f"'text' must be a string, got {_json_type(text)}")
    elif "text" in value or "html" in value:
        raise MissingText("'text' is empty")
    else:
        aliases = {n.lower() for n in field_names()["text"] + field_names()["html"]}
        empty = next((k for k, v in extra.items() if k.lower() in aliases
                      and (v is None or isinstance(v, str))), None)
        if empty is not None:
            raise MissingText(f"'{empty}' is empty")
        prose = _prose_field(extra)
        if prose is None:
            raise MissingText("no 'text' (or 'html') field, nor any field of prose (also "
                              "read from: " + ", ".join(field_names()["text"][1:4]) + " ...)")
        raw, markup = extra.pop(prose), "text"
        extra["text_field"] = prose
        warnings.append(f"no text field of a known name; the text was read from {prose!r}, "
                        "the longest field that reads as prose")
    if len(raw.encode("utf-8", "surrogatepass")) > options.max_article_bytes:
        raise TooLarge(f"article text too large ({_mb(len(raw))} > limit "
                       f"{_mb(options.max_article_bytes)})")
    given = {k: value[k] for k in KNOWN_FIELDS if k in value and k not in ("text", "html")}
    external = given.get("id")
    external_id = str(external) if isinstance(external, str | int) and str(external) else None
    url = given.get("url") if isinstance(given.get("url"), str) and given["url"] else None
    for key in ("title", "outlet", "language", "url"):
        if key in given and given[key] is not None and not isinstance(given[key], str):
            extra[key] = given.pop(key)
    base = "stdin" if path == STDIN else Path(path).name
    name = url or external_id or (f"{base}#{number}" if number else base)
    if fmt is None:
        fmt = "jsonl" if str(path).endswith((".jsonl", ".ndjson")) else "json"
    doc = Document(source=url or path, name=name, raw=raw, format=fmt, markup=markup,
                   line=number, external_id=external_id, given=given, extra=extra,
                   encoding=encoding)
    doc.warnings += warnings
    return doc


#: A field that reads as prose: this many words at least, and sentence ends.
PROSE_WORDS = 40
#: A sentence end, of any script with its own full stops (`SCRIPT_STOPS`; Chinese and
#: Japanese need no space after theirs); Thai writes none: a paragraph break counts as a
#: sentence end too.
_SENTENCE_END = re.compile(rf"[.!?{SCRIPT_STOPS}][\s\"'”’)]|[{UNSPACED_STOPS}](?=\S)")
#: Letters of a script written without spaces per word counted.
_LETTERS_PER_WORD = 2


def _prose_field(fields: dict[str, Any]) -> str | None:
    """The key of the longest string field that reads as prose (an article's text under
    a name of its own language, such as `isi` or `texte`), or None: at least
    `PROSE_WORDS` words (in Chinese, Thai ..., written without spaces, every two letters
    count as a word) and two sentence ends or paragraph breaks."""
    best: tuple[int, str] | None = None
    for key, value in fields.items():
        if not isinstance(value, str):
            continue
        words = len(value.split()) + len(UNSPACED_LETTER.findall(value)) // _LETTERS_PER_WORD
        ends = len(_SENTENCE_END.findall(value + " ")) + value.count("\n\n")
        if words >= PROSE_WORDS and ends >= 2 and (
                best is None or words > best[0]):
            best = (words, key)
    return None if best is None else best[1]


def _json_type(value: Any) -> str:
    return {dict: "an object", list: "a list", str: "a string", bool: "true/false",
            type(None): "null"}.get(type(value), "a number")


def _mb(size: int) -> str:
    if size < 1024 * 1024:
        return f"{size / 1024:.1f} KB" if size >= 1024 else f"{size} bytes"
    return f"{size / 1024 / 1024:.1f} MB"
