"""The per-document stages on a Ray cluster (`storyline ingest --ray`).

`RayPool` is the Ray counterpart of `storyline.ingest.run.WorkerPool`, behind the same
seam of `ingest()`: Ray actors, one per CPU free in the cluster when the run starts, each
build the per-document pipeline and load the language model once (the model is never
shipped; the pipeline, when one is given, and the gazetteer are sent once, through the
object store), take chunks of Documents and send back the processed ones, spaCy parses
dropped and each pickled by the actor, so a result that cannot travel is rejected alone.
This process, the Ray driver, keeps the cross-document stages and every store write, in
input order, so the knowledge base is the same as a local run on the same input.

Ray is imported only when a pool is made, so the package works without it; without it,
making a pool raises `RayUnavailable`. An actor that dies (killed, out of memory, its node
lost, or unable to start) raises `RayWorkerLost`, a `BrokenExecutor` like a dead local
worker, so the run is recorded as failed in the same way.
"""

from __future__ import annotations

import logging
import os
import pickle
from collections import Counter, deque
from collections.abc import Iterable, Iterator
from concurrent.futures import BrokenExecutor
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from itertools import islice
from types import TracebackType
from typing import Any

from storyline.errors import StorylineError
from storyline.ingest.readers import Item
from storyline.ingest.run import (
    CHUNK_SIZE,
    CHUNKS_PER_WORKER,
    IN_FLIGHT_CHARS,
    _internal_error,
    analyse_chunk,
    chunk_chars,
    worker_pipeline,
)
from storyline.model import Document
from storyline.pipeline import Pipeline

#: The address that starts a Ray instance on this machine for the run (`ray.init`'s own).
LOCAL = "local"
INSTALL_HINT = "install storyline[ray] (pip install 'storyline[ray]')"


class RayUnavailable(StorylineError):
    """Ray cannot be used: the ray package is not installed, or the cluster cannot be
    reached or has no CPU."""


class RayWorkerLost(BrokenExecutor):
    """A Ray actor ended abruptly (killed, out of memory, its node lost, or it could not
    start), so the run cannot go on; what was stored is kept."""


class DocumentWorker:
    """What one Ray actor holds: a pipeline whose model is loaded when the actor starts."""

    def __init__(self, pipeline: Pipeline | None, gazetteer: list[str]) -> None:
        self.pipeline = worker_pipeline(pipeline, gazetteer)

    def analyse(self, chunk: list[Item]) -> list[bytes]:
        return analyse_chunk(chunk, self.pipeline)


@dataclass
class _Sent:
    """A chunk handed to actor number `actor`; `error` when it could not be sent."""

    items: list[Item]
    actor: int
    result: Any = None  # ray.ObjectRef[list[bytes]]
    error: Exception | None = None


class RayPool:
    """Ray actors that run the per-document stages and hand results back in input order.

    Connects to Ray when made (starting a local instance for `address` "local", unless
    this process is already connected, whose connection is then used and left open).
    At most `CHUNKS_PER_WORKER` chunks per actor (and `IN_FLIGHT_CHARS` characters in
    all) are in flight, so memory stays bounded
    however long the input; each chunk goes to the actor with the fewest unfinished ones.
    Leaving the `with` block kills the actors and ends the connection the pool made
    (stopping a local Ray it started), on Ctrl-C too.
    """

    def __init__(self, address: str = LOCAL, pipeline: Pipeline | None = None,
                 gazetteer: Iterable[str] = (), *, actors: int | None = None,
                 chunk_size: int = CHUNK_SIZE) -> None:
        self.address = address
        self.chunk_size = chunk_size
        self._ray = _import_ray()
        self._connected = False
        self._actors: list[Any] = []
        if not self._ray.is_initialized():
            _connect(self._ray, address)
            self._connected = True
        try:
            count = actors if actors is not None else _free_cpus(self._ray, address)
            if count < 1:
                raise ValueError(f"actors must be at least 1, not {count}")
            worker = self._ray.remote(num_cpus=1, max_restarts=0,
                                      max_task_retries=0)(DocumentWorker)
            shared = self._ray.put(pipeline), self._ray.put(list(gazetteer))
            self._actors = [worker.remote(*shared) for _ in range(count)]
        except BaseException:
            self.close()
            raise

    @property
    def workers(self) -> int:
        return len(self._actors)

    def __enter__(self) -> RayPool:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()

    def close(self) -> None:
        """Kill the actors (their unfinished chunks are dropped) and end our connection."""
        for actor in self._actors:
            with suppress(Exception):
                self._ray.kill(actor)
        self._actors = []
        if self._connected:
            self._connected = False
            self._ray.shutdown()

    def analyse(self, items: Iterable[Item]) -> Iterator[Item]:
        """The analysed items, in input order."""
        in_flight: deque[_Sent] = deque()
        limit = self.workers * CHUNKS_PER_WORKER
        iterator = iter(items)
        chars = 0
        while chunk := list(islice(iterator, self.chunk_size)):
            in_flight.append(self._send(chunk, in_flight))
            chars += chunk_chars(chunk)
            while in_flight and (len(in_flight) >= limit or chars > IN_FLIGHT_CHARS):
                chars -= chunk_chars(in_flight[0].items)
                yield from self._results(in_flight.popleft())
        while in_flight:
            yield from self._results(in_flight.popleft())

    def _send(self, chunk: list[Item], in_flight: deque[_Sent]) -> _Sent:
        actor = self._least_busy(in_flight)
        try:
            return _Sent(chunk, actor, self._actors[actor].analyse.remote(chunk))
        except Exception as exc:  # the chunk does not serialize
            return _Sent(chunk, actor, error=exc)

    def _least_busy(self, in_flight: deque[_Sent]) -> int:
        """The actor with the fewest chunks not yet done (the first of them on a tie)."""
        pending = [sent.result for sent in in_flight if sent.result is not None]
        done = set()
        if pending:
            done = set(self._ray.wait(pending, num_returns=len(pending), timeout=0)[0])
        busy = Counter(sent.actor for sent in in_flight
                       if sent.result is not None and sent.result not in done)
        return min(range(self.workers), key=lambda actor: busy[actor])

    def _results(self, sent: _Sent) -> list[Item]:
        error = sent.error
        if error is None:
            exceptions = self._ray.exceptions
            try:
                return [pickle.loads(data) for data in self._ray.get(sent.result)]
            except exceptions.RayTaskError as exc:  # the call failed, not the actor
                error = exc.cause if isinstance(exc.cause, Exception) else exc
            except exceptions.RayError as exc:
                raise RayWorkerLost(_lost(exc)) from exc
            except Exception as exc:  # a result that cannot be read here
                error = exc
        return [_internal_error(item, error) if isinstance(item, Document) else item
                for item in sent.items]


def _import_ray() -> Any:
    try:
        import ray
    except ImportError as exc:
        raise RayUnavailable(f"running on Ray needs the ray package: {INSTALL_HINT}") from exc
    return ray


def _connect(ray: Any, address: str) -> None:
    if address == LOCAL:
        # A Ray instance of our own for this run: no dashboard, no usage report sent out,
        # and quiet; its logs are in Ray's session folder (/tmp/ray/session_latest/logs).
        options: dict[str, Any] = {"include_dashboard": False, "logging_level": logging.ERROR}
    else:
        options = {"logging_level": logging.WARNING}
    try:
        with _default_env(RAY_USAGE_STATS_ENABLED="0"):
            # Actors' output stays in Ray's logs: the command prints what a local run does.
            ray.init(address=address, log_to_driver=False, **options)
    except Exception as exc:
        where = "start Ray on this machine" if address == LOCAL else f"connect to Ray at {address}"
        raise RayUnavailable(f"cannot {where}: {type(exc).__name__}: {exc}") from exc


def _free_cpus(ray: Any, address: str) -> int:
    free = int(ray.available_resources().get("CPU", 0))
    if free >= 1:
        return free
    if ray.cluster_resources().get("CPU", 0) >= 1:
        return 1  # all busy: one actor, which starts when a CPU is free
    raise RayUnavailable(f"the Ray cluster at {address} has no CPU to run actors on")


def _lost(exc: BaseException) -> str:
    """One line for the CLI's "a worker process ended abruptly (...)"."""
    lines = str(exc).strip().splitlines()
    reason = lines[0].rstrip(".") if lines else "no reason given"
    return (f"Ray actor, {type(exc).__name__}: {reason}; "
            f"if no actor started, check that every node has storyline: {INSTALL_HINT}")


@contextmanager
def _default_env(**values: str) -> Iterator[None]:
    """Set environment variables the user has not set, for the block only."""
    added = [name for name in values if name not in os.environ]
    os.environ.update({name: values[name] for name in added})
    try:
        yield
    finally:
        for name in added:
            os.environ.pop(name, None)
