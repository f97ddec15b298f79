"""Cross-document event coreference on ECB+ with gold mentions: same-lemma vs Storyline.

    python benchmarks/ecbplus_event_coref.py --split dev
    python benchmarks/ecbplus_event_coref.py --split test --out results.txt
    python benchmarks/ecbplus_event_coref.py --fit     # refit the pair weights on train

Writes the Markdown table to --out (default
benchmarks/results/ecbplus-event-coref-<split>.txt) and the full report as JSON next to
it (same name, .json). Document clusters are the gold sub-topics unless
`--doc-clusters topic` (one cluster per topic). The corpus is read by path, never copied.
See `storyline.evaluate.ecbplus_events` for the task and the systems.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from storyline.evaluate.ecbplus import SPLITS, load
from storyline.evaluate.ecbplus_events import (
    DEFAULT_CORPUS,
    event_mentions,
    fit_pair_weights,
    format_report,
    gold_subtopics,
    gold_topics,
    parse,
    run,
)

RESULTS = Path(__file__).resolve().parent / "results"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--split", choices=("train", "dev", "test"), default="dev")
    parser.add_argument("--out", type=Path, help="text result file (.json written beside)")
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--doc-clusters", choices=("subtopic", "topic"), default="subtopic")
    parser.add_argument("--fit", action="store_true",
                        help="print pair weights fitted on the train topics and exit")
    args = parser.parse_args(argv)
    if not args.corpus.is_file() and not args.corpus.is_dir():
        parser.error(f"ECB+ corpus not found at {args.corpus}")

    if args.fit:
        docs = list(load(args.corpus, SPLITS["train"], annotated_only_sentences=True))
        tokens = parse(docs)
        mentions = [m for d in docs for m in event_mentions(d, tokens[d.name])]
        weights = fit_pair_weights(mentions, gold_subtopics(docs))
        print(json.dumps({k: round(v, 2) for k, v in weights.items()}, indent=2))
        return 0

    clusters = gold_topics if args.doc_clusters == "topic" else None
    report = run(args.split, clusters, corpus=args.corpus)
    report.extra["doc_clusters"] = args.doc_clusters
    table = format_report(report)
    suffix = "" if args.doc_clusters == "subtopic" else "-topic"
    out = args.out or RESULTS / f"ecbplus-event-coref-{args.split}{suffix}.txt"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(table, encoding="utf-8")
    out.with_suffix(".json").write_text(report.to_json() + "\n", encoding="utf-8")
    sys.stdout.write(table)
    print(f"load {report.extra['load_seconds']}s, parse {report.extra['parse_seconds']}s, "
          f"systems {report.extra['system_seconds']}; written to {out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
