"""The per-document stages, in order, each declaring what it needs and what it adds.

A `Pipeline` checks when it is built that every stage's needs are met by the reader or
by an earlier stage, so a misordered pipeline fails at once, not halfway through a run.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from storyline.actors.local import group_mentions
from storyline.clean import clean_document
from storyline.clean.language import identify_languages
from storyline.clean.metadata import resolve_metadata
from storyline.errors import PipelineError
from storyline.events import find_claims, find_events
from storyline.ingest.identity import identify
from storyline.model import Document
from storyline.nlp import Recognizer
from storyline.stories.signature import sign_document
from storyline.time.stage import normalize_times

#: Document fields a reader fills in.
READER_ASSIGNS = frozenset({"source", "name", "raw", "format", "markup", "line", "external_id",
                            "given", "extra", "encoding", "warnings"})


#: A stage's form for several documents at once: each result in its document's place,
#: the document enriched or the exception it raised.
Batch = Callable[[list[Document]], list["Document | Exception"]]


@dataclass(frozen=True)
class Stage:
    """One named step that takes a Document and returns it enriched; `batch`, when a stage
    has it, does the same for several documents at once, faster (the language model)."""

    name: str
    func: Callable[[Document], Document]
    requires: frozenset[str]
    assigns: frozenset[str]
    batch: Batch | None = None


def stage(name: str, func: Callable[[Document], Document], requires: Iterable[str],
          assigns: Iterable[str], batch: Batch | None = None) -> Stage:
    return Stage(name, func, frozenset(requires), frozenset(assigns), batch)


#: The cleaning stages: everything that needs no language model.
CLEAN_STAGES: tuple[Stage, ...] = (
    stage("clean", clean_document, requires={"raw", "markup", "given"},
          assigns={"text", "offsets", "paragraphs", "title", "captions", "cues", "page"}),
    stage("language", identify_languages, requires={"text", "paragraphs"},
          assigns={"language"}),
    stage("metadata", resolve_metadata, requires={"cues", "given", "page", "language",
                                                   "text"},
          assigns={"outlet", "published", "dateline", "evidence", "title"}),
    stage("identity", identify, requires={"name", "raw", "text"},
          assigns={"id", "content_hash", "minhash"}),
)

def nlp_stages(recognizer: Recognizer | None = None) -> tuple[Stage, ...]:
    """parse -> mentions -> time -> entities -> claims -> events -> signature
    (`recognizer`: spaCy and the rule layer on its parses)."""
    recognizer = recognizer or Recognizer()
    return (
        stage("parse", recognizer.parse, requires={"text", "paragraphs", "language"},
              assigns={"analyses"}, batch=recognizer.parse_batch),
        stage("mentions", recognizer.finish,
              requires={"analyses", "text", "paragraphs", "language", "dateline",
                        "published"},
              assigns={"mentions", "roles"}, batch=recognizer.finish_batch),
        stage("time", normalize_times, requires={"mentions", "published"}, assigns={"times"}),
        stage("entities", group_mentions, requires={"mentions", "roles"},
              assigns={"entities"}),
        stage("claims", find_claims, requires={"analyses", "mentions"}, assigns={"claims"}),
        stage("events", find_events, requires={"analyses", "mentions", "times", "claims"},
              assigns={"events"}),
        stage("signature", sign_document, requires={"analyses", "paragraphs"},
              assigns={"terms"}),
    )


def full_stages(recognizer: Recognizer | None = None) -> tuple[Stage, ...]:
    """Every per-document stage: cleaning, then the language model and what needs it."""
    return CLEAN_STAGES + nlp_stages(recognizer)


#: Every per-document stage, in order.
DEFAULT_STAGES: tuple[Stage, ...] = full_stages()


class Pipeline:
    """An ordered list of stages, checked when built."""

    def __init__(self, stages: Sequence[Stage] = DEFAULT_STAGES,
                 given: Iterable[str] = READER_ASSIGNS) -> None:
        available = set(given)
        for st in stages:
            missing = st.requires - available
            if missing:
                raise PipelineError(f"stage {st.name!r} needs {sorted(missing)}, which no "
                                    "reader or earlier stage provides")
            available |= st.assigns
        self.stages = tuple(stages)
        self.given = frozenset(given)
        self.provides = frozenset(available)  # what a document has after the pipeline

    @property
    def names(self) -> list[str]:
        return [st.name for st in self.stages]

    def split(self, after: str) -> tuple[Pipeline, Pipeline] | None:
        """The pipeline cut after the stage named `after`: the stages up to it, and the
        rest (checked against what the first part provides); None without such a stage
        or with nothing after it."""
        if after not in self.names:
            return None
        cut = self.names.index(after) + 1
        if cut == len(self.stages):
            return None
        head = Pipeline(self.stages[:cut], self.given)
        return head, Pipeline(self.stages[cut:], head.provides)

    def __call__(self, doc: Document) -> Document:
        for st in self.stages:
            doc = st.func(doc)
        return doc

    def run_many(self, docs: list[Document]) -> list[Document | Exception]:
        """Every stage on several documents, each result in its document's place: the
        document, or the exception that stopped it (the others go on without it). Stages
        with a `batch` form take the documents still going together; if a batch call
        fails as a whole, the stage runs on them one at a time, so the document at fault
        is the only one to fail."""
        results: list[Document | Exception] = list(docs)
        for st in self.stages:
            going = [i for i, r in enumerate(results) if isinstance(r, Document)]
            if not going:
                break
            done = None
            if st.batch is not None and len(going) > 1:
                try:
                    done = st.batch([results[i] for i in going])  # type: ignore[misc]
                except (KeyboardInterrupt, SystemExit):
                    raise
                except Exception:
                    done = None  # retried one at a time below
            if done is not None:
                for i, result in zip(going, done, strict=True):
                    results[i] = result
                continue
            for i in going:
                try:
                    results[i] = st.func(results[i])  # type: ignore[arg-type]
                except (KeyboardInterrupt, SystemExit):
                    raise
                except Exception as exc:  # handed back, named by the caller
                    results[i] = exc
        return results
