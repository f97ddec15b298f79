"""The cross-document heuristics of `data/stories.yaml`, loaded once and checked."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from typing import Any

from storyline.clean.rules import load_data
from storyline.errors import StorylineError


class StoryRulesError(StorylineError):
    """`data/stories.yaml` is missing a setting or has one of the wrong kind."""


@dataclass(frozen=True)
class Agency:
    """One original authority and the names it goes by."""

    origin: str
    names: tuple[str, ...]
    countries: tuple[str, ...]


@dataclass(frozen=True, eq=False)
class StoryRules:
    """Settings of story clustering, event merging, origins, conflicts and summaries."""

    threshold: float
    undated_threshold: float
    score_bias: float
    score_weights: dict[str, float]
    entity_kinds: tuple[str, ...]
    blocking_channels: frozenset[str]
    parts_of_speech: frozenset[str]
    min_length: int
    paragraph_kinds: frozenset[str]
    lead_sentences: int
    foreign_names_only: bool
    respell_min_skeleton: int
    respell_suffix: int
    other_language_by_names: bool
    unspaced_scripts: re.Pattern[str]
    run_min_letters: int
    run_max_letters: int
    number_multipliers: dict[str, float]
    stop_words: dict[str, frozenset[str]]
    recurrence: dict[str, tuple[frozenset[str], frozenset[str], frozenset[str]]]
    recurrence_words: int
    recurrence_penalty: float
    year_precisions: frozenset[str]
    query_keys: int
    index_keys: int
    number_keys: int
    per_key: int
    max_candidates: int
    centroid_keys: int
    window_days: int
    decay_grace_days: int
    decay_per_week: float
    decay_lead_factor: float
    decay_lead_floor: float
    same_days_bonus: float
    margin: float
    refine_passes: int
    refine_window: int
    split_threshold: float
    split_min_part: int
    split_max_size: int
    split_gap_days: int
    burst_ratio: float
    join_threshold: float
    join_screen: float
    merge_threshold: float
    weights: dict[str, float]
    max_shared: int
    max_topics: int
    published_window_days: int
    modality_groups: tuple[frozenset[str], ...]
    unnamed: tuple[re.Pattern[str], ...]
    state_media: re.Pattern[str]
    agencies: tuple[Agency, ...]
    number_words: dict[str, int]
    counted_nouns: frozenset[str]
    event_sentences: int
    story_events: int

    def modality_group(self, modality: str) -> int:
        for k, group in enumerate(self.modality_groups):
            if modality in group:
                return k
        return -1


#: The channels a document is compared with a story in (`storyline.stories.cluster`).
CHANNELS = ("words", "numbers", "lead", "years", "person", "organization", "place")
#: The features of the story score: each channel's cosine, then two more.
FEATURES = (*CHANNELS, "person_both", "lead_numbers_missing", "lead_names_missing")

_WEIGHTS = ("same_type", "shared_participant", "same_place", "same_date", "same_topic",
            "other_place", "other_date")


def _need(section: dict[str, Any], key: str, where: str) -> Any:
    if key not in section:
        raise StoryRulesError(f"data/stories.yaml: `{where}.{key}` is missing")
    return section[key]


@cache
def story_rules() -> StoryRules:
    """The rules of `data/stories.yaml` (parsed once)."""
    return parse_rules(load_data("stories.yaml"))


def parse_rules(data: dict[str, Any]) -> StoryRules:
    """Check and compile the settings; every problem names its key."""
    try:
        c, m = data["clustering"], data["merging"]
        o, k, s = data["origins"], data["conflicts"], data["summary"]
    except (KeyError, TypeError) as exc:
        raise StoryRulesError(f"data/stories.yaml: section {exc} is missing") from exc
    weights = {w: float(_need(m["weights"], w, "merging.weights")) for w in _WEIGHTS}
    score = _need(c, "score", "clustering")
    unknown = sorted(set(score) - {"bias", *FEATURES})
    if unknown:
        raise StoryRulesError(f"data/stories.yaml: `clustering.score` has unknown features "
                              f"{', '.join(unknown)}; known: {', '.join(FEATURES)}")
    agencies = []
    for entry in _need(o, "agencies", "origins"):
        if not entry.get("origin") or not entry.get("names"):
            raise StoryRulesError(f"data/stories.yaml: agency {entry!r} needs an origin and "
                                  "names")
        agencies.append(Agency(str(entry["origin"]), tuple(map(str, entry["names"])),
                               tuple(map(str, entry.get("country", ())))))
    try:
        unnamed = tuple(re.compile(p, re.I) for p in _need(o, "unnamed", "origins"))
        state_media = re.compile(_need(o, "state_media_description", "origins"))
    except re.error as exc:
        raise StoryRulesError(f"data/stories.yaml: bad pattern in origins: {exc}") from exc
    return StoryRules(
        threshold=float(_need(c, "threshold", "clustering")),
        undated_threshold=float(_need(c, "undated_threshold", "clustering")),
        score_bias=float(_need(score, "bias", "clustering.score")),
        score_weights={f: float(_need(score, f, "clustering.score")) for f in FEATURES},
        entity_kinds=tuple(map(str, _need(c, "entity_kinds", "clustering"))),
        blocking_channels=frozenset(map(str, _need(c, "blocking_channels", "clustering"))),
        parts_of_speech=frozenset(_need(c, "parts_of_speech", "clustering")),
        min_length=int(_need(c, "min_length", "clustering")),
        paragraph_kinds=frozenset(_need(c, "paragraph_kinds", "clustering")),
        foreign_names_only=bool(_need(c, "foreign_names_only", "clustering")),
        respell_min_skeleton=int(_need(c, "respell_min_skeleton", "clustering")),
        respell_suffix=int(_need(c, "respell_suffix", "clustering")),
        other_language_by_names=bool(_need(c, "other_language_by_names", "clustering")),
        unspaced_scripts=re.compile(str(_need(c, "unspaced_scripts", "clustering"))),
        run_min_letters=int(_need(c, "run_min_letters", "clustering")),
        run_max_letters=int(_need(c, "run_max_letters", "clustering")),
        number_multipliers={str(k): float(v) for k, v in
                            _need(c, "number_multipliers", "clustering").items()},
        stop_words={str(k): frozenset(map(str, v))
                    for k, v in _need(c, "stop_words", "clustering").items()},
        recurrence={str(k): (frozenset(map(str, v.get("before", ()))),
                             frozenset(map(str, v.get("after", ()))),
                             frozenset(map(str, v.get("not", ()))))
                     for k, v in _need(c, "recurrence", "clustering").items()},
        recurrence_words=int(_need(c, "recurrence_words", "clustering")),
        recurrence_penalty=float(_need(c, "recurrence_penalty", "clustering")),
        lead_sentences=int(_need(c, "lead_sentences", "clustering")),
        year_precisions=frozenset(_need(c, "year_precisions", "clustering")),
        query_keys=int(_need(c, "query_keys", "clustering")),
        index_keys=int(_need(c, "index_keys", "clustering")),
        number_keys=int(_need(c, "number_keys", "clustering")),
        per_key=int(_need(c, "per_key", "clustering")),
        max_candidates=max(1, int(_need(c, "max_candidates", "clustering"))),
        centroid_keys=int(_need(c, "centroid_keys", "clustering")),
        window_days=int(_need(c, "window_days", "clustering")),
        decay_grace_days=int(_need(c, "decay_grace_days", "clustering")),
        decay_per_week=float(_need(c, "decay_per_week", "clustering")),
        decay_lead_factor=float(_need(c, "decay_lead_factor", "clustering")),
        decay_lead_floor=float(_need(c, "decay_lead_floor", "clustering")),
        same_days_bonus=float(_need(c, "same_days_bonus", "clustering")),
        margin=float(_need(c, "margin", "clustering")),
        refine_passes=int(_need(c, "refine_passes", "clustering")),
        refine_window=max(1, int(_need(c, "refine_window", "clustering"))),
        split_threshold=float(_need(c, "split_threshold", "clustering")),
        split_min_part=max(1, int(_need(c, "split_min_part", "clustering"))),
        split_max_size=int(_need(c, "split_max_size", "clustering")),
        split_gap_days=int(_need(c, "split_gap_days", "clustering")),
        burst_ratio=float(_need(c, "burst_ratio", "clustering")),
        join_threshold=float(_need(c, "join_threshold", "clustering")),
        join_screen=float(_need(c, "join_screen", "clustering")),
        merge_threshold=float(_need(m, "threshold", "merging")),
        weights=weights,
        max_shared=int(_need(m, "max_shared", "merging")),
        max_topics=int(_need(m, "max_topics", "merging")),
        published_window_days=int(_need(m, "published_window_days", "merging")),
        modality_groups=tuple(frozenset(g) for g in _need(m, "modality_groups", "merging")),
        unnamed=unnamed,
        state_media=state_media,
        agencies=tuple(agencies),
        number_words={str(w): int(n) for w, n in _need(k, "number_words", "conflicts").items()},
        counted_nouns=frozenset(_need(k, "counted_nouns", "conflicts")),
        event_sentences=int(_need(s, "event_sentences", "summary")),
        story_events=int(_need(s, "story_events", "summary")),
    )
