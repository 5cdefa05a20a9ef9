"""The built site as its readers get it: what each page transfers, and Lighthouse's scores.

Serves ``_build/html`` on 127.0.0.1, compressing text as GitHub Pages does (gzip for HTML,
CSS, JavaScript, SVG and JSON) or not at all (``--raw``, as ``make serve`` and
``python -m http.server`` do), and loads every page of the site:

- in headless Chromium at a phone's size (390 x 844), with every non-local request
  blocked, counting the bytes and requests of each page;
- optionally in Lighthouse (``--lighthouse``; the mobile preset: a mid-range phone on a
  slow 4G connection, simulated), with the system's Chromium, offline too.

``tests/test_site.py`` and ``make bench`` use the functions; on its own it prints a table:

    python -m tools.site_audit [--site _build/html] [--raw] [--lighthouse]

Lighthouse is pinned in ``tools/lighthouse/package.json`` (``make lighthouse`` installs it
from the npm registry into ``tools/lighthouse/node_modules``).
"""

from __future__ import annotations

import argparse
import contextlib
import functools
import gzip
import http.server
import json
import os
import pathlib
import shutil
import subprocess
import sys
import tempfile
import threading

ROOT = pathlib.Path(__file__).resolve().parent.parent
SITE = ROOT / "_build" / "html"
LIGHTHOUSE_DIR = ROOT / "tools" / "lighthouse"
LIGHTHOUSE_SCRIPT = LIGHTHOUSE_DIR / "audit.mjs"
BROWSER_CANDIDATES = ("chromium", "chromium-browser", "google-chrome")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync"]
# Chromium resolves no host name but the local server's: the site must work offline.
OFFLINE_ARGS = ["--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1"]
PHONE = {"viewport": {"width": 390, "height": 844}, "device_scale_factor": 2,
         "is_mobile": True, "has_touch": True}
COMPRESSED = {".html", ".css", ".js", ".svg", ".json", ".txt", ".xml", ".map"}
CATEGORIES = ("performance", "accessibility", "best-practices")


def browser_path():
    """The Chromium to drive: $AE_LIB_BROWSER, else the first one on PATH, else None."""
    if os.environ.get("AE_LIB_BROWSER"):
        return os.environ["AE_LIB_BROWSER"]
    for name in BROWSER_CANDIDATES:
        if shutil.which(name):
            return shutil.which(name)
    return None


def site_pages(site=SITE):
    """Every page of the built site (paths relative to it), less redirects and assets."""
    pages = []
    for path in sorted(pathlib.Path(site).rglob("*.html")):
        relative = path.relative_to(site)
        if relative.parts[0] in ("_static", "_sources", "_images"):
            continue
        if 'http-equiv="Refresh"' in path.read_text(encoding="utf-8", errors="ignore")[:2000]:
            continue  # index.html: a redirect to the first page
        pages.append(relative.as_posix())
    return pages


class _Handler(http.server.SimpleHTTPRequestHandler):
    """Serves files; with ``compress``, text goes gzip-encoded to clients that accept it."""

    compress = True
    protocol_version = "HTTP/1.1"  # keep connections open, as a real web server does

    def log_message(self, *args):
        pass

    def do_GET(self):
        path = pathlib.Path(self.translate_path(self.path))
        accepts = "gzip" in self.headers.get("Accept-Encoding", "")
        if not (self.compress and accepts and path.suffix in COMPRESSED and path.is_file()):
            return super().do_GET()
        body = gzip.compress(path.read_bytes(), compresslevel=6)
        self.send_response(200)
        self.send_header("Content-Type", self.guess_type(str(path)))
        self.send_header("Content-Encoding", "gzip")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Vary", "Accept-Encoding")
        self.end_headers()
        self.wfile.write(body)


@contextlib.contextmanager
def serve(folder=SITE, compress=True):
    """Serve ``folder`` on a free port of 127.0.0.1; yields the base URL (ends with "/")."""
    handler = functools.partial(type("Handler", (_Handler,), {"compress": compress}),
                                directory=str(folder))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()


def page_weights(base, pages, browser=None, chromium=None):
    """What each page transfers on a phone, offline, with an empty cache.

    Returns ``{page: {"first_view": bytes, "bytes": bytes, "requests": count, "urls":
    [...]}}``: ``first_view`` is what loading the page transfers (figures further down
    load when the reader scrolls to them); ``bytes`` adds every lazily loaded image, as
    for a reader who reads the whole page. Each count includes the responses' headers.
    ``chromium`` is a running Playwright browser to use; by default one is started
    (``browser``: its executable).
    """
    if chromium is not None:
        return _page_weights(chromium, base, pages)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=browser or browser_path(),
                                              headless=True, args=CHROMIUM_ARGS)
        try:
            return _page_weights(chromium, base, pages)
        finally:
            chromium.close()


def _page_weights(chromium, base, pages):
    results = {}
    for page_path in pages:
        context = chromium.new_context(**PHONE)
        context.route("**/*", lambda route: route.continue_()
                      if route.request.url.startswith((base, "data:")) else route.abort())
        page = context.new_page()
        finished = []
        page.on("requestfinished", lambda request: finished.append(request))
        page.goto(base + page_path, wait_until="load")
        page.wait_for_load_state("networkidle")
        first_view = _transferred(finished)
        page.evaluate("() => document.querySelectorAll('img[loading=lazy]')"
                      ".forEach(image => { image.loading = 'eager'; })")
        page.wait_for_load_state("networkidle")
        page.wait_for_function("() => Array.from(document.images)"
                               ".every(image => image.complete)")
        urls = [r.url for r in finished if not r.url.startswith("data:")]
        results[page_path] = {"first_view": first_view, "bytes": _transferred(finished),
                              "requests": len(urls), "urls": urls}
        context.close()
    return results


def _transferred(requests):
    total = 0
    for request in list(requests):
        if request.url.startswith("data:"):
            continue
        sizes = request.sizes()
        total += sizes["responseBodySize"] + sizes["responseHeadersSize"]
    return total


def lighthouse_installed():
    return (LIGHTHOUSE_DIR / "node_modules" / "lighthouse" / "package.json").is_file()


def lighthouse(base, pages, categories=CATEGORIES, browser=None):
    """Lighthouse's mobile audit of each page, offline: {page: summary} (tools/lighthouse)."""
    if not lighthouse_installed():
        raise RuntimeError("Lighthouse is not installed: run `make lighthouse` (npm ci in "
                           "tools/lighthouse, from the npm registry).")
    node = shutil.which("node") or shutil.which("nodejs")
    if node is None:
        raise RuntimeError("Lighthouse needs Node.js 18 or newer (Debian: apt-get install "
                           "nodejs).")
    with tempfile.TemporaryDirectory() as scratch:
        request = pathlib.Path(scratch) / "request.json"
        summary = pathlib.Path(scratch) / "summary.json"
        request.write_text(json.dumps({
            "urls": [base + page for page in pages], "categories": list(categories),
            "chrome": browser or browser_path(),
            "chromeFlags": CHROMIUM_ARGS + OFFLINE_ARGS}))
        subprocess.run([node, str(LIGHTHOUSE_SCRIPT), str(request), str(summary)],
                       check=True, cwd=LIGHTHOUSE_DIR)
        results = json.loads(summary.read_text())
    return {page: result for page, result in zip(pages, results)}


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--site", type=pathlib.Path, default=SITE)
    parser.add_argument("--raw", action="store_true", help="serve without compression")
    parser.add_argument("--lighthouse", action="store_true", help="also run Lighthouse")
    parser.add_argument("--json", type=pathlib.Path, help="write the results here too")
    args = parser.parse_args(argv)
    pages = site_pages(args.site)
    with serve(args.site, compress=not args.raw) as base:
        weights = page_weights(base, pages)
        audits = lighthouse(base, pages) if args.lighthouse else {}
    print(f"{'page':40} {'first kB':>8} {'all kB':>7} {'requests':>8}" +
          ("  perf a11y best" if audits else ""))
    for page in pages:
        weight = weights[page]
        line = (f"{page:40} {weight['first_view'] / 1000:8.0f} {weight['bytes'] / 1000:7.0f} "
                f"{weight['requests']:8d}")
        if audits:
            scores = audits[page]["scores"]
            line += "".join(f" {scores.get(c, '-')!s:>4}" for c in CATEGORIES)
        print(line)
    if args.json:
        args.json.write_text(json.dumps({"weights": weights, "lighthouse": audits}, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
