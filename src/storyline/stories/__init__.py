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
from storyline.stories.cluster import (
    ENGLISH,
    OTHER_LANGUAGE,
    Assignment,
    Entities,
    Seen,
    StoryClusterer,
    Vector,
)
from storyline.stories.days import is_day, middle, nearest_year
from storyline.stories.merge import EventMerger, ReportCache
from storyline.stories.rules import StoryRules, story_rules
from storyline.stories.spelling import english, lead_spellings, respell

__all__ = ["Assignment", "StoryBuilder"]


class StoryBuilder:
    """Places documents in stories and merges their events, incrementally.

    With `defer`, a document is only signed when it is stored, and `place_waiting`
    places the run's documents (and any an interrupted run left unplaced) in date
    order, undated ones last: a batch is clustered as if its reports had arrived as
    they were published, so an undated report does not start a story its dated reports
    then split around. A long run places them a window at a time, as soon as one is
    full (`window_full`), while its later documents are still being analysed. Without
    it (one document at a time), each is placed when stored.
    """

    def __init__(self, store: Store, rules: StoryRules | None = None, *,
                 defer: bool = False) -> None:
        self.store = store
        self.rules = rules or story_rules()
        self.clusterer = StoryClusterer(store.stories, self.rules)
        self.merger = EventMerger(store.events, self.rules)
        self.defer = defer
        self.placed: list[str] = []  # documents signed since the last `finish`
        self.waiting = 0  # documents signed since the last `place_waiting`
        self.earlier: dict[str, Seen] = {}  # documents of earlier windows, as this one sees them
        self.earlier_story: dict[str, str] = {}  # their stories when this window began

    def __call__(self, doc: Document) -> Assignment | None:
        # a day with no year ("--06-21") takes the run's year when placed (`days`)
        day = doc.extra.get("published_day")
        date = doc.published.isoformat() if doc.published else \
            day if isinstance(day, str) and is_day(day) else None
        table = self.store.stories
        table.save_signature(doc.id, doc.terms, date)
        self._keep_spellings(doc.id, doc.terms, doc.language)
        self.placed.append(doc.id)
        if self.defer:
            table.wait(doc.id, date)
            self.waiting += 1
            return None
        if is_day(date):
            date = self._dated([(doc.id, date)])[0][1]
        return self.place(doc.id, self._spelled(doc.terms, doc.language), date)

    def _dated(self, batch: list[tuple[str, str | None]]) -> list[tuple[str, str | None]]:
        """A batch with each day of no year dated (`storyline.stories.days`) and its
        signature so dated, in date order again (those left without a year with the
        undated, last)."""
        if not any(is_day(date) for _, date in batch):
            return batch
        table = self.store.stories
        reference = middle([d for _, d in batch if d and not is_day(d)]) or \
            table.latest_date()
        out: list[tuple[str, str | None]] = []
        for doc_id, date in batch:
            if is_day(date) and reference is not None:
                date = nearest_year(str(date), reference)
                table.date_signature(doc_id, date)
            out.append((doc_id, date))
        dated = sorted((x for x in out if x[1] and not is_day(x[1])), key=lambda x: str(x[1]))
        return dated + [(doc_id, None) for doc_id, d in out if not d or is_day(d)]

    def _keep_spellings(self, doc_id: str, terms: dict[str, int], language: str | None
                        ) -> None:
        """An English report's lead names, for the reports in other languages
        (`storyline.stories.spelling`)."""
        least = self.rules.respell_min_skeleton
        if least > 0 and english(language):
            self.store.stories.save_spellings(doc_id, lead_spellings(terms, least))

    def _spelled(self, terms: dict[str, int], language: str | None) -> dict[str, int]:
        """A report's keys as it is placed: in another language than English, its names
        spelled as the English reports' leads spell them, and flagged (`OTHER_LANGUAGE`)
        to be compared with stories by names and numbers alone."""
        least = self.rules.respell_min_skeleton
        if english(language):
            return {**terms, ENGLISH: 1} if self.rules.other_language_by_names else terms
        spelled = terms if least <= 0 else respell(
            terms, self.store.stories.spellings, least, self.rules.respell_suffix,
            (self.rules.run_min_letters, self.rules.run_max_letters))
        return {**spelled, OTHER_LANGUAGE: 1} if self.rules.other_language_by_names \
            else spelled

    def signature(self, doc_id: str) -> tuple[dict[str, int], str | None] | None:
        """A stored report's keys as it is placed (`_spelled`) and its date."""
        found = self.store.stories.signature_with_language(doc_id)
        if found is None:
            return None
        terms, date, language = found
        # a day no run has dated yet is no date
        return self._spelled(terms, language), None if is_day(date) else date

    def place(self, doc_id: str, terms: dict[str, int], date: str | None) -> Assignment:
        """Place one document in a story and merge its events there."""
        reports = ReportCache()  # what affinity reads, linking reuses
        entities = self.store.stories.entity_counts(doc_id, self.rules.entity_kinds)
        assignment = self._assign(doc_id, terms, entities, date, reports)
        self.merger.link(doc_id, assignment.story, reports)
        return assignment

    def _assign(self, doc_id: str, terms: dict[str, int], entities: Entities,
                date: str | None, reports: ReportCache) -> Assignment:
        return self.clusterer.assign(
            doc_id, terms, entities, date,
            affinity=lambda story: self.merger.affinity(doc_id, story, reports))

    def place_waiting(self) -> int:
        """Place the documents not yet in a story (the run's, with `defer`, and any a run
        cut off before its end left): dated ones by date, then the rest, each group in
        the order stored. Returns how many.

        Then, `refine_passes` times, each is looked at again against the stories the
        whole batch formed (`StoryClusterer.reconsider`), and moves when another story
        now fits it better; only then are their events merged, in the same order. A
        long batch goes through this in windows of `refine_window` documents. All of
        it is one savepoint: cut off, the documents stay waiting for the next run."""
        self.waiting = 0
        with self.store.savepoint("placing"):
            return self._place_batch(self.store.stories.unplaced())

    def window_full(self) -> bool:
        """Whether a window's worth of documents (`refine_window`) waits to be placed:
        a long run places them then (`place_waiting`), so its stories grow as it goes
        and its end waits for one window at most, not for all of them."""
        return self.defer and self.waiting >= self.rules.refine_window

    def _place_batch(self, batch: list[tuple[str, str | None]]) -> int:
        batch = self._dated(batch)
        window = self.rules.refine_window
        for start in range(0, len(batch), window):
            self._place_window(batch[start:start + window])
        return len(batch)

    def _place_window(self, batch: list[tuple[str, str | None]]) -> None:
        table = self.store.stories
        placed: list[tuple[str, dict[str, int], Entities, str | None]] = []
        joined: dict[str, Vector] = {}  # what each document's story gained
        for doc_id, date in batch:
            found = self.signature(doc_id)
            if found is not None:
                entities = table.entity_counts(doc_id, self.rules.entity_kinds)
                placed.append((doc_id, found[0], entities, date))
                joined[doc_id] = self._assign(doc_id, found[0], entities, date,
                                              ReportCache()).vector
        # From here on the document frequencies stay those of the placed window: each
        # document's vector is computed once for every look that follows.
        seen: list[Seen] = [
            (doc_id, self.clusterer.vector(terms, entities, count=False), date)
            for doc_id, terms, entities, date in placed]
        self.earlier, self.earlier_story = {}, {}
        self.clusterer.looking, self.clusterer.prepared = {}, {}
        try:
            self._refine(seen, joined, self.rules.refine_passes)
            restated = self._split_stories(seen) if self.rules.split_threshold > 0 else set()
            if restated:
                # The stories split were written afresh from their documents' vectors;
                # then every document is looked at again against the stories now.
                joined.update({doc_id: vec for doc_id, vec, _ in seen
                               if doc_id in restated})
                self._refine(seen, joined, self.rules.refine_passes)
            self.clusterer.looking = None
            if self.rules.join_threshold > 0:
                self._unite_stories(seen)
        finally:
            self.clusterer.looking = self.clusterer.prepared = None
        # Events merge in the order placed, each document's with those of the documents
        # before it in its final story; first, in the stories an earlier document left
        # or went to, those of the earlier documents, in their stories' order, afresh.
        again = self._earlier_moved({doc_id for doc_id, *_ in seen})
        self.merger.events.unmerge(again)
        window = [doc_id for doc_id, *_ in seen]
        for doc_id in again + window:
            table.attach_events(doc_id, None)
        for doc_id in again + window:
            story = table.story_of(doc_id)
            table.attach_events(doc_id, story)
            if story is not None:
                self.merger.link(doc_id, story, ReportCache())

    def _earlier_moved(self, window: set[str]) -> list[str]:
        """The documents of earlier runs or windows in the stories that one of them left
        or went to in this window, story by story, each story's in the order they joined
        it (their events are to merge again)."""
        table = self.store.stories
        stories: dict[str, None] = {}
        for doc, before in self.earlier_story.items():
            now = table.story_of(doc)
            if now != before:
                stories.update(dict.fromkeys(s for s in (before, now) if s))
        return [d for sid in stories for d in table.members(sid) if d not in window]

    def _refine(self, seen: list[Seen], joined: dict[str, Vector], passes: int) -> None:
        """Look at each document again (`StoryClusterer.reconsider`), `passes` times at
        most, stopping when none moves."""
        for _ in range(passes):
            moved = 0
            for doc_id, vec, date in seen:
                again = self.clusterer.reconsider(doc_id, vec, date, joined[doc_id])
                if again is not None:
                    joined[doc_id] = again.vector
                    moved += 1
            if not moved:
                break

    def _window_stories(self, seen: list[Seen], largest: int
                        ) -> list[tuple[str, list[Seen], int]]:
        """The stories documents of this window are in, of at most `largest` documents,
        each with its documents in the order they joined and how many of them came
        before this window (a run's, or an earlier window's), in the order their first
        documents of the window were placed."""
        table = self.store.stories
        window = {item[0]: item for item in seen}
        stories = dict.fromkeys(s for d in window if (s := table.story_of(d)) is not None)
        out = []
        for sid in stories:
            members = table.members(sid)
            if len(members) > largest:
                continue
            out.append((sid, [window.get(d) or self._earlier(d, sid) for d in members],
                        sum(d not in window for d in members)))
        return out

    def _earlier(self, doc_id: str, story: str) -> Seen:
        """An earlier document of `story` as this window looks at it (its vector with
        the document frequencies of now), computed once per window."""
        if doc_id in self.earlier:
            return self.earlier[doc_id]
        self.earlier_story[doc_id] = story
        found = self.signature(doc_id)
        terms, date = found if found is not None else ({}, None)
        entities = self.store.stories.entity_counts(doc_id, self.rules.entity_kinds)
        seen = self.earlier[doc_id] = (
            doc_id, self.clusterer.vector(terms, entities, count=False), date)
        return seen

    def _split_stories(self, seen: list[Seen]) -> set[str]:
        """Split the window's stories that fall into groups (`StoryClusterer.split`); the
        documents of those split."""
        rules = self.rules
        restated: set[str] = set()
        for sid, members, _ in self._window_stories(seen, rules.split_max_size):
            if len(members) >= 2 * rules.split_min_part:
                restated.update(self.clusterer.split(sid, members))
        return restated

    def _unite_stories(self, seen: list[Seen]) -> list[str]:
        """Join the window's stories whose documents fit each other, or fit a story of
        earlier runs that blocking finds for them (`StoryClusterer.unite`); the
        documents that moved."""
        largest = self.rules.split_max_size

        def earlier_story(sid: str) -> tuple[str, list[Seen], int] | None:
            members = self.store.stories.members(sid)
            if not members or len(members) > largest:
                return None
            return sid, [self._earlier(d, sid) for d in members], len(members)

        return self.clusterer.unite(self._window_stories(seen, largest), earlier_story)

    def finish(self) -> None:
        """End of a run, after the actors' last relinks: the digests they cleared among
        the events of the run's documents are computed again."""
        self.merger.refresh_digests(self.placed)
        self.placed = []

    def rebuild(self) -> int:
        """Cluster every stored document again (dated ones in date order, then the
        rest) and merge events again; returns the number of stories."""
        table = self.store.stories
        with self.store.savepoint("rebuild"):
            table.clear()
            for doc_id, terms, language in table.signatures_with_language():
                self._keep_spellings(doc_id, terms, language)
            self._place_batch(table.documents_for_rebuild())
        return table.count()
