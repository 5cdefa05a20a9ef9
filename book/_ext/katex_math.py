"""Typeset the site's math when the site is built, with KaTeX (a local Sphinx extension).

Each formula becomes KaTeX's HTML (what the reader sees) and MathML (what a screen reader
reads) in the page itself, so a page loads no math JavaScript: only KaTeX's style sheet
(23 kB) and the few fonts its formulas use, and only on pages that have math. MathJax,
typesetting in the reader's browser, cost every page 1.2 MB and a second or more of a
phone's time.

KaTeX runs under Node.js: one ``node`` process per build (``katex_render.js``) renders every
formula it is sent. ``tools/web_assets.py`` fetches KaTeX from npm, pinned and checked, into
``_web_assets/`` (``build/katex.js`` for the build, ``static/vendor/katex`` for the pages).
A formula KaTeX cannot typeset is a build warning (an error under ``make test``).

Enabled in ``_config.yml`` with ``html_math_renderer: katex``.
"""

from __future__ import annotations

import html
import json
import pathlib
import shutil
import subprocess

from docutils import nodes
from sphinx.errors import ExtensionError
from sphinx.locale import _
from sphinx.util import logging
from sphinx.util.math import get_node_equation_number

ROOT = pathlib.Path(__file__).resolve().parents[2]
KATEX_JS = ROOT / "_web_assets" / "build" / "katex.js"
RENDER_JS = pathlib.Path(__file__).with_name("katex_render.js")
CSS = "vendor/katex/katex.min.css"

logger = logging.getLogger(__name__)


class KatexProcess:
    """A ``node`` process running ``katex_render.js``, started on first use, with a cache."""

    def __init__(self, node, katex_js=KATEX_JS, script=RENDER_JS):
        self.command = [node, str(script), str(katex_js)]
        self.process = None
        self.cache = {}

    def render(self, tex, display):
        """KaTeX's HTML for ``tex``; raises ValueError with KaTeX's message if it cannot."""
        key = (tex, bool(display))
        if key not in self.cache:
            if self.process is None:
                self.process = subprocess.Popen(
                    self.command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
                    encoding="utf-8", bufsize=1)
            self.process.stdin.write(json.dumps({"tex": tex, "display": bool(display)}) + "\n")
            self.process.stdin.flush()
            line = self.process.stdout.readline()
            if not line:
                raise ExtensionError(f"KaTeX's Node.js process ({' '.join(self.command)}) "
                                     "stopped; run it by hand to see why.")
            self.cache[key] = json.loads(line)
        reply = self.cache[key]
        if "error" in reply:
            raise ValueError(reply["error"])
        return reply["html"]

    def close(self):
        if self.process is not None:
            self.process.stdin.close()
            self.process.wait(timeout=30)
            self.process = None


def _render(translator, node, tex, display):
    katex = translator.builder.app.katex
    try:
        return katex.render(tex, display)
    except ValueError as error:
        logger.warning("KaTeX cannot typeset %r: %s", tex, error, location=node)
        return f'<code class="katex-error">{html.escape(tex)}</code>'


def visit_math(self, node):
    self.body.append(self.starttag(node, "span", "", CLASS="math notranslate nohighlight"))
    self.body.append(_render(self, node, node.astext(), display=False) + "</span>")
    raise nodes.SkipNode


def visit_displaymath(self, node):
    # The same structure as Sphinx's MathJax output: numbered equations keep their
    # number and permalink, several blank-line-separated equations are aligned.
    self.body.append(self.starttag(node, "div", CLASS="math notranslate nohighlight"))
    if node["number"] and not node["nowrap"]:
        number = get_node_equation_number(self, node)
        self.body.append(f'<span class="eqno">({number})')
        self.add_permalink_ref(node, _("Link to this equation"))
        self.body.append("</span>")
    tex = node.astext()
    if not node["nowrap"]:
        parts = [part for part in tex.split("\n\n") if part.strip()]
        if len(parts) > 1 or r"\\" in tex:
            tex = r"\begin{aligned}" + r"\\".join(parts) + r"\end{aligned}"
    self.body.append(_render(self, node, tex, display=True) + "</div>\n")
    raise nodes.SkipNode


def start(app):
    if app.builder.format != "html" or app.builder.math_renderer_name != "katex":
        app.katex = None
        return
    node = shutil.which("node") or shutil.which("nodejs")
    if node is None:
        raise ExtensionError(
            "The site's math is typeset when it is built, with KaTeX, which runs on Node.js "
            "(18 or newer). Install Node.js (Debian or Ubuntu: sudo apt-get install nodejs) "
            "and build again.")
    if not KATEX_JS.is_file():
        raise ExtensionError(f"{KATEX_JS} is missing: run `make web-assets` "
                             "(python tools/web_assets.py) first.")
    app.katex = KatexProcess(node)


def add_stylesheet(app, pagename, templatename, context, doctree):
    """KaTeX's style sheet, on the pages that have math (and only there)."""
    if getattr(app, "katex", None) is None:
        return
    # What the page holds (the math domain's has_equations also counts the pages a
    # page's table of contents lists).
    if 'class="katex' in context.get("body", ""):
        app.builder.add_css_file(CSS)


def stop(app, exception):
    if getattr(app, "katex", None) is not None:
        app.katex.close()


def setup(app):
    app.add_html_math_renderer("katex", (visit_math, None), (visit_displaymath, None))
    app.connect("builder-inited", start)
    app.connect("html-page-context", add_stylesheet)
    app.connect("build-finished", stop)
    return {"parallel_read_safe": True, "parallel_write_safe": False}
