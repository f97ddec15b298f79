"""The actor network: who met, agreed or clashed with whom, read from canonical events.

Two resolved actors are linked when they take part in the same canonical event as actor
or recipient; the event type gives the relation (`data/network.yaml`). There is one edge
per pair of actors and relation, listing the events behind it. `write_graphml` writes a
network as GraphML (docs/export.md#actor-network-graphml).
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from functools import cache
from itertools import combinations
from typing import Any, TextIO

from storyline.clean.rules import load_data
from storyline.errors import StorylineError
from storyline.events.ontology import ontology
from storyline.store import Store

RELATIONS = ("met", "agreed", "clashed", "other")
GRAPHML_NS = "http://graphml.graphdrawing.org/xmlns"
_XSI = "http://www.w3.org/2001/XMLSchema-instance"
_SCHEMA = f"{GRAPHML_NS} {GRAPHML_NS}/1.0/graphml.xsd"
# Characters XML 1.0 cannot hold at all, not even escaped.
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


class NetworkRulesError(StorylineError):
    """`data/network.yaml` names an unknown type, relation or modality."""


@dataclass
class Node:
    """An actor of the network; `events` counts the network's events it takes part in."""

    id: str
    name: str
    kind: str
    events: int


@dataclass
class Edge:
    """Two actors (ids, `source` < `target`) in one relation, with the canonical events
    behind it, sorted."""

    source: str
    target: str
    relation: str
    events: list[str]


@dataclass
class Network:
    nodes: list[Node] = field(default_factory=list)
    edges: list[Edge] = field(default_factory=list)


@dataclass(frozen=True)
class NetworkRules:
    """The settings of `data/network.yaml`, checked."""

    relation_of: dict[str, str]
    reciprocal: frozenset[str]
    modalities: frozenset[str]

    def relation(self, event_type: str) -> str:
        return self.relation_of.get(event_type, "other")


def parse_rules(data: Any) -> NetworkRules:
    """Check and compile the contents of `data/network.yaml`."""
    if not isinstance(data, dict):
        raise NetworkRulesError("data/network.yaml: expected a mapping")
    known = set(ontology().types)
    relation_of: dict[str, str] = {}
    for relation, types in (data.get("relations") or {}).items():
        if relation not in RELATIONS or relation == "other":
            raise NetworkRulesError(f"data/network.yaml: unknown relation {relation!r}; "
                                    f"use met, agreed or clashed")
        for t in types or []:
            if t not in known:
                raise NetworkRulesError(f"data/network.yaml: {relation}: unknown event "
                                        f"type {t!r}")
            if t in relation_of:
                raise NetworkRulesError(f"data/network.yaml: {t} is under both "
                                        f"{relation_of[t]} and {relation}")
            relation_of[t] = relation
    reciprocal = frozenset(data.get("reciprocal") or [])
    if reciprocal - known:
        raise NetworkRulesError(f"data/network.yaml: reciprocal: unknown event type(s) "
                                f"{', '.join(sorted(reciprocal - known))}")
    modalities = frozenset(data.get("modalities") or [])
    allowed = {"asserted", "reported", "negated", "future", "hypothetical"}
    if not modalities or modalities - allowed:
        raise NetworkRulesError(f"data/network.yaml: modalities must be some of "
                                f"{', '.join(sorted(allowed))}")
    return NetworkRules(relation_of, reciprocal, modalities)


@cache
def network_rules() -> NetworkRules:
    return parse_rules(load_data("network.yaml"))


def event_pairs(event: dict[str, Any], rules: NetworkRules) -> list[tuple[str, str]]:
    """The pairs of resolved actor ids an event links (each pair sorted, no repeats)."""
    parts = event["participants"]
    actors = _ids(parts.get("actor", []))
    recipients = _ids(parts.get("recipient", []))
    if recipients:
        pairs = [(a, r) for a in actors for r in recipients]
    elif event["type"] in rules.reciprocal:
        pairs = list(combinations(actors, 2))
    else:
        pairs = []
    out: list[tuple[str, str]] = []
    for a, b in pairs:
        pair = (min(a, b), max(a, b))
        if a != b and pair not in out:
            out.append(pair)
    return out


def _ids(people: list[dict[str, Any]]) -> list[str]:
    return list(dict.fromkeys(p["id"] for p in people if p["id"]))


def build_network(store: Store, *, actor_id: str | None = None,
                  min_score: float = 0.5) -> Network:
    """The actor network of the canonical events coded with at least `min_score`.

    With `actor_id` (an id, or any alias `storyline actor` accepts): only the edges
    touching that actor and their nodes, the actor itself included even when it has no
    edge; an unknown actor gives an empty network.
    """
    rules = network_rules()
    center: str | None = None
    if actor_id is not None:
        found = store.actors.find(actor_id)
        if found is None:
            return Network()
        center = str(found["id"])
    events = store.events.listing(actor_ids=[center] if center else None, min_score=min_score)
    links: dict[tuple[str, str, str], set[str]] = {}
    names: dict[str, str] = {}
    for event in events:
        if event["modality"] not in rules.modalities:
            continue
        for people in event["participants"].values():
            for p in people:
                if p["id"]:
                    names.setdefault(p["id"], p["name"])
        relation = rules.relation(event["type"])
        for a, b in event_pairs(event, rules):
            if center is None or center in (a, b):
                links.setdefault((a, b, relation), set()).add(event["id"])
    edges = [Edge(a, b, relation, sorted(ids))
             for (a, b, relation), ids in sorted(links.items())]
    involved: dict[str, set[str]] = {}
    for edge in edges:
        for end in (edge.source, edge.target):
            involved.setdefault(end, set()).update(edge.events)
    if center is not None:
        involved.setdefault(center, set())
    nodes = []
    for node_id, ids in involved.items():
        record = store.actors.find(node_id)
        name = record["name"] if record else names.get(node_id, node_id)
        kind = record["kind"] if record else "unknown"
        nodes.append(Node(node_id, str(name), str(kind), len(ids)))
    nodes.sort(key=lambda n: (n.name.casefold(), n.id))
    return Network(nodes, edges)


def write_graphml(network: Network, out: TextIO) -> int:
    """Write the network as GraphML (undirected); returns the number of edges."""
    root = ET.Element("graphml", {"xmlns": GRAPHML_NS, "xmlns:xsi": _XSI,
                                  "xsi:schemaLocation": _SCHEMA})
    for key, domain, name, kind in (("name", "node", "name", "string"),
                                    ("kind", "node", "kind", "string"),
                                    ("events", "node", "events", "int"),
                                    ("relation", "edge", "relation", "string"),
                                    ("event_ids", "edge", "events", "string"),
                                    ("weight", "edge", "weight", "int")):
        ET.SubElement(root, "key", {"id": key, "for": domain, "attr.name": name,
                                    "attr.type": kind})
    graph = ET.SubElement(root, "graph", {"id": "actors", "edgedefault": "undirected"})
    for node in network.nodes:
        element = ET.SubElement(graph, "node", {"id": _xml(node.id)})
        _data(element, "name", node.name)
        _data(element, "kind", node.kind)
        _data(element, "events", str(node.events))
    for k, edge in enumerate(network.edges):
        element = ET.SubElement(graph, "edge", {"id": f"e{k}", "source": _xml(edge.source),
                                                "target": _xml(edge.target)})
        _data(element, "relation", edge.relation)
        _data(element, "event_ids", " ".join(edge.events))
        _data(element, "weight", str(len(edge.events)))
    ET.indent(root)
    out.write('<?xml version="1.0" encoding="UTF-8"?>\n')
    out.write(ET.tostring(root, encoding="unicode"))
    out.write("\n")
    return len(network.edges)


def _data(parent: ET.Element, key: str, value: str) -> None:
    ET.SubElement(parent, "data", {"key": key}).text = _xml(value)


def _xml(text: str) -> str:
    """Text XML can carry: ElementTree escapes markup, not control characters."""
    return _NOT_XML.sub("\ufffd", text)
