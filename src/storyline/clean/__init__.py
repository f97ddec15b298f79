"""Cleaning stages: article text out of raw input, language, and metadata."""

from __future__ import annotations

from storyline.clean.text import Line, clean, text_lines
from storyline.model import Document, Passage

_HINTS = {"heading": "heading", "caption": "caption"}


def clean_document(doc: Document) -> Document:
    """Stage: cleaned text with its offset map, paragraphs, title, captions and cues."""
    if doc.markup == "html":
        from storyline.ingest.html import extract_article

        url = doc.given.get("url") if isinstance(doc.given.get("url"), str) else None
        article = extract_article(doc.raw, url)
        doc.page = article.metadata
        doc.warnings.extend(article.warnings)
        if article.title is not None:
            doc.title = Passage.from_piece("title", article.title, "html:title")
        lines = [Line(b.piece, hint=_HINTS.get(b.kind), gap=True, direction=b.direction)
                 for b in article.blocks]
        clean(doc, lines, unwrap=False)
    else:
        lines = text_lines(doc.raw)
        title = doc.given.get("title")
        if isinstance(title, str) and lines and " ".join(lines[0].piece.text.split()) == " ".join(
                title.split()):
            lines = lines[1:]  # the text repeats the title given as a field
        clean(doc, lines, unwrap=True)
    return doc
