"""What the claims and events stages cost on top of the NLP pass they read.

    python benchmarks/events_cost.py [--corpus ../shared/corpora/polnear] [--limit 300]

Each PolNeAR article is cleaned, then run through the nlp stage (spaCy plus the
entity/role rules), time and entities; the claims and events stages are then timed on
the parses the nlp stage left. The target (issue 4) is at most a third of the nlp
stage's time. PolNeAR texts are read by path, never copied.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

from storyline.actors.local import group_mentions
from storyline.events import find_claims, find_events
from storyline.model import Document
from storyline.nlp import Recognizer
from storyline.pipeline import CLEAN_STAGES, Pipeline
from storyline.time.stage import normalize_times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", default="../shared/corpora/polnear")
    parser.add_argument("--limit", type=int, default=300)
    parser.add_argument("--output", help="Also write the figures to this JSON file.")
    args = parser.parse_args()
    paths = sorted(Path(args.corpus).glob("*/text/*.txt"))[:args.limit]
    clean = Pipeline(CLEAN_STAGES)
    docs = [clean(Document(source=p.name, name=p.name, format="txt",
                           raw=p.read_text(encoding="utf-8", errors="replace")))
            for p in paths]
    rec = Recognizer()
    assert rec.nlp is not None  # load the model outside the timed part
    t_nlp = t_claims = t_events = 0.0
    claims = events = words = 0
    for doc in docs:
        words += len(doc.text.split())
        t0 = time.perf_counter()
        doc = group_mentions(normalize_times(rec(doc)))
        t1 = time.perf_counter()
        find_claims(doc)
        t2 = time.perf_counter()
        find_events(doc)
        t3 = time.perf_counter()
        t_nlp, t_claims, t_events = t_nlp + t1 - t0, t_claims + t2 - t1, t_events + t3 - t2
        claims += len(doc.claims)
        events += len(doc.events)
        doc.analyses = []
    result = {"articles": len(docs), "words": words, "claims": claims, "events": events,
              "nlp_seconds": round(t_nlp, 2), "claims_seconds": round(t_claims, 2),
              "events_seconds": round(t_events, 2),
              "claims_and_events_share_of_nlp": round((t_claims + t_events) / t_nlp, 3)}
    print(json.dumps(result, indent=2))
    if args.output:
        Path(args.output).write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
