"""The time stage: normalize every time mention against the document's publication date."""

from __future__ import annotations

from storyline.model import Document
from storyline.time.normalize import normalize


def normalize_times(doc: Document) -> Document:
    """Give each time mention its `TimeValue`; durations and frequencies become `duration`.

    "30 days" or "every week" are not points in calendar time: they stay as mentions
    (their kind says what they are) but get no value.
    """
    for m in doc.mentions:
        if m.kind != "time":
            continue
        m.time = normalize(m.text, published=doc.published, tense=m.tense or "past")
        if m.time is None:
            m.kind = "duration"
    return doc
