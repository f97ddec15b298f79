"""`ingest --workers N`: the per-document stages in N processes, one writer, the same result.

The model-backed comparison ingests the example corpus (plus a folder of bad items) with
the stages in the writer's process (`workers=0`), in one worker process and in two, in a
module-scoped fixture; the other worker tests
use a pipeline of the cleaning stages only, so their workers start without the model.
"""

from __future__ import annotations

import copy
import dataclasses
import json
import os
import pickle
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from conftest import CORPUS, as_in_a_terminal, run_cli
from faulty_stages import (
    check_same_internal_errors,
    check_unsendable_rejected_alone,
    clean_then,
    die,
    explode,
    unpicklable,
)
from storyline.export import TABLES, table_rows
from storyline.ingest.readers import read
from storyline.ingest.run import IngestReport, ingest
from storyline.model import Document
from storyline.pipeline import Pipeline
from storyline.store import Store
from storyline.time.value import TimeValue

#: Fields that say when something was stored, not what.
WHEN = {"ingested_at"}


def _bad_inputs(folder: Path) -> Path:
    folder.mkdir()
    (folder / "empty.txt").write_text("")
    (folder / "image.txt").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)))
    (folder / "feed.jsonl").write_text(
        '{"id": "b1", "text": "VELDT - Dock workers in Veldt began a strike on Monday."}\n'
        '{"id": "b2", "text": "unterminated\n'
        '{"id": "b3", "title": "no text here"}\n')
    return folder


@dataclasses.dataclass
class Run:
    report: IngestReport
    store: Store


@pytest.fixture(scope="module")
def bad_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _bad_inputs(tmp_path_factory.mktemp("inputs") / "bad")


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory, bad_folder: Path) -> Iterator[dict[int, Run]]:
    """The example corpus and the bad folder, ingested in this process (0) and with 1
    and 2 worker processes."""
    folder = tmp_path_factory.mktemp("stores")
    out: dict[int, Run] = {}
    for workers in (0, 1, 2):
        store = Store(folder / f"workers-{workers}.db")
        report = ingest([str(CORPUS), str(bad_folder)], store, workers=workers)
        out[workers] = Run(report, store)
    yield out
    for run in out.values():
        run.store.close()


def _rows(store: Store, table: str) -> list[dict[str, Any]]:
    return [{k: v for k, v in row.items() if k not in WHEN} for row in table_rows(store, table)]


@pytest.mark.parametrize("workers", [1, 2])
def test_worker_processes_build_the_same_knowledge_base(runs: dict[int, Run],
                                                        workers: int) -> None:
    for table in TABLES:
        assert _rows(runs[workers].store, table) == _rows(runs[0].store, table), table
    # the comparison is not vacuous: every kind of record is there
    one = runs[0].store
    assert any(a["aliases"] for a in table_rows(one, "actors"))
    assert any(e["actors"] for e in table_rows(one, "events"))
    assert any(d["story"] for d in table_rows(one, "documents"))
    assert len(_rows(one, "mentions")) > 100


@pytest.mark.parametrize("workers", [1, 2])
def test_worker_processes_report_the_same_rejections(runs: dict[int, Run],
                                                     workers: int) -> None:
    one, two = runs[0], runs[workers]
    assert two.report.summary() == one.report.summary()
    assert one.report.summary() == ("read 15, stored 9, duplicates 2, already stored 0, "
                                    "rejected 4")
    assert two.report.rejections == one.report.rejections
    assert {r.kind for r in one.report.rejections} == {"empty", "binary", "format",
                                                      "missing-text"}
    assert two.report.warnings == one.report.warnings

    def stored(store: Store) -> list[tuple[Any, ...]]:
        return [(r["source"], r["line"], r["kind"], r["reason"]) for r in store.rejections()]

    assert stored(two.store) == stored(one.store)
    assert [r["status"] for r in two.store.runs()] == ["done"]


@pytest.mark.parametrize("workers", ["2", "0"])
def test_cli_workers_match_the_library_run(tmp_path: Path, bad_folder: Path,
                                           runs: dict[int, Run], workers: str) -> None:
    db = tmp_path / "kb.db"
    result = run_cli("ingest", str(CORPUS), str(bad_folder), "--db", str(db), "--workers",
                     workers)
    assert result.returncode == 1, result.stderr  # some items were rejected
    assert result.stdout.strip() == runs[0].report.summary()
    rejected = [line for line in result.stderr.splitlines() if line.startswith("rejected: ")]
    assert rejected == [f"rejected: {r}" for r in runs[0].report.rejections]
    with Store(db) as store:
        for table in TABLES:
            assert _rows(store, table) == _rows(runs[0].store, table), table


def test_cli_refuses_a_negative_worker_count(tmp_path: Path) -> None:
    result = run_cli("ingest", str(CORPUS), "--db", str(tmp_path / "kb.db"), "--workers", "-1")
    assert result.returncode == 2
    assert "--workers" in result.stderr


# --- pickling a processed document -------------------------------------------------------


def _fields_equal(a: Document, b: Document) -> None:
    for f in dataclasses.fields(Document):
        left, right = getattr(a, f.name), getattr(b, f.name)
        if isinstance(left, np.ndarray):
            assert np.array_equal(left, right), f.name
        else:
            assert left == right, f.name


def test_processed_document_round_trips_through_pickle() -> None:
    pipeline = Pipeline()
    docs = [pipeline(item) for item in read([str(CORPUS)]) if isinstance(item, Document)]
    relative = [m.time for d in docs for m in d.mentions
                if isinstance(m.time, TimeValue) and m.time.relative is not None]
    assert relative, "the corpus should hold an unanchored time (the case that broke pickle)"
    for doc in docs:
        doc.analyses = []  # spaCy parses stay in the worker
        _fields_equal(pickle.loads(pickle.dumps(doc)), doc)
        _fields_equal(copy.deepcopy(doc), doc)


def test_time_value_stays_read_only_after_pickle() -> None:
    value = TimeValue(None, "day", anchor="unanchored",
                      relative={"weekday": "thursday", "direction": "last"})
    clone = pickle.loads(pickle.dumps(value))
    assert clone == value
    assert clone.relative == {"weekday": "thursday", "direction": "last"}
    with pytest.raises(TypeError):
        clone.relative["weekday"] = "friday"  # type: ignore[index]


# --- workers without the model: errors, results that cannot travel, a dead worker --------


def test_internal_errors_are_reported_the_same_by_workers(tmp_path: Path) -> None:
    reports = []
    for workers in (0, 1, 2):
        with Store(tmp_path / f"w{workers}.db") as store:
            reports.append(ingest([str(CORPUS)], store, pipeline=clean_then(explode),
                                  workers=workers))
    here, *processes = reports
    for report in processes:
        check_same_internal_errors(here, report)


def test_a_result_that_cannot_be_sent_back_is_rejected_alone(tmp_path: Path) -> None:
    with Store(tmp_path / "kb.db") as store:
        report = ingest([str(CORPUS)], store, pipeline=clean_then(unpicklable), workers=2)
    check_unsendable_rejected_alone(report)


def test_a_dead_worker_ends_the_run_and_keeps_what_was_stored(tmp_path: Path) -> None:
    with Store(tmp_path / "kb.db") as store:
        with pytest.raises(BrokenProcessPool):
            ingest([str(CORPUS)], store, pipeline=clean_then(die), workers=2)
        assert store.integrity_check() == "ok"
        assert store.runs()[-1]["status"] == "failed"


# --- interrupting the writer ---------------------------------------------------------------

N = 300


def _feed(path: Path) -> None:
    with path.open("w", encoding="utf-8") as handle:
        for i in range(N):
            text = (f"ALDMERE - The Aldmere district council met for session {i} on Tuesday "
                    f"to debate budget line {i * 7}.\n\nResidents asked about road {i * 3}.")
            handle.write(json.dumps({"id": f"rec-{i}", "text": text}) + "\n")


def _count(db: Path) -> int:
    try:
        conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=5)
        try:
            return int(conn.execute("SELECT count(*) FROM documents").fetchone()[0])
        finally:
            conn.close()
    except sqlite3.OperationalError:
        return 0


def _descendants(pid: int) -> list[int]:
    try:
        children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    except OSError:
        return []
    return [d for c in map(int, children) for d in (c, *_descendants(c))]


def _running(pid: int) -> bool:
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return False
    return "\nState:\tZ" not in status


def _start_and_wait(tmp_path: Path) -> tuple[subprocess.Popen[bytes], Path, list[int]]:
    if not Path(f"/proc/{os.getpid()}/task/{os.getpid()}/children").exists():
        pytest.skip("needs /proc/PID/task/PID/children to find the worker processes")
    feed, db = tmp_path / "feed.jsonl", tmp_path / "kb.db"
    _feed(feed)
    proc = subprocess.Popen([sys.executable, "-m", "storyline", "ingest", str(feed), "--db",
                             str(db), "--workers", "2"], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, preexec_fn=as_in_a_terminal)
    deadline = time.monotonic() + 120
    while _count(db) < 20:
        if proc.poll() is not None or time.monotonic() > deadline:
            proc.kill()
            pytest.fail(f"ingest stored too little to be interrupted: {proc.communicate()}")
        time.sleep(0.05)
    return proc, db, _descendants(proc.pid)


def _assert_all_end(pids: list[int]) -> None:
    deadline = time.monotonic() + 30
    while any(_running(p) for p in pids) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not [p for p in pids if _running(p)]


@pytest.mark.slow
def test_ctrl_c_stops_the_workers_and_keeps_a_consistent_store(tmp_path: Path) -> None:
    proc, db, helpers = _start_and_wait(tmp_path)
    assert len(helpers) >= 2  # the workers, and whatever multiprocessing starts with them
    os.kill(proc.pid, signal.SIGINT)
    stdout, _ = proc.communicate(timeout=60)
    assert proc.returncode == 130
    assert stdout.decode().startswith("interrupted: read ")
    _assert_all_end(helpers)
    with Store(db) as store:
        assert store.integrity_check() == "ok"
        assert 20 <= store.count_documents() < N
        assert store.runs()[-1]["status"] == "interrupted"
        bare = store.conn.execute(
            "SELECT count(*) FROM documents d WHERE NOT EXISTS "
            "(SELECT 1 FROM mentions m WHERE m.document_id = d.id)").fetchone()[0]
        assert bare == 0  # every kept document is whole


@pytest.mark.slow
def test_workers_end_when_the_writer_is_killed(tmp_path: Path) -> None:
    proc, db, helpers = _start_and_wait(tmp_path)
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=30)
    _assert_all_end(helpers)
    proc.communicate(timeout=30)  # the pipes close once no helper holds them
    with Store(db) as store:
        assert store.integrity_check() == "ok"
