"""Load test of the web app and REST API: many concurrent readers while documents are ingested.

    python benchmarks/load_test.py [--clients 50] [--requests 40 | --seconds S] [--writes 20]
        [--write-concurrency 1] [--max-seconds 900] [--seed 7]
        [--json benchmarks/results/load-test.json]

1. A store is built in a temp dir from the bundled example corpus (examples/corpus), with
   the library's own `ingest`.
2. The real server runs as a subprocess (`python -m storyline serve`) on a free loopback
   port; the test waits until it logs that it is listening and `/api/status` answers.
   Ids for detail pages are taken from the listings before the load starts.
3. `--clients` readers (asyncio + httpx, each client with its own single connection) send
   `--requests` GETs each (or keep going for `--seconds`), picked at random (seeded) from a
   mix of API and HTML URLs: listings, filtered listings, detail pages, search. At the same
   time one writer (or `--write-concurrency` writers) POSTs `--writes` articles that the
   script invents (distinct ministers, towns, figures and dates; no two are near
   duplicates). A warm-up POST before the load makes the server load its language model,
   so the write latencies are steady-state ones (its time is reported apart).
4. Afterwards: every article a POST reported as stored must be readable
   (`GET /api/documents/{id}` is 200, and so is its external id), the store's document
   count must have grown by exactly what the POSTs reported, and `PRAGMA integrity_check`
   on the SQLite file (opened directly, after the server stopped) must say `ok`.

Prints a report (requests, errors by status, read latency p50/p95/p99/max overall and per
endpoint, write latency, throughput, the machine) and writes it as JSON to `--json` with a
short Markdown summary next to it (same name, `.md`). Everything stays on 127.0.0.1 and
every phase is bounded (`--max-seconds` for the load, timeouts on every request). Exit
status: 0 when there was no 5xx, no request without a response and no lost write; 1
otherwise.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import os
import platform
import random
import re
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import asdict, dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode

import httpx

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "examples" / "corpus"
DEFAULT_JSON = ROOT / "benchmarks" / "results" / "load-test.json"
HOST = "127.0.0.1"


# --- configuration and samples ---------------------------------------------------------------


@dataclass
class Config:
    clients: int = 50
    requests: int | None = 40  # per client; None: run for `seconds`
    seconds: float | None = None
    writes: int = 20
    write_concurrency: int = 1
    warmup: bool = True
    seed: int = 7
    max_seconds: float = 900.0  # hard bound on the load phase
    request_timeout: float = 120.0
    startup_seconds: float = 120.0
    corpus: str = str(CORPUS)


@dataclass
class Sample:
    """One request: what was asked, what came back, how long it took."""

    role: str  # "read", "write" or "warmup"
    kind: str  # the route, e.g. "GET /api/events/{id}"
    url: str
    status: int | None  # None: no response at all (see `error`)
    ms: float
    start: float  # seconds since the load phase started
    error: str | None = None


@dataclass
class Write:
    article: dict[str, Any]
    sample: Sample
    response: dict[str, Any] | None = None


@dataclass
class Targets:
    """What the readers ask for: ids and facet values taken from the store at start."""

    stories: list[str] = field(default_factory=list)
    events: list[str] = field(default_factory=list)
    actors: list[str] = field(default_factory=list)
    actor_names: list[str] = field(default_factory=list)
    documents: list[str] = field(default_factory=list)
    types: list[str] = field(default_factory=list)
    topics: list[str] = field(default_factory=list)
    outlets: list[str] = field(default_factory=list)
    words: list[str] = field(default_factory=list)


# --- invented articles -------------------------------------------------------------------------

FIRST = ["Farid", "Samira", "Nabil", "Layla", "Tariq", "Huda", "Karim", "Rania", "Yousef",
         "Dalia", "Omar", "Salma", "Ziad", "Mona", "Adel", "Noura", "Bassam", "Hala", "Jamil",
         "Reem", "Fadi", "Lubna", "Hisham", "Widad"]
LAST = ["Haddad", "Toukan", "Qasimi", "Barakat", "Nuseibeh", "Khalidi", "Mansour", "Sabbagh",
        "Tamimi", "Hourani", "Dajani", "Zureik", "Shammas", "Kanaan", "Rifai", "Salibi",
        "Jaber", "Nimr", "Awwad", "Masri", "Bitar", "Halabi"]
TOWN_HEAD = ["Tell", "Ain", "Bir", "Deir", "Kafr", "Umm", "Ras", "Jisr", "Marj", "Wadi",
             "Khirbet", "Nahr"]
TOWN_ROOT = ["Zahra", "Salem", "Nuran", "Halil", "Amal", "Rawda", "Tamir", "Baydar", "Zein",
             "Safi", "Kinda", "Wardan", "Lulu", "Fadil", "Hanin", "Marwan", "Jadid", "Sumaq"]
PROVINCES = ["Northern Plains", "Eastern Steppe", "Lower Valley", "Coastal Hills",
             "Upper Basin", "Western Highlands", "Central Marches", "Southern Oases"]
OUTLETS = ["Plains Courier", "Valley Bulletin", "Northern Gazette", "Riverside Chronicle",
           "Highland Observer", "Coastal Record", "Steppe Dispatch", "Oasis Tribune"]
PORTFOLIOS = ["Water", "Health", "Education", "Transport", "Agriculture", "Energy", "Housing",
              "Labour"]
FACILITY = {"Water": "desalination plant", "Health": "district hospital",
            "Education": "secondary school", "Transport": "bus depot",
            "Agriculture": "grain silo", "Energy": "solar farm", "Housing": "housing estate",
            "Labour": "vocational training centre"}
UNIONS = ["teachers", "truck drivers", "nurses", "olive farmers", "dock workers",
          "bakery owners", "taxi drivers", "textile workers"]
MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August",
          "September", "October", "November", "December"]
WEEKDAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]

#: Article kinds: a title and five sentence slots, each with two wordings; an article uses
#: the lead and three or four of the other slots, so two articles of one kind still differ.
TEMPLATES: list[dict[str, Any]] = [
    {"title": "{portfolio} Minister {a} opens {facility} in {town}",
     "slots": [
         ["{TOWN}, {dateline} - {portfolio} Minister {a} opened a new {facility} in {town} on "
          "{weekday}, the first of its kind in {province} province.",
          "{TOWN}, {dateline} - A {facility} built at a cost of {n1} million dinars was "
          "inaugurated in {town} on {weekday} by {portfolio} Minister {a}."],
         ["The project will serve about {n2},000 residents of {town} and nearby villages, "
          "{a_last} told reporters at the ceremony.",
          "Speaking at the site, {a_last} said the {facility} would serve {n2},000 people "
          "once it reached full capacity next year."],
         ["Mayor {b} said the town council had waited {n3} years for the project and thanked "
          "the ministry for keeping its promise.",
          "{town}'s mayor, {b}, called the opening overdue after {n3} years of delays."],
         ["Opposition lawmaker {c} questioned the cost, saying a similar {facility} in "
          "{town2} had cost half as much.",
          "Critics led by deputy {c} said the budget had grown by {n4} percent since the "
          "tender was signed."],
         ["The ministry plans {n5} more such projects in {province} by the end of {year}.",
          "{a_last} said a second phase would begin in {town2} in {month2}."]]},
    {"title": "Governor {b} and Minister {a} agree on {portfolio_lower} plan for {province}",
     "slots": [
         ["{TOWN}, {dateline} - {portfolio} Minister {a} met {province} governor {b} in "
          "{town} on {weekday} and agreed on a joint plan for the province.",
          "{TOWN}, {dateline} - Governor {b} of {province} and {portfolio} Minister {a} "
          "signed a memorandum in {town} on {weekday} after two days of talks."],
         ["Under the plan, the province will receive {n1} million dinars over {n3} years, "
          "{b_last} said after the meeting.",
          "The memorandum commits {n1} million dinars to {province} over the next {n3} "
          "years, according to a statement from the governor's office."],
         ["\"We have waited long enough; this is a start,\" {b_last} told the {outlet}.",
          "{a_last} described the agreement as \"a test of whether the ministry can deliver "
          "outside the capital\"."],
         ["A committee chaired by {c} will report on progress every {n4} months.",
          "Deputy governor {c} will lead a monitoring committee that meets in {town2}."],
         ["The two officials are due to meet again in {month2}.",
          "Local business groups in {town2} welcomed the deal but asked for a timetable."]]},
    {"title": "{union_title} strike in {town} over unpaid wages",
     "slots": [
         ["{TOWN}, {dateline} - Hundreds of {union} went on strike in {town} on {weekday}, "
          "demanding {n3} months of unpaid wages.",
          "{TOWN}, {dateline} - About {n2}00 {union} stopped work in {town} on {weekday} to "
          "protest wages they say have gone unpaid since {month1}."],
         ["Union leader {a} said the strike would continue until the {portfolio} ministry "
          "paid what it owed.",
          "\"Our members have families to feed,\" said {a}, who heads the local branch of "
          "the {union} union."],
         ["The ministry said in a statement that {n1} million dinars had been released and "
          "would reach workers within {n4} days.",
          "{portfolio} Minister {b} accused the union of playing politics and said payments "
          "were already under way."],
         ["Police in {town} said the protest was peaceful and no arrests were made.",
          "Shops near the main square in {town} closed early as marchers passed."],
         ["A similar strike in {town2} ended last year after {n5} weeks.",
          "Lawmaker {c} called for an inquiry into the delays."]]},
    {"title": "{province} reports {n2} percent rise in {portfolio_lower} spending",
     "slots": [
         ["{TOWN}, {dateline} - Spending on {portfolio_lower} in {province} rose by {n2} "
          "percent in the first quarter of {year}, the provincial statistics office said on "
          "{weekday}.",
          "{TOWN}, {dateline} - The statistics office of {province} said on {weekday} that "
          "{portfolio_lower} spending had climbed {n2} percent from a year earlier."],
         ["Office director {a} said most of the increase went to projects in {town} and "
          "{town2}.",
          "The figures, presented by office director {a}, show {town} receiving the largest "
          "share."],
         ["Finance official {b} warned that the province could not sustain the pace without "
          "help from the capital.",
          "{b}, who oversees the provincial budget, said {n1} million dinars remained "
          "unspent."],
         ["The report counted {n5} projects started and {n4} finished since {month1}.",
          "Auditors flagged {n4} contracts for review, the office said."],
         ["The next quarterly report is due in {month2}.",
          "Opposition member {c} said the numbers hid delays in rural districts."]]},
    {"title": "Flooding cuts road between {town} and {town2}",
     "slots": [
         ["{TOWN}, {dateline} - Heavy rain on {weekday} flooded the road linking {town} and "
          "{town2}, cutting off about {n2},000 people, officials said.",
          "{TOWN}, {dateline} - The main road between {town} and {town2} was closed on "
          "{weekday} after flash floods washed away a {n4}-metre section."],
         ["Civil defence chief {a} said {n5} families had been moved to a school in {town}.",
          "Rescue teams led by {a} evacuated {n5} families overnight, the civil defence "
          "service said."],
         ["{portfolio} Minister {b} promised to reopen the road within {n3} weeks.",
          "Minister {b} visited the site and said repairs would cost {n1} million dinars."],
         ["Residents complained that drainage work promised in {month1} had never started.",
          "Local council member {c} said the same stretch had flooded {n3} times in ten "
          "years."],
         ["Forecasters expect more rain in {province} this week.",
          "Schools in {town2} will stay closed until the road reopens."]]},
    {"title": "Court in {town} fines contractor over {facility} delays",
     "slots": [
         ["{TOWN}, {dateline} - A court in {town} on {weekday} fined a contractor {n1} "
          "million dinars for failing to finish a {facility} on time.",
          "{TOWN}, {dateline} - Judge {a} ordered a building firm to pay {n1} million dinars "
          "on {weekday} over a {facility} in {town} that is {n3} years late."],
         ["The {portfolio} ministry had sued the firm in {month1}, lawyer {b} said.",
          "Ministry lawyer {b} told the court the firm had been paid in full by {month1}."],
         ["The company's director, {c}, said it would appeal.",
          "Defence counsel {c} argued that the ministry had changed the design {n4} times."],
         ["The {facility} was meant to open in {town} with room for {n2}00 people.",
          "Residents of {town2} have used a temporary site for {n5} years meanwhile."],
         ["The appeal court in {town2} is expected to hear the case in {month2}.",
          "Courts in {province} have heard {n4} such cases this year."]]},
]


def _town_names(rng: random.Random) -> list[str]:
    names = [f"{head} {root}" for head in TOWN_HEAD for root in TOWN_ROOT]
    rng.shuffle(names)
    return names


def _person_names(rng: random.Random) -> list[str]:
    names = [f"{first} {last}" for first in FIRST for last in LAST]
    rng.shuffle(names)
    return names


def invent_articles(count: int, seed: int = 7, prefix: str = "loadtest") -> list[dict[str, Any]]:
    """`count` distinct invented articles (JSON objects as the CLI reads them).

    Every article has its own invented people, towns, figures and date; kinds and wordings
    rotate, so no two articles are near duplicates (see `max_similarity`).
    """
    rng = random.Random(seed)
    towns, people = _town_names(rng), _person_names(rng)
    if count * 2 > len(towns) or count * 3 > len(people):
        raise ValueError(f"at most {min(len(towns) // 2, len(people) // 3)} articles")
    start = date(2026, 5, 1)
    articles = []
    for i in range(count):
        template = TEMPLATES[i % len(TEMPLATES)]
        a, b, c = people[3 * i:3 * i + 3]
        town, town2 = towns[2 * i:2 * i + 2]
        portfolio = rng.choice(PORTFOLIOS)
        day = start + timedelta(days=3 * i + rng.randrange(3))
        union = rng.choice(UNIONS)
        values = {
            "a": a, "b": b, "c": c, "a_last": a.split()[-1], "b_last": b.split()[-1],
            "town": town, "town2": town2, "TOWN": town.upper(),
            "province": rng.choice(PROVINCES), "portfolio": portfolio,
            "portfolio_lower": portfolio.lower(), "facility": FACILITY[portfolio],
            "union": union, "union_title": union.capitalize(),
            "outlet": OUTLETS[i % len(OUTLETS)],
            "dateline": f"{MONTHS[day.month - 1]} {day.day}", "weekday": WEEKDAYS[day.weekday()],
            "year": day.year, "month1": MONTHS[(day.month - 3) % 12],
            "month2": MONTHS[(day.month + 1 + rng.randrange(3)) % 12],
            "n1": rng.randrange(3, 95), "n2": rng.randrange(2, 60), "n3": rng.randrange(2, 12),
            "n4": rng.randrange(3, 40), "n5": rng.randrange(4, 30),
        }
        slots = template["slots"]
        chosen = [rng.choice(slots[0])]
        rest = sorted(rng.sample(range(1, len(slots)), rng.choice((2, 3, 4))))
        chosen += [rng.choice(slots[k]) for k in rest]
        text = " ".join(s.format(**values) for s in chosen)
        articles.append({
            "id": f"{prefix}-{seed}-{i:04d}", "title": template["title"].format(**values),
            "outlet": values["outlet"], "published": day.isoformat(), "language": "en",
            "text": text})
    return articles


def _shingles(text: str, size: int = 4) -> set[str]:
    words = re.findall(r"\w+", text.lower())
    return {" ".join(words[i:i + size]) for i in range(max(0, len(words) - size + 1))}


def max_similarity(articles: list[dict[str, Any]]) -> float:
    """The largest Jaccard similarity of word 4-shingles between two of the articles
    (the server treats about 0.6 and above as near duplicates)."""
    sets = [_shingles(a["text"]) for a in articles]
    best = 0.0
    for i, x in enumerate(sets):
        for y in sets[i + 1:]:
            if x or y:
                best = max(best, len(x & y) / len(x | y))
    return best


# --- the store and the server ---------------------------------------------------------------


def _shown(path: str | Path) -> str:
    """A path as reported: relative to the project when inside it."""
    resolved = Path(path).resolve()
    return str(resolved.relative_to(ROOT)) if resolved.is_relative_to(ROOT) else str(path)


def build_store(db: Path, corpus: str | Path = CORPUS) -> dict[str, Any]:
    """Ingest the corpus into a new store at `db`; say what it holds."""
    from storyline.ingest.run import ingest
    from storyline.store import Store

    started = time.perf_counter()
    with Store(db) as store:
        report = ingest([str(corpus)], store)
        documents = store.count_documents()
    return {"corpus": _shown(corpus), "ingest": report.counts(), "documents": documents,
            "seconds": round(time.perf_counter() - started, 2)}


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


class ServerError(RuntimeError):
    pass


class Server:
    """`python -m storyline serve` on a free loopback port, as a subprocess."""

    def __init__(self, db: Path, log: Path, startup_seconds: float = 120.0) -> None:
        self.db, self.log_path, self.startup_seconds = db, log, startup_seconds
        self.proc: subprocess.Popen[bytes] | None = None
        self.port = 0

    @property
    def base(self) -> str:
        return f"http://{HOST}:{self.port}"

    def start(self, attempts: int = 3) -> None:
        for attempt in range(attempts):
            try:
                self._start_once()
                return
            except ServerError:
                self.stop()
                if attempt == attempts - 1:
                    raise

    def _start_once(self) -> None:
        self.port = free_port()
        env = {**os.environ, "PYTHONUNBUFFERED": "1"}
        with self.log_path.open("ab") as log:
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "storyline", "serve", "--db", str(self.db),
                 "--host", HOST, "--port", str(self.port)],
                stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, env=env)
        listening = f"running on http://{HOST}:{self.port}"
        deadline = time.monotonic() + self.startup_seconds
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise ServerError(f"the server exited with {self.proc.returncode}:\n"
                                  f"{self.log_tail()}")
            # The log line proves that *this* process holds the port (another server
            # could answer /api/status on a port taken between free_port() and bind).
            if listening in self.log_text():
                with suppress(httpx.HTTPError):
                    if httpx.get(f"{self.base}/api/status", timeout=5).status_code == 200:
                        return
            time.sleep(0.2)
        raise ServerError(f"the server did not answer within {self.startup_seconds} s:\n"
                          f"{self.log_tail()}")

    def log_text(self) -> str:
        try:
            return self.log_path.read_text(encoding="utf-8", errors="replace")
        except FileNotFoundError:
            return ""

    def log_tail(self, lines: int = 40) -> str:
        return "\n".join(self.log_text().splitlines()[-lines:])

    def cpu_seconds(self) -> float | None:
        """CPU time (user + system, all threads) the server used so far; Linux only."""
        if self.proc is None:
            return None
        try:
            stat = Path(f"/proc/{self.proc.pid}/stat").read_text()
        except OSError:
            return None
        fields = stat.rsplit(")", 1)[1].split()  # fields 3.. of proc_pid_stat(5)
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def stop(self) -> int | None:
        """Stop the server (SIGTERM, then SIGKILL after 15 s); its exit status."""
        if self.proc is None:
            return None
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=15)
        return self.proc.returncode

    def __enter__(self) -> Server:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


# --- what the readers ask for --------------------------------------------------------------


def discover(base: str) -> Targets:
    """Ids for detail pages and values for filters, from the listings."""
    t = Targets()
    with httpx.Client(base_url=base, timeout=60) as client:

        def items(path: str) -> list[dict[str, Any]]:
            response = client.get(path)
            response.raise_for_status()
            return list(response.json()["items"])

        status = client.get("/api/status").json()
        t.types = [x["type"] for x in status["types"]]
        t.topics = [x["topic"] for x in status["topics"]]
        t.outlets = [x["name"] for x in status["outlets"]]
        t.stories = [x["id"] for x in items("/api/stories?limit=100")]
        t.events = [x["id"] for x in items("/api/events?limit=100")]
        actors = items("/api/actors?limit=100")
        t.actors = [x["id"] for x in actors]
        t.actor_names = [x["name"] for x in actors[:8]]
        t.documents = [x["id"] for x in items("/api/documents?limit=100")]
    t.words = ["water", "crossing", "minister", "wells", "border", "Baghdad", "talks",
               "Amman", "trucks", "agreement"]
    missing = [name for name, values in asdict(t).items() if not values]
    if missing:
        raise RuntimeError(f"the store has nothing to read for: {', '.join(missing)}")
    return t


Choice = tuple[str, int, Callable[[random.Random], str]]


def _filter_query(t: Targets, rng: random.Random) -> str:
    """A random filter (or none) for a listing of events/documents/stories."""
    pick = rng.randrange(7)
    params: dict[str, str | int] = {}
    if pick == 1:
        params["type"] = rng.choice(t.types)
    elif pick == 2:
        params["topic"] = rng.choice(t.topics)
    elif pick == 3:
        params["outlet"] = rng.choice(t.outlets)
    elif pick == 4:
        params["actor"] = rng.choice(t.actor_names)
    elif pick == 5:
        params["date_from"], params["date_to"] = "2026-03", "2026-06-30"
    elif pick == 6:
        params["limit"], params["offset"] = rng.choice((5, 10, 20)), rng.choice((0, 5, 10))
    return "?" + urlencode(params) if params else ""


def url_choices(t: Targets) -> list[Choice]:
    """The read mix: (kind, weight, URL maker). About 55% API and 45% HTML pages."""

    def one(values: list[str]) -> Callable[[random.Random], str]:
        return lambda rng: quote(rng.choice(values), safe="")

    story, event, actor, doc = one(t.stories), one(t.events), one(t.actors), one(t.documents)
    word = one(t.words)
    return [
        ("GET /api/status", 2, lambda rng: "/api/status"),
        ("GET /api/stories", 3, lambda rng: "/api/stories" + _filter_query(t, rng)),
        ("GET /api/stories/{id}", 3, lambda rng: f"/api/stories/{story(rng)}"),
        ("GET /api/events", 5, lambda rng: "/api/events" + _filter_query(t, rng)),
        ("GET /api/events/{id}", 5, lambda rng: f"/api/events/{event(rng)}"),
        ("GET /api/actors", 2, lambda rng: "/api/actors" + rng.choice(
            ("", "?name=" + quote(rng.choice(t.actor_names)), "?kind=person"))),
        ("GET /api/actors/{id}", 3, lambda rng: f"/api/actors/{actor(rng)}"),
        ("GET /api/documents", 3, lambda rng: "/api/documents" + _filter_query(t, rng)),
        ("GET /api/documents/{id}", 3, lambda rng: f"/api/documents/{doc(rng)}"),
        ("GET /api/claims", 2, lambda rng: "/api/claims" + _filter_query(t, rng)),
        ("GET /api/search", 3, lambda rng: f"/api/search?q={word(rng)}"),
        ("GET /", 3, lambda rng: "/" + _filter_query(t, rng)),
        ("GET /stories/{id}", 3, lambda rng: f"/stories/{story(rng)}"),
        ("GET /events", 3, lambda rng: "/events" + _filter_query(t, rng)),
        ("GET /events/{id}", 4, lambda rng: f"/events/{event(rng)}"),
        ("GET /actors", 2, lambda rng: "/actors"),
        ("GET /actors/{id}", 2, lambda rng: f"/actors/{actor(rng)}"),
        ("GET /documents", 2, lambda rng: "/documents" + _filter_query(t, rng)),
        ("GET /documents/{id}", 3, lambda rng: f"/documents/{doc(rng)}"),
        ("GET /search", 2, lambda rng: f"/search?q={word(rng)}"),
    ]


def pick(choices: list[Choice], rng: random.Random) -> tuple[str, str]:
    kind, _, make = rng.choices(choices, weights=[w for _, w, _ in choices])[0]
    return kind, make(rng)


# --- the load ---------------------------------------------------------------------------------


@dataclass
class Tally:
    """Shared by the clients of one run (one event loop, so no lock is needed)."""

    t0: float = 0.0
    issued: int = 0
    samples: list[Sample] = field(default_factory=list)
    writes: list[Write] = field(default_factory=list)


def _client(base: str, timeout: float) -> httpx.AsyncClient:
    """One client with one connection of its own."""
    return httpx.AsyncClient(base_url=base, timeout=httpx.Timeout(timeout, connect=30),
                             limits=httpx.Limits(max_connections=1,
                                                 max_keepalive_connections=1))


async def _timed(client: httpx.AsyncClient, tally: Tally, role: str, kind: str, url: str,
                 content: bytes | None = None) -> tuple[Sample, httpx.Response | None]:
    tally.issued += 1
    started = time.perf_counter()
    response: httpx.Response | None = None
    error: str | None = None
    try:
        if content is None:
            response = await client.get(url)
        else:
            response = await client.post(url, content=content,
                                          headers={"content-type": "application/json"})
    except httpx.HTTPError as exc:
        error = f"{type(exc).__name__}: {exc}"[:300]
    ms = (time.perf_counter() - started) * 1000
    if response is not None and response.is_success:
        error = _body_problem(url, response)
    sample = Sample(role, kind, url, response.status_code if response is not None else None,
                    round(ms, 3), round(started - tally.t0, 4), error)
    tally.samples.append(sample)
    return sample, response


def _body_problem(url: str, response: httpx.Response) -> str | None:
    """A 2xx must carry a whole body: parseable JSON from the API, a whole HTML page else."""
    if url.startswith("/api/"):
        try:
            response.json()
        except ValueError:
            return f"{response.status_code} with a body that is not JSON"
        return None
    if "</html>" not in response.text:
        return f"{response.status_code} with an HTML page that does not end"
    return None


async def reader(base: str, choices: list[Choice], rng: random.Random, tally: Tally,
                 cfg: Config, until: float) -> None:
    async with _client(base, cfg.request_timeout) as client:
        done = 0
        while time.perf_counter() < until and (cfg.requests is None or done < cfg.requests):
            kind, url = pick(choices, rng)
            await _timed(client, tally, "read", kind, url)
            done += 1


async def post_article(client: httpx.AsyncClient, tally: Tally, article: dict[str, Any],
                       role: str = "write") -> Write:
    url = f"/api/documents?name={quote(article['id'])}.json"
    body = json.dumps(article, ensure_ascii=False).encode()
    sample, response = await _timed(client, tally, role, "POST /api/documents", url, body)
    write = Write(article, sample)
    # 201: stored; 200: nothing new; 422: all rejected. Each says why in the same JSON.
    if response is not None and response.status_code in (200, 201, 422) and not sample.error:
        with suppress(ValueError):
            answer = response.json()
            if isinstance(answer, dict) and "stored" in answer:
                write.response = answer
    tally.writes.append(write)
    return write


async def writers(base: str, articles: list[dict[str, Any]], tally: Tally, cfg: Config) -> None:
    """POST every article; `cfg.write_concurrency` clients at a time, each its own."""
    queue: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
    for article in articles:
        queue.put_nowait(article)

    async def one_writer() -> None:
        async with _client(base, cfg.request_timeout) as client:
            while not queue.empty():
                await post_article(client, tally, queue.get_nowait())

    await asyncio.gather(*(one_writer() for _ in range(max(1, cfg.write_concurrency))))


async def load(base: str, targets: Targets, articles: list[dict[str, Any]], cfg: Config,
               tally: Tally) -> dict[str, Any]:
    """Readers and writers at once, within `cfg.max_seconds`; when the phase ran."""
    choices = url_choices(targets)
    tally.t0 = time.perf_counter()
    until = tally.t0 + (cfg.seconds if cfg.seconds is not None else cfg.max_seconds)
    tasks = [asyncio.create_task(reader(base, choices, random.Random(cfg.seed * 1000 + i),
                                        tally, cfg, until))
             for i in range(cfg.clients)]
    write_task = asyncio.create_task(writers(base, articles, tally, cfg))
    timed_out = False
    try:
        async with asyncio.timeout(cfg.max_seconds + 5):
            await asyncio.gather(*tasks, write_task)
    except TimeoutError:
        timed_out = True
    finally:
        for task in [*tasks, write_task]:
            task.cancel()
        await asyncio.gather(*tasks, write_task, return_exceptions=True)
    reads_done = max((s.start + s.ms / 1000 for s in tally.samples if s.role == "read"),
                     default=0.0)
    write_times = [(s.start, s.start + s.ms / 1000)
                   for s in tally.samples if s.role == "write"]
    return {"seconds": round(time.perf_counter() - tally.t0, 3), "timed_out": timed_out,
            "reads_finished_at": round(reads_done, 3),
            "writes_window": [round(min((a for a, _ in write_times), default=0.0), 3),
                              round(max((b for _, b in write_times), default=0.0), 3)]}


# --- checks -------------------------------------------------------------------------------------


def document_count(db: Path) -> int:
    with _readonly(db) as conn:
        return int(conn.execute("SELECT count(*) FROM documents").fetchone()[0])


def integrity(db: Path) -> list[str]:
    with _readonly(db) as conn:
        return [str(row[0]) for row in conn.execute("PRAGMA integrity_check")]


@contextmanager
def _readonly(db: Path) -> Iterator[sqlite3.Connection]:
    conn = sqlite3.connect(f"{db.resolve().as_uri()}?mode=ro", uri=True, timeout=60)
    try:
        yield conn
    finally:
        conn.close()


def verify_writes(base: str, writes: list[Write], timeout: float = 30) -> dict[str, Any]:
    """Through the API: every stored document is readable; every posted article is
    accounted for. A server that stops answering ends the checks (`api_answered`)."""
    unreadable: list[dict[str, Any]] = []
    not_stored: list[dict[str, Any]] = []
    unanswered: list[dict[str, Any]] = []
    stored: list[str] = []
    duplicates: list[str] = []
    api_documents: int | None = None
    with httpx.Client(base_url=base, timeout=timeout) as client:
        answering = True

        def get(path: str) -> int | None:
            nonlocal answering
            if not answering:
                return None
            try:
                return client.get(path).status_code
            except httpx.HTTPError:
                answering = False
                return None

        for write in writes:
            external = write.article["id"]
            found = get(f"/api/documents/{quote(external, safe='')}")
            if write.response is None:
                # no usable answer: whether the article got in is known from the store only
                unanswered.append({"article": external, "status": write.sample.status,
                                   "error": write.sample.error, "in_store": found == 200})
                continue
            ids = [d["id"] for d in write.response["stored"]]
            dups = [d["id"] for d in write.response["duplicates"]]
            stored += ids
            duplicates += dups
            for doc_id in [*ids, *dups]:
                status = get(f"/api/documents/{quote(doc_id, safe='')}")
                if status != 200:
                    unreadable.append({"article": external, "id": doc_id, "status": status})
            if ids and found != 200:
                unreadable.append({"article": external, "id": external, "status": found,
                                   "by": "external id"})
            if len(ids) != 1:
                not_stored.append({"article": external, "stored": ids, "duplicates": dups,
                                   "already_stored": write.response["already_stored"],
                                   "rejected": write.response["rejected"]})
        if answering:
            with suppress(httpx.HTTPError, ValueError, KeyError):
                api_documents = int(client.get("/api/status").json()["documents"])
    return {"stored_ids": stored, "duplicate_ids": duplicates, "stored": len(stored),
            "duplicates": len(duplicates), "unreadable": unreadable, "not_stored": not_stored,
            "unanswered": unanswered, "api_answered": answering, "api_documents": api_documents}


def external_in_file(db: Path, external_id: str) -> bool:
    with _readonly(db) as conn:
        return conn.execute("SELECT 1 FROM documents WHERE external_id = ?",
                            (external_id,)).fetchone() is not None


def missing_from_file(db: Path, ids: list[str]) -> list[str]:
    """The ids that are not rows of the documents table (read from the file directly)."""
    with _readonly(db) as conn:
        return [i for i in ids
                if conn.execute("SELECT 1 FROM documents WHERE id = ?", (i,)).fetchone() is None]


# --- the report ---------------------------------------------------------------------------------


def percentile(values: list[float], q: float) -> float | None:
    """The q-th percentile (0-100), linear between closest ranks (as numpy's default)."""
    if not values:
        return None
    ordered = sorted(values)
    k = (len(ordered) - 1) * q / 100
    lo = math.floor(k)
    hi = min(lo + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (k - lo)


def latency(values: list[float]) -> dict[str, Any]:
    def r(x: float | None) -> float | None:
        return None if x is None else round(x, 1)

    return {"count": len(values), "p50_ms": r(percentile(values, 50)),
            "p95_ms": r(percentile(values, 95)), "p99_ms": r(percentile(values, 99)),
            "max_ms": r(max(values) if values else None),
            "mean_ms": r(sum(values) / len(values) if values else None)}


def summarize(tally: Tally, phase: dict[str, Any]) -> dict[str, Any]:
    """Counts, errors and latencies of the load phase."""
    samples = [s for s in tally.samples if s.role in ("read", "write")]
    reads = [s for s in samples if s.role == "read"]
    writes = [s for s in samples if s.role == "write"]
    statuses = Counter("none" if s.status is None else str(s.status) for s in samples)
    problems = [s for s in samples if s.status is None or s.status >= 400 or s.error]
    by_kind: dict[str, list[float]] = {}
    for s in reads:
        by_kind.setdefault(s.kind, []).append(s.ms)
    w0, w1 = phase["writes_window"]
    during = [s.ms for s in reads if writes and w0 <= s.start <= w1]
    seconds = phase["seconds"] or 1.0
    return {
        "requests": {"issued": tally.issued - sum(1 for s in tally.samples
                                                  if s.role == "warmup"),
                     "answered": sum(1 for s in samples if s.status is not None),
                     "reads": len(reads), "writes": len(writes)},
        "status_counts": dict(sorted(statuses.items())),
        "errors": {
            "5xx": sum(1 for s in samples if s.status is not None and s.status >= 500),
            "4xx": sum(1 for s in samples if s.status is not None and 400 <= s.status < 500),
            "no_response": sum(1 for s in samples if s.status is None),
            "bad_body": sum(1 for s in samples
                            if s.status is not None and s.status < 300 and s.error),
            "examples": [{"kind": s.kind, "url": s.url, "status": s.status, "error": s.error}
                         for s in problems[:20]]},
        "reads": latency([s.ms for s in reads]),
        "reads_api": latency([s.ms for s in reads if s.url.startswith("/api/")]),
        "reads_html": latency([s.ms for s in reads if not s.url.startswith("/api/")]),
        "reads_during_ingest": latency(during),
        "reads_by_endpoint": {k: latency(v) for k, v in sorted(by_kind.items())},
        "writes": latency([s.ms for s in writes]),
        "throughput": {"requests_per_s": round(len(samples) / seconds, 1),
                       "reads_per_s": round(len(reads) / seconds, 1)},
    }


def machine() -> dict[str, Any]:
    return {"cores": os.cpu_count(), "python": platform.python_version(),
            "sqlite": sqlite3.sqlite_version, "platform": platform.platform(),
            "load_average": [round(x, 2) for x in os.getloadavg()]}


def run(cfg: Config, log: Callable[[str], None] = print) -> dict[str, Any]:
    """The whole test: build a store, serve it, load it, check it. Returns the results."""
    articles = invent_articles(cfg.writes + (1 if cfg.warmup else 0), seed=cfg.seed)
    warmup_article = articles.pop() if cfg.warmup else None
    similarity = max_similarity(articles + ([warmup_article] if warmup_article else []))
    results: dict[str, Any] = {
        "benchmark": "load-test",
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "config": {**asdict(cfg), "corpus": _shown(cfg.corpus)}, "machine": machine(),
        "articles": {"invented": len(articles) + (1 if warmup_article else 0),
                     "max_shingle_jaccard": round(similarity, 3)}}
    with tempfile.TemporaryDirectory(prefix="storyline-load-") as tmp:
        db = Path(tmp) / "load.db"
        log(f"building the store from {cfg.corpus} ...")
        results["store"] = build_store(db, cfg.corpus)
        before = results["store"]["documents"]
        server = Server(db, Path(tmp) / "server.log", cfg.startup_seconds)
        tally = Tally()
        try:
            started = time.perf_counter()
            server.start()
            results["server"] = {"port": server.port,
                                 "startup_s": round(time.perf_counter() - started, 2)}
            log(f"server on {server.base} (pid {server.proc.pid if server.proc else '?'})")
            targets = discover(server.base)
            if warmup_article is not None:
                log("warm-up POST (the server loads its language model) ...")
                write = asyncio.run(_warmup(server.base, warmup_article, tally, cfg))
                results["warmup_post_ms"] = round(write.sample.ms, 1)
            log(f"load: {cfg.clients} readers x "
                f"{cfg.requests if cfg.seconds is None else f'{cfg.seconds} s'}, "
                f"{cfg.writes} POSTs ({cfg.write_concurrency} at a time) ...")
            client_cpu, server_cpu = time.process_time(), server.cpu_seconds()
            phase = asyncio.run(load(server.base, targets, articles, cfg, tally))
            server_after = server.cpu_seconds()
            results["phase"] = phase
            results["cpu_seconds"] = {
                "server": (round(server_after - server_cpu, 2)
                           if server_cpu is not None and server_after is not None else None),
                "load_generator": round(time.process_time() - client_cpu, 2)}
            results.update(summarize(tally, phase))
            results["server"]["alive_after_load"] = server.alive()
            checks = verify_writes(server.base, tally.writes)
        finally:
            code = server.stop()
            log_text = server.log_text()
        after = document_count(db)
        check = integrity(db)
        missing = missing_from_file(db, checks["stored_ids"] + checks["duplicate_ids"])
        unanswered_in = sum(1 for u in checks["unanswered"]
                            if external_in_file(db, u["article"]))
    expected = checks["stored"] + checks["duplicates"] + unanswered_in
    results["server"].update({
        "exit_status": code,  # uvicorn re-raises SIGTERM after a graceful shutdown: -15
        "shutdown_complete": "Application shutdown complete" in log_text,
        "log_tracebacks": log_text.count("Traceback (most recent call last)"),
        "log_errors": [line for line in log_text.splitlines()
                       if line.startswith("ERROR") or "internal error" in line][:20]})
    results["verification"] = {
        **checks, "missing_from_file": missing, "documents_before": before,
        "documents_after": after, "grew_by": after - before, "expected_growth": expected,
        "unanswered_but_stored": unanswered_in, "count_ok": after - before == expected,
        "api_count_ok": checks["api_documents"] == after, "integrity_check": check}
    # lost: reported stored but not in the file, or fewer rows than the answers reported
    results["lost_writes"] = len(missing) + max(0, expected - (after - before))
    results["ok"] = (results["errors"]["5xx"] == 0 and results["errors"]["no_response"] == 0
                     and results["lost_writes"] == 0 and after - before == expected
                     and not checks["unreadable"] and checks["api_answered"]
                     and check == ["ok"] and not results["phase"]["timed_out"])
    return results


async def _warmup(base: str, article: dict[str, Any], tally: Tally, cfg: Config) -> Write:
    tally.t0 = time.perf_counter()
    async with _client(base, cfg.request_timeout) as client:
        return await post_article(client, tally, article, role="warmup")


def report_text(r: dict[str, Any]) -> str:
    """The human-readable report."""
    cfg, m, req, err = r["config"], r["machine"], r["requests"], r["errors"]
    v = r["verification"]
    per = (f"{cfg['requests']} requests each" if cfg["seconds"] is None
           else f"{cfg['seconds']} s each")
    lines = [
        f"Load test: {cfg['clients']} concurrent readers ({per}) while {cfg['writes']} "
        f"articles are POSTed ({cfg['write_concurrency']} at a time), loopback only",
        f"machine: {m['cores']} cores, Python {m['python']}, SQLite {m['sqlite']}, load "
        f"average at start {m['load_average']}",
        f"store: {r['store']['documents']} documents from {r['store']['corpus']}; "
        f"server started in {r['server']['startup_s']} s"
        + (f"; warm-up POST {r['warmup_post_ms']:.0f} ms (model load)"
           if "warmup_post_ms" in r else ""),
        f"requests: {req['issued']} issued, {req['answered']} answered ({req['reads']} reads, "
        f"{req['writes']} writes) in {r['phase']['seconds']:.1f} s = "
        f"{r['throughput']['requests_per_s']} req/s",
        f"CPU during the load: server {r['cpu_seconds']['server']} s, load generator "
        f"{r['cpu_seconds']['load_generator']} s (same machine)"
        + ("; the load phase hit --max-seconds" if r["phase"]["timed_out"] else ""),
        "status: " + ", ".join(f"{k}: {n}" for k, n in r["status_counts"].items()),
        f"errors: 5xx {err['5xx']}, 4xx {err['4xx']}, no response {err['no_response']}, "
        f"bad body {err['bad_body']}",
        "",
        "| requests | count | p50 ms | p95 ms | p99 ms | max ms |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    rows = [("all reads", r["reads"]), ("API reads", r["reads_api"]),
            ("HTML pages", r["reads_html"]),
            ("reads while ingesting", r["reads_during_ingest"]),
            ("writes (POST /api/documents)", r["writes"]),
            *((k, x) for k, x in r["reads_by_endpoint"].items())]
    for name, x in rows:
        lines.append(f"| {name} | {x['count']} | {_ms(x['p50_ms'])} | {_ms(x['p95_ms'])} | "
                     f"{_ms(x['p99_ms'])} | {_ms(x['max_ms'])} |")
    lines += [
        "",
        f"writes: {v['stored']} stored, {v['duplicates']} duplicates, "
        f"{len(v['not_stored'])} not stored as one new document, {len(v['unanswered'])} "
        f"without an answer ({v['unanswered_but_stored']} of them stored anyway); "
        f"lost: {r['lost_writes']}; stored but not readable through the API: "
        f"{len(v['unreadable'])}"
        + ("" if v["api_answered"] else " (the server stopped answering during the checks)"),
        f"documents: {v['documents_before']} -> {v['documents_after']} (grew by "
        f"{v['grew_by']}, expected {v['expected_growth']}); "
        f"PRAGMA integrity_check: {', '.join(v['integrity_check'][:5])}",
        f"server: exit status {r['server']['exit_status']} (graceful shutdown: "
        f"{'yes' if r['server']['shutdown_complete'] else 'no'}), tracebacks in its log "
        f"{r['server']['log_tracebacks']}",
        "result: " + ("OK" if r["ok"] else "FAILED"),
    ]
    return "\n".join(lines)


def _ms(x: float | None) -> str:
    return "-" if x is None else f"{x:.0f}" if x >= 10 else f"{x:.1f}"


def write_results(results: dict[str, Any], path: Path) -> Path:
    """The results as JSON at `path`, and the report as Markdown next to it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    md = path.with_suffix(".md")
    lines = [line if not line or line.startswith("|") else f"- {line}"
             for line in report_text(results).splitlines()]
    md.write_text("# Load test (`python benchmarks/load_test.py`)\n\n" + "\n".join(lines)
                  + "\n", encoding="utf-8")
    return md


def parse_args(argv: list[str] | None = None) -> tuple[Config, Path | None]:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--clients", type=int, default=50, help="concurrent readers")
    group = parser.add_mutually_exclusive_group()
    group.add_argument("--requests", type=int, default=40, help="GETs per reader")
    group.add_argument("--seconds", type=float, help="run the readers for this long instead")
    parser.add_argument("--writes", type=int, default=20, help="articles to POST")
    parser.add_argument("--write-concurrency", type=int, default=1,
                        help="POSTs in flight at a time")
    parser.add_argument("--no-warmup", action="store_true",
                        help="no warm-up POST before the load (the first POST then "
                             "includes loading the language model)")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--max-seconds", type=float, default=900.0,
                        help="hard bound on the load phase")
    parser.add_argument("--corpus", default=str(CORPUS))
    parser.add_argument("--json", default=str(DEFAULT_JSON),
                        help="where the results go (a .md summary is written next to it); "
                             "'-' for none")
    args = parser.parse_args(argv)
    if args.clients < 1 or args.writes < 0 or args.write_concurrency < 1:
        parser.error("--clients and --write-concurrency must be positive, --writes >= 0")
    cfg = Config(clients=args.clients, requests=None if args.seconds else args.requests,
                 seconds=args.seconds, writes=args.writes,
                 write_concurrency=args.write_concurrency, warmup=not args.no_warmup,
                 seed=args.seed, max_seconds=args.max_seconds, corpus=args.corpus)
    return cfg, None if args.json == "-" else Path(args.json)


def main(argv: list[str] | None = None) -> int:
    cfg, out = parse_args(argv)
    results = run(cfg, log=lambda line: print(line, file=sys.stderr, flush=True))
    print(report_text(results))
    if out is not None:
        md = write_results(results, out)
        print(f"\nresults: {out} and {md}")
    return 0 if results["ok"] else 1


if __name__ == "__main__":
    sys.exit(main())
