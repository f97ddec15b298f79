"""Shared fixtures: the bundled example corpus, fresh real SQLite stores, the real CLI."""

from __future__ import annotations

import html as htmllib
import os
import re
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
