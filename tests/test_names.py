"""Name normalization: skeletons, person/org keys, acronyms, display, Arabic name finding.

Every name and sentence here is invented for these tests (any resemblance is by the
ordinary spelling of common Arabic names).
"""

from __future__ import annotations

import dataclasses
import itertools

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from storyline.actors.arabic import ArabicName, find_arabic_names
from storyline.actors.names import (
    Match,
    acronym_of,
    country_of,
    display_name,
    is_acronym_of,
    name_key,
    name_rules,
    names_match,
    org_key,
    skeleton,
)

# ------------------------------------------------------------------------ skeleton

SAME_SKELETON = [
    ["Ahmad", "Ahmed", "أحمد"],
    ["Mohammed", "Muhammad", "Mohamed", "محمد", "مُحَمَّـــد"],
    ["Khaled", "Khalid", "خالد"],
    ["al-Sharaa", "Al-Sharaa", "Sharaa", "Sharaʿ", "الشرع"],
    ["Shia'", "Shia", "Shiaʿ", "شياع"],
    ["al-Sudani", "Al Sudani", "السوداني"],
    ["Hamid", "حميد"],
    ["al-Obaidi", "Al-Ubaidi", "al-Obeidi", "العبيدي"],
    ["Rawashdeh", "Rawashda", "الرواشدة"],
    ["Shakir", "Shaker", "Chaker", "شاكر"],
    ["Nadia", "نادية"],
    ["al-Shatri", "ash-Shatri", "الشطري"],
    ["Salama", "Salamah", "as-Salama", "سلامة"],
    ["Omar", "Umar", "عمر"],
    ["Abdulrahman", "Abdurrahman", "Abd al-Rahman", "Abdel-Rahman", "عبدالرحمن", "عبد الرحمن"],
    ["Abdullah", "Abdallah", "عبدالله", "عبد الله"],
    ["Saleh", "Salih", "صالح"],
    ["Is'haq", "Isʾhaq", "إسحاق"],
    ["Mashhadani", "المشهداني"],
    ["Yousef", "Youssef", "Yusuf", "يوسف"],
    ["Qasim", "Kasim", "قاسم"],
    # Indic scripts: a nasal sign is an "n", the palatal "c" a "ch", as English writes them
    ["Chandpur", "চাঁদপুর", "चाँदपुर"],
    ["Sangareddy", "संगारेड्डी"],
    ["Chennai", "சென்னை"],
    ["Colombo", "கொழும்பு", "කොළඹ"],
]


@pytest.mark.parametrize("spellings", SAME_SKELETON, ids=lambda g: g[0])
def test_skeleton_is_shared_by_spellings(spellings: list[str]) -> None:
    assert len({skeleton(s) for s in spellings}) == 1, [(s, skeleton(s)) for s in spellings]


@pytest.mark.parametrize(("a", "b"), [
    ("Hamid", "Ahmad"), ("Nadia", "Sabah"), ("Shatri", "Satri"), ("Ali", "Hali"),
    ("Khaled", "Khalil"), ("حميد", "أحمد"),
])
def test_skeleton_keeps_different_names_apart(a: str, b: str) -> None:
    assert skeleton(a) != skeleton(b)


def test_skeleton_shape() -> None:
    assert skeleton("Ahmad") == "'hmd"  # initial vowel marker
    assert skeleton("Hamid") == "hmd"
    assert skeleton("Omar") == "'mr"
    assert skeleton("ad-Din") == skeleton("Din") == "dn"  # sun-letter article
    assert skeleton("an-Nasr") == skeleton("النصر")
    assert skeleton("as") == "'s"  # an article only before a matching consonant
    assert skeleton("") == ""


@given(st.text(alphabet="abcdefghijklmnopqrstuvwxyz'- ", max_size=30))
@settings(max_examples=200, deadline=None)
def test_latin_skeleton_has_no_vowels_or_doubles(token: str) -> None:
    key = skeleton(token)
    body = key.lstrip("'")
    assert not set(body) & set("aeiouwy")
    assert all(x != y for x, y in itertools.pairwise(body))


# ------------------------------------------------------------------------ person keys


def test_name_key_drops_honorifics_and_articles() -> None:
    assert name_key("Mr. Mohammed Shia' al-Sudani") == ("mhmd", "S", "sdn")
    assert name_key("السيد محمد شياع السوداني") == ("mhmd", "S", "sdn")
    assert name_key("Dr Sheikh Ahmed Mahdi") == name_key("الشيخ الدكتور أحمد مهدي")
    assert name_key("Sheikh") == ("Sk",)  # an honorific alone is kept


@pytest.mark.parametrize("name", [
    "Abd al-Rahman al-Hadithi", "Abdul Rahman Al Hadithi", "Abdulrahman al-Hadithi",
    "Abdel-Rahman al-Hadithi", "عبد الرحمن الحديثي", "عبدالرحمن الحديثي",
])
def test_name_key_joins_abd_compounds(name: str) -> None:
    assert name_key(name) == ("'bdrhmn", "hdt")


def test_name_key_joins_abu_and_bin() -> None:
    assert name_key("Abu Bakr al-Baghdadi") == name_key("أبو بكر البغدادي")
    assert name_key("Abubakr al-Baghdadi") == name_key("Abu Bakr al-Baghdadi")
    assert name_key("Ali ibn Abi Talib") == name_key("علي بن أبي طالب")
    assert len(name_key("Ali bin Abi Talib")) == 2


# ------------------------------------------------------------------------ names_match


@pytest.mark.parametrize(("a", "b", "kind"), [
    ("Mohammed Shia al-Sudani", "mohammed shia al-sudani", "exact"),
    ("Mr. Ahmed al-Sharaa", "Ahmed al-Sharaa", "exact"),
    ("Mohammed Shia al-Sudani", "Muhammad Shia' Al-Sudani", "skeleton"),
    ("Khaled al-Rawashdeh", "Khalid Rawashdeh", "skeleton"),
    ("Mohammed Shia al-Sudani", "Mohammed al-Sudani", "middle-omitted"),
    ("Mohammed Shia Sabar al-Sudani", "Mohammed al-Sudani", "middle-omitted"),
    ("Mohammed Shia Sabar al-Sudani", "Mohammed Shia al-Sudani", "middle-omitted"),
    ("Khaled al-Rawashdeh", "خالد الرواشدة", "cross-script"),
    ("Muhammad Shakir Al-Ubaidi", "محمد شاكر العبيدي", "cross-script"),
    ("محمد شياع صبار السوداني", "Mohammed Shia al-Sudani", "middle-omitted"),
    ("Gamal Abdel Nasser", "Jamal Abd al-Nasser", "skeleton"),
])
def test_names_match_kinds(a: str, b: str, kind: str) -> None:
    match = names_match(a, b)
    assert match is not None and match.kind == kind
    assert names_match(b, a) == match


@pytest.mark.parametrize(("a", "b"), [
    ("Nadia al-Hakim", "Sabah al-Hakim"),
    ("Hamid al-Jubouri", "Ahmad al-Jubouri"),
    ("Sudani", "Mohammed al-Sudani"),
    ("al-Sudani", "السوداني"),
    ("Mohammed Shia al-Sudani", "Mohammed Ali al-Sudani"),
    ("Mohammed Shia al-Sudani", "Shia al-Sudani"),
    ("Khaled al-Rawashdeh", "Khaled al-Rawashdi al-Hakim"),
])
def test_names_match_refuses(a: str, b: str) -> None:
    assert names_match(a, b) is None


def test_compatible_classes_score_lower() -> None:
    plain = names_match("Jamal Abdel Nasser", "جمال عبد الناصر")
    egyptian = names_match("Gamal Abdel Nasser", "جمال عبد الناصر")
    assert plain is not None and egyptian is not None
    assert plain.kind == egyptian.kind == "cross-script"
    assert egyptian.score < plain.score
    # g~j only rescues a name whose other tokens are equal
    assert names_match("Gamal Nasser", "Jamal Nasser") == Match("skeleton", 0.8)
    assert names_match("Gamal Nasser", "Jamal Mansour") is None


def test_match_is_frozen() -> None:
    match = names_match("Ahmed al-Sharaa", "Ahmad al-Sharaa")
    assert match == Match("skeleton", 0.9)
    with pytest.raises(dataclasses.FrozenInstanceError):
        match.score = 1.0  # type: ignore[misc]


# ------------------------------------------------------------------------ organizations


@pytest.mark.parametrize("name", [
    "Iraq's National Intelligence Service", "the Iraqi National Intelligence Service",
    "National Intelligence Service of Iraq", "Iraq’s National Intelligence Service",
    "The National Intelligence Service of Iraq",
])
def test_org_key_moves_country_to_prefix(name: str) -> None:
    assert org_key(name) == "iraq|national intelligence service"


def test_org_key_details() -> None:
    assert org_key("Central Bank of the UAE") == "uae|central bank"
    assert org_key("Emirati Central Bank") == "uae|central bank"
    assert org_key("U.S. Department of State") == org_key("American Department of State")
    assert org_key("Gulf Co-operation Council") == org_key("Gulf Cooperation Council")
    assert org_key("Ministry of Water & Irrigation") == "ministry of water and irrigation"
    assert org_key("Türkiye's Foreign Ministry") == org_key("Turkish Foreign Ministry")
    assert org_key("Saudi Arabia's Red Crescent") == "saudi arabia|red crescent"
    assert org_key("Ruritanian Water Board", {"Ruritanian": "ruritania"}) == (
        "ruritania|water board")


def test_country_of() -> None:
    assert country_of("Iraqi") == country_of("Iraq's") == country_of("Iraqis") == "iraq"
    assert country_of("United Kingdom") == country_of("British") == "uk"
    assert country_of("Türkiye") == "turkey"
    assert country_of("Intelligence") is None
    assert country_of("") is None


# ------------------------------------------------------------------------ acronyms


@pytest.mark.parametrize(("long", "short"), [
    ("Iraqi National Intelligence Service", "INIS"),
    ("Iraqi News Agency", "INA"),
    ("Joint Water Commission", "JWC"),
    ("Mesopotamia State News Agency", "MSNA"),
    ("Organization of the Petroleum Exporting Countries", "OPEC"),
    ("Islamic State of Iraq and the Levant", "ISIL"),
    ("Gulf Co-operation Council", "GCC"),
])
def test_acronym_of(long: str, short: str) -> None:
    assert short in acronym_of(long)
    assert is_acronym_of(short, long)


def test_acronym_of_hyphenated_arabic_article() -> None:
    assert acronym_of("Hay'at Tahrir al-Sham") == {"HTS", "HTAS"}
    assert acronym_of("Hay’at Tahrir al-Sham") == {"HTS", "HTAS"}


def test_is_acronym_of_forms() -> None:
    assert is_acronym_of("I.N.A.", "Iraqi News Agency")
    assert is_acronym_of("HTS's", "Hay'at Tahrir al-Sham")
    assert not is_acronym_of("ina", "Iraqi News Agency")
    assert not is_acronym_of("INS", "Iraqi News Agency")
    assert not is_acronym_of("I", "Iraqi")


# ------------------------------------------------------------------------ display


def test_display_name() -> None:
    assert display_name("محمد شاكر العبيدي") == "Mhmd Shakr al-'Bidi"
    assert display_name("خالد الرواشدة") == "Khald al-Rwashda"
    assert display_name("نادِيَة  الحكيـــم") == "Nadia al-Hkim"
    assert display_name("  Mohammed   Shia’  al-Sudani ") == "Mohammed Shia' al-Sudani"


# ------------------------------------------------------------------------ Arabic names


def found(text: str, **kwargs: object) -> list[tuple[str, str, str | None]]:
    names = find_arabic_names(text, **kwargs)  # type: ignore[arg-type]
    for n in names:
        assert text[n.start:n.end] == n.text
    return [(n.text, n.method, n.title) for n in names]


def test_title_then_three_tokens_then_comma() -> None:
    text = "وقال الدكتور رائد فهمي الكعبي، في تصريح صحفي، إن الوزارة مستمرة في عملها."
    assert found(text) == [("رائد فهمي الكعبي", "title", "الدكتور")]


def test_title_then_name_then_stop_word() -> None:
    text = "التقى وزير الخارجية السيد سامر الحديدي بنظيره في عمّان، وبحث الجانبان العلاقات."
    assert found(text) == [("سامر الحديدي", "title", "السيد")]
    text = "أكد الشيخ ماجد عبد الكريم الزبيدي أن الاجتماع كان مثمرا."
    assert found(text) == [("ماجد عبد الكريم الزبيدي", "title", "الشيخ")]


def test_title_phrases_with_complements_and_modifiers() -> None:
    assert found("الرئيس الفلسطيني أحمد الشرقاوي يزور بغداد") == [
        ("أحمد الشرقاوي", "title", "الرئيس الفلسطيني")]
    assert found("وزير خارجية إيران فؤاد حسني يلتقي نظيره") == [
        ("فؤاد حسني", "title", "وزير خارجية إيران")]
    assert found("رئيس مجلس النواب محمود الدليمي، والسيد وليد كريم") == [
        ("محمود الدليمي", "title", "رئيس مجلس النواب"), ("وليد كريم", "title", "والسيد")]
    assert found("الأمير فيصل بن سلطان ولي العهد") == [("فيصل بن سلطان", "title", "الأمير")]
    # "acting" written as an adverb after the office
    assert found("ووزير الداخلية العراقي وكالةً يوسف الكاظمي، الثلاثاء") == [
        ("يوسف الكاظمي", "title", "ووزير الداخلية العراقي وكالةً")]


def test_conjunction_waw_ends_a_name() -> None:
    text = "حضر المهندس باسل نوري وعدد من المسؤولين"
    assert found(text) == [("باسل نوري", "title", "المهندس")]


def test_diacritics_and_tatweel_keep_offsets() -> None:
    text = "وصرّح اللواء الركن سعدُ معـــن الموسوي بأن القوات تقدمت."
    assert found(text) == [("سعدُ معـــن الموسوي", "title", "اللواء الركن")]


def test_digits_and_latin_end_a_name() -> None:
    assert found("التقى السيد Khaled الرواشدة والسيد 3 حسين") == []
    assert found("التقى السيد كريم 2024 حسين") == []


def test_no_names_no_junk() -> None:
    for text in [
        "هطلت أمطار غزيرة على المدينة يوم الأحد وتسببت في أضرار كبيرة.",
        "أكد الرئيس أن الحكومة ماضية في خططها، وقال النائب عن كتلة البناء إن الجلسة تأجلت.",
        "وقال مسؤول في الوزارة إن الاجتماع سيعقد لاحقا.",
    ]:
        assert found(text, known=["Khaled al-Rawashdeh", "Fuad Hassani"]) == []


def test_known_latin_name_in_arabic_text() -> None:
    text = "وزير المياه والري الأردني السيد خالد الرواشدة وعدد من المسؤولين"
    assert found(text, known=["Khaled al-Rawashdeh"]) == [("خالد الرواشدة", "known", "السيد")]
    text = "استقبل رئيس الجهاز محمد شاكر العبيدي الوفد الزائر"
    assert found(text, known=["Muhammad Shakir Al-Ubaidi"]) == [
        ("محمد شاكر العبيدي", "known", "رئيس الجهاز")]


def test_known_prefers_longest_without_overlap() -> None:
    text = "رحب جميل كاظم حسين الساعدي بالضيوف"
    names = find_arabic_names(text, known=["Jamil Kadhim", "Jamil Kazim Hussein al-Saadi"])
    assert [(n.text, n.method) for n in names] == [("جميل كاظم حسين الساعدي", "known")]
    text = "رحب جميل كاظم بالضيوف ثم غادر ليث الساعدي"
    names = find_arabic_names(text, known=["Jamil Kazim", "Laith Saadi", "Saadi Laith"])
    assert [n.text for n in names] == ["جميل كاظم", "ليث الساعدي"]


def test_known_name_after_conjunction_or_inside_titles() -> None:
    text = "حضر الاجتماع نبيل الطائي ومحمد شاكر العبيدي أمس"
    assert found(text, known=["Muhammad Shakir Al-Ubaidi", "Nabil al-Taie"]) == [
        ("نبيل الطائي", "known", None), ("محمد شاكر العبيدي", "known", None)]
    text = "صرح خالد السيد للصحفيين"  # السيد is a surname here
    assert found(text, known=["Khaled El-Sayed"]) == [("خالد السيد", "known", None)]
    # a name starting with و keeps it
    assert found("قال وليد كريم إن", known=["Walid Karim"]) == [("وليد كريم", "known", None)]


def test_known_single_token_behind_flag() -> None:
    text = "وقال الرواشدة إن المشروع سيكتمل"
    assert found(text, known=["Khaled al-Rawashdeh"]) == []
    assert found(text, known=["Khaled al-Rawashdeh"], single_tokens=True) == [
        ("الرواشدة", "known", None)]


def test_range_and_offsets() -> None:
    text = "مقدمة. قال السيد سامر الحديدي: نعم. ثم تحدث السيد نبيل عيسى الطائي طويلا"
    middle = text.index("ثم")
    inside = find_arabic_names(text, middle)
    assert [(n.start, n.text) for n in inside] == [
        (text.index("نبيل"), "نبيل عيسى الطائي")]
    before = find_arabic_names(text, 0, middle)
    assert [n.text for n in before] == ["سامر الحديدي"]
    assert isinstance(before[0], ArabicName)


@given(st.lists(st.sampled_from(["السيد", "الشيخ", "سامر", "الحديدي", "في", "، ", ".", "3",
                                 "وعدد", "محمّد", "عبد", "الله", "Ali", "ـ", "\n", "بن"]),
                max_size=25))
@settings(max_examples=200, deadline=None)
def test_offsets_always_exact(words: list[str]) -> None:
    text = " ".join(words)
    names = find_arabic_names(text, known=["Samer al-Hadidi", "Mohammed Abdullah"])
    previous_end = 0
    for n in names:
        assert text[n.start:n.end] == n.text
        assert n.start >= previous_end
        previous_end = n.end


def test_rules_loaded_once() -> None:
    assert name_rules() is name_rules()
