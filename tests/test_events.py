"""Events: the ontology file, one invented sentence per extraction rule, the store and the
`storyline events` / `storyline event` commands, and the real seed articles.

The real spaCy pipeline runs once for the module; the store tests ingest a small invented
corpus into one real SQLite file and read it back through the command line.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from typing import Any

import pytest
from typer.testing import CliRunner, Result

from conftest import SHARED
from storyline.clean.rules import load_data
from storyline.cli import app
from storyline.events.ontology import PLOVER_TYPES, OntologyError, build, ontology
from storyline.ingest.readers import read
from storyline.ingest.run import ingest
from storyline.model import Document, EventMention
from storyline.pipeline import Pipeline
from storyline.store import Store
from storyline.store.events import attribution_chain, date_of

OUTLET = "Lantern Wire"
SEEDS = SHARED / "seeds"

Process = Callable[[str], Document]


@pytest.fixture(scope="module")
def pipeline() -> Pipeline:
    return Pipeline()


@pytest.fixture(scope="module")
def process(pipeline: Pipeline) -> Process:
    def run(text: str) -> Document:
        doc = Document(source="t.json", name="t", raw=text, format="json",
                       given={"published": "2026-03-13", "outlet": OUTLET})
        return pipeline(doc)

    return run


def _names(doc: Document, indices: list[int]) -> list[str]:
    return [doc.mentions[m].text for m in indices]


def _name(doc: Document, index: int | None) -> str | None:
    return doc.mentions[index].text if index is not None else None


def _others(doc: Document, ev: EventMention) -> list[tuple[str, str]]:
    return [(role, doc.mentions[m].text) for role, m in ev.others]


def _only(doc: Document, type: str | None = None) -> EventMention:
    events = [e for e in doc.events if type is None or e.type == type]
    assert len(events) == 1, [(e.type, e.trigger) for e in doc.events]
    return events[0]


# --- the ontology ------------------------------------------------------------------------


def _files() -> tuple[dict[str, Any], dict[str, Any]]:
    return copy.deepcopy(load_data("events.yaml")), copy.deepcopy(load_data("topics.yaml"))


def test_shipped_ontology_has_every_plover_type() -> None:
    onto = ontology()
    assert len(PLOVER_TYPES) == 16
    for name in PLOVER_TYPES:
        assert onto.types[name].group == "plover", name
    assert {"STATEMENT", "BORDER", "REGIME_CHANGE"} <= onto.types.keys()
    assert onto.types["CONSULT"].modes.keys() >= {"visit", "host", "phone", "meeting"}


def test_every_trigger_mode_belongs_to_its_type() -> None:
    onto = ontology()
    assert onto.triggers
    for (pos, lemma), triggers in onto.triggers.items():
        for trig in triggers:
            assert (trig.pos, trig.lemma) == (pos, lemma)
            assert trig.type in onto.types
            if trig.mode is not None:
                assert trig.mode in onto.types[trig.type].modes, (trig.type, lemma)
            assert 0 < trig.weight <= 1


def test_unknown_trigger_setting_is_an_error_naming_the_entry() -> None:
    events, topics = _files()
    events["types"]["CONSULT"]["triggers"]["verb"]["meet"]["colour"] = "red"
    with pytest.raises(OntologyError,
                       match=r"CONSULT verb trigger 'meet': unknown setting\(s\) \['colour'\]"):
        build(events, topics)


def test_unknown_mode_is_an_error_naming_the_entry() -> None:
    events, topics = _files()
    events["types"]["PROTEST"]["triggers"]["verb"]["riot"]["mode"] = "dance"
    with pytest.raises(OntologyError,
                       match=r"PROTEST verb trigger 'riot': mode 'dance' is not one of "
                             r"PROTEST's modes"):
        build(events, topics)


def test_bad_object_role_is_an_error_naming_the_entry() -> None:
    events, topics = _files()
    events["types"]["BORDER"]["triggers"]["verb"]["close"]["object_role"] = "enemy"
    with pytest.raises(OntologyError,
                       match=r"BORDER verb trigger 'close': object_role 'enemy' is not one of"):
        build(events, topics)


def test_missing_plover_type_is_an_error_naming_it() -> None:
    events, topics = _files()
    del events["types"]["SANCTION"]
    with pytest.raises(OntologyError, match=r"lacks PLOVER type\(s\) \['SANCTION'\]"):
        build(events, topics)


def test_unmodified_files_build_the_same_ontology() -> None:
    events, topics = _files()
    built = build(events, topics)
    assert built.types.keys() == ontology().types.keys()
    assert built.triggers.keys() == ontology().triggers.keys()


@pytest.mark.parametrize(("text", "topics"), [
    ("the oil pipeline", ["energy"]),
    ("the new oil-pipeline", ["energy"]),
    ("border crossings and smugglers", ["border-security"]),
    ("the weather was fine", []),
])
def test_topics_of_finds_topic_words(text: str, topics: list[str]) -> None:
    assert ontology().topics_of(text) == topics


# --- one rule each -------------------------------------------------------------------------


def test_verb_with_subject_recipient_place_and_weekday(process: Process) -> None:
    doc = process("Foreign Minister Lina Varga met with Ostrana's President Karel Dusek in "
                  "Brelin on Tuesday.")
    ev = _only(doc)
    assert (ev.type, ev.mode, ev.trigger, ev.rule) == ("CONSULT", "meeting", "met",
                                                       "verb:meet")
    assert _names(doc, ev.actors) == ["Lina Varga"]
    assert _names(doc, ev.recipients) == ["Karel Dusek"]
    assert _name(doc, ev.location) == "Brelin"
    assert _name(doc, ev.time) == "Tuesday"
    assert date_of(doc, ev)["value"] == "2026-03-10"  # the Tuesday before publication
    assert (ev.modality, ev.claim, ev.score) == ("asserted", None, 1.0)
    assert doc.text[ev.trigger_span[0]:ev.trigger_span[1]] == "met"
    assert doc.text[ev.sentence[0]:ev.sentence[1]] == doc.text.strip()


def test_received_in_codes_host_and_recipient(process: Process) -> None:
    doc = process("President Karel Dusek received Foreign Minister Lina Varga in Brelin.")
    ev = _only(doc)
    assert (ev.type, ev.mode) == ("CONSULT", "host")
    assert _names(doc, ev.actors) == ["Karel Dusek"]
    assert _names(doc, ev.recipients) == ["Lina Varga"]
    assert _name(doc, ev.location) == "Brelin"


def test_in_the_presence_of_adds_a_present_participant(process: Process) -> None:
    doc = process("President Karel Dusek received Foreign Minister Lina Varga in Brelin in "
                  "the presence of General Anton Miko.")
    ev = _only(doc)
    assert _others(doc, ev) == [("present", "Anton Miko")]
    assert _names(doc, ev.actors) == ["Karel Dusek"]
    assert _names(doc, ev.recipients) == ["Lina Varga"]


def test_passive_with_agent_makes_the_agent_the_actor(process: Process) -> None:
    doc = process("Foreign Minister Lina Varga was received by President Karel Dusek in "
                  "Brelin on Monday.")
    ev = _only(doc)
    assert (ev.type, ev.mode) == ("CONSULT", "host")
    assert _names(doc, ev.actors) == ["Karel Dusek"]
    assert _names(doc, ev.recipients) == ["Lina Varga"]
    assert (_name(doc, ev.location), _name(doc, ev.time)) == ("Brelin", "Monday")


def test_noun_after_a_light_verb_takes_the_verbs_arguments(process: Process) -> None:
    doc = process("Lina Varga held talks with Karel Dusek in Brelin on Sunday.")
    ev = _only(doc)
    assert (ev.type, ev.mode, ev.trigger, ev.rule) == ("CONSULT", "meeting", "talks",
                                                       "noun:talk")
    assert _names(doc, ev.actors) == ["Lina Varga"]
    assert _names(doc, ev.recipients) == ["Karel Dusek"]
    assert (_name(doc, ev.location), _name(doc, ev.time)) == ("Brelin", "Sunday")


def test_noun_after_paid_takes_the_place_it_goes_to(process: Process) -> None:
    doc = process("President Karel Dusek paid a visit to Ostrana on Friday.")
    ev = _only(doc)
    assert (ev.type, ev.mode, ev.trigger) == ("CONSULT", "visit", "visit")
    assert _names(doc, ev.actors) == ["Karel Dusek"]
    assert _name(doc, ev.location) == "Ostrana"
    assert ev.recipients == []


def test_border_closed_has_its_theme(process: Process) -> None:
    doc = process("Lagonia closed its northern border on Friday.")
    ev = _only(doc)
    assert (ev.type, ev.mode, ev.trigger) == ("BORDER", "closed", "closed")
    assert _names(doc, ev.actors) == ["Lagonia"]
    assert ev.theme == "its northern border"
    assert ev.theme_span is not None
    assert doc.text[ev.theme_span[0]:ev.theme_span[1]] == ev.theme
    assert ev.location is None
    assert _name(doc, ev.time) == "Friday"


def test_border_reopened_takes_the_place_inside_its_theme(process: Process) -> None:
    doc = process("Valdoria reopened the Tessel border crossing with Ostrana in June.")
    ev = _only(doc)
    assert (ev.type, ev.mode) == ("BORDER", "opened")
    assert _names(doc, ev.actors) == ["Valdoria"]
    assert ev.theme == "the Tessel border crossing with Ostrana"
    assert _name(doc, ev.location) == "Tessel"
    assert _name(doc, ev.time) == "June"
    assert ev.topics == ["border-security"]


def test_passive_border_closure_by_an_agent(process: Process) -> None:
    doc = process("The border crossing was closed by Valdoria on Monday.")
    ev = _only(doc)
    assert (ev.type, ev.mode, ev.theme) == ("BORDER", "closed", "The border crossing")
    assert _names(doc, ev.actors) == ["Valdoria"]


def test_toppled_the_regime_is_regime_change(process: Process) -> None:
    doc = process("Rebel fighters toppled the regime of President Karel Dusek in December.")
    ev = _only(doc)
    assert (ev.type, ev.mode, ev.trigger) == ("REGIME_CHANGE", "toppled", "toppled")
    assert ev.theme == "the regime of President Karel Dusek"
    assert _others(doc, ev) == [("target", "Karel Dusek")]
    assert _name(doc, ev.time) == "December"


@pytest.mark.parametrize(("text", "trigger", "modality"), [
    ("President Karel Dusek did not meet Foreign Minister Lina Varga in Brelin on Friday.",
     "meet", "negated"),
    ("President Karel Dusek refused to meet Foreign Minister Lina Varga.", "meet", "negated"),
    ("President Karel Dusek will visit Ostrana next week.", "visit", "future"),
    ("President Karel Dusek plans to visit Ostrana in May.", "visit", "future"),
    ("If President Karel Dusek meets Foreign Minister Lina Varga, the talks will focus on "
     "water.", "meets", "hypothetical"),
    ("President Karel Dusek could meet Foreign Minister Lina Varga in Brelin.", "meet",
     "hypothetical"),
    ("President Karel Dusek reportedly met Foreign Minister Lina Varga in Brelin.", "met",
     "reported"),
    ("President Karel Dusek met Foreign Minister Lina Varga in Brelin.", "met", "asserted"),
])
def test_modality(process: Process, text: str, trigger: str, modality: str) -> None:
    doc = process(text)
    (ev,) = [e for e in doc.events if e.trigger == trigger]
    assert ev.type == "CONSULT"
    assert (ev.modality, _names(doc, ev.actors)) == (modality, ["Karel Dusek"])


def test_event_in_the_content_of_a_distancing_claim_is_reported(process: Process) -> None:
    doc = process("Ostrana claimed that Valdoria shelled Brelin on Sunday.")
    ev = _only(doc)
    assert (ev.type, ev.mode, ev.claim, ev.modality) == ("ASSAULT", "explosives", 0,
                                                         "reported")
    assert _names(doc, ev.actors) == ["Valdoria"]


def test_event_inside_a_claim_is_attributed_to_it(process: Process) -> None:
    doc = process("The Ministry of Water said that President Karel Dusek met Foreign "
                  "Minister Lina Varga in Brelin on Tuesday.")
    ev = _only(doc)
    assert (ev.type, ev.claim, ev.modality) == ("CONSULT", 0, "asserted")
    assert _names(doc, ev.actors) == ["Karel Dusek"]
    chain = attribution_chain(doc, ev.claim)
    assert [link["source"] for link in chain] == ["The Ministry of Water", OUTLET]
    assert chain[-1]["role"] == "outlet"


def test_event_in_a_quotation_cited_by_an_agency_has_the_whole_chain(
        process: Process) -> None:
    doc = process("\"Valdoria closed its northern border on Monday,\" the Brelin News Agency "
                  "quoted an unnamed officer as saying.")
    ev = _only(doc)
    assert (ev.type, ev.mode, ev.claim) == ("BORDER", "closed", 1)
    assert [link["source"] for link in attribution_chain(doc, ev.claim)] == [
        "an unnamed officer", "the Brelin News Agency", OUTLET]


def test_both_sides_are_the_participants_of_the_last_meeting(process: Process) -> None:
    doc = process("President Karel Dusek met Foreign Minister Lina Varga in Brelin on "
                  "Tuesday. Both sides agreed to expand trade.")
    meeting, agreement = doc.events
    assert meeting.type == "CONSULT"
    assert (agreement.type, agreement.trigger) == ("AGREE", "agreed")
    assert _names(doc, agreement.actors) == ["Karel Dusek", "Lina Varga"]
    assert agreement.topics == ["trade"]


def test_the_meeting_refers_back_to_the_earlier_meeting(process: Process) -> None:
    doc = process("President Karel Dusek met Foreign Minister Lina Varga in Brelin on "
                  "Tuesday. The meeting focused on water.")
    first, again = doc.events
    assert (again.type, again.trigger, again.same_as) == ("CONSULT", "meeting", 0)
    assert again.rule == "noun:meeting+anaphor"
    assert first.same_as is None
    assert _names(doc, again.actors) == ["Karel Dusek"]
    assert _names(doc, again.recipients) == ["Lina Varga"]
    assert (_name(doc, again.location), _name(doc, again.time)) == ("Brelin", "Tuesday")
    assert again.topics == ["water"]


def test_delegation_members_from_a_later_sentence(process: Process) -> None:
    doc = process("A delegation led by Foreign Minister Lina Varga visited Brelin on Monday. "
                  "The delegation included officials from the Ministry of Water and the "
                  "Tessel Port Authority.")
    ev = _only(doc)
    assert (ev.type, ev.mode) == ("CONSULT", "visit")
    assert _names(doc, ev.actors) == ["Lina Varga"]
    assert _name(doc, ev.location) == "Brelin"
    assert _others(doc, ev) == [("member", "Ministry of Water"),
                                ("member", "Tessel Port Authority")]


def test_sentence_with_no_trigger_has_no_event(process: Process) -> None:
    doc = process("The weather in Brelin was cold and wet on Tuesday.")
    assert doc.events == []


def test_closing_a_meeting_is_not_a_border_event(process: Process) -> None:
    doc = process("Speaker Anton Miko closed the meeting at noon.")
    assert [e.type for e in doc.events if e.type == "BORDER"] == []
    assert all(e.trigger != "closed" for e in doc.events)


def test_call_for_is_a_request_not_a_phone_call(process: Process) -> None:
    doc = process("Mayor Tomas Brandt called for calm in Brelin on Friday.")
    ev = _only(doc)
    assert (ev.type, ev.mode, ev.trigger) == ("REQUEST", None, "called")
    assert _names(doc, ev.actors) == ["Tomas Brandt"]


def test_calling_a_person_is_a_phone_call(process: Process) -> None:
    doc = process("Mayor Tomas Brandt called President Karel Dusek on Friday.")
    ev = _only(doc)
    assert (ev.type, ev.mode) == ("CONSULT", "phone")
    assert _names(doc, ev.actors) == ["Tomas Brandt"]
    assert _names(doc, ev.recipients) == ["Karel Dusek"]


def test_low_confidence_bare_noun_is_dropped(process: Process) -> None:
    assert process("The assistance arrived late.").events == []


def test_bare_noun_with_no_participant_is_scored_low(process: Process) -> None:
    bare = _only(process("There was a meeting."))
    assert (bare.type, bare.actors, bare.recipients, bare.score) == ("CONSULT", [], [], 0.6)
    full = _only(process("Lina Varga held a meeting with Karel Dusek in Brelin."))
    assert full.score == 1.0


# --- the store and the command line -------------------------------------------------------


CORPUS = [
    {"id": "w1", "published": "2026-05-07", "outlet": "Cedar Wire",
     "text": "Foreign Minister Lina Varga met President Karel Dusek in Brelin on Tuesday. "
             "The meeting focused on water."},
    {"id": "w2", "published": "2026-06-03", "outlet": "Orontes Daily",
     "text": "\"Valdoria closed its northern border on Monday,\" the Brelin News Agency "
             "quoted an unnamed officer as saying."},
    {"id": "w3", "published": "2026-07-10", "outlet": "Cedar Wire",
     "text": "Police arrested three activists in Brelin on Wednesday, the interior ministry "
             "said. President Karel Dusek praised the police on Thursday."},
]


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> str:
    folder = tmp_path_factory.mktemp("events")
    feed = folder / "feed.jsonl"
    feed.write_text("".join(json.dumps(r) + "\n" for r in CORPUS), encoding="utf-8")
    path = folder / "kb.db"
    with Store(path) as store:
        report = ingest([str(feed)], store)
        assert (report.stored, report.rejected) == (3, 0)
    return str(path)


def _cli(*args: str) -> Result:
    return CliRunner().invoke(app, list(args), env={"COLUMNS": "200"})


def _listing(db: str, *args: str) -> list[dict[str, Any]]:
    result = _cli("events", "--json", "--db", db, *args)
    assert result.exit_code == 0, result.output
    rows: list[dict[str, Any]] = json.loads(result.stdout)
    return rows


def _summary(rows: list[dict[str, Any]]) -> list[tuple[str, str | None, str | None]]:
    return [(r["type"], r["mode"], r["date_value"]) for r in rows]


def test_events_json_lists_every_event_newest_first(db: str) -> None:
    rows = _listing(db)
    assert _summary(rows) == [("SUPPORT", "praise", "2026-07-09"),
                              ("COERCE", "arrest", "2026-07-08"),
                              ("BORDER", "closed", "2026-06-01"),
                              ("CONSULT", "meeting", "2026-05-05")]
    consult = rows[-1]
    assert consult["location"] == "Brelin"
    assert [p["name"] for p in consult["participants"]["actor"]] == ["Lina Varga"]
    assert [p["name"] for p in consult["participants"]["recipient"]] == ["Karel Dusek"]
    assert consult["topics"] == ["water"]
    assert consult["sources"] == [["Cedar Wire"]]
    assert rows[2]["sources"] == [["an unnamed officer", "the Brelin News Agency",
                                   "Orontes Daily"]]
    assert rows[1]["sources"] == [["the interior ministry", "Cedar Wire"]]


def test_events_filter_by_type(db: str) -> None:
    assert _summary(_listing(db, "--type", "consult")) == [
        ("CONSULT", "meeting", "2026-05-05")]
    assert _listing(db, "--type", "ELECTION") == []


def test_events_filter_by_actor(db: str) -> None:
    assert _summary(_listing(db, "--actor", "Karel Dusek")) == [
        ("SUPPORT", "praise", "2026-07-09"), ("CONSULT", "meeting", "2026-05-05")]
    assert _summary(_listing(db, "--actor", "Lina Varga")) == [
        ("CONSULT", "meeting", "2026-05-05")]


def test_events_filter_by_dates(db: str) -> None:
    assert _summary(_listing(db, "--from", "2026-06-01", "--to", "2026-06")) == [
        ("BORDER", "closed", "2026-06-01")]
    assert [r["type"] for r in _listing(db, "--from", "2026-07")] == ["SUPPORT", "COERCE"]
    assert [r["type"] for r in _listing(db, "--to", "2026-05-31")] == ["CONSULT"]


def test_event_shows_every_quote_and_who_reports_it(db: str) -> None:
    (border,) = _listing(db, "--type", "BORDER")
    result = _cli("event", border["id"], "--json", "--db", db)
    assert result.exit_code == 0, result.output
    record = json.loads(result.stdout)
    (mention,) = record["mentions"]
    assert mention["quote"] == CORPUS[1]["text"]
    assert mention["trigger"] == "closed"
    assert mention["outlet"] == "Orontes Daily"
    assert [link["source"] for link in mention["attribution"]] == [
        "an unnamed officer", "the Brelin News Agency", "Orontes Daily"]
    assert mention["attribution"][-1]["role"] == "outlet"
    text = _cli("event", border["id"], "--db", db)
    assert text.exit_code == 0, text.output
    assert f"“{CORPUS[1]['text']}”" in text.stdout
    assert "reported by: Orontes Daily <- the Brelin News Agency (quoted" in text.stdout
    assert text.stdout.rstrip().split(" <- ")[-1].startswith("an unnamed officer (as saying")


def test_event_with_two_mentions_shows_both(db: str) -> None:
    (consult,) = _listing(db, "--type", "CONSULT")
    record = json.loads(_cli("event", consult["id"], "--json", "--db", db).stdout)
    assert [m["trigger"] for m in record["mentions"]] == ["met", "meeting"]
    assert record["date_value"] == "2026-05-05"
    assert record["date_precision"] == "day"
    prefix = _cli("event", consult["id"][:9], "--json", "--db", db)
    assert json.loads(prefix.stdout)["id"] == consult["id"]


def test_unknown_event_type_is_an_error(db: str) -> None:
    result = _cli("events", "--type", "PICNIC", "--db", db)
    assert result.exit_code == 2
    assert "unknown event type 'PICNIC'" in result.stderr
    assert "CONSULT" in result.stderr


def test_unknown_event_id_is_an_error(db: str) -> None:
    result = _cli("event", "ev_000000000000", "--db", db)
    assert result.exit_code == 2
    assert "no event 'ev_000000000000'" in result.stderr


# --- the real seed articles ---------------------------------------------------------------


def _seed(pipeline: Pipeline, prefix: str) -> Document:
    path = next(SEEDS.glob(f"{prefix}_*.txt"))
    (doc,) = list(read([str(path)]))
    assert isinstance(doc, Document)
    return pipeline(doc)


@pytest.fixture(scope="module")
def seed_002(pipeline: Pipeline) -> Document:
    if not SEEDS.exists():
        pytest.skip("shared corpora not present")
    return _seed(pipeline, "002")


def test_seed_002_thursday_meeting(seed_002: Document) -> None:
    doc = seed_002
    ev = next(e for e in doc.events if e.type == "CONSULT" and e.trigger == "met")
    people = set(_names(doc, ev.actors + ev.recipients))
    assert {"Hamid al-Shatri", "Ahmed al-Sharaa"} <= people
    assert _name(doc, ev.location) == "Damascus"
    assert date_of(doc, ev)["value"] == "2025-08-28"
    assert ev.modality == "asserted"


def test_seed_002_border_closed_and_reopened(seed_002: Document) -> None:
    doc = seed_002
    border = {e.mode: e for e in doc.events if e.type == "BORDER"}
    assert border.keys() == {"opened", "closed"}
    closed, opened = border["closed"], border["opened"]
    assert _names(doc, closed.actors) == ["Iraq"]
    assert closed.theme == "its western border"
    assert _names(doc, opened.actors) == ["Iraq"]
    assert _name(doc, opened.location) == "al-Qaim"
    assert date_of(doc, opened)["value"] == "2025-06"


def test_seed_004_visit_has_the_member_organizations(pipeline: Pipeline) -> None:
    if not SEEDS.exists():
        pytest.skip("shared corpora not present")
    doc = _seed(pipeline, "004")
    (ev,) = [e for e in doc.events if any(role == "member" for role, _ in e.others)]
    assert (ev.type, ev.mode) == ("CONSULT", "visit")
    assert _names(doc, ev.actors) == ["Hamid Al-Shatri"]
    assert _name(doc, ev.location) == "Damascus"
    assert [name for role, name in _others(doc, ev) if role == "member"] == [
        "Ministry of Interior’s Border Forces Command", "Ministries of Oil and Trade",
        "Border Ports Authority"]


# --- repeated mentions of one event within an article ------------------------------------


def _events(doc: Document, type_: str) -> list[tuple[str, str, int]]:
    """(trigger, modality, root: the index of the event it belongs to) for one type."""
    return [(ev.trigger, ev.modality, ev.same_as if ev.same_as is not None else k)
            for k, ev in enumerate(doc.events) if ev.type == type_]


def test_repeated_mentions_of_an_agreement_are_one_event(process: Process) -> None:
    doc = process(
        "Norland and Vestmark signed a fishing accord in Tromvik on Tuesday. Under the "
        "accord, each side may land no more than 40,000 tonnes of cod a year. The accord "
        "was welcomed by fishermen in Tromvik.\n")
    found = _events(doc, "AGREE")
    assert [t for t, _, _ in found] == ["signed", "accord", "accord", "accord"], found
    assert {root for _, _, root in found} == {0}  # one event, rooted at "signed"
    for ev in doc.events:  # every link points at a root, never at another link
        assert ev.same_as is None or doc.events[ev.same_as].same_as is None


def test_repeats_with_another_time_or_of_recurring_types_stay_apart(process: Process) -> None:
    doc = process(
        "The border crossing at Kessel reopened on March 3, 2029. The reopening of the "
        "crossing on June 9, 2031 drew crowds.\n\n"
        "Gunmen attacked a convoy near Kessel. The attack came hours after rebels attacked "
        "a checkpoint in Dornau.\n")
    border = _events(doc, "BORDER")
    assert [t for t, _, _ in border] == ["reopened", "reopening"], border
    assert border[1][2] == 1  # another date: another reopening
    attacks = [ev for ev in doc.events if ev.type == "ASSAULT"]
    assert len(attacks) >= 2
    assert all("+repeat" not in ev.rule for ev in attacks)  # not a repeat_types type


def test_a_nominal_repeat_without_a_date_joins_the_dated_event(process: Process) -> None:
    doc = process("The border crossing at Kessel reopened on March 3, 2029. The reopening "
                  "of the crossing drew crowds.\n")
    assert [root for _, _, root in _events(doc, "BORDER")] == [0, 0]


def test_talks_after_a_journey_take_the_traveller_as_actor(process: Process) -> None:
    for text in ("Khaled el-Rawashdeh flew to Baghdad on Monday for talks with Muhammad "
                 "al-Obeidi.\n",
                 "Khaled el-Rawashdeh flew to Baghdad for four hours of talks with Muhammad "
                 "al-Obeidi.\n"):
        doc = process(text)
        (ev,) = [e for e in doc.events if e.type == "CONSULT"]
        assert ev.trigger == "talks"
        assert (_names(doc, ev.actors), _names(doc, ev.recipients),
                _name(doc, ev.location)) == (
            ["Khaled el-Rawashdeh"], ["Muhammad al-Obeidi"], "Baghdad")


def test_a_noun_folded_into_its_verb_keeps_who_it_was_with(process: Process) -> None:
    doc = process("President Ana Lind arrived in Tromvik for a meeting with Prime Minister "
                  "Ivo Rask.\n")
    (ev,) = [e for e in doc.events if e.type == "CONSULT"]
    assert ev.trigger == "arrived"
    assert (_names(doc, ev.actors), _names(doc, ev.recipients)) == (["Ana Lind"], ["Ivo Rask"])


def test_a_call_for_talks_is_not_a_journey(process: Process) -> None:
    doc = process("The minister is pushing for talks with Vestmark.\n")
    assert all(not e.actors for e in doc.events if e.type == "CONSULT")
