"""Small fixes to the site's pages that configuration cannot make (a local Sphinx extension).

Jupyter Book 1 adds sphinx-thebe's and sphinx-togglebutton's inline scripts twice to every
page. The second ``const THEBE_JS_URL = ...`` is a JavaScript error ("Identifier has
already been declared") in every reader's console, and the browser test fails on console
errors. This drops exact duplicates from each page's script list.
"""


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
    # In place: later handlers (MathJax's among them) append to this same list.
    context["script_files"][:] = unique


def setup(app):
    # Late, after every other handler has added its scripts.
    app.connect("html-page-context", drop_duplicate_scripts, priority=999)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
