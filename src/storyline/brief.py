"""A story as a standalone brief, in Markdown or HTML (docs/export.md#story-briefs).

A brief holds the story's title, dates and outlets, its summary with every sentence's
citations (outlet, document, character span of the original input), the timeline of its
events (date, type, participants, place, outlets, independent origins, single-origin
and conflict flags) and the list of its sources. Every value comes from article text and
is untrusted: the HTML escapes all of it (and runs no script; its content security
policy forbids any), the Markdown escapes whatever would make a link, an image or HTML.
"""

from __future__ import annotations

import html
import re
import unicodedata
from typing import Any

from storyline.errors import StorylineError
from storyline.store import Store
from storyline.stories.story import StoryReader

FORMATS = ("md", "html")
# Characters Markdown (CommonMark, GFM) reads as markup anywhere in a line.
_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>&|~!#])")


class StoryNotFound(StorylineError):
    """No story with that id (or unique id prefix) is stored."""


def story_brief(store: Store, story_id: str, fmt: str = "md", *,
                min_score: float = 0.5) -> str:
    """One story as a brief; `fmt` is "md" or "html". The timeline keeps the events coded
    with at least `min_score`, as `storyline story` does."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown brief format {fmt!r}; formats: {', '.join(FORMATS)}")
    story = StoryReader(store).story(story_id)
    if story is None:
        raise StoryNotFound(f"no story {story_id!r} in the store; `storyline stories` lists "
                            f"the stored ones")
    story["timeline"] = [e for e in story["timeline"] if e["score"] >= min_score]
    for doc in story["documents"]:
        record = store.document(doc["id"])
        doc["source"] = record["source"] if record else None
    return render_html(story) if fmt == "html" else render_markdown(story)


# --- shared wording ----------------------------------------------------------------------


def _date(value: str | None, precision: str | None) -> str:
    if not value:
        return "undated"
    if precision == "published":
        return f"on or before {value}"
    return value


def _dates(story: dict[str, Any]) -> str:
    first, last = story["first_date"], story["last_date"]
    if not first:
        return "undated"
    return first if first == last or not last else f"{first} to {last}"


def _span(cite: dict[str, Any]) -> str:
    if cite["start"] is None:
        return ""
    return f"characters {cite['start']}–{cite['end']}"


def _origins(event: dict[str, Any]) -> str:
    n = event["origins"]
    names = ", ".join(event["origin_names"])
    word = "origin" if n == 1 else "origins"
    return f"{n} independent {word}" + (f" ({names})" if names else "")


def _titles(story: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {d["id"]: d for d in story["documents"]}


def _conflict(conflict: dict[str, Any], docs: dict[str, dict[str, Any]]) -> str:
    """"date: 2025-08-28 (Rudaw); 2025-08-27 (SANA)": each value with the outlets giving it."""
    def outlets(ids: list[str]) -> str:
        return ", ".join(sorted({str(docs[i]["outlet"]) if i in docs else i for i in ids}))

    values = "; ".join(f"{v['value']} ({outlets(v['documents'])})"
                       for v in conflict["values"])
    return f"{conflict['subject']}: {values}"


def _is_url(value: Any) -> bool:
    return isinstance(value, str) and value.lower().startswith(("http://", "https://"))


# --- Markdown ----------------------------------------------------------------------------


def md_escape(value: Any) -> str:
    """Text that Markdown shows as written: markup characters backslash-escaped and line
    breaks folded, so no value can start a heading, a list or a block."""
    text = " ".join(str(value).split())
    return _MD_SPECIAL.sub(r"\\\1", text)


def render_markdown(story: dict[str, Any]) -> str:
    """The brief of a `StoryReader.story` record, as Markdown."""
    e = md_escape
    docs = _titles(story)
    lines = [f"# {e(story['title'])}", "",
             f"Story {e(story['id'])}, {e(_dates(story))}: {len(story['documents'])} "
             f"document{'s' if len(story['documents']) != 1 else ''} from "
             f"{', '.join(e(o) for o in story['outlets']) or 'no outlet'}.", "",
             "## Summary", ""]
    if not story["summary"]:
        lines.append("No sentence of this story reports one of its events.")
    for k, sentence in enumerate(story["summary"], 1):
        lines.append(f"{k}. {e(sentence['text'])}")
        for cite in sentence["citations"]:
            doc = docs.get(cite["document"], {})
            how = "quoted from" if cite["role"] == "source" else "also reported by"
            title = f", “{e(doc['title'])}”" if doc.get("title") else ""
            span = f", {_span(cite)}" if _span(cite) else ""
            lines.append(f"    - {how} {e(cite['outlet'])}{title} "
                         f"({e(cite['document'])}){span}")
    lines += ["", "## Timeline", ""]
    if not story["timeline"]:
        lines.append("No event of this story is coded with enough confidence.")
    for event in story["timeline"]:
        kind = event["type"] + (f"/{event['mode']}" if event["mode"] else "")
        who = ", ".join(e(a) for a in event["actors"])
        whom = ", ".join(e(r) for r in event["recipients"])
        parts = [f"**{e(_date(event['date'], event['date_precision']))}**",
                 f"{e(kind)} ({e(event['id'])})"]
        if who or whom:
            parts.append((who or "someone") + (f" with {whom}" if whom else ""))
        if event["location"]:
            parts.append(f"in {e(event['location'])}")
        parts.append(f"reported by {', '.join(e(o) for o in event['outlets'])}")
        parts.append(e(_origins(event)))
        if event["single_origin"]:
            parts.append("**single origin**")
        for conflict in event["conflicts"]:
            parts.append(f"**conflict** over {e(_conflict(conflict, docs))}")
        lines.append("- " + " · ".join(parts))
    lines += ["", "## Sources", ""]
    for k, doc in enumerate(story["documents"], 1):
        bits = [e(doc["outlet"]), e(doc["title"]) if doc["title"] else "(untitled)",
                e(doc["published"] or "undated"), e(doc["id"])]
        if _is_url(doc.get("source")):
            bits.append(e(doc["source"]))
        lines.append(f"{k}. " + " · ".join(bits))
    return "\n".join(lines) + "\n"


# --- HTML --------------------------------------------------------------------------------

_CSS = """
body { font: 16px/1.5 Georgia, "Noto Naskh Arabic", serif; color: #1d2430; background: #fbfaf7;
       max-width: 52rem; margin: 2rem auto; padding: 0 1.25rem; }
h1 { font-size: 1.7rem; line-height: 1.25; margin-bottom: .3rem; }
h2 { font: 600 1rem/1.3 system-ui, sans-serif; text-transform: uppercase; letter-spacing: .06em;
     color: #5b6472; border-bottom: 1px solid #ddd8cc; padding-bottom: .25rem; margin-top: 2rem; }
.meta, .cite, td, th, .sources { font-family: system-ui, sans-serif; }
.meta { color: #5b6472; font-size: .95rem; }
ol.summary > li { margin-bottom: .9rem; }
ul.cites { list-style: none; padding-left: 0; margin: .2rem 0 0; }
.cite { font-size: .85rem; color: #5b6472; }
.cite .role { font-weight: 600; }
table { border-collapse: collapse; width: 100%; font-size: .85rem; }
th, td { text-align: start; vertical-align: top; padding: .35rem .5rem;
         border-bottom: 1px solid #e6e1d6; }
th { color: #5b6472; font-weight: 600; }
td.date { white-space: nowrap; }
.flag { display: inline-block; border-radius: .25rem; padding: 0 .35rem; margin: 0 .2rem .2rem 0;
        font-size: .75rem; font-weight: 600; }
.single { background: #fff1c9; color: #6b4e00; }
.conflict { background: #fde1de; color: #8a1c12; }
code { font-size: .8rem; color: #5b6472; }
.sources { font-size: .9rem; }
"""


def _has_non_latin(text: str) -> bool:
    return any(ch.isalpha() and not unicodedata.name(ch, "").startswith("LATIN")
               for ch in text)


def h(value: Any) -> str:
    """One value for HTML: escaped, isolated in <bdi> when not in Latin script (so
    Arabic renders right to left without reordering the text around it)."""
    text = html.escape(str(value), quote=True)
    return f"<bdi>{text}</bdi>" if _has_non_latin(str(value)) else text


def render_html(story: dict[str, Any]) -> str:
    """The brief of a `StoryReader.story` record, as a standalone HTML page."""
    docs = _titles(story)
    out = ["<!DOCTYPE html>", '<html lang="en">', "<head>", '<meta charset="utf-8">',
           '<meta http-equiv="Content-Security-Policy" content="default-src \'none\'; '
           'style-src \'unsafe-inline\'">',
           '<meta name="viewport" content="width=device-width, initial-scale=1">',
           f"<title>{html.escape(str(story['title']))}</title>",
           f"<style>{_CSS}</style>", "</head>", "<body>", "<article>",
           f'<h1 dir="auto">{h(story["title"])}</h1>',
           f'<p class="meta">Story <code>{h(story["id"])}</code> · {h(_dates(story))} · '
           f'{len(story["documents"])} document{"s" if len(story["documents"]) != 1 else ""}'
           f' from {", ".join(h(o) for o in story["outlets"]) or "no outlet"}</p>',
           "<h2>Summary</h2>"]
    if not story["summary"]:
        out.append("<p>No sentence of this story reports one of its events.</p>")
    else:
        out.append('<ol class="summary">')
        for sentence in story["summary"]:
            out.append(f'<li><p dir="auto">{h(sentence["text"])}</p><ul class="cites">')
            for cite in sentence["citations"]:
                doc = docs.get(cite["document"], {})
                role = "Quoted from" if cite["role"] == "source" else "Also reported by"
                title = f", “{h(doc['title'])}”" if doc.get("title") else ""
                span = f", {_span(cite)}" if _span(cite) else ""
                out.append(f'<li class="cite"><span class="role">{role}</span> '
                           f'{h(cite["outlet"])}{title} (<code>{h(cite["document"])}</code>)'
                           f"{span}</li>")
            out.append("</ul></li>")
        out.append("</ol>")
    out.append("<h2>Timeline</h2>")
    if not story["timeline"]:
        out.append("<p>No event of this story is coded with enough confidence.</p>")
    else:
        out += ["<table>", "<thead><tr><th>date</th><th>event</th><th>who</th><th>with</th>"
                "<th>where</th><th>reported by</th><th>origins</th><th>flags</th></tr></thead>",
                "<tbody>"]
        for event in story["timeline"]:
            kind = event["type"] + (f"/{event['mode']}" if event["mode"] else "")
            flags = (['<span class="flag single">single origin</span>']
                     if event["single_origin"] else [])
            flags += [f'<span class="flag conflict">conflict</span> '
                      f"{h(_conflict(c, docs))}" for c in event["conflicts"]]
            out.append(
                f'<tr><td class="date">{h(_date(event["date"], event["date_precision"]))}</td>'
                f'<td>{h(kind)}<br><code>{h(event["id"])}</code></td>'
                f'<td>{", ".join(h(a) for a in event["actors"])}</td>'
                f'<td>{", ".join(h(r) for r in event["recipients"])}</td>'
                f'<td>{h(event["location"] or "")}</td>'
                f'<td>{", ".join(h(o) for o in event["outlets"])}</td>'
                f"<td>{h(_origins(event))}</td><td>{'<br>'.join(flags)}</td></tr>")
        out += ["</tbody>", "</table>"]
    out += ["<h2>Sources</h2>", '<ol class="sources">']
    for doc in story["documents"]:
        title = h(doc["title"]) if doc["title"] else "(untitled)"
        source = doc.get("source")
        where = ""
        if _is_url(source):  # a file path stays out: it names the analyst's machine
            where = (f' · <a href="{html.escape(str(source), quote=True)}" '
                     f'rel="noopener noreferrer nofollow">{h(source)}</a>')
        out.append(f'<li><strong>{h(doc["outlet"])}</strong> · <span dir="auto">{title}'
                   f'</span> · {h(doc["published"] or "undated")} · <code>{h(doc["id"])}'
                   f"</code>{where}</li>")
    out += ["</ol>", "</article>", "</body>", "</html>"]
    return "\n".join(out) + "\n"
