"""Under load: 50 concurrent readers while articles are POSTed to the real server.

A bounded run of `benchmarks/load_test.py` (the real `storyline serve` subprocess on a
free loopback port, a store built from the example corpus): no 5xx, every request
answered, no lost write, and a sound SQLite file afterwards.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = ROOT / "benchmarks" / "load_test.py"


def _load_script() -> ModuleType:
    spec = importlib.util.spec_from_file_location("storyline_load_test", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up by name
    spec.loader.exec_module(module)
    return module


load_test = _load_script()

CLIENTS, REQUESTS, WRITES = 50, 4, 3


@pytest.fixture(scope="module")
def results() -> dict[str, Any]:
    cfg = load_test.Config(clients=CLIENTS, requests=REQUESTS, writes=WRITES,
                           write_concurrency=WRITES, warmup=False, max_seconds=90,
                           request_timeout=60, startup_seconds=60)
    # run() stops the server in a finally clause, whatever happens
    outcome: dict[str, Any] = load_test.run(cfg, log=lambda line: None)
    print(load_test.report_text(outcome))
    return outcome


def test_invented_articles_are_distinct() -> None:
    articles = load_test.invent_articles(40, seed=3)
    assert len({a["id"] for a in articles}) == 40
    assert len({a["title"] for a in articles}) == 40
    assert load_test.max_similarity(articles) < 0.4  # near duplicates start near 0.6
    for article in articles:
        sentences = article["text"].count(". ") + 1
        assert 3 <= sentences <= 6, article["text"]
        assert set(article) >= {"id", "title", "outlet", "published", "text"}


def test_percentile() -> None:
    values = [float(x) for x in range(1, 101)]
    assert load_test.percentile(values, 50) == pytest.approx(50.5)
    assert load_test.percentile(values, 95) == pytest.approx(95.05)
    assert load_test.percentile([7.0], 99) == 7.0
    assert load_test.percentile([], 50) is None


@pytest.mark.slow
def test_no_5xx_and_every_request_answered(results: dict[str, Any]) -> None:
    assert not results["phase"]["timed_out"]
    assert results["errors"]["5xx"] == 0, results["errors"]["examples"]
    assert results["errors"]["no_response"] == 0, results["errors"]["examples"]
    assert results["errors"]["bad_body"] == 0, results["errors"]["examples"]
    assert results["requests"]["reads"] == CLIENTS * REQUESTS
    assert results["requests"]["writes"] == WRITES
    assert results["requests"]["answered"] == results["requests"]["issued"]
    assert results["requests"]["issued"] == CLIENTS * REQUESTS + WRITES
    # every read URL exists: anything but 200 is a failure of its own
    assert results["status_counts"].get("200") == CLIENTS * REQUESTS
    assert results["server"]["alive_after_load"]
    assert results["server"]["log_tracebacks"] == 0, results["server"]["log_errors"]


@pytest.mark.slow
def test_no_lost_writes(results: dict[str, Any]) -> None:
    v = results["verification"]
    assert v["unreadable"] == [] and v["unanswered"] == [] and v["missing_from_file"] == []
    assert v["not_stored"] == []  # each invented article is one new document
    assert v["stored"] == WRITES
    assert v["documents_after"] - v["documents_before"] == WRITES
    assert v["count_ok"] and v["api_count_ok"]
    assert v["integrity_check"] == ["ok"]
    assert results["lost_writes"] == 0
    assert results["ok"]


@pytest.mark.slow
def test_latencies_are_reported(results: dict[str, Any]) -> None:
    reads, writes = results["reads"], results["writes"]
    assert reads["count"] == CLIENTS * REQUESTS and writes["count"] == WRITES
    for stats in (reads, writes, results["reads_api"], results["reads_html"]):
        assert 0 < stats["p50_ms"] <= stats["p95_ms"] <= stats["max_ms"]
    assert results["reads_by_endpoint"]
    assert results["machine"]["cores"] >= 1
    assert "p95" in load_test.report_text(results)
