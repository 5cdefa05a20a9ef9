"""Fixes to the site's pages that configuration cannot make (a local Sphinx extension).

The theme stack is sphinx-book-theme 1.3.0 on pydata-sphinx-theme 0.17.1. What this does,
and why:

- **Duplicate scripts.** Jupyter Book 1 adds sphinx-thebe's and sphinx-togglebutton's
  inline scripts twice to every page; the second ``const THEBE_JS_URL = ...`` is a
  JavaScript error. Exact duplicates are dropped from each page's script list.
- **Icons without 1.45 MB of JavaScript.** The theme loads ``fontawesome.js`` on every page
  to draw about twenty icons that its style sheet can already draw with Font Awesome's
  icon fonts, and those fonts hold some 2,000 icons. ``book/_templates/layout.html`` leaves
  the script out (with the :func:`without_fontawesome` template filter), and after the
  build the fonts are cut down to the icons the pages use (``fontTools``, which
  matplotlib already installs), the theme's style sheet is pointed at them, and its
  rules for the icons no page uses are dropped.
- **Fewer, later scripts.** Nothing for Thebe (no "live code" button here), and every
  script but one is deferred, so none holds up the first paint.
- **Search scripts where they are used.** The theme loads Sphinx's search code and the
  whole search index on every page, for a search-as-you-type box this site does not turn
  on; the template loads them on the search page only.
- **Figures open full size, and load when needed.** Each image in a page is wrapped in a
  link to its file, so a reader on a phone can tap a figure and zoom into it, and loads
  lazily: a reader who stops at the top does not pay for the figures further down.
- **Explorers' frames on demand.** An explorer's pre-computed frames (``ae_lib.widgets``)
  sit in its page as a JSON block: up to 240 kB of PNGs that every reader downloaded
  before the page could show. After the build they move to a script file of their own,
  ``_static/explorers/<id>.js``, which ``site-fixes.js`` loads when the explorer comes
  near the screen or a control first moves. A script element rather than ``fetch``, so
  that the site still works opened from disk (``file://``).
- **Unused files.** The files no page loads (``fontawesome.js``, the full icon fonts, source
  maps, the theme's message catalogues) are removed from the built site.
- **Bibliography entries** are list items, not the deprecated ``doc-biblioentry`` role.
- ``static/site-fixes.js`` and ``static/site-fixes.css`` fix the menus, the solution
  toggles, the search snippets and the pages' width on phones; each says why.
"""

from __future__ import annotations

import pathlib
import posixpath
import re
import shutil

from docutils import nodes
from sphinx.util import logging
from sphinx.util.osutil import relative_uri

STATIC = pathlib.Path(__file__).with_name("static")
FONTS = "vendor/fontawesome/webfonts"
# The icon fonts: file name, CSS family and weight, as pydata-sphinx-theme declares them.
ICON_FONTS = (("fa-solid-900", "Font Awesome 6 Free", 900),
              ("fa-regular-400", "Font Awesome 6 Free", 400),
              ("fa-brands-400", "Font Awesome 6 Brands", 400))
UNUSED = ("scripts/fontawesome.js", "scripts/fontawesome.js.map",
          "scripts/fontawesome.js.LICENSE.txt")

logger = logging.getLogger(__name__)

# What ae_lib.widgets.Explorer.static_html writes: the frames' JSON block, and the line of
# its script that reads them the first time a control moves.
FRAMES_BLOCK = re.compile(
    r'<script type="application/json" id="(ae-explorer-[0-9a-f]{10})-frames">(.*?)</script>',
    re.S)
FRAMES_READ = ("if(!frames){{frames=JSON.parse(document.getElementById('{uid}-frames')"
               ".textContent);}}")
FRAMES_LOAD = ("if(!frames){{frames=(window.aeExplorerFrames||{{}})['{uid}'];"
               "if(!frames){{window.aeLoadExplorerFrames('{uid}',show);return;}}}}")


def drop_duplicate_scripts(app, pagename, templatename, context, doctree):
    seen, unique = set(), []
    for script in context.get("script_files", []):
        # Same file and attributes (inline body included); an inline script's filename
        # is None or "" depending on who added it.
        key = (str(getattr(script, "filename", script) or ""),
               tuple(sorted(getattr(script, "attributes", {}).items())))
        if key in seen:
            continue
        seen.add(key)
        unique.append(script)
    # In place: later handlers append to this same list.
    context["script_files"][:] = unique


def lighten_page(app, pagename, templatename, context, doctree):
    """Fewer and later scripts: nothing for Thebe, no script that blocks the first paint.

    sphinx-thebe's script and style sheet serve a "live code" button this site does not
    have (its launch buttons go to Binder and Colab); sphinx-design's serve pages that use
    its components (none so far). Every other script that has a file is
    deferred, in order, to after the page is parsed, except ``documentation_options.js``,
    which an inline script right after it uses, and ``doctools.js``, whose ``_ready``
    the search page's scripts call as they load.
    """
    body = context.get("body", "")
    # sphinx-design's style sheet (55 kB) and script, only where a page uses its classes.
    unused = ["sphinx-thebe"] + (["sphinx-design", "design-tabs"] if "sd-" not in body else [])
    context["css_files"][:] = [
        css for css in context.get("css_files", [])
        if not any(name in str(getattr(css, "filename", css)) for name in unused)]
    scripts = []
    for script in context.get("script_files", []):
        filename = str(getattr(script, "filename", script) or "")
        attributes = dict(getattr(script, "attributes", {}))
        if (any(name in filename for name in unused)
                or "THEBE_JS_URL" in attributes.get("body", "")):
            continue
        if (filename and not filename.endswith(("documentation_options.js", "doctools.js"))
                and "async" not in attributes and "defer" not in attributes
                and hasattr(script, "priority")):
            script = type(script)(script.filename, priority=script.priority,
                                  **attributes, defer="defer")
        scripts.append(script)
    context["script_files"][:] = scripts


def without_fontawesome(markup):
    """Template filter: the theme's preload block less its ``fontawesome.js`` script tag."""
    lines = str(markup).splitlines()
    kept = [line for line in lines if "fontawesome.js" not in line]
    if len(kept) == len(lines):
        logger.warning("site_fixes: the theme no longer loads fontawesome.js as expected; "
                       "check book/_templates/layout.html against the theme's layout.html")
    return type(markup)("\n".join(kept)) if hasattr(markup, "__html__") else "\n".join(kept)


def register_template_filter(app):
    if app.builder.format == "html":
        app.builder.templates.environment.filters["without_fontawesome"] = without_fontawesome


def link_images_to_their_files(app, doctree, docname):
    """Wrap every image of a page in a link to the image file (tap to see it full size),
    and let the browser load it when the reader scrolls near it (``loading="lazy"``)."""
    if app.builder.format != "html":
        return
    images_path = relative_uri(app.builder.get_target_uri(docname), "_images")
    for image in list(doctree.findall(nodes.image)):
        image["loading"] = "lazy"
        if isinstance(image.parent, nodes.reference):
            continue
        uri = image.get("candidates", {}).get("*", image["uri"])
        if uri not in app.env.images:
            continue  # a remote image or a data URI: nothing to link to
        name = app.env.images[uri][1]
        link = nodes.reference("", "", internal=True,
                               refuri=posixpath.join(images_path, name),
                               classes=["ae-figure-link"],
                               reftitle="Open the figure on its own, full size")
        image.replace_self(link)
        link.append(image)


def visit_citation(self, node):
    """A bibliography entry as an item of its list (``role="listitem"``).

    docutils marks each one ``role="doc-biblioentry"``, a role DPUB-ARIA 1.1 deprecated
    and that a ``div`` may not take: Lighthouse's accessibility audit scored the
    bibliography 93 for it.
    """
    if not isinstance(node.previous_sibling(), type(node)):
        self.body.append('<div role="list" class="citation-list">\n')
    self.body.append(self.starttag(node, "div", classes=[node.tagname], role="listitem"))


def depart_citation(self, node):
    self.body.append("</div>\n")
    if not isinstance(node.next_node(descend=False, siblings=True), type(node)):
        self.body.append("</div>\n")


# Icon fonts ---------------------------------------------------------------------------

_RULE = re.compile(r"([^{}]+)\{([^{}]*)\}")
_ICON_SELECTOR = re.compile(r"^\.(fa-[a-z0-9-]+)::?(?:before|after)$")
_CODE = re.compile(r"\\([0-9a-fA-F]{1,6})\s?|([\ue000-\uf8ff])")


def _code_points(text):
    return {int(hexa, 16) if hexa else ord(char) for hexa, char in _CODE.findall(text)}


def used_icons(static_dir, pages):
    """The Font Awesome icons the site shows: (their ``fa-*`` names, their code points).

    The names are those of the icon classes that the pages or the theme's scripts name;
    the code points are theirs and every private-use character that the style sheets use
    outside Font Awesome's own icon catalogue (the theme's admonition and link icons).
    """
    catalogue, other = {}, set()
    for css in sorted(static_dir.rglob("*.css")):
        for selectors, body in _RULE.findall(css.read_text(encoding="utf-8", errors="ignore")):
            names = [_ICON_SELECTOR.match(s.strip()) for s in selectors.split(",")]
            if all(names) and "content" in body:
                for match in names:
                    catalogue.setdefault(match.group(1), set()).update(_code_points(body))
            else:
                other |= _code_points(body) & set(range(0xE000, 0xF900))
    named = set()
    for path in list(pages) + sorted(static_dir.rglob("*.js")):
        named |= set(re.findall(r"\bfa-[a-z0-9-]+", path.read_text(encoding="utf-8",
                                                                   errors="ignore")))
    used = set(other)
    for name in named:
        used |= catalogue.get(name, set())
    return named, used


def drop_unused_icon_rules(static_dir, names):
    """Remove the style sheets' ``.fa-NAME:before{content: ...}`` rules of icons no page
    shows: about 1,900 of them, 72 kB of every page's largest style sheet."""
    def keep(match):
        selectors = [_ICON_SELECTOR.match(s.strip()) for s in match.group(1).split(",")]
        if all(selectors) and not any(m.group(1) in names for m in selectors):
            return ""
        return match.group(0)

    for css in static_dir.rglob("*.css"):
        text = css.read_text(encoding="utf-8")
        if ":before{content" not in text and ":before {content" not in text:
            continue
        pruned = _RULE.sub(keep, text)
        if pruned != text:
            css.write_text(pruned, encoding="utf-8")


def subset_icon_fonts(static_dir, code_points):
    """Cut each icon font down to ``code_points``, as WOFF, and point the style sheets at it.

    The theme's ``@font-face`` rules name ``fa-*.woff2`` and ``fa-*.ttf``; they are
    rewritten in the built site to name ``fa-*.subset.woff`` (WOFF: fontTools writes WOFF2
    only with the brotli package, which is not installed). The full fonts are removed.
    """
    from fontTools import subset
    from fontTools.ttLib import TTFont

    import pydata_sphinx_theme

    # From the theme's package: the built site's copies are removed below.
    sources = (pathlib.Path(pydata_sphinx_theme.__file__).parent / "theme"
               / "pydata_sphinx_theme" / "static" / FONTS)
    written = []
    for stem, _, _ in ICON_FONTS:
        source = sources / f"{stem}.ttf"
        if not source.is_file():
            logger.warning("site_fixes: %s is missing; the icons keep the theme's full fonts",
                           source)
            continue
        font = TTFont(source)
        wanted = sorted(set(font.getBestCmap()) & code_points) or [0x20]
        options = subset.Options()
        options.flavor = "woff"
        subsetter = subset.Subsetter(options)
        subsetter.populate(unicodes=wanted)
        subsetter.subset(font)
        font.flavor = "woff"
        font.save(static_dir / FONTS / f"{stem}.subset.woff")
        written.append(stem)
    for css in static_dir.rglob("*.css"):
        text = css.read_text(encoding="utf-8")
        new = text
        for stem in written:
            new = re.sub(rf"url\(([^)]*?){stem}\.woff2\)\s*format\([^)]*\)"
                         rf"(?:\s*,\s*url\([^)]*?{stem}\.ttf\)\s*format\([^)]*\))?",
                         rf'url(\g<1>{stem}.subset.woff) format("woff")', new)
        if new != text:
            css.write_text(new, encoding="utf-8")
    for stem in written:
        for suffix in (".woff2", ".ttf"):
            (static_dir / FONTS / f"{stem}{suffix}").unlink(missing_ok=True)
    return written


def externalise_explorer_frames(outdir, pages):
    """Move each explorer's frames out of its page into ``_static/explorers/<id>.js``.

    Returns the number of explorers moved. A page whose explorer script does not read its
    frames as :data:`FRAMES_READ` expects is left as it was, with a warning (an error
    under ``-W``): ``ae_lib.widgets`` and this function must change together.
    """
    folder = outdir / "_static" / "explorers"
    moved = 0
    for page in pages:
        text = page.read_text(encoding="utf-8")
        blocks = FRAMES_BLOCK.findall(text)
        if not blocks:
            continue
        for uid, data in blocks:
            read, load = FRAMES_READ.format(uid=uid), FRAMES_LOAD.format(uid=uid)
            if text.count(read) != 1:
                logger.warning(f"site_fixes: {page.name}: the script of explorer {uid} does "
                               "not read its frames as expected; they stay in the page "
                               "(see FRAMES_READ)")
                continue
            folder.mkdir(parents=True, exist_ok=True)
            (folder / f"{uid}.js").write_text(
                f"(window.aeExplorerFrames=window.aeExplorerFrames||{{}})['{uid}']={data};\n",
                encoding="utf-8")
            src = posixpath.relpath(f"_static/explorers/{uid}.js",
                                    page.parent.relative_to(outdir).as_posix() or ".")
            text = text.replace(
                f'<script type="application/json" id="{uid}-frames">{data}</script>',
                f'<script type="application/json" id="{uid}-frames" data-src="{src}">'
                "</script>", 1).replace(read, load, 1)
            moved += 1
        page.write_text(text, encoding="utf-8")
    return moved


def finish(app, exception):
    if exception is not None or app.builder.format != "html":
        return
    outdir = pathlib.Path(app.outdir)
    static_dir = outdir / "_static"
    pages = [p for p in outdir.rglob("*.html") if "_static" not in p.parts]
    names, code_points = used_icons(static_dir, pages)
    subset_icon_fonts(static_dir, code_points)
    drop_unused_icon_rules(static_dir, names)
    externalise_explorer_frames(outdir, pages)
    for name in UNUSED:
        (static_dir / name).unlink(missing_ok=True)
    # Source maps (fetched only by a browser's developer tools) and the theme's message
    # catalogues (read by Sphinx while building, never by a page).
    for source_map in static_dir.glob("*/*.map"):
        source_map.unlink()
    shutil.rmtree(static_dir / "locales", ignore_errors=True)


def add_static_files(app):
    app.config.html_static_path.append(str(STATIC))


def setup(app):
    app.connect("builder-inited", add_static_files)
    app.connect("builder-inited", register_template_filter)
    app.add_css_file("site-fixes.css")
    app.add_js_file("site-fixes.js", defer="defer")
    # Late, after every other handler has added its scripts.
    app.connect("html-page-context", drop_duplicate_scripts, priority=999)
    app.connect("html-page-context", lighten_page, priority=1000)
    app.connect("doctree-resolved", link_images_to_their_files)
    app.add_node(nodes.citation, override=True, html=(visit_citation, depart_citation))
    app.connect("build-finished", finish)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
