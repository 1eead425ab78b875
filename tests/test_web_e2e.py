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


def test_review_in_place_with_undo(page: sync_api.Page, tmp_path: Path) -> None:
    """Accept, undo and reject in the cell panel: the page neither reloads nor moves, each
    action is confirmed beside its claim with an Undo, and a reload shows what was saved."""
    open_first_cell(page)
    page.screenshot(path=str(tmp_path / "compare.png"), full_page=False)
    at = page.url
    box = page.locator("#evidence .claim").first
    claim = box.get_attribute("id")
    assert claim and claim.startswith("claim-")
    here = page.locator(f"#evidence #{claim}")
    here.locator("button.accept").click()
    sync_api.expect(here.locator(".done-note")).to_contain_text("Accepted this claim")
    sync_api.expect(here.locator(".status")).to_have_text("accepted")
    here.locator(".done-note button", has_text="Undo").click()
    sync_api.expect(here.locator(".done-note")).to_contain_text("Restored this claim")
    sync_api.expect(here.locator(".status")).to_have_text("extracted")
    here.locator("button.reject").click()
    sync_api.expect(here.locator(".done-note")).to_contain_text("Rejected this claim")
    assert page.url == at
    page.goto(f"/claims/{claim.removeprefix('claim-')}")
    page.reload()
    sync_api.expect(page.locator("h1 .status")).to_have_text("rejected")
    sync_api.expect(page.locator("table.history")).to_contain_text("e2e reviewer")
    sync_api.expect(page.locator("table.history")).to_contain_text("restore")


def test_review_in_the_panel_refreshes_its_matrix_cell(page: sync_api.Page) -> None:
    """Accepting a claim in a cell's evidence gives the matrix's cell its new support
    (text and class) at once, without a reload; Undo puts the cell back as it was."""
    page.goto("/compare")
    link = page.locator("td.cell:not(.support-reviewed) a.cell-link").first
    key, before = link.get_attribute("data-cell"), link.inner_text()
    cell = page.locator(f'td.cell:has(a.cell-link[data-cell="{key}"])')
    link.click()
    sync_api.expect(page.locator("#evidence mark.ev").first).to_be_visible()
    at = page.url
    claim = page.locator("#evidence .claim", has=page.locator("button.accept")).first
    here = page.locator(f"#evidence #{claim.get_attribute('id')}")
    here.locator("button.accept").click()
    sync_api.expect(here.locator(".done-note")).to_contain_text("Accepted this claim")
    sync_api.expect(cell).to_have_class(re.compile(r"\bsupport-reviewed\b"))
    sync_api.expect(cell.locator("a.cell-link")).to_contain_text("reviewed")
    sync_api.expect(page.locator("#evidence #cell-summary")).to_contain_text("reviewed")
    here.locator(".done-note button", has_text="Undo").click()
    sync_api.expect(here.locator(".done-note")).to_contain_text("Restored this claim")
    sync_api.expect(cell.locator("a.cell-link")).to_have_text(before)
    sync_api.expect(cell).not_to_have_class(re.compile(r"\bsupport-reviewed\b"))
    assert page.url == at


def test_a_rejected_claim_stays_in_its_document_and_is_restored_there(
    page: sync_api.Page,
) -> None:
    page.goto("/documents/2")
    box = page.locator("aside .claim").first
    claim = box.get_attribute("id")
    here = page.locator(f"#{claim}")
    here.locator("button.reject").click()
    sync_api.expect(here).to_have_class(re.compile(r"\brejected\b"))
    here.locator("button.restore").click()
    sync_api.expect(here.locator(".done-note")).to_contain_text("Restored this claim")
    sync_api.expect(here).not_to_have_class(re.compile(r"\brejected\b"))


def test_edit_with_pickers_keeps_input_and_shows_errors_beside_fields(
    page: sync_api.Page,
) -> None:
    page.goto("/claims/3")
    page.select_option("#edit-actors", ["RUS", "USA"])
    page.select_option("#edit-stance", "reject")
    page.select_option("#edit-rel-1", "before")
    page.select_option("#edit-cond-1", "CF.GENERAL")
    page.fill("#edit-evidence", "words that are nowhere in the report")
    page.click("#edit-claim button[type=submit]")
    sync_api.expect(page.locator("#edit-e-evidence")).to_contain_text("not verbatim")
    sync_api.expect(page.locator("#edit-evidence")).to_have_value(
        "words that are nowhere in the report"
    )
    sync_api.expect(page.locator("#edit-cond-1")).to_have_value("CF.GENERAL")
    evidence = page.locator("#claim-3 mark.ev").inner_text()
    page.fill("#edit-evidence", evidence)
    page.click("#edit-claim button[type=submit]")
    sync_api.expect(page.locator("#claim-3 .done-note")).to_contain_text("Saved your changes")
    sync_api.expect(page.locator("h1 .status")).to_have_text("edited")
    page.reload()
    chosen = page.eval_on_selector(
        "#edit-actors", "s => Array.from(s.selectedOptions).map(o => o.value)"
    )
    assert chosen == ["RUS", "USA"]
    sync_api.expect(page.locator("#edit-rel-1")).to_have_value("before")
    sync_api.expect(page.locator("table.history")).to_contain_text("conditions")


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
    assert page.input_value("#add-evidence") == text[:12]


def test_browser_tests_leave_the_readme_screenshot_alone(
    readme_screenshot: tuple[int, bytes],
) -> None:
    """Last in this module: after every browser test, the tracked image is untouched."""
    assert (README_SCREENSHOT.stat().st_mtime_ns, README_SCREENSHOT.read_bytes()) == (
        readme_screenshot
    )
