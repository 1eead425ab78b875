"""The real app in headless Chromium: compare, click a cell, review, add a report.

Runs uvicorn on a free localhost port in a background thread and drives the system's
Chromium through Playwright (never a downloaded browser). Screenshots go to a temporary
folder: tests never write into the repository (``scripts/screenshots`` retakes the
README's).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest

pytest.importorskip("fastapi")
pytest.importorskip("uvicorn")
sync_api = pytest.importorskip("playwright.sync_api")
from browser import launch, logged_in_page, needs_chromium, open_first_cell  # noqa: E402
from peacetrack.web import create_app  # noqa: E402
from web_support import TOKEN, filled_store, served  # noqa: E402

README_SCREENSHOT = Path(__file__).resolve().parents[1] / "docs" / "img" / "compare.png"
PASTED = (
    "Lakeside talks end without a deal\n\n"
    "Moscow demanded that Kyiv withdraw its troops from Donetsk before any ceasefire, "
    "a senior official said. Kyiv proposed an immediate ceasefire along the front line."
)

pytestmark = [
    pytest.mark.slow,
    needs_chromium,
]


@pytest.fixture(scope="module")
def base_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    db = filled_store(tmp_path_factory.mktemp("e2e") / "examples.db")
    with served(create_app(db, TOKEN)) as url:
        yield url


@pytest.fixture(scope="module")
def page(base_url: str) -> Iterator[sync_api.Page]:
    with sync_api.sync_playwright() as playwright:
        browser = launch(playwright)
        yield logged_in_page(browser, base_url, TOKEN, "e2e reviewer")
        browser.close()


@pytest.fixture(scope="module", autouse=True)
def readme_screenshot() -> tuple[int, bytes]:
    """The README's screenshot as it was before this module's tests ran."""
    return README_SCREENSHOT.stat().st_mtime_ns, README_SCREENSHOT.read_bytes()


def test_compare_review_and_reload(page: sync_api.Page, tmp_path: Path) -> None:
    open_first_cell(page)
    page.screenshot(path=str(tmp_path / "compare.png"), full_page=False)

    accept = page.locator("#evidence button.accept").first
    accepted = accept.get_attribute("data-claim")
    accept.click()
    page.wait_for_url(re.compile(r"/compare"))

    page.locator("a.cell-link").nth(1).click()
    page.locator("#evidence .claim-meta a", has_text="review").first.click()
    page.wait_for_url(re.compile(r"/claims/\d+$"))
    edited = page.url.rsplit("/", 1)[1]
    assert edited != accepted
    page.fill("#edit-claim input[name=actors]", "RUS, USA")
    page.select_option("#edit-claim select[name=stance]", "reject")
    page.click("#edit-claim button[type=submit]")

    page.goto(f"/claims/{accepted}")
    page.reload()
    sync_api.expect(page.locator("h1 .status")).to_have_text("accepted")
    sync_api.expect(page.locator("table.history")).to_contain_text("e2e reviewer")
    page.goto(f"/claims/{edited}")
    page.reload()
    sync_api.expect(page.locator("h1 .status")).to_have_text("edited")
    sync_api.expect(page.locator("#edit-claim input[name=actors]")).to_have_value("RUS, USA")


def test_paste_a_report_and_see_its_claims(page: sync_api.Page) -> None:
    page.goto("/reports/new")
    page.fill("#add-report textarea[name=text]", PASTED)
    page.fill("#add-report input[name=outlet]", "Lakeside Wire")
    page.click("#add-report button[type=submit]")
    page.wait_for_url(re.compile(r"/jobs/\d+$"))  # extraction runs as a job; its page follows it
    # The first job starts the extraction worker, which loads spaCy: seconds on a busy machine.
    sync_api.expect(page.locator(".result")).to_contain_text("added 1", timeout=90_000)
    sync_api.expect(page.locator(".result tr.fate-stored")).to_contain_text("the pasted text")
    sync_api.expect(page.locator(".result .claim").first).to_be_visible()
    page.locator(".result h3 a").first.click()
    sync_api.expect(page.locator("#doctext mark.ev").first).to_be_visible()


def test_selecting_text_fills_the_new_claim_offsets(page: sync_api.Page) -> None:
    page.goto("/documents/1")
    text = page.locator("#doctext").inner_text()
    page.evaluate(
        """() => {
            const root = document.getElementById("doctext");
            const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
            const node = walker.nextNode();
            const range = document.createRange();
            range.setStart(node, 0);
            range.setEnd(node, 12);
            const sel = window.getSelection();
            sel.removeAllRanges();
            sel.addRange(range);
            document.dispatchEvent(new MouseEvent("mouseup"));
        }"""
    )
    assert page.input_value("#sel-start") == "0"
    assert page.input_value("#sel-end") == "12"
    assert page.input_value("#sel-text") == text[:12]


def test_browser_tests_leave_the_readme_screenshot_alone(
    readme_screenshot: tuple[int, bytes],
) -> None:
    """Last in this module: after every browser test, the tracked image is untouched."""
    assert (README_SCREENSHOT.stat().st_mtime_ns, README_SCREENSHOT.read_bytes()) == (
        readme_screenshot
    )
