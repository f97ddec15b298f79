"""Reading the ECB+ corpus (Cybulska and Vossen, LREC 2014).

The corpus ships as `ecbplus.tgz` holding `ECB+/<topic>/<topic>_<n>ecb.xml` (the original
EventCorefBank texts) and `<topic>_<n>ecbplus.xml` (the texts added by ECB+), next to
`ECBplus_coreference_sentences.csv`, the index of the sentences whose mentions were
annotated (columns Topic, File, Sentence Number). Each XML file holds the tokens
(`<token t_id sentence number>`), then `<Markables>` (mentions anchored to tokens, plus
anchorless TAG_DESCRIPTOR markables naming coreference instances), then `<Relations>`
(CROSS_DOC_COREF and INTRA_DOC_COREF chains from source mentions to a descriptor).

`load` reads the archive directly (nothing is extracted to disk) or an extracted folder
and yields one `EcbDocument` per file. The document text is the corpus tokens joined by
single spaces, one sentence per line: the corpus does not record the original spacing,
so a model run on `EcbDocument.text` sees tokenized text such as "Lindsay Lohan 's
lawyer" or "( AP )". That is accepted: no detokenization is attempted, and every
character offset refers to this plain text.

The topic splits are the ones commonly used for ECB+ event coreference (Cybulska and
Vossen 2015 and most later work); topics 15 and 17 do not exist in the corpus.
"""

from __future__ import annotations

import bisect
import csv
import io
import os
import re
import tarfile
import xml.etree.ElementTree as ET
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

__all__ = [
    "ALL_TOPICS",
    "DEV_TOPICS",
    "SENTENCE_INDEX_NAME",
    "SPLITS",
    "TEST_TOPICS",
    "TRAIN_TOPICS",
    "EcbDocument",
    "EcbMention",
    "load",
    "parse_document",
    "read_sentence_index",
]

#: Topics used for tuning (the customary ECB+ development split).
DEV_TOPICS: tuple[int, ...] = (2, 5, 12, 18, 21, 23, 34, 35)
#: Topics 1-35 that exist in the corpus (15 and 17 do not) minus the development topics.
TRAIN_TOPICS: tuple[int, ...] = tuple(
    t for t in range(1, 36) if t not in DEV_TOPICS and t not in (15, 17)
)
#: Topics 36-45, the customary ECB+ test split.
TEST_TOPICS: tuple[int, ...] = tuple(range(36, 46))
#: Every topic of the corpus (43 topics).
ALL_TOPICS: tuple[int, ...] = tuple(sorted(TRAIN_TOPICS + DEV_TOPICS + TEST_TOPICS))
#: Split name -> topics.
SPLITS: Mapping[str, tuple[int, ...]] = {
    "train": TRAIN_TOPICS,
    "dev": DEV_TOPICS,
    "test": TEST_TOPICS,
    "all": ALL_TOPICS,
}

#: File name of the index of annotated sentences shipped with the corpus.
SENTENCE_INDEX_NAME = "ECBplus_coreference_sentences.csv"

_FILE_NAME = re.compile(r"^(\d+)_(\d+)(ecb|ecbplus)\.xml$")
_SUBTOPIC_ORDER = {"ecb": 0, "ecbplus": 1}
#: A sentence that is a web address, as the corpus tokenizes it ("http : / / www . ...").
_URL_SENTENCE = re.compile(r"(?:https? : / / |www \. )")

SentenceIndex = Mapping[tuple[int, str], frozenset[int]]
"""(topic, file such as "1ecbplus") -> annotated sentence numbers."""


@dataclass(frozen=True)
class EcbMention:
    """One anchored markable of an ECB+ document.

    `category` is the corpus tag (ACTION_OCCURRENCE, HUMAN_PART_PER, TIME_DATE, ...).
    `start`/`end` are character offsets into `EcbDocument.text` from the first to the
    last anchored token and `text` is that slice; `tokens` are the anchored token indices
    (into `EcbDocument.tokens`), which are not always contiguous ("checked [herself]
    into"). `sentence` is the corpus sentence number of the first token.

    `cluster` is never empty: the CROSS_DOC_COREF instance id (the relation's `note`)
    when the mention is a source of a cross-document chain; for an INTRA_DOC_COREF chain
    the target descriptor's instance id, or "<doc>:intra:<r_id>" when it has none; for an
    unlinked mention the singleton id "<doc>:singleton:<m_id>". `relation` tells which
    case applies (None for singletons). One corpus mention is a source of two chains; the
    first chain in the file wins.
    """

    m_id: str
    category: str
    start: int
    end: int
    tokens: tuple[int, ...]
    text: str
    cluster: str
    sentence: int
    relation: str | None = None

    @property
    def is_singleton(self) -> bool:
        return self.relation is None


@dataclass(frozen=True)
class EcbDocument:
    """One ECB+ text with its tokens, sentences and mentions.

    `text` joins the tokens of a sentence with single spaces and the sentences with "\\n"
    (whitespace-only corpus tokens, three in the whole corpus, become empty tokens with
    a zero-length offset and add no space). `token_offsets[i]` is the (start, end) of
    `tokens[i]` in `text` and `token_sentences[i]` its corpus sentence number.
    `sentences[k]` is the (start, end) of the k-th sentence, whose corpus number is
    `sentence_numbers[k]` (numbers start at 0 and have no gaps in the released corpus;
    sentence 0 of an "ecbplus" text is the URL it was taken from).

    `annotated_sentences` holds the sentence numbers listed in the corpus index of
    annotated sentences (empty for the six texts the index does not list), or None when
    no index was available.
    """

    name: str
    topic: int
    subtopic: str
    number: int
    text: str
    tokens: tuple[str, ...]
    token_offsets: tuple[tuple[int, int], ...]
    token_sentences: tuple[int, ...]
    sentences: tuple[tuple[int, int], ...]
    sentence_numbers: tuple[int, ...]
    annotated_sentences: frozenset[int] | None
    mentions: tuple[EcbMention, ...]

    @property
    def url(self) -> str | None:
        """The address an "ecbplus" text was taken from (its sentence 0), detokenized."""
        if not self.sentences:
            return None
        start, end = self.sentences[0]
        first = self.text[start:end]
        return first.replace(" ", "") if _URL_SENTENCE.match(first) else None

    @property
    def article_sentences(self) -> tuple[tuple[int, int], ...]:
        """The (start, end) of the sentences of the article itself: without the URL."""
        return self.sentences[1:] if self.url is not None else self.sentences

    @property
    def article_text(self) -> str:
        """The article's sentences, one per line, without the URL sentence."""
        return "\n".join(self.text[s:e] for s, e in self.article_sentences)

    def sentence_at(self, offset: int) -> int | None:
        """Corpus number of the sentence containing character `offset` (None if outside).

        The end of a sentence counts as inside it, so the "\\n" after a sentence and an
        empty span at a sentence end belong to that sentence.
        """
        span = self.sentence_span_at(offset)
        return None if span is None else span[0]

    def sentence_span_at(self, offset: int) -> tuple[int, int, int] | None:
        """(corpus number, start, end) of the sentence containing `offset`, if any."""
        k = bisect.bisect_right(self.sentences, (offset, len(self.text) + 1)) - 1
        if k < 0:
            return None
        start, end = self.sentences[k]
        return (self.sentence_numbers[k], start, end) if start <= offset <= end else None

    def is_annotated(self, sentence: int | None) -> bool:
        """Whether the sentence was annotated (every sentence is when no index was read)."""
        if sentence is None:
            return False
        return self.annotated_sentences is None or sentence in self.annotated_sentences

    def sentence_text(self, sentence: int) -> str:
        """Text of the sentence with corpus number `sentence`."""
        start, end = self.sentences[self.sentence_numbers.index(sentence)]
        return self.text[start:end]


def read_sentence_index(source: str | os.PathLike[str] | io.TextIOBase) -> SentenceIndex:
    """Read ECBplus_coreference_sentences.csv into (topic, file) -> sentence numbers."""
    if isinstance(source, io.TextIOBase):
        rows = list(csv.DictReader(source))
    else:
        with open(source, encoding="utf-8", newline="") as handle:
            rows = list(csv.DictReader(handle))
    index: dict[tuple[int, str], set[int]] = {}
    for row in rows:
        key = (int(row["Topic"]), row["File"].strip())
        index.setdefault(key, set()).add(int(row["Sentence Number"]))
    return {key: frozenset(numbers) for key, numbers in index.items()}


def parse_document(
    data: bytes,
    name: str,
    annotated_sentences: frozenset[int] | None = None,
    *,
    annotated_only_sentences: bool = False,
) -> EcbDocument:
    """Parse the XML of one ECB+ file called `name` ("36_1ecbplus", ".xml" optional)."""
    if name.endswith(".xml"):
        name = name[:-4]
    match = _FILE_NAME.match(name + ".xml")
    if match is None:
        raise ValueError(f"not an ECB+ document name: {name!r}")
    topic, number, subtopic = int(match[1]), int(match[2]), match[3]
    root = ET.fromstring(data)

    raw_tokens = [
        (tok.get("t_id", ""), int(tok.get("sentence", "0")), (tok.text or "").strip())
        for tok in root.iter("token")
    ]
    raw_tokens.sort(key=lambda item: item[1])  # stable: keeps file order within a sentence
    tokens: list[str] = []
    offsets: list[tuple[int, int]] = []
    token_sentences: list[int] = []
    index_of: dict[str, int] = {}
    sentences: list[tuple[int, int]] = []
    sentence_numbers: list[int] = []
    parts: list[str] = []
    pos = 0
    current: int | None = None
    sentence_start = 0
    for t_id, sentence, token in raw_tokens:
        if sentence != current:
            if current is not None:
                sentences.append((sentence_start, pos))
                sentence_numbers.append(current)
                parts.append("\n")
                pos += 1
            current, sentence_start = sentence, pos
        if token and pos > sentence_start:
            parts.append(" ")
            pos += 1
        index_of[t_id] = len(tokens)
        tokens.append(token)
        offsets.append((pos, pos + len(token)))
        token_sentences.append(sentence)
        parts.append(token)
        pos += len(token)
    if current is not None:
        sentences.append((sentence_start, pos))
        sentence_numbers.append(current)
    text = "".join(parts)

    markables = root.find("Markables")
    anchored: dict[str, tuple[str, list[int]]] = {}
    instance_of: dict[str, str] = {}
    for markable in markables if markables is not None else ():
        m_id = markable.get("m_id", "")
        anchors = [
            index_of[t_id]
            for anchor in markable.iter("token_anchor")
            if (t_id := anchor.get("t_id", "")) in index_of
        ]
        if anchors:
            anchored[m_id] = (markable.tag, sorted(set(anchors)))
        elif instance_id := markable.get("instance_id"):
            instance_of[m_id] = instance_id

    cluster_of: dict[str, tuple[str, str]] = {}
    relations = root.find("Relations")
    for relation in relations if relations is not None else ():
        target = relation.find("target")
        target_id = target.get("m_id", "") if target is not None else ""
        cluster = (
            relation.get("note")
            or instance_of.get(target_id)
            or f"{name}:intra:{relation.get('r_id', target_id)}"
        )
        for source in relation.iter("source"):
            cluster_of.setdefault(source.get("m_id", ""), (cluster, relation.tag))

    mentions: list[EcbMention] = []
    for m_id, (category, indices) in anchored.items():
        start, end = offsets[indices[0]][0], offsets[indices[-1]][1]
        sentence = token_sentences[indices[0]]
        if annotated_only_sentences and (
            annotated_sentences is None or sentence not in annotated_sentences
        ):
            continue
        cluster, kind = cluster_of.get(m_id, (f"{name}:singleton:{m_id}", ""))
        mentions.append(
            EcbMention(
                m_id=m_id,
                category=category,
                start=start,
                end=end,
                tokens=tuple(indices),
                text=text[start:end],
                cluster=cluster,
                sentence=sentence,
                relation=kind or None,
            )
        )
    mentions.sort(key=lambda m: (m.start, m.end, _numeric(m.m_id)))

    return EcbDocument(
        name=name,
        topic=topic,
        subtopic=subtopic,
        number=number,
        text=text,
        tokens=tuple(tokens),
        token_offsets=tuple(offsets),
        token_sentences=tuple(token_sentences),
        sentences=tuple(sentences),
        sentence_numbers=tuple(sentence_numbers),
        annotated_sentences=annotated_sentences,
        mentions=tuple(mentions),
    )


def load(
    path: str | os.PathLike[str],
    topics: Iterable[int] | None = None,
    *,
    annotated_only_sentences: bool = False,
    sentence_index: str | os.PathLike[str] | None = None,
) -> Iterator[EcbDocument]:
    """Yield the documents of the ECB+ corpus at `path`, ordered by topic, ecb/ecbplus, n.

    `path` is the corpus archive (`ecbplus.tgz`, any tar format) or a folder holding the
    XML files at any depth (the extracted `ECB+` folder or its parent). `topics`
    restricts the topics read (None: all).

    The index of annotated sentences is read from `sentence_index` if given, else from
    ECBplus_coreference_sentences.csv next to the archive, inside the folder or its
    parent, or inside the archive; without one, `annotated_sentences` is None. With
    `annotated_only_sentences`, mentions outside the annotated sentences are dropped
    (text, tokens and offsets stay complete); that needs an index.
    """
    root = Path(path)
    wanted = None if topics is None else frozenset(topics)
    index_file = Path(sentence_index) if sentence_index is not None else _find_index(root)
    index = read_sentence_index(index_file) if index_file is not None else None

    sources: list[tuple[tuple[int, int, int], str, bytes]] = []
    if root.is_dir():
        for file in root.rglob("*.xml"):
            key = _sort_key(file.name, wanted)
            if key is not None:
                sources.append((key, file.name, file.read_bytes()))
    else:
        with tarfile.open(root, "r:*") as archive:
            for member in archive:
                if not member.isfile():
                    continue
                base = member.name.rsplit("/", 1)[-1]
                if base == SENTENCE_INDEX_NAME and index is None:
                    index = read_sentence_index(_text_stream(archive, member))
                    continue
                key = _sort_key(base, wanted)
                extracted = archive.extractfile(member) if key is not None else None
                if key is not None and extracted is not None:
                    sources.append((key, base, extracted.read()))
    if annotated_only_sentences and index is None:
        raise FileNotFoundError(f"no {SENTENCE_INDEX_NAME} found for {root}")
    sources.sort(key=lambda item: item[0])

    for (topic, _, _), base, data in sources:
        name = base[:-4]
        annotated = None
        if index is not None:
            annotated = index.get((topic, name.split("_", 1)[1]), frozenset())
        yield parse_document(
            data, name, annotated, annotated_only_sentences=annotated_only_sentences
        )


def _sort_key(base: str, wanted: frozenset[int] | None) -> tuple[int, int, int] | None:
    match = _FILE_NAME.match(base)
    if match is None or (wanted is not None and int(match[1]) not in wanted):
        return None
    return (int(match[1]), _SUBTOPIC_ORDER[match[3]], int(match[2]))


def _find_index(root: Path) -> Path | None:
    folder = root if root.is_dir() else root.parent
    for candidate in (folder / SENTENCE_INDEX_NAME, folder.parent / SENTENCE_INDEX_NAME):
        if candidate.is_file():
            return candidate
    return None


def _text_stream(archive: tarfile.TarFile, member: tarfile.TarInfo) -> io.TextIOBase:
    extracted = archive.extractfile(member)
    data = extracted.read() if extracted is not None else b""
    return io.StringIO(data.decode("utf-8-sig"), newline="")


def _numeric(m_id: str) -> tuple[int, str]:
    return (int(m_id), "") if m_id.isdigit() else (0, m_id)
