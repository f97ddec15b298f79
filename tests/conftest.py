"""Shared fixtures: the bundled example corpus, fresh real SQLite stores, the real CLI."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

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
