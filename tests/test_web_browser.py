"""End-to-end: Debian's Chromium, headless, driven by Playwright, against `storyline serve`
started by the test on a free loopback port. Screenshots go to test-output/screenshots
(or $STORYLINE_SCREENSHOTS) for review."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from conftest import ROOT, build_example_db, free_port

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
HOSTILE = ROOT / "tests" / "fixtures" / "hostile"
SHOTS = Path(os.environ.get("STORYLINE_SCREENSHOTS", ROOT / "test-output" / "screenshots"))
#: Chromium's own network chatter is refused on a closed machine; switch it off.
FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"]

playwright = pytest.importorskip("playwright.sync_api")
if not Path(CHROMIUM).exists():
    if os.environ.get("STORYLINE_REQUIRE_BROWSER"):  # CI installs it: missing is a failure
        raise RuntimeError(f"no Chromium at {CHROMIUM}; apt-get install chromium")
    pytest.skip("Debian's chromium is not installed (apt-get install chromium)",
                allow_module_level=True)


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    db = build_example_db(tmp_path_factory.mktemp("browser") / "kb.db", HOSTILE)
    port = free_port()
    proc = subprocess.Popen([sys.executable, "-m", "storyline", "serve", "--db", db,
                             "--port", str(port)], stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            if httpx.get(url + "/api/status").status_code == 200:
                break
        except httpx.TransportError:
            pass
        if time.monotonic() > deadline or proc.poll() is not None:
            proc.kill()
            raise RuntimeError("storyline serve did not start")
        time.sleep(0.2)
    yield url
    proc.terminate()
    proc.wait(timeout=20)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with playwright.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=FLAGS)
        yield b
        b.close()


class Watch:
    """Dialogs, page errors and console errors seen by one page."""

    def __init__(self, page: Any) -> None:
        self.dialogs: list[str] = []
        self.errors: list[str] = []
        page.on("dialog", lambda d: (self.dialogs.append(d.message), d.dismiss()))
        page.on("pageerror", lambda e: self.errors.append(str(e)))
        page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)


@pytest.fixture
def page(browser: Any) -> Iterator[tuple[Any, Watch]]:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    pg = context.new_page()
    watch = Watch(pg)
    yield pg, watch
    context.close()
    assert watch.dialogs == []
    assert watch.errors == []


def shot(page: Any, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def test_stories_to_story_timeline_and_matrix(site: str, page: tuple[Any, Watch]) -> None:
    pg, _ = page
    pg.goto(site + "/")
    assert pg.title() == "Stories · Storyline"
    rows = pg.locator("table.stories tbody tr")
    stored = httpx.get(site + "/api/status").json()["stories"]
    assert stored >= 4  # the crossing, the January visit, the lawmakers, the digest, ...
    assert rows.count() == stored  # every story listed, one row each
    shot(pg, "stories")
    pg.get_by_role("link", name="Trucks roll again", exact=False).count()
    # the crossing story: the only one Meridian Post reports in (the agency's April
    # follow-up, 16 days after the story's last report, is a story of its own)
    big = pg.locator("table.stories tbody tr", has_text="Meridian Post")
    big.locator("a").first.click()
    pg.wait_for_url("**/stories/*")
    assert pg.locator("ol.timeline li").count() >= 5
    single = pg.locator("table.matrix tr.single-origin")
    assert single.count() > 0
    assert "single origin" in single.first.inner_text()
    assert pg.locator("ol.sentences li a.cite").count() >= 3
    shot(pg, "story")


def test_filter_events_and_open_one_with_highlights(site: str,
                                                    page: tuple[Any, Watch]) -> None:
    pg, _ = page
    pg.goto(site + "/events")
    everything = pg.locator("table.events tbody tr").count()
    pg.select_option("select[name=type]", "BORDER")
    pg.fill("input[name=actor]", "")
    pg.click("form.filters button[type=submit]")
    pg.wait_for_url("**/events?*type=BORDER*")
    rows = pg.locator("table.events tbody tr")
    assert 0 < rows.count() < everything
    assert all(t.startswith("BORDER")
               for t in rows.locator("td:nth-child(2) a").all_inner_texts())
    shot(pg, "events-filtered")
    reopened = rows.filter(has_text="Desert Courier").filter(has_text="Levant News Agency").first
    reopened.locator("td:nth-child(2) a").click()
    pg.wait_for_url("**/events/*")
    reports = pg.locator("article.report")  # one per mention: "reopened", "the reopening"
    assert reports.count() > 3
    outlets = set()
    for k in range(reports.count()):
        report = reports.nth(k)
        quote = report.locator(".hl-quote")
        trigger = quote.locator("mark.hl-trigger")
        assert trigger.count() >= 1 and trigger.first.inner_text() in (
            "reopened", "reopens", "reopening")
        outlets.add(report.locator("ol.chain li").last.inner_text())
        assert quote.first.inner_text() in report.locator(".passage").inner_text()
    assert len(outlets) == 3  # the chain of every report ends with its outlet
    head = pg.locator("dl.facts-head").inner_text()
    assert "3 outlets resting on 2 independent origins" in head  # the agency, its spokesman
    single = pg.locator("tr.single-origin")  # its place and date rest on the agency alone
    assert single.count() > 0 and "single origin" in single.first.inner_text()
    shot(pg, "event")


def test_actor_page_scripts_roles_and_graph(site: str, page: tuple[Any, Watch]) -> None:
    pg, _ = page
    pg.goto(site + "/actors?name=Rawashdeh")
    pg.locator("table.actors tbody tr a").first.click()
    pg.wait_for_url("**/actors/*")
    arabic = pg.locator("table.aliases bdi[dir=rtl]")
    assert arabic.count() >= 1
    assert arabic.first.evaluate("e => getComputedStyle(e).direction") == "rtl"
    assert pg.locator("table.roles tbody tr").count() >= 1
    shot(pg, "actor-rawashdeh")
    pg.goto(site + "/actors?name=Jordan&kind=place")
    pg.locator("table.actors tbody tr a").first.click()
    svg = pg.locator("svg.network")
    assert svg.locator("line.edge-agreed").count() >= 1
    assert svg.locator("a.node").count() >= 2
    shot(pg, "actor-graph")


def test_arabic_document_reads_right_to_left(site: str, page: tuple[Any, Watch]) -> None:
    pg, _ = page
    pg.goto(site + "/documents?outlet=Levant+News+Agency")
    pg.locator("table.documents tbody tr a", has_text="اللجنة").click()
    para = pg.locator(".doc-text p").first
    assert para.get_attribute("dir") == "rtl"
    assert para.evaluate("e => getComputedStyle(e).direction") == "rtl"
    assert pg.locator(".doc-text a.hl-entity").count() >= 1
    shot(pg, "document-arabic")
    pg.goto(site + "/search?q=aquifer")
    assert pg.locator("ol.results li").count() >= 1
    assert pg.locator("ol.results mark").count() >= 1


def test_hostile_payloads_stay_inert(site: str, page: tuple[Any, Watch]) -> None:
    pg, watch = page
    docs = httpx.get(site + "/api/documents", params={"limit": 200}).json()["items"]
    hostile = next(d for d in docs if "__pwned" in (d["title"] or ""))
    events = httpx.get(site + "/api/events", params={"document": hostile["id"]}).json()
    haddad = httpx.get(site + "/api/actors", params={"name": "Haddad"}).json()["items"][0]
    urls = ["/", "/documents", "/events", "/actors", f"/documents/{hostile['id']}",
            f"/stories/{hostile['story']}", f"/actors/{haddad['id']}", "/search?q=Haddad",
            *(f"/events/{e['id']}" for e in events["items"])]
    for url in urls:
        pg.goto(site + url)
        pg.mouse.move(300, 300)
        for link in pg.locator("main b, main a").all()[:40]:
            link.hover(timeout=2000, force=True)
        assert pg.evaluate("() => window.__pwned") is None, url
        assert pg.evaluate("() => document.querySelectorAll('script').length") == 0, url
        assert pg.locator("main iframe, main img, main svg[onload], main b").count() == 0, url
        hrefs = pg.eval_on_selector_all("a", "els => els.map(e => e.getAttribute('href'))")
        assert not any(h and h.strip().lower().startswith("javascript:") for h in hrefs), url
    pg.goto(site + f"/documents/{hostile['id']}")
    text = pg.locator("main").inner_text()
    assert "<script>window.__pwned=1</script>" in text  # shown as text, not run
    assert "<svg onload=window.__pwned=3>Evil Wire</svg>" in text
    assert "{{7*7}}" in text
    shot(pg, "hostile-document")
    assert watch.dialogs == []
