"""The REST API: `/api/...` endpoints over the same library readers as the CLI."""

from __future__ import annotations

import io
import json
from collections.abc import AsyncIterator
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Query, Request, Response
from fastapi.responses import HTMLResponse, PlainTextResponse
from starlette.concurrency import run_in_threadpool

from storyline.brief import StoryNotFound, story_brief
from storyline.export import claim_record, event_record, write_csv
from storyline.network import build_network, write_graphml
from storyline.plover import write_plover
from storyline.store import Store, browse
from storyline.stories.corroborate import outlet_name
from storyline.stories.story import StoryReader
from storyline.web import submit
from storyline.web.app import Settings, check_token

router = APIRouter(prefix="/api")

DATE = r"^(\d{4}(-\d{2}(-\d{2})?)?)?$"  # empty: no filter (what an empty form field sends)


async def reading(request: Request) -> AsyncIterator[Store]:
    """A read-only store for one request, inside one read transaction (a snapshot)."""
    readers = request.app.state.readers
    store = await readers.acquire()
    try:
        yield store
    finally:
        readers.release(store)


StoreDep = Annotated[Store, Depends(reading)]


def filters(
    store: StoreDep,
    actor: Annotated[str | None, Query(description="An actor id or any of its names "
                                                   "(a part of a name matches too)")] = None,
    type: Annotated[str | None, Query(description="Event type, e.g. CONSULT")] = None,
    topic: Annotated[str | None, Query(description="Event topic, e.g. water")] = None,
    outlet: Annotated[str | None, Query(description="Outlet name (exact, any case)")] = None,
    date_from: Annotated[str | None, Query(pattern=DATE, description="YYYY[-MM[-DD]]")] = None,
    date_to: Annotated[str | None, Query(pattern=DATE, description="YYYY[-MM[-DD]]")] = None,
    story: Annotated[str | None, Query(description="Story id")] = None,
    document: Annotated[str | None, Query(description="Document id")] = None,
    kind: Annotated[str | None, Query(description="Actor kind or claim kind")] = None,
    min_score: Annotated[float, Query(ge=0, le=1)] = 0.0,
    limit: Annotated[int, Query(ge=1, le=browse.MAX_LIMIT)] = 50,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> browse.Filters:
    """Query parameters shared by the listings."""
    actor_ids = store.actors.matching(actor.strip()) if actor and actor.strip() else None
    return browse.Filters(actor_ids=actor_ids, type=type or None, topic=topic or None,
                          outlet=outlet or None, date_from=date_from or None,
                          date_to=date_to or None, story=story or None,
                          document=document or None, kind=kind or None, min_score=min_score,
                          limit=limit, offset=offset)


FiltersDep = Annotated[browse.Filters, Depends(filters)]


def page(p: browse.Page, items: list[dict[str, Any]]) -> dict[str, Any]:
    return {"items": items, "total": p.total, "limit": p.limit, "offset": p.offset,
            "next_offset": p.next_offset}


# --- records shared with the pages ---------------------------------------------------------


def story_row(store: Store, reader: StoryReader, story_id: str) -> dict[str, Any] | None:
    row = store.stories.row(story_id)
    if row is None:
        return None
    docs = store.stories.documents(story_id)
    return {"id": story_id, "title": reader.title(story_id, docs),
            "first_date": row["first_date"], "last_date": row["last_date"],
            "documents": len(docs),
            "outlets": sorted({outlet_name(d["outlet"], d["id"]) for d in docs}),
            "events": len(store.stories.event_ids(story_id))}


def event_row(store: Store, event_id: str) -> dict[str, Any] | None:
    row = store.events.get(event_id)
    if row is None:
        return None
    record = event_record(row)
    record["outlets"] = sorted({outlet_name(m["outlet"], m["document_id"])
                                for m in row["mentions"]})
    del record["mentions"], record["facts"], record["merges"], record["summary"]
    return record


def document_row(store: Store, doc_id: str) -> dict[str, Any] | None:
    record = store.document(doc_id)
    if record is None:
        return None
    return {k: record[k] for k in ("id", "external_id", "title", "outlet", "published",
                                   "language", "duplicate_of", "duplicate_kind", "source")} | {
        "url": record["metadata"].get("url"), "story": store.stories.story_of(record["id"]),
        "characters": len(record["text"])}


def claim_row(store: Store, key: str) -> dict[str, Any] | None:
    row = browse.claim(store.conn, key)
    if row is None:
        return None
    row["content"] = json.loads(row["content"])
    row["original"] = json.loads(row["original"])
    record = claim_record(row)
    record["id"] = key
    record["outlet"], record["published"] = row["outlet"], row["published"]
    return record


def actor_row(store: Store, actor_id: str) -> dict[str, Any] | None:
    return store.actors.find(actor_id)


def _found(value: dict[str, Any] | None, what: str, key: str) -> dict[str, Any]:
    if value is None:
        raise HTTPException(404, f"no {what} {key!r}")
    return value


# --- endpoints ---------------------------------------------------------------------------


@router.get("/status", summary="What the store holds")
def status(store: StoreDep) -> dict[str, Any]:
    return {"documents": store.count_documents(), "actors": store.actors.count(),
            "events": store.events.count(), "stories": store.stories.count(),
            "schema_version": store.schema_version,
            "outlets": [{"name": n, "documents": c} for n, c in browse.outlets(store.conn)],
            "types": [{"type": t, "events": c} for t, c in browse.event_types(store.conn)],
            "topics": [{"topic": t, "events": c} for t, c in browse.topics(store.conn)]}


@router.get("/stories", summary="Stories, most recently active first")
def stories(store: StoreDep, f: FiltersDep) -> dict[str, Any]:
    p = browse.stories(store.conn, f)
    reader = StoryReader(store)
    return page(p, [r for sid in p.ids if (r := story_row(store, reader, sid))])


@router.get("/stories/{story_id}", summary="A story: summary, timeline, sources matrix")
def story(store: StoreDep, story_id: str) -> dict[str, Any]:
    return _found(StoryReader(store).story(story_id), "story", story_id)


@router.get("/events", summary="Canonical events, newest first")
def events(store: StoreDep, f: FiltersDep) -> dict[str, Any]:
    p = browse.events(store.conn, f)
    return page(p, [r for eid in p.ids if (r := event_row(store, eid))])


@router.get("/events/{event_id}", summary="An event with every report, fact and conflict")
def event(store: StoreDep, event_id: str) -> dict[str, Any]:
    row = _found(store.events.get(event_id), "event", event_id)
    return event_record(row, StoryReader(store).event_extras(row["id"]))


@router.get("/actors", summary="Actors, most mentioned first")
def actors(store: StoreDep, f: FiltersDep,
           name: Annotated[str | None, Query(description="Part of any alias")] = None
           ) -> dict[str, Any]:
    p = browse.actors(store.conn, f, name=name)
    return page(p, [r for aid in p.ids if (r := actor_row(store, aid))])


@router.get("/actors/{actor_id}", summary="An actor: aliases, roles, mentions, events, network")
def actor(store: StoreDep, actor_id: str) -> dict[str, Any]:
    record = _found(store.actors.find(actor_id), "actor", actor_id)
    aid = record["id"]
    record["mention_list"] = store.actors.mentions_of(aid, limit=200)
    p = browse.events(store.conn, browse.Filters(actor_ids=[aid], limit=browse.MAX_LIMIT))
    record["events"] = [r for eid in p.ids if (r := event_row(store, eid))]
    net = build_network(store, actor_id=aid)
    record["network"] = {
        "nodes": [{"id": n.id, "name": n.name, "kind": n.kind, "events": n.events}
                  for n in net.nodes],
        "edges": [{"source": e.source, "target": e.target, "relation": e.relation,
                   "events": e.events} for e in net.edges]}
    return record


@router.get("/documents", summary="Documents, newest first")
def documents(store: StoreDep, f: FiltersDep) -> dict[str, Any]:
    p = browse.documents(store.conn, f)
    return page(p, [r for did in p.ids if (r := document_row(store, did))])


@router.get("/documents/{doc_id}", summary="A document: metadata, cleaned text, spans")
def document(store: StoreDep, doc_id: str,
             raw: Annotated[bool, Query(description="Include the original input")] = False
             ) -> dict[str, Any]:
    record = _found(store.document(doc_id, include_raw=raw), "document", doc_id)
    record["story"] = store.stories.story_of(record["id"])
    record["spans"] = browse.document_spans(store.conn, record["id"])
    return record


@router.post("/documents", status_code=200, summary="Ingest an article",
             description="The body is one input file as the CLI reads it: a text or HTML "
                         "article, a JSON object or list, or JSON Lines. The response lists "
                         "what was stored, found to be a duplicate, already stored, or "
                         "rejected (with the reason), and the events merged into existing "
                         "ones.",
             responses={201: {"description": "At least one document was stored"},
                        401: {"description": "A token is needed for writes"},
                        422: {"description": "Every item was rejected (reasons inside)"},
                        413: {"description": "The body is too large"}})
async def add_document(
    request: Request,
    response: Response,
    name: Annotated[str | None, Query(max_length=200, description="A file name for the "
                                      "input; its ending (.txt, .html, .json, .jsonl) sets "
                                      "the format, else it is sniffed")] = None,
) -> dict[str, Any]:
    settings: Settings = request.app.state.settings
    check_token(settings, request)
    body = bytearray()
    async for chunk in request.stream():
        body.extend(chunk)
        if len(body) > settings.max_body_bytes:
            raise HTTPException(413, f"body larger than {settings.max_body_bytes} bytes; "
                                     "split the input")
    async with settings.write_queue:
        result = await run_in_threadpool(submit.ingest_body, settings, bytes(body), name)
    if result["stored"]:
        response.status_code = 201
    elif result["rejected"] and not (result["duplicates"] or result["already_stored"]):
        response.status_code = 422
    return result


@router.get("/claims", summary="Claims (who says what), newest documents first")
def claims(store: StoreDep, f: FiltersDep) -> dict[str, Any]:
    p = browse.claims(store.conn, f)
    return page(p, [r for cid in p.ids if (r := claim_row(store, cid))])


@router.get("/claims/{claim_id}", summary="One claim, by DOCUMENT_ID:INDEX")
def claim(store: StoreDep, claim_id: str) -> dict[str, Any]:
    return _found(claim_row(store, claim_id), "claim", claim_id)


@router.get("/search", summary="Full-text search (SQLite FTS5 syntax)",
            responses={400: {"description": "The query is not valid FTS5"}})
def search(store: StoreDep, q: Annotated[str, Query(min_length=1, max_length=500)],
           limit: Annotated[int, Query(ge=1, le=browse.MAX_LIMIT)] = 20) -> dict[str, Any]:
    return {"query": q, "items": store.search(q, limit=limit)}


# --- exports -------------------------------------------------------------------------------


@router.get("/stories/{story_id}/brief.{fmt}", summary="A story as a Markdown or HTML brief",
            response_class=PlainTextResponse)
def story_brief_file(store: StoreDep, story_id: str, fmt: str) -> Response:
    if fmt not in ("md", "html"):
        raise HTTPException(404, "briefs are brief.md or brief.html")
    try:
        text = story_brief(store, story_id, fmt)
    except StoryNotFound as exc:
        raise HTTPException(404, str(exc)) from exc
    if fmt == "html":  # a standalone page with its own inline style, and never a script
        return HTMLResponse(text, headers={
            "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'"})
    return PlainTextResponse(text, media_type="text/markdown; charset=utf-8")


@router.get("/export/events.csv", summary="Canonical events as CSV (one row per event)",
            response_class=PlainTextResponse)
def events_csv(store: StoreDep) -> Response:
    out = io.StringIO()
    write_csv(store, "events", out)
    return PlainTextResponse(out.getvalue(), media_type="text/csv; charset=utf-8")


@router.get("/export/plover.json", summary="Canonical events as PLOVER/POLECAT records")
def plover_json(store: StoreDep) -> Response:
    out = io.StringIO()
    write_plover(store, out)
    return Response(out.getvalue(), media_type="application/json")


@router.get("/export/network.graphml", summary="The actor network as GraphML",
            response_class=PlainTextResponse)
def network_graphml(store: StoreDep) -> Response:
    out = io.StringIO()
    write_graphml(build_network(store), out)
    return Response(out.getvalue(), media_type="application/graphml+xml")
