"""The SQLite store: schema and migrations, duplicates, idempotence, search."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from storyline.errors import SchemaVersionError, StoreError
from storyline.ingest.run import ingest
from storyline.model import Document
from storyline.pipeline import CLEAN_STAGES, Pipeline
from storyline.store import SearchError, Store
from storyline.store.migrations import LATEST

WIRE = ("The regional council in Port Ysolde approved a new ferry timetable on Monday after "
        "months of complaints from island residents. Council leader Amira Venn said the "
        "changes would add two crossings a day from April. Operators said extra crews would "
        "be hired before the summer season, and fares would stay the same for residents.")


def _doc(name: str, text: str) -> Document:
    return Pipeline(CLEAN_STAGES)(Document(source=name, name=name, raw=text, format="txt"))


def test_new_database_has_schema_wal_and_fts(tmp_path: Path) -> None:
    with Store(tmp_path / "kb.db") as store:
        assert store.schema_version == LATEST
        assert [m["name"] for m in store.migrations()] == ["documents", "actors",
                                                            "events and claims",
                                                            "stories and canonical events",
                                                            "indexes for flat per-document cost",
                                                            "canonical event digests",
                                                            "story dates in the posting "
                                                            "lists",
                                                            "actor keys name their kind",
                                                            "documents waiting for a story",
                                                            "name spellings of English leads"]
        mode = store.conn.execute("PRAGMA journal_mode").fetchone()[0]
        assert mode == "wal"
        tables = {r[0] for r in store.conn.execute("SELECT name FROM sqlite_master")}
        assert {"documents", "paragraphs", "passages", "documents_fts", "minhash_bands",
                "ingest_runs", "rejections", "schema_migrations"} <= tables


def test_reopening_does_not_rerun_migrations(tmp_path: Path) -> None:
    Store(tmp_path / "kb.db").close()
    with Store(tmp_path / "kb.db") as store:
        assert len(store.migrations()) == LATEST


def test_newer_schema_is_refused(tmp_path: Path) -> None:
    Store(tmp_path / "kb.db").close()
    conn = sqlite3.connect(tmp_path / "kb.db")
    conn.execute(f"PRAGMA user_version = {LATEST + 1}")
    conn.close()
    with pytest.raises(SchemaVersionError, match="newer"):
        Store(tmp_path / "kb.db")


def test_same_document_twice_is_stored_once(fresh_store: Store) -> None:
    assert fresh_store.add(_doc("a.txt", WIRE)) == "stored"
    assert fresh_store.add(_doc("a.txt", WIRE)) == "unchanged"
    assert fresh_store.count_documents() == 1


def test_exact_duplicate_under_another_name_is_linked(fresh_store: Store) -> None:
    first = _doc("a.txt", WIRE)
    fresh_store.add(first)
    copy = _doc("b.txt", WIRE)
    assert fresh_store.add(copy) == "duplicate"
    record = fresh_store.document(copy.id)
    assert record is not None
    assert (record["duplicate_of"], record["duplicate_kind"]) == (first.id, "exact")


def test_lightly_edited_copy_is_a_near_duplicate(fresh_store: Store) -> None:
    first = _doc("a.txt", WIRE)
    fresh_store.add(first)
    edited = WIRE.replace("on Monday", "on Monday evening").replace("extra crews", "more crews")
    near = _doc("b.txt", edited)
    assert fresh_store.add(near) == "duplicate"
    record = fresh_store.document(near.id)
    assert record is not None
    assert record["duplicate_of"] == first.id
    assert record["duplicate_kind"] == "near"
    assert 0.6 <= record["similarity"] < 1.0


def test_different_story_on_same_topic_is_independent(fresh_store: Store) -> None:
    fresh_store.add(_doc("a.txt", WIRE))
    other = ("Island residents in Port Ysolde protested on Tuesday against the council's "
             "ferry plan, saying two extra crossings a day would not fix chronic delays. "
             "Protest organiser Tomas Bell told reporters the council had ignored a petition "
             "signed by 4,000 people.")
    assert fresh_store.add(_doc("b.txt", other)) == "stored"


def test_duplicate_of_points_to_the_first_report(fresh_store: Store) -> None:
    first = _doc("a.txt", WIRE)
    fresh_store.add(first)
    fresh_store.add(_doc("b.txt", WIRE))
    third = _doc("c.txt", WIRE.replace("two crossings", "three crossings"))
    fresh_store.add(third)
    record = fresh_store.document(third.id)
    assert record is not None and record["duplicate_of"] == first.id


def test_full_text_search_and_bad_query(fresh_store: Store) -> None:
    fresh_store.add(_doc("a.txt", WIRE))
    hits = fresh_store.search("ferry timetable")
    assert [h["id"] for h in hits] == [_doc("a.txt", WIRE).id]
    assert "[ferry]" in hits[0]["snippet"]
    assert fresh_store.search("submarine") == []
    with pytest.raises(SearchError, match="cannot search"):
        fresh_store.search('"unbalanced')


def test_record_round_trips_paragraph_offsets(fresh_store: Store) -> None:
    raw = "PORT YSOLDE - " + WIRE + "\n\nSecond paragraph, short but real."
    doc = _doc("a.txt", raw)
    fresh_store.add(doc)
    record = fresh_store.document(doc.id, include_raw=True)
    assert record is not None
    assert record["dateline"] == "Port Ysolde"
    for p in record["paragraphs"]:
        assert record["raw"][p["source_start"]:p["source_end"]] == record["text"][p["start"]:
                                                                                 p["end"]]


def test_rejections_are_recorded_with_the_run(tmp_path: Path, fresh_store: Store) -> None:
    (tmp_path / "empty.txt").write_text("")
    (tmp_path / "good.txt").write_text(WIRE)
    report = ingest([str(tmp_path / "empty.txt"), str(tmp_path / "good.txt")], fresh_store)
    assert (report.stored, report.rejected) == (1, 1)
    rows = fresh_store.rejections(report.run_id)
    assert [(Path(r["source"]).name, r["kind"]) for r in rows] == [("empty.txt", "empty")]
    assert fresh_store.runs()[-1]["status"] == "done"


def test_memory_map_is_set_from_the_environment(tmp_path: Path,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    with Store(tmp_path / "plain.db") as store:
        assert store.conn.execute("PRAGMA mmap_size").fetchone()[0] == 0
    monkeypatch.setenv("STORYLINE_MMAP_MB", "64")
    with Store(tmp_path / "mapped.db") as store:
        assert store.conn.execute("PRAGMA mmap_size").fetchone()[0] == 64 * 1024 * 1024
    monkeypatch.setenv("STORYLINE_MMAP_MB", "lots")
    with pytest.raises(StoreError, match="STORYLINE_MMAP_MB must be a whole number"):
        Store(tmp_path / "bad.db")
