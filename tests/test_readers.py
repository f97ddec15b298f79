"""Unit tests for storyline.ingest.readers.read over files in a temporary folder."""

from __future__ import annotations

import datetime as dt
import io
import json
from pathlib import Path

import pytest

from storyline.ingest.readers import ReadOptions, read
from storyline.model import Document, Rejection

ARABIC = ("قال رئيس المجلس البلدي إن أعمال الصيانة في السوق القديم ستنتهي قبل بداية "
          "فصل الصيف المقبل.")


def _write(path: Path, content: str | bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(content, str):
        path.write_text(content, encoding="utf-8")
    else:
        path.write_bytes(content)
    return path


def _docs(items: list[Document | Rejection]) -> list[Document]:
    return [item for item in items if isinstance(item, Document)]


def _rejections(items: list[Document | Rejection]) -> list[Rejection]:
    return [item for item in items if isinstance(item, Rejection)]


# ---------------------------------------------------------------------------
# Folders and plain files
# ---------------------------------------------------------------------------


def test_read_folder_recursively_skipping_hidden_and_unknown(tmp_path: Path) -> None:
    _write(tmp_path / "a.txt", "A story about the harbour.\n")
    _write(tmp_path / "sub" / "b.html", "<p>A story in HTML.</p>")
    _write(tmp_path / "sub" / "deeper" / "c.json", json.dumps({"text": "A JSON story."}))
    _write(tmp_path / "sub" / "deeper" / "d.jsonl", '{"text": "A JSONL story."}\n')
    _write(tmp_path / ".hidden.txt", "hidden file")
    _write(tmp_path / ".git" / "e.txt", "inside a hidden folder")
    _write(tmp_path / "sub" / ".cache" / "f.html", "<p>hidden folder</p>")
    _write(tmp_path / "notes.md", "markdown is not read when walking")
    _write(tmp_path / "photo.png", b"\x89PNG\r\n\x1a\n")
    items = list(read([str(tmp_path)]))
    assert all(isinstance(item, Document) for item in items)
    docs = _docs(items)
    assert [Path(d.source).relative_to(tmp_path).as_posix() for d in docs] == [
        "a.txt", "sub/b.html", "sub/deeper/c.json", "sub/deeper/d.jsonl"]
    assert [d.format for d in docs] == ["txt", "html", "json", "jsonl"]
    assert [d.markup for d in docs] == ["text", "html", "text", "text"]
    assert [d.raw for d in docs] == ["A story about the harbour.\n", "<p>A story in HTML.</p>",
                                     "A JSON story.", "A JSONL story."]


def test_read_text_file_document_fields(tmp_path: Path) -> None:
    path = _write(tmp_path / "story.txt", "Snow closed the pass.\r\nDrivers waited.\r\n")
    [doc] = list(read([str(path)]))
    assert isinstance(doc, Document)
    assert doc.source == str(path)
    assert doc.name == "story.txt"
    assert doc.raw == "Snow closed the pass.\r\nDrivers waited.\r\n"
    assert doc.format == "txt"
    assert doc.markup == "text"
    assert doc.encoding == "utf-8"
    assert doc.line is None
    assert doc.warnings == []


def test_read_explicit_file_with_unknown_extension_is_sniffed(tmp_path: Path) -> None:
    html = _write(tmp_path / "page.dat",
                  "<!DOCTYPE html><html><body><p>Hi there.</p></body></html>")
    text = _write(tmp_path / "story.md", "Plain words about a market.")
    docs = _docs(list(read([str(html), str(text)])))
    assert [(d.format, d.markup) for d in docs] == [("html", "html"), ("txt", "text")]


def test_read_nonexistent_path_is_rejected(tmp_path: Path) -> None:
    missing = tmp_path / "no-such-file.txt"
    [item] = list(read([str(missing)]))
    assert isinstance(item, Rejection)
    assert item.source == str(missing)
    assert item.kind == "missing"
    assert "no such file" in item.reason


def test_read_missing_path_does_not_stop_the_others(tmp_path: Path) -> None:
    good = _write(tmp_path / "good.txt", "A good story.")
    items = list(read([str(tmp_path / "nope"), str(good)]))
    assert [type(i).__name__ for i in items] == ["Rejection", "Document"]


def test_read_empty_file_is_rejected_as_empty(tmp_path: Path) -> None:
    path = _write(tmp_path / "empty.txt", b"")
    [item] = list(read([str(path)]))
    assert isinstance(item, Rejection)
    assert item.kind == "empty"
    assert item.source == str(path)
    assert item.line is None


def test_read_whitespace_only_file_is_rejected_as_empty(tmp_path: Path) -> None:
    path = _write(tmp_path / "blank.txt", b"  \n\n\t\n")
    [item] = list(read([str(path)]))
    assert isinstance(item, Rejection)
    assert item.kind == "empty"


def test_read_file_over_article_limit_is_too_large(tmp_path: Path) -> None:
    path = _write(tmp_path / "long.txt", "word " * 40)  # 200 bytes
    [item] = list(read([str(path)], ReadOptions(max_article_bytes=100)))
    assert isinstance(item, Rejection)
    assert item.kind == "too-large"
    assert item.source == str(path)
    assert "too large" in item.reason


def test_read_file_at_article_limit_is_read(tmp_path: Path) -> None:
    path = _write(tmp_path / "exact.txt", "x" * 100)
    [item] = list(read([str(path)], ReadOptions(max_article_bytes=100)))
    assert isinstance(item, Document)


def test_read_binary_file_is_rejected(tmp_path: Path) -> None:
    path = _write(tmp_path / "report.txt", b"%PDF-1.7\n...")
    [item] = list(read([str(path)]))
    assert isinstance(item, Rejection)
    assert item.kind == "binary"
    assert "PDF" in item.reason


def test_read_windows_1256_arabic_text_file(tmp_path: Path) -> None:
    path = _write(tmp_path / "arabic.txt", ARABIC.encode("windows-1256"))
    [doc] = list(read([str(path)]))
    assert isinstance(doc, Document)
    assert doc.raw == ARABIC
    assert doc.encoding == "windows-1256"
    assert doc.warnings == ["decoded as windows-1256 (not UTF-8)"]


def test_read_utf8_bom_file_has_no_warning(tmp_path: Path) -> None:
    path = _write(tmp_path / "bom.txt", b"\xef\xbb\xbfA story with a BOM.")
    [doc] = list(read([str(path)]))
    assert isinstance(doc, Document)
    assert doc.raw == "A story with a BOM."
    assert doc.encoding == "utf-8-sig"
    assert doc.warnings == []


# ---------------------------------------------------------------------------
# JSON
# ---------------------------------------------------------------------------


def test_read_json_list_gives_numbered_documents(tmp_path: Path) -> None:
    records = [
        {"id": "kc-1", "url": "https://kessel.example/a", "title": "First",
         "published": "2026-02-03", "outlet": "Kessel Courier", "language": "en",
         "text": "The first story."},
        {"id": 77, "title": "Second", "text": "The second story.", "author": "R. Vale",
         "tags": ["frost", "orchards"]},
    ]
    path = _write(tmp_path / "digest.json", json.dumps(records))
    items = list(read([str(path)]))
    assert len(items) == 2
    first, second = items
    assert isinstance(first, Document) and isinstance(second, Document)
    assert first.line == 1 and second.line == 2
    assert first.format == second.format == "json"
    assert first.source == "https://kessel.example/a"
    assert first.name == "https://kessel.example/a"
    assert first.external_id == "kc-1"
    assert first.given == {"id": "kc-1", "url": "https://kessel.example/a", "title": "First",
                           "published": "2026-02-03", "outlet": "Kessel Courier",
                           "language": "en"}
    assert first.extra == {}
    assert second.source == str(path)
    assert second.external_id == "77"
    assert second.name == "77"
    assert second.given == {"id": 77, "title": "Second"}
    assert second.extra == {"author": "R. Vale", "tags": ["frost", "orchards"]}
    assert second.raw == "The second story."


def test_read_json_single_object(tmp_path: Path) -> None:
    path = _write(tmp_path / "one.json", json.dumps({"title": "Alone", "text": "Only story.",
                                                     "wordcount": 2}))
    [doc] = list(read([str(path)]))
    assert isinstance(doc, Document)
    assert doc.line is None
    assert doc.name == "one.json"
    assert doc.source == str(path)
    assert doc.external_id is None
    assert doc.raw == "Only story."
    assert doc.given == {"title": "Alone"}
    assert doc.extra == {"wordcount": 2}


def test_read_json_record_with_html_only(tmp_path: Path) -> None:
    path = _write(tmp_path / "h.json", json.dumps({"html": "<p>Body in HTML.</p>"}))
    [doc] = list(read([str(path)]))
    assert isinstance(doc, Document)
    assert doc.markup == "html"
    assert doc.raw == "<p>Body in HTML.</p>"


def test_read_json_item_not_an_object_is_rejected(tmp_path: Path) -> None:
    path = _write(tmp_path / "mixed.json",
                  json.dumps([{"text": "Good one."}, "just a string", 42, {"text": "Good two."}]))
    items = list(read([str(path)]))
    assert [type(i).__name__ for i in items] == ["Document", "Rejection", "Rejection", "Document"]
    bad_string, bad_number = items[1], items[2]
    assert isinstance(bad_string, Rejection) and isinstance(bad_number, Rejection)
    assert (bad_string.kind, bad_string.line, bad_string.source) == ("format", 2, str(path))
    assert bad_string.reason == "expected a JSON object for an article, got a string"
    assert (bad_number.kind, bad_number.line) == ("format", 3)
    assert bad_number.reason == "expected a JSON object for an article, got a number"
    assert str(bad_string) == f"{path}:2: expected a JSON object for an article, got a string"


def test_read_json_record_without_text_is_missing_text(tmp_path: Path) -> None:
    path = _write(tmp_path / "notext.json", json.dumps([{"title": "No body"}]))
    [item] = list(read([str(path)]))
    assert isinstance(item, Rejection)
    assert item.kind == "missing-text"
    assert item.line == 1
    assert "'text'" in item.reason


def test_read_json_record_with_its_text_under_an_unknown_name(tmp_path: Path) -> None:
    """A feed in another language names its fields in it (`tajuk`, `naskah`): the longest
    field that reads as prose is the text, and the record says which it was."""
    body = ("Warga desa Korsa mengungsi setelah sungai meluap pada Senin malam. "
            "Sedikitnya dua ratus rumah terendam air setinggi satu meter, kata kepala desa. "
            "Petugas membuka tiga posko pengungsian di balai desa dan sekolah dasar, dan "
            "bantuan makanan mulai datang pada Selasa pagi dari kabupaten tetangga.")
    path = _write(tmp_path / "berita.json", json.dumps(
        {"tajuk": "Sungai Korsa meluap, dua ratus rumah terendam", "naskah": body,
         "kategori": "daerah"}))
    [doc] = list(read([str(path)]))
    assert isinstance(doc, Document)
    assert doc.raw == body and doc.markup == "text"
    assert doc.extra["text_field"] == "naskah"
    assert doc.extra["tajuk"].startswith("Sungai Korsa") and "naskah" not in doc.extra
    assert any("'naskah'" in w for w in doc.warnings)
    # short fields are not prose: still no text
    path = _write(tmp_path / "pendek.json", json.dumps(
        {"tajuk": "Sungai Korsa meluap", "naskah": "Dua ratus rumah terendam."}))
    [item] = list(read([str(path)]))
    assert isinstance(item, Rejection) and item.kind == "missing-text"
    assert "nor any field of prose" in item.reason


def test_read_json_record_of_a_script_with_its_own_full_stop(tmp_path: Path) -> None:
    """Amharic ends its sentences with "።": a field of such sentences is prose, and the
    outlet's `ries` (title) and `qen` (date, in the Ethiopian calendar) are known."""
    body = ("የኮርሳ ወንዝ ሰኞ ምሽት ሞልቶ ከሁለት መቶ በላይ ቤቶች በውሃ ተጥለቅልቀዋል። የአካባቢው አስተዳዳሪ "
            "እንዳሉት ነዋሪዎች ወደ ትምህርት ቤቶችና ወደ ቀበሌ አዳራሽ ተዛውረዋል። የምግብና የውሃ እርዳታ "
            "ማክሰኞ ጠዋት ከአጎራባች ወረዳ መድረስ ጀምሯል። ባለሥልጣናቱ ወንዙ በሚቀጥሉት ቀናት እንደገና "
            "ሊሞላ ስለሚችል ነዋሪዎች ወደ ቤታቸው እንዳይመለሱ አሳስበዋል። በአደጋው የሞተ ሰው እንደሌለ "
            "ተገልጿል።")
    path = _write(tmp_path / "zena.json", json.dumps(
        {"ries": "የኮርሳ ወንዝ ሞላ", "mezgeb": body, "qen": "ሚያዝያ 13 ቀን 2018 ዓ.ም."}))
    [doc] = list(read([str(path)]))
    assert isinstance(doc, Document)
    assert doc.raw == body and doc.extra["text_field"] == "mezgeb"
    assert doc.given["title"] == "የኮርሳ ወንዝ ሞላ"
    assert doc.given["published"] == "ሚያዝያ 13 ቀን 2018 ዓ.ም."


def test_read_json_record_of_a_script_without_full_stops(tmp_path: Path) -> None:
    """Thai ends no sentence with a mark: paragraph breaks show a body for prose."""
    paragraph = " ".join(["ฝนตกหนักบนภูเขาเหนือหมู่บ้าน"] * 12)
    body = "\n\n".join([paragraph] * 4)
    path = _write(tmp_path / "khao.json", json.dumps(
        {"hua_khao": "น้ำป่าซัดหมู่บ้าน", "rai_la_iat": body, "wela_phoeiphrae": "25 ก.ย. 2569"}))
    [doc] = list(read([str(path)]))
    assert isinstance(doc, Document)
    assert doc.raw == body and doc.extra["text_field"] == "rai_la_iat"
    assert doc.given["title"] == "น้ำป่าซัดหมู่บ้าน"


def test_read_json_record_with_a_time_stamp_written_as_a_string(tmp_path: Path) -> None:
    from storyline.pipeline import Pipeline

    path = _write(tmp_path / "stamp.json", json.dumps(
        {"article_body": "The Korsa ferry resumed sailing on Monday.", "published": "1784272500"}))
    [doc] = list(read([str(path)]))
    assert isinstance(doc, Document) and doc.raw.startswith("The Korsa ferry")
    assert Pipeline()(doc).published == dt.date(2026, 7, 17)


def test_read_json_record_with_empty_or_wrong_type_text(tmp_path: Path) -> None:
    path = _write(tmp_path / "bad.json", json.dumps([{"text": "   "}, {"text": 12}]))
    items = list(read([str(path)]))
    assert all(isinstance(i, Rejection) for i in items)
    assert [(i.kind, i.line) for i in items] == [("missing-text", 1), ("missing-text", 2)]
    assert items[0].reason == "'text' is empty"
    assert items[1].reason == "'text' must be a string, got a number"


def test_read_invalid_json_file_is_one_rejection(tmp_path: Path) -> None:
    path = _write(tmp_path / "broken.json", '[{"text": "a"},\n {"text": ')
    [item] = list(read([str(path)]))
    assert isinstance(item, Rejection)
    assert item.kind == "format"
    assert "invalid JSON" in item.reason
    assert "line 2" in item.reason


def test_read_json_non_string_metadata_moves_to_extra(tmp_path: Path) -> None:
    path = _write(tmp_path / "odd.json",
                  json.dumps({"text": "Story.", "title": ["a", "b"], "outlet": 5}))
    [doc] = list(read([str(path)]))
    assert isinstance(doc, Document)
    assert doc.given == {}
    assert doc.extra == {"title": ["a", "b"], "outlet": 5}


def test_read_json_fields_under_other_names(tmp_path: Path) -> None:
    # A news API's record (nested source, publishedAt, content), a crawler's (maintext,
    # date_publish, source_domain) and a scraper's (Body, Headline: case is ignored).
    records = [
        {"content": "Ferry service resumed on Monday.", "publishedAt": "2026-03-02T08:00:00Z",
         "source": {"id": None, "name": "Harbour Daily"}, "url": "https://hd.example/a",
         "title": "Ferries back", "author": "R. Osei"},
        {"maintext": "The council met.", "date_publish": "2026-03-03 10:15:00",
         "source_domain": "council.example", "title": "Council", "language": "en"},
        {"Body": "Rain fell.", "Headline": "Rain", "pubDate": "Tue, 03 Mar 2026 09:00:00 GMT",
         "guid": "r-1"},
    ]
    path = _write(tmp_path / "feed.jsonl", "\n".join(json.dumps(r) for r in records))
    docs = _docs(list(read([str(path)])))
    assert [d.raw for d in docs] == ["Ferry service resumed on Monday.", "The council met.",
                                     "Rain fell."]
    assert docs[0].given == {"url": "https://hd.example/a", "title": "Ferries back",
                             "published": "2026-03-02T08:00:00Z", "outlet": "Harbour Daily"}
    # What was not read as a known field is kept as given; what was read is not repeated.
    assert docs[0].extra == {"source": {"id": None, "name": "Harbour Daily"},
                             "author": "R. Osei"}
    assert docs[1].given == {"title": "Council", "published": "2026-03-03 10:15:00",
                             "outlet": "council.example", "language": "en"}
    assert docs[1].extra == {}
    assert docs[2].given == {"id": "r-1", "title": "Rain",
                             "published": "Tue, 03 Mar 2026 09:00:00 GMT"}
    assert docs[2].external_id == "r-1"


def test_read_json_first_usable_name_wins(tmp_path: Path) -> None:
    # `text` empty but `body` given: the body is the text, the empty `text` is kept aside.
    path = _write(tmp_path / "two.json", json.dumps(
        [{"text": "  ", "body": "The body.", "date": "2026-01-05", "published": ""},
         {"text": "The text.", "body": "Another body."}]))
    first, second = _docs(list(read([str(path)])))
    assert first.raw == "The body."
    assert first.given == {"published": "2026-01-05"}
    assert first.extra == {"text": "  ", "published": ""}
    assert second.raw == "The text."
    assert second.extra == {"body": "Another body."}


def test_read_csv_and_tsv_rows_are_articles(tmp_path: Path) -> None:
    # A quoted cell may hold commas and line breaks; rows are named by their first line.
    _write(tmp_path / "a.csv", 'headline,body,date,source\n'
                               '"Ferry","Ferries sailed, late.\nAll arrived.",2026-03-02,Harbour\n'
                               'Empty,,2026-03-03,Harbour\n'
                               'Rain,It rained.,2026-03-04,Coast,surplus\n')
    _write(tmp_path / "b.tsv", "text\tlang\nUn article.\tfr\n")
    items = list(read([str(tmp_path)]))
    docs, [empty] = _docs(items), _rejections(items)
    assert [(d.line, d.raw, d.format) for d in docs] == [
        (2, "Ferries sailed, late.\nAll arrived.", "csv"), (5, "It rained.", "csv"),
        (2, "Un article.", "tsv")]
    assert docs[0].given == {"title": "Ferry", "published": "2026-03-02", "outlet": "Harbour"}
    assert docs[1].extra == {"columns_beyond_header": ["surplus"]}
    assert docs[2].given == {"language": "fr"}
    assert (empty.line, empty.kind, empty.reason) == (4, "missing-text", "'body' is empty")


def test_read_table_without_text_column_is_one_rejection(tmp_path: Path) -> None:
    # A gold file beside the articles is not a table of articles: it is named once.
    path = _write(tmp_path / "gold.tsv", "file\tstory\na.txt\ts1\nb.txt\ts1\n")
    [item] = list(read([str(path)]))
    assert isinstance(item, Rejection)
    assert item.kind == "format" and item.line is None
    assert item.reason.startswith("no column for the article's text")
    assert "file, story" in item.reason


def test_read_json_record_over_article_limit_is_rejected_alone(tmp_path: Path) -> None:
    path = _write(tmp_path / "two.json",
                  json.dumps([{"text": "short"}, {"text": "long " * 50}]))
    items = list(read([str(path)], ReadOptions(max_article_bytes=100)))
    assert isinstance(items[0], Document)
    assert isinstance(items[1], Rejection)
    assert (items[1].kind, items[1].line) == ("too-large", 2)


# ---------------------------------------------------------------------------
# JSON Lines
# ---------------------------------------------------------------------------


def test_read_jsonl_with_malformed_line(tmp_path: Path) -> None:
    lines = [
        json.dumps({"id": "r1", "text": "First record."}),
        '{"id": "r2", "text": "unterminated',
        json.dumps({"id": "r3", "url": "https://feed.example/3", "text": "Third record.",
                    "section": "Wire"}),
    ]
    path = _write(tmp_path / "feed.jsonl", "\n".join(lines) + "\n")
    items = list(read([str(path)]))
    assert [type(i).__name__ for i in items] == ["Document", "Rejection", "Document"]
    first, bad, third = items
    assert isinstance(first, Document) and isinstance(third, Document)
    assert isinstance(bad, Rejection)
    assert (first.line, first.external_id, first.raw) == (1, "r1", "First record.")
    assert first.format == "jsonl"
    assert first.source == str(path)
    assert (third.line, third.source, third.extra) == (
        3, "https://feed.example/3", {"section": "Wire"})
    assert bad.line == 2
    assert bad.source == str(path)
    assert bad.kind == "format"
    assert "JSON" in bad.reason


def test_read_jsonl_line_numbers_count_blank_lines(tmp_path: Path) -> None:
    content = '{"text": "one"}\n\n{oops}\n{"text": "four"}\n'
    path = _write(tmp_path / "gaps.jsonl", content)
    items = list(read([str(path)]))
    assert [(type(i).__name__, i.line) for i in items] == [
        ("Document", 1), ("Rejection", 3), ("Document", 4)]


def test_read_jsonl_record_problems_are_per_line(tmp_path: Path) -> None:
    content = "\n".join([
        json.dumps({"title": "no text"}),
        json.dumps(["not", "an", "object"]),
        json.dumps({"text": "fine"}),
    ])
    path = _write(tmp_path / "probs.jsonl", content)
    items = list(read([str(path)]))
    assert [(type(i).__name__, i.line) for i in items] == [
        ("Rejection", 1), ("Rejection", 2), ("Document", 3)]
    missing, not_object = items[0], items[1]
    assert isinstance(missing, Rejection) and isinstance(not_object, Rejection)
    assert missing.kind == "missing-text"
    assert "'text'" in missing.reason
    assert not_object.kind == "format"
    assert not_object.reason == "expected a JSON object for an article, got a list"


def test_read_jsonl_line_over_limit_is_too_large(tmp_path: Path) -> None:
    content = json.dumps({"text": "ok"}) + "\n" + json.dumps({"text": "x" * 300}) + "\n"
    path = _write(tmp_path / "big.jsonl", content)
    items = list(read([str(path)], ReadOptions(max_article_bytes=100)))
    assert isinstance(items[0], Document)
    assert isinstance(items[1], Rejection)
    assert (items[1].kind, items[1].line) == ("too-large", 2)


def test_read_example_wire_feed() -> None:
    corpus = Path(__file__).resolve().parent.parent / "examples" / "corpus"
    items = list(read([str(corpus / "wire-feed.jsonl")]))
    docs = _docs(items)
    assert len(items) == len(docs) == 5
    assert [d.line for d in docs] == [1, 2, 3, 4, 5]
    assert docs[0].raw == docs[2].raw
    assert docs[4].markup == "html"
    assert "published" not in docs[4].given
    assert docs[0].extra["author"] == "LNA staff"
    assert docs[1].extra["syndicated"] is True


# ---------------------------------------------------------------------------
# Standard input
# ---------------------------------------------------------------------------


def test_read_stdin_text() -> None:
    [doc] = list(read(["-"], stdin=io.BytesIO(b"A story from a pipe.\n")))
    assert isinstance(doc, Document)
    assert doc.source == "-"
    assert doc.name == "stdin"
    assert doc.raw == "A story from a pipe.\n"
    assert (doc.format, doc.markup) == ("txt", "text")


def test_read_stdin_html() -> None:
    [doc] = list(read(["-"], stdin=io.BytesIO(b"<html><body><p>Piped page.</p></body></html>")))
    assert isinstance(doc, Document)
    assert (doc.format, doc.markup) == ("html", "html")


def test_read_stdin_json_list() -> None:
    data = json.dumps([{"text": "Piped one.", "id": "p1"}, {"text": "Piped two."}]).encode()
    items = list(read(["-"], stdin=io.BytesIO(data)))
    docs = _docs(items)
    assert len(items) == len(docs) == 2
    assert [d.raw for d in docs] == ["Piped one.", "Piped two."]
    assert [d.line for d in docs] == [1, 2]
    assert docs[0].external_id == "p1"
    assert all(d.source == "-" and d.format == "json" for d in docs)


def test_read_stdin_json_single_object() -> None:
    data = json.dumps({"text": "Just one.", "url": "https://pipe.example/1"}, indent=2).encode()
    [doc] = list(read(["-"], stdin=io.BytesIO(data)))
    assert isinstance(doc, Document)
    assert doc.raw == "Just one."
    assert doc.source == "https://pipe.example/1"
    assert doc.line is None


def test_read_stdin_jsonl() -> None:
    data = (json.dumps({"text": "Line one."}) + "\n" + "{broken\n"
            + json.dumps({"text": "Line three."}) + "\n").encode()
    items = list(read(["-"], stdin=io.BytesIO(data)))
    assert [type(i).__name__ for i in items] == ["Document", "Rejection", "Document"]
    first, bad, third = items
    assert isinstance(first, Document) and isinstance(third, Document)
    assert isinstance(bad, Rejection)
    assert [first.raw, third.raw] == ["Line one.", "Line three."]
    assert [first.line, bad.line, third.line] == [1, 2, 3]
    assert bad.kind == "format" and "JSON" in bad.reason
    assert bad.source == "-"


def test_read_stdin_jsonl_records_have_format_jsonl() -> None:
    # Document.format is "the input file's format"; JSON Lines sniffed on standard input
    # are JSON Lines just as a .jsonl file is.
    data = (json.dumps({"text": "Line one."}) + "\n" + json.dumps({"text": "Line two."})
            + "\n").encode()
    docs = _docs(list(read(["-"], stdin=io.BytesIO(data))))
    assert [d.format for d in docs] == ["jsonl", "jsonl"]


def test_read_stdin_empty_is_rejected() -> None:
    [item] = list(read(["-"], stdin=io.BytesIO(b"")))
    assert isinstance(item, Rejection)
    assert item.kind == "empty"
    assert item.source == "-"


def test_read_json_fields_named_in_other_languages_and_styles(tmp_path: Path) -> None:
    records = [
        {"titulo": "Ferry volta a navegar", "texto": "O ferry voltou a navegar.",
         "data_publicacao": "2026-07-22 11:30"},
        {"hed": "Ferry sails again", "body_text": "The ferry sailed again.",
         "first_published_at": "2026-03-18T11:05:00+01:00"},
    ]
    path = _write(tmp_path / "feed.jsonl", "\n".join(json.dumps(r) for r in records))
    first, second = _docs(list(read([str(path)])))
    assert first.raw == "O ferry voltou a navegar." and second.raw == "The ferry sailed again."
    assert first.given == {"title": "Ferry volta a navegar", "published": "2026-07-22 11:30"}
    assert second.given == {"title": "Ferry sails again",
                            "published": "2026-03-18T11:05:00+01:00"}
    assert first.extra == second.extra == {}


@pytest.mark.parametrize(("record", "title"), [
    ({"kop": "Wielrenner geschorst", "tekst": "De wielrenner is geschorst.",
      "gepubliceerd": "22-09-2026 14:05"}, "Wielrenner geschorst"),
    ({"otsikko": "Linja-auto törmäsi", "teksti": "Linja-auto törmäsi rekkaan.",
      "julkaistu": "2026-10-20 08:51"}, "Linja-auto törmäsi"),
    ({"garchig": "Уурхайд дэлбэрэлт", "aguulga": "Уурхайд дэлбэрэлт болов.",
      "ognoo": "2026-11-03"}, "Уурхайд дэлбэрэлт"),
    ({"제목": "땅꺼짐 사고", "본문": "강동구에서 땅꺼짐 사고가 났다.",
      "regDate": "2026-05-12 16:48"}, "땅꺼짐 사고"),
])
def test_read_json_fields_named_in_other_languages(tmp_path: Path, record: dict[str, str],
                                                   title: str) -> None:
    path = _write(tmp_path / "item.json", json.dumps(record, ensure_ascii=False))
    [doc] = list(read([str(path)]))
    assert isinstance(doc, Document), doc
    assert doc.given["title"] == title and doc.given.get("published")
    body = [v for k, v in record.items() if k in ("tekst", "teksti", "aguulga", "본문")]
    assert doc.raw == body[0]


def test_read_json_record_of_a_script_written_without_spaces(tmp_path: Path) -> None:
    """Chinese writes no spaces between words and none after its full stop "。": its
    letters are counted two to a word and its stops end sentences, so a body under a
    name not known (`quanwen`) is found as prose; `biaoti` is its title, `riqi` its
    date, `zhengwen` a body known by name."""
    body = ("（北海讯）工业区一间电子厂周二凌晨发生火患，死亡人数增至五人。两名留医的员工"
            "因烧伤过重不治。消拯局证实火势源自底层储藏室内的包装材料。\n\n"
            "厂方今日首次公开回应，表示深感悲痛，并将承担所有死者的遗体运返费用。")
    path = _write(tmp_path / "huohuan.json", json.dumps(
        {"biaoti": "电子厂火患死亡人数增至5人", "riqi": "2026年6月12日", "quanwen": body},
        ensure_ascii=False))
    [doc] = list(read([str(path)]))
    assert isinstance(doc, Document)
    assert doc.raw == body and doc.extra["text_field"] == "quanwen"
    assert doc.given["title"] == "电子厂火患死亡人数增至5人"
    assert doc.given["published"] == "2026年6月12日"
    path.write_text(json.dumps({"biaoti": "火患", "zhengwen": "消拯局证实。"}, ensure_ascii=False),
                    encoding="utf-8")
    [doc] = list(read([str(path)]))
    assert isinstance(doc, Document) and doc.raw == "消拯局证实。"


@pytest.mark.parametrize(("fields", "title", "published"), [
    ({"pealkiri": "Torm Korsal", "avaldatud": "20.03.2026 16:05"}, "Torm Korsal",
     "20.03.2026 16:05"),  # Estonian
    ({"virsraksts": "Vētra Korsā", "datums": "2026. gada 22. oktobrī"}, "Vētra Korsā",
     "2026. gada 22. oktobrī"),  # Latvian
    ({"pamagat": "Bagyo sa Korsa", "petsa": "Mayo 5, 2026"}, "Bagyo sa Korsa",
     "Mayo 5, 2026"),  # Tagalog
])
def test_read_json_title_and_date_under_their_own_languages_names(
        tmp_path: Path, fields: dict[str, str], title: str, published: str) -> None:
    path = _write(tmp_path / "record.json", json.dumps(
        {**fields, "teksts": "The Korsa ferry resumed sailing on Monday."}, ensure_ascii=False))
    [doc] = list(read([str(path)]))
    assert isinstance(doc, Document)
    assert doc.given["title"] == title and doc.given["published"] == published
