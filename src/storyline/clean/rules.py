"""Loads the cleaning heuristics from `data/cleaning.yaml` (data, not code)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

import yaml

from storyline.clean.letters import NOT_AFTER_WORD, NOT_BEFORE_WORD


def load_data(name: str) -> Any:
    """Parse one YAML file shipped in `storyline/data/`."""
    text = resources.files("storyline").joinpath("data").joinpath(name).read_text(encoding="utf-8")
    return yaml.safe_load(text)


def _compile(patterns: list[str] | str, flags: int = re.I) -> list[re.Pattern[str]]:
    if isinstance(patterns, str):
        patterns = [patterns]
    return [re.compile(p, flags) for p in patterns]


@dataclass(frozen=True, eq=False)
class CleaningRules:
    """Compiled cleaning patterns; see the comments in data/cleaning.yaml."""

    invisible: frozenset[str]
    joiners: frozenset[str]
    drop_line: list[re.Pattern[str]]
    link_line: list[re.Pattern[str]]
    tail_start: list[re.Pattern[str]]
    tail_vocabulary: re.Pattern[str]
    tail_short_words: int
    tail_list_item: re.Pattern[str]
    embed_trailer: list[re.Pattern[str]]
    credit_suffix: list[re.Pattern[str]]
    caption_marker: re.Pattern[str]
    heading_small_words: frozenset[str]
    heading_max_words: int
    label_separator: re.Pattern[str]
    label_dash: re.Pattern[str]
    label_max_words: int
    masthead_words: frozenset[str]
    date_label: list[re.Pattern[str]]
    header_lines: int
    header_max_words: int
    date_line_rest: int
    byline: re.Pattern[str]
    numeric_date: re.Pattern[str]
    weekdays: dict[str, int]
    month_first_languages: frozenset[str]
    header_separator: re.Pattern[str]
    month_names: dict[str, int]
    solar_hijri_months: dict[str, int]
    bikram_sambat_months: dict[str, int]
    ethiopian_months: dict[str, int]
    buddhist_era: tuple[range, int]
    named_date: re.Pattern[str]
    english_month_names: dict[str, int]
    day_month: re.Pattern[str]
    numeric_day_month: re.Pattern[str]
    date_line_noise: list[re.Pattern[str]]
    explicit_date: re.Pattern[str]
    outlet_prefix: re.Pattern[str]
    credit_line: list[re.Pattern[str]]
    outlet_in_text: list[re.Pattern[str]]
    dateline: list[re.Pattern[str]]


def _alternation(names: dict[str, int]) -> str:
    """A regular expression alternative of the names, the longest first."""
    return "|".join(sorted(map(re.escape, names), key=len, reverse=True))


def _named_date(months: dict[str, int], year_words: list[str]) -> re.Pattern[str]:
    """Day, month name and year ("14 de abril de 2026", "15 ga Yuni, 2026", "21 июня
    2026", "٤ سبتمبر ٢٠٢٦م", "2 جون 2026ء"), month first ("Agosto 25, 2026") or year
    first ("2026. június 21.", "2026 m. birželio 21 d.", "د ۲۰۲۶ کال د جولای ۹مه"), an
    Arabic month with its other name in brackets or after a slash ("6 أيلول/سبتمبر 2026"), in
    digits of any script; Amharic and Tigrinya write the word for day between day and
    year ("ሚያዝያ 13 ቀን 2018 ዓ.ም."); or year, day and month ("2026 жылғы 10 маусым",
    "2026 წლის 16 ივლისი", "2026-yil 6-oktabr", Latvian "2026. gada 5. oktobrī")."""
    names = _alternation(months)
    # "2026ء" (Urdu), "٢٠٢٦م" (Arabic: of the Gregorian era), "2018 ዓ.ም." (Amharic: of
    # the Ethiopian era)
    year_mark = rf"(?:\s?(?:[ءم]{NOT_BEFORE_WORD}|ዓ\.?\s?ም\.?|ዓ/ም))?"
    # the word for "year" between a year and a day ("2026 жылғы 10 маусым", "2026 წლის 16
    # ივლისი", "2026-yil 6-oktabr")
    year_word = "|".join(map(re.escape, year_words))
    # Khmer glues "the" to the day, "month" to its name and "year" to the year ("ទី១០
    # ខែមេសា ឆ្នាំ២០២៦"); Thai writes "B.E." before the year ("๖ มิถุนายน พ.ศ. ๒๕๖๙")
    # Kurdish writes the ezafe after the day ("6ê Îlona 2026", "٤ی حوزەیرانی ٢٠٢٦")
    return re.compile(rf"(?:(?<=ទី)|{NOT_AFTER_WORD})(?P<day>\d{{1,2}})(?:er|º|\.|ê|[یي])?\s+"
                      rf"(?:(?:de|ga)\s+|ខែ)?"
                      rf"(?P<month>{names})(?:\s*\((?:{names})\)|\s*/\s*(?:{names}))?,?\s+"
                      rf"(?:del?\s+|ឆ្នាំ|พ\.ศ\.\s*)?"
                      rf"(?P<year>\d{{4}}){year_mark}{NOT_BEFORE_WORD}"
                      rf"|{NOT_AFTER_WORD}(?P<first_month>{names})\s+"
                      rf"(?P<first_day>\d{{1,2}}),?\s+(?:ቀን\s+)?"
                      rf"(?P<first_year>\d{{4}}){year_mark}{NOT_BEFORE_WORD}"
                      rf"|(?<![\w.])(?P<year_year>\d{{4}})\.?\s+"
                      rf"(?:m\.\s+|(?:لمریز\s+)?کال\s+د\s+|(?:{year_word})\s+)?"
                      rf"(?P<year_month>{names})"
                      rf"\s+(?P<year_day>\d{{1,2}})(?!\d)"
                      rf"|(?<![\w.])(?P<ydm_year>\d{{4}})(?:\.?\s*-?\s*(?:{year_word}))?\s+"
                      rf"(?P<ydm_day>\d{{1,2}})(?:-|\.)?\s*(?P<ydm_month>{names}){NOT_BEFORE_WORD}",
                      re.I)


def _day_month(months: dict[str, int]) -> re.Pattern[str]:
    """A day and a month name with no year ("21 June", "June 21", "18 ga Yuni")."""
    names = _alternation(months)
    return re.compile(rf"(?<![\w.])(?P<day>\d{{1,2}})(?:st|nd|rd|th|er|º|\.)?\s+"
                      rf"(?:(?:de|ga|of)\s+)?(?P<month>{names})\.?{NOT_BEFORE_WORD}"
                      rf"|{NOT_AFTER_WORD}(?P<first_month>{names})\.?\s+"
                      rf"(?P<first_day>\d{{1,2}})"
                      rf"(?:st|nd|rd|th)?(?![\d:.])", re.I)


@cache
def cleaning_rules() -> CleaningRules:
    data = load_data("cleaning.yaml")
    dateline = data["dateline"]
    return CleaningRules(
        invisible=frozenset(data["invisible"]["always"]),
        joiners=frozenset(data["invisible"]["joiners"]),
        drop_line=_compile(data["drop_line"]),
        link_line=_compile(data["link_line"]),
        tail_start=_compile(data["tail_start"]),
        tail_vocabulary=_compile(data["tail_vocabulary"])[0],
        tail_short_words=int(data["tail_short_words"]),
        tail_list_item=re.compile(data["tail_list_item"]),
        embed_trailer=_compile(data["embed_trailer"], 0),
        credit_suffix=_compile(data["credit_suffix"]),
        caption_marker=_compile(data["caption_marker"])[0],
        heading_small_words=frozenset(data["heading_small_words"]),
        heading_max_words=int(data["heading_max_words"]),
        label_separator=re.compile(data["label_separator"]),
        label_dash=re.compile(data["label_dash"]),
        label_max_words=int(data["label_max_words"]),
        masthead_words=frozenset(str(w).casefold() for w in data["masthead_words"]),
        date_label=_compile(data["date_label"]),
        header_lines=int(data["header_lines"]),
        header_max_words=int(data["header_max_words"]),
        date_line_rest=int(data["date_line_rest"]),
        byline=_compile(data["byline"], 0)[0],
        numeric_date=_compile(data["numeric_date"])[0],
        weekdays={str(k).lower(): int(v) for k, v in data["weekdays"].items()},
        month_first_languages=frozenset(map(str, data["month_first_languages"])),
        header_separator=_compile(data["header_separator"])[0],
        month_names={str(k).lower(): int(v) for k, v in data["month_names"].items()},
        solar_hijri_months={str(k).lower(): int(v)
                            for k, v in data["solar_hijri_months"].items()},
        bikram_sambat_months={str(k).lower(): int(v)
                              for k, v in data["bikram_sambat_months"].items()},
        ethiopian_months={str(k).lower(): int(v)
                          for k, v in data["ethiopian_months"].items()},
        buddhist_era=(range(int(data["buddhist_era"]["years"][0]),
                            int(data["buddhist_era"]["years"][1]) + 1),
                      int(data["buddhist_era"]["offset"])),
        named_date=_named_date({**data["month_names"], **data["solar_hijri_months"],
                                **data["bikram_sambat_months"],
                                **data["ethiopian_months"]},
                                [str(w) for w in data["year_words"]]),
        english_month_names={str(k).lower(): int(v)
                             for k, v in data["english_month_names"].items()},
        day_month=_day_month({**data["month_names"], **data["english_month_names"]}),
        numeric_day_month=_compile(data["numeric_day_month"])[0],
        date_line_noise=_compile(data["date_line_noise"]),
        explicit_date=_compile(data["explicit_date"], 0)[0],
        outlet_prefix=_compile(data["outlet_prefix"], 0)[0],
        credit_line=_compile(data["credit_line"], 0),
        outlet_in_text=_compile(data["outlet_in_text"]),
        dateline=_compile(dateline["patterns"], 0 if dateline.get("case") else re.I),
    )
