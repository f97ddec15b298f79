"""The real `storyline` command, run as a subprocess, on the example corpus and bad input."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

from conftest import run_cli
from storyline.store import Store

SUMMARY = "read 10, stored 8, duplicates 2, already stored 0, rejected 0"


def test_ingest_example_corpus_then_again(tmp_path: Path, corpus: Path) -> None:
    db = str(tmp_path / "kb.db")
    first = run_cli("ingest", str(corpus), "--db", db)
    assert first.returncode == 0, first.stderr
    assert first.stdout.strip() == SUMMARY
    assert "\x1b[" not in first.stdout + first.stderr  # no progress bar or colour in a pipe
    again = run_cli("ingest", str(corpus), "--db", db)
    assert again.returncode == 0
    assert again.stdout.strip() == "read 10, stored 0, duplicates 0, already stored 10, rejected 0"


def test_default_database_is_storyline_db_in_current_folder(tmp_path: Path,
                                                            corpus: Path) -> None:
    result = run_cli("ingest", str(corpus / "wire-feed.jsonl"), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "storyline.db").exists()
    listing = run_cli("documents", "--json", cwd=tmp_path)
    assert len(json.loads(listing.stdout)) == 5


def test_documents_table_and_json(tmp_path: Path, corpus: Path) -> None:
    db = str(tmp_path / "kb.db")
    run_cli("ingest", str(corpus), "--db", db)
    table = run_cli("documents", "--db", db)
    assert table.returncode == 0
    assert "10 documents in" in table.stdout
    assert "Meridian Post*" in table.stdout  # inferred outlets are marked
    rows = json.loads(run_cli("documents", "--db", db, "--json").stdout)
    by_outlet = {r["outlet"]: r for r in rows}
    assert by_outlet["Gulf Ledger"]["published"] == "2026-03-13"
    assert by_outlet["Gulf Ledger"]["published_from"] == "text:date-label"
    assert by_outlet["Meridian Post"]["outlet_from"] == "text:comment-policy"
    assert by_outlet["The Harbor Times"]["published_from"] == "html:meta"
    assert by_outlet["Tigris Weekly"]["published"] is None
    assert by_outlet["Desert Courier"]["duplicate_kind"] == "exact"
    assert by_outlet["Amman Daily Star"]["duplicate_kind"] == "near"
    assert by_outlet["Desert Courier"]["duplicate_of"] == by_outlet["Levant News Agency"][
        "id"] or by_outlet["Desert Courier"]["duplicate_of"] in {r["id"] for r in rows}
    assert sorted({r["language"] for r in rows}) == ["ar", "en"]


def test_export_json_has_the_documented_fields(tmp_path: Path, corpus: Path) -> None:
    db = str(tmp_path / "kb.db")
    run_cli("ingest", str(corpus), "--db", db)
    result = run_cli("export", "--format", "json", "--db", db)
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["export_version"] == 1
    assert len(data["documents"]) == 10
    required = {"id", "external_id", "source", "title", "outlet", "published", "published_from",
                "language", "text", "duplicate_of"}
    for record in data["documents"]:
        assert required <= record.keys()
    wire = next(r for r in data["documents"] if r["external_id"] == "lna-en-20260316-0042")
    assert wire["source"].startswith("https://")
    assert wire["metadata"]["tags"]  # unknown input fields are kept
    out = tmp_path / "kb.json"
    to_file = run_cli("export", "-o", str(out), "--db", db)
    assert to_file.returncode == 0
    assert json.loads(out.read_text())["documents"] == data["documents"]


def test_export_jsonl_and_csv(tmp_path: Path, corpus: Path) -> None:
    db = str(tmp_path / "kb.db")
    run_cli("ingest", str(corpus), "--db", db)
    jsonl = run_cli("export", "--format", "jsonl", "--db", db)
    lines = [json.loads(line) for line in jsonl.stdout.splitlines()]
    assert len(lines) == 10
    folder = tmp_path / "out"
    result = run_cli("export", "--format", "csv", "-o", str(folder), "--db", db)
    assert result.returncode == 0
    rows = list(csv.DictReader(io.StringIO((folder / "documents.csv").read_text())))
    assert [r["id"] for r in rows] == [r["id"] for r in lines]
    assert json.loads(rows[0]["paragraphs"])


def test_bad_inputs_are_each_named_and_good_ones_kept(tmp_path: Path) -> None:
    bad = tmp_path / "inbox"
    bad.mkdir()
    (bad / "empty.txt").write_bytes(b"")
    (bad / "image.txt").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)))
    (bad / "arabic-1256.txt").write_bytes(
        "قال المتحدث باسم الحكومة إن المحادثات كانت مثمرة وإن الجانبين اتفقا على مواصلة "
        "العمل المشترك خلال الأسابيع المقبلة.".encode("windows-1256"))
    (bad / "broken.html").write_text("<html><body><div><p>The mayor of Lindqvist opened "
                                     "the new bridge on Friday, two years late.<div></p>")
    (bad / "feed.jsonl").write_text(
        '{"id": "g1", "text": "A good first article about a harbour strike in Veldt."}\n'
        '{"id": "g2", "text": "unterminated\n'
        '{"id": "g3", "title": "no text here"}\n'
        '{"id": "g4", "text": "Another good article, about grain prices in Veldt."}\n')
    big = bad / "huge.txt"
    with big.open("wb") as handle:
        handle.write(b"word " * (50 * 1024 * 1024 // 5))
    db = str(tmp_path / "kb.db")
    result = run_cli("ingest", str(bad), "--db", db)
    assert result.returncode == 1
    assert result.stdout.strip() == "read 9, stored 4, duplicates 0, already stored 0, rejected 5"
    err = result.stderr
    assert f"rejected: {bad / 'empty.txt'}: empty" in err
    assert f"rejected: {bad / 'image.txt'}: binary file: looks like a PNG image" in err
    assert f"rejected: {bad / 'feed.jsonl'}:2: invalid JSON" in err
    assert f"rejected: {bad / 'feed.jsonl'}:3: no 'text'" in err
    assert f"rejected: {bad / 'huge.txt'}: file too large" in err
    assert "decoded as windows-1256" in err
    with Store(db) as store:
        texts = [r["text"] for r in store.iter_documents()]
        assert store.integrity_check() == "ok"
    assert any("المتحدث" in t for t in texts)
    assert any("opened the new bridge" in t for t in texts)
    listed = run_cli("rejections", "--db", db)
    assert listed.stdout.count("run 1") == 5


def test_stdin_is_read_with_dash(tmp_path: Path) -> None:
    db = str(tmp_path / "kb.db")
    text = "LINDQVIST - The city council voted on Monday to close the old ferry pier.\n"
    result = run_cli("ingest", "-", "--db", db, stdin=text.encode())
    assert result.returncode == 0, result.stderr
    record = json.loads(run_cli("documents", "--json", "--db", db).stdout)[0]
    assert record["source"] == "-"
    assert record["dateline"] == "Lindqvist"


def test_search_and_show(tmp_path: Path, corpus: Path) -> None:
    db = str(tmp_path / "kb.db")
    run_cli("ingest", str(corpus), "--db", db)
    hits = json.loads(run_cli("search", "aquifer", "--json", "--db", db).stdout)
    assert hits and all("[aquifer]" in h["snippet"].lower() for h in hits)
    bad = run_cli("search", '"unbalanced', "--db", db)
    assert bad.returncode == 2
    assert "error: cannot search" in bad.stderr
    shown = run_cli("show", hits[0]["id"][:10], "--db", db)
    assert shown.returncode == 0
    assert f"id: {hits[0]['id']}" in shown.stdout


def test_missing_database_is_a_clear_error(tmp_path: Path) -> None:
    result = run_cli("documents", "--db", str(tmp_path / "nope.db"))
    assert result.returncode == 2
    assert "no database at" in result.stderr


def test_every_command_has_help_text() -> None:
    from storyline.cli import app

    for command in app.registered_commands:
        assert command.callback is not None and command.callback.__doc__, command.name
    result = run_cli("--help")
    for name in ("ingest", "documents", "show", "search", "export", "rejections"):
        assert name in result.stdout


def test_actors_actor_and_export_on_the_example_corpus(tmp_path: Path, corpus: Path) -> None:
    db = str(tmp_path / "kb.db")
    run_cli("ingest", str(corpus), "--db", db)
    table = run_cli("actors", "--db", db)
    assert table.returncode == 0, table.stderr
    assert "Rawashdeh" in table.stdout and "خالد الرواشدة" in table.stdout
    persons = json.loads(run_cli("actors", "--kind", "person", "--json", "--db", db).stdout)
    rawashdeh = [p for p in persons if any("Rawashdeh" in a["alias"] for a in p["aliases"])]
    assert len(rawashdeh) == 1  # every spelling, both scripts: one actor
    aliases = {a["alias"] for a in rawashdeh[0]["aliases"]}
    assert {"Khaled al-Rawashdeh", "Khalid Al-Rawashdeh", "Khaled el-Rawashdeh",
            "خالد الرواشدة"} <= aliases
    hakims = [p for p in persons if p["name"].endswith("al-Hakim")]
    assert sorted(p["name"] for p in hakims) == ["Nadia al-Hakim", "Sabah al-Hakim"]
    one = run_cli("actor", "al-ubaidi", "--db", db)
    assert one.returncode == 0, one.stderr
    assert "Shakir" in one.stdout and "name:" in one.stdout  # the evidence is shown
    missing = run_cli("actor", "Nobody Atall", "--db", db)
    assert missing.returncode == 2 and "no actor called 'Nobody Atall'" in missing.stderr
    data = json.loads(run_cli("export", "--db", db).stdout)
    assert {"id", "name", "kind", "aliases", "roles"} <= data["actors"][0].keys()
    documents = {d["id"]: d for d in data["documents"]}
    raw = {d["id"]: d for d in json.loads(
        run_cli("export", "--include-raw", "--db", db).stdout)["documents"]}
    assert data["mentions"]
    for m in data["mentions"]:
        assert m["document_id"] in documents
        source = raw[m["document_id"]]["raw"]
        assert " ".join(source[m["source_start"]:m["source_end"]].split()) == " ".join(
            m["text"].split()) or "&" in source[m["source_start"]:m["source_end"]]


def test_alias_file_from_the_command_line(tmp_path: Path, corpus: Path) -> None:
    db = str(tmp_path / "kb.db")
    aliases = tmp_path / "aliases.csv"
    aliases.write_text("name,aliases,kind,id\nJoint Water Commission,JWC|اللجنة المشتركة "
                       "للمياه,organization,Q123\n", encoding="utf-8")
    loaded = run_cli("aliases", str(aliases), "--db", db)
    assert loaded.returncode == 0 and "loaded 1 actors" in loaded.stdout
    run_cli("ingest", str(corpus), "--db", db)
    jwc = json.loads(run_cli("actor", "JWC", "--json", "--db", db).stdout)
    assert jwc["external_id"] == "Q123" and jwc["origin"] == "alias-file"
    assert jwc["documents"] >= 3
    bad = tmp_path / "bad.yaml"
    bad.write_text("- aliases: [x]\n", encoding="utf-8")
    failed = run_cli("ingest", str(corpus), "--aliases", str(bad), "--db", db)
    assert failed.returncode == 2 and "entry 1 has no name" in failed.stderr
