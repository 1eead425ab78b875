"""Take the README's screenshots (``scripts/screenshots`` runs this after setting up).

The app runs on the example reports in a temporary store, the way the browser tests run
it, and each page is taken as those tests open it (``tests/browser.py``), so a screenshot
shows what the tests check. The store's claims are the default extractor's, as in the
store a user's ``peacetrack demo`` fills, not the ``rules.v1`` ones the tests read.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from playwright.sync_api import sync_playwright  # noqa: E402

from browser import CHROMIUM, launch, logged_in_page, open_first_cell  # noqa: E402
from peacetrack.extract.base import DEFAULT_EXTRACTOR  # noqa: E402
from peacetrack.web import create_app  # noqa: E402
from web_support import TOKEN, filled_store, served  # noqa: E402

COMPARE = ROOT / "docs" / "img" / "compare.png"
COMPARE_PHONE = ROOT / "docs" / "img" / "compare-phone.png"
#: The phone the browser tests use (tests/test_web_pages.py).
PHONE = {"width": 390, "height": 844}


def main() -> None:
    if not CHROMIUM.exists():
        sys.exit(f"needs {CHROMIUM}: install it with scripts/system-deps (as root)")
    with tempfile.TemporaryDirectory(prefix="peacetrack-screenshots-") as tmp:
        store = filled_store(Path(tmp) / "examples.db", extractor=DEFAULT_EXTRACTOR)
        with served(create_app(store, TOKEN)) as url, sync_playwright() as playwright:
            browser = launch(playwright)
            page = logged_in_page(browser, url, TOKEN, "reviewer")
            open_first_cell(page)
            COMPARE.parent.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(COMPARE), full_page=False)
            page.set_viewport_size(PHONE)
            page.goto("/compare")  # the matrix, its headers sticky, its filters folded
            page.screenshot(path=str(COMPARE_PHONE), full_page=False)
            browser.close()
    for image in (COMPARE, COMPARE_PHONE):
        print(f"wrote {image.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
