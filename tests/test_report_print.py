"""The HTML report in print: its charts and its wide matrix fit an A4 landscape page, and
its colours (the stances) are printed."""

from __future__ import annotations

from pathlib import Path

import pytest

from browser import launch, needs_chromium
from peacetrack.compare import write_report
from test_report import _claims

#: An A4 landscape page less the report's 12 mm margins, in CSS pixels (96 per inch).
PRINTED_WIDTH = round((297 - 24) / 25.4 * 96)


def test_report_has_print_rules(tmp_path: Path) -> None:
    html = write_report(_claims(), tmp_path / "report.html").read_text(encoding="utf-8")
    assert "@page { size: A4 landscape" in html
    assert "print-color-adjust: exact" in html
    assert 'addEventListener("beforeprint"' in html


@pytest.mark.slow
@needs_chromium
def test_report_fits_the_printed_page(tmp_path: Path) -> None:
    sync_api = pytest.importorskip("playwright.sync_api", reason="needs playwright")
    path = write_report(_claims(), tmp_path / "report.html")
    with sync_api.sync_playwright() as pw:
        browser = launch(pw)
        try:
            page = browser.new_page(viewport={"width": 1600, "height": 900})
            page.goto(path.as_uri())
            page.wait_for_selector(".js-plotly-plot .main-svg", timeout=15_000)
            wide = page.eval_on_selector_all(
                ".js-plotly-plot", "els => els.map(e => e.getBoundingClientRect().width)"
            )
            assert max(wide) > PRINTED_WIDTH  # drawn for the screen, wider than paper
            page.emulate_media(media="print")
            page.set_viewport_size({"width": PRINTED_WIDTH, "height": 700})
            page.evaluate("window.dispatchEvent(new Event('beforeprint'))")
            page.wait_for_timeout(500)
            widths = page.eval_on_selector_all(
                ".js-plotly-plot .main-svg",
                "els => els.map(e => e.getBoundingClientRect().right)",
            )
            overflow = page.evaluate(
                "document.documentElement.scrollWidth - document.documentElement.clientWidth"
            )
            adjust = page.eval_on_selector(".legend i", "e => getComputedStyle(e).printColorAdjust")
            page.pdf(path=str(tmp_path / "report.pdf"), landscape=True, format="A4")
        finally:
            browser.close()
    assert widths and max(widths) <= PRINTED_WIDTH
    assert overflow == 0  # the matrix fits the page's width
    assert adjust == "exact"
    assert (tmp_path / "report.pdf").stat().st_size > 10_000
