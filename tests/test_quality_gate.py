"""Quality gate: the evaluation numbers pinned in benchmarks/quality-baseline.json hold.

The evaluations (ECB+ entities and time, PolNeAR attribution, ECB+ stories and event
coreference, all on their test splits, and stories on the invented Meridian and Kestrel collections)
are re-run through `benchmarks/quality_gate.py`, about 100 s on 2 cores; each metric
below its floor is one failure. The file's history is checked too: a floor may only go down with a
`lowered` entry giving the reason (`quality_gate.py --allow-lower --reason ...`).
"""

from __future__ import annotations

import copy
import datetime
import importlib.util
import itertools
import json
import shutil
import subprocess
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = ROOT / "benchmarks" / "quality_gate.py"
BASELINE_PATH = "benchmarks/quality-baseline.json"


def _load_script() -> ModuleType:
    spec = importlib.util.spec_from_file_location("storyline_quality_gate", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up by name
    spec.loader.exec_module(module)
    return module


gate = _load_script()
BASELINE: dict[str, Any] = gate.read_baseline()
CORPORA_PRESENT = all((gate.CORPORA / name).is_dir() for name in ("ecbplus", "polnear"))
needs_corpora = pytest.mark.skipif(
    not CORPORA_PRESENT,
    reason=f"shared corpora folder not found at {gate.CORPORA} (set STORYLINE_CORPORA)")


@pytest.fixture(scope="module")
def measured() -> dict[str, float]:
    values: dict[str, float] = gate.measure(gate.GROUPS, gate.CORPORA)
    return values


@needs_corpora
@pytest.mark.parametrize("entry", BASELINE["metrics"], ids=lambda entry: entry["name"])
def test_metric_is_at_or_above_its_floor(measured: dict[str, float],
                                         entry: dict[str, Any]) -> None:
    value = measured[entry["name"]]
    assert value >= entry["floor"], (
        f"{entry['name']} dropped to {value:.2f}, below its floor {entry['floor']:.2f} "
        f"(pinned value {entry['value']:.2f}; reproduce with `{entry['command']}`, "
        f"field {entry['reads']}). If the drop is intended: python benchmarks/"
        "quality_gate.py --allow-lower --reason \"...\"")


@needs_corpora
def test_every_measured_metric_is_pinned(measured: dict[str, float]) -> None:
    assert sorted(measured) == sorted(e["name"] for e in BASELINE["metrics"])


def test_committed_baseline_is_well_formed() -> None:
    assert gate.validate(BASELINE) == []
    assert all(e["tolerance"] == 0 for e in BASELINE["metrics"]), (
        "a non-zero tolerance needs a nondeterministic evaluation; document it in the file")


def _committed_versions() -> list[dict[str, Any]]:
    """The baseline file as committed, newest first (HEAD's version first)."""
    if shutil.which("git") is None:
        return []

    def git(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True,
                              timeout=60, check=False)

    log = git("log", "-n", "50", "--format=%H", "--", BASELINE_PATH)
    if log.returncode != 0:
        return []
    versions = []
    for commit in log.stdout.split():
        shown = git("show", f"{commit}:{BASELINE_PATH}")
        if shown.returncode == 0:
            versions.append(json.loads(shown.stdout))
    return versions


def test_floors_only_go_down_with_a_reason() -> None:
    """The working copy against HEAD's version, and each committed version against the one
    before it: every lower floor has a `lowered` entry with a reason."""
    committed = _committed_versions()
    if not committed:
        pytest.skip("no committed version of the baseline file (or no git) to compare with")
    versions = [BASELINE, *committed]
    for newer, older in itertools.pairwise(versions):
        assert gate.unexplained_lowerings(older, newer) == []


# The bookkeeping of floors, on baselines built by hand.

def _baseline(**floors: float) -> dict[str, Any]:
    names = {m.name: m for m in gate.METRICS}
    baseline: dict[str, Any] = gate.empty_baseline()
    baseline["metrics"] = [gate._entry(names[name.replace("__", ".")], value, value, 0.0)
                           for name, value in floors.items()]
    return baseline


PERSON = "ecbplus.entities.person.f1"
TIME = "ecbplus.entities.time.f1"
TODAY = datetime.date(2025, 9, 1)


def test_update_raises_floors_and_refuses_to_lower_them() -> None:
    old = _baseline(ecbplus__entities__person__f1=78.86, ecbplus__entities__time__f1=85.29)
    new, refused = gate.updated(old, {PERSON: 79.5, TIME: 85.0}, today=TODAY)
    floors = {e["name"]: e["floor"] for e in new["metrics"]}
    assert floors == {PERSON: 79.5, TIME: 85.29}
    assert refused == [f"{TIME}: 85.00 is below its floor 85.29"]
    assert new["lowered"] == []
    assert gate.unexplained_lowerings(old, new) == []


def test_allow_lower_records_the_reason() -> None:
    old = _baseline(ecbplus__entities__time__f1=85.29)
    new, refused = gate.updated(old, {TIME: 84.1}, allow_lower=True,
                                reason="  durations no longer count as times ", today=TODAY)
    assert refused == []
    assert new["metrics"][0]["floor"] == 84.1
    assert new["lowered"] == [{"metric": TIME, "old": 85.29, "new": 84.1,
                               "reason": "durations no longer count as times",
                               "date": "2025-09-01"}]
    assert gate.unexplained_lowerings(old, new) == []
    with pytest.raises(ValueError, match="reason"):
        gate.updated(old, {TIME: 84.1}, allow_lower=True, reason=" ")


def test_lowering_without_an_entry_is_reported() -> None:
    old = _baseline(ecbplus__entities__person__f1=78.86, ecbplus__entities__time__f1=85.29)
    edited = copy.deepcopy(old)
    edited["metrics"][1]["floor"] = 80.0
    assert gate.unexplained_lowerings(old, edited) == [
        f"{TIME}: floor lowered 85.29 -> 80.0 without a `lowered` entry giving a reason"]
    edited["lowered"].append({"metric": TIME, "old": 85.29, "new": 80.0, "reason": "",
                              "date": "2025-09-01"})
    assert len(gate.unexplained_lowerings(old, edited)) == 1  # an empty reason is none
    edited["lowered"][0]["reason"] = "new gold rule"
    assert gate.unexplained_lowerings(old, edited) == []
    dropped = copy.deepcopy(old)
    del dropped["metrics"][0]
    assert gate.unexplained_lowerings(old, dropped) == [
        f"{PERSON}: floor dropped without a `lowered` entry giving a reason"]
    forgotten = copy.deepcopy(old)
    assert gate.unexplained_lowerings(edited, forgotten)[-1].endswith(
        "was removed (the list is append-only)")


def test_validate_reports_malformed_baselines() -> None:
    good = _baseline(**{m.name.replace(".", "__"): 50.0 for m in gate.METRICS})
    assert gate.validate(good) == []
    bad = copy.deepcopy(good)
    bad["metrics"][0]["floor"] = 60.0  # above its value
    bad["metrics"][1]["floor"] = "high"
    del bad["metrics"][2]["command"]
    bad["lowered"].append({"metric": PERSON, "old": 1, "new": 0, "reason": " ",
                           "date": "2025-09-01"})
    problems = gate.validate(bad)
    assert [p.split(":")[0] for p in problems] == [
        PERSON, gate.METRICS[1].name, gate.METRICS[2].name,
        f"lowered entry for {PERSON} has no reason"]


def test_table_marks_metrics_below_their_floor() -> None:
    rows = gate.compare(_baseline(ecbplus__entities__person__f1=78.86,
                                  ecbplus__entities__time__f1=85.29),
                        {PERSON: 79.0, TIME: 85.0})
    assert [(r.status, r.passed) for r in rows] == [("ok (+0.14)", True),
                                                     ("BELOW FLOOR", False)]
    assert gate.format_table(rows).splitlines()[2].split() == [TIME, "85.29", "85.00",
                                                                "BELOW", "FLOOR"]


def test_lowering_needs_a_reason_on_the_command_line(capsys: pytest.CaptureFixture[str]
                                                     ) -> None:
    with pytest.raises(SystemExit) as exit_info:
        gate.main(["--allow-lower"])
    assert exit_info.value.code == 2
    assert "--allow-lower needs --reason" in capsys.readouterr().err
