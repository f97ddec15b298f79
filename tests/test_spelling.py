"""A report in another language or script is placed with its names spelled as the
English reports' leads spell them (`storyline.stories.spelling`). The reports here are
invented."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from storyline.actors.names import skeleton
from storyline.ingest.run import ingest
from storyline.store import Store
from storyline.stories import StoryBuilder
from storyline.stories.rules import story_rules
from storyline.stories.signature import name_shaped, number_key, run_keys
from storyline.stories.spelling import english, lead_spellings, respell

ENGLISH_FIRST = """Flash flood cuts off Ghadames as wadi bursts its banks
Published 10 March 2026

GHADAMES, Libya - A flash flood swept through the old quarter of Ghadames on Monday after \
two days of heavy rain, cutting the desert town's only road to Nalut and forcing some 400 \
families from their homes, the municipal crisis committee said.

Colonel Mabrouk Hasnawi, who heads the committee, said rescue teams had pulled eleven people \
from stranded cars on the Nalut road.
"""

ENGLISH_SECOND = """Ghadames flood: road to Nalut reopens as waters recede
Published 11 March 2026

The road linking Ghadames to Nalut reopened on Tuesday as flood waters receded, Colonel \
Mabrouk Hasnawi of the crisis committee in Ghadames said.

Hasnawi said engineers were checking the mud-brick walls of the old quarter.
"""

ARABIC = """فيضان يعزل مدينة غدامس
١١ مارس ٢٠٢٦

قال العقيد مبروك الحسناوي رئيس لجنة الأزمة في غدامس إن فرق الإنقاذ انتشلت أحد عشر شخصاً \
من سيارات عالقة على طريق نالوت، وإن السيول أجبرت نحو 400 عائلة على مغادرة منازلها.
"""


def _known(table: dict[str, str]):  # type: ignore[no-untyped-def]
    asked: list[set[str]] = []

    def spellings(skeletons):  # type: ignore[no-untyped-def]
        asked.append(set(skeletons))
        return {s: table[s] for s in skeletons if s in table}
    return spellings, asked


def test_lead_names_are_kept_by_skeleton_and_short_or_numeric_ones_are_not() -> None:
    terms = {"!ghadames": 2, "!nalut": 1, "!sebha": 1, "!r-7": 1, "ghadames": 3, "^flood": 1}
    assert sorted(lead_spellings(terms, 3)) == [("gdms", "ghadames"), ("nlt", "nalut")]
    assert sorted(lead_spellings(terms, 4)) == [("gdms", "ghadames")]


def test_respelling_writes_other_scripts_names_as_english_leads_do() -> None:
    spellings, asked = _known({"gdms": "ghadames", "mbrk": "mabrouk"})
    out = respell({"غدامس": 2, "^غدامس": 1, "مبروك": 1, "400": 1, "سبها": 1},
                  spellings, 3)
    assert out["ghadames"] == 2 and out["^ghadames"] == 1 and out["mabrouk"] == 1
    assert out["400"] == 1 and out["سبها"] == 1  # a number; a skeleton of two
    assert "غدامس" not in out
    assert asked == [{"gdms", "mbrk"}]  # one look-up per report, only long skeletons


def test_keys_that_fall_together_add_up() -> None:
    spellings, _ = _known({"zltn": "zliten"})
    assert respell({"zlitan": 1, "zliten": 2, "!zlitan": 1}, spellings, 3) == {
        "zliten": 3, "!zliten": 1}


def test_a_letter_english_spells_otherwise_gives_a_second_skeleton() -> None:
    """Azerbaijani "Şirvan" folds to "sirvan" (skeleton srfn); English writes Shirvan
    (Srfn): a word whose own skeleton is no English lead's is tried with "ş" as "sh"."""
    spellings, _ = _known({"Srfn": "shirvan", "tmsr": "timisoara"})
    out = respell({"şirvan": 1, "^şirvan": 1, "timișoara": 1}, spellings, 3)
    assert out == {"shirvan": 1, "^shirvan": 1, "timisoara": 1}  # its own skeleton first


@pytest.mark.parametrize(("language", "expected"), [
    ("en", True), ("en-GB", True), (None, True), ("", True), ("ar", False), ("fr", False)])
def test_english_or_unknown_language(language: str | None, expected: bool) -> None:
    assert english(language) is expected


def _store(tmp_path: Path, least: int) -> tuple[Store, dict[str, str]]:
    for name, text in (("a.txt", ENGLISH_FIRST), ("b.txt", ENGLISH_SECOND),
                       ("c.txt", ARABIC)):
        (tmp_path / name).write_text(text, encoding="utf-8")
    rules = dataclasses.replace(story_rules(), respell_min_skeleton=least)
    store = Store(tmp_path / f"kb{least}.db")
    ingest([str(tmp_path / n) for n in ("c.txt", "a.txt", "b.txt")], store,
           story_rules=rules)
    ids = {r["language"] or "": r["id"] for r in store.iter_documents()}
    return store, ids


def test_an_arabic_report_is_placed_with_the_english_spellings_and_keeps_its_own(
        tmp_path: Path) -> None:
    store, ids = _store(tmp_path, 3)
    with store:
        assert set(ids) == {"en", "ar"}
        kept = dict(store.conn.execute(
            "SELECT name, count(*) FROM name_spellings GROUP BY name").fetchall())
        assert kept["ghadames"] == 1 and kept["nalut"] == 2 and kept["mabrouk"] == 1
        stored, _ = store.stories.signature(ids["ar"]) or ({}, None)
        assert "غدامس" in stored and "ghadames" not in stored  # what the report wrote
        builder = StoryBuilder(store, dataclasses.replace(story_rules(),
                                                          respell_min_skeleton=3))
        placed, _ = builder.signature(ids["ar"]) or ({}, None)
        assert {"ghadames", "^ghadames", "mabrouk", "nalut"} <= set(placed)
        assert "غدامس" not in placed and placed["400"] == 1
        story = store.stories.story_of(ids["en"])
        assert story is not None and store.stories.story_of(ids["ar"]) == story
        # a rebuild keeps the spellings again from the stored signatures
        store.conn.execute("DELETE FROM name_spellings")
        builder.rebuild()
        assert store.conn.execute("SELECT count(*) FROM name_spellings").fetchone()[0] == \
            sum(kept.values())
        assert store.stories.story_of(ids["ar"]) == store.stories.story_of(ids["en"])


def test_with_respelling_off_nothing_is_kept_and_the_report_keeps_its_script(
        tmp_path: Path) -> None:
    store, ids = _store(tmp_path, 0)
    with store:
        assert store.conn.execute("SELECT count(*) FROM name_spellings").fetchone()[0] == 0
        builder = StoryBuilder(store, dataclasses.replace(story_rules(),
                                                          respell_min_skeleton=0))
        placed, _ = builder.signature(ids["ar"]) or ({}, None)
        assert "غدامس" in placed and "ghadames" not in placed


def test_a_case_ending_of_a_few_consonants_is_respelled_to_the_longest_name() -> None:
    spellings, asked = _known({"nrn": "naryn", "fnts": "vinnytsia", "fn": "fin"})
    out = respell({"нарынской": 2, "^вінницькій": 1, "нарын": 1, "казахстан": 1},
                  spellings, 3, suffix=2)
    assert out == {"naryn": 3, "^vinnytsia": 1, "казахстан": 1}
    # stems are asked for down to the shortest skeleton allowed, never shorter
    assert {"nrnsk", "nrns", "nrn", "fntsk", "fnts", "fnt"} <= asked[0]
    assert all(len(s) >= 3 for s in asked[0])
    # without the suffix only whole skeletons are matched
    spellings, _ = _known({"nrn": "naryn"})
    assert respell({"нарынской": 1, "нарын": 1}, spellings, 3) == {"нарынской": 1,
                                                                   "naryn": 1}


@pytest.mark.parametrize(("word", "shaped"), [
    ("Naryn", True), ("naryn", False), ("Нарын", True), ("нарын", False),
    ("ჭიათურა", True), ("غدامس", True), ("2026", False), ("", False)])
def test_words_of_scripts_with_no_capitals_may_be_names(word: str, shaped: bool) -> None:
    assert name_shaped(word) is shaped


def test_runs_of_unspaced_scripts_give_their_numbers_latin_words_and_runs() -> None:
    scripts = story_rules().unspaced_scripts.pattern
    assert run_keys("致7死26伤", scripts) == [
        ("%致", True), ("7", False), ("%死", True), ("26", False), ("%伤", True)]
    assert run_keys("LNG선", scripts) == [("lng", True), ("%선", True)]
    # A number before 万 or 亿 (만, 억) counts as English counts it: 31 (million)
    assert run_keys("泄露3100万条", scripts) == [("%泄露", True), ("31", False), ("%条", True)]
    assert run_keys("营收67亿元", scripts) == [("%营收", True), ("6.7", False), ("%元", True)]
    assert run_keys("5만명", scripts) == [("50,000", False), ("%명", True)]


@pytest.mark.parametrize(("text", "multiplier", "key"), [
    ("31", 1, "31"), ("2026", 1, "2026"), ("٣١", 1, "31"), ("۱۴۰۵", 1, "1405"),
    ("120,000", 1, "120,000"), ("120.000", 1, "120,000"), ("120000", 1, "120,000"),
    ("١٢٠٬٠٠٠", 1, "120,000"), ("1.200.000", 1, "1,200,000"), ("11,5", 1, "11.5"),
    ("11.5", 1, "11.5"), ("٣١٫٥", 1, "31.5"), ("1.234,5", 1, "1,234.5"),
    ("1,234.5", 1, "1,234.5"), ("3100", 1e4, "31"), ("2.1", 1e8, "210"),
    ("67", 1e8, "6.7"), ("5", 1e4, "50,000"), ("Kalawit", 1, None), ("12a", 1, None)])
def test_numbers_are_keys_as_english_writes_them(
        text: str, multiplier: float, key: str | None) -> None:
    assert number_key(text, multiplier) == key


def test_a_run_is_read_for_names_that_it_spells_letter_for_letter() -> None:
    # "烽火" is Fenghuo in pinyin, "해문" Haemun in Korean romanization; "东方"
    # (dongfang) has the skeleton of "Dingfeng" but not its letters: no name
    skeletons = {skeleton(n): n for n in ("Fenghuo", "Haemun", "Dingfeng")}
    assert skeleton("东方") == skeleton("Dingfeng")
    spellings, _ = _known(skeletons)
    out = respell({"%烽火机器人上市": 2, "^%烽火机器人": 1, "!%烽火机器人": 1,
                   "%해문중공업": 1, "%东方": 1, "38": 1}, spellings, 3, runs=(2, 4))
    assert out == {"Fenghuo": 2, "^Fenghuo": 1, "!Fenghuo": 1, "Haemun": 1, "38": 1}
    assert not any(k.lstrip("^!").startswith("%") for k in out)  # runs are never keys


LANSHAN_EN = [
    """Lanshan Robotics soars on its first day in Hong Kong

By Mei Caldwell

Shares of Lanshan Robotics, the Shenzhen maker of inspection drones, jumped 38 per cent
on their first day of trading in Hong Kong on Wednesday, valuing the company at about
62 billion Hong Kong dollars. Lanshan sold 210 million shares at 32 dollars each.
""",
    """Lanshan listing lifts Hong Kong's new-issue market

Lanshan Robotics closed 38 per cent above its offer price of 32 dollars on its debut,
the third-largest listing in Hong Kong this year. The Shenzhen company plans to spend
the money on long-range drones, its chairman said.
""",
]
LANSHAN_ZH = """岚山机器人港股上市首日大涨38%

深圳无人机制造商岚山机器人周三在香港挂牌上市，较发行价32港元上涨38%，市值约620亿港元。
岚山此次发售约2.1亿股。
"""


def test_a_chinese_report_joins_the_english_reports_of_its_story_by_their_names(
        tmp_path: Path) -> None:
    paths = []
    for i, text in enumerate([*LANSHAN_EN, LANSHAN_ZH]):
        path = tmp_path / f"r{i}.txt"
        path.write_text(text, encoding="utf-8")
        paths.append(str(path))
    with Store(tmp_path / "kb.db") as store:
        ingest(paths, store)
        ids = {r["language"] or "": r["id"] for r in store.iter_documents()}
        assert ids.keys() == {"en", "zh"}
        placed, _ = StoryBuilder(store).signature(ids["zh"]) or ({}, None)
        assert {"lanshan", "^lanshan", "!lanshan", "38", "32"} <= set(placed)
        assert not any("%" in k for k in placed)  # runs are read, never kept as keys
        story = store.stories.story_of(ids["zh"])
        assert story is not None
        assert {store.stories.story_of(d) for d in store.stories.members(story)} == {story}
        assert len(store.stories.members(story)) == 3


def test_a_report_in_another_language_is_compared_by_names_and_numbers_alone() -> None:
    from storyline.stories.cluster import (
        ENGLISH,
        OTHER_LANGUAGE,
        Channels,
        both_ways,
        vectorize,
    )
    story_keys = {"lanshan": 2, "share": 3, "drone": 2, "38": 1, "^lanshan": 1, "^share": 1,
                  "!lanshan": 1}
    story = vectorize({**story_keys, ENGLISH: 1}, 10, {})
    keys = {"lanshan": 3, "^lanshan": 1, "!lanshan": 1, "38": 1}
    plain = vectorize(keys, 10, {})
    flagged = vectorize({**keys, OTHER_LANGUAGE: 1}, 10, {})
    before, _ = both_ways(Channels.of(plain), plain, Channels.of(story), story)
    after, back = both_ways(Channels.of(flagged), flagged, Channels.of(story), story)
    # the story's English words ("share", "drone") no longer dilute the match
    assert before["words"] < 0.7 and after["words"] == pytest.approx(1.0)
    assert before["lead"] < after["lead"] == pytest.approx(1.0)
    assert after["numbers"] == before["numbers"]  # numbers count whole, as before
    assert back == both_ways(Channels.of(story), story, Channels.of(plain), plain)[0]
    # a story of reports in other languages only is measured whole, as before
    foreign = vectorize({**story_keys, OTHER_LANGUAGE: 1}, 10, {})
    alone, _ = both_ways(Channels.of(flagged), flagged, Channels.of(foreign), foreign)
    assert alone["words"] == pytest.approx(before["words"])


def test_its_own_words_shared_with_a_same_language_report_of_the_story_do_not_count(
) -> None:
    """A Malayalam report against a story of English and Malayalam reports shares its
    own words ("ഉരുൾപൊട്ടൽ", landslide) with the Malayalam one; those are not in the
    lengths its words and lead are measured by (the story's lead names and numbers, its
    own Latin keys and numbers), and no longer in the dot products either: they had
    pinned its words at 1.0 against a story of another landslide of the kind. Against a
    story of Malayalam reports only, they count as before."""
    from storyline.stories.cluster import (
        ENGLISH,
        OTHER_LANGUAGE,
        Channels,
        both_ways,
        vectorize,
    )
    own = {"ഉരുൾപൊട്ടൽ": 3, "മരണം": 2, "^ഉരുൾപൊട്ടൽ": 1}
    shared = {"idukki": 1, "4": 1}
    story = vectorize({"chempara": 3, "landslide": 2, "idukki": 1, "^chempara": 1,
                       "!chempara": 1, "4": 1, **own, ENGLISH: 1}, 10, {})
    report = vectorize({**own, **shared, OTHER_LANGUAGE: 1}, 10, {})
    without = vectorize({**shared, OTHER_LANGUAGE: 1}, 10, {})
    mine, _ = both_ways(Channels.of(report), report, Channels.of(story), story)
    bare, _ = both_ways(Channels.of(without), without, Channels.of(story), story)
    assert mine["words"] == pytest.approx(bare["words"]) and mine["words"] < 1.0
    assert mine["lead"] == bare["lead"] == 0.0  # its lead shares only Malayalam words
    foreign = vectorize({**own, "idukki": 1, OTHER_LANGUAGE: 1}, 10, {})
    alone, _ = both_ways(Channels.of(report), report, Channels.of(foreign), foreign)
    assert alone["words"] > mine["words"] and alone["lead"] > 0


def test_a_report_in_another_script_also_looks_stories_up_by_its_latin_keys() -> None:
    """Blocking takes a vector's strongest keys; a Persian report's own words are rare
    everywhere else, so they outweigh the names it shares with the English reports
    ("kerman", respelled) and found only stories in Persian. Its keys in Latin letters
    (respelled names, actors) are looked up too, up to `query_keys` more, and its
    strongest numbers."""
    from storyline.stories.cluster import OTHER_LANGUAGE, vectorize

    words = {f"واژه{chr(0x0627 + i)}": 3 for i in range(20)}  # 20 heavy words of its own
    keys = {**words, "kerman": 1, "^kerman": 1, "tighestan": 1, "6.1": 1}
    df = {"kerman": 40, "^kerman": 30, "tighestan": 5, "6.1": 10}
    with Store(":memory:") as store:
        clusterer = StoryBuilder(store).clusterer
        query_keys = clusterer.rules.query_keys
        plain = clusterer.query(vectorize(keys, 100, df))
        assert len(plain) == query_keys and "kerman" not in plain
        flagged = clusterer.query(vectorize({**keys, OTHER_LANGUAGE: 1}, 100, df))
        assert flagged[:query_keys] == plain
        assert {"kerman", "tighestan"} <= set(flagged[query_keys:])
        # numbers are not a blocking channel, but an other-script report looks stories
        # up by its strongest numbers too (`number_keys`), which English writes alike
        assert "6.1" not in plain and "6.1" in flagged[query_keys:]


def test_a_report_in_another_script_is_measured_by_what_it_can_share() -> None:
    """A Bengali report's own words ("মৃতের", "সংখ্যা") can never meet an English report's;
    its words and lead are measured against a story by the length of its keys in Latin
    letters (names respelled) and digits alone, so they no longer dilute the names it
    shares ("meghna"). The same keys in a Latin-script report, all sharable, keep their
    measure; numbers count whole, as before."""
    from storyline.stories.cluster import (
        ENGLISH,
        OTHER_LANGUAGE,
        Channels,
        both_ways,
        vectorize,
    )
    story = vectorize({"meghna": 3, "launch": 2, "chandpur": 1, "31": 1, "^meghna": 1,
                       "^launch": 1, "!meghna": 1, ENGLISH: 1}, 10, {})
    shared = {"meghna": 2, "^meghna": 1, "38": 1}
    own = {"মৃতের": 2, "সংখ্যা": 2, "^মৃতের": 1, "^সংখ্যা": 1}
    bengali = vectorize({**shared, **own, OTHER_LANGUAGE: 1}, 10, {})
    latin = vectorize({**shared, OTHER_LANGUAGE: 1}, 10, {})
    prepared = Channels.of(bengali)
    assert 0 < prepared.sharable_norms["words"] < 1
    assert Channels.of(latin).sharable_norms["words"] == pytest.approx(1.0)
    mine, _ = both_ways(prepared, bengali, Channels.of(story), story)
    whole, _ = both_ways(Channels.of(latin), latin, Channels.of(story), story)
    assert mine["words"] == pytest.approx(whole["words"])
    assert mine["lead"] == pytest.approx(whole["lead"])
    assert mine["numbers"] == whole["numbers"]
    unflagged = vectorize({**shared, **own}, 10, {})
    diluted, _ = both_ways(Channels.of(unflagged), unflagged, Channels.of(story), story)
    assert diluted["words"] < mine["words"]


def test_a_pair_of_an_english_and_an_other_language_report_counts_the_way_it_can_share(
) -> None:
    """Splitting and joining score documents in pairs. Between an English report and one
    in another language, the way from the English one measures it against words English
    never writes; only the other way counts. Two English reports, or two in other
    languages, take the mean of both ways."""
    from storyline.stories.cluster import (
        ENGLISH,
        OTHER_LANGUAGE,
        Channels,
        both_ways,
        pair_score,
        probability,
        vectorize,
    )
    english = vectorize({"meghna": 3, "launch": 2, "capsized": 2, "31": 1, "^meghna": 1,
                         "^launch": 1, "!meghna": 1, ENGLISH: 1}, 10, {})
    bengali = vectorize({"meghna": 2, "^meghna": 1, "!meghna": 1, "31": 1, "মৃতের": 2,
                         "সংখ্যা": 2, OTHER_LANGUAGE: 1}, 10, {})
    with Store(":memory:") as store:
        rules = StoryBuilder(store).rules
    e, b = Channels.of(english), Channels.of(bengali)
    there, back = both_ways(b, bengali, e, english)
    one_way = probability(there, rules)
    assert one_way > probability(back, rules)  # the English way is the low one
    assert pair_score(b, e, there, back, rules) == pytest.approx(one_way)
    flipped_there, flipped_back = both_ways(e, english, b, bengali)
    assert pair_score(e, b, flipped_there, flipped_back, rules) == pytest.approx(one_way)
    # two English reports: the mean of both ways
    other = vectorize({"meghna": 1, "ferry": 2, "^ferry": 1, "!meghna": 1, ENGLISH: 1}, 10, {})
    o = Channels.of(other)
    there, back = both_ways(e, english, o, other)
    mean = (probability(there, rules) + probability(back, rules)) / 2
    assert pair_score(e, o, there, back, rules) == pytest.approx(mean)
