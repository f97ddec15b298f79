"""Story clustering scored on a labelled collection of one's own (`evaluate collection`)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from conftest import CORPUS, run_cli
from storyline.errors import GoldFileError
from storyline.evaluate.collection import analyse, match_gold, read_gold, run
from storyline.evaluate.stories import store_documents
from storyline.model import Document
from storyline.store import Store
from storyline.stories import StoryBuilder


def _write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def test_read_gold_tsv_and_csv_with_column_aliases(tmp_path: Path) -> None:
    tsv = _write(tmp_path / "gold.tsv", "file\tstory\na.txt\tquake\n\nb.txt\tquake\n"
                                        "c.txt\tfire\n")
    assert read_gold(tsv) == {"a.txt": "quake", "b.txt": "quake", "c.txt": "fire"}
    csv = _write(tmp_path / "gold.csv", "Label,Document\nquake,x-1\nfire,x-2\n")
    assert read_gold(csv) == {"x-1": "quake", "x-2": "fire"}


@pytest.mark.parametrize(("text", "message"), [
    ("name\tx\na\tb\n", r"gold.tsv:1: the header must name an article column .* it has: name, x"),
    ("file\tstory\na.txt\tquake\na.txt\tfire\n",
     r"gold.tsv:3: 'a.txt' is labelled twice \('quake' and 'fire'\)"),
    ("file\tstory\na.txt\n", r"gold.tsv:2: 1 columns, the header has 2"),
    ("file\tstory\na.txt\t \n", r"gold.tsv:2: an empty article name or story label"),
    ("file\tstory\n", r"gold.tsv: no labelled articles"),
    ("", r"gold.tsv: empty"),
])
def test_bad_gold_files_name_the_line_and_the_reason(tmp_path: Path, text: str,
                                                     message: str) -> None:
    with pytest.raises(GoldFileError, match=message):
        read_gold(_write(tmp_path / "gold.tsv", text))


def test_missing_gold_file_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(GoldFileError, match=r"missing.tsv: cannot read"):
        read_gold(tmp_path / "missing.tsv")


def _doc(source: str, external_id: str | None = None) -> Document:
    doc = Document(source=source, name=Path(source).name, raw="x", format="txt")
    doc.id = "doc-" + source.replace("/", "-") + (external_id or "")
    doc.external_id = external_id
    return doc


def test_match_gold_by_relative_path_file_name_and_record_id(tmp_path: Path) -> None:
    root = tmp_path / "articles"
    docs = [_doc(str(root / "a" / "one.txt")), _doc(str(root / "b" / "one.txt")),
            _doc(str(root / "b" / "two.txt")),
            _doc(str(root / "feed.jsonl"), "rec-7"), _doc(str(root / "feed.jsonl"), "rec-8")]
    gold = {"a/one.txt": "s1", "two.txt": "s1", "rec-7": "s2", "one.txt": "s3",
            "feed.jsonl": "s2", "gone.txt": "s4"}
    labels, unmatched = match_gold(docs, gold, [root])
    assert labels == {docs[0].id: "s1", docs[2].id: "s1", docs[3].id: "s2"}
    assert unmatched == ["one.txt: names 2 articles", "feed.jsonl: names 2 articles",
                         "gone.txt: no such article in the collection"]


def test_a_json_record_with_a_url_is_matched_by_the_file_it_came_from(tmp_path: Path) -> None:
    """A record's source is its url; the gold file names the file it was read from."""
    root = tmp_path / "articles"
    root.mkdir()
    (root / "harbour-wire_crane.json").write_text(json.dumps({
        "title": "Crane falls into Korsa harbour",
        "text": "A crane fell into the harbour of Korsa on Monday, the port office said. "
                "No one was hurt.",
        "published": "2026-03-02", "url": "https://harbour-wire.example/korsa-crane"}),
        encoding="utf-8")
    found = analyse([str(root)])
    (doc,) = found.documents
    assert doc.source == "https://harbour-wire.example/korsa-crane"
    assert found.files == {doc.id: str(root / "harbour-wire_crane.json")}
    gold = {"harbour-wire_crane.json": "crane"}
    assert match_gold(found.documents, gold, [root]) == ({}, [
        "harbour-wire_crane.json: no such article in the collection"])
    assert match_gold(found.documents, gold, [root], found.files) == ({doc.id: "crane"}, [])


@pytest.fixture(scope="module")
def gold(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The two reports of the Amman talks and the report of the earlier Baghdad visit."""
    return _write(tmp_path_factory.mktemp("gold") / "gold.tsv",
                  "file\tstory\nmeridian-post_amman-talks.txt\tamman-talks\n"
                  "gulf-ledger_amman-talks.txt\tamman-talks\n"
                  "harbor-times_earlier-visit.html\tbaghdad-visit\n"
                  "not-in-the-corpus.txt\tother\n")


def test_run_scores_every_order_and_the_oracle_baseline(gold: Path) -> None:
    report = run(CORPUS, gold, orders=2)
    assert report.documents == 3 and report.gold_stories == 2
    assert [o["seed"] for o in report.orders] == [0, 1]
    # Both orders put the two reports of the talks together and the earlier visit apart.
    assert all(o["bcubed_f1"] == 1.0 and o["pairwise_f1"] == 1.0 for o in report.orders)
    assert report.unmatched == ["not-in-the-corpus.txt: no such article in the collection"]
    assert report.rejected == []
    assert 0.0 < report.baseline_threshold < 0.8
    data = report.to_json()
    assert data["storyline"]["mean_bcubed_f1"] == 1.0
    assert set(data["tfidf_oracle"]) == {"threshold", "clusters", "pairwise", "bcubed"}


def test_cli_prints_the_table(gold: Path) -> None:
    result = run_cli("evaluate", "collection", str(CORPUS), str(gold), "--orders", "1")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[:5] == [
        "3 documents, 2 gold stories, 1 arrival orders (placed at the end of the run, "
        "dated ones by date)", "",
        "| system | clusters | pairwise P | R | F1 | B3 P | R | F1 |",
        "|---|---|---|---|---|---|---|---|",
        "| Storyline, order 0 | 2 | 100.0 | 100.0 | 100.0 | 100.0 | 100.0 | 100.0 |"]
    assert lines[5].startswith("| TF-IDF average link, oracle threshold ")
    assert lines[-2:] == ["Gold rows without an article:",
                          "- not-in-the-corpus.txt: no such article in the collection"]


def test_cli_names_a_bad_gold_file(tmp_path: Path) -> None:
    bad = _write(tmp_path / "gold.tsv", "file\tstory\nnowhere.txt\tx\n")
    result = run_cli("evaluate", "collection", str(CORPUS), str(bad))
    assert result.returncode == 2
    assert "gold.tsv: no gold row names an article of the collection" in result.stderr


def test_one_at_a_time_places_each_report_as_it_arrives(gold: Path) -> None:
    """The same collection placed one report at a time (placement alone): the same
    stories here, and the report says which way they were placed."""
    report = run(CORPUS, gold, orders=2, one_at_a_time=True)
    assert report.one_at_a_time and report.to_json()["one_at_a_time"] is True
    assert all(o["bcubed_f1"] == 1.0 for o in report.orders)
    assert "each placed as it arrives" in report.format().splitlines()[0]
    result = run_cli("evaluate", "collection", str(CORPUS), str(gold), "--orders", "1",
                     "--one-at-a-time", "--json")
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["one_at_a_time"] is True


def test_runs_bring_each_order_in_several_ingest_runs(gold: Path) -> None:
    """The collection in four ingest runs, one after the other (each placed at its end
    against the stories before): the same stories here, and the report says so; the
    CLI refuses zero runs."""
    report = run(CORPUS, gold, orders=2, runs=4)
    assert report.runs == 4 and report.to_json()["runs"] == 4
    assert all(o["bcubed_f1"] == 1.0 for o in report.orders)
    assert "in 4 runs one after the other" in report.format().splitlines()[0]
    result = run_cli("evaluate", "collection", str(CORPUS), str(gold), "--runs", "0")
    assert result.returncode == 2 and "runs must be 1 or more" in result.stderr


def test_store_documents_in_runs_leaves_nothing_waiting(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """`store_documents(runs=3)`: every document stored and placed, in three story
    stages of about equal size."""
    docs = analyse([str(CORPUS)]).documents
    placed: list[int] = []
    original = StoryBuilder.place_waiting

    def counting(self: StoryBuilder) -> int:
        placed.append(original(self))
        return placed[-1]

    monkeypatch.setattr(StoryBuilder, "place_waiting", counting)
    with Store(tmp_path / "kb.db") as store:
        ids = store_documents([(d.id, d) for d in docs], store, runs=3)
        assert len(ids) == len(docs) > 3 and store.stories.unplaced() == []
        assert len(placed) == 3 and sum(placed) == len(docs)
        assert max(placed) - min(placed) <= len(docs) // 3 + 1
        assert {d for d, _ in store.stories.assignments()} == set(ids)
