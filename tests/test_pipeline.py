"""Several documents through the pipeline at once (`Pipeline.run_many`, the ingest path):
the same documents as one at a time, and a failing document fails alone."""

from __future__ import annotations

import copy
import pickle
from collections.abc import Callable, Iterator

import pytest

from conftest import CORPUS
from storyline.errors import InputError
from storyline.ingest.readers import read
from storyline.ingest.run import BATCH_SIZE, analyse_many
from storyline.model import Document, Rejection
from storyline.nlp import Recognizer
from storyline.nlp.model import pack_parses, unpack_parses
from storyline.pipeline import CLEAN_STAGES, Pipeline, full_stages, stage


def _corpus() -> list[Document]:
    docs = [item for item in read([str(CORPUS)]) if isinstance(item, Document)]
    assert len(docs) > BATCH_SIZE, "the example corpus should fill more than one batch"
    return docs


def _summary(doc: Document) -> tuple[object, ...]:
    return (doc.id, doc.language, repr(doc.mentions), repr(doc.roles), repr(doc.entities),
            repr(doc.claims), repr(doc.events), sorted(doc.terms.items()))


def test_batched_documents_equal_documents_one_at_a_time() -> None:
    pipeline = Pipeline(full_stages(Recognizer()))
    docs = _corpus()
    one_by_one = [_summary(pipeline(copy.deepcopy(d))) for d in docs]
    together = pipeline.run_many([copy.deepcopy(d) for d in docs])
    assert all(isinstance(r, Document) for r in together)
    assert [_summary(r) for r in together if isinstance(r, Document)] == one_by_one
    assert sum(len(d.mentions) for d in together if isinstance(d, Document)) > 50
    assert sum(len(d.events) for d in together if isinstance(d, Document)) > 10


def test_parses_packed_in_one_process_and_finished_in_another_give_the_same_documents(
        ) -> None:
    """The worker/writer split of `ingest --workers 1`: the stages up to the parse, the
    parses packed, pickled and read back with a blank vocabulary, then the rest."""
    parts = Pipeline(full_stages(Recognizer())).split("parse")
    assert parts is not None
    head, tail = parts
    docs = _corpus()
    whole = Pipeline(full_stages(Recognizer())).run_many([copy.deepcopy(d) for d in docs])
    parsed = analyse_many([copy.deepcopy(d) for d in docs], head, keep_parses=True)
    sent = []
    for doc in parsed:
        assert isinstance(doc, Document)
        packed = pack_parses(doc.analyses)
        doc.analyses = []
        sent.append(pickle.loads(pickle.dumps((doc, packed))))
    model_vocab = Recognizer().nlp.vocab
    for doc, packed in sent:
        doc.analyses = unpack_parses(packed)
        assert all(sdoc.vocab is not model_vocab for _, sdoc in doc.analyses)
    assert sum(bool(doc.analyses) for doc, _ in sent) >= len(docs) - 2  # Arabic-only: none
    finished = tail.run_many([doc for doc, _ in sent])
    assert [_summary(d) for d in finished if isinstance(d, Document)] == \
        [_summary(d) for d in whole if isinstance(d, Document)]
    assert len(finished) == len(docs)
    assert sum(len(d.events) for d in finished if isinstance(d, Document)) > 10


def _failing_on(word: str, exc: Callable[[], Exception]) -> Callable[[Document], Document]:
    def check(doc: Document) -> Document:
        if word in doc.text:
            raise exc()
        return doc
    return check


def test_a_failing_document_fails_alone_and_keeps_its_place() -> None:
    bug = stage("bug", _failing_on("Amman", lambda: RuntimeError("on purpose")),
                requires={"text"}, assigns=set())
    bad = stage("bad", _failing_on("Rawashdeh", lambda: InputError("no use")),
                requires={"text"}, assigns=set())
    pipeline = Pipeline((*CLEAN_STAGES, bug, bad))
    docs = _corpus()
    results = analyse_many([*docs, Rejection("x.txt", "unreadable", "decode", None)],
                           pipeline)
    assert len(results) == len(docs) + 1
    assert isinstance(results[-1], Rejection) and results[-1].reason == "unreadable"
    kinds = []
    for doc, result in zip(docs, results, strict=False):
        if "Amman" in doc.raw:
            assert isinstance(result, Rejection) and result.kind == "internal"
            assert "RuntimeError: on purpose" in result.reason and result.source == doc.source
            kinds.append("internal")
        elif "Rawashdeh" in doc.raw:
            assert isinstance(result, Rejection) and result.kind == "input"
            assert result.reason == "no use" and result.source == doc.source
            kinds.append("input")
        else:
            assert isinstance(result, Document) and result.text and result.analyses == []
            kinds.append("kept")
    assert {"internal", "input", "kept"} <= set(kinds)


class _Flaky:
    """A stage whose batch form always fails: the documents run one at a time instead."""

    def __init__(self) -> None:
        self.single = 0

    def __call__(self, doc: Document) -> Document:
        self.single += 1
        doc.extra["seen"] = True
        return doc

    def batch(self, docs: list[Document]) -> list[Document | Exception]:
        raise MemoryError("the whole batch failed") if len(docs) > 1 else RuntimeError()


def test_a_failing_batch_runs_again_one_document_at_a_time() -> None:
    flaky = _Flaky()
    pipeline = Pipeline((*CLEAN_STAGES, stage("flaky", flaky, requires={"text"},
                                              assigns=set(), batch=flaky.batch)))
    docs = _corpus()[:5]
    results = pipeline.run_many(docs)
    assert flaky.single == 5
    assert all(isinstance(r, Document) and r.extra["seen"] for r in results)


class _BrokenOn(Recognizer):
    """The recognizer, with a bug in the step after spaCy for one document."""

    def __init__(self, broken: Document) -> None:
        super().__init__()
        self.broken = broken

    def _arabic(self, doc: Document, *args: object) -> None:
        if doc is self.broken:
            raise ValueError("paragraph bug on purpose")


def test_recognizer_batch_hands_back_a_failing_document() -> None:
    clean = Pipeline(CLEAN_STAGES)
    docs = [d for d in map(clean, _corpus()) if d.language == "en"][:3]
    recognizer = _BrokenOn(docs[1])
    results = recognizer.batch(docs)
    assert isinstance(results[1], ValueError)
    assert isinstance(results[0], Document) and results[0].mentions
    assert isinstance(results[2], Document) and results[2].mentions
    with pytest.raises(ValueError, match="on purpose"):
        recognizer(docs[1])


# --- the analysis thread of a one-process ingest -----------------------------------------


def test_analysis_thread_keeps_input_order_and_raises_its_errors_in_the_writer() -> None:
    from storyline.ingest.run import AnalysisThread

    docs = _corpus()
    pipeline = Pipeline(CLEAN_STAGES)
    with AnalysisThread(pipeline) as ahead:
        out = list(ahead.analyse(iter(docs)))
    assert [d.source for d in out] == [d.source for d in docs]
    assert all(isinstance(d, Document) and d.text for d in out)
    assert ahead.thread is not None and not ahead.thread.is_alive()

    def broken_reader() -> Iterator[Document]:
        yield from docs[:3]
        raise OSError("disk went away")

    with AnalysisThread(pipeline) as ahead:
        got = []
        with pytest.raises(OSError, match="disk went away"):
            for item in ahead.analyse(broken_reader()):
                got.append(item)
    assert len(got) == 3  # what was read before the error still arrives, in order


def test_analysis_thread_stops_when_the_writer_leaves_early() -> None:
    from storyline.ingest.run import AnalysisThread

    docs = _corpus() * 20  # many batches: the thread is still working when we leave
    with AnalysisThread(Pipeline(CLEAN_STAGES)) as ahead:
        first = next(iter(ahead.analyse(iter(docs))))
        assert isinstance(first, Document)
    assert ahead.thread is not None and not ahead.thread.is_alive()
