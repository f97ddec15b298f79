"""Fit the coefficients of the story score on ECB+ and print them for data/stories.yaml.

    python benchmarks/fit_story_score.py              # train and dev topics
    python benchmarks/fit_story_score.py --splits train

The documents of the splits are parsed once and stored in 4 shuffled orders; each is
placed in the story of its true event, and every candidate story the real blocking finds
for it on the way is an example (its own story a positive one, the others negatives) of
the features `storyline.stories.cluster.features` computes. A logistic regression over
those examples gives the `clustering.score` block, which is printed as YAML; the test
topics are never read.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from storyline.evaluate.stories import fit_story_score

CORPUS = Path(__file__).resolve().parents[1].parent / "shared/corpora/ecbplus/ecbplus.tgz"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--splits", nargs="+", choices=("train", "dev"),
                        default=["train", "dev"])
    parser.add_argument("--corpus", type=Path, default=CORPUS)
    parser.add_argument("--orders", type=int, default=4)
    args = parser.parse_args()
    fit = fit_story_score(args.corpus, args.splits, range(args.orders))
    print(f"# fitted on ECB+ {' + '.join(args.splits)} topics, {args.orders} orders: "
          f"{fit.instances} candidate stories, {fit.positives} of them the document's own")
    print(fit.to_yaml())


if __name__ == "__main__":
    main()
