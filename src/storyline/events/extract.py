"""The events stage: typed event mentions read off the dependency parse.

A trigger word (data/events.yaml) evokes an event type; the argument rules below read
its participants from the parse: the subject is the actor, the object or the "with"
phrase the recipient, a place after "in"/"at" the location, the nearest time
expression of the clause the time. A noun after a light verb ("held talks") takes the
verb's arguments. Modality comes from negation, modal and future auxiliaries, "plans
to", "if" clauses and distancing cues; the innermost claim around the trigger says who
reports it. Every event gets a score: the trigger's weight, raised by found
participants and lowered when there are none, so a doubtful coding is marked, not
hidden or invented.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from storyline.events.ontology import Ontology, Trigger, ontology
from storyline.events.parse import ACTOR_KINDS, MentionIndex, child, last_person, paragraph_index
from storyline.model import Document, EventMention, Span
from storyline.nlp.tokens import columns

_CORE_DEPS = ("conj", "compound", "amod", "poss", "nmod", "npadvmod")
#: Codings below this score are not kept: a bare noun with no participant, say.
MIN_SCORE = 0.3
_LOCATION_PREPS = ("in", "at", "inside", "near", "outside", "across", "along")


def find_events(doc: Document) -> Document:
    """Fill `doc.events` from the parses in `doc.analyses` (claims must be found first)."""
    onto = ontology()
    doc.events = []
    index = MentionIndex(doc)
    heads: dict[int, list[str]] = {}  # event index -> lemmas of its actor phrases' heads
    for base, sdoc in doc.analyses:
        reader = _Reader(doc, base, sdoc, onto, index, heads)
        for sent in sdoc.sents:
            reader.sentence(sent)
    _link_anaphors(doc)
    _link_repeats(doc, onto)
    return doc


class _Reader:
    def __init__(self, doc: Document, base: int, sdoc: Any, onto: Ontology,
                 index: MentionIndex, heads: dict[int, list[str]]) -> None:
        self.doc, self.base, self.sdoc, self.onto = doc, base, sdoc, onto
        self.index, self._heads = index, heads
        self.paragraph = paragraph_index(doc, base)
        self.cols = columns(sdoc)

    # --- triggers ----------------------------------------------------------------------

    def sentence(self, sent: Any) -> None:
        found: list[tuple[Any, Trigger, Any]] = []  # (trigger token, trigger, governor)
        for i in range(sent.start, sent.end):
            hit = self._match(i)
            if hit is None:
                continue
            tok, trig = hit
            governor = tok
            if trig.pos == "noun" and tok.dep_ in ("dobj", "nsubjpass") \
                    and tok.head.lemma_.lower() in self.onto.light_verbs:
                governor = tok.head
            elif trig.pos == "noun" and (verb := self._journey(tok)) is not None:
                governor = verb  # "flew to Baghdad for talks": the traveller
            found.append((tok, trig, governor))
        coded = {t.i for t, _, _ in found}
        kept = [f for f in found if not self._subsumed(f, found, coded)]
        # A noun folded into the verb event above it ("travelled ... for talks with X")
        # still names who the event was with.
        absorbed: dict[int, list[Any]] = {}
        for f in found:
            if f not in kept and f[1].pos == "noun":
                head = self._coded_head(f[0], coded)
                if head is not None and any(t.i == head and tr.type == f[1].type
                                            for t, tr, _ in found):
                    absorbed.setdefault(head, []).append(f)
        topics = self.onto.topics_of(sent.text.lower()) if kept else []
        for tok, trig, gov in kept:
            self._code(tok, trig, gov, sent, topics, absorbed.get(tok.i, []))
        self._membership(sent)

    def _journey(self, tok: Any) -> Any:
        """The verb of travel whose "for" phrase holds the noun `tok` ("flew ... for talks",
        "flew ... for four hours of talks"), else None."""
        node = tok
        for _ in range(3):
            if node.dep_ != "pobj":
                return None
            prep = node.head
            if prep.lower_ == "for":
                verb = prep.head
                return verb if verb.lemma_.lower() in self.onto.travel_verbs else None
            if prep.lower_ != "of":
                return None
            node = prep.head  # "four hours of talks": up to "hours"
        return None

    @staticmethod
    def _coded_head(tok: Any, coded: set[int]) -> int | None:
        """The nearest trigger among the three heads above `tok`."""
        head = tok
        for _ in range(3):
            if head.head.i == head.i:
                return None
            head = head.head
            if head.i in coded:
                return int(head.i)
        return None

    def _match(self, i: int) -> tuple[Any, Trigger] | None:
        """Token i and the trigger it is, if any (its children meeting the trigger's
        conditions)."""
        cols = self.cols
        if cols.pos[i] == "VERB":
            pos = "verb"
        elif cols.pos[i] in ("NOUN", "PROPN") and cols.tags[i] not in ("NNP", "NNPS"):
            pos = "noun"
        else:
            return None
        candidates = self.onto.triggers.get((pos, cols.lemmas[i]))
        if not candidates:
            return None
        tok = self.sdoc[i]
        passing = [t for t in candidates if self._conditions(tok, t)]
        return (tok, max(passing, key=lambda t: t.weight)) if passing else None

    def _conditions(self, tok: Any, trig: Trigger) -> bool:
        children = list(tok.children)
        lemmas = {c.lemma_.lower() for c in children}
        if trig.unless & lemmas:
            return False
        if trig.prep and not any(c.dep_ in ("prep", "agent", "dative") and c.lower_ in trig.prep
                                 for c in children):
            return False
        if trig.modifier and not any(c.dep_ in ("compound", "amod", "nmod")
                                     and c.lemma_.lower() in trig.modifier for c in children):
            return False
        if trig.particle and not any(c.dep_ == "prt" and c.lower_ == trig.particle
                                     for c in children):
            return False
        if trig.plural and tok.tag_ not in ("NNS", "NNPS"):
            return False
        obj = self._object(tok)
        if obj is None and trig.object_role == "target":
            obj = child(tok, "nsubj")  # "the crossing reopened": the subject changed state
        if trig.object is not None:
            if not trig.object:
                if obj is not None:
                    return False
            elif obj is None or not ({obj.lemma_.lower(), obj.lower_} & trig.object):
                return False
        if trig.object_kind is not None:
            kinds = ({self.doc.mentions[m].kind for m in self._mentions(obj, deep=True)}
                     if obj is not None else set())
            if not trig.object_kind:
                if kinds & set(ACTOR_KINDS):
                    return False
            elif not kinds & trig.object_kind:
                return False
        return True

    def _object(self, tok: Any) -> Any:
        if tok.pos_ != "VERB":
            return None
        for c in tok.children:
            if c.dep_ in ("dobj", "nsubjpass"):
                return c
        return None

    def _subsumed(self, item: tuple[Any, Trigger, Any], found: list[tuple[Any, Trigger, Any]],
                  coded: set[int]) -> bool:
        """A trigger inside another's argument ("agreed to increase cooperation")."""
        tok, trig, _ = item
        head = self._coded_head(tok, coded)
        if head is None:
            return False
        other = next(t for t in found if t[0].i == head)[1]
        if trig.pos == "noun" and tok.dep_ not in ("nsubj", "nsubjpass"):
            return other.lemma not in self.onto.light_verbs
        return trig.type == other.type  # "met ... to discuss": one event

    # --- one event ---------------------------------------------------------------------

    def _code(self, tok: Any, trig: Trigger, gov: Any, sent: Any, topics: list[str],
              absorbed: list[tuple[Any, Trigger, Any]] | None = None) -> None:
        ev = EventMention(type=trig.type, mode=trig.mode, trigger=tok.text,
                          trigger_span=self._span(tok.i, tok.i + 1),
                          sentence=self._trimmed_sentence(sent), paragraph=self.paragraph,
                          rule=f"{trig.pos}:{trig.lemma}")
        actor_heads = self._actors(tok, trig, gov, ev)
        if not ev.actors:
            cue = next((c for c in self.doc.claims
                        if c.cue_span[0] == ev.trigger_span[0] and c.source_mention is not None),
                       None)
            if cue is not None and cue.source_mention is not None:
                ev.actors.append(cue.source_mention)  # "Sharaa told reporters"
        self._objects(tok, trig, gov, ev)
        self._preps(tok, trig, gov, ev)
        for noun, noun_trigger, _ in absorbed or []:
            self._preps(noun, noun_trigger, noun, ev)
        if ev.location is None:
            ev.location = self._place_in(gov)
        ev.time = self._time(tok, gov)
        ev.topics = topics
        ev.modality = self._modality(tok, gov)
        ev.claim = self._claim(tok)
        if ev.modality == "asserted" and ev.claim is not None \
                and self.doc.claims[ev.claim].stance == "distancing":
            ev.modality = "reported"
        ev.score = self._score(trig, ev)
        if ev.score < MIN_SCORE:
            return
        ev.actors = _unique(ev.actors)
        ev.recipients = [m for m in _unique(ev.recipients) if m not in ev.actors]
        self._heads.setdefault(len(self.doc.events), actor_heads)
        self.doc.events.append(ev)

    def _actors(self, tok: Any, trig: Trigger, gov: Any, ev: EventMention) -> list[str]:
        subjects = self._subjects(gov)
        if trig.pos == "noun":
            for c in tok.children:
                if c.dep_ == "poss" or (c.dep_ in ("compound", "amod") and self._mentions(c)):
                    subjects.append(c)
                if c.dep_ == "prep" and c.lower_ in ("by", "of", "between", "among"):
                    pobj = child(c, "pobj")
                    if pobj is not None and not (c.lower_ == "of" and trig.object_role
                                                 == "target"):
                        subjects.append(pobj)
        heads = []
        for s in subjects:
            heads.append(s.lemma_.lower())
            text = " ".join(t.lower_ for t in s.subtree)
            if text in self.onto.collective_references or s.lower_ in ("both", "two"):
                ev.actors.extend(self._collective())
                continue
            if s.lower_ == "it" and s.dep_ in ("nsubjpass", "expl"):
                ev.actors.extend(self._collective())  # "it was agreed"
                continue
            if s.lower_ in ("he", "she"):
                m = self._previous_actor(s.idx)
                if m is not None:
                    ev.actors.append(m)
                continue
            ev.actors.extend(self._mentions(s))
            leader = self._led_by(s)
            if leader:
                ev.actors.extend(leader)
        return heads

    def _subjects(self, gov: Any) -> list[Any]:
        tok = gov
        for _ in range(4):
            subj = [c for c in tok.children if c.dep_ in ("nsubj", "csubj")
                    or (c.dep_ == "nsubjpass" and c.lower_ == "it")]
            agent = next((c for c in tok.children if c.dep_ == "agent"), None)
            if agent is not None and child(agent, "pobj") is not None:
                subj.append(child(agent, "pobj"))
            if subj:
                out = []
                for s in subj:
                    if s.tag_ in ("WDT", "WP") or s.lower_ in ("that", "which", "who"):
                        s = tok.head if tok.dep_ == "relcl" else s
                    out.append(s)
                    out.extend(c for c in s.children if c.dep_ == "conj")
                return out
            if tok.dep_ == "relcl" and tok.head.i != tok.i:
                return [tok.head]
            if tok.dep_ in ("xcomp", "advcl", "conj", "pcomp", "acl") and tok.head.i != tok.i \
                    and tok.head.pos_ in ("VERB", "AUX"):
                tok = tok.head
                continue
            break
        return []

    def _objects(self, tok: Any, trig: Trigger, gov: Any, ev: EventMention) -> None:
        if trig.pos != "verb":
            if trig.object_role == "target":
                for c in tok.children:
                    if c.dep_ == "prep" and c.lower_ == "of" and child(c, "pobj") is not None:
                        self._target(child(c, "pobj"), ev)
            return
        passive = any(c.dep_ in ("auxpass", "nsubjpass") for c in tok.children)
        for c in tok.children:
            if c.dep_ in ("dobj", "dative") or (passive and c.dep_ == "nsubjpass"):
                if trig.object_role == "target":
                    self._target(c, ev)
                elif trig.object_role == "location":
                    if self._mention_of(c) is None:
                        self._target(c, ev)
                        continue
                    for m in self._mentions(c):
                        if self.doc.mentions[m].kind == "place" and ev.location is None:
                            ev.location = m
                        else:
                            ev.recipients.append(m)
                elif trig.object_role == "recipient":
                    ev.recipients.extend(self._mentions(c))
        if trig.object_role == "target" and ev.theme is None and trig.object == frozenset():
            return
        if trig.object_role == "target" and ev.theme is None and not passive:
            subj = child(tok, "nsubj")
            if subj is not None and subj.lemma_.lower() in (trig.object or ()):
                # "the crossing reopened": the subject changed state, no actor named
                self._target(subj, ev)
                ev.actors = [m for m in ev.actors if m not in self._mentions(subj)]

    def _target(self, tok: Any, ev: EventMention) -> None:
        ev.theme_span = self._span(tok.left_edge.i, tok.right_edge.i + 1)
        ev.theme = self.doc.text[ev.theme_span[0]:ev.theme_span[1]]
        for m in self._mentions(tok, deep=True):
            if self.doc.mentions[m].kind == "place" and ev.location is None:
                ev.location = m
            else:
                ev.others.append(("target", m))

    def _preps(self, tok: Any, trig: Trigger, gov: Any, ev: EventMention) -> None:
        heads = [tok] if gov is tok else [tok, gov]
        for head in heads:
            for prep in head.children:
                if prep.dep_ not in ("prep", "agent"):
                    continue
                phrase, pobj = self._prep_object(prep)
                if pobj is None:
                    continue
                role = self.onto.participant_preps.get(phrase)
                mentions = self._mentions(pobj)
                if role is not None:
                    ev.others.extend((role, m) for m in mentions)
                    continue
                word = prep.lower_
                if word in ("with", "to", "against", "toward", "towards", "on", "for"):
                    for m in mentions:
                        kind = self.doc.mentions[m].kind
                        if kind == "place" and word == "to" and ev.location is None:
                            ev.location = m
                        elif word in ("with", "against") or (word == "to" and kind != "place"):
                            ev.recipients.append(m)
                elif word in _LOCATION_PREPS and ev.location is None:
                    place = next((m for m in mentions
                                  if self.doc.mentions[m].kind == "place"), None)
                    if place is not None:
                        ev.location = place

    def _prep_object(self, prep: Any) -> tuple[str, Any]:
        """The preposition (or the fixed phrase it heads: "in the presence of") and its
        object, the object of the phrase's last preposition."""
        pobj = child(prep, "pobj")
        if pobj is not None:
            inner = next((c for c in pobj.children if c.dep_ == "prep"), None)
            if inner is not None:
                phrase = " ".join(t.lower_ for t in self.sdoc[prep.i:inner.i + 1])
                if phrase in self.onto.participant_preps:
                    return phrase, child(inner, "pobj")
        return str(prep.lower_), pobj

    def _time(self, tok: Any, gov: Any) -> int | None:
        for head in (tok, gov, *self._clause_heads(gov)):
            best = self._time_in(head)
            if best is not None:
                return best
        return None

    def _clause_heads(self, gov: Any) -> list[Any]:
        out, tok = [], gov
        for _ in range(3):
            if tok.dep_ in ("xcomp", "advcl", "conj", "pcomp", "dobj", "pobj", "prep",
                            "nsubj", "nsubjpass") and tok.head.i != tok.i:
                tok = tok.head
                out.append(tok)
            else:
                break
        return out

    def _clause(self, head: Any) -> list[Any]:
        """Tokens below `head` outside nested clauses, in order."""
        skip = ("ccomp", "relcl", "parataxis", "advcl", "conj", "acl", "csubj", "xcomp")
        stack = [c for c in head.children if c.dep_ not in skip]
        seen = []
        while stack:
            t = stack.pop()
            seen.append(t)
            stack.extend(c for c in t.children if c.dep_ not in skip)
        return sorted(seen, key=lambda t: t.i)

    def _place_in(self, head: Any) -> int | None:
        """A place after a locative preposition on the verb or on one of its participants
        ("met with X in Y"), not inside a topic ("discussed developments in Y")."""
        holders = {head.i}
        for c in head.children:
            if c.dep_ in ("nsubj", "nsubjpass") or (c.dep_ == "dobj"
                                                    and self._mention_of(c) is not None):
                holders.add(c.i)
            if c.dep_ == "prep" and c.lower_ in ("with", "to"):
                holders.update(g.i for g in c.children if g.dep_ == "pobj")
        for t in self._clause(head):
            if t.dep_ == "prep" and t.lower_ in _LOCATION_PREPS and t.head.i in holders:
                pobj = child(t, "pobj")
                m = self._mention_of(pobj) if pobj is not None else None
                if m is not None and self.doc.mentions[m].kind == "place":
                    return m
        return None

    def _time_in(self, head: Any) -> int | None:
        """The first time expression attached to `head` (not inside a nested clause)."""
        for t in self._clause(head):
            m = self.index.at(self.base + t.idx, ("time",))
            if m is not None \
                    and self.doc.mentions[m].time is not None:
                return m
        return None

    def _modality(self, tok: Any, gov: Any) -> str:
        onto = self.onto
        chain = [tok] if gov is tok else [tok, gov]
        if tok.pos_ == "VERB" or gov is not tok:
            chain += self._clause_heads(gov)[:2]
        for t in chain[:2]:
            kids = list(t.children)
            if any(c.dep_ == "neg" or c.lower_ in ("never", "no") for c in kids):
                return "negated"
        for t in chain[1:]:
            if t.lemma_.lower() in onto.negating_verbs and t.i < tok.i:
                return "negated"
        for t in chain:
            kids = list(t.children)
            if any(c.dep_ == "mark" and c.lower_ in onto.hypothetical_marks for c in kids):
                return "hypothetical"
            if any(c.dep_ == "advmod" and c.lower_ in onto.reported_adverbs for c in kids):
                return "reported"
        for t in chain[:2]:
            auxes = {c.lower_ for c in t.children if c.dep_ in ("aux", "auxpass")}
            if auxes & {"will", "shall", "'ll", "wo"}:
                return "future"
            if auxes & onto.hypothetical_marks:
                return "hypothetical"
        if tok.pos_ == "NOUN" and any(c.lower_ in onto.future_modifiers for c in tok.children):
            return "future"
        if tok.pos_ == "NOUN" and tok.dep_ == "nsubj" and any(
                c.dep_ == "aux" and c.lower_ in ("will", "shall") for c in tok.head.children):
            return "future"  # "the visit will focus on ...": what it is to cover is planned
        for t in chain[1:]:
            lemma = t.lemma_.lower()
            if lemma in onto.future_verbs or any(c.dep_ in ("acomp", "attr") and c.lower_ in
                                                 onto.future_verbs for c in t.children):
                return "future"
        if tok.dep_ in ("advcl", "xcomp") and any(c.dep_ == "aux" and c.lower_ == "to"
                                                 for c in tok.children) \
                and tok.head.lemma_.lower() in ("arrive", "travel", "meet", "visit", "go",
                                                 "come", "head", "fly", "leave"):
            return "future"  # "arrived in Damascus to meet": the purpose, not yet done
        time = self._time(tok, gov)
        if time is not None and self.doc.mentions[time].tense == "future":
            return "future"
        return "asserted"

    def _claim(self, tok: Any) -> int | None:
        pos = self.base + tok.idx
        inside = [k for k, c in enumerate(self.doc.claims)
                  if c.kind != "belief" and any(a <= pos < b for a, b in c.content)]
        carried = {self.doc.claims[k].via for k in inside}
        deepest = [k for k in inside if k not in carried]
        return deepest[-1] if deepest else (inside[-1] if inside else None)

    def _score(self, trig: Trigger, ev: EventMention) -> float:
        score = trig.weight
        if ev.actors:
            score += 0.1
        if ev.recipients or ev.location is not None or ev.theme:
            score += 0.05
        if not ev.actors and not ev.recipients and not ev.theme and not ev.others:
            score -= 0.25
        return round(max(0.05, min(1.0, score)), 2)

    def _membership(self, sent: Any) -> None:
        """"The delegation included officials from ...": members join its events."""
        cols = self.cols
        for i in range(sent.start, sent.end):
            if cols.pos[i] != "VERB" or cols.lemmas[i] not in self.onto.membership_verbs:
                continue
            tok = self.sdoc[i]
            subj = child(tok, "nsubj")
            obj = child(tok, "dobj")
            if subj is None or obj is None or subj.lemma_.lower() not in self.onto.group_nouns:
                continue
            members = self._mentions(obj, deep=True)
            for k in range(len(self.doc.events) - 1, -1, -1):
                if subj.lemma_.lower() in self._heads.get(k, []):
                    ev = self.doc.events[k]
                    ev.others.extend(("member", m) for m in members
                                     if ("member", m) not in ev.others)
                    break

    # --- mentions ----------------------------------------------------------------------

    def _mentions(self, tok: Any, deep: bool = False) -> list[int]:
        """Actor mentions of the noun phrase headed by `tok` (its core, not its modifiers'
        prepositional phrases or appositions, unless the head names no one)."""
        out: list[int] = []
        own = self._mention_of(tok)
        if own is not None:
            out.append(own)
        elif not deep and tok.pos_ == "NOUN" and tok.lemma_.lower() not in \
                self.onto.group_nouns:
            # "the head of the service, Hamid al-Shatri": a title names its holder
            inner = self._mentions(tok, deep=True)
            people = [m for m in inner if self.doc.mentions[m].kind == "person"]
            if people:
                return people[:1]
        for c in tok.children:
            if own is not None and not deep and c.dep_ != "conj":
                continue  # "Syria's interim President Ahmed al-Sharaa" is one person
            if c.dep_ in _CORE_DEPS or (deep and c.dep_ in ("prep", "pobj", "appos")) \
                    or (c.dep_ == "appos" and own is None):
                out.extend(self._mentions(c, deep))
        return _unique(out)

    def _mention_of(self, tok: Any) -> int | None:
        return self.index.at(self.base + tok.idx)

    def _led_by(self, tok: Any) -> list[int]:
        for c in tok.children:
            if c.dep_ == "acl" and c.lemma_.lower() in ("lead", "head", "chair"):
                for g in c.children:
                    if g.dep_ == "agent" and child(g, "pobj") is not None:
                        return self._mentions(child(g, "pobj"))
        return []

    def _collective(self) -> list[int]:
        for ev in reversed(self.doc.events):
            if ev.actors and ev.recipients:
                return [*ev.actors, *ev.recipients]
        return []

    def _previous_actor(self, char: int) -> int | None:
        """He/she: the person who acted last in this paragraph, else the last named."""
        for ev in reversed(self.doc.events):
            if ev.paragraph != self.paragraph:
                break
            people = [m for m in ev.actors if self.doc.mentions[m].kind == "person"]
            if people:
                return people[0]
        return last_person(self.doc.mentions, self.base + char)

    # --- offsets -----------------------------------------------------------------------

    def _span(self, i: int, j: int) -> Span:
        last = self.sdoc[j - 1]
        return self.base + self.sdoc[i].idx, self.base + last.idx + len(last.text)

    def _trimmed_sentence(self, sent: Any) -> Span:
        text = sent.text
        a, b = 0, len(text)
        while a < b and text[a].isspace():
            a += 1
        while b > a and text[b - 1].isspace():
            b -= 1
        return self.base + sent.start_char + a, self.base + sent.start_char + b


def _unique(items: Iterable[int]) -> list[int]:
    seen: dict[int, None] = {}
    for i in items:
        seen.setdefault(i, None)
    return list(seen)


def _link_anaphors(doc: Document) -> None:
    """"The meeting", "the talks": a bare noun mention of an earlier event of its type."""
    for k, ev in enumerate(doc.events):
        if not ev.rule.startswith("noun:") or ev.actors:
            continue
        for j in range(k - 1, -1, -1):
            other = doc.events[j]
            if other.type == ev.type and other.actors and other.modality == ev.modality:
                ev.same_as = other.same_as if other.same_as is not None else j
                ev.actors = list(other.actors)
                ev.recipients = list(other.recipients)
                ev.location = ev.location if ev.location is not None else other.location
                ev.time = ev.time if ev.time is not None else other.time
                ev.rule += "+anaphor"
                ev.score = round(min(1.0, ev.score + 0.2), 2)
                break


def _link_repeats(doc: Document, onto: Ontology) -> None:
    """A later mention of an event already reported in the document (`repeat_types` in
    data/events.yaml): in the same sentence, or a noun with no participant of its own
    that the earlier event lacks, and no time or place that differs. An earlier mention
    with the same trigger word is preferred ("the memorandum" ... "the memorandum")."""
    entity_of = {m: e for e, ent in enumerate(doc.entities) for m in ent.mentions}

    def who(ev: EventMention) -> set[object]:
        return {entity_of.get(m, doc.mentions[m].text.lower())
                for m in (*ev.actors, *ev.recipients)}

    def when(ev: EventMention) -> object:
        t = doc.mentions[ev.time].time if ev.time is not None else None
        return getattr(t, "value", None)

    def where(ev: EventMention) -> object:
        return None if ev.location is None else entity_of.get(
            ev.location, doc.mentions[ev.location].text.lower())

    events = doc.events
    whos, whens, wheres = [who(e) for e in events], [when(e) for e in events], \
        [where(e) for e in events]
    linked: dict[int, list[int]] = {}  # j -> the earlier mentions whose same_as is j
    for k, ev in enumerate(events):
        if ev.same_as is None and ev.type in onto.repeat_types:
            _link_repeat(k, ev, events, linked, whos, whens, wheres)
        if ev.same_as is not None:
            linked.setdefault(ev.same_as, []).append(k)
    for ev in doc.events:  # an anaphor may point at a mention now linked to an earlier one
        while ev.same_as is not None and doc.events[ev.same_as].same_as is not None:
            ev.same_as = doc.events[ev.same_as].same_as


def _link_repeat(k: int, ev: EventMention, events: list[EventMention],
                 linked: dict[int, list[int]], whos: list[set[object]],
                 whens: list[object], wheres: list[object]) -> None:
    """Link mention `k` to the event of the first earlier mention it repeats, if any."""
    nominal = ev.rule.startswith("noun:")
    # The nearest earlier mention with the same trigger word first, then the nearest.
    earlier = sorted((j for j in range(k) if events[j].type == ev.type
                      and events[j].modality == ev.modality),
                     key=lambda j: (events[j].trigger.lower() != ev.trigger.lower(), -j))
    for j in earlier:
        other = events[j]
        if not (nominal or other.sentence == ev.sentence):
            continue
        root = other.same_as if other.same_as is not None else j
        group = [root, *linked.get(root, [])]
        if nominal and other.sentence != ev.sentence and \
                not whos[k] <= set().union(*(whos[i] for i in group)):
            continue
        times = {whens[i] for i in group} - {None}
        places = {wheres[i] for i in group} - {None}
        if (whens[k] is not None and times and whens[k] not in times) or \
                (wheres[k] is not None and places and wheres[k] not in places):
            continue
        ev.same_as = root
        ev.rule += "+repeat"
        return
