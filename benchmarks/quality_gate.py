"""Quality gate: re-measure the pinned evaluation numbers and compare them with their floors.

    python benchmarks/quality_gate.py                      # measure, print the table
    python benchmarks/quality_gate.py --only entities      # one evaluation (repeatable)
    python benchmarks/quality_gate.py --update             # raise floors to what is measured
    python benchmarks/quality_gate.py --allow-lower --reason "why"   # also lower floors

The floors live in `benchmarks/quality-baseline.json`, one entry per metric (name,
corpus, split, floor, the value measured when it was pinned, the command that reports
it). Every evaluation runs on its full test split from `../shared/corpora` (or
`$STORYLINE_CORPORA`), read by path: ECB+ topics 36-45 for entities, time, stories and
event coreference, PolNeAR's 84 test articles for attribution; and the invented Meridian and
Kestrel collections in this repository (`benchmarks/collections`) for stories on dated
multi-outlet news. They are deterministic
(same numbers in two runs, whatever the hash seed), so a floor is the measured value
itself: the tolerance of every metric is 0. Numbers are percentages rounded to two
decimals, and a metric passes when its rounded value is at least its floor.

Raising a floor is a normal commit (`--update`). Lowering one is refused unless
`--allow-lower --reason "..."` is given; each lowered floor (or a metric dropped from
the gate) is recorded in the baseline's `lowered` list as {metric, old, new, reason,
date}, and `tests/test_quality_gate.py` fails when a floor is below the previous
committed one without such an entry. Exit status: 0 when every metric is at or above
its floor (or the baseline was written), 1 otherwise, 2 for a usage error.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import sys
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
BASELINE = ROOT / "benchmarks" / "quality-baseline.json"
#: The shared corpora folder: `$STORYLINE_CORPORA`, else `../shared/corpora`.
CORPORA = Path(os.environ.get("STORYLINE_CORPORA") or ROOT.parent / "shared" / "corpora")

ECB_TEST = "test (topics 36-45, 210 documents)"
POLNEAR_TEST = "test (84 articles)"
ECB_ARCHIVE = "../shared/corpora/ecbplus/ecbplus.tgz"
ENTITY_CATEGORIES = ("person", "organization", "place", "time", "micro")
ATTRIBUTION_LABELS = ("source", "cue", "content")
ATTRIBUTION_LEVELS = ("token", "exact", "overlap")
#: Top-level keys of the baseline file, in the order they are written.
BASELINE_KEYS = ("about", "units", "tolerance", "subset", "metrics", "lowered")
METRIC_KEYS = ("name", "group", "corpus", "split", "floor", "value", "tolerance", "command",
               "reads")
LOWERED_KEYS = ("metric", "old", "new", "reason", "date")


@dataclass(frozen=True)
class Metric:
    """One pinned number: which evaluation (`group`) measures it and how to reproduce it."""

    name: str
    group: str
    corpus: str
    split: str
    command: str
    reads: str


#: The invented collections gated (benchmarks/collections) and their article counts.
COLLECTIONS: tuple[tuple[str, int], ...] = (
    ("meridian", 60), ("kestrel", 74), ("lodestar", 66), ("saltmarsh", 68), ("tamarisk", 66),
    ("birchwood", 65), ("harmattan", 66), ("baobab", 66), ("lantern", 66), ("fjordline", 65),
    ("qanat", 66), ("mangrove", 66), ("prairie", 66), ("monsoon", 66),
    ("tussock", 64), ("karst", 66), ("thames", 66), ("acacia", 66), ("andes", 66),
    ("steppe", 66), ("danube", 66), ("mekong", 66), ("atlas", 66), ("meseta", 64),
    ("amber", 66), ("euphrates", 66), ("sunda", 66), ("cacheu", 66), ("aurora", 66),
    ("lagoon", 66), ("igapo", 66), ("kaveri", 66), ("rhine", 66), ("kivu", 66))


def _definitions() -> tuple[Metric, ...]:
    entities = tuple(
        Metric(f"ecbplus.entities.{category}.f1", "entities", "ECB+", ECB_TEST,
               f"storyline evaluate entities {ECB_ARCHIVE} --split test --json",
               f"rows[category={category}, gold_set=named, match=overlap].f1")
        for category in ENTITY_CATEGORIES)
    attribution = tuple(
        Metric(f"polnear.attribution.{label}.{level}.f1", "attribution", "PolNeAR",
               POLNEAR_TEST,
               "storyline evaluate attribution --corpus ../shared/corpora/polnear "
               "--split test --json",
               f"scores[label={label}, level={level}].f1")
        for label in ATTRIBUTION_LABELS for level in ATTRIBUTION_LEVELS)
    stories = (
        *(Metric(f"ecbplus.stories.{kind}.f1", "stories", "ECB+", f"{ECB_TEST}, seed 0",
                 "python benchmarks/ecbplus_stories.py --split test",
                 f"clustering.storyline.{kind}.f1")
          for kind in ("bcubed", "pairwise")),
        Metric("ecbplus.stories.bcubed.f1.mean_of_8_orders", "stories", "ECB+",
               f"{ECB_TEST}, seeds 0-7", "python benchmarks/ecbplus_stories.py --split test",
               "clustering.orders.mean_bcubed_f1"),
    )
    coref = (
        Metric("ecbplus.event_coref.in_stories.conll_f1", "stories", "ECB+",
               f"{ECB_TEST}, seed 0",
               "python benchmarks/ecbplus_stories.py --split test",
               "coreference.scores.storyline_linker.f1 (linked inside Storyline's stories)"),
        Metric("ecbplus.event_coref.gold_subtopics.conll_f1", "coref", "ECB+", ECB_TEST,
               "python benchmarks/ecbplus_event_coref.py --split test",
               "scores.storyline_linker.f1 (linked inside gold sub-topics)"),
    )
    collection = (
        *(Metric(f"{name}.stories.bcubed.f1.mean_of_8_orders", "collection",
                 f"{name.title()} (invented, benchmarks/collections/{name})",
                 f"all {n} articles, seeds 0-7",
                 f"storyline evaluate collection benchmarks/collections/{name}/articles "
                 f"benchmarks/collections/{name}/gold.tsv --orders 8 --json",
                 "storyline.mean_bcubed_f1")
          for name, n in COLLECTIONS),
        *(Metric(f"{name}.stories.bcubed.f1.mean_of_8_orders.in_4_runs", "collection",
                 f"{name.title()} (invented, benchmarks/collections/{name})",
                 f"all {n} articles, seeds 0-7, each order in 4 ingest runs one after the "
                 "other",
                 f"storyline evaluate collection benchmarks/collections/{name}/articles "
                 f"benchmarks/collections/{name}/gold.tsv --orders 8 --runs 4 --json",
                 "storyline.mean_bcubed_f1")
          for name, n in COLLECTIONS),
    )
    return entities + attribution + stories + coref + collection


#: Every gated metric, in the order of the table and of the baseline file.
METRICS: tuple[Metric, ...] = _definitions()
GROUPS: tuple[str, ...] = tuple(dict.fromkeys(m.group for m in METRICS))


def percent(fraction: float) -> float:
    """A score in [0, 1] as the gate's unit: a percentage rounded to two decimals."""
    return round(100 * fraction, 2)


def _measure_entities(corpora: Path) -> dict[str, float]:
    from storyline.evaluate.system import run

    report = run(corpora / "ecbplus" / "ecbplus.tgz", "test", "storyline")
    return {f"ecbplus.entities.{c}.f1": percent(report.row(c, "named", "overlap").f1)
            for c in ENTITY_CATEGORIES}


def _measure_attribution(corpora: Path) -> dict[str, float]:
    from storyline.evaluate.polnear import run, storyline_extractor

    report = run(corpora / "polnear", "test", storyline_extractor())
    return {f"polnear.attribution.{s.label}.{s.level}.f1": percent(s.f1)
            for s in report.scores}


def _measure_stories(corpora: Path) -> dict[str, float]:
    from storyline.evaluate import ecbplus_events, stories

    archive = corpora / "ecbplus" / "ecbplus.tgz"
    clustering = stories.run(archive, "test", seed=0, orders=8)
    coref = ecbplus_events.run("test", clustering.predicted, corpus=archive)
    return {"ecbplus.stories.bcubed.f1": percent(clustering.bcubed.f1),
            "ecbplus.stories.pairwise.f1": percent(clustering.pairwise.f1),
            "ecbplus.stories.bcubed.f1.mean_of_8_orders":
                percent(clustering.extra["orders"]["mean_bcubed_f1"]),
            "ecbplus.event_coref.in_stories.conll_f1":
                percent(coref.scores["storyline_linker"].f1)}


def _measure_coref(corpora: Path) -> dict[str, float]:
    from storyline.evaluate import ecbplus_events

    report = ecbplus_events.run("test", None, corpus=corpora / "ecbplus" / "ecbplus.tgz")
    return {"ecbplus.event_coref.gold_subtopics.conll_f1":
            percent(report.scores["storyline_linker"].f1)}


def _measure_collection(corpora: Path) -> dict[str, float]:
    from storyline.evaluate.collection import run

    values = {}
    for name, _ in COLLECTIONS:
        folder = ROOT / "benchmarks" / "collections" / name
        report = run(folder / "articles", folder / "gold.tsv", orders=8)
        values[f"{name}.stories.bcubed.f1.mean_of_8_orders"] = percent(report.mean("bcubed_f1"))
        report = run(folder / "articles", folder / "gold.tsv", orders=8, runs=4)
        values[f"{name}.stories.bcubed.f1.mean_of_8_orders.in_4_runs"] = percent(
            report.mean("bcubed_f1"))
    return values


MEASURES: Mapping[str, Callable[[Path], dict[str, float]]] = {
    "entities": _measure_entities,
    "attribution": _measure_attribution,
    "stories": _measure_stories,
    "coref": _measure_coref,
    "collection": _measure_collection,
}


def measure_group(group: str, corpora: Path = CORPORA) -> tuple[dict[str, float], float]:
    """The metrics of one evaluation and the seconds it took."""
    started = time.perf_counter()
    values = MEASURES[group](corpora)
    return values, time.perf_counter() - started


def measure(groups: Iterable[str] = GROUPS, corpora: Path = CORPORA,
            log: Callable[[str], None] | None = None) -> dict[str, float]:
    """Run the evaluations of `groups` and return metric name -> measured value."""
    values: dict[str, float] = {}
    for group in groups:
        got, seconds = measure_group(group, corpora)
        values.update(got)
        if log is not None:
            log(f"{group}: {seconds:.1f} s")
    return values


# ---------------------------------------------------------------------------
# The baseline file
# ---------------------------------------------------------------------------

def read_baseline(path: Path = BASELINE) -> dict[str, Any]:
    """The baseline file's content."""
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return data


def write_baseline(baseline: Mapping[str, Any], path: Path = BASELINE) -> None:
    path.write_text(json.dumps(baseline, indent=2, ensure_ascii=False) + "\n",
                    encoding="utf-8")


def empty_baseline() -> dict[str, Any]:
    """A baseline without metrics, with the notes every baseline file carries."""
    return {
        "about": "Quality floors checked by tests/test_quality_gate.py; "
                 "`python benchmarks/quality_gate.py` measures and compares, --update "
                 "raises floors, --allow-lower --reason lowers them (recorded in `lowered`).",
        "units": "F1 in percent, rounded to 2 decimals; a metric passes when its rounded "
                 "measured value is >= its floor.",
        "tolerance": "0 for every metric: the evaluations are deterministic (identical "
                     "numbers in repeated runs with different hash seeds), so floor = value.",
        "subset": "none: every evaluation runs on its full test split (about 90 s in all "
                  "on a 2-core machine), the splits the README reports.",
        "metrics": [],
        "lowered": [],
    }


def _entry(metric: Metric, value: float, floor: float, tolerance: float) -> dict[str, Any]:
    return {"name": metric.name, "group": metric.group, "corpus": metric.corpus,
            "split": metric.split, "floor": floor, "value": value, "tolerance": tolerance,
            "command": metric.command, "reads": metric.reads}


def validate(baseline: Mapping[str, Any]) -> list[str]:
    """What is wrong with a baseline file's structure (empty when it is well formed)."""
    problems = []
    if list(baseline) != list(BASELINE_KEYS):
        problems.append(f"top-level keys {list(baseline)}, expected {list(BASELINE_KEYS)}")
    entries = baseline.get("metrics", [])
    names = [e.get("name") for e in entries]
    if names != [m.name for m in METRICS]:
        problems.append(f"metrics {names} are not the gate's {[m.name for m in METRICS]}")
    definitions = {m.name: m for m in METRICS}
    for entry in entries:
        if list(entry) != list(METRIC_KEYS):
            problems.append(f"{entry.get('name')}: keys {list(entry)}, expected "
                            f"{list(METRIC_KEYS)}")
            continue
        not_numbers = [key for key in ("floor", "value", "tolerance")
                       if not isinstance(entry[key], int | float) or isinstance(entry[key], bool)]
        if not_numbers:
            problems.append(f"{entry['name']}: {', '.join(not_numbers)} not a number")
            continue
        if not 0 <= entry["tolerance"] <= entry["value"] <= 100:
            problems.append(f"{entry['name']}: expected 0 <= tolerance <= value <= 100")
        if not round(entry["value"] - entry["tolerance"], 2) <= entry["floor"] <= entry["value"]:
            problems.append(f"{entry['name']}: expected value - tolerance <= floor <= value "
                            "(floors are set by benchmarks/quality_gate.py)")
        metric = definitions.get(entry["name"])
        if metric is not None:
            for key in ("group", "corpus", "split", "command", "reads"):
                if entry[key] != getattr(metric, key):
                    problems.append(f"{entry['name']}: {key} {entry[key]!r} differs from "
                                    f"the gate's {getattr(metric, key)!r}")
    for item in baseline.get("lowered", []):
        if list(item) != list(LOWERED_KEYS):
            problems.append(f"lowered entry {item}: keys expected {list(LOWERED_KEYS)}")
        elif not str(item["reason"]).strip():
            problems.append(f"lowered entry for {item['metric']} has no reason")
        else:
            try:
                datetime.date.fromisoformat(item["date"])
            except (TypeError, ValueError):
                problems.append(f"lowered entry for {item['metric']}: date {item['date']!r}")
    return problems


def unexplained_lowerings(previous: Mapping[str, Any], current: Mapping[str, Any]) -> list[str]:
    """Floors of `current` below those of `previous` (or metrics dropped) that have no
    `lowered` entry {metric, old, new, reason} in `current`; and `lowered` entries of
    `previous` that `current` no longer keeps."""
    problems = []
    now = {e["name"]: e["floor"] for e in current.get("metrics", [])}
    for entry in previous.get("metrics", []):
        name, old = entry["name"], entry["floor"]
        new = now.get(name)
        if new is not None and new >= old:
            continue
        if not any(item.get("metric") == name and item.get("old") == old
                   and item.get("new") == new and str(item.get("reason", "")).strip()
                   for item in current.get("lowered", [])):
            what = "dropped" if new is None else f"lowered {old} -> {new}"
            problems.append(f"{name}: floor {what} without a `lowered` entry giving a reason")
    kept = current.get("lowered", [])
    for item in previous.get("lowered", []):
        if item not in kept:
            problems.append(f"lowered entry {item} was removed (the list is append-only)")
    return problems


@dataclass(frozen=True)
class Row:
    """One line of the gate's table."""

    name: str
    floor: float | None
    measured: float | None

    @property
    def status(self) -> str:
        if self.measured is None:
            return "NOT MEASURED"
        if self.floor is None:
            return "new"
        if self.measured < self.floor:
            return "BELOW FLOOR"
        if self.measured > self.floor:
            return f"ok (+{self.measured - self.floor:.2f})"
        return "ok"

    @property
    def passed(self) -> bool:
        return self.floor is not None and self.measured is not None and (
            self.measured >= self.floor)


def compare(baseline: Mapping[str, Any], measured: Mapping[str, float]) -> list[Row]:
    """One row per metric of the baseline, then per measured metric it does not pin."""
    floors = {e["name"]: e["floor"] for e in baseline.get("metrics", [])}
    rows = [Row(name, floor, measured.get(name)) for name, floor in floors.items()]
    rows += [Row(name, None, value) for name, value in measured.items() if name not in floors]
    return rows


def format_table(rows: Iterable[Row]) -> str:
    lines = [("metric", "floor", "measured", "status")]
    for row in rows:
        lines.append((row.name, "-" if row.floor is None else f"{row.floor:.2f}",
                      "-" if row.measured is None else f"{row.measured:.2f}", row.status))
    widths = [max(len(line[i]) for line in lines) for i in range(4)]
    return "\n".join(
        "  ".join(cell.ljust(w) if i in (0, 3) else cell.rjust(w)
                  for i, (cell, w) in enumerate(zip(line, widths, strict=True))).rstrip()
        for line in lines)


def updated(baseline: Mapping[str, Any], measured: Mapping[str, float], *,
            allow_lower: bool = False, reason: str = "",
            today: datetime.date | None = None) -> tuple[dict[str, Any], list[str]]:
    """The baseline with floors raised to `measured` (and lowered, when `allow_lower`),
    and the list of lowerings refused. Metrics not in `measured` keep their floors;
    metrics the gate no longer defines are dropped only when `allow_lower`."""
    if allow_lower and not reason.strip():
        raise ValueError("lowering a floor needs a reason (--reason)")
    date = (today or datetime.date.today()).isoformat()
    new = {**empty_baseline(), **{k: baseline[k] for k in ("about", "units", "tolerance",
                                                             "subset") if k in baseline}}
    lowered = [dict(item) for item in baseline.get("lowered", [])]
    old = {e["name"]: e for e in baseline.get("metrics", [])}
    refused: list[str] = []
    entries = []
    for metric in METRICS:
        entry = old.get(metric.name)
        value = measured.get(metric.name)
        tolerance = entry["tolerance"] if entry else 0.0
        if value is None:
            if entry is not None:
                entries.append(_entry(metric, entry["value"], entry["floor"], tolerance))
            continue
        candidate = round(value - tolerance, 2)
        if entry is None or candidate >= entry["floor"]:
            entries.append(_entry(metric, value, candidate, tolerance))
        elif value >= entry["floor"]:  # within the tolerance: keep the floor
            entries.append(_entry(metric, value, entry["floor"], tolerance))
        elif allow_lower:
            entries.append(_entry(metric, value, candidate, tolerance))
            lowered.append({"metric": metric.name, "old": entry["floor"], "new": candidate,
                            "reason": reason.strip(), "date": date})
        else:
            entries.append(_entry(metric, entry["value"], entry["floor"], tolerance))
            refused.append(f"{metric.name}: {value:.2f} is below its floor "
                           f"{entry['floor']:.2f}")
    defined = {m.name for m in METRICS}
    for name, entry in old.items():
        if name in defined:
            continue
        if allow_lower:
            lowered.append({"metric": name, "old": entry["floor"], "new": None,
                            "reason": reason.strip(), "date": date})
        else:
            refused.append(f"{name}: no longer measured by the gate; dropping it lowers it")
    new["metrics"] = entries
    new["lowered"] = lowered
    return new, refused


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description="Measure the pinned quality metrics and compare them with their floors.")
    parser.add_argument("--only", action="append", choices=GROUPS, metavar="GROUP",
                        help=f"measure only this evaluation ({', '.join(GROUPS)}); repeatable")
    parser.add_argument("--update", action="store_true",
                        help="raise floors to the measured values (never lowers one)")
    parser.add_argument("--allow-lower", action="store_true",
                        help="with --reason: also lower floors to the measured values, "
                             "recorded in the baseline's `lowered` list")
    parser.add_argument("--reason", default="", help="why floors are lowered (required "
                        "with --allow-lower)")
    parser.add_argument("--baseline", type=Path, default=BASELINE)
    parser.add_argument("--corpora", type=Path, default=CORPORA,
                        help="the shared corpora folder (holding ecbplus/ and polnear/)")
    args = parser.parse_args(argv)
    if args.allow_lower and not args.reason.strip():
        parser.error("--allow-lower needs --reason \"...\"")
    if args.reason and not args.allow_lower:
        parser.error("--reason is only used with --allow-lower")
    for folder in ("ecbplus", "polnear"):
        if not (args.corpora / folder).is_dir():
            parser.error(f"corpus folder not found: {args.corpora / folder}")

    baseline = read_baseline(args.baseline) if args.baseline.is_file() else empty_baseline()
    groups = args.only or GROUPS
    measured = measure(groups, args.corpora, log=lambda line: print(line, file=sys.stderr))
    pinned = {e["name"] for e in baseline["metrics"] if e["group"] in groups}
    rows = [row for row in compare(baseline, measured)
            if row.name in pinned or row.name in measured]
    print(format_table(rows))
    if not (args.update or args.allow_lower):
        return 0 if all(row.passed for row in rows) else 1
    new, refused = updated(baseline, measured, allow_lower=args.allow_lower,
                           reason=args.reason)
    for line in refused:
        print(f"refused: {line} (lowering needs --allow-lower --reason)", file=sys.stderr)
    for item in new["lowered"][len(baseline.get("lowered", [])):]:
        print(f"lowered: {item['metric']} {item['old']} -> {item['new']} ({item['reason']})",
              file=sys.stderr)
    if new != baseline:
        write_baseline(new, args.baseline)
        print(f"written: {args.baseline}", file=sys.stderr)
    return 1 if refused else 0


if __name__ == "__main__":
    raise SystemExit(main())
