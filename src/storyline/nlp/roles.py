"""Titles held by people, read around person mentions, and title-only references.

Three patterns, with the title words in data/roles.yaml:

* before the name: "Syria's interim President Ahmed al-Sharaa", "Iraqi government
  spokesman Bassem Al-Awadi", "National Intelligence Service chief Hamid Al-Shatri";
* an apposition after it: "Hamid al-Shatri, head of the Iraqi National Intelligence
  Service (INIS), ...", "Nadia al-Hakim, the JWC's Jordanian secretary-general, ...";
* an apposition before it: "the head of Iraq's National Intelligence Service, Hamid
  al-Shatri".

A title with no name next to it ("the Syrian president", "the Iraqi intelligence
chief") becomes a title-only person mention, resolved later to whoever holds that title.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Any

from storyline.clean.rules import load_data
from storyline.nlp.entities import Found
from storyline.nlp.tokens import text_of, words_of

_STOP = {",", "(", ")", ".", ";", ":", "“", "”", '"', "—", "–"}


@dataclass(frozen=True, eq=False)
class RoleRules:
    titles: frozenset[str]
    longest: int
    qualifiers: frozenset[str]
    organization_nouns: frozenset[str]
    synonyms: dict[str, str]
    #: Every beginning and every ending of a title, so a search stops as soon as the
    #: words read so far cannot grow into one.
    prefixes: frozenset[str] = frozenset()
    suffixes: frozenset[str] = frozenset()


@cache
def role_rules() -> RoleRules:
    data = load_data("roles.yaml")
    titles = frozenset(t.lower() for t in data["titles"])
    synonyms = {t.lower(): group for group, words in data["title_groups"].items()
                for t in words}
    return RoleRules(titles, max(len(t.split()) for t in titles),
                     frozenset(q.lower() for q in data["qualifiers"]),
                     frozenset(data["organization_nouns"]), synonyms,
                     frozenset(t[:k] for t in titles for k in range(1, len(t) + 1)),
                     frozenset(t[k:] for t in titles for k in range(len(t))))


def title_group(title: str) -> str:
    """Titles that name the same office ("head", "chief", "chairman") share a group."""
    title = title.lower()
    return role_rules().synonyms.get(title, title)


@dataclass
class FoundRole:
    """A title attached to a person mention (index into the paragraph's Found list)."""

    person: int
    title: str
    start: int  # char span of the whole phrase, paragraph-relative
    end: int
    qualifier: str | None = None
    organization: str | None = None
    organization_span: tuple[int, int] | None = None


def _words(sdoc: Any, i: int, j: int) -> str:
    """Tokens i..j-1 as lower-case words, hyphens joined without spaces."""
    lowers = words_of(sdoc)[1]
    out = lowers[i] if i < j else ""
    for k in range(i + 1, j):
        out += _joint(lowers, k) + lowers[k]
    return out


def _joint(lowers: list[str], k: int) -> str:
    """What joins token k to the one before it in `_words`: nothing around a hyphen."""
    return "" if lowers[k] == "-" or lowers[k - 1].endswith("-") else " "


def _title_at(sdoc: Any, i: int, *, ending: bool = False) -> tuple[int, int] | None:
    """The longest title starting at token i (or ending just before i when `ending`).

    The words are read one token at a time away from i, and the search stops when they
    are no longer the beginning (or the end) of any title."""
    rules = role_rules()
    lowers = words_of(sdoc)[1]
    n = len(lowers)
    first = i - 1 if ending else i
    if not 0 <= first < n:
        return None
    bounds = rules.suffixes if ending else rules.prefixes
    out, best = lowers[first], None
    for length in range(1, rules.longest * 2 + 1):  # hyphens count as tokens
        if length > 1:
            k = i - length if ending else i + length - 1
            if not 0 <= k < n:
                break
            out = (lowers[k] + _joint(lowers, k + 1) + out if ending
                   else out + _joint(lowers, k) + lowers[k])
        if out not in bounds:
            break
        if out in rules.titles:
            best = (i - length, i) if ending else (i, i + length)
    return best


def _span(sdoc: Any, a: int, b: int) -> tuple[int, int]:
    return sdoc[a].idx, sdoc[b - 1].idx + len(sdoc[b - 1].text)


def _strip(sdoc: Any, a: int, b: int) -> tuple[int, int]:
    """Drop determiners and possessive markers at the edges of an organization phrase."""
    while a < b and (sdoc[a].lower_ in ("the", "a", "an", "of", "at", "for", "from", "in")
                     or sdoc[a].text in _STOP):
        a += 1
    while b > a and (sdoc[b - 1].tag_ == "POS" or sdoc[b - 1].text in _STOP):
        b -= 1
    return a, b


def find_roles(sdoc: Any, spans: list[Found]) -> tuple[list[FoundRole], list[Found]]:
    """Roles of the person mentions of one paragraph, and its title-only mentions."""
    roles: list[FoundRole] = []
    used: set[int] = set()  # tokens of title phrases already attached to a name
    ent_tokens = {i: s for s in spans for i in range(s.ts, s.te)}
    for k, s in enumerate(spans):
        if s.kind != "person" or s.method == "rule:title-only":
            continue
        for finder in (_before, _apposition_after, _apposition_before):
            role = finder(sdoc, s, k, ent_tokens)
            if role is not None:
                roles.append(role)
                used.update(range(*_token_range(sdoc, role)))
                break
    return roles, _title_only(sdoc, spans, used, ent_tokens)


def _token_range(sdoc: Any, role: FoundRole) -> tuple[int, int]:
    first = next(t.i for t in sdoc if t.idx + len(t.text) > role.start)
    last = max(t.i for t in sdoc if t.idx < role.end)
    return first, last + 1


def _modifier(sdoc: Any, i: int, ent_tokens: dict[int, Found]) -> bool:
    """Can token i stand in a title phrase before a name ("Syria's", "General")?"""
    tok = sdoc[i]
    rules = role_rules()
    if tok.text in _STOP or tok.pos_ in ("VERB", "AUX", "ADP", "PRON", "DET", "NUM"):
        return tok.tag_ == "POS" or (tok.lower_ in ("and",) and i > 0 and sdoc[i - 1].is_title)
    if i in ent_tokens and ent_tokens[i].kind in ("person", "time"):
        return False
    return (tok.tag_ == "POS" or tok.is_title or tok.is_upper or tok.lower_ in rules.qualifiers
            or tok.lower_ in rules.organization_nouns or tok.lower_ in rules.titles
            or i in ent_tokens)


def _before(sdoc: Any, s: Found, k: int, ent_tokens: dict[int, Found]) -> FoundRole | None:
    title = _title_at(sdoc, s.ts, ending=True)
    if title is None:
        return None
    a = title[0]
    qualifier = None
    while a > 0 and sdoc[a - 1].lower_ in role_rules().qualifiers:
        a -= 1
        qualifier = sdoc[a].lower_
    org_end = a
    while a > 0 and s.ts - a < 9 and _modifier(sdoc, a - 1, ent_tokens) and not \
            sdoc[a - 1].is_sent_end:
        a -= 1
        if sdoc[a].is_sent_start:
            break
    oa, ob = _strip(sdoc, a, org_end)
    start = _span(sdoc, oa if oa < ob else title[0], s.ts)[0]
    role = FoundRole(k, _words(sdoc, *title), start, sdoc[s.ts - 1].idx +
                     len(sdoc[s.ts - 1].text), qualifier)
    if oa < ob:
        role.organization_span = _span(sdoc, oa, ob)
        role.organization = text_of(sdoc)[role.organization_span[0]:role.organization_span[1]]
    return role


def _phrase_end(sdoc: Any, i: int, limit: int) -> int:
    j = i
    while j < len(sdoc) and j - i < limit and sdoc[j].text not in _STOP and \
            sdoc[j].lower_ not in ("who", "which", "that", "said", "says") and \
            sdoc[j].pos_ not in ("VERB", "AUX") and not (j > i and sdoc[j].is_sent_start):
        j += 1
    return j


def _apposition_after(sdoc: Any, s: Found, k: int,
                      ent_tokens: dict[int, Found]) -> FoundRole | None:
    if s.te >= len(sdoc) or sdoc[s.te].text != ",":
        return None
    a = s.te + 1
    b = _phrase_end(sdoc, a, 14)
    if b <= a or (b < len(sdoc) and sdoc[b].text not in _STOP and
                  sdoc[b].lower_ not in ("who", "which", "that")):
        return None
    return _parse_apposition(sdoc, a, b, k)


def _apposition_before(sdoc: Any, s: Found, k: int,
                       ent_tokens: dict[int, Found]) -> FoundRole | None:
    if s.ts < 3 or sdoc[s.ts - 1].text != ",":
        return None
    b = s.ts - 1
    a = b
    while a > 0 and b - a < 14 and sdoc[a - 1].text not in _STOP and \
            sdoc[a - 1].pos_ not in ("VERB", "AUX") and not sdoc[a - 1].is_sent_end:
        a -= 1
        if sdoc[a].lower_ in ("the", "a", "an") and (a == 0 or sdoc[a - 1].pos_ in (
                "VERB", "ADP", "AUX", "CCONJ") or sdoc[a - 1].text in _STOP):
            break
    if sdoc[a].lower_ not in ("the", "a", "an", "its", "his", "her", "their"):
        return None
    return _parse_apposition(sdoc, a, b, k)


def _parse_apposition(sdoc: Any, a: int, b: int, k: int) -> FoundRole | None:
    """"[the] [X's] [Jordanian] [interim] TITLE [of|at|for|from ORG]" between a and b."""
    rules = role_rules()
    start = a
    while a < b and sdoc[a].lower_ in ("the", "a", "an"):
        a += 1
    for i in range(a, b):
        title = _title_at(sdoc, i)
        if title is None or title[1] > b:
            continue
        qualifier = next((sdoc[j].lower_ for j in range(a, title[0])
                          if sdoc[j].lower_ in rules.qualifiers), None)
        role = FoundRole(k, _words(sdoc, *title), *_span(sdoc, start, b), qualifier)
        if title[1] < b and sdoc[title[1]].lower_ in ("of", "at", "for", "from", "in"):
            oa, ob = _strip(sdoc, title[1] + 1, b)
        else:
            oa, ob = _strip(sdoc, a, title[0])
            while oa < ob and sdoc[oa].lower_ in rules.qualifiers:
                oa += 1
        if oa < ob:
            role.organization_span = _span(sdoc, oa, ob)
            role.organization = text_of(sdoc)[role.organization_span[0]:role.organization_span[1]]
        return role
    return None


def _title_only(sdoc: Any, spans: list[Found], used: set[int],
                ent_tokens: dict[int, Found]) -> list[Found]:
    """"the Syrian president", "the Iraqi intelligence chief", "the head of X"."""
    out: list[Found] = []
    for tok in sdoc:
        if tok.lower_ not in ("the",) or tok.i + 1 >= len(sdoc):
            continue
        j = tok.i + 1
        while j < len(sdoc) and j - tok.i < 6 and _title_at(sdoc, j) is None and \
                _modifier(sdoc, j, ent_tokens) and sdoc[j].text != ",":
            j += 1
        title = _title_at(sdoc, j) if j < len(sdoc) else None
        if title is None or any(i in used for i in range(tok.i, title[1])):
            continue
        end = title[1]
        if end < len(sdoc) and (end in ent_tokens and ent_tokens[end].kind == "person"):
            continue  # the title of a name: already a role
        if end < len(sdoc) and sdoc[end].tag_ in ("NNS", "NNPS"):
            continue  # "the security officials": a group, not one person
        if end < len(sdoc) and sdoc[end].lower_ == "of":
            stop = _phrase_end(sdoc, end + 1, 10)
            end = stop if stop > end + 1 else end
        a, b = tok.i + 1, end
        while b > a and (sdoc[b - 1].tag_ == "POS" or sdoc[b - 1].text in _STOP):
            b -= 1
        specific = end > title[1] or title[0] > a or sdoc[title[0]].is_title
        if not specific:
            continue  # "the king", "the envoy": too vague to resolve to anyone
        start, stop_char = _span(sdoc, a, b)
        out.append(Found(a, b, "TITLE", "person", "rule:title-only", start, stop_char))
    return out
