"""An ingest run: read inputs, run the per-document pipeline, keep results in the store.

With `workers` > 1 the per-document stages (cleaning, the language model and everything
that needs its parses) run in that many worker processes, each with its own pipeline,
while this process stays the single writer: it reads the inputs, resolves actors, places
documents in stories and writes the store, in input order, so the knowledge base is the
same as a one-process run on the same input. With `ray_address` the same stages run on
a Ray cluster instead (`storyline.ingest.distributed`), and this process still writes.
"""

from __future__ import annotations

import multiprocessing
import os
import pickle
import queue
import signal
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import BrokenExecutor, Future, ProcessPoolExecutor
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from itertools import islice
from multiprocessing.connection import Connection
from types import TracebackType
from typing import Any, BinaryIO, Protocol

from storyline.actors.resolve import Resolver
from storyline.errors import InputError
from storyline.ingest.readers import Item, ReadOptions, read
from storyline.model import Document, Rejection
from storyline.nlp import Recognizer
from storyline.nlp.model import PackedParses, pack_parses, unpack_parses
from storyline.pipeline import Pipeline, full_stages
from storyline.store import Store
from storyline.stories import StoryBuilder
from storyline.stories.rules import StoryRules

#: Documents analysed together: their paragraphs go through the language model in one
#: call, which is faster than one call per document (on 300 ECB+ articles, 7,000 words/s
#: against 6,000-6,500; on 100 PolNeAR articles up to 10% faster).
BATCH_SIZE = 8
#: Documents sent to a worker at a time (one batch), and chunks in flight per worker:
#: enough to keep every worker busy while this process writes, and while it places a
#: window of a long run's documents in stories (about 12 s for 1,000 articles, as long
#: as one worker takes for about 100), few enough to keep memory bounded; and at most
#: `IN_FLIGHT_CHARS` characters of input in flight, however large the articles.
CHUNK_SIZE = BATCH_SIZE
CHUNKS_PER_WORKER = 16
IN_FLIGHT_CHARS = 40_000_000

#: How worker processes start: forked from a small server process started afresh, or else
#: a new interpreter each; never forked from this one, whose threads (the executor's) and
#: open SQLite connection make fork unsafe. Both measured at about 2 s for two workers,
#: mostly loading the language model; forkserver workers also stop at once.
START_METHOD = ("forkserver" if "forkserver" in multiprocessing.get_all_start_methods()
                else "spawn")


def chunk_chars(chunk: Iterable[Item]) -> int:
    """Characters of input in a chunk (its documents' raw texts)."""
    return sum(len(item.raw) for item in chunk if isinstance(item, Document))


@dataclass
class IngestReport:
    """What one run did; `summary()` is the one line the CLI prints at the end."""

    run_id: int = 0
    read: int = 0
    stored: int = 0
    duplicates: int = 0
    unchanged: int = 0
    rejected: int = 0
    rejections: list[Rejection] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    interrupted: bool = False

    def counts(self) -> dict[str, int]:
        return {"read": self.read, "stored": self.stored, "duplicates": self.duplicates,
                "unchanged": self.unchanged, "rejected": self.rejected}

    def summary(self) -> str:
        line = (f"read {self.read}, stored {self.stored}, duplicates {self.duplicates}, "
                f"already stored {self.unchanged}, rejected {self.rejected}")
        return f"interrupted: {line}" if self.interrupted else line


ProgressHook = Callable[[IngestReport, str], None]


def ingest(paths: Iterable[str], store: Store, *, options: ReadOptions | None = None,
           pipeline: Pipeline | None = None, stdin: BinaryIO | None = None,
           progress: ProgressHook | None = None, batch_size: int = 50,
           batch_seconds: float = 1.0, workers: int = 0,
           ray_address: str | None = None,
           story_rules: StoryRules | None = None) -> IngestReport:
    """Ingest every item under `paths` into `store` and report what happened.

    Documents are committed in small batches (every `batch_size` documents or
    `batch_seconds`), each one atomically, so an interrupted run keeps what it
    committed and a re-run of the same inputs completes the job. With `workers` 0 the
    per-document stages run in this process, in a thread beside the writer; `workers`
    N runs them in N processes beside this one (`pipeline`, when given, is sent to each
    of them, so its stages must pickle), so the writer's work no longer takes turns with
    theirs on one interpreter lock. `ray_address` runs them on Ray
    instead, one actor per free CPU: "local" starts Ray on this machine for the run,
    anything else is a cluster address as `ray.init` takes it ("auto", "ray://head:10001").
    The stored documents are placed in stories (`StoryBuilder`, with `story_rules` when
    given) a window of `refine_window` documents at a time, as soon as one is full, and
    the last ones at the end of the run.
    """
    if workers < 0:
        raise ValueError(f"workers must be 0 (this process) or more, not {workers}")
    if ray_address is not None and workers != 0:
        raise ValueError("workers and ray_address exclude each other: on Ray one actor runs "
                         "per free CPU of the cluster")
    paths = list(paths)
    gazetteer = store.actors.person_names()
    resolver = Resolver(store.actors)
    stories = StoryBuilder(store, story_rules, defer=True)
    report = IngestReport()
    remote = None
    if ray_address is not None:
        from storyline.ingest.distributed import RayPool

        # Connected before the run is recorded: no ray, or a bad address, fails right away.
        remote = RayPool(ray_address, pipeline, gazetteer)
    report.run_id = store.start_run(paths)
    store.begin()
    last_commit = time.monotonic()
    pending = 0
    try:
        with _analyser(workers, pipeline, gazetteer, remote) as analyse:
            for item in analyse(_counted(read(paths, options, stdin=stdin), report)):
                if isinstance(item, Rejection):
                    _reject(store, report, item)
                else:
                    _keep(item, store, report, resolver, stories)
                    if stories.window_full():  # placed while the workers go on
                        stories.place_waiting()
                pending += 1
                if pending >= batch_size or time.monotonic() - last_commit >= batch_seconds:
                    store.commit()
                    store.begin()
                    pending, last_commit = 0, time.monotonic()
                if progress:
                    progress(report, item.source)
        stories.place_waiting()  # the run's last documents, dated ones by date
        resolver.finish()
        stories.finish()
    except KeyboardInterrupt:
        report.interrupted = True
    except BrokenExecutor:  # a worker or actor died (killed, out of memory): keep what is stored
        store.finish_run(report.run_id, "failed", report.counts())
        store.commit()
        raise
    store.finish_run(report.run_id, "interrupted" if report.interrupted else "done",
                     report.counts())
    store.commit()
    return report


def _counted(items: Iterable[Item], report: IngestReport) -> Iterator[Item]:
    for item in items:
        report.read += 1
        yield item


Analyse = Callable[[Iterable[Item]], Iterator[Item]]


class Pool(Protocol):
    """Where the per-document stages run apart from the writer: worker processes, Ray."""

    def __enter__(self) -> Pool: ...

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None: ...

    def analyse(self, items: Iterable[Item]) -> Iterator[Item]: ...


@contextmanager
def _analyser(workers: int, pipeline: Pipeline | None, gazetteer: list[str],
              remote: Pool | None = None) -> Iterator[Analyse]:
    """How items become analysed items: in this process (`workers` 0), in a pool of
    worker processes, or in `remote`, a pool made (and connected) by the caller."""
    if remote is not None:
        with remote:
            yield remote.analyse
        return
    if workers == 0:
        local = pipeline or Pipeline(full_stages(Recognizer(gazetteer=gazetteer)))
        with AnalysisThread(local) as ahead:
            yield ahead.analyse
        return
    with WorkerPool(workers, pipeline, gazetteer,
                    finish_here=workers < (os.cpu_count() or 1)) as pool:
        yield pool.analyse


class AnalysisThread:
    """The per-document stages in a second thread of this process, at most `ahead`
    batches ahead of the writer (the calling thread), which alone touches the store.

    SQLite and the language model's matrix products release the GIL, so storing one
    batch overlaps with parsing the next. Results come back in input order; an exception
    in the stages' thread (reading included) is raised in the writer's; leaving the `with`
    block (Ctrl-C included) stops the thread after the batch it is on.
    """

    def __init__(self, pipeline: Pipeline, ahead: int = 2) -> None:
        self.pipeline = pipeline
        self.results: queue.Queue[tuple[str, Any]] = queue.Queue(maxsize=ahead)
        self.stopped = threading.Event()
        self.thread: threading.Thread | None = None

    def __enter__(self) -> AnalysisThread:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.stopped.set()
        if self.thread is not None:
            self.thread.join()

    def analyse(self, items: Iterable[Item]) -> Iterator[Item]:
        """The analysed items, in input order."""
        self.thread = threading.Thread(target=self._produce, args=(items,), daemon=True,
                                       name="storyline-analysis")
        self.thread.start()
        while True:
            kind, value = self.results.get()
            if kind == "error":
                raise value
            if kind == "done":
                return
            yield from value

    def _produce(self, items: Iterable[Item]) -> None:
        chunk: list[Item] = []
        try:
            for item in items:
                chunk.append(item)
                if len(chunk) == BATCH_SIZE:
                    self._put("items", analyse_many(chunk, self.pipeline))
                    chunk = []
                    if self.stopped.is_set():
                        return
            if chunk:
                self._put("items", analyse_many(chunk, self.pipeline))
            self._put("done", None)
        except BaseException as exc:  # handed to the writer, which decides
            if chunk:  # what was read before a reading error is still stored
                with suppress(Exception):
                    self._put("items", analyse_many(chunk, self.pipeline))
            self._put("error", exc)

    def _put(self, kind: str, value: Any) -> None:
        while not self.stopped.is_set():
            with suppress(queue.Full):
                self.results.put((kind, value), timeout=0.1)
                return


def analyse_many(items: list[Item], pipeline: Pipeline, *, keep_parses: bool = False
                 ) -> list[Item]:
    """Run the per-document stages on several items together (`Pipeline.run_many`); each
    result in its item's place, and a document that cannot be used becomes a Rejection
    without taking the others with it. The spaCy parses are dropped, unless
    `keep_parses` (for stages that run later, elsewhere)."""
    docs = [item for item in items if isinstance(item, Document)]
    done = iter(pipeline.run_many(docs) if docs else [])
    return [item if isinstance(item, Rejection) else _outcome(item, next(done), keep_parses)
            for item in items]


def _outcome(doc: Document, result: Document | Exception, keep_parses: bool = False) -> Item:
    if isinstance(result, InputError):
        result.locate(doc.source, doc.line)
        return Rejection(doc.source, result.reason, result.kind, doc.line)
    if isinstance(result, Exception):  # a bug must not lose the other documents of the run
        return _internal_error(doc, result)
    if not keep_parses:
        result.analyses = []  # the spaCy parses are not kept
    return result


def _internal_error(doc: Document, exc: BaseException) -> Rejection:
    return Rejection(doc.source, f"internal error while processing: {type(exc).__name__}: "
                     f"{exc}", "internal", doc.line)


def _keep(doc: Document, store: Store, report: IngestReport, resolver: Resolver,
          stories: StoryBuilder) -> None:
    outcome = store.add(doc, resolver.resolve, stories)
    if outcome == "stored":
        report.stored += 1
    elif outcome == "duplicate":
        report.duplicates += 1
    else:
        report.unchanged += 1
    for warning in doc.warnings:
        report.warnings.append(f"{doc.where}: {warning}")


def _reject(store: Store, report: IngestReport, rejection: Rejection) -> None:
    report.rejected += 1
    report.rejections.append(rejection)
    store.add_rejection(report.run_id, rejection)


# --- worker processes ------------------------------------------------------------------


class WorkerPool:
    """Worker processes that run the per-document stages and hand results back in order.

    With `finish_here` (when a core is left for this process: fewer workers than cores),
    the workers run the stages up to the language model's parse and hand back the parses
    (`storyline.nlp.model.pack_parses`); the stages after it (the rule layer, times,
    entities, claims, events, signature: about a sixth of the model's time) run here,
    in the writer, while the workers parse the next documents.
    At most `workers * CHUNKS_PER_WORKER` chunks (and `IN_FLIGHT_CHARS` characters) are
    in flight, so memory stays bounded
    however long the input. Leaving the `with` block on an exception (Ctrl-C included)
    terminates the workers at once; they ignore SIGINT themselves, so the writer alone
    decides how a run ends, and they end by themselves when the writer is gone (even
    killed with SIGKILL), since the executor's queues alone would keep them waiting.
    """

    def __init__(self, workers: int, pipeline: Pipeline | None = None,
                 gazetteer: Iterable[str] = (), *, chunk_size: int = CHUNK_SIZE,
                 start_method: str = START_METHOD, finish_here: bool = False) -> None:
        self.workers = workers
        self.chunk_size = chunk_size
        self.finish: Pipeline | None = None  # the stages run here, when any
        if finish_here:
            full = pipeline or Pipeline(full_stages(Recognizer(gazetteer=gazetteer)))
            parts = full.split("parse")
            if parts is not None:
                pipeline, self.finish = parts
        context = multiprocessing.get_context(start_method)
        # Only this process holds the sending end, `_alive`; workers watch the other end
        # and see it close when this process ends, however it ends.
        self._watched, self._alive = context.Pipe(duplex=False)
        self.executor = ProcessPoolExecutor(
            workers, mp_context=context, initializer=_start_worker,
            initargs=(pipeline, list(gazetteer), self._watched, self.finish is not None))
        self._started = False

    def __enter__(self) -> WorkerPool:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close(terminate=exc_type is not None)

    def close(self, *, terminate: bool = False) -> None:
        """Stop the workers: let them finish, or (`terminate`) kill them where they are."""
        if terminate:
            for process in list((self.executor._processes or {}).values()):
                process.terminate()
        self.executor.shutdown(wait=True, cancel_futures=True)
        self._alive.close()
        self._watched.close()

    def analyse(self, items: Iterable[Item]) -> Iterator[Item]:
        """The analysed items, in input order."""
        in_flight: deque[tuple[list[Item], Future[list[bytes]]]] = deque()
        limit = self.workers * CHUNKS_PER_WORKER
        iterator = iter(items)
        chars = 0
        while chunk := list(islice(iterator, self.chunk_size)):
            in_flight.append((chunk, self._submit(chunk)))
            chars += chunk_chars(chunk)
            while in_flight and (len(in_flight) >= limit or chars > IN_FLIGHT_CHARS):
                chars -= chunk_chars(in_flight[0][0])
                yield from self._finished(*in_flight.popleft())
        while in_flight:
            yield from self._finished(*in_flight.popleft())

    def _finished(self, chunk: list[Item], future: Future[list[bytes]]) -> list[Item]:
        items = _results(chunk, future)
        if self.finish is None:
            return items
        return analyse_many([_unpacked(item) for item in items], self.finish)

    def _submit(self, chunk: list[Item]) -> Future[list[bytes]]:
        if self._started:
            return self.executor.submit(_analyse_chunk, chunk)
        self._started = True  # the first submit starts the processes: without SIGINT
        with _sigint_ignored():
            return self.executor.submit(_analyse_chunk, chunk)


def _results(chunk: list[Item], future: Future[list[bytes]]) -> list[Any]:
    try:
        return [pickle.loads(data) for data in future.result()]
    except (KeyboardInterrupt, SystemExit, BrokenExecutor):
        raise
    except Exception as exc:  # the chunk could not be sent to a worker
        return [_internal_error(item, exc) if isinstance(item, Document) else item
                for item in chunk]


def _unpacked(item: Item | tuple[Document, PackedParses]) -> Item:
    """A document back from a worker with its parses (`analyse_chunk` with
    `keep_parses`), the parses read back into it."""
    if not isinstance(item, tuple):
        return item
    doc, packed = item
    try:
        doc.analyses = unpack_parses(packed)
    except Exception as exc:  # this document alone is lost, and named
        return _internal_error(doc, exc)
    return doc


@contextmanager
def _sigint_ignored() -> Iterator[None]:
    """Ignore SIGINT while starting workers: they inherit it, so a Ctrl-C is the writer's
    alone even before a worker has set its own handler."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


_worker_pipeline: Pipeline | None = None
_worker_keeps_parses = False


def _start_worker(pipeline: Pipeline | None, gazetteer: list[str], writer: Connection,
                  keep_parses: bool = False) -> None:
    """Build this worker's pipeline once and load its language model before any work."""
    global _worker_pipeline, _worker_keeps_parses
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    threading.Thread(target=_end_with_writer, args=(writer,), daemon=True).start()
    _worker_pipeline = worker_pipeline(pipeline, gazetteer)
    _worker_keeps_parses = keep_parses


def worker_pipeline(pipeline: Pipeline | None, gazetteer: list[str]) -> Pipeline:
    """A worker's pipeline (`pipeline`, or the full one), its model loaded now, not in the
    first document."""
    built = pipeline or Pipeline(full_stages(Recognizer(gazetteer=gazetteer)))
    for st in built.stages:
        if isinstance(st.func, Recognizer):
            # A model that cannot load is reported per document, as in a one-process run.
            with suppress(Exception):
                st.func.nlp  # noqa: B018 - loads the model
    return built


def _end_with_writer(writer: Connection) -> None:
    """End this worker once the writer process is gone (its end of the pipe closed)."""
    with suppress(EOFError, OSError):
        writer.recv_bytes()
    os._exit(1)


def _analyse_chunk(chunk: list[Item]) -> list[bytes]:
    assert _worker_pipeline is not None, "worker started without _start_worker"
    return analyse_chunk(chunk, _worker_pipeline, keep_parses=_worker_keeps_parses)


def analyse_chunk(chunk: list[Item], pipeline: Pipeline, *, keep_parses: bool = False
                  ) -> list[bytes]:
    """Analyse a chunk in a worker; each result pickled here, so a document that cannot
    be sent back is rejected alone, not with its whole chunk. With `keep_parses`, a
    document goes back with its parses packed (`(document, PackedParses)`)."""
    out: list[bytes] = []
    for item, result in zip(chunk, analyse_many(chunk, pipeline, keep_parses=keep_parses),
                            strict=True):
        try:
            if keep_parses and isinstance(result, Document):
                packed = pack_parses(result.analyses)
                result.analyses = []
                out.append(pickle.dumps((result, packed), protocol=pickle.HIGHEST_PROTOCOL))
                continue
            out.append(pickle.dumps(result, protocol=pickle.HIGHEST_PROTOCOL))
        except Exception as exc:
            assert isinstance(item, Document)  # Rejections always pickle
            out.append(pickle.dumps(_internal_error(item, exc)))
    return out
