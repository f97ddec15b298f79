"""The domain types that flow through Storyline.

A `Document` is made by a reader from one input item (a file, or one record of a JSON
file), then enriched in place by the per-document stages of the pipeline, then kept by
the store. Later stages add mentions, actors, events and claims to it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from storyline.offsets import OffsetMap, Piece

#: Metadata fields a JSON record may give; anything else is kept in `Document.extra`.
KNOWN_FIELDS = ("id", "url", "title", "published", "outlet", "language", "text", "html")


@dataclass(frozen=True)
class Evidence:
    """How a value was found: a method name and, when it came from the text, where.

    `method` is one of a documented set (see docs/export.md), e.g. `field:published`
    (the input record gave it), `html:meta` (the page's metadata), `text:date-label`
    (a "date 2025-04-25" line), `text:caption-date`, `text:outlet-prefix`.
    `span` is the `[start, end)` offsets of the evidence in the original input.
    """

    method: str
    span: tuple[int, int] | None = None
    text: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {"method": self.method, "span": list(self.span) if self.span else None,
                "text": self.text}


@dataclass(frozen=True)
class Cue:
    """A metadata value found in the text (or page), with how and where it was found."""

    field: str  # outlet | published | dateline | agency | author | title
    value: str
    evidence: Evidence


@dataclass
class Paragraph:
    """One paragraph of the cleaned text: its span there, kind, language and direction."""

    start: int
    end: int
    kind: str = "body"  # body | heading | embed
    language: str | None = None
    language_from: str | None = None  # "detected" or "context" (too short to detect)
    direction: str = "ltr"
    meta: dict[str, Any] = field(default_factory=dict)


@dataclass
class Passage:
    """A piece of the article kept apart from the body text: the title or a caption."""

    kind: str  # title | caption
    text: str
    offsets: OffsetMap
    evidence: str  # how it was found, e.g. "text:first-line", "html:title", "field:title"

    @classmethod
    def from_piece(cls, kind: str, piece: Piece, evidence: str) -> Passage:
        from storyline.offsets import TextBuilder

        builder = TextBuilder()
        builder.add(piece)
        text, offsets = builder.build()
        return cls(kind, text, offsets, evidence)

    @property
    def span(self) -> tuple[int, int] | None:
        """Span in the original input, or None when the value came from a field."""
        if not self.offsets.runs:
            return None
        return self.offsets.span(0, len(self.text))


@dataclass
class Mention:
    """A name or time expression found in the cleaned text, with where and how.

    `start`/`end` index `Document.text`; `Document.original_span` maps them to the input.
    `kind` is person | organization | place | group (a nationality) | platform | time.
    `method` says how it was found: `spacy:PERSON` (the model), `rule:acronym`,
    `rule:arabic-title`, `rule:arabic-known`, `rule:title-only`... (docs/export.md).
    """

    start: int
    end: int
    text: str
    kind: str
    method: str
    paragraph: int = 0
    language: str = "en"
    entity: int | None = None  # index into Document.entities (the in-document referent)
    long_form: int | None = None  # for an acronym: index of the mention it abbreviates
    tense: str | None = None  # time mentions: tense of the clause (past|present|future)
    time: Any = None  # time mentions: a storyline.time.TimeValue once normalized
    actor: str | None = None  # canonical actor id, set when the store resolves the document
    resolution: dict[str, Any] = field(default_factory=dict)  # how `actor` was chosen


@dataclass
class Role:
    """A title a person holds, as the text states it, e.g. "head of Iraq's INIS".

    `person` indexes `Document.mentions`; `organization` is the title's organization or
    country as written (with its mention index when it is one); `as_of` is the date the
    text speaks about (the publication date when known).
    """

    person: int
    title: str
    start: int
    end: int
    organization: str | None = None
    organization_mention: int | None = None
    qualifier: str | None = None  # interim | acting | former | deputy ...
    as_of: dt.date | None = None


Span = tuple[int, int]


@dataclass
class Claim:
    """Who says so: a source, the cue that attributes, and the content attributed.

    Spans index `Document.text`. The source is a mention of an actor when one names it
    (`source_mention`), else a description as written ("an unnamed security source") or
    None (an agentless "it was reported"). `via` is the index of the claim that carries
    this one ("INA cited a source as saying ..."): the chain runs source -> via -> ...
    -> the outlet, which is always the last link. `channel` is the medium when the text
    names one ("in a statement", "on X").
    """

    cue: str
    cue_span: Span
    content: list[Span]
    source: str | None = None
    source_span: Span | None = None
    source_mention: int | None = None
    direct: bool = False  # the content is a verbatim quotation
    kind: str = "speech"  # speech | according-to | report | belief (docs/ontology.md)
    stance: str = "neutral"  # neutral | distancing (claims, alleges) | factive (confirmed)
    via: int | None = None
    source_ref: int | None = None  # the earlier claim a pronoun or description points at
    channel: str | None = None
    channel_span: Span | None = None
    paragraph: int = 0
    score: float = 1.0


@dataclass
class EventMention:
    """One event as one sentence reports it: type, participants, place, time, modality.

    `actors`, `recipients` and the other participants index `Document.mentions`; the
    store maps them to canonical actors. `sentence` is the anchor quote, `trigger` the
    word that evokes the event; `claim` is the index of the claim whose content holds
    the trigger (who says it happened). `score` (0-1) says how sure the coding is.
    """

    type: str
    mode: str | None
    trigger: str
    trigger_span: Span
    sentence: Span
    actors: list[int] = field(default_factory=list)
    recipients: list[int] = field(default_factory=list)
    others: list[tuple[str, int]] = field(default_factory=list)  # (role, mention): member...
    location: int | None = None
    time: int | None = None
    theme: str | None = None  # what changed state: "its western border", "the regime"
    theme_span: Span | None = None
    topics: list[str] = field(default_factory=list)
    modality: str = "asserted"  # asserted | future | hypothetical | negated | reported
    claim: int | None = None
    score: float = 1.0
    rule: str = ""
    paragraph: int = 0
    same_as: int | None = None  # an earlier mention of the same event in this document


@dataclass
class Entity:
    """One referent inside a document: the mentions that name the same thing there."""

    kind: str
    name: str  # the fullest name used in the document
    mentions: list[int] = field(default_factory=list)
    evidence: list[str] = field(default_factory=list)  # why mentions were grouped
    actor: str | None = None


@dataclass
class Document:
    """One article on its way through the pipeline."""

    # Set by the reader.
    source: str  # the record's url when given, else the file path ("-" for stdin)
    name: str  # identity of the item: url, external id, or file name (+ item number)
    raw: str  # the original input as text: the decoded file, or the record's text/html
    format: str  # the input file's format: txt | html | json | jsonl
    markup: str = "text"  # what `raw` is: text | html
    line: int | None = None  # line (JSON Lines) or item number (JSON list), 1-based
    external_id: str | None = None
    given: dict[str, Any] = field(default_factory=dict)  # known metadata fields given
    extra: dict[str, Any] = field(default_factory=dict)  # unknown fields, kept as is
    page: dict[str, Any] = field(default_factory=dict)  # an HTML page's own metadata
    encoding: str | None = None
    warnings: list[str] = field(default_factory=list)

    # Set by the clean stage.
    text: str = ""
    offsets: OffsetMap = field(default_factory=OffsetMap)
    paragraphs: list[Paragraph] = field(default_factory=list)
    title: Passage | None = None
    captions: list[Passage] = field(default_factory=list)
    cues: list[Cue] = field(default_factory=list)  # metadata values found in the text

    # Set by the language and metadata stages.
    language: str | None = None
    outlet: str | None = None
    published: dt.date | None = None
    dateline: str | None = None
    evidence: dict[str, Evidence] = field(default_factory=dict)

    # Set by the nlp, time and actors stages.
    mentions: list[Mention] = field(default_factory=list)
    roles: list[Role] = field(default_factory=list)
    entities: list[Entity] = field(default_factory=list)
    analyses: list[Any] = field(default_factory=list, repr=False)  # spaCy Docs; not stored

    # Set by the claims and events stages.
    claims: list[Claim] = field(default_factory=list)
    events: list[EventMention] = field(default_factory=list)

    # Set by the signature stage: content-word lemma -> count, for story clustering.
    terms: dict[str, int] = field(default_factory=dict)

    # Set by the identity stage and the store.
    id: str = ""
    content_hash: str = ""
    minhash: np.ndarray | None = None
    duplicate_of: str | None = None
    duplicate_kind: str | None = None  # exact | near
    similarity: float | None = None

    @property
    def where(self) -> str:
        """The item's location for messages: path, plus line or item number."""
        return f"{self.source}:{self.line}" if self.line is not None else self.source

    def original_span(self, start: int, end: int) -> tuple[int, int]:
        """Span of the original input that the cleaned span `[start, end)` came from."""
        s, e = self.offsets.span(start, end)
        if self.markup == "html" and e > s and self.raw[e - 1] == "&":
            close = self.raw.find(";", e, e + 12)
            if close > 0:
                e = close + 1  # the last character came from an entity: cover all of it
        return s, e


@dataclass(frozen=True)
class Rejection:
    """An input item that could not be used, with the reason."""

    source: str
    reason: str
    kind: str
    line: int | None = None

    def __str__(self) -> str:
        where = f"{self.source}:{self.line}" if self.line is not None else self.source
        return f"{where}: {self.reason}"
