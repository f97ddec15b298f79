"""The REST API and the pages over HTTP, against a real server on loopback and a real store
holding the example corpus plus an article with a script payload in every field."""

from __future__ import annotations

import json
import re
import shutil
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from conftest import ROOT, LiveServer, build_example_db, free_port
from storyline.store import Store

HOSTILE = ROOT / "tests" / "fixtures" / "hostile"


@pytest.fixture(scope="module")
def kb(tmp_path_factory: pytest.TempPathFactory) -> str:
    return build_example_db(tmp_path_factory.mktemp("web") / "kb.db", HOSTILE)


@pytest.fixture(scope="module")
def server(kb: str) -> Iterator[LiveServer]:
    live = LiveServer(kb)
    yield live
    live.stop()


@pytest.fixture(scope="module")
def api(server: LiveServer) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=server.url, timeout=60) as client:
        yield client


@pytest.fixture(scope="module")
def store(kb: str) -> Iterator[Store]:
    s = Store(kb, create=False)
    yield s
    s.close()


def _main_story(api: httpx.Client) -> str:
    """The story with the most documents (the Bir Marfa reopening)."""
    items = api.get("/api/stories").json()["items"]
    return str(max(items, key=lambda s: s["documents"])["id"])


def _actor(api: httpx.Client, name: str) -> dict[str, object]:
    items = api.get("/api/actors", params={"name": name}).json()["items"]
    assert items, name
    return dict(items[0])


# --- reading -------------------------------------------------------------------------------


def test_status_counts_what_the_store_holds(api: httpx.Client, store: Store) -> None:
    status = api.get("/api/status").json()
    assert status["documents"] == store.count_documents() == 11
    assert status["events"] == store.events.count()
    assert status["stories"] == store.stories.count()
    assert {"name": "Levant News Agency", "documents": 2} in status["outlets"]
    assert any(t["type"] == "CONSULT" for t in status["types"])


def test_openapi_describes_every_endpoint(api: httpx.Client) -> None:
    spec = api.get("/openapi.json").json()
    paths = set(spec["paths"])
    assert {"/api/stories", "/api/stories/{story_id}", "/api/events", "/api/events/{event_id}",
            "/api/actors", "/api/actors/{actor_id}", "/api/documents",
            "/api/documents/{doc_id}", "/api/claims", "/api/claims/{claim_id}",
            "/api/search"} <= paths
    assert "post" in spec["paths"]["/api/documents"]
    assert not any(p.startswith("/stories") for p in paths)  # pages are not API


def test_stories_newest_first_with_pagination(api: httpx.Client, store: Store) -> None:
    first = api.get("/api/stories", params={"limit": 2}).json()
    assert first["total"] == store.stories.count()
    assert len(first["items"]) == 2 and first["next_offset"] == 2
    rest = api.get("/api/stories", params={"limit": 50, "offset": 2}).json()
    everything = first["items"] + rest["items"]
    assert len({s["id"] for s in everything}) == first["total"]
    dated = [s["last_date"] for s in everything if s["last_date"]]
    assert dated == sorted(dated, reverse=True)
    assert everything[-1]["last_date"] is None  # undated last
    assert everything[0]["last_date"] == "2026-05-04"  # the hostile article is the newest
    top = max(everything, key=lambda s: s["documents"])
    assert top["documents"] >= 6 and "Levant News Agency" in top["outlets"]


def test_story_has_timeline_matrix_and_single_origin(api: httpx.Client) -> None:
    sid = _main_story(api)
    story = api.get(f"/api/stories/{sid}").json()
    reopening = [e for e in story["timeline"] if e["type"] == "BORDER" and e["mode"] == "opened"
                 and len(e["outlets"]) == 3]
    # Three outlets: the agency and two copies. That it happened rests on the agency and
    # on the spokesman it quotes; its place and date on the agency alone.
    assert reopening and reopening[0]["single_origin"] is False
    assert reopening[0]["origin_names"] == ["Government spokesman Faris Al-Qudah",
                                            "Levant News Agency"]
    rows = [r for r in story["matrix"] if r["event"] == reopening[0]["id"]]
    single = [r for r in rows if r["single_origin"]]
    assert single
    assert any(not r["single_origin"] for r in rows)
    place = next(r for r in rows if r["fact"].startswith("place"))
    assert (place["origins"], place["single_origin"]) == (["Levant News Agency"], True)
    assert sum(place["outlets"].values()) == 3
    assert all(s["citations"] for s in story["summary"])


def test_event_filters(api: httpx.Client) -> None:
    consult = api.get("/api/events", params={"type": "consult", "limit": 200}).json()
    assert consult["total"] > 0 and {e["type"] for e in consult["items"]} == {"CONSULT"}
    water = api.get("/api/events", params={"topic": "water", "limit": 200}).json()
    assert water["total"] > 0 and all("water" in e["topics"] for e in water["items"])
    levant = api.get("/api/events", params={"outlet": "levant news agency",
                                            "limit": 200}).json()
    assert levant["total"] > 0 and all("Levant News Agency" in e["outlets"]
                                       for e in levant["items"])
    march = api.get("/api/events", params={"date_from": "2026-03-01", "date_to": "2026-03-31",
                                           "limit": 200}).json()
    assert march["total"] > 0
    assert all((e["date"]["end"] or e["date"]["start"]) >= "2026-03" and
               e["date"]["start"] <= "2026-03-31" for e in march["items"])
    everything = api.get("/api/events", params={"limit": 200}).json()["total"]
    assert march["total"] < everything
    month = api.get("/api/events", params={"date_from": "2026-03", "date_to": "2026-03",
                                           "limit": 200}).json()
    assert month["total"] == march["total"]  # a month as the upper bound covers all of it


def test_actor_filter_takes_any_spelling(api: httpx.Client) -> None:
    def ids(name: str) -> set[str]:
        got = api.get("/api/events", params={"actor": name, "limit": 200}).json()
        return {e["id"] for e in got["items"]}

    latin = ids("Khaled al-Rawashdeh")
    assert latin and latin == ids("Khalid Al-Rawashdeh") == ids("خالد الرواشدة")
    assert ids("Rawashdeh") >= latin  # a part of a name matches too
    assert ids("Nobody Ever Named This") == set()


def test_bad_parameters_are_400_json(api: httpx.Client) -> None:
    for url, params in [("/api/events", {"date_from": "March"}),
                        ("/api/events", {"limit": 0}), ("/api/stories", {"offset": -1}),
                        ("/api/search", {})]:
        r = api.get(url, params=params)
        assert r.status_code == 400, (url, params)
        assert r.headers["content-type"] == "application/json"
        assert r.json()["error"].startswith("invalid request")


def test_event_detail_cites_its_spans(api: httpx.Client, store: Store) -> None:
    sid = _main_story(api)
    story = api.get(f"/api/stories/{sid}").json()
    eid = next(e["id"] for e in story["timeline"] if len(e["outlets"]) == 3)
    event = api.get(f"/api/events/{eid}").json()
    assert event["origins"] == 2 and len(event["outlets"]) == 3  # the agency, its spokesman
    assert len(event["documents"]) == 3 and event["merges"]
    assert len(event["mentions"]) > 3  # "reopened", then "the reopening" in each report
    for m in event["mentions"]:
        doc = api.get(f"/api/documents/{m['document']}").json()
        assert doc["text"][m["char_start"]:m["char_end"]] == m["quote"]
        assert doc["text"][m["trigger_start"]:m["trigger_end"]] == m["trigger"]
        raw = store.document(m["document"], include_raw=True)
        assert raw is not None and m["trigger"] in raw["raw"][m["start"]:m["end"]]
        assert m["attributed_to"][-1]["role"] == "outlet"


def test_actor_detail_has_scripts_roles_events_and_network(api: httpx.Client) -> None:
    rawashdeh = _actor(api, "Rawashdeh")
    detail = api.get(f"/api/actors/{rawashdeh['id']}").json()
    scripts = {a["script"] for a in detail["aliases"]}
    assert "arabic" in scripts or any(re.search("[\u0600-\u06ff]", a["alias"])
                                      for a in detail["aliases"])
    assert detail["roles"] and detail["events"]
    # "flew to Baghdad for four hours of talks with Mohammed Shakir al-Obeidi"
    obeidi = _actor(api, "Obeidi")["id"]
    assert any(e["relation"] == "met" and obeidi in (e["source"], e["target"])
               for e in detail["network"]["edges"])
    jordan = api.get(f"/api/actors/{_actor(api, 'Jordan')['id']}").json()
    iraq = _actor(api, "Iraq")["id"]
    agreed = [e for e in jordan["network"]["edges"] if e["relation"] == "agreed"
              and iraq in (e["source"], e["target"])]
    assert agreed and len(agreed[0]["events"]) >= 2
    haddad = api.get(f"/api/actors/{_actor(api, 'Omar Haddad')['id']}").json()
    farouk = _actor(api, "Lina Farouk")["id"]
    assert any(e["relation"] == "met" and farouk in (e["source"], e["target"])
               for e in haddad["network"]["edges"])
    by_alias = api.get("/api/actors/خالد الرواشدة").json()
    assert by_alias["id"] == rawashdeh["id"]


def test_documents_filters_and_detail(api: httpx.Client, store: Store) -> None:
    levant = api.get("/api/documents", params={"outlet": "Levant News Agency"}).json()
    assert levant["total"] == 2
    sid = _main_story(api)
    in_story = api.get("/api/documents", params={"story": sid}).json()
    assert in_story["total"] == len(store.stories.documents(sid))
    assert all(d["story"] == sid for d in in_story["items"])
    doc = api.get(f"/api/documents/{levant['items'][0]['id']}").json()
    for m in doc["spans"]["mentions"]:
        assert doc["text"][m["char_start"]:m["char_end"]] == m["text"]
    assert "raw" not in doc
    assert "raw" in api.get(f"/api/documents/{doc['id']}", params={"raw": True}).json()


def test_claims_listing_and_detail(api: httpx.Client) -> None:
    first = api.get("/api/claims", params={"limit": 5}).json()
    assert first["total"] > 5 and len(first["items"]) == 5
    claim = first["items"][0]
    again = api.get(f"/api/claims/{claim['id']}").json()
    assert again == claim
    doc = api.get(f"/api/documents/{claim['document']}").json()
    cue = claim["cue"]
    assert doc["text"][cue["char_start"]:cue["char_end"]] == cue["text"]
    one_doc = api.get("/api/claims", params={"document": claim["document"],
                                             "limit": 200}).json()
    assert all(c["document"] == claim["document"] for c in one_doc["items"])
    assert api.get("/api/claims/not-a-claim").status_code == 404


def test_search_and_malformed_queries(api: httpx.Client) -> None:
    found = api.get("/api/search", params={"q": "aquifer"}).json()["items"]
    assert found and all("[" in r["snippet"] for r in found)
    for bad in ['"unterminated', "AND", "(", "NEAR(", "*"]:
        r = api.get("/api/search", params={"q": bad})
        assert r.status_code == 400, bad
        assert "FTS5 query syntax" in r.json()["error"]
    page = api.get("/search", params={"q": '"unterminated'})
    assert page.status_code == 400 and "text/html" in page.headers["content-type"]
    assert "FTS5 query syntax" in page.text


def test_unknown_ids_are_404(api: httpx.Client) -> None:
    for url in ["/api/stories/st_none", "/api/events/ev_none", "/api/actors/nobody",
                "/api/documents/doc-none", "/api/nothing-here"]:
        r = api.get(url)
        assert r.status_code == 404 and r.json()["status"] == 404, url
    page = api.get("/events/ev_none")
    assert page.status_code == 404 and "There is no event" in page.text


def test_every_page_renders(api: httpx.Client) -> None:
    sid = _main_story(api)
    eid = api.get("/api/events").json()["items"][0]["id"]
    aid = _actor(api, "Rawashdeh")["id"]
    did = api.get("/api/documents").json()["items"][0]["id"]
    for url in ["/", f"/stories/{sid}", "/events", f"/events/{eid}", "/actors",
                f"/actors/{aid}", "/documents", f"/documents/{did}", "/search?q=water",
                "/events?type=CONSULT&actor=Rawashdeh", "/static/style.css"]:
        r = api.get(url)
        assert r.status_code == 200, url
        assert r.headers["content-security-policy"].startswith("default-src 'none'")


def test_cited_span_is_highlighted_in_the_document(api: httpx.Client) -> None:
    sid = _main_story(api)
    cite = api.get(f"/api/stories/{sid}").json()["summary"][0]["citations"][0]
    page = api.get(f"/documents/{cite['document']}",
                   params={"src": f"{cite['start']}-{cite['end']}"})
    assert page.status_code == 200
    assert 'class="hl-cited"' in page.text and 'id="cited"' in page.text
    assert api.get(f"/documents/{cite['document']}", params={"src": "x"}).status_code == 400


def test_exports_over_http(api: httpx.Client) -> None:
    import csv
    import io
    import xml.etree.ElementTree as ET

    rows = list(csv.DictReader(io.StringIO(api.get("/api/export/events.csv").text)))
    total = api.get("/api/status").json()["events"]
    assert len(rows) == total and rows[0]["id"].startswith("ev_")
    plover = api.get("/api/export/plover.json").json()
    assert plover and {"event_id", "event_date", "event_type"} <= set(plover[0])
    graph = ET.fromstring(api.get("/api/export/network.graphml").content)
    assert graph.tag.endswith("graphml")
    sid = _main_story(api)
    md = api.get(f"/api/stories/{sid}/brief.md")
    assert md.headers["content-type"].startswith("text/markdown") and "Bir Marfa" in md.text
    page = api.get(f"/api/stories/{sid}/brief.html")
    assert page.text.lstrip().lower().startswith("<!doctype html") and "<script" not in page.text
    assert api.get(f"/api/stories/{sid}/brief.pdf").status_code == 404
    assert api.get("/api/stories/st_none/brief.md").status_code == 404


def test_more_requests_at_once_than_connections_and_threads(server: LiveServer) -> None:
    """Requests wait for a reader connection in the event loop, not in a worker thread:
    more simultaneous requests than connections (16) plus threads (40) must not stall."""
    import asyncio

    async def burst(n: int) -> list[int]:
        async def one() -> int:
            async with httpx.AsyncClient(base_url=server.url, timeout=60) as client:
                return (await client.get("/api/status")).status_code

        return await asyncio.gather(*(one() for _ in range(n)))

    started = time.monotonic()
    codes = asyncio.run(burst(120))
    assert codes == [200] * 120
    assert time.monotonic() - started < 30


# --- hostile input -------------------------------------------------------------------------


def test_hostile_values_are_escaped_everywhere(api: httpx.Client) -> None:
    docs = api.get("/api/documents", params={"limit": 200}).json()["items"]
    hostile = next(d for d in docs if "__pwned" in (d["title"] or ""))
    assert "<script>" in hostile["title"]  # the API gives the value as it came
    urls = [f"/documents/{hostile['id']}", "/documents", "/", "/events", "/actors",
            f"/search?q={hostile['id'][:0]}Haddad", f"/stories/{hostile['story']}"]
    events = api.get("/api/events", params={"document": hostile["id"], "limit": 200}).json()
    assert events["items"]
    urls += [f"/events/{e['id']}" for e in events["items"]]
    haddad = _actor(api, "Omar Haddad")
    urls.append(f"/actors/{haddad['id']}")
    for brief in ("md", "html"):
        text = api.get(f"/api/stories/{hostile['story']}/brief.{brief}").text
        assert "pwned" in text and "<script>window" not in text
    for url in urls:
        html = api.get(url).text
        assert "__pwned" in html or url.startswith("/actors"), url  # the payload is shown
        assert "<script>window" not in html, url
        assert not re.search(r"<(img|svg|iframe|b)\b[^>]*(onerror|onload|onmouseover|src=x|"
                             r"javascript:)", html), url
        assert 'href="javascript:' not in html, url
        assert "49" not in re.sub(r"\d{3,}|[\w-]*49[\w-]*", "", html), url  # no template eval


# --- writing -------------------------------------------------------------------------------

NEW_ARTICLE = {
    "id": "web-test-001",
    "title": "Jordanian and Iraqi engineers inspect Bir Marfa scanners",
    "outlet": "Harbor Times Online",
    "published": "2026-03-20",
    "text": ("Jordanian and Iraqi customs engineers inspected the new cargo scanners at the Bir "
             "Marfa crossing on Thursday, four days after the border reopened to trucks.\n\n"
             "Brigadier General Hani al-Zoubi said the scanners would cut waiting times by "
             "half, according to a statement from the Jordanian customs department."),
}


@pytest.fixture
def writable(kb: str, tmp_path: Path) -> Iterator[tuple[LiveServer, httpx.Client, str]]:
    db = str(tmp_path / "kb.db")
    with sqlite3.connect(kb) as src, sqlite3.connect(db) as dst:
        src.backup(dst)
    src.close()
    dst.close()
    live = LiveServer(db, token="s3cret")
    client = httpx.Client(base_url=live.url, timeout=120,
                          headers={"Authorization": "Bearer s3cret"})
    yield live, client, db
    client.close()
    live.stop()


def test_post_stores_merges_and_reports(writable: tuple[LiveServer, httpx.Client, str]) -> None:
    _, client, db = writable
    before = client.get("/api/status").json()["documents"]
    r = client.post("/api/documents", params={"name": "scanners.json"},
                    content=json.dumps(NEW_ARTICLE))
    assert r.status_code == 201, r.text
    out = r.json()
    assert len(out["stored"]) == 1 and out["rejected"] == [] and out["read"] == 1
    stored = out["stored"][0]
    assert stored["title"] == NEW_ARTICLE["title"] and stored["story"]
    assert client.get("/api/status").json()["documents"] == before + 1
    doc = client.get(f"/api/documents/{stored['id']}").json()
    assert doc["source"] == "upload:scanners.json" and doc["external_id"] == "web-test-001"
    # the same article again is already stored; a copy under another id is a duplicate
    again = client.post("/api/documents", content=json.dumps(NEW_ARTICLE))
    assert again.status_code == 200 and again.json()["already_stored"] == 1
    copy = client.post("/api/documents", content=json.dumps({**NEW_ARTICLE, "id": "web-2"}))
    assert copy.status_code == 200
    assert copy.json()["duplicates"][0]["duplicate_of"] == stored["id"]
    with Store(db, create=False) as store:
        assert store.count_documents() == before + 2


def test_post_reports_merged_events(writable: tuple[LiveServer, httpx.Client, str]) -> None:
    _, client, _ = writable
    report = {"id": "web-test-merge", "outlet": "Oasis Radio", "published": "2026-03-16",
              "title": "Border crossing opens again for lorries",
              "text": ("The Bir Marfa border crossing between Jordan and Iraq reopened to "
                       "cargo traffic on Monday after a closure of nearly four months, "
                       "drivers waiting at the gate said.")}
    out = client.post("/api/documents", content=json.dumps(report)).json()
    assert out["stored"], out
    merged = out["merged"]
    assert merged and all(m["document"] == out["stored"][0]["id"] for m in merged)
    target = client.get(f"/api/events/{merged[0]['into']}").json()
    assert "Oasis Radio" in target["outlets"]


def test_post_rejects_bad_input_with_reasons(
        writable: tuple[LiveServer, httpx.Client, str]) -> None:
    _, client, _ = writable
    bad = client.post("/api/documents", params={"name": "broken.json"}, content=b'{"title": ')
    assert bad.status_code == 422
    rejected = bad.json()["rejected"]
    assert rejected and rejected[0]["source"] == "upload:broken.json" and rejected[0]["reason"]
    empty = client.post("/api/documents", content=json.dumps({"title": "no text"}))
    assert empty.status_code == 422 and empty.json()["rejected"][0]["reason"]
    mixed = "\n".join([json.dumps({**NEW_ARTICLE, "id": "web-3", "title": "Another",
                                   "text": "Jordan's water minister visited Mafraq on "
                                           "Sunday to open a new pumping station."}),
                       "{not json"])
    r = client.post("/api/documents", params={"name": "batch.jsonl"}, content=mixed)
    assert r.status_code == 201
    assert len(r.json()["stored"]) == 1 and r.json()["rejected"][0]["line"] == 2
    huge = client.post("/api/documents", content=b"x" * (10 * 1024 * 1024 + 1))
    assert huge.status_code == 413 and "too large" in huge.json()["error"].replace(
        "larger", "too large")


def test_writes_need_the_token_when_the_server_has_one(
        writable: tuple[LiveServer, httpx.Client, str]) -> None:
    live, _, _ = writable
    with httpx.Client(base_url=live.url, timeout=60) as anonymous:
        r = anonymous.post("/api/documents", content=json.dumps(NEW_ARTICLE))
        assert r.status_code == 401 and "token" in r.json()["error"]
        wrong = anonymous.post("/api/documents", content=json.dumps(NEW_ARTICLE),
                               headers={"Authorization": "Bearer nope"})
        assert wrong.status_code == 401
        assert anonymous.get("/api/status").status_code == 200  # reads stay open


def test_serve_off_loopback_makes_a_token(kb: str, tmp_path: Path) -> None:
    db = tmp_path / "kb.db"
    shutil.copy(kb, db)
    port = free_port()
    proc = subprocess.Popen([sys.executable, "-m", "storyline", "serve", "--db", str(db),
                             "--host", "0.0.0.0", "--port", str(port)],
                            stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True)
    try:
        assert proc.stderr is not None
        line = proc.stderr.readline()
        token = line.rsplit(":", 1)[1].strip()
        assert "access token" in line and len(token) >= 24
        deadline = time.monotonic() + 30
        while True:
            try:
                r = httpx.post(f"http://127.0.0.1:{port}/api/documents", content=b"x")
                break
            except httpx.TransportError:
                assert time.monotonic() < deadline
                time.sleep(0.2)
        assert r.status_code == 401
    finally:
        proc.terminate()
        proc.wait(timeout=20)
        if proc.stderr is not None:
            proc.stderr.close()


def test_serve_needs_an_existing_store(tmp_path: Path) -> None:
    proc = subprocess.run([sys.executable, "-m", "storyline", "serve", "--db",
                           str(tmp_path / "none.db")], capture_output=True, text=True,
                          timeout=60)
    assert proc.returncode == 2 and "no database" in proc.stderr
