"""Every page reachable from the home page, in Chromium at 1366x900 and on a 390x844 phone.

Each page is visited and must log no console error (nor an uncaught exception, nor a
failed request), and on the phone must not scroll sideways. axe-core (installed from the
npm registry into .venv/node by scripts/npm-deps; never fetched at test time) is injected
into each page and must find no critical or serious violation on the first pages of each
kind (every kind of page is checked; checking all 180 pages twice would take minutes).
Then: the timeline chart draws, the compare matrix keeps its headers in view and its open
cell in the URL, and /docs renders Swagger UI from the package.

The app runs on uvicorn on a free loopback port over a copy of the example store; nothing
is written outside temporary folders.
"""

from __future__ import annotations

import os
import re
from collections import deque
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

pytest.importorskip("fastapi")
pytest.importorskip("uvicorn")
sync_api = pytest.importorskip("playwright.sync_api")
from browser import launch, needs_chromium  # noqa: E402
from peacetrack.store import Store  # noqa: E402
from peacetrack.web import create_app  # noqa: E402
from web_support import TOKEN, filled_store, served  # noqa: E402

AXE = Path(__file__).resolve().parents[1] / ".venv" / "node" / "node_modules" / "axe-core"
AXE_JS = Path(os.environ.get("PEACETRACK_AXE_JS", AXE / "axe.min.js"))
DESKTOP = {"width": 1366, "height": 900}
PHONE = {"width": 390, "height": 844}
#: axe runs on this many pages of each kind (a path with its numbers as N).
AXE_PER_KIND = 2
#: Not pages of the app: assets, the JSON API, and a form that only posts.
SKIP = ("/static/", "/assets/", "/api/", "/openapi.json", "/logout")
#: Kinds of page whose links combine without end (the claims browser's facets, sorts and
#: pages lead to ever more filtered views): the crawl follows this many of each.
CAPPED = {"/claims": 12, "/audit": 4}
#: Swagger UI is a vendored third-party page: it must render without errors, but its own
#: accessibility is not ours to fix.
NO_AXE = ("/docs",)

pytestmark = [pytest.mark.slow, needs_chromium]


def axe_source() -> str:
    if AXE_JS.is_file():
        return AXE_JS.read_text(encoding="utf-8")
    reason = f"needs axe-core at {AXE_JS} (scripts/npm-deps installs it from the npm registry)"
    if os.environ.get("CI"):
        pytest.fail(reason)
    pytest.skip(reason)


@pytest.fixture(scope="module")
def base_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    db = filled_store(tmp_path_factory.mktemp("pages") / "examples.db")
    with Store.open(db) as store:
        # Some review history, so the audit log, a claim's history and a rejected claim
        # in its document are among the pages crawled.
        first, second, third = (s.id for s in store.claims(limit=3))
        store.review.accept(first, "ana")
        store.review.reject(second, "ben")
        store.review.edit(third, {"stance": "propose"}, "ana")
    with served(create_app(db, TOKEN)) as url:
        yield url


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with sync_api.sync_playwright() as playwright:
        chromium = launch(playwright)
        yield chromium
        chromium.close()


class Watched:
    """A page whose console errors, uncaught exceptions and failed requests are kept."""

    def __init__(self, browser: Any, base_url: str, viewport: dict[str, int], axe: str = ""):
        self.context = browser.new_context(viewport=viewport, base_url=base_url)
        if axe:
            # An init script runs through the DevTools protocol: the app's CSP, which
            # forbids inline scripts, does not apply to it.
            self.context.add_init_script(script=axe)
        self.page = self.context.new_page()
        self.page.set_default_timeout(15_000)
        self.errors: list[str] = []
        self.page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)
        self.page.on("pageerror", lambda e: self.errors.append(f"uncaught: {e}"))
        self.page.on("requestfailed", self._failed)
        self.page.on(
            "response",
            lambda r: self.errors.append(f"HTTP {r.status}: {r.url}") if r.status >= 400 else None,
        )

    def _failed(self, request: Any) -> None:
        # Leaving a page aborts what it was still loading (its icon, say): not an error.
        if "ERR_ABORTED" not in str(request.failure):
            self.errors.append(f"failed: {request.url} {request.failure}")

    def visit(self, path: str) -> list[str]:
        """Go to ``path``; the errors it logged while loading."""
        self.errors.clear()
        self.page.goto(path, wait_until="load")
        if "cell=" in path:  # the compare page opens the cell named in its URL
            self.page.locator("#evidence-body .cell-detail").wait_for()
        return list(self.errors)

    def close(self) -> None:
        self.context.close()


def links(page: Any, origin: str) -> list[str]:
    """The app's pages this page links to (path and query, no fragment)."""
    hrefs: list[str] = page.eval_on_selector_all("a[href]", "els => els.map(a => a.href)")
    found = []
    for href in hrefs:
        parts = urlsplit(href)
        if f"{parts.scheme}://{parts.netloc}" != origin or parts.path.startswith(SKIP):
            continue
        found.append(parts.path + (f"?{parts.query}" if parts.query else ""))
    return found


def kind(path: str) -> str:
    return re.sub(r"\d+", "N", path.split("?", 1)[0])


def overflow(page: Any) -> int:
    """How many CSS pixels the page is wider than the window (0: no sideways scrolling)."""
    width: int = page.evaluate(
        "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    return width


def serious_violations(page: Any) -> list[str]:
    found: list[dict[str, Any]] = page.evaluate(
        "async () => (await axe.run(document, {resultTypes: ['violations']})).violations"
    )
    return [
        f"{v['impact']} {v['id']}: {v['help']} ({len(v['nodes'])}x, e.g. {v['nodes'][0]['target']})"
        for v in found
        if v["impact"] in ("critical", "serious")
    ]


def crawl(browser: Any, base_url: str, viewport: dict[str, int], axe: str) -> dict[str, Any]:
    """Visit every page reachable from /, breadth first; what went wrong where."""
    watched = Watched(browser, base_url, viewport, axe)
    origin = base_url.rstrip("/")
    queue, seen = deque(["/"]), {"/"}
    axed: dict[str, int] = {}
    capped = dict(CAPPED)
    report: dict[str, Any] = {"pages": 0, "errors": {}, "overflow": {}, "axe": {}, "axed": 0}
    try:
        while queue:
            path = queue.popleft()
            errors = watched.visit(path)
            report["pages"] += 1
            if errors:
                report["errors"][path] = errors
            if viewport["width"] < 600 and (extra := overflow(watched.page)) > 0:
                report["overflow"][path] = extra
            if axe and not path.startswith(NO_AXE) and axed.get(kind(path), 0) < AXE_PER_KIND:
                axed[kind(path)] = axed.get(kind(path), 0) + 1
                report["axed"] += 1
                if violations := serious_violations(watched.page):
                    report["axe"][path] = violations
            for link in links(watched.page, origin):
                if link not in seen and capped.get(kind(link), 1) > 0:
                    seen.add(link)
                    queue.append(link)
                    if kind(link) in capped:
                        capped[kind(link)] -= 1
    finally:
        watched.close()
    report["kinds"] = sorted(axed)
    return report


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["1366px", "390px"])
def test_every_page_from_home(browser: Any, base_url: str, viewport: dict[str, int]) -> None:
    report = crawl(browser, base_url, viewport, axe_source())
    print(
        f"{viewport['width']}px: {report['pages']} pages, axe on {report['axed']} "
        f"({', '.join(report['kinds'])})"
    )
    # Every kind of page the home page leads to was reached.
    assert {"/", "/compare", "/compare/cell", "/timeline", "/diff", "/documents"} <= set(
        report["kinds"]
    )
    assert {"/documents/N", "/claims", "/claims/N", "/reports/new"} <= set(report["kinds"])
    assert {"/audit", "/actors/RUS", "/proposals/N"} <= set(report["kinds"])
    assert report["errors"] == {}
    assert report["overflow"] == {}
    assert report["axe"] == {}


def test_the_timeline_chart_draws(browser: Any, base_url: str) -> None:
    for viewport in (DESKTOP, PHONE):
        watched = Watched(browser, base_url, viewport)
        try:
            assert watched.visit("/timeline") == []
            page = watched.page
            sync_api.expect(page.locator("#chart .main-svg").first).to_be_visible()
            assert page.locator("#chart .scatterlayer .point").count() > 0
            box = page.locator("#chart").bounding_box()
            assert box is not None and 0 < box["width"] <= viewport["width"]
            scripts = page.eval_on_selector_all("script[src]", "els => els.map(s => s.src)")
            assert [s for s in scripts if "plotly" in s] == [
                f"{base_url.rstrip('/')}/assets/plotly-basic.min.js"
            ]
        finally:
            watched.close()
    # Pages without a chart load no chart library.
    watched = Watched(browser, base_url, DESKTOP)
    try:
        for path in ("/", "/compare", "/documents", "/timeline?actor=NOBODY"):
            watched.visit(path)
            assert "plotly" not in watched.page.content().lower(), path
    finally:
        watched.close()


def test_compare_on_a_phone(browser: Any, base_url: str) -> None:
    """The matrix fills the phone's width and scrolls inside its box under sticky headers;
    the evidence opens over it, with its cell in the URL, and survives a reload."""
    watched = Watched(browser, base_url, PHONE)
    page = watched.page
    try:
        assert watched.visit("/compare") == []
        wrap = page.locator(".matrix-wrap")
        box = wrap.bounding_box()
        assert box is not None and box["width"] > 300
        assert not page.locator("#evidence").is_visible()
        assert not page.locator("#filters").is_visible()  # filters fold away on a phone
        page.locator("#filters-box summary").click()
        sync_api.expect(page.locator("#filters")).to_be_visible()

        corner = page.locator("table.matrix thead th").nth(1)
        row_head = page.locator("table.matrix tbody th").first
        top, left = corner.bounding_box(), row_head.bounding_box()
        wrap.evaluate("el => { el.scrollTop = 400; el.scrollLeft = 600; }")
        assert corner.bounding_box()["y"] == pytest.approx(top["y"], abs=1)  # type: ignore[index]
        assert row_head.bounding_box()["x"] == pytest.approx(left["x"], abs=1)  # type: ignore[index]
        wrap.evaluate("el => { el.scrollTop = 0; el.scrollLeft = 0; }")

        link = page.locator("a.cell-link").first
        key = link.get_attribute("data-cell")
        assert key
        link.click()
        sync_api.expect(page.locator("#evidence mark.ev").first).to_be_visible()
        assert f"cell={key.split('|')[0]}" in page.url
        heading = page.locator("#evidence h2").inner_text()
        assert overflow(page) == 0

        page.reload()
        sync_api.expect(page.locator("#evidence mark.ev").first).to_be_visible()
        assert page.locator("#evidence h2").inner_text() == heading
        page.locator("#evidence-close").click()
        sync_api.expect(page.locator("#evidence")).to_be_hidden()
        assert "cell=" not in page.url
        page.go_back()
        sync_api.expect(page.locator("#evidence h2")).to_have_text(heading)
        assert watched.errors == []
    finally:
        watched.close()


def test_compare_on_a_wide_screen(browser: Any, base_url: str) -> None:
    """Without an open cell the matrix has the whole width; the panel opens beside it."""
    watched = Watched(browser, base_url, DESKTOP)
    page = watched.page
    try:
        watched.visit("/compare")
        box = page.locator(".matrix-wrap").bounding_box()
        assert box is not None and box["width"] > DESKTOP["width"] - 100
        sync_api.expect(page.locator("#filters")).to_be_visible()  # open on a wide screen
        page.locator("a.cell-link").first.click()
        sync_api.expect(page.locator("#evidence mark.ev").first).to_be_visible()
        panel = page.locator("#evidence").bounding_box()
        matrix = page.locator(".matrix-wrap").bounding_box()
        assert panel is not None and matrix is not None
        assert panel["x"] >= matrix["x"] + matrix["width"]  # beside, not over it
        assert watched.errors == []
    finally:
        watched.close()


def test_login_link_is_readable_on_a_phone(browser: Any, base_url: str) -> None:
    watched = Watched(browser, base_url, PHONE)
    try:
        watched.visit("/")
        link = watched.page.locator("header .who a")
        sync_api.expect(link).to_be_visible()
        colours = link.evaluate(
            """el => {
                let bg = "rgba(0, 0, 0, 0)";
                for (let n = el; n && bg === "rgba(0, 0, 0, 0)"; n = n.parentElement)
                    bg = getComputedStyle(n).backgroundColor;
                return [getComputedStyle(el).color, bg];
            }"""
        )
        assert colours[0] != colours[1]
        box = link.bounding_box()
        header = watched.page.locator("header.top").bounding_box()
        assert box is not None and header is not None
        assert header["y"] <= box["y"]
        assert box["y"] + box["height"] <= header["y"] + header["height"]
    finally:
        watched.close()


def test_api_docs_render_from_the_package(browser: Any, base_url: str) -> None:
    watched = Watched(browser, base_url, DESKTOP)
    requested: list[str] = []
    watched.page.on("request", lambda r: requested.append(r.url))
    try:
        watched.visit("/docs")
        sync_api.expect(watched.page.locator(".swagger-ui .info .title")).to_contain_text(
            "PeaceTrack"
        )
        assert watched.page.locator(".opblock").count() > 5
        assert watched.errors == []
        origin = base_url.rstrip("/")
        assert all(url.startswith((origin, "data:")) for url in requested), requested
        watched.visit("/redoc")
        assert watched.page.url.endswith("/docs")
    finally:
        watched.close()


def test_document_text_uses_the_phone_width(browser: Any, base_url: str) -> None:
    """A document's text, then its claims, each as wide as the phone (not 30 px beside a
    28rem column)."""
    watched = Watched(browser, base_url, PHONE)
    try:
        assert watched.visit("/documents/1") == []
        text = watched.page.locator("#doctext").bounding_box()
        claims = watched.page.locator(".doc-layout aside").bounding_box()
        assert text is not None and claims is not None
        assert text["width"] > PHONE["width"] - 60
        assert claims["y"] >= text["y"] + text["height"]  # below the text, not beside it
        assert overflow(watched.page) == 0
    finally:
        watched.close()


def test_claims_browser_on_a_phone(browser: Any, base_url: str) -> None:
    """Facets filter, headers sort, pages turn, all in the URL; a typo is an error beside
    its field with the input kept; nothing scrolls sideways on a phone."""
    watched = Watched(browser, base_url, PHONE)
    page = watched.page
    try:
        assert watched.visit("/claims?per_page=5") == []
        assert overflow(page) == 0
        assert page.locator("table.claims tbody tr").count() == 5
        stance = page.locator(".facets section").filter(has_text="stance").locator("a").first
        value = stance.inner_text()
        stance.click()
        page.wait_for_url(re.compile(f"stance={value}"))
        badges = page.locator("table.claims tbody .badge").all_inner_texts()
        assert badges and set(badges) == {value}
        page.locator("table.claims thead a", has_text="issue").click()
        page.wait_for_url(re.compile("sort=issue"))
        assert "per_page=5" in page.url and f"stance={value}" in page.url
        assert overflow(page) == 0
        assert watched.errors == []

        page.fill("#f-stance", "demnd")
        page.locator("#claims-filters button[type=submit]").click()
        sync_api.expect(page.locator("#e-stance")).to_contain_text("Did you mean demand")
        sync_api.expect(page.locator("#f-stance")).to_have_value("demnd")
        assert overflow(page) == 0
    finally:
        watched.close()


def _log_in(watched: Watched) -> None:
    page = watched.page
    page.goto("/login")
    page.fill("input[name=token]", TOKEN)
    page.fill("input[name=reviewer]", "crawler")
    page.click("#login button[type=submit]")
    page.wait_for_url(re.compile(r"/$"))


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["1366px", "390px"])
def test_review_pages_for_an_editor(browser: Any, base_url: str, viewport: dict[str, int]) -> None:
    """What only a logged-in reviewer sees: the edit form's pickers, the add form, review
    buttons in a document and in a cell, and the confirmation with its Undo after an
    action taken in place: no console error, no sideways scrolling, no serious axe finding."""
    watched = Watched(browser, base_url, viewport, axe_source())
    page = watched.page
    problems: dict[str, Any] = {}
    try:
        _log_in(watched)
        watched.visit("/documents/2")
        claim = page.locator("aside .claim").first.get_attribute("id")
        assert claim
        pages = [f"/claims/{claim.removeprefix('claim-')}", "/documents/2", "/audit"]
        watched.visit("/compare")  # and its first cell, opened by its URL
        key = page.locator("a.cell-link").first.get_attribute("data-cell")
        pages.append(f"/compare?cell={key}")
        for path in pages:
            errors = watched.visit(path)
            found = {
                "errors": errors,
                "overflow": overflow(page) if viewport["width"] < 600 else 0,
                "axe": serious_violations(page),
            }
            if any(found.values()):
                problems[path] = found
        watched.visit("/documents/2")
        here = page.locator(f"#{claim}")
        here.locator("button.reject").click()
        sync_api.expect(here.locator(".done-note")).to_be_visible()
        found = {"errors": list(watched.errors), "axe": serious_violations(page)}
        if viewport["width"] < 600:
            found["overflow"] = overflow(page)
        if any(found.values()):
            problems["after reject"] = found
        here.locator(".done-note button").click()
        sync_api.expect(here.locator(".done-note")).to_contain_text("Restored")
    finally:
        watched.close()
    assert problems == {}


def _edit_in_place(watched: Watched, box: str, done: str, axe: bool) -> dict[str, Any]:
    """Edit the first claim in ``box`` (a selector of claims' boxes) in place: open its
    form, send a mistake, correct it, undo. The page must not reload or move on; what the
    form shows and what went wrong is returned (problems by step)."""
    page = watched.page
    problems: dict[str, Any] = {}
    at = page.url
    page.evaluate("() => { window.stayed = true; }")  # gone if the page reloads
    claim = page.locator(box, has=page.locator("a[data-edit]")).first
    claim_id = claim.locator("a[data-edit]").get_attribute("data-edit")
    claim.locator("a[data-edit]").click()
    form = page.locator(f"#edit-claim-{claim_id}")
    sync_api.expect(form.locator(f"#edit-{claim_id}-actors")).to_be_visible()
    _check(watched, "form open", problems, axe)
    stance = page.locator(f"#edit-{claim_id}-stance")
    before = stance.input_value()
    evidence = page.locator(f"#edit-{claim_id}-evidence")
    words = evidence.input_value()
    stance.select_option("reject" if before != "reject" else "demand")
    evidence.fill("words that are nowhere in the report")
    form.locator("button[type=submit]").click()
    sync_api.expect(page.locator(f"#edit-{claim_id}-e-evidence")).to_contain_text("not verbatim")
    sync_api.expect(evidence).to_have_value("words that are nowhere in the report")
    sync_api.expect(evidence).to_be_focused()
    _check(watched, "errors shown", problems, axe)
    evidence.fill(words)
    form.locator("button[type=submit]").click()
    note = page.locator(done).locator(".done-note")
    sync_api.expect(note).to_contain_text("Saved your changes")
    sync_api.expect(form).to_have_count(0)
    after = "reject" if before != "reject" else "demand"
    sync_api.expect(page.locator(f"#claim-{claim_id} .badge").first).to_have_text(after)
    _check(watched, "saved", problems, axe)
    note.locator("button", has_text="Undo").click()
    sync_api.expect(page.locator(done).locator(".done-note")).to_contain_text("Restored")
    shown = before.replace("_", " ")
    sync_api.expect(page.locator(f"#claim-{claim_id} .badge").first).to_have_text(shown)
    _check(watched, "undone", problems, axe)
    assert page.url == at and page.evaluate("() => window.stayed === true")
    return problems


def _check(watched: Watched, step: str, problems: dict[str, Any], axe: bool) -> None:
    """Console errors, sideways scrolling on a phone and serious axe findings so far."""
    page = watched.page
    found = {
        "errors": list(watched.errors),
        "overflow": overflow(page) if page.viewport_size["width"] < 600 else 0,
        "axe": serious_violations(page) if axe else [],
    }
    watched.errors.clear()
    if any(found.values()):
        problems[step] = found


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["1366px", "390px"])
def test_edit_in_place_with_undo(browser: Any, base_url: str, viewport: dict[str, int]) -> None:
    """Edit in a cell's evidence, in a document and in the claims browser opens the form
    under the claim, keeps what was typed beside the error, saves without leaving the
    page, confirms it beside the claim with an Undo, and Undo puts the claim back."""
    watched = Watched(browser, base_url, viewport, axe_source())
    page = watched.page
    problems: dict[str, Any] = {}
    try:
        _log_in(watched)
        watched.visit("/compare")
        key = page.locator("a.cell-link").first.get_attribute("data-cell")
        watched.visit(f"/compare?cell={key}")
        problems["cell"] = _edit_in_place(watched, "#evidence .claim", "#evidence", True)
        watched.visit("/documents/2")
        problems["document"] = _edit_in_place(watched, "aside .claim", "aside", True)
        watched.visit("/claims")
        problems["claims"] = _edit_in_place(watched, "tr[id^=claim-]", "#claims-done", True)
    finally:
        watched.close()
    assert problems == {"cell": {}, "document": {}, "claims": {}}


def test_edit_without_scripts_opens_the_form_alone(browser: Any, base_url: str) -> None:
    """Without JavaScript, Edit beside a claim is a link to its form alone, which saves and
    comes back to the page it was opened from, at the claim, with the confirmation."""
    context = browser.new_context(viewport=PHONE, base_url=base_url, java_script_enabled=False)
    page = context.new_page()
    try:
        page.goto("/login")
        page.fill("input[name=token]", TOKEN)
        page.fill("input[name=reviewer]", "no scripts")
        page.click("#login button[type=submit]")
        page.goto("/documents/2")
        link = page.locator("aside .claim a[data-edit]").first
        claim_id = link.get_attribute("data-edit")
        link.click()
        page.wait_for_url(re.compile(rf"/claims/{claim_id}/edit\?next=/documents/2$"))
        page.locator(f"#edit-claim-{claim_id} button[type=submit]").click()
        page.wait_for_url(re.compile(rf"/documents/2\?done=\d+#claim-{claim_id}$"))
        note = page.locator(f"#claim-{claim_id} .done-note")
        sync_api.expect(note).to_contain_text("Saved your changes to this claim")
        assert overflow(page) == 0
    finally:
        context.close()
