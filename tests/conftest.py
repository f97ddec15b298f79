"""Shared fixtures: the bundled example corpus, fresh real SQLite stores, the real CLI."""

from __future__ import annotations

import html as htmllib
import os
import re
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from storyline.model import Document
from storyline.store import Store

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "examples" / "corpus"
SHARED = ROOT.parent / "shared" / "corpora"


@pytest.fixture
def corpus() -> Path:
    return CORPUS


@pytest.fixture
def fresh_store(tmp_path: Path) -> Iterator[Store]:
    store = Store(tmp_path / "test.db")
    yield store
    store.close()


def run_cli(*args: str, cwd: Path | None = None, stdin: bytes | None = None,
            env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """Run the real `storyline` command (as `python -m storyline`)."""
    full_env = {**os.environ, "COLUMNS": "200", **(env or {})}
    return subprocess.run([sys.executable, "-m", "storyline", *args], cwd=cwd,
                          input=stdin.decode() if stdin is not None else None,
                          capture_output=True, text=True, env=full_env, timeout=300)


def source_text(doc: Document, start: int, end: int) -> str:
    """The page source behind a cleaned span, tags out, entities decoded, spaces collapsed."""
    s, e = doc.original_span(start, end)
    return " ".join(htmllib.unescape(re.sub(r"<[^>]*>", " ", doc.raw[s:e])).split())


def assert_offsets_into_source(doc: Document) -> None:
    """For HTML input: every non-space character maps to itself or to the '&' of its
    entity, and each paragraph's source span starts with its first words."""
    assert doc.offsets.length == len(doc.text)
    for i, ch in enumerate(doc.text):
        if not ch.isspace():
            original = doc.raw[doc.offsets.original(i)]
            assert original == ch or original == "&", (i, ch, original)
    for p in doc.paragraphs:
        first_words = " ".join(doc.text[p.start:p.end].split()[:5])
        assert source_text(doc, p.start, p.end).startswith(first_words)


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def build_example_db(path: Path, *extra: Path) -> str:
    """A store with the bundled example corpus (and `extra` inputs) ingested."""
    from storyline.ingest.run import ingest

    with Store(path) as store:
        report = ingest([str(CORPUS), *(str(e) for e in extra)], store)
        assert report.rejected == 0, report.rejections
    return str(path)


class LiveServer:
    """The real app served by uvicorn on a free loopback port, in a thread."""

    def __init__(self, db: str, token: str | None = None) -> None:
        import threading

        import uvicorn

        from storyline.web import create_app

        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        config = uvicorn.Config(create_app(db, token=token), host="127.0.0.1", port=self.port,
                                log_level="warning")
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)
        self.thread.start()
        import time

        deadline = time.monotonic() + 20
        while not self.server.started:
            if time.monotonic() > deadline or not self.thread.is_alive():
                raise RuntimeError("server did not start")
            time.sleep(0.05)

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)


def as_in_a_terminal() -> None:
    """For a child process that a test interrupts as Ctrl-C does: SIGINT back to its
    default, so that Python raises KeyboardInterrupt there. A shell that starts a job in
    the background without job control (a CI runner's, `cmd &`) sets SIGINT to be
    ignored, and children inherit that; a terminal's foreground job never has it so."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)
