"""Across documents: stories, canonical events, corroboration, conflicts, summaries.

`StoryBuilder` is the cross-document stage the store runs for each new document (inside
the document's savepoint): it keeps the document's signature, places it in a story
(`cluster`), merges its events with the other reports of the story (`merge`). `rebuild`
does the same for every stored document from scratch, after a change of the rules.
The read side (`corroborate`, `summary`, `story`) works on the store.
"""

from __future__ import annotations

from storyline.model import Document
from storyline.store import Store
from storyline.stories.cluster import Assignment, StoryClusterer
from storyline.stories.merge import EventMerger, ReportCache
from storyline.stories.rules import StoryRules, story_rules

__all__ = ["Assignment", "StoryBuilder"]


class StoryBuilder:
    """Places documents in stories and merges their events, incrementally.

    With `defer`, a document is only signed when it is stored, and `place_waiting`
    places the run's documents (and any an interrupted run left unplaced) in date
    order, undated ones last: a batch is clustered as if its reports had arrived as
    they were published, so an undated report does not start a story its dated reports
    then split around. Without it (one document at a time), each is placed when stored.
    """

    def __init__(self, store: Store, rules: StoryRules | None = None, *,
                 defer: bool = False) -> None:
        self.store = store
        self.rules = rules or story_rules()
        self.clusterer = StoryClusterer(store.stories, self.rules)
        self.merger = EventMerger(store.events, self.rules)
        self.defer = defer
        self.placed: list[str] = []  # documents signed since the last `finish`

    def __call__(self, doc: Document) -> Assignment | None:
        date = doc.published.isoformat() if doc.published else None
        self.store.stories.save_signature(doc.id, doc.terms, date)
        self.placed.append(doc.id)
        if self.defer:
            self.store.stories.wait(doc.id, date)
            return None
        return self.place(doc.id, doc.terms, date)

    def place(self, doc_id: str, terms: dict[str, int], date: str | None) -> Assignment:
        entities = self.store.stories.entity_counts(doc_id, self.rules.entity_kinds)
        reports = ReportCache()  # what affinity reads, linking reuses
        assignment = self.clusterer.assign(
            doc_id, terms, entities, date,
            affinity=lambda story: self.merger.affinity(doc_id, story, reports))
        self.merger.link(doc_id, assignment.story, reports)
        return assignment

    def place_waiting(self) -> int:
        """Place the documents not yet in a story (the run's, with `defer`, and any a run
        cut off before its end left): dated ones by date, then the rest, each group in
        the order stored. Returns how many."""
        table = self.store.stories
        waiting = table.unplaced()
        for doc_id, date in waiting:
            signed = table.signature(doc_id)
            if signed is not None:
                self.place(doc_id, signed[0], date)
        return len(waiting)

    def finish(self) -> None:
        """End of a run, after the actors' last relinks: the digests they cleared among
        the events of the run's documents are computed again."""
        self.merger.refresh_digests(self.placed)
        self.placed = []

    def rebuild(self) -> int:
        """Cluster every stored document again (dated ones in date order, then the
        rest) and merge events again; returns the number of stories."""
        table = self.store.stories
        with self.store.transaction():
            table.clear()
            for doc_id, date in table.documents_for_rebuild():
                signed = table.signature(doc_id)
                if signed is not None:
                    self.place(doc_id, signed[0], date)
        return table.count()
