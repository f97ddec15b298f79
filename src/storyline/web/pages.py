"""The web app's pages: server-rendered HTML (Jinja2, autoescaped) over the API's readers.

No page runs script from the store: every value is escaped by the templates, and the
highlighted passages are built from escaped pieces by `storyline.web.render`.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import HTMLResponse, Response
from fastapi.templating import Jinja2Templates
from markupsafe import Markup, escape

from storyline.network import build_network
from storyline.offsets import OffsetMap
from storyline.store import Store, browse
from storyline.store.db import SearchError
from storyline.stories.story import StoryReader
from storyline.web import render
from storyline.web.api import (
    FiltersDep,
    StoreDep,
    actor_row,
    document_row,
    event_row,
    story_row,
)
from storyline.web.render import Highlight, Passage

router = APIRouter(include_in_schema=False)
templates = Jinja2Templates(directory=Path(__file__).parent / "templates")
templates.env.globals["bidi"] = render.bidi
templates.env.filters["bidi"] = render.bidi
templates.env.tests["multiple"] = lambda values: len(values) > 1

ENTITY_KINDS = ("person", "organization", "group", "place", "platform")


def _page(request: Request, name: str, **context: Any) -> Response:
    return templates.TemplateResponse(request, name, context)


def _facets(store: Store) -> dict[str, Any]:
    return {"outlets": browse.outlets(store.conn), "types": browse.event_types(store.conn),
            "topics": browse.topics(store.conn)}


def _pager(request: Request, p: browse.Page) -> dict[str, Any]:
    prev = max(0, p.offset - p.limit) if p.offset > 0 else None
    url = request.url
    return {"total": p.total, "first": p.offset + 1 if p.ids else 0,
            "last": p.offset + len(p.ids),
            "prev": str(url.include_query_params(offset=prev)) if prev is not None else None,
            "next": (str(url.include_query_params(offset=p.next_offset))
                     if p.next_offset is not None else None)}


def _missing(what: str, key: str) -> HTTPException:
    return HTTPException(404, f"There is no {what} {key!r} in this knowledge base.")


# --- stories -------------------------------------------------------------------------------


@router.get("/", response_class=HTMLResponse)
def stories_page(request: Request, store: StoreDep, f: FiltersDep) -> Response:
    p = browse.stories(store.conn, f)
    reader = StoryReader(store)
    rows = [r for sid in p.ids if (r := story_row(store, reader, sid))]
    return _page(request, "stories.html", rows=rows, paging=_pager(request, p),
                 facets=_facets(store), params=request.query_params)


@router.get("/stories/{story_id}", response_class=HTMLResponse)
def story_page(request: Request, store: StoreDep, story_id: str) -> Response:
    story = StoryReader(store).story(story_id)
    if story is None:
        raise _missing("story", story_id)
    by_event: dict[str, list[dict[str, Any]]] = {}
    for row in story["matrix"]:
        by_event.setdefault(row["event"], []).append(row)
    return _page(request, "story.html", story=story, matrix=by_event)


# --- events --------------------------------------------------------------------------------


@router.get("/events", response_class=HTMLResponse)
def events_page(request: Request, store: StoreDep, f: FiltersDep) -> Response:
    p = browse.events(store.conn, f)
    rows = [r for eid in p.ids if (r := event_row(store, eid))]
    return _page(request, "events.html", rows=rows, paging=_pager(request, p),
                 facets=_facets(store), params=request.query_params)


@router.get("/events/{event_id}", response_class=HTMLResponse)
def event_page(request: Request, store: StoreDep, event_id: str) -> Response:
    event = store.events.get(event_id)
    if event is None:
        raise _missing("event", event_id)
    extras = StoryReader(store).event_extras(event["id"])
    docs: dict[str, dict[str, Any]] = {}
    reports = []
    for m in event["mentions"]:
        doc = docs.get(m["document_id"]) or store.document(m["document_id"])
        if doc is None:
            continue
        docs[doc["id"]] = doc
        marks = [Highlight(m["sentence_start"], m["sentence_end"], "quote",
                           label="the supporting sentence", anchor=f"q-{m['idx']}"),
                 Highlight(m["trigger_start"], m["trigger_end"], "trigger",
                           label=f"{m['type']} {m['mode'] or ''}".strip())]
        marks += _claim_marks(store, doc["id"], m["claim"])
        paras = doc["paragraphs"]
        k = min(m["paragraph"], len(paras) - 1) if paras else -1
        passages = [_passage(paras[j], marks) for j in (k - 1, k, k + 1)
                    if 0 <= j < len(paras) and paras[j]["kind"] != "caption"]
        reports.append({"mention": m, "document": doc,
                        "passage": render.render_passages(doc["text"], passages)})
    return _page(request, "event.html", event=event, extras=extras, reports=reports)


def _claim_marks(store: Store, doc_id: str, claim: int | None) -> list[Highlight]:
    """The sources and cues of the attribution chain of a statement, as highlights."""
    marks: list[Highlight] = []
    seen: set[int] = set()
    while claim is not None and claim not in seen:
        seen.add(claim)
        row = store.conn.execute("SELECT cue_start, cue_end, source, source_start, "
                                 "source_end, via FROM claims WHERE document_id = ? AND "
                                 "idx = ?", (doc_id, claim)).fetchone()
        if row is None:
            break
        marks.append(Highlight(row["cue_start"], row["cue_end"], "cue", label="attribution cue"))
        if row["source_start"] is not None:
            marks.append(Highlight(row["source_start"], row["source_end"], "source",
                                   label=f"source: {row['source']}"))
        claim = row["via"]
    return marks


def _passage(para: dict[str, Any], marks: list[Highlight]) -> Passage:
    return Passage(para["start"], para["end"], para.get("direction") or "ltr",
                   para.get("language"), para.get("kind") or "body", marks)


# --- actors --------------------------------------------------------------------------------


@router.get("/actors", response_class=HTMLResponse)
def actors_page(request: Request, store: StoreDep, f: FiltersDep,
                name: str | None = None) -> Response:
    p = browse.actors(store.conn, f, name=name)
    rows = [r for aid in p.ids if (r := actor_row(store, aid))]
    return _page(request, "actors.html", rows=rows, paging=_pager(request, p),
                 params=request.query_params)


@router.get("/actors/{actor_id}", response_class=HTMLResponse)
def actor_page(request: Request, store: StoreDep, actor_id: str) -> Response:
    actor = store.actors.find(actor_id)
    if actor is None:
        raise _missing("actor", actor_id)
    aid = actor["id"]
    p = browse.events(store.conn, browse.Filters(actor_ids=[aid], limit=browse.MAX_LIMIT))
    events = [r for eid in p.ids if (r := event_row(store, eid))]
    network = build_network(store, actor_id=aid)
    names = {n.id: n.name for n in network.nodes}
    partners: list[dict[str, Any]] = []
    for e in network.edges:
        other = e.target if e.source == aid else e.source
        partners.append({"id": other, "name": names.get(other, other), "relation": e.relation,
                         "events": e.events})
    partners.sort(key=lambda x: (x["relation"], -len(x["events"]), x["name"]))
    roles = sorted(actor["roles"], key=lambda r: (r["as_of"] or "9999", r["title"]))
    return _page(request, "actor.html", actor=actor, events=events, roles=roles,
                 graph=render.network_svg(network, aid), partners=partners,
                 mentions=store.actors.mentions_of(aid, limit=30))


# --- documents -----------------------------------------------------------------------------


@router.get("/documents", response_class=HTMLResponse)
def documents_page(request: Request, store: StoreDep, f: FiltersDep) -> Response:
    p = browse.documents(store.conn, f)
    rows = [r for did in p.ids if (r := document_row(store, did))]
    return _page(request, "documents.html", rows=rows, paging=_pager(request, p),
                 facets=_facets(store), params=request.query_params)


@router.get("/documents/{doc_id}", response_class=HTMLResponse)
def document_page(request: Request, store: StoreDep, doc_id: str,
                  src: str | None = None) -> Response:
    doc = store.document(doc_id)
    if doc is None:
        raise _missing("document", doc_id)
    spans = browse.document_spans(store.conn, doc["id"])
    marks = [Highlight(m["char_start"], m["char_end"], "entity",
                       label=f"{m['kind']}" + (f": {m['actor_name']}" if m["actor_name"] else ""),
                       href=f"/actors/{m['actor_id']}" if m["actor_id"] else None,
                       css=f"ent-{m['kind']}") for m in spans["mentions"]]
    marks += [Highlight(t["char_start"], t["char_end"], "time", label=f"time: {t['time_value']}")
              for t in spans["times"]]
    marks += [Highlight(e["trigger_start"], e["trigger_end"], "trigger",
                        label=f"{e['type']} event", anchor=f"ev-{e['event_id']}")
              for e in spans["events"]]
    cited = _cited_span(doc, src)
    if cited is not None:
        marks.append(Highlight(cited[0], cited[1], "cited", label="cited passage",
                               anchor="cited"))
    passages = [_passage(p, marks) for p in doc["paragraphs"]]
    events = {e["event_id"]: e for e in spans["events"]}
    return _page(request, "document.html", doc=doc, text=render.render_passages(
        doc["text"], passages), story=store.stories.story_of(doc["id"]),
        events=list(events.values()), cited=cited,
        inferred=store.events.inferred_dates(doc["id"]))


def _cited_span(doc: dict[str, Any], src: str | None) -> tuple[int, int] | None:
    """`?src=START-END` (a span of the original input, as citations give it) mapped to
    the cleaned text."""
    if not src:
        return None
    start, _, end = src.partition("-")
    if not (start.isdigit() and end.isdigit()):
        raise HTTPException(400, "src must be START-END, character offsets of the input")
    offsets = OffsetMap.from_json(doc["offsets"], len(doc["text"]))
    return offsets.clean_span(int(start), int(end))


# --- search --------------------------------------------------------------------------------

_OPEN, _CLOSE = "\ue000", "\ue001"


@router.get("/search", response_class=HTMLResponse)
def search_page(request: Request, store: StoreDep, q: str = "") -> Response:
    results: list[dict[str, Any]] = []
    error = None
    if q.strip():
        try:
            results = store.search(q, limit=50, marks=(_OPEN, _CLOSE))
        except SearchError as exc:
            error = str(exc)
    for r in results:
        r["snippet_html"] = _snippet(r["snippet"] or "")
    response = _page(request, "search.html", q=q, results=results, error=error)
    if error:
        response.status_code = 400
    return response


def _snippet(text: str) -> Markup:
    """A search snippet with its matched words marked; stray marks (the article's own
    private-use characters) are dropped."""
    escaped = str(escape(text))
    marked = re.sub(f"{_OPEN}([^{_OPEN}{_CLOSE}]*){_CLOSE}", r"<mark>\1</mark>", escaped)
    return Markup(marked.replace(_OPEN, "").replace(_CLOSE, ""))
