"""Story clustering and cross-document event coreference on ECB+, end to end.

    python benchmarks/ecbplus_stories.py --split dev
    python benchmarks/ecbplus_stories.py --split test

(a) Document level: the split's documents are ingested in a shuffled order into a fresh
store; Storyline's stories are scored against the seminal events (pairwise, B-cubed),
beside TF-IDF average link with its threshold tuned on the same documents (an oracle).
The incremental clusterer's result depends on the order: `--orders N` (default 8) also
scores the next N - 1 shuffled orders of the same parsed documents and reports the mean
and range.
(b) Mention level: cross-document event coreference with gold mentions (CoNLL F1),
linking only inside Storyline's own stories (no gold topics), for the same-lemma
baseline and Storyline's linker. Results go to benchmarks/results/ecbplus-stories-<split>.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from storyline.evaluate import ecbplus_events, stories

RESULTS = Path(__file__).resolve().parent / "results"
CORPUS = Path(__file__).resolve().parents[1].parent / "shared/corpora/ecbplus/ecbplus.tgz"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--split", choices=("train", "dev", "test"), default="dev")
    parser.add_argument("--corpus", type=Path, default=CORPUS)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--orders", type=int, default=8,
                        help="also score this many shuffled orders (seed, seed + 1, ...), "
                             "parsed once; the tables are those of --seed")
    parser.add_argument("--runs", type=int, default=1,
                        help="each order comes in this many ingest runs, one after the "
                             "other (results files get a -runsN suffix)")
    args = parser.parse_args()
    clustering = stories.run(args.corpus, args.split, seed=args.seed, orders=args.orders,
                             runs=args.runs)
    mentions = ecbplus_events.run(args.split, clustering.predicted, corpus=args.corpus)
    text = (clustering.format() + "\n\nCross-document event coreference, gold mentions, "
            "linked inside Storyline's stories:\n\n" + ecbplus_events.format_report(mentions))
    print(text)
    RESULTS.mkdir(exist_ok=True)
    name = f"ecbplus-stories-{args.split}" + (f"-runs{args.runs}" if args.runs > 1 else "")
    (RESULTS / f"{name}.txt").write_text(text + "\n", encoding="utf-8")
    data = {"clustering": clustering.to_json(), "coreference": json.loads(mentions.to_json())}
    (RESULTS / f"{name}.json").write_text(
        json.dumps(data, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
