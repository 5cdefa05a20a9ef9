"""The built site in a real browser: headless Chromium, every page, no network but localhost.

`make test` builds the site first; this serves ``_build/html`` on a free local port and
loads every page of it (those of the table of contents, the index, the search page) with
every non-local request blocked, as for a reader with no connection. It checks console
errors, failed requests, images, launch buttons, typeset math and search, and what issue
19 asked for, on every page:

- the menus (chapter list, page contents) open and close by mouse, touch and keyboard at
  390, 900 and 1280 pixels wide;
- every image has alt text that says what it shows;
- every figure's smallest text is at least 9 CSS pixels at 1280, it is sharp on a 2x
  screen (SVG) and it opens full size (a link to its file);
- no page scrolls sideways at 390 pixels, and no table hides a column behind a scroll bar
  at 1280;
- every part of a solution's title opens the solution, without a console error;
- a chapter transfers at most 1.5 MB with every figure loaded, served as GitHub Pages
  serves it (text gzip-compressed), and a page without math loads no math files;
- Lighthouse (mobile) scores accessibility and best practices at 95 or more.

Screenshots of every page at the three widths land in ``_build/screenshots``.
"""

from __future__ import annotations

import pathlib
import re
from urllib.parse import unquote, urlparse

import pytest
import yaml

from tools import site_audit
from tools.chapter_times import launch_links

ROOT = pathlib.Path(__file__).resolve().parent.parent
SITE = ROOT / "_build" / "html"
SCREENSHOTS = ROOT / "_build" / "screenshots"
TOC = yaml.safe_load((ROOT / "_toc.yml").read_text())
PAGES = [TOC["root"]] + [c["file"] for part in TOC["parts"] for c in part["chapters"]]
CHAPTERS = [p for p in PAGES if pathlib.Path(p).name[:2].isdigit()]
# Every page of the built site (empty before the first build: the first test says so).
SITE_PAGES = site_audit.site_pages(SITE) if SITE.is_dir() else []
WIDTHS = (390, 900, 1280)
CHAPTER_BUDGET_BYTES = 1_500_000
MIN_TEXT_PX = 9.0
LIGHTHOUSE_MINIMUM = {"accessibility": 95, "best-practices": 95}


def _is_chapter(page):
    return pathlib.PurePosixPath(page).name[:2].isdigit()


def browser_path():
    path = site_audit.browser_path()
    if path is None:
        pytest.fail("No Chromium found for the browser test. Install it (Debian: apt-get "
                    "install chromium; .ci/run does) or set AE_LIB_BROWSER to a "
                    "Chrome/Chromium binary.")
    return path


@pytest.fixture(scope="module")
def server():
    if not (SITE / "index.html").is_file():
        pytest.fail("The site is not built: run `make book` (make test builds it first).")
    with site_audit.serve(SITE, compress=False) as base:
        yield base.rstrip("/")


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=browser_path(), headless=True,
                                             args=site_audit.CHROMIUM_ARGS)
        yield browser
        browser.close()


class PageVisit:
    """One page loaded with non-local requests blocked, and what happened on the way."""

    def __init__(self, browser, server, path, width=1280, touch=False):
        self.server = server
        self.blocked, self.failed, self.errors = [], [], []
        phone = width < 500
        self.context = browser.new_context(
            viewport={"width": width, "height": 844 if phone else 900},
            is_mobile=phone, has_touch=touch or phone)
        self.context.route("**/*", self._only_local)
        self.page = self.context.new_page()
        self.page.on("console", lambda m: m.type == "error" and self.errors.append(m.text))
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.page.on("requestfailed", lambda r: self.failed.append(r.url))
        self.page.on("response",
                     lambda r: r.status >= 400 and self.failed.append(f"{r.status} {r.url}"))
        self.page.goto(f"{server}/{path}", wait_until="load")

    def _only_local(self, route):
        url = route.request.url
        if url.startswith(self.server) or url.startswith("data:"):
            route.continue_()
        else:
            self.blocked.append(url)
            route.abort()

    def show_everything(self):
        """Open every toggle and load every lazy image, as a reader who reads it all."""
        self.page.evaluate("""() => {
            document.querySelectorAll('.toggle-hidden').forEach(
                e => e.classList.remove('toggle-hidden'));
            document.querySelectorAll('img[loading=lazy]').forEach(
                i => { i.loading = 'eager'; });
        }""")
        self.page.wait_for_load_state("networkidle")
        self.page.wait_for_function(
            "() => Array.from(document.images).every(i => i.complete)", timeout=20_000)

    def close(self):
        self.context.close()


@pytest.fixture
def visit(browser, server):
    visits = []

    def _visit(path, **options):
        visits.append(PageVisit(browser, server, path, **options))
        return visits[-1]

    yield _visit
    for v in visits:
        v.close()


def test_the_built_site_has_every_page_of_the_table_of_contents():
    assert SITE_PAGES, "the site is not built: run `make book` (make test builds it first)"
    missing = [p for p in PAGES if f"{p}.html" not in SITE_PAGES]
    assert not missing, f"pages of _toc.yml missing from the built site: {missing}"
    assert {"genindex.html", "search.html"} <= set(SITE_PAGES)


@pytest.mark.parametrize("page", SITE_PAGES)
def test_page_loads_offline_without_errors_and_with_real_images_and_math(visit, page):
    v = visit(page)
    v.show_everything()
    assert v.page.title(), "the page has a title"
    assert not v.errors, f"console errors on {page}: {v.errors}"
    assert not v.failed, f"failed requests for the site's own files on {page}: {v.failed}"
    assert not v.blocked, f"{page} asked for files outside the site: {v.blocked}"
    sizes = v.page.eval_on_selector_all(
        "main img", "els => els.map(e => [e.currentSrc.slice(0, 60), e.naturalWidth])")
    assert all(width > 0 for _, width in sizes), f"broken images: {sizes}"
    math = v.page.eval_on_selector_all(
        ".math", "els => els.map(e => [!!e.querySelector('.katex'), "
                 "!!e.querySelector('.katex-error'), e.textContent.slice(0, 80)])")
    raw = [text for typeset, error, text in math if not typeset or error]
    assert not raw, f"{len(raw)} formulas on {page} are not typeset: {raw[:3]}"


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_chapter_has_typeset_math_figures_and_the_right_launch_buttons(visit, chapter):
    v = visit(f"{chapter}.html")
    assert v.page.locator(".katex").count() > 0, "no typeset formula"
    assert v.page.locator("main img").count() > 0, "the chapter shows no figure"
    colab, binder = launch_links(ROOT / f"{chapter}.ipynb")
    hrefs = v.page.eval_on_selector_all("a", "els => els.map(e => e.href)")
    assert colab in hrefs, f"no Colab button to {colab}"
    assert binder in hrefs, f"no Binder button to {binder}"
    assert v.page.locator(".solution, .admonition.solution, details").count() > 0 or \
        v.page.locator("text=Solution").count() > 0, "no solution toggles"


# Menus ----------------------------------------------------------------------------------

MENUS = {"primary": ("pst-primary-sidebar-modal", "pst-primary-sidebar", ".bd-docs-nav a"),
         "secondary": ("pst-secondary-sidebar-modal", "pst-secondary-sidebar",
                       ".page-toc a, #pst-page-toc-nav a")}


def _dialog_open(page, dialog):
    return page.evaluate(f"() => !!document.getElementById('{dialog}')?.open")


def _sidebar_shown(page, sidebar):
    return page.evaluate(f"""() => {{
        const s = document.getElementById('{sidebar}');
        if (!s || s.classList.contains('pst-sidebar-hidden')) return false;
        const r = s.getBoundingClientRect();
        return getComputedStyle(s).display !== 'none' && r.width > 50 && r.right > 0
            && r.left < innerWidth;
    }}""")


def _links_visible(page, container, selector):
    return page.evaluate(f"""() => Array.from(document.querySelectorAll(
        '#{container} :is({selector})')).some(a => {{
            const r = a.getBoundingClientRect();
            return r.width > 0 && r.height > 0 && r.left >= 0 && r.right <= innerWidth;
        }})""")


def _expanded(page, button, value):
    """Wait until the menu button says whether its menu is open (aria-expanded)."""
    page.wait_for_function("([b, v]) => b.getAttribute('aria-expanded') === v",
                           arg=[button.element_handle(), value], timeout=3000)


def _check_dialog_menu(v, kind, how):
    """Open the menu as a dialog with its button and close it again, by ``how``."""
    page = v.page
    dialog, _, links = MENUS[kind]
    button = page.locator(f".{kind}-toggle:visible").first
    action = {"mouse": button.click, "touch": button.tap,
              "keyboard": lambda: (button.focus(), page.keyboard.press("Enter"))}[how]
    action()
    page.wait_for_function(f"() => document.getElementById('{dialog}')?.open", timeout=3000)
    assert _links_visible(page, dialog, links), f"{kind} menu opened empty ({how})"
    _expanded(page, button, "true")
    close = page.locator(f"#{dialog} .ae-close-menu")
    if how == "mouse":
        close.click()
    elif how == "touch":
        close.tap()
    else:
        # The dialog takes the focus; Escape closes it, as does Enter on the close button.
        focused = page.evaluate("() => document.activeElement?.className || ''")
        assert "ae-close-menu" in focused, f"focus went to {focused!r}, not the close button"
        page.keyboard.press("Escape")
    page.wait_for_function(f"() => !document.getElementById('{dialog}')?.open", timeout=3000)
    _expanded(page, button, "false")
    if how == "keyboard":
        button.focus()
        page.keyboard.press("Enter")
        page.wait_for_function(f"() => document.getElementById('{dialog}')?.open",
                               timeout=3000)
        page.keyboard.press("Enter")  # on the close button, which has the focus
        page.wait_for_function(f"() => !document.getElementById('{dialog}')?.open",
                               timeout=3000)


def _check_collapsing_menu(v, kind, how):
    """Hide the sidebar with its button and show it again, by ``how`` (wide screens)."""
    page = v.page
    _, sidebar, links = MENUS[kind]
    button = page.locator(f".{kind}-toggle:visible").first
    action = {"mouse": button.click, "touch": button.tap,
              "keyboard": lambda: (button.focus(), page.keyboard.press("Enter"))}[how]
    assert _sidebar_shown(page, sidebar)
    action()
    page.wait_for_timeout(400)
    assert not _sidebar_shown(page, sidebar), f"{kind} sidebar did not collapse ({how})"
    _expanded(page, button, "false")
    action()
    page.wait_for_timeout(400)
    assert _sidebar_shown(page, sidebar) and _links_visible(page, sidebar, links), \
        f"{kind} sidebar did not come back ({how})"
    _expanded(page, button, "true")


@pytest.mark.parametrize("page", SITE_PAGES)
def test_menus_open_and_close_by_mouse_touch_and_keyboard(visit, page):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    name = page.removesuffix(".html").replace("/", "_")
    for width in WIDTHS:
        v = visit(page, width=width, touch=True)
        v.page.screenshot(path=str(SCREENSHOTS / f"{name}-{width}.png"))
        for kind in MENUS:
            dialog, sidebar, links = MENUS[kind]
            has_menu = v.page.evaluate(
                f"() => !!document.querySelector('#{sidebar} :is({links})')")
            visible = v.page.locator(f".{kind}-toggle:visible").count()
            if not has_menu:
                continue  # a page without contents of its own (the index, say)
            if width >= 992 and kind == "secondary" and not visible:
                # Wide enough: the page's contents are always shown beside it.
                assert _sidebar_shown(v.page, sidebar) and \
                    _links_visible(v.page, sidebar, links), f"no page contents at {width}"
                continue
            assert visible, f"no visible {kind} menu button at {width} px"
            for how in ("mouse", "touch", "keyboard"):
                if width >= 992 and kind == "primary":
                    _check_collapsing_menu(v, kind, how)
                else:
                    _check_dialog_menu(v, kind, how)
        assert not v.errors, f"console errors at {width} px: {v.errors}"


# Images and figures ---------------------------------------------------------------------

# The article's images, less the module index's +/- toggles (the launch buttons' logos sit
# in the page's header, outside the article).
CONTENT_IMAGES = "article.bd-article img:not(.toggler)"
FILE_NAME = re.compile(r"_images/|\.(png|svg|jpe?g|gif|webp)\b|^\S*/\S*$|^[0-9a-f]{16,}", re.I)


@pytest.mark.parametrize("page", SITE_PAGES)
def test_every_image_has_alt_text_that_says_what_it_shows(visit, page):
    v = visit(page)
    images = v.page.eval_on_selector_all(
        CONTENT_IMAGES, "els => els.map(e => [e.getAttribute('src').slice(-40), e.alt])")
    for src, alt in images:
        assert alt and alt.strip(), f"{page}: an image without alt text ({src})"
        assert not FILE_NAME.search(alt), f"{page}: alt text {alt!r} is a file name"
        assert len(alt.split()) >= 3, f"{page}: alt text {alt!r} does not say what it shows"


def _svg_size_and_smallest_text(url):
    path = SITE / unquote(urlparse(url).path).lstrip("/")
    head = path.read_text(encoding="utf-8", errors="ignore")[:3000]
    root = re.search(r"<svg\b[^>]*>", head)
    assert root, f"{path.name} is not an SVG"
    width = re.search(r'\bwidth="([\d.]+)pt"', root.group(0))
    smallest = re.search(r'data-min-font-pt="([\d.]+)"', root.group(0))
    assert width and smallest, (
        f"{path.name} does not say how large its text is: make figures with ae_lib's "
        "plotting functions or on ae_lib.figures.new_figure (see the README)")
    return float(width.group(1)), float(smallest.group(1))


@pytest.mark.parametrize("page", SITE_PAGES)
def test_figures_are_legible_at_1280_sharp_on_2x_screens_and_open_full_size(visit, page):
    v = visit(page, width=1280)
    v.show_everything()
    figures = v.page.eval_on_selector_all(
        CONTENT_IMAGES, """els => els.filter(e => !e.closest('.ae-explorer')).map(e => ({
            src: e.currentSrc, width: e.getBoundingClientRect().width,
            natural: e.naturalWidth, link: e.closest('a') ? e.closest('a').href : null}))""")
    for figure in figures:
        name = figure["src"].rsplit("/", 1)[-1]
        assert figure["link"] == figure["src"], f"{page}: {name} does not open full size"
        if figure["src"].endswith(".svg"):
            width_pt, smallest_pt = _svg_size_and_smallest_text(figure["src"])
            # The figure's points become CSS pixels at the scale the page shows it.
            text_px = smallest_pt * figure["width"] / width_pt
            assert text_px >= MIN_TEXT_PX, \
                f"{page}: {name}'s smallest text is {text_px:.1f} CSS px at 1280"
        else:
            assert figure["natural"] >= 2 * figure["width"], \
                f"{page}: {name} is a bitmap with fewer than 2 pixels per CSS pixel"
            assert ".cell_output" not in figure["src"], \
                f"{page}: {name} is a notebook figure but not an SVG"
    response = v.page.request.get(figures[0]["link"]) if figures else None
    assert response is None or response.ok


@pytest.mark.parametrize("page", SITE_PAGES)
def test_no_page_scrolls_sideways_on_a_phone(visit, page):
    v = visit(page, width=390)
    v.show_everything()
    overflow = v.page.evaluate("""() => {
        const limit = document.documentElement.clientWidth + 1;
        const wide = [];
        for (const e of document.querySelectorAll('body *')) {
            const r = e.getBoundingClientRect();
            if (r.right <= limit || r.width === 0) continue;
            // Content of a box that scrolls by itself (a wide table, a code cell) is fine.
            let scroller = e.parentElement, inside = false;
            while (scroller && scroller !== document.body) {
                const x = getComputedStyle(scroller).overflowX;
                if (x === 'auto' || x === 'scroll' || x === 'hidden') { inside = true; break; }
                scroller = scroller.parentElement;
            }
            if (!inside) wide.push(e.tagName + '.' + e.className + ' ' +
                                   (e.textContent || '').trim().slice(0, 40));
        }
        // clientWidth: the layout viewport (innerWidth grows with the page on a phone).
        return {scroll: document.documentElement.scrollWidth,
                width: document.documentElement.clientWidth, wide: wide.slice(0, 5)};
    }""")
    assert overflow["scroll"] <= overflow["width"], \
        f"{page} scrolls sideways at 390 px: {overflow}"


@pytest.mark.parametrize("page", SITE_PAGES)
def test_no_table_hides_a_column_behind_a_scroll_bar_at_1280(visit, page):
    v = visit(page, width=1280)
    hidden = v.page.evaluate("""() => Array.from(document.querySelectorAll('main table'))
        .map(table => {
            let box = table.parentElement;
            while (box && !['auto', 'scroll'].includes(getComputedStyle(box).overflowX))
                box = box.parentElement;
            return box && box.scrollWidth > box.clientWidth + 1
                ? (table.querySelector('th, td') || table).textContent.trim().slice(0, 40)
                : null;
        }).filter(Boolean)""")
    assert not hidden, f"{page}: tables wider than the column at 1280 px: {hidden}"


# Solutions ------------------------------------------------------------------------------

@pytest.mark.parametrize("page", SITE_PAGES)
def test_every_part_of_a_solution_title_opens_it_without_errors(visit, page):
    v = visit(page)
    titles = v.page.locator(".admonition.dropdown > .admonition-title")
    if titles.count() == 0:
        pytest.skip("no toggles on this page")
    assert v.page.locator(".admonition.dropdown > .admonition-title a").count() == 0, \
        "a link in a toggle's title (clicking it would not open the toggle)"
    for index in range(titles.count()):
        title = titles.nth(index)
        title.scroll_into_view_if_needed()
        box = title.locator("xpath=..")

        def state():
            return "toggle-hidden" in (box.get_attribute("class") or "")

        # The title's text at its start, middle and end (where the link to the exercise
        # was), each element in it, and its button.
        width = title.bounding_box()["width"] - title.locator(".toggle-button") \
            .bounding_box()["width"]
        clicks = [lambda x=x: title.click(position={"x": x, "y": 5})
                  for x in (3, width / 2, width - 8)]
        children = title.locator(":scope > *:not(.toggle-button)")
        clicks += [children.nth(i).click for i in range(children.count())]
        clicks.append(title.locator(".toggle-button").click)
        for number, click in enumerate(clicks):
            before = state()
            click()
            v.page.wait_for_timeout(50)
            assert state() != before, \
                f"click {number} on {title.inner_text()!r} did not open or close it"
        button = title.locator(".toggle-button")
        before = state()
        button.focus()
        v.page.keyboard.press("Enter")
        v.page.wait_for_timeout(50)
        assert state() != before, "Enter on the toggle button did nothing"
    assert not v.errors, f"console errors: {v.errors}"


def test_solutions_are_hidden_until_the_toggle_is_clicked(visit):
    v = visit("book/01_basic_ideas.html")
    solution = v.page.locator(".solution.dropdown, .dropdown.solution").first
    body = solution.locator(".solution-content, section").first
    assert not body.is_visible(), "a solution is visible before its toggle is clicked"
    solution.locator("button, .solution-title, p.admonition-title").first.click()
    v.page.wait_for_timeout(500)
    assert body.is_visible(), "clicking the toggle did not show the solution"


# Weight and Lighthouse ------------------------------------------------------------------

@pytest.fixture(scope="module")
def weights(browser):
    if not SITE_PAGES:
        pytest.fail("The site is not built: run `make book` (make test builds it first).")
    # As GitHub Pages serves the site: text gzip-compressed, images as they are. What a
    # reader transfers; the uncompressed size, which Lighthouse's performance score
    # reflects, is reported by make bench.
    with site_audit.serve(SITE, compress=True) as base:
        return site_audit.page_weights(base, SITE_PAGES, chromium=browser)


@pytest.mark.parametrize("page", SITE_PAGES)
def test_page_weight_and_math_files_only_where_there_is_math(weights, page):
    weight = weights[page]
    urls = weight["urls"]
    if _is_chapter(page):
        assert weight["bytes"] <= CHAPTER_BUDGET_BYTES, (
            f"{page} transfers {weight['bytes'] / 1e6:.2f} MB with every figure loaded "
            f"(budget {CHAPTER_BUDGET_BYTES / 1e6:.1f} MB)")
    assert not [u for u in urls if "mathjax" in u.lower()], "MathJax is loaded"
    assert not [u for u in urls if "fontawesome.js" in u], "fontawesome.js is loaded"
    has_math = 'class="katex' in (SITE / page).read_text(encoding="utf-8")
    katex_files = [u for u in urls if "/katex/" in u]
    if not has_math:
        assert not katex_files, f"{page} has no math but loads {katex_files}"


@pytest.fixture(scope="module")
def lighthouse():
    if not SITE_PAGES:
        pytest.fail("The site is not built: run `make book` (make test builds it first).")
    if not site_audit.lighthouse_installed():
        pytest.fail("Lighthouse is not installed: run `make lighthouse` (make test does).")
    with site_audit.serve(SITE) as base:
        return site_audit.lighthouse(base, SITE_PAGES, categories=tuple(LIGHTHOUSE_MINIMUM),
                                     browser=browser_path())


@pytest.mark.parametrize("page", SITE_PAGES)
def test_lighthouse_accessibility_and_best_practices(lighthouse, page):
    result = lighthouse[page]
    assert not result["runtimeError"], result["runtimeError"]
    for category, minimum in LIGHTHOUSE_MINIMUM.items():
        failing = [f"{a['id']} ({a['value'] or a['score']})" for a in result["failing"]
                   if a["category"] == category]
        assert result["scores"][category] >= minimum, \
            f"{page}: {category} {result['scores'][category]} < {minimum}: {failing}"


# The rest -------------------------------------------------------------------------------

def _wait_for_new_caption(v, before):
    # An explorer's frames load on demand (site_fixes.py), so a move shows when they are in.
    v.page.wait_for_function(
        "(before) => document.querySelector('.ae-explorer .ae-explorer-caption')"
        ".textContent !== before", arg=before, timeout=10_000)


@pytest.mark.parametrize("page", ["book/01_basic_ideas.html", "book/04_complete_overcomplete.html",
                                  "book/06_denoising.html", "book/08_variational.html",
                                  "book/09_deep_convolutional.html",
                                  "book/10_sparse_dictionaries.html"])
def test_explorer_frames_load_on_demand_not_with_the_page(page):
    # Every explorer's frames sit in a script file of their own, not in the page, and the
    # explorer's script asks for them instead of parsing an empty block.
    html = (site_audit.SITE / page).read_text(encoding="utf-8")
    explorers = re.findall(r'<div class="ae-explorer" id="(ae-explorer-[0-9a-f]{10})"', html)
    assert explorers, f"{page} has no explorer"
    for uid in explorers:
        src = re.search(rf'id="{uid}-frames" data-src="([^"]+)"></script>', html)
        assert src, f"{page}: the frames of {uid} are still in the page"
        frames = (site_audit.SITE / page).parent / src.group(1)
        assert frames.read_text(encoding="utf-8").startswith(
            f"(window.aeExplorerFrames=window.aeExplorerFrames||{{}})['{uid}']={{"), frames
        assert f"window.aeLoadExplorerFrames('{uid}',show)" in html
    assert not re.search(r'-frames"[^>]*>[^<]', html), f"{page} still holds frames"

def test_static_explorer_slider_changes_the_picture_without_a_kernel(visit):
    v = visit("book/04_complete_overcomplete.html")
    explorer = v.page.locator(".ae-explorer").first
    explorer.scroll_into_view_if_needed()
    image, caption = explorer.locator("img"), explorer.locator(".ae-explorer-caption")
    before = (image.get_attribute("src"), caption.inner_text())
    slider = explorer.locator("input[type=range]")
    slider.evaluate("(el) => { el.value = el.max; "
                    "el.dispatchEvent(new Event('input', {bubbles: true})); }")
    _wait_for_new_caption(v, before[1])
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
        before = caption.inner_text()
        sliders.nth(index).evaluate("(el) => { el.value = el.max; "
                                    "el.dispatchEvent(new Event('input', {bubbles: true})); }")
        _wait_for_new_caption(v, before)
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
    _wait_for_new_caption(v, before[1])
    after = (image.get_attribute("src"), caption.inner_text())
    assert after[0] != before[0] and after[1].startswith("deep dense codes: "), after[1]
    assert "nearest images are" in after[1] and "Binder or Colab" in explorer.inner_text()
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    explorer.screenshot(path=str(SCREENSHOTS / "explorer_09_neighbours.png"))


@pytest.mark.parametrize("term, chapter", [("PSNR", "06_denoising"),
                                           ("pretraining", "07_stacked"),
                                           ("ELBO", "08_variational"),
                                           ("undercomplete", "01_basic_ideas")])
def test_search_finds_a_term_from_a_chapter_and_shows_no_raw_tex(visit, term, chapter):
    v = visit(f"search.html?q={term}")
    v.page.wait_for_selector("#search-results li a, ul.search li a", timeout=20_000)
    links = v.page.eval_on_selector_all("#search-results li a, ul.search li a",
                                        "els => els.map(e => e.href)")
    assert any(f"{chapter}.html" in link for link in links), links
    v.page.wait_for_function("() => document.querySelectorAll('p.context').length > 0",
                             timeout=20_000)
    snippets = v.page.eval_on_selector_all("p.context", "els => els.map(e => e.textContent)")
    tex = [s for s in snippets if re.search(r"\\[a-zA-Z(\[]|\$", s)]
    assert not tex, f"search snippets show raw TeX: {tex[:2]}"
    assert not v.blocked and not v.errors


def test_blocking_works(visit, server):
    # The offline claim rests on the route filter: check that it does block.
    v = visit("book/intro.html")
    v.page.evaluate("() => fetch('https://cdn.jsdelivr.net/npm/katex').catch(() => 0)")
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


def test_the_alt_text_check_knows_a_file_name_from_a_sentence():
    for alt in ("../_images/d4696d327efe8021b41dd69ae6b9a9af.png", "figure.svg",
                "d4696d327efe8021b41dd69ae6b9a9af538e0737", "book/figure"):
        assert FILE_NAME.search(alt), alt
    assert not FILE_NAME.search("Ten test images, one per class (T-shirt/top, ...) above "
                                "their reconstructions.")
