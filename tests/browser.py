"""Debian's Chromium, headless, for the browser tests: one place for its path and flags.

Playwright never downloads a browser here: it drives /usr/bin/chromium, which the test
set-up installs (scripts/system-deps). Without background networking, component updates
and first-run tasks, Chromium makes no connection of its own on this closed network.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]
needs_chromium = pytest.mark.skipif(
    not CHROMIUM.exists(), reason="needs /usr/bin/chromium (apt-get install chromium)"
)


def launch(playwright: Any) -> Any:
    """A headless Chromium browser from a running ``sync_playwright()``."""
    return playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)


def logged_in_page(browser: Any, base_url: str, token: str, reviewer: str) -> Any:
    """A page of the app at ``base_url``, logged in as ``reviewer`` with ``token``, in the
    viewport the README's screenshots use."""
    import re

    context = browser.new_context(viewport={"width": 1500, "height": 950}, base_url=base_url)
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.goto("/login")
    page.fill("input[name=token]", token)
    page.fill("input[name=reviewer]", reviewer)
    page.click("#login button[type=submit]")
    page.wait_for_url(re.compile(r"/$"))
    return page


def open_first_cell(page: Any) -> None:
    """The compare page with its first cell's evidence open: the README's screenshot."""
    from playwright.sync_api import expect

    page.goto("/compare")
    page.locator("a.cell-link").first.click()
    evidence = page.locator("#evidence mark.ev").first
    expect(evidence).to_be_visible()
    assert evidence.inner_text().strip()
