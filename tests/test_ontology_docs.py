"""docs/ontology.md shows the shipped ontology: regenerate its tables when the data changes."""

from __future__ import annotations

from pathlib import Path

from storyline.events.ontology import markdown_tables

DOC = Path(__file__).resolve().parent.parent / "docs" / "ontology.md"


def test_ontology_doc_tables_match_the_data() -> None:
    text = DOC.read_text(encoding="utf-8")
    for block in markdown_tables().strip().split("\n\n"):
        assert block in text, "docs/ontology.md is out of date: regenerate its tables with " \
                              "storyline.events.ontology.markdown_tables()"
