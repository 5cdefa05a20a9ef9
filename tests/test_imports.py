"""ae_lib's modules import each other at the top only, and never in a cycle."""

from __future__ import annotations

import ast
import pathlib

import pytest

PACKAGE = pathlib.Path(__file__).resolve().parent.parent / "ae_lib"
MODULES = {f"ae_lib.{path.stem}" if path.stem != "__init__" else "ae_lib": path
           for path in sorted(PACKAGE.glob("*.py"))}


def _imported_modules(node, module, known):
    """The ae_lib modules an Import or ImportFrom node imports, resolved against ``known``."""
    if isinstance(node, ast.Import):
        return {alias.name for alias in node.names if alias.name in known}
    if node.level:  # relative: from . import x, from .metrics import mse
        package = module if module == "ae_lib" else module.rsplit(".", 1)[0]
        base = ".".join([package, *([node.module] if node.module else [])])
    else:
        base = node.module or ""
    found = {base} if base in known else set()
    # from ae_lib import models: the name is a module; from ae_lib import __version__: not.
    found |= {f"{base}.{alias.name}" for alias in node.names if f"{base}.{alias.name}" in known}
    return found


def import_graph(sources):
    """``{module: (imports at the top, imports inside functions or classes)}``.

    ``sources`` maps module names (``"ae_lib.x"``) to their source text.
    """
    graph = {}
    for module, source in sources.items():
        top, nested = set(), set()

        def visit(node, inside):
            for child in ast.iter_child_nodes(node):
                deeper = inside or isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef,
                                                      ast.ClassDef, ast.Lambda))
                if isinstance(child, (ast.Import, ast.ImportFrom)):
                    (nested if deeper else top).update(
                        _imported_modules(child, module, sources) - {module})
                visit(child, deeper)

        visit(ast.parse(source), False)
        graph[module] = (top, nested)
    return graph


def find_cycle(graph):
    """One import cycle as a list of modules (first == last), or None."""
    edges = {module: top | nested for module, (top, nested) in graph.items()}
    state, stack = {}, []

    def visit(module):
        state[module] = "open"
        stack.append(module)
        for target in sorted(edges.get(module, ())):
            if state.get(target) == "open":
                return stack[stack.index(target):] + [target]
            if target not in state:
                cycle = visit(target)
                if cycle:
                    return cycle
        stack.pop()
        state[module] = "done"
        return None

    for module in sorted(edges):
        if module not in state:
            cycle = visit(module)
            if cycle:
                return cycle
    return None


@pytest.fixture(scope="module")
def graph():
    return import_graph({module: path.read_text() for module, path in MODULES.items()})


def test_ae_lib_has_no_import_cycle(graph):
    assert find_cycle(graph) is None, " -> ".join(find_cycle(graph))


def test_no_ae_lib_module_is_imported_inside_a_function(graph):
    hidden = {module: sorted(nested) for module, (_, nested) in graph.items() if nested}
    assert not hidden, f"imports inside functions or classes: {hidden}"


def test_the_validation_module_imports_no_other_ae_lib_module(graph):
    top, nested = graph["ae_lib.validation"]
    assert top | nested == set()


def test_the_checks_can_fail_on_a_cycle_and_on_a_hidden_import():
    sources = {
        "ae_lib.a": "from ae_lib import b\n",
        "ae_lib.b": "def f():\n    from .a import g\n",
        "ae_lib.c": "import ae_lib.a\nfrom ae_lib import __version__\n",
        "ae_lib": "__version__ = '0'\n",
    }
    graph = import_graph(sources)
    assert graph["ae_lib.b"] == (set(), {"ae_lib.a"})
    assert graph["ae_lib.c"] == ({"ae_lib.a", "ae_lib"}, set())
    assert find_cycle(graph) in (["ae_lib.a", "ae_lib.b", "ae_lib.a"],
                                 ["ae_lib.b", "ae_lib.a", "ae_lib.b"])
    del sources["ae_lib.b"]
    assert find_cycle(import_graph(sources)) is None


def test_the_split_modules_each_have_their_job(graph):
    # Pipelines, fitting, probes and stacking live apart; noise needs the pipelines only.
    for module in ("ae_lib.batching", "ae_lib.probes", "ae_lib.stacking", "ae_lib.training"):
        assert module in graph
    assert "ae_lib.training" not in graph["ae_lib.noise"][0]
    assert "ae_lib.regularizers" in graph["ae_lib.models"][0]
