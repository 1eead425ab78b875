"""The HTML report: one offline file, every cell linked to its quotes, all text escaped."""

from __future__ import annotations

from datetime import date
from html.parser import HTMLParser
from pathlib import Path

import pytest

from browser import launch, needs_chromium
from peacetrack.compare import compare, write_report
from peacetrack.compare.render import cell_anchor
from peacetrack.model import Attribution, Claim, Document, Stance
from peacetrack.store import Store
from test_compare import istanbul_round, stored

EVIL = '</blockquote><script>alert("x")</script>'


class _Assets(HTMLParser):
    """Collects what a browser would fetch (script src, stylesheet links, images) and ids."""

    def __init__(self) -> None:
        super().__init__()
        self.fetched: list[str] = []
        self.ids: set[str] = set()
        self.links: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if values.get("id"):
            self.ids.add(str(values["id"]))
        if tag in ("script", "img", "iframe") and values.get("src"):
            self.fetched.append(str(values["src"]))
        if tag == "link" and values.get("href"):
            self.fetched.append(str(values["href"]))
        if tag == "a" and values.get("href"):
            self.links.append(str(values["href"]))


def _claims() -> list:  # type: ignore[type-arg]
    return [
        *istanbul_round(),
        stored("UKR", "reject", "CF.GENERAL", doc=2, published=date(2025, 1, 10)),
        stored(
            "UKR",
            "accept",
            "CF.GENERAL",
            doc=3,
            published=date(2025, 3, 11),
            evidence=f"Kyiv agreed to the truce {EVIL} officials said.",
        ),
    ]


@pytest.fixture
def report(tmp_path: Path) -> str:
    path = write_report(_claims(), tmp_path / "report.html", title="Talks <2025>")
    assert path == tmp_path / "report.html"
    assert [p.name for p in tmp_path.iterdir()] == ["report.html"]
    return path.read_text(encoding="utf-8")


def test_report_is_self_contained(report: str) -> None:
    parser = _Assets()
    parser.feed(report)
    assert parser.fetched == []  # plotly.js and CSS are inline
    assert "Plotly.newPlot" in report
    assert 'src="http' not in report.split("<script", 1)[0]


def test_report_escapes_document_text(report: str) -> None:
    assert '<script>alert("x")' not in report
    assert "&lt;script&gt;alert(" in report
    assert "<title>Talks &lt;2025&gt;</title>" in report


def test_every_cell_links_to_its_evidence(report: str) -> None:
    parser = _Assets()
    parser.feed(report)
    anchors = {link[1:] for link in parser.links if link.startswith("#cell-")}
    assert anchors and anchors <= parser.ids
    assert cell_anchor("TER.WITHDRAW", "RUS") in anchors
    assert "https://news.example.org/1" in parser.links  # source articles are linked


def test_report_from_a_store(fresh_db: Store, tmp_path: Path) -> None:
    text = "Kyiv said on Monday it would accept a full truce if Moscow did the same."
    doc = Document(name="truce.txt", text=text, url="javascript:alert(1)", published=date.today())
    added = fresh_db.add_document(doc)
    claim = Claim(
        actors=["UKR"],
        stance=Stance.OFFER,
        issue="CF.GENERAL",
        attribution=Attribution(source="a presidential adviser", anonymous=True),
        evidence="it would accept a full truce if Moscow did the same",
    )
    fresh_db.save_extraction(added.document_id, "test", [claim])
    html = write_report(fresh_db, tmp_path / "r.html").read_text(encoding="utf-8")
    assert "credited to a presidential adviser (anonymous)" in html
    parser = _Assets()
    parser.feed(html)
    assert "truce.txt" in html
    assert not [link for link in parser.links if not link.startswith(("#", "http"))]


def test_report_has_diff_timeline_and_print_css(report: str) -> None:
    assert 'id="diff"' in report and "only in Russian demands, Istanbul" in report
    assert "CF.GENERAL · " in report  # a timeline figure for the issue that moved
    assert "@media print" in report


def test_report_carries_the_basic_bundle_not_the_full_plotly(report: str) -> None:
    assert "plotly.js (basic" in report[:200_000]
    assert len(report.encode()) < 1_600_000  # the full plotly.js alone is 4.8 MB
    # One chart per timeline and no other: the matrix is the table, in words and colours.
    charts = report.count('class="plotly-graph-div"')
    assert charts == report.count('<div class="figure"><h4>') >= 1


@pytest.mark.slow
@needs_chromium
def test_report_renders_offline_in_headless_chromium(tmp_path: Path) -> None:
    sync_api = pytest.importorskip("playwright.sync_api", reason="needs playwright")
    path = write_report(_claims(), tmp_path / "report.html")
    m = compare(_claims())
    requested: list[str] = []
    with sync_api.sync_playwright() as pw:
        browser = launch(pw)
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            page.on("request", lambda r: requested.append(r.url))
            page.goto(path.as_uri())
            page.wait_for_selector(".js-plotly-plot .main-svg", timeout=15_000)
            plots = page.locator(".js-plotly-plot").count()
            # Each dot says its stance in words, for paper, where nothing can be hovered.
            labels = page.eval_on_selector_all(
                ".js-plotly-plot .textpoint", "els => els.map(e => e.textContent)"
            )
            page.screenshot(path=str(tmp_path / "report.png"), full_page=True)
            page.evaluate("location.hash = ''")
            page.locator("table a[href='#" + cell_anchor("TER.WITHDRAW", "RUS") + "']").click()
            jumped = page.evaluate("location.hash")
            page.emulate_media(media="print")
            page.pdf(path=str(tmp_path / "report.pdf"))
        finally:
            browser.close()
    assert plots >= 1
    assert {"reject", "accept"} <= set(labels)
    assert m.cell("TER.WITHDRAW", "RUS") is not None
    assert jumped == "#" + cell_anchor("TER.WITHDRAW", "RUS")  # a cell click opens its evidence
    assert [url for url in requested if not url.startswith(("file:", "data:"))] == []
    assert (tmp_path / "report.png").stat().st_size > 10_000
    assert (tmp_path / "report.pdf").stat().st_size > 10_000
