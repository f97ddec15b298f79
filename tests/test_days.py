"""A day with no year ("21 June", "KORSA, June 12 (KPA) -") is dated by the run it came
in (`storyline.stories.days`). The reports here are invented."""

from __future__ import annotations

from pathlib import Path

import pytest

from storyline.ingest.run import ingest
from storyline.store import Store
from storyline.stories import StoryBuilder
from storyline.stories.days import is_day, middle, nearest_year


@pytest.mark.parametrize(("day", "reference", "expected"), [
    ("--06-21", "2026-07-04", "2026-06-21"),
    ("--12-30", "2027-01-05", "2026-12-30"),  # across the new year
    ("--01-02", "2026-12-28", "2027-01-02"),
    ("--02-29", "2027-03-01", "2028-02-29"),  # the one leap year of the three
    ("--02-29", "2026-03-01", None),  # none of 2025-2027 has one
])
def test_a_day_takes_the_year_nearest_the_reference(day: str, reference: str,
                                                    expected: str | None) -> None:
    assert nearest_year(day, reference) == expected


def test_days_and_the_middle_of_dates() -> None:
    assert is_day("--06-21") and not is_day("2026-06-21") and not is_day(None)
    assert middle(["2026-06-03", "2026-06-01", "2026-06-09"]) == "2026-06-03"
    assert middle(["2026-06-03", "2026-06-01"]) == "2026-06-01"
    assert middle([]) is None


FIRST = """Fire on the Korsa ferry forces evacuation
Published 10 June 2026

A fire broke out in the engine room of the Korsa ferry Aldern Star on Wednesday, forcing \
the evacuation of 212 passengers to lifeboats off Velmar, the coast guard said.
"""

SECOND = """Aldern Star fire: engine room blaze out after ten hours
Published 11 June 2026

Firefighters put out the engine room fire on the Korsa ferry Aldern Star after ten hours, \
the coast guard said, and the 212 passengers were taken to Velmar.
"""

BRIEF = """Korsa ferry towed to Velmar

VELMAR, June 12 (KPA) - The Korsa ferry Aldern Star, evacuated after an engine room fire \
this week, was towed into Velmar harbour on Friday, the coast guard said.
"""


def _ingest(tmp_path: Path, names: tuple[str, ...]) -> Store:
    texts = {"a.txt": FIRST, "b.txt": SECOND, "c.txt": BRIEF}
    for name in names:
        (tmp_path / name).write_text(texts[name], encoding="utf-8")
    store = Store(tmp_path / "kb.db")
    ingest([str(tmp_path / n) for n in names], store)
    return store


def _brief(store: Store) -> str:
    return next(r["id"] for r in store.iter_documents() if r["published"] is None)


def test_a_brief_dated_by_day_and_month_is_placed_on_the_runs_year(tmp_path: Path) -> None:
    with _ingest(tmp_path, ("c.txt", "a.txt", "b.txt")) as store:
        brief = _brief(store)
        _, date = store.stories.signature(brief) or ({}, None)
        assert date == "2026-06-12"
        story = store.stories.story_of(brief)
        assert story is not None and store.stories.count() == 1
        row = store.conn.execute("SELECT first_date, last_date FROM stories WHERE id = ?",
                                 (story,)).fetchone()
        assert (row["first_date"], row["last_date"]) == ("2026-06-10", "2026-06-12")


def test_a_day_with_no_dated_report_anywhere_stays_undated(tmp_path: Path) -> None:
    with _ingest(tmp_path, ("c.txt",)) as store:
        brief = _brief(store)
        _, date = store.stories.signature(brief) or ({}, None)
        assert date == "--06-12"  # kept for a later run or a rebuild to date
        assert store.stories.story_of(brief) is not None
        row = store.conn.execute("SELECT first_date FROM stories").fetchone()
        assert row["first_date"] is None
    # a later run brings dated reports; a rebuild dates the brief by them
    (tmp_path / "a.txt").write_text(FIRST, encoding="utf-8")
    with Store(tmp_path / "kb.db") as store:
        ingest([str(tmp_path / "a.txt")], store)
        StoryBuilder(store).rebuild()
        assert (store.stories.signature(brief) or ({}, None))[1] == "2026-06-12"
