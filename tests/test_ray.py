"""`ingest --ray`: the per-document stages on Ray actors, one writer, the same result.

A real local Ray instance (two CPUs, no dashboard), started once for the module, which
the library runs join; the model-backed comparison ingests the example corpus plus a
folder of bad items once in one process and once on Ray, and the other tests use a
pipeline of the cleaning stages only, so their actors start without the model. The CLI
runs start a Ray of their own, or join the module's by its address.
Skipped when ray is not installed (`pip install -e ".[ray]"`); CI installs it.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from concurrent.futures import BrokenExecutor
from pathlib import Path
from typing import Any

import pytest

import faulty_stages
from conftest import CORPUS, as_in_a_terminal, run_cli
from faulty_stages import (
    check_same_internal_errors,
    check_unsendable_rejected_alone,
    clean_then,
    die,
    explode,
    unpicklable,
)
from storyline.export import TABLES
from storyline.ingest.distributed import RayPool, RayUnavailable, RayWorkerLost
from storyline.ingest.run import ingest
from storyline.pipeline import CLEAN_STAGES, Pipeline
from storyline.store import Store
from test_workers import Run, _bad_inputs, _count, _descendants, _feed, _rows, _running

ray = pytest.importorskip("ray", reason="ray is not installed: pip install -e '.[ray]'")


@pytest.fixture(scope="module")
def cluster() -> Iterator[None]:
    """A local Ray instance with two CPUs, as `ingest --ray` starts one, for the module."""
    with pytest.MonkeyPatch.context() as env:
        env.setenv("RAY_USAGE_STATS_ENABLED", "0")  # no usage report sent anywhere
        ray.init(address="local", num_cpus=2, include_dashboard=False, log_to_driver=False)
        try:
            yield
        finally:
            ray.shutdown()


@pytest.fixture(scope="module")
def bad_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _bad_inputs(tmp_path_factory.mktemp("inputs") / "bad")


@pytest.fixture(scope="module")
def runs(cluster: None, tmp_path_factory: pytest.TempPathFactory,
         bad_folder: Path) -> Iterator[dict[str, Run]]:
    """The example corpus and the bad folder, ingested in one process and on the module's
    Ray (a pool made while this process is connected uses that connection)."""
    folder = tmp_path_factory.mktemp("stores")
    out: dict[str, Run] = {}
    for name, address in (("local", None), ("ray", "local")):
        store = Store(folder / f"{name}.db")
        report = ingest([str(CORPUS), str(bad_folder)], store, ray_address=address)
        out[name] = Run(report, store)
    yield out
    for run in out.values():
        run.store.close()


def test_ray_builds_the_same_knowledge_base(runs: dict[str, Run]) -> None:
    for table in TABLES:
        assert _rows(runs["ray"].store, table) == _rows(runs["local"].store, table), table
    local = runs["local"].store
    assert any(a["aliases"] for a in _rows(local, "actors"))
    assert any(e["actors"] for e in _rows(local, "events"))
    assert any(d["story"] for d in _rows(local, "documents"))
    assert _rows(local, "claims")
    assert len(_rows(local, "mentions")) > 100


def test_ray_reports_the_same_rejections(runs: dict[str, Run]) -> None:
    local, remote = runs["local"], runs["ray"]
    assert remote.report.summary() == local.report.summary() == (
        "read 15, stored 9, duplicates 2, already stored 0, rejected 4")
    assert remote.report.rejections == local.report.rejections
    assert remote.report.warnings == local.report.warnings

    def stored(store: Store) -> list[tuple[Any, ...]]:
        return [(r["source"], r["line"], r["kind"], r["reason"]) for r in store.rejections()]

    assert stored(remote.store) == stored(local.store)
    assert [r["status"] for r in remote.store.runs()] == ["done"]


def test_the_pool_uses_one_actor_per_free_cpu_and_keeps_the_connection(cluster: None) -> None:
    deadline = time.monotonic() + 30  # the CPUs of actors killed by an earlier run come back
    while ray.available_resources().get("CPU", 0) < 2 and time.monotonic() < deadline:
        time.sleep(0.1)
    with RayPool("local", Pipeline(CLEAN_STAGES)) as pool:
        assert pool.workers == 2
    assert ray.is_initialized()  # the module's connection, not the pool's, stays open


# --- actors without the model: errors, results that cannot travel, a dead actor ---------


def _clean_then(func: Any) -> Pipeline:
    # Ray's actors cannot import the tests' modules: send the stages by value.
    ray.cloudpickle.register_pickle_by_value(faulty_stages)
    return clean_then(func)


def test_internal_errors_are_reported_the_same_on_ray(cluster: None, tmp_path: Path) -> None:
    reports = []
    for address in (None, "local"):
        with Store(tmp_path / f"{address}.db") as store:
            reports.append(ingest([str(CORPUS)], store, pipeline=_clean_then(explode),
                                  ray_address=address))
    local, remote = reports
    check_same_internal_errors(local, remote)


def test_a_result_that_cannot_be_sent_back_is_rejected_alone(cluster: None,
                                                              tmp_path: Path) -> None:
    with Store(tmp_path / "kb.db") as store:
        report = ingest([str(CORPUS)], store, pipeline=_clean_then(unpicklable),
                        ray_address="local")
    check_unsendable_rejected_alone(report)


def test_a_dead_actor_ends_the_run_and_keeps_what_was_stored(cluster: None,
                                                             tmp_path: Path) -> None:
    with Store(tmp_path / "kb.db") as store:
        with pytest.raises(RayWorkerLost) as raised:
            ingest([str(CORPUS)], store, pipeline=_clean_then(die), ray_address="local")
        assert isinstance(raised.value, BrokenExecutor)  # handled like a dead local worker
        assert "Ray actor" in str(raised.value)
        assert store.integrity_check() == "ok"
        assert store.runs()[-1]["status"] == "failed"


def test_without_ray_installed_the_error_says_what_to_install(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "ray", None)  # `import ray` now fails
    with Store(tmp_path / "kb.db") as store:
        with pytest.raises(RayUnavailable, match=r"install storyline\[ray\]"):
            ingest([str(CORPUS)], store, ray_address="local")
        assert store.runs() == []  # failed before the run was recorded


def test_workers_and_ray_exclude_each_other(tmp_path: Path) -> None:
    with Store(tmp_path / "kb.db") as store, pytest.raises(ValueError, match="exclude"):
        ingest([str(CORPUS)], store, workers=2, ray_address="local")
    result = run_cli("ingest", str(CORPUS), "--db", str(tmp_path / "cli.db"), "--ray",
                     "--workers", "2")
    assert result.returncode == 2
    assert "--workers" in result.stderr


# --- the command: a Ray started for the run, Ctrl-C ---------------------------------------


@pytest.mark.parametrize("where", ["started", "cluster"])
def test_cli_ray_matches_the_one_process_run(where: str, tmp_path: Path, bad_folder: Path,
                                             runs: dict[str, Run]) -> None:
    """`--ray` alone starts a Ray of its own; `--ray-address` joins the module's, as a
    driver joins a cluster started with `ray start`."""
    db = tmp_path / "kb.db"
    how = (["--ray"] if where == "started"
           else ["--ray-address", ray.get_runtime_context().gcs_address])
    env = {k: v for k, v in os.environ.items() if k != "RAY_ADDRESS"}
    result = subprocess.run([sys.executable, "-m", "storyline", "ingest", str(CORPUS),
                             str(bad_folder), "--db", str(db), *how], capture_output=True,
                            text=True, env={**env, "COLUMNS": "200"}, timeout=300)
    assert result.returncode == 1, result.stderr  # some items were rejected
    local = runs["local"]
    assert result.stdout.strip() == local.report.summary()
    assert result.stderr.splitlines() == [f"rejected: {r}" for r in local.report.rejections]
    with Store(db) as store:
        for table in TABLES:
            assert _rows(store, table) == _rows(local.store, table), table


@pytest.mark.slow
def test_ctrl_c_stops_ray_and_keeps_a_consistent_store(tmp_path: Path) -> None:
    feed, db = tmp_path / "feed.jsonl", tmp_path / "kb.db"
    _feed(feed)
    proc = subprocess.Popen([sys.executable, "-m", "storyline", "ingest", str(feed), "--db",
                             str(db), "--ray"], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            start_new_session=True, preexec_fn=as_in_a_terminal)
    deadline = time.monotonic() + 120
    while _count(db) < 20:
        if proc.poll() is not None or time.monotonic() > deadline:
            proc.kill()
            pytest.fail(f"ingest stored too little to be interrupted: {proc.communicate()}")
        time.sleep(0.05)
    helpers = _descendants(proc.pid)  # Ray's processes and its actors
    assert len(helpers) >= 3
    os.killpg(proc.pid, signal.SIGINT)  # as a terminal does: the whole process group
    stdout, _ = proc.communicate(timeout=60)
    assert proc.returncode == 130
    assert stdout.decode().startswith("interrupted: read ")
    deadline = time.monotonic() + 30
    while any(_running(p) for p in helpers) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not [p for p in helpers if _running(p)]
    with Store(db) as store:
        assert store.integrity_check() == "ok"
        assert 20 <= store.count_documents() < 300
        assert store.runs()[-1]["status"] == "interrupted"
        bare = store.conn.execute(
            "SELECT count(*) FROM documents d WHERE NOT EXISTS "
            "(SELECT 1 FROM mentions m WHERE m.document_id = d.id)").fetchone()[0]
        assert bare == 0  # every kept document is whole
