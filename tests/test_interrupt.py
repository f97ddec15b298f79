"""An ingest killed at any moment leaves a consistent database; a re-run completes it."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import as_in_a_terminal
from storyline.store import Store

N = 600  # with the language model, enough for an ingest of several seconds
TOWNS = ["Aldmere", "Brisk", "Corvale", "Dunmarch", "Elsby", "Farrow", "Glenhollow", "Harth"]


def _feed(path: Path) -> None:
    with path.open("w", encoding="utf-8") as handle:
        for i in range(N):
            town = TOWNS[i % len(TOWNS)]
            text = (f"{town.upper()} - The {town} district council met for session {i} on "
                    f"Tuesday to debate budget line {i * 7}. Councillor number {i % 97} "
                    f"proposed {i % 13} amendments, and {i % 5} were adopted after a vote of "
                    f"{i % 31} to {i % 17}.\n\nResidents asked about road {i * 3} and the "
                    f"market hall, which has been closed for {i % 11} weeks.")
            handle.write(json.dumps({"id": f"rec-{i}", "text": text}) + "\n")


def _count(db: Path) -> int:
    if not db.exists():
        return 0
    try:
        conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=5)
        try:
            return int(conn.execute("SELECT count(*) FROM documents").fetchone()[0])
        finally:
            conn.close()
    except sqlite3.OperationalError:
        return 0


def _start(feed: Path, db: Path) -> subprocess.Popen[bytes]:
    return subprocess.Popen([sys.executable, "-m", "storyline", "ingest", str(feed), "--db",
                             str(db)], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            preexec_fn=as_in_a_terminal)


def _wait_for_some(proc: subprocess.Popen[bytes], db: Path) -> int:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        count = _count(db)
        if count >= 50:
            return count
        if proc.poll() is not None:
            pytest.fail(f"ingest ended before it could be interrupted: {proc.stderr!r}")
        time.sleep(0.05)
    pytest.fail("ingest stored nothing in 120 s")


def _check_complete(feed: Path, db: Path) -> None:
    rerun = subprocess.run([sys.executable, "-m", "storyline", "ingest", str(feed), "--db",
                            str(db)], capture_output=True, text=True, timeout=600)
    assert rerun.returncode == 0, rerun.stderr
    with Store(db) as store:
        assert store.integrity_check() == "ok"
        ids = [r[0] for r in store.conn.execute("SELECT external_id FROM documents")]
        assert sorted(ids) == sorted(f"rec-{i}" for i in range(N))
        orphans = store.conn.execute(
            "SELECT count(*) FROM paragraphs WHERE document_id NOT IN (SELECT id FROM documents)"
        ).fetchone()[0]
        assert orphans == 0
        fts = store.conn.execute("SELECT count(*) FROM documents_fts").fetchone()[0]
        assert fts == N
        dangling = store.conn.execute(
            "SELECT count(*) FROM mentions WHERE actor_id IS NOT NULL AND actor_id NOT IN "
            "(SELECT id FROM actors)").fetchone()[0]
        assert dangling == 0
        without = store.conn.execute(
            "SELECT count(*) FROM documents WHERE id NOT IN (SELECT document_id FROM mentions)"
        ).fetchone()[0]
        assert without == 0  # every record names its town: no document lost its mentions


@pytest.mark.slow
def test_kill_9_mid_ingest_then_resume(tmp_path: Path) -> None:
    feed, db = tmp_path / "feed.jsonl", tmp_path / "kb.db"
    _feed(feed)
    proc = _start(feed, db)
    before = _wait_for_some(proc, db)
    proc.send_signal(signal.SIGKILL)
    proc.communicate(timeout=30)
    assert proc.returncode == -signal.SIGKILL
    with Store(db) as store:
        assert store.integrity_check() == "ok"
        kept = store.count_documents()
        assert before <= kept < N  # really interrupted, and nothing committed was lost
        # every kept document is whole: it has its paragraphs
        bare = store.conn.execute(
            "SELECT count(*) FROM documents d WHERE NOT EXISTS "
            "(SELECT 1 FROM paragraphs p WHERE p.document_id = d.id)").fetchone()[0]
        assert bare == 0
    _check_complete(feed, db)


@pytest.mark.slow
def test_ctrl_c_mid_ingest_then_resume(tmp_path: Path) -> None:
    feed, db = tmp_path / "feed.jsonl", tmp_path / "kb.db"
    _feed(feed)
    proc = _start(feed, db)
    _wait_for_some(proc, db)
    os.kill(proc.pid, signal.SIGINT)
    stdout, _ = proc.communicate(timeout=60)
    assert proc.returncode == 130
    assert stdout.decode().startswith("interrupted: read ")
    with Store(db) as store:
        assert store.integrity_check() == "ok"
        assert 0 < store.count_documents() < N
        assert store.runs()[-1]["status"] == "interrupted"
    _check_complete(feed, db)
