"""Within one document: group the mentions that name the same referent into entities.

Rules, each recorded as evidence on the entity it shaped:

* full person names group when `names_match` says they are spellings of one name;
* a surname alone ("al-Shatri", "Sharaa") joins the full name with that surname in the
  same document, the nearest one before it when there are several;
* a title alone ("the Syrian president") joins the person who holds that title there;
* an acronym joins its long form ("INIS" and "the Iraqi National Intelligence Service");
* organization names group by `org_key` ("Iraq's X" = "the Iraqi X" = "X of Iraq");
* an Arabic-script name joins a Latin-script name with the same consonant skeleton.
"""

from __future__ import annotations

from collections.abc import Callable

from storyline.actors.names import (
    country_of,
    is_acronym_of,
    name_key,
    names_match,
    org_key,
    shapes_agree,
)
from storyline.model import Document, Entity, Mention
from storyline.nlp.roles import role_rules, title_group

_PERSONISH = ("person", "organization", "place")


def name_tokens(text: str) -> list[str]:
    """Name tokens without particles: "Mohammed Shia' al-Sudani" -> 3 tokens."""
    return [t for t in name_key(text) if t]


def is_full_name(m: Mention) -> bool:
    return m.kind == "person" and m.method != "rule:title-only" and len(name_tokens(m.text)) >= 2


def group_mentions(doc: Document) -> Document:
    """Fill `doc.entities` and each mention's `entity`."""
    doc.entities = []
    _fix_kinds(doc)
    persons = _group_persons(doc)
    _group_by_key(doc, "organization", _org_key_of)
    _link_acronyms(doc)
    _group_by_key(doc, "place", lambda m: "|".join(name_key(m.text)) or m.text.lower(),
                  shapes_agree)
    _group_by_key(doc, "group", lambda m: country_of(m.text) or m.text.lower())
    _group_by_key(doc, "platform", lambda m: m.text)
    _attach_titles(doc, persons)
    return doc


def _new(doc: Document, kind: str, name: str, evidence: str) -> int:
    doc.entities.append(Entity(kind, name, evidence=[evidence] if evidence else []))
    return len(doc.entities) - 1


def _join(doc: Document, index: int, entity: int, evidence: str | None = None) -> None:
    doc.mentions[index].entity = entity
    e = doc.entities[entity]
    e.mentions.append(index)
    if evidence and evidence not in e.evidence:
        e.evidence.append(evidence)


def _surnames(doc: Document) -> dict[str, list[int]]:
    """Last-name skeleton of every full person name -> the mention indices with it."""
    out: dict[str, list[int]] = {}
    for i, m in enumerate(doc.mentions):
        if is_full_name(m) and m.language != "ar":
            out.setdefault(name_tokens(m.text)[-1], []).append(i)
    return out


def _fix_kinds(doc: Document) -> None:
    """A one-word mention spelled like a person's surname in this document is that person
    ("Sharaa's office" typed as an organization by the model)."""
    surnames = _surnames(doc)
    for m in doc.mentions:
        if m.kind in ("organization", "place") and m.long_form is None and \
                not m.text.isupper() and len(name_tokens(m.text)) == 1:
            key = name_tokens(m.text)[0]
            if key in surnames:
                m.kind, m.method = "person", m.method + "+surname"


def _group_persons(doc: Document) -> list[int]:
    entities: list[int] = []
    for i, m in enumerate(doc.mentions):
        if m.kind != "person" or m.method == "rule:title-only" or not is_full_name(m):
            continue
        target = None
        for e in entities:
            for j in doc.entities[e].mentions:
                match = names_match(m.text, doc.mentions[j].text)
                if match is not None:
                    target, why = e, f"name:{match.kind}"
                    break
            if target is not None:
                break
        if target is None:
            target = _new(doc, "person", m.text, "")
            entities.append(target)
            _join(doc, i, target)
        else:
            _join(doc, i, target, why)
            if len(m.text) > len(doc.entities[target].name) and m.language != "ar":
                doc.entities[target].name = m.text
    for i, m in enumerate(doc.mentions):
        if m.kind != "person" or m.entity is not None or m.method == "rule:title-only":
            continue
        tokens = name_tokens(m.text)
        spelling = surname_spelling(m.text)
        candidates = [e for e in entities
                      if any(_same_surname(m, doc.mentions[j], tokens, spelling)
                             for j in doc.entities[e].mentions)]
        if len(tokens) == 1 and candidates:
            before = [e for e in candidates
                      if min(doc.mentions[j].start for j in doc.entities[e].mentions) < m.start]
            chosen = max(before or candidates, key=lambda e: max(
                (doc.mentions[j].start for j in doc.entities[e].mentions
                 if doc.mentions[j].start < m.start), default=-1))
            _join(doc, i, chosen, "surname-in-document")
        else:
            e = _new(doc, "person", m.text, "")
            entities.append(e)
            _join(doc, i, e)
    return entities


def _same_surname(m: Mention, full: Mention, tokens: list[str], spelling: str) -> bool:
    """A lone surname joins a full name spelled the same way (in Arabic: same skeleton)."""
    if m.language == "ar":
        return name_tokens(full.text)[-1:] == tokens[-1:]
    return full.language != "ar" and surname_spelling(full.text) == spelling


def _org_key_of(m: Mention) -> str:
    return org_key(m.text)


def _group_by_key(doc: Document, kind: str, key_of: Callable[[Mention], str],
                  agree: Callable[[str, str], bool] | None = None) -> None:
    """Join the mentions of `kind` by their key; with `agree`, a mention whose key is
    taken joins only if `agree(its text, the first name filed under it)`, and files its
    key again under its own name otherwise."""
    by_key: dict[str, int] = {}
    firsts: dict[str, str] = {}
    for i, m in enumerate(doc.mentions):
        if m.kind != kind or m.entity is not None:
            continue
        if kind == "organization" and m.long_form is not None:
            continue  # acronyms join their long forms below
        key = key_of(m)
        if agree is not None and key in firsts and not agree(m.text, firsts[key]):
            key = f"{key}|{m.text.casefold()}"
        firsts.setdefault(key, m.text)
        if key not in by_key and kind == "organization":
            core = key.split("|", 1)[-1]
            same_core = [k for k in by_key if k.split("|", 1)[-1] == core]
            if len(same_core) == 1:
                by_key[key] = by_key[same_core[0]]
                _join(doc, i, by_key[key], "organization-name-without-country")
                continue
        if key in by_key:
            _join(doc, i, by_key[key], f"{kind}-key")
            continue
        by_key[key] = _new(doc, kind, m.text, "")
        _join(doc, i, by_key[key])


def _link_acronyms(doc: Document) -> None:
    for i, m in enumerate(doc.mentions):
        if m.long_form is None:
            continue
        target = doc.mentions[m.long_form].entity
        if target is not None:
            _join(doc, i, target, "acronym-in-brackets")
    # An acronym met before or without its brackets: any organization it abbreviates.
    for i, m in enumerate(doc.mentions):
        if m.kind != "organization" or not m.text.isupper():
            continue
        current = m.entity
        if current is not None and len(doc.entities[current].mentions) > 1:
            continue
        for e, entity in enumerate(doc.entities):
            if e != current and entity.kind == "organization" and \
                    is_acronym_of(m.text, entity.name):
                if current is not None:
                    doc.entities[current].mentions.remove(i)
                _join(doc, i, e, "acronym-of-name-in-document")
                break


def _attach_titles(doc: Document, persons: list[int]) -> None:
    """Title-only mentions join the person holding a compatible title in this document."""
    holders: list[tuple[str, str, int, int]] = []  # (group, organization, entity, position)
    for r in doc.roles:
        e = doc.mentions[r.person].entity
        if e is not None:
            holders.append((title_group(r.title), org_hint(r.organization), e,
                            doc.mentions[r.person].start))
    for i, m in enumerate(doc.mentions):
        if m.method != "rule:title-only" or m.entity is not None:
            continue
        group, hint = title_of(m.text)
        matches = [h for h in holders if h[0] == group and (
            not hint or not h[1] or hints_match(hint, h[1]))]
        entities = {h[2] for h in matches}
        if len(entities) == 1:
            _join(doc, i, entities.pop(), "title-in-document")


def org_hint(organization: str | None) -> str:
    """The organization key of a title's organization or country ("" when none)."""
    return org_key(organization) if organization else ""


def hints_match(a: str, b: str) -> bool:
    """Do two title hints name the same office holder's organization or country?

    Equal keys match; so do equal organization names; a bare country matches any
    organization of that country ("the Syrian president" / "President of Syria").
    """
    if not a or not b:
        return False
    country_a, _, core_a = a.rpartition("|") if "|" in a else ("", "", a)
    country_b, _, core_b = b.rpartition("|") if "|" in b else ("", "", b)
    if core_a and core_a == core_b:
        return not (country_a and country_b and country_a != country_b)
    return bool(country_a) and country_a == country_b and (not core_a or not core_b)


def surname_spelling(name: str) -> str:
    """The last word of a name as spelled, without its article: "Al-Sharaa" -> "sharaa"."""
    words = name.replace("’", "'").casefold().split()
    last = words[-1] if words else ""
    for article in ("al-", "el-", "ul-"):
        if last.startswith(article):
            last = last[len(article):]
    return last.strip("'")


def title_of(text: str) -> tuple[str, str]:
    """(title group, organization/country hint) of a title-only mention's text."""
    words = text.replace("’", "'").split()
    rules = role_rules()
    title = ""
    for n in range(len(words), 0, -1):
        for a in range(0, len(words) - n + 1):
            phrase = " ".join(words[a:a + n]).lower().rstrip(",.")
            if phrase in rules.titles:
                title = phrase
                before, after = words[:a], words[a + n:]
                lowered = [w.lower() for w in after]
                if "of" in lowered:
                    return title_group(title), org_key(" ".join(after[lowered.index("of") + 1:]))
                return title_group(title), org_key(" ".join(before)) if before else ""
    return title_group(text.lower()), ""
