"""The built site in a real browser: headless Chromium, every page, no network but localhost.

`make test` builds the site first; this serves ``_build/html`` on a free local port and
loads each page with every non-local request blocked, as for a reader with no connection.
It checks console errors, failed requests, images, launch buttons, typeset math, search
and the explorers' sliders, and saves screenshots to ``_build/screenshots``.
"""

from __future__ import annotations

import functools
import http.server
import os
import pathlib
import shutil
import threading
from urllib.parse import urlparse

import pytest
import yaml

from tools.chapter_times import launch_links

ROOT = pathlib.Path(__file__).resolve().parent.parent
SITE = ROOT / "_build" / "html"
SCREENSHOTS = ROOT / "_build" / "screenshots"
TOC = yaml.safe_load((ROOT / "_toc.yml").read_text())
PAGES = [TOC["root"]] + [c["file"] for part in TOC["parts"] for c in part["chapters"]]
CHAPTERS = [p for p in PAGES if pathlib.Path(p).name[:2].isdigit()]
BROWSER_CANDIDATES = ("chromium", "chromium-browser", "google-chrome")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync"]


def browser_path():
    """The Chromium to drive: $AE_LIB_BROWSER, else the first one on PATH."""
    if os.environ.get("AE_LIB_BROWSER"):
        return os.environ["AE_LIB_BROWSER"]
    for name in BROWSER_CANDIDATES:
        if shutil.which(name):
            return shutil.which(name)
    pytest.fail("No Chromium found for the browser test. Install it (Debian: apt-get install "
                "chromium; .ci/run does) or set AE_LIB_BROWSER to a Chrome/Chromium binary.")


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def server():
    if not (SITE / "index.html").is_file():
        pytest.fail("The site is not built: run `make book` (make test builds it first).")
    handler = functools.partial(_QuietHandler, directory=str(SITE))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=browser_path(), headless=True,
                                             args=CHROMIUM_ARGS)
        yield browser
        browser.close()


class PageVisit:
    """One page loaded with non-local requests blocked, and what happened on the way."""

    def __init__(self, browser, server, path):
        self.server = server
        self.blocked, self.failed, self.errors = [], [], []
        self.context = browser.new_context(viewport={"width": 1280, "height": 900})
        self.context.route("**/*", self._only_local)
        self.page = self.context.new_page()
        self.page.on("console", lambda m: m.type == "error" and self.errors.append(m.text))
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.page.on("requestfailed", lambda r: self.failed.append(r.url))
        self.page.on("response",
                     lambda r: r.status >= 400 and self.failed.append(f"{r.status} {r.url}"))
        self.page.goto(f"{server}/{path}", wait_until="load")
        self.wait_for_mathjax()

    def _only_local(self, route):
        url = route.request.url
        if url.startswith(self.server) or url.startswith("data:"):
            route.continue_()
        else:
            self.blocked.append(url)
            route.abort()

    def wait_for_mathjax(self):
        self.page.wait_for_function(
            "() => !document.querySelector('.math') || "
            "(window.MathJax && MathJax.startup && MathJax.startup.promise)", timeout=20_000)
        self.page.evaluate(
            "() => window.MathJax && MathJax.startup ? MathJax.startup.promise : null")

    def close(self):
        self.context.close()


@pytest.fixture
def visit(browser, server):
    visits = []

    def _visit(path):
        visits.append(PageVisit(browser, server, path))
        return visits[-1]

    yield _visit
    for v in visits:
        v.close()


@pytest.mark.parametrize("page", PAGES)
def test_page_loads_offline_without_errors_and_with_real_images_and_math(visit, page):
    v = visit(f"{page}.html")
    assert v.page.title(), "the page has a title"
    assert not v.errors, f"console errors on {page}: {v.errors}"
    assert not v.failed, f"failed requests for the site's own files on {page}: {v.failed}"
    assert not v.blocked, f"{page} asked for files outside the site: {v.blocked}"
    sizes = v.page.eval_on_selector_all(
        "main img", "els => els.map(e => [e.currentSrc.slice(0, 60), e.naturalWidth])")
    assert all(width > 0 for _, width in sizes), f"broken images: {sizes}"
    raw = v.page.eval_on_selector_all(
        ".math", "els => els.filter(e => !e.querySelector('mjx-container') && "
                 "/\\\\[\\(\\[]|\\$/.test(e.textContent)).length")
    assert raw == 0, f"{raw} formulas on {page} are raw TeX, not typeset"


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_chapter_has_typeset_math_figures_and_the_right_launch_buttons(visit, chapter):
    v = visit(f"{chapter}.html")
    assert v.page.locator("mjx-container").count() > 0, "MathJax typeset nothing"
    assert v.page.locator("main img").count() > 0, "the chapter shows no figure"
    colab, binder = launch_links(ROOT / f"{chapter}.ipynb")
    hrefs = v.page.eval_on_selector_all("a", "els => els.map(e => e.href)")
    assert colab in hrefs, f"no Colab button to {colab}"
    assert binder in hrefs, f"no Binder button to {binder}"
    assert v.page.locator(".solution, .admonition.solution, details").count() > 0 or \
        v.page.locator("text=Solution").count() > 0, "no solution toggles"


def test_solutions_are_hidden_until_the_toggle_is_clicked(visit):
    v = visit("book/01_basic_ideas.html")
    solution = v.page.locator(".solution.dropdown, .dropdown.solution").first
    body = solution.locator(".solution-content, section").first
    assert not body.is_visible(), "a solution is visible before its toggle is clicked"
    solution.locator("button, .solution-title, p.admonition-title").first.click()
    v.page.wait_for_timeout(500)
    assert body.is_visible(), "clicking the toggle did not show the solution"


def test_static_explorer_slider_changes_the_picture_without_a_kernel(visit):
    v = visit("book/04_complete_overcomplete.html")
    explorer = v.page.locator(".ae-explorer").first
    explorer.scroll_into_view_if_needed()
    image, caption = explorer.locator("img"), explorer.locator(".ae-explorer-caption")
    before = (image.get_attribute("src"), caption.inner_text())
    slider = explorer.locator("input[type=range]")
    slider.evaluate("(el) => { el.value = el.max; "
                    "el.dispatchEvent(new Event('input', {bubbles: true})); }")
    after = (image.get_attribute("src"), caption.inner_text())
    assert after[0] != before[0] and "1568" in after[1], (before[1], after[1])
    assert "Binder or Colab" in explorer.inner_text()
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    explorer.screenshot(path=str(SCREENSHOTS / "explorer_04_latent_size.png"))


def test_latent_explorer_moves_through_both_code_numbers_without_a_kernel(visit):
    v = visit("book/08_variational.html")
    explorer = v.page.locator(".ae-explorer").first
    explorer.scroll_into_view_if_needed()
    image, caption = explorer.locator("img"), explorer.locator(".ae-explorer-caption")
    sliders = explorer.locator("input[type=range]")
    assert sliders.count() == 2
    seen = {(image.get_attribute("src"), caption.inner_text())}
    for index in range(2):
        sliders.nth(index).evaluate("(el) => { el.value = el.max; "
                                    "el.dispatchEvent(new Event('input', {bubbles: true})); }")
        seen.add((image.get_attribute("src"), caption.inner_text()))
    assert len(seen) == 3, seen
    assert "quantiles 95% and 95%" in caption.inner_text()
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    explorer.screenshot(path=str(SCREENSHOTS / "explorer_08_latent.png"))


def test_neighbours_explorer_of_chapter_9_changes_space_without_a_kernel(visit):
    v = visit("book/09_deep_convolutional.html")
    explorer = v.page.locator(".ae-explorer").first
    explorer.scroll_into_view_if_needed()
    image, caption = explorer.locator("img"), explorer.locator(".ae-explorer-caption")
    menus = explorer.locator("select")
    assert menus.count() == 2  # the query and the space
    before = (image.get_attribute("src"), caption.inner_text())
    assert before[1].startswith("pixels: ")
    menus.nth(1).select_option(index=2)
    after = (image.get_attribute("src"), caption.inner_text())
    assert after[0] != before[0] and after[1].startswith("deep dense codes: "), after[1]
    assert "nearest images are" in after[1] and "Binder or Colab" in explorer.inner_text()
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    explorer.screenshot(path=str(SCREENSHOTS / "explorer_09_neighbours.png"))


@pytest.mark.parametrize("term, chapter", [("PSNR", "06_denoising"),
                                           ("pretraining", "07_stacked"),
                                           ("ELBO", "08_variational")])
def test_search_finds_a_term_from_a_chapter(visit, term, chapter):
    v = visit(f"search.html?q={term}")
    v.page.wait_for_selector("#search-results li a, ul.search li a", timeout=20_000)
    links = v.page.eval_on_selector_all("#search-results li a, ul.search li a",
                                        "els => els.map(e => e.href)")
    assert any(f"{chapter}.html" in link for link in links), links
    assert not v.blocked and not v.errors


def test_screenshots_of_a_few_pages(visit):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    for page in ("book/intro", "book/01_basic_ideas", "book/06_denoising", "book/api"):
        v = visit(f"{page}.html")
        path = SCREENSHOTS / f"{pathlib.Path(page).name}.png"
        v.page.screenshot(path=str(path))
        assert path.stat().st_size > 10_000, f"{path} looks blank"


def test_blocking_works(visit, server):
    # The offline claim rests on the route filter: check that it does block.
    v = visit("book/intro.html")
    v.page.evaluate("() => fetch('https://cdn.jsdelivr.net/npm/mathjax@3').catch(() => 0)")
    assert any(urlparse(u).hostname == "cdn.jsdelivr.net" for u in v.blocked)


def test_feature_explorer_of_chapter_10_shows_another_feature_without_a_kernel(visit):
    v = visit("book/10_sparse_dictionaries.html")
    explorer = v.page.locator(".ae-explorer").first
    explorer.scroll_into_view_if_needed()
    image, caption = explorer.locator("img"), explorer.locator(".ae-explorer-caption")
    before = (image.get_attribute("src"), caption.inner_text())
    slider = explorer.locator("input[type=range]")
    slider.evaluate("(el) => { el.value = el.max; "
                    "el.dispatchEvent(new Event('input', {bubbles: true})); }")
    after = (image.get_attribute("src"), caption.inner_text())
    assert after[0] != before[0] and after[1] != before[1], (before[1], after[1])
    assert after[1].startswith("feature ") and "Binder or Colab" in explorer.inner_text()
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    explorer.screenshot(path=str(SCREENSHOTS / "explorer_10_features.png"))
