"""Standard exports: the actor network as GraphML, events as PLOVER/POLECAT records, and
story briefs in Markdown and HTML.

Two stores are ingested once for the module: the bundled example corpus, and one hostile
article (markup and script in its title, outlet and text, an alias file giving an actor a
hostile canonical name) that must stay inert in every format. The unit tests build
networks and story records by hand and need no language model.
"""

from __future__ import annotations

import html as htmllib
import json
import re
import unicodedata
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from markdown_it import MarkdownIt

from conftest import CORPUS, ROOT, run_cli
from storyline.actors.aliases import load_aliases, read_alias_file
from storyline.brief import StoryNotFound, md_escape, render_html, render_markdown, story_brief
from storyline.errors import StorylineError
from storyline.export import FORMATS, export
from storyline.ingest.run import ingest
from storyline.network import (
    Edge,
    Network,
    NetworkRulesError,
    Node,
    build_network,
    event_pairs,
    network_rules,
    parse_rules,
    write_graphml,
)
from storyline.plover import QUAD_CODES, plover_records, write_plover
from storyline.store import Store
from storyline.stories.story import StoryReader

G = "{http://graphml.graphdrawing.org/xmlns}"
SCRIPT = "<script>alert(1)</script>"
IMG = '"><img src=x onerror=alert(1)>'
HOSTILE_ACTOR = '<script>alert("x")</script> & Haddad\'s <i>'
HOSTILE_TITLE = f'{SCRIPT} Talks & "quotes" [x](javascript:alert(1))'
POLECAT_FIELDS = [
    "event_id", "event_date", "event_type", "event_mode", "event_intensity", "quad_code",
    "contexts",
    "actor_name", "actor_country", "actor_cow", "primary_actor_sector", "actor_sectors",
    "actor_title", "actor_name_raw", "wikipedia_actor_id",
    "recipient_name", "recipient_country", "recipient_cow", "primary_recipient_sector",
    "recipient_sectors", "recipient_title", "recipient_name_raw", "wikipedia_recipient_id",
    "placename", "raw_placename", "city", "district", "province", "country", "latitude",
    "longitude", "geonames_id", "feature_type",
    "event_text", "headline", "source", "url", "publication_date", "language",
    "story_people", "story_organizations", "story_locations", "version", "storyline",
]


# --- shared stores ---------------------------------------------------------------------


@pytest.fixture(scope="module")
def example_db(tmp_path_factory: pytest.TempPathFactory) -> str:
    path = tmp_path_factory.mktemp("example") / "kb.db"
    with Store(path) as store:
        report = ingest([str(CORPUS)], store)
        assert (report.stored, report.duplicates, report.rejected) == (8, 2, 0)
    return str(path)


@pytest.fixture(scope="module")
def kb(example_db: str) -> Any:
    store = Store(example_db, create=False)
    yield store
    store.close()


@pytest.fixture(scope="module")
def hostile_db(tmp_path_factory: pytest.TempPathFactory) -> str:
    folder = tmp_path_factory.mktemp("hostile")
    aliases = folder / "aliases.yaml"
    aliases.write_text(f"- name: {json.dumps(HOSTILE_ACTOR)}\n  kind: person\n"
                       f"  id: 'Q1\"<b>'\n  aliases: [Samir Haddad]\n", encoding="utf-8")
    article = {
        "id": "hostile-1", "title": HOSTILE_TITLE, "outlet": IMG, "published": "2026-03-20",
        "url": "javascript:alert(1)",
        "text": ("Jordanian Foreign Minister Samir Haddad met Iraqi Foreign Minister Karim "
                 f"Jaber in Amman on Thursday to discuss the {SCRIPT} water file and `code` "
                 "*stars* _under_ [link](javascript:alert(1)).\n\nHaddad and Jaber agreed to "
                 "meet again in Baghdad next month, officials said."),
    }
    source = folder / "hostile.json"
    source.write_text(json.dumps(article), encoding="utf-8")
    path = folder / "kb.db"
    with Store(path) as store:
        with store.transaction():
            load_aliases(store.actors, read_alias_file(aliases))
        report = ingest([str(source)], store)
        assert (report.stored, report.rejected) == (1, 0)
    return str(path)


@pytest.fixture(scope="module")
def hostile(hostile_db: str) -> Any:
    store = Store(hostile_db, create=False)
    yield store
    store.close()


def _actor_id(store: Store, name: str) -> str:
    found = store.actors.find(name)
    assert found is not None, name
    return str(found["id"])


def _hostile_story(store: Store) -> str:
    (story,) = StoryReader(store).listing()
    return str(story["id"])


# --- HTML and Markdown safety helpers --------------------------------------------------

SAFE_TAGS = {"html", "head", "meta", "title", "style", "body", "article", "h1", "h2", "p",
             "code", "ol", "ul", "li", "span", "table", "thead", "tbody", "tr", "th", "td",
             "br", "strong", "bdi", "a"}


class _Page(HTMLParser):
    """Tags, attributes and visible text of an HTML page."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.text: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        if tag in ("style", "title"):
            self._skip += 1

    def handle_endtag(self, tag: str) -> None:
        if tag in ("style", "title"):
            self._skip -= 1

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self.text.append(data)

    @property
    def visible(self) -> str:
        return " ".join(" ".join(self.text).split())


def _parse_page(page: str) -> _Page:
    parser = _Page()
    parser.feed(page)
    parser.close()
    return parser


def _assert_inert_html(page: str) -> _Page:
    parsed = _parse_page(page)
    assert {tag for tag, _ in parsed.tags} <= SAFE_TAGS
    for _tag, attrs in parsed.tags:
        assert not [a for a in attrs if a.startswith("on")]
        assert "javascript:" not in (attrs.get("href") or "").lower()
        assert "src" not in attrs
    assert "<script" not in page.lower() and "<img" not in page.lower()
    return parsed


def _markdown_tags(text: str) -> set[str]:
    """The tags a CommonMark renderer (raw HTML allowed) makes of a Markdown text."""
    rendered = MarkdownIt("commonmark").render(text)
    return set(re.findall(r"<([a-z][a-z0-9]*)", rendered))


def _flat(text: str) -> str:
    """Text as a reader sees it: entities decoded, tags and format characters out, white
    space folded."""
    text = htmllib.unescape(re.sub(r"<[^>]*>", " ", text))
    text = "".join(ch for ch in text if unicodedata.category(ch) != "Cf")
    return " ".join(text.split())


# --- 1. actor network ------------------------------------------------------------------


def test_relations_come_from_the_data_file() -> None:
    rules = network_rules()
    assert rules.relation("CONSULT") == "met"
    assert {rules.relation(t) for t in ("AGREE", "COOPERATE", "AID", "SUPPORT")} == {"agreed"}
    assert {rules.relation(t) for t in ("ASSAULT", "COERCE", "THREATEN", "ACCUSE",
                                        "REJECT", "SANCTION", "PROTEST")} == {"clashed"}
    assert rules.relation("STATEMENT") == rules.relation("REQUEST") == "other"
    assert rules.modalities == {"asserted", "reported"}


@pytest.mark.parametrize(("data", "message"), [
    ({"relations": {"met": ["MEET"]}, "modalities": ["asserted"]}, "unknown event type 'MEET'"),
    ({"relations": {"met": ["CONSULT"], "agreed": ["CONSULT"]}, "modalities": ["asserted"]},
     "CONSULT is under both met and agreed"),
    ({"relations": {"loved": ["AGREE"]}, "modalities": ["asserted"]}, "unknown relation 'loved'"),
    ({"relations": {}, "reciprocal": ["HUG"], "modalities": ["asserted"]}, "HUG"),
    ({"relations": {}, "modalities": ["certain"]}, "modalities must be some of"),
])
def test_bad_network_rules_are_named(data: dict[str, Any], message: str) -> None:
    with pytest.raises(NetworkRulesError, match=re.escape(message)) as caught:
        parse_rules(data)
    assert isinstance(caught.value, StorylineError)


def _event(type: str, actors: list[str | None], recipients: list[str | None]) -> dict[str, Any]:
    def people(ids: list[str | None]) -> list[dict[str, Any]]:
        return [{"id": i, "name": i or "someone"} for i in ids]
    return {"id": "ev_x", "type": type,
            "participants": {"actor": people(actors), "recipient": people(recipients)}}


def test_event_pairs_follow_the_reciprocal_convention() -> None:
    rules = network_rules()
    # "Jordan and Iraq agreed": a reciprocal type with no recipient links the actors
    assert event_pairs(_event("AGREE", ["jo", "iq"], []), rules) == [("iq", "jo")]
    # "X and Y accused Z": co-actors stand on one side, each is linked with Z only
    assert event_pairs(_event("ACCUSE", ["x", "y"], ["z"]), rules) == [("x", "z"), ("y", "z")]
    assert event_pairs(_event("ACCUSE", ["x", "y"], []), rules) == []
    # a named recipient: actor x recipient, even for a meeting
    assert event_pairs(_event("CONSULT", ["a", "b"], ["c"]), rules) == [("a", "c"), ("b", "c")]
    # unresolved participants, repeats and self-links are left out
    assert event_pairs(_event("CONSULT", [None, "a", "a"], ["a", None, "b"]), rules) == [
        ("a", "b")]


def test_example_corpus_network_has_the_known_relations(kb: Store) -> None:
    network = build_network(kb)
    jordan, iraq = _actor_id(kb, "Jordan"), _actor_id(kb, "Iraq")
    baghdad, amman = _actor_id(kb, "Baghdad"), _actor_id(kb, "Amman")
    by_pair: dict[frozenset[str], dict[str, list[str]]] = {}
    for edge in network.edges:
        assert edge.source < edge.target and edge.relation in ("met", "agreed", "clashed",
                                                               "other")
        assert edge.events == sorted(set(edge.events))
        by_pair.setdefault(frozenset((edge.source, edge.target)), {})[edge.relation] = \
            edge.events
    # the agreements between Jordan and Iraq: exactly the AGREE events naming both
    agreements = sorted(e["id"] for e in kb.events.listing(type="AGREE", min_score=0.5)
                        if {jordan, iraq} <= {p["id"] for role in ("actor", "recipient")
                                              for p in e["participants"].get(role, [])})
    assert len(agreements) >= 2
    assert by_pair[frozenset((jordan, iraq))] == {"agreed": agreements}
    # "Baghdad accused Amman of drilling new wells"
    (accusation,) = by_pair[frozenset((baghdad, amman))]["clashed"]
    event = kb.events.get(accusation)
    assert event is not None and event["type"] == "ACCUSE"
    assert "accused Amman" in event["mentions"][0]["quote"]
    nodes = {n.id: n for n in network.nodes}
    assert {e for edge in network.edges for e in (edge.source, edge.target)} == set(nodes)
    assert (nodes[jordan].name, nodes[jordan].kind) == ("Jordan", "place")
    assert nodes[iraq].events == len(agreements)  # Iraq's only links are the agreements
    assert nodes[jordan].events == len({e for edge in network.edges if jordan in (
        edge.source, edge.target) for e in edge.events})


def test_ego_network_keeps_only_the_actors_edges(kb: Store) -> None:
    jordan, baghdad = _actor_id(kb, "Jordan"), _actor_id(kb, "Baghdad")
    ego = build_network(kb, actor_id=jordan)
    assert ego.edges and all(jordan in (e.source, e.target) for e in ego.edges)
    assert baghdad not in {n.id for n in ego.nodes}
    assert {n.id for n in ego.nodes} == {x for e in ego.edges for x in (e.source, e.target)}
    full = build_network(kb)
    assert [e for e in full.edges if jordan in (e.source, e.target)] == ego.edges
    # by alias, as `storyline actor` accepts
    assert build_network(kb, actor_id="Jordan") == ego
    # an actor with no link is shown alone; an unknown one gives nothing
    linked = {n.id for n in full.nodes}
    lonely = next(a for a in kb.actors.listing() if a["id"] not in linked)
    alone = build_network(kb, actor_id=lonely["id"])
    assert alone == Network([Node(lonely["id"], lonely["name"], lonely["kind"], 0)], [])
    assert build_network(kb, actor_id="per-0000000000") == Network([], [])
    assert build_network(kb, min_score=1.01) == Network([], [])


def test_graphml_of_the_example_corpus_parses_with_its_keys(kb: Store) -> None:
    network = build_network(kb)
    out = StringIO()
    assert write_graphml(network, out) == len(network.edges)
    root = ET.fromstring(out.getvalue())
    assert root.tag == f"{G}graphml"
    keys = {(k.get("for"), k.get("attr.name")): (k.get("id"), k.get("attr.type"))
            for k in root.iter(f"{G}key")}
    assert keys == {("node", "name"): ("name", "string"), ("node", "kind"): ("kind", "string"),
                    ("node", "events"): ("events", "int"),
                    ("edge", "relation"): ("relation", "string"),
                    ("edge", "events"): ("event_ids", "string"),
                    ("edge", "weight"): ("weight", "int")}
    (graph,) = root.iter(f"{G}graph")
    assert graph.get("edgedefault") == "undirected"
    names = {n.get("id"): {d.get("key"): d.text for d in n} for n in graph.iter(f"{G}node")}
    assert names == {n.id: {"name": n.name, "kind": n.kind, "events": str(n.events)}
                     for n in network.nodes}
    jordan, iraq = _actor_id(kb, "Jordan"), _actor_id(kb, "Iraq")
    edges = {(e.get("source"), e.get("target")): {d.get("key"): d.text for d in e}
             for e in graph.iter(f"{G}edge")}
    pair = (min(jordan, iraq), max(jordan, iraq))
    assert edges[pair]["relation"] == "agreed"
    assert int(edges[pair]["weight"] or 0) == len((edges[pair]["event_ids"] or "").split()) >= 2


def test_graphml_keeps_hostile_and_arabic_names_as_text() -> None:
    names = {"a": HOSTILE_ACTOR, "b": "أحمد الشرع", "c": "ctrl\x00\x1b<&>\"'"}
    network = Network([Node(i, n, "person", 1) for i, n in names.items()],
                      [Edge("a", "b", "met", ["ev_1"]), Edge("a", "c", "clashed", ["ev_2"])])
    out = StringIO()
    assert write_graphml(network, out) == 2
    assert "<script" not in out.getvalue() and "<i>" not in out.getvalue()
    root = ET.fromstring(out.getvalue())
    got = {n.get("id"): next(d.text for d in n if d.get("key") == "name")
           for n in root.iter(f"{G}node")}
    assert got == {"a": HOSTILE_ACTOR, "b": "أحمد الشرع", "c": "ctrl\ufffd\ufffd<&>\"'"}


def test_hostile_actor_name_in_the_graphml_of_a_real_store(hostile: Store) -> None:
    network = build_network(hostile)
    haddad, jaber = _actor_id(hostile, "Samir Haddad"), _actor_id(hostile, "Karim Jaber")
    relations = {e.relation for e in network.edges if {e.source, e.target} == {haddad, jaber}}
    assert relations == {"met", "agreed"}
    out = StringIO()
    write_graphml(network, out)
    assert "<script" not in out.getvalue()
    root = ET.fromstring(out.getvalue())
    assert {n.tag for n in root.iter()} == {f"{G}{t}" for t in ("graphml", "key", "graph",
                                                                 "node", "edge", "data")}
    names = [d.text for d in root.iter(f"{G}data") if d.get("key") == "name"]
    assert HOSTILE_ACTOR in names


# --- 2. PLOVER records -----------------------------------------------------------------


def test_plover_records_have_the_documented_fields(kb: Store) -> None:
    records = list(plover_records(kb))
    assert records
    for record in records:
        assert list(record) == POLECAT_FIELDS
    docs = (ROOT / "docs" / "export.md").read_text(encoding="utf-8")
    section = docs.split("## PLOVER records", 1)[1].split("\n## ", 1)[0]
    for name in POLECAT_FIELDS:
        assert f"`{name}`" in section, name


def test_plover_records_agree_with_storyline_events(example_db: str, kb: Store) -> None:
    result = run_cli("events", "--json", "--db", example_db)
    assert result.returncode == 0, result.stderr
    listed = {e["id"]: e for e in json.loads(result.stdout)}
    records = {r["event_id"]: r for r in plover_records(kb)}
    assert records.keys() == listed.keys()
    for eid, record in records.items():
        event = listed[eid]
        parts = event["participants"]
        assert (record["event_type"], record["event_mode"]) == (event["type"], event["mode"])
        assert record["quad_code"] == QUAD_CODES.get(event["type"])
        assert record["contexts"] == event["topics"]
        assert record["actor_name"] == [p["name"] for p in parts.get("actor", [])]
        assert record["recipient_name"] == [p["name"] for p in parts.get("recipient", [])]
        assert len(record["actor_name_raw"]) == len(record["actor_name"])
        assert record["placename"] == event["location"]
        extra = record["storyline"]
        assert (extra["story"], extra["score"], extra["modality"]) == (
            event["story_id"], event["score"], event["modality"])
        assert extra["date"] == {"value": event["date_value"], "start": event["date_start"],
                                 "end": event["date_end"], "precision": event["date_precision"]}
        day = re.fullmatch(r"\d{4}-\d{2}-\d{2}", event["date_value"] or "")
        assert record["event_date"] == (event["date_value"] if day else None)
        assert record["country"] is None and record["event_intensity"] is None
        assert record["version"].startswith("storyline ")
        # the source sentence is verbatim at its span of the document's original input
        doc = kb.document(extra["source_document"], include_raw=True)
        assert doc is not None
        start, end = extra["source_span"]
        assert _flat(doc["raw"][start:end]) == _flat(record["event_text"])
        assert (record["source"], record["publication_date"]) == (doc["outlet"],
                                                                  doc["published"])
        assert record["source"] in extra["outlets"]
        assert extra["source_document"] in extra["documents"]
        assert {m["document"] for m in extra["mentions"]} == set(extra["documents"])


def test_plover_values_of_known_events(kb: Store) -> None:
    records = list(plover_records(kb))
    accusation = next(r for r in records if r["actor_name"] == ["Baghdad"]
                      and r["recipient_name"] == ["Amman"])
    assert (accusation["event_type"], accusation["event_mode"], accusation["quad_code"]) == (
        "ACCUSE", "disapprove", 3)
    assert "Baghdad accused Amman" in accusation["event_text"]
    assert accusation["source"] == "Meridian Post"
    assert accusation["storyline"]["date"]["value"] == "2025-11"
    assert accusation["event_date"] is None  # a month is not a day
    reopening = next(r for r in records if r["event_type"] == "BORDER"
                     and r["placename"] == "Bir Marfa" and len(r["storyline"]["outlets"]) > 1)
    assert reopening["quad_code"] is None and reopening["event_mode"] == "opened"
    assert reopening["url"] is not None and reopening["url"].startswith("https://")
    # Three outlets, two origins: the agency they copy and the spokesman it quotes.
    assert (reopening["storyline"]["origins"], reopening["storyline"]["single_origin"]) == (
        2, False)
    titled = [r for r in records if r["recipient_title"]]
    assert any("chairman" in (t or "") for r in titled for t in r["recipient_title"])
    for r in titled:
        assert len(r["recipient_title"]) == len(r["recipient_name"])


def test_plover_json_list_and_lines_match(kb: Store) -> None:
    as_list, as_lines = StringIO(), StringIO()
    n = write_plover(kb, as_list)
    assert write_plover(kb, as_lines, jsonl=True) == n
    parsed = json.loads(as_list.getvalue())
    assert isinstance(parsed, list) and len(parsed) == n
    assert [json.loads(line) for line in as_lines.getvalue().splitlines()] == parsed
    empty = StringIO()
    assert write_plover(kb, empty, min_score=2) == 0 and json.loads(empty.getvalue()) == []


def test_plover_keeps_hostile_values_as_data(hostile: Store) -> None:
    records = list(plover_records(hostile))
    meeting = next(r for r in records if r["event_type"] == "CONSULT"
                   and r["placename"] == "Amman")
    assert HOSTILE_ACTOR in meeting["actor_name"]
    assert meeting["wikipedia_actor_id"][meeting["actor_name"].index(HOSTILE_ACTOR)] == \
        'Q1"<b>'
    assert meeting["source"] == IMG and meeting["headline"] == HOSTILE_TITLE
    assert SCRIPT in meeting["event_text"]
    assert meeting["url"] is None  # "javascript:alert(1)" is not a link


# --- 3. briefs -------------------------------------------------------------------------


def _stories(kb: Store) -> list[dict[str, Any]]:
    reader = StoryReader(kb)
    out = []
    for row in reader.listing():
        story = reader.story(row["id"])
        assert story is not None
        out.append(story)
    return out


def test_markdown_brief_has_the_summary_citations_and_timeline(kb: Store) -> None:
    story = max(_stories(kb), key=lambda s: len(s["documents"]))
    assert len(story["summary"]) >= 2
    text = story_brief(kb, story["id"])
    assert text.startswith(f"# {md_escape(story['title'])}\n")
    for sentence in story["summary"]:
        assert md_escape(sentence["text"]) in text
        block = text.split(md_escape(sentence["text"]), 1)[1].split("\n\n", 1)[0]
        source = sentence["citations"][0]
        assert source["role"] == "source"
        assert (f"quoted from {md_escape(source['outlet'])}" in block
                and md_escape(source["document"]) in block
                and f"characters {source['start']}–{source['end']}" in block)
        for cite in sentence["citations"][1:]:
            assert f"also reported by {md_escape(cite['outlet'])}" in block
    timeline = text.split("## Timeline", 1)[1].split("## Sources", 1)[0]
    shown = [e for e in story["timeline"] if e["score"] >= 0.5]
    assert timeline.count("\n- ") == len(shown)
    for event in shown:
        assert md_escape(event["id"]) in timeline
    assert "**single origin**" in timeline
    sources = text.split("## Sources", 1)[1]
    for doc in story["documents"]:
        assert md_escape(doc["id"]) in sources and md_escape(doc["outlet"]) in sources
    assert "/examples/corpus/" not in text  # local file paths stay out of a brief


def test_html_brief_is_a_complete_page_with_the_same_content(kb: Store) -> None:
    story = max(_stories(kb), key=lambda s: len(s["documents"]))
    page = story_brief(kb, story["id"], "html")
    assert page.startswith("<!DOCTYPE html>") and page.rstrip().endswith("</html>")
    assert "<style>" in page and "Content-Security-Policy" in page
    parsed = _assert_inert_html(page)
    visible = parsed.visible
    assert story["title"] in visible
    for sentence in story["summary"]:
        assert " ".join(sentence["text"].split()) in visible
        for cite in sentence["citations"]:
            assert cite["document"] in visible and cite["outlet"] in visible
        source = sentence["citations"][0]
        assert f"characters {source['start']}–{source['end']}" in visible
    for event in (e for e in story["timeline"] if e["score"] >= 0.5):
        assert event["id"] in visible
    links = [a["href"] for tag, a in parsed.tags if tag == "a"]
    assert links and all(str(h).startswith("https://") for h in links)


def test_arabic_values_are_isolated_in_bdi(kb: Store) -> None:
    arabic = next(s for s in _stories(kb) if re.search("[\u0600-\u06ff]", s["title"]))
    page = story_brief(kb, arabic["id"], "html")
    assert f'<h1 dir="auto"><bdi>{htmllib.escape(arabic["title"])}</bdi></h1>' in page
    english = max(_stories(kb), key=lambda s: len(s["documents"]))
    assert "<bdi>" not in story_brief(kb, english["id"], "html").split("<h2>", 1)[0]


def test_unknown_story_and_format_are_clear_errors(kb: Store) -> None:
    with pytest.raises(StoryNotFound, match="no story 'st_nope'") as caught:
        story_brief(kb, "st_nope")
    assert isinstance(caught.value, StorylineError)
    story = _stories(kb)[0]
    with pytest.raises(ValueError, match="unknown brief format 'pdf'"):
        story_brief(kb, story["id"], "pdf")


def test_hostile_story_stays_inert_in_html(hostile: Store) -> None:
    page = story_brief(hostile, _hostile_story(hostile), "html")
    parsed = _assert_inert_html(page)
    assert not [a for tag, a in parsed.tags if tag == "a"]  # javascript: is never linked
    visible = parsed.visible
    for payload in (HOSTILE_TITLE, IMG, SCRIPT, HOSTILE_ACTOR):
        assert payload in visible  # shown as text, not run
    assert htmllib.escape(IMG) in page


def test_hostile_story_stays_inert_in_markdown(hostile: Store) -> None:
    text = story_brief(hostile, _hostile_story(hostile))
    assert _markdown_tags(text) <= {"h1", "h2", "p", "ol", "ul", "li", "strong"}
    rendered = _parse_page(MarkdownIt("commonmark").render(text)).visible
    for payload in (HOSTILE_TITLE, IMG, SCRIPT, HOSTILE_ACTOR):
        assert payload in rendered
    assert not re.search(r"(?<!\\)[<>\[\]`]", text)  # every bracket and backtick escaped


def test_md_escape_neutralizes_markup() -> None:
    hostile = "![x](javascript:alert(1)) <b>&amp; `c` *e* _u_ | ~s~ #h\n\n# heading"
    escaped = md_escape(hostile)
    assert "\n" not in escaped
    assert _markdown_tags(escaped) == {"p"}
    assert _parse_page(MarkdownIt("commonmark").render(escaped)).visible == " ".join(
        hostile.split())


def test_rendering_by_hand_shows_conflicts_and_flags() -> None:
    story = {
        "id": "st_1", "title": "Talks in Damascus", "first_date": "2025-08-28",
        "last_date": "2025-08-29", "outlets": ["Rudaw", "SANA"],
        "documents": [
            {"id": "doc-a", "title": "Visit", "outlet": "Rudaw", "published": "2025-08-28",
             "source": "https://rudaw.example/a"},
            {"id": "doc-b", "title": None, "outlet": "SANA", "published": None,
             "source": "feed.jsonl"}],
        "summary": [{"text": "Hamid al-Shatri met Ahmad al-Sharaa.", "event": "ev_1",
                     "citations": [
                         {"document": "doc-a", "outlet": "Rudaw", "role": "source",
                          "start": 10, "end": 46},
                         {"document": "doc-b", "outlet": "SANA", "role": "corroborates",
                          "start": 0, "end": 30}]}],
        "timeline": [{"id": "ev_1", "type": "CONSULT", "mode": "visit", "date": "2025-08-28",
                      "date_precision": "published", "actors": ["Hamid al-Shatri"],
                      "recipients": ["أحمد الشرع"], "location": "Damascus",
                      "modality": "asserted", "score": 0.9, "documents": ["doc-a", "doc-b"],
                      "outlets": ["Rudaw", "SANA"], "origins": 1, "origin_names": ["INA"],
                      "single_origin": True,
                      "conflicts": [{"kind": "date", "subject": "date", "values": [
                          {"value": "2025-08-28", "documents": ["doc-a"]},
                          {"value": "2025-08-27", "documents": ["doc-b"]}]}]}],
        "matrix": [],
    }
    md = render_markdown(story)
    assert ("- **on or before 2025-08-28** · CONSULT/visit (ev\\_1) · Hamid al-Shatri with "
            "أحمد الشرع · in Damascus · reported by Rudaw, SANA · 1 independent origin (INA) · "
            "**single origin** · **conflict** over date: 2025-08-28 (Rudaw); 2025-08-27 "
            "(SANA)") in md
    assert ("    - quoted from Rudaw, “Visit” (doc-a), characters 10–46\n"
            "    - also reported by SANA (doc-b), characters 0–30") in md
    assert "1. Rudaw · Visit · 2025-08-28 · doc-a · https://rudaw.example/a" in md
    assert "2. SANA · (untitled) · undated · doc-b\n" in md
    page = render_html(story)
    _assert_inert_html(page)
    assert '<td><bdi>أحمد الشرع</bdi></td>' in page
    assert ('<span class="flag conflict">conflict</span> date: 2025-08-28 (Rudaw); '
            "2025-08-27 (SANA)") in page
    assert '<span class="flag single">single origin</span>' in page


# --- 4. the export library call and the command line -----------------------------------


def test_export_dispatches_the_new_formats(kb: Store, tmp_path: Path) -> None:
    assert {"plover", "graphml"} <= set(FORMATS)
    out = StringIO()
    written = export(kb, "graphml", None, stdout=out)
    assert written == {"-": len(build_network(kb).edges)}
    ET.fromstring(out.getvalue())
    target = tmp_path / "events.json"
    written = export(kb, "plover", str(target))
    assert written == {str(target): len(json.loads(target.read_text(encoding="utf-8")))}


def test_cli_export_plover_and_graphml(example_db: str, kb: Store, tmp_path: Path) -> None:
    stdout = run_cli("export", "--format", "plover", "--db", example_db)
    assert stdout.returncode == 0, stdout.stderr
    records = json.loads(stdout.stdout)
    assert [r["event_id"] for r in records] == [r["event_id"] for r in plover_records(kb)]
    target = tmp_path / "events.json"
    to_file = run_cli("export", "-f", "plover", "-o", str(target), "--db", example_db)
    assert to_file.returncode == 0 and to_file.stdout == ""
    assert json.loads(target.read_text(encoding="utf-8")) == records
    assert f"wrote {len(records)} records to {target}" in to_file.stderr
    graph = tmp_path / "actors.graphml"
    result = run_cli("export", "--format", "graphml", "-o", str(graph), "--db", example_db)
    assert result.returncode == 0, result.stderr
    edges = list(ET.parse(graph).getroot().iter(f"{G}edge"))
    assert len(edges) == len(build_network(kb).edges)
    assert f"wrote {len(edges)} edges to {graph}" in result.stderr
    piped = run_cli("export", "--format", "graphml", "--db", example_db)
    assert piped.stdout == graph.read_text(encoding="utf-8")
    bad = run_cli("export", "--format", "xml", "--db", example_db)
    assert bad.returncode == 2 and "plover, graphml" in bad.stderr


def test_cli_brief(example_db: str, kb: Store, tmp_path: Path) -> None:
    story = max(_stories(kb), key=lambda s: len(s["documents"]))
    md = run_cli("brief", story["id"], "--db", example_db)
    assert md.returncode == 0, md.stderr
    assert md.stdout == story_brief(kb, story["id"])
    page = tmp_path / "brief.html"
    html_run = run_cli("brief", story["id"][:8], "--format", "html", "-o", str(page),
                       "--db", example_db)
    assert html_run.returncode == 0 and html_run.stdout == ""
    assert page.read_text(encoding="utf-8") == story_brief(kb, story["id"], "html")
    missing = run_cli("brief", "st_nope", "--db", example_db)
    assert missing.returncode == 2 and "no story 'st_nope'" in missing.stderr
    bad = run_cli("brief", story["id"], "--format", "pdf", "--db", example_db)
    assert bad.returncode == 2 and "unknown brief format 'pdf'" in bad.stderr
