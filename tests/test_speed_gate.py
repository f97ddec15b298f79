"""Speed gate: Storyline end to end keeps its pace against the bare spaCy pass.

Runs `benchmarks/speed_gate.py`'s benchmark (60 real PolNeAR articles, both sides in this
process, 3 alternating rounds, best of each; about a minute on 2 cores) and fails when
Storyline's words/s over bare spaCy's falls below `ratio_floor` in
benchmarks/speed-baseline.json.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = ROOT / "benchmarks" / "speed_gate.py"


def _load_script() -> ModuleType:
    spec = importlib.util.spec_from_file_location("storyline_speed_gate", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up by name
    spec.loader.exec_module(module)
    return module


gate = _load_script()
BASELINE = gate.read_baseline()
needs_corpora = pytest.mark.skipif(
    not (gate.CORPORA / "polnear").is_dir(),
    reason=f"shared corpora folder not found at {gate.CORPORA} (set STORYLINE_CORPORA)")


def test_baseline_describes_the_benchmark_it_pins() -> None:
    bench = BASELINE["benchmark"]
    assert (bench["articles"], bench["rounds"]) == (gate.ARTICLES, gate.ROUNDS)
    measured, margin = BASELINE["measured"]["ratio"], BASELINE["margin"]
    assert 0 < BASELINE["ratio_floor"] <= round(measured - margin, 2)
    assert BASELINE["note"].strip()


@needs_corpora
def test_storyline_keeps_its_speed_against_bare_spacy() -> None:
    result = gate.measure(gate.CORPORA, gate.ARTICLES, gate.ROUNDS)
    assert result.stored == gate.ARTICLES
    floor = BASELINE["ratio_floor"]
    assert result.ratio >= floor, (
        f"Storyline runs at {result.ratio:.3f} of bare spaCy's words/s, below the floor "
        f"{floor:.2f} (pinned ratio {BASELINE['measured']['ratio']}): {result.to_dict()}. "
        "Profile before lowering the floor (see README, Speed).")


@needs_corpora
def test_articles_are_spread_over_the_split() -> None:
    chosen = gate.select_articles(gate.CORPORA, gate.ARTICLES)
    assert len({a.name for a in chosen}) == gate.ARTICLES
    assert sum(len(a.text.split()) for a in chosen) == 43_786
    with pytest.raises(ValueError, match="PolNeAR test articles"):
        gate.select_articles(gate.CORPORA, 85)
