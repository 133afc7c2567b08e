"""The package layout follows the papers: small modules, one concern each, no import cycles.

Static checks of ``refgrow/`` (the source is parsed, nothing is imported):

(a) no module is over ``MAX_LINES`` lines unless its docstring has a ``Single concern:`` line saying why
    one concern needs the length;
(b) no import cycle between refgrow modules, counting module-level **and** function-level imports
    (a function-level import hides a cycle from Python but not from a reader);
(c) no growth method imports another method (``tiny``, ``gradmax``, ``random_neurons``, ``folding``):
    what two methods share lives in a shared module they both import;
(d) no module imports a private name (``_x``) of another refgrow module, either by ``from m import _x``
    or by ``m._x`` on an imported module; private *modules* (``refgrow._validation``,
    ``refgrow._registry``, ``refgrow.bench._timing``: a leading underscore in the module path) are
    the place for shared internals and may be imported freely. A package's ``__init__`` may re-export
    names of its own submodules (old import paths keep working after a module became a package).

Edges from a module to one of its own parent packages are not counted as cycle edges: Python
initialises a package before any of its submodules, so such an import cannot be the start of an
import-order problem, and re-exporting a submodule's names from its package is the documented way to
keep old import paths working.
"""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1] / "refgrow"
MAX_LINES = 500
METHODS = ("tiny", "gradmax", "random_neurons", "folding")


def _modules() -> dict:
    """Dotted module name -> path, for every ``.py`` file of the package."""
    mods = {}
    for path in sorted(ROOT.rglob("*.py")):
        parts = path.relative_to(ROOT.parent).with_suffix("").parts
        if parts[-1] == "__init__":
            parts = parts[:-1]
        mods[".".join(parts)] = path
    return mods


MODULES = _modules()


def _is_package(name: str) -> bool:
    return MODULES[name].name == "__init__.py"


def _resolve(name: str, node: ast.ImportFrom) -> str:
    """The absolute module named by a (possibly relative) ``from ... import``."""
    if not node.level:
        return node.module or ""
    base = name.split(".")
    if not _is_package(name):
        base = base[:-1]
    base = base[: len(base) - (node.level - 1)]
    return ".".join(base + ([node.module] if node.module else []))


def _imports(name: str) -> list:
    """``(target module, imported name or None, line)`` for every refgrow import anywhere in ``name``."""
    tree = ast.parse(MODULES[name].read_text(), filename=str(MODULES[name]))
    out = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for a in node.names:
                if a.name.split(".")[0] == "refgrow":
                    out.append((a.name, None, node.lineno))
        elif isinstance(node, ast.ImportFrom):
            base = _resolve(name, node)
            if base.split(".")[0] != "refgrow":
                continue
            for a in node.names:
                sub = f"{base}.{a.name}"
                if sub in MODULES:
                    out.append((sub, None, node.lineno))
                else:
                    out.append((base, a.name, node.lineno))
    return out


def _private(part: str) -> bool:
    return part.startswith("_") and not (part.startswith("__") and part.endswith("__"))


def _is_private_module(mod: str) -> bool:
    return any(_private(p) for p in mod.split("."))


def _same_subpackage(a: str, b: str) -> bool:
    """Both modules are submodules of one sub-package of refgrow (e.g. ``refgrow.growth.tiny.linalg``
    and ``refgrow.growth.tiny.network``): a leading underscore marks a name private to that package,
    which is one paper concept split over files, so its modules may share it. Top-level modules of
    ``refgrow`` itself are separate concepts and may not."""
    pa, pb = a.rsplit(".", 1)[0], b.rsplit(".", 1)[0]
    return pa == pb and pa != "refgrow"


def _ancestors(name: str) -> set:
    parts = name.split(".")
    return {".".join(parts[:i]) for i in range(1, len(parts))}


def _graph() -> dict:
    graph = {}
    for name in MODULES:
        deps = set()
        for target, _, _ in _imports(name):
            while target not in MODULES and "." in target:       # an attribute of a module
                target = target.rsplit(".", 1)[0]
            if target in MODULES and target != name and target not in _ancestors(name):
                deps.add(target)
        graph[name] = deps
    return graph


def _cycles(graph: dict) -> list:
    """Strongly connected components with more than one module (Tarjan)."""
    index, low, stack, on, comps, counter = {}, {}, [], set(), [], [0]

    def visit(v):
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in sorted(graph[v]):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                comps.append(sorted(comp))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return comps


def _method(mod: str):
    """The growth method a module belongs to (``refgrow.growth.<method>[.*]``), or None."""
    parts = mod.split(".")
    if len(parts) >= 3 and parts[:2] == ["refgrow", "growth"] and parts[2] in METHODS:
        return parts[2]
    return None


# ------------------------------------------------------------------------------------------------
def test_layout_checks_see_the_package():
    assert {"refgrow.mlp", "refgrow.layers", "refgrow.geometry", "refgrow.growth"} <= set(MODULES)
    assert any(t == "refgrow.layers" for t, _, _ in _imports("refgrow.mlp"))


def test_cycle_finder_finds_a_cycle():
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert _cycles({"a": {"b"}, "b": set()}) == []


@pytest.mark.parametrize("name", sorted(MODULES))
def test_a_module_over_the_limit_says_why(name):
    path = MODULES[name]
    n_lines = len(path.read_text().splitlines())
    doc = ast.get_docstring(ast.parse(path.read_text())) or ""
    justified = any(line.strip().startswith("Single concern:") for line in doc.splitlines())
    assert n_lines <= MAX_LINES or justified, (
        f"{path.relative_to(ROOT.parent)} has {n_lines} lines (> {MAX_LINES}): split it by concern, or "
        "say in its docstring why one concern needs it (a line starting 'Single concern:')")


def test_no_import_cycles():
    cycles = _cycles(_graph())
    assert cycles == [], f"import cycles between refgrow modules (function-level imports count): {cycles}"


def test_no_growth_method_imports_another():
    bad = [f"{name}:{line} imports {target}"
           for name in MODULES if _method(name)
           for target, _, line in _imports(name)
           if _method(target) and _method(target) != _method(name)]
    assert bad == [], "a growth method imports a sibling method (share code through a common module):\n" \
        + "\n".join(bad)


def test_no_private_names_across_modules():
    bad = []
    for name in MODULES:
        tree = ast.parse(MODULES[name].read_text())
        module_aliases = {}
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                for a in node.names:
                    if a.name.split(".")[0] == "refgrow" and a.asname:
                        module_aliases[a.asname] = a.name
            elif isinstance(node, ast.ImportFrom):
                base = _resolve(name, node)
                if base.split(".")[0] != "refgrow":
                    continue
                for a in node.names:
                    if f"{base}.{a.name}" in MODULES:
                        module_aliases[a.asname or a.name] = f"{base}.{a.name}"
                    elif (_private(a.name) and base != name and not _is_private_module(base)
                          and not (_is_package(name) and base.startswith(name + "."))
                          and not _same_subpackage(name, base)):
                        bad.append(f"{name}:{node.lineno} imports {a.name} from {base}")
        for node in ast.walk(tree):
            if (isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name)
                    and node.value.id in module_aliases and _private(node.attr)):
                target = module_aliases[node.value.id]
                if (target != name and not _is_private_module(target)
                        and not (_is_package(name) and target.startswith(name + "."))
                        and not _same_subpackage(name, target)):
                    bad.append(f"{name}:{node.lineno} uses {target}.{node.attr}")
    assert bad == [], "private names used across refgrow modules (make them public and documented, " \
        "or move them to a private module such as refgrow._validation):\n" + "\n".join(sorted(set(bad)))


def test_no_test_skips_when_a_refgrow_module_fails_to_import():
    """``importorskip`` of refgrow's own modules would turn a broken import into a silent skip."""
    tests_dir = Path(__file__).resolve().parent
    bad = []
    for path in sorted(tests_dir.glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text())):
            if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                    and node.func.attr == "importorskip" and node.args
                    and isinstance(node.args[0], ast.Constant)
                    and str(node.args[0].value).split(".")[0] == "refgrow"):
                bad.append(f"{path.name}:{node.lineno} importorskip({node.args[0].value!r})")
    assert bad == [], "\n".join(bad)


def test_private_names_may_be_shared_only_inside_one_subpackage():
    assert _same_subpackage("refgrow.growth.tiny.linalg", "refgrow.growth.tiny.network")
    assert not _same_subpackage("refgrow.mlp", "refgrow.geometry")
    assert not _same_subpackage("refgrow.growth.loop", "refgrow.growth.tiny.linalg")
