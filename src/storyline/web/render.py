"""Safe HTML fragments built from untrusted article text: highlighted passages and the
actor graph. Every piece of text goes through `escape`; markup is only ever ours."""

from __future__ import annotations

import itertools
import math
import re
from dataclasses import dataclass, field

from markupsafe import Markup, escape

from storyline.network import Network

_ARABIC = re.compile(r"[\u0600-\u06FF\u0750-\u077F\u08A0-\u08FF\uFB50-\uFDFF\uFE70-\uFEFF]")


def is_arabic(text: str | None) -> bool:
    return bool(text and _ARABIC.search(text))


def bidi(text: str | None) -> Markup:
    """A value that may be in another script, isolated so it cannot reorder the page."""
    if text is None:
        return Markup("")
    if is_arabic(text):
        return Markup('<bdi dir="rtl" lang="ar">{}</bdi>').format(text)
    return Markup("<bdi>{}</bdi>").format(text)


@dataclass(frozen=True)
class Highlight:
    """One span of a text to mark: `kind` picks the element and its CSS class."""

    start: int
    end: int
    kind: str  # entity | time | trigger | quote | cited
    label: str = ""
    href: str | None = None
    css: str = ""
    anchor: str | None = None


_ORDER = {"cited": 0, "quote": 1, "entity": 2, "time": 2, "trigger": 3}


@dataclass
class Passage:
    """A slice of a document's cleaned text with its paragraph direction."""

    start: int
    end: int
    direction: str = "ltr"
    language: str | None = None
    kind: str = "body"
    highlights: list[Highlight] = field(default_factory=list)


def highlight(text: str, start: int, end: int, marks: list[Highlight]) -> Markup:
    """`text[start:end]` as HTML with `marks` (clipped to it) wrapped around their spans.

    Marks may overlap: the text is cut at every mark boundary and each piece is wrapped
    in the marks that cover it, outermost first, so the output is always well nested.
    """
    inside = [m for m in marks if m.start < end and m.end > start and m.end > m.start]
    cuts = sorted({start, end, *(max(start, m.start) for m in inside),
                   *(min(end, m.end) for m in inside)})
    out: list[str] = []
    anchored: set[str] = set()
    for a, b in itertools.pairwise(cuts):
        if a >= b:
            continue
        piece = str(escape(text[a:b]))
        covering = sorted((m for m in inside if m.start <= a and m.end >= b),
                          key=lambda m: (_ORDER.get(m.kind, 9), m.start, -m.end))
        for m in reversed(covering):
            piece = _wrap(m, piece, first=m.anchor is not None and m.anchor not in anchored)
            if m.anchor:
                anchored.add(m.anchor)
        out.append(piece)
    return Markup("".join(out))


def _wrap(m: Highlight, inner: str, *, first: bool) -> str:
    css = f"hl-{m.kind} {m.css}".strip()
    title = f' title="{escape(m.label)}"' if m.label else ""
    anchor = f' id="{escape(m.anchor)}"' if first and m.anchor else ""
    if m.kind == "entity" and m.href:
        return f'<a class="{css}" href="{escape(m.href)}"{title}{anchor}>{inner}</a>'
    if m.kind == "trigger":
        return f'<mark class="{css}"{title}{anchor}>{inner}</mark>'
    return f'<span class="{css}"{title}{anchor}>{inner}</span>'


def render_passages(text: str, passages: list[Passage]) -> Markup:
    """Paragraphs of a document, each with its own direction and language."""
    html = []
    for p in passages:
        lang = f' lang="{escape(p.language)}"' if p.language else ""
        body = highlight(text, p.start, p.end, p.highlights)
        html.append(f'<p dir="{"rtl" if p.direction == "rtl" else "auto"}"{lang} '
                    f'class="para para-{escape(p.kind)}" data-start="{p.start}">{body}</p>')
    return Markup("\n".join(html))


RELATION_COLOURS = {"met": "#2f6fb0", "agreed": "#2e8b57", "clashed": "#c0392b",
                    "other": "#888888"}


def network_svg(network: Network, centre: str | None, *, size: int = 520,
                href: str = "/actors/") -> Markup:
    """The actor network as an inline SVG: `centre` in the middle, the others on a ring,
    one line per relation (colour) with its event count as a tooltip."""
    if not network.nodes:
        return Markup("")
    others = [n for n in network.nodes if n.id != centre]
    others.sort(key=lambda n: (-n.events, n.name))
    mid = size / 2
    radius = size / 2 - 90
    pos: dict[str, tuple[float, float]] = {}
    if centre is not None:
        pos[centre] = (mid, mid)
    for k, node in enumerate(others):
        angle = 2 * math.pi * k / max(len(others), 1) - math.pi / 2
        pos[node.id] = (mid + radius * math.cos(angle), mid + radius * math.sin(angle))
    parts = [f'<svg class="network" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {size} '
             f'{size}" width="{size}" height="{size}" role="img" '
             f'aria-label="who met, agreed or clashed with whom">']
    pair_seen: dict[tuple[str, str], int] = {}
    for e in network.edges:
        if e.source not in pos or e.target not in pos:
            continue
        (x1, y1), (x2, y2) = pos[e.source], pos[e.target]
        pair = (min(e.source, e.target), max(e.source, e.target))
        k = pair_seen.get(pair, 0)
        pair_seen[pair] = k + 1
        shift = 5 * k  # parallel relations of one pair side by side
        colour = RELATION_COLOURS.get(e.relation, "#888888")
        label = f"{e.relation}: {len(e.events)} event(s)"
        parts.append(
            f'<line class="edge edge-{escape(e.relation)}" x1="{x1 + shift:.1f}" '
            f'y1="{y1 + shift:.1f}" x2="{x2 + shift:.1f}" y2="{y2 + shift:.1f}" '
            f'stroke="{colour}" stroke-width="{min(2 + len(e.events), 8)}">'
            f"<title>{escape(label)}</title></line>")
    names = {n.id: n for n in network.nodes}
    for node_id, (x, y) in pos.items():
        node = names[node_id]
        css = "node node-centre" if node_id == centre else "node"
        parts.append(
            f'<a href="{escape(href + node_id)}" class="{css}"><circle cx="{x:.1f}" '
            f'cy="{y:.1f}" r="{10 if node_id == centre else 7}"/><text x="{x:.1f}" '
            f'y="{y + 22:.1f}" text-anchor="middle">{escape(node.name)}</text>'
            f"<title>{escape(node.name)} ({escape(node.kind)})</title></a>")
    parts.append("</svg>")
    return Markup("".join(parts))
