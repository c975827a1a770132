"""The import structure of ../shared/DESIGN.md ("The house"), checked by parsing the source.

* compute code asks minidl.backend for its array module; it never imports numpy or cupy;
* arrows go one way: ``minidl`` never imports ``autoencoders`` or ``rbm``, and those two
  never import each other;
* no import cycles inside a package (autoencoders/, rbm/, minidl/).

Imports are read with ``ast`` (module level and inside functions alike), so a lazy
import inside a function counts too.
"""
import ast
import pathlib

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[1]
COMPUTE = (["minidl/layers", "autoencoders", "rbm"]
           + [f"minidl/{m}.py" for m in ("losses", "optimizers", "parameter", "model",
                                         "training", "pretrain", "callbacks",
                                         "gradcheck", "classifier")])
PACKAGES = ("minidl", "autoencoders", "rbm")


def compute_files():
    for entry in COMPUTE:
        path = ROOT / entry
        if path.is_dir():
            yield from sorted(path.glob("*.py"))
        elif path.exists():
            yield path


def module_name(path):
    """Dotted module name of a file under ROOT ("minidl.layers.dense", "rbm")."""
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def import_statements(path):
    """For each import in ``path``: (module, [module.name for each imported name]),
    relative imports resolved; ``import a.b`` gives ("a.b", [])."""
    tree = ast.parse(path.read_text(), filename=str(path))
    package = module_name(path).split(".")
    if path.name != "__init__.py":
        package = package[:-1]
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            yield from ((a.name, []) for a in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package[:len(package) - node.level + 1]
                stem = ".".join(base + ([node.module] if node.module else []))
            else:
                stem = node.module
            yield stem, [f"{stem}.{a.name}" for a in node.names]


def imports_of(path, modules=()):
    """Dotted names of the modules ``path`` imports. ``from pkg import mod`` counts as
    importing ``pkg.mod`` (not ``pkg``'s __init__) when ``pkg.mod`` is in ``modules``."""
    for stem, names in import_statements(path):
        submodules = [n for n in names if n in modules]
        yield from submodules or [stem]


def imported_modules(path):
    """Top-level names of what ``path`` imports (numpy, minidl, ...)."""
    return {name.split(".")[0] for name in imports_of(path) if name}


def test_there_are_compute_files_to_check():
    assert len(list(compute_files())) >= 10


@pytest.mark.parametrize("path", list(compute_files()), ids=lambda p: str(p.relative_to(ROOT)))
def test_compute_module_imports_neither_numpy_nor_cupy(path):
    bad = sorted(imported_modules(path) & {"numpy", "cupy", "cupyx"})
    assert not bad, (f"{path.relative_to(ROOT)} imports {bad}: compute code must get its array "
                     f"module from minidl.backend (xp = backend.get_array_module(x))")


def test_packages_stay_apart():
    """autoencoders and rbm never import each other (DESIGN.md: arrows go one way)."""
    for pkg, other in (("autoencoders", "rbm"), ("rbm", "autoencoders")):
        files = sorted((ROOT / pkg).rglob("*.py"))
        assert files, f"no files found under {pkg}/"
        for path in files:
            assert other not in imported_modules(path), f"{path.name} imports {other}"


def test_minidl_never_imports_a_model_package():
    """minidl is the layer library: it knows nothing of autoencoders or RBMs."""
    files = sorted((ROOT / "minidl").rglob("*.py"))
    assert len(files) >= 15
    offenders = {str(p.relative_to(ROOT)): sorted(imported_modules(p) & {"autoencoders", "rbm"})
                 for p in files}
    assert not {k: v for k, v in offenders.items() if v}, offenders


def import_graph(package):
    """{module: set of modules of the same package it imports}."""
    files = {module_name(p): p for p in sorted((ROOT / package).rglob("*.py"))}
    return {name: {m for m in imports_of(path, files) if m in files and m != name}
            for name, path in files.items()}


def find_cycle(graph):
    """One import cycle as a list of modules [a, b, ..., a], or None (depth-first search)."""
    state, stack = {}, []

    def visit(node):
        state[node] = "open"
        stack.append(node)
        for nxt in sorted(graph[node]):
            if state.get(nxt) == "open":
                return stack[stack.index(nxt):] + [nxt]
            if nxt not in state:
                found = visit(nxt)
                if found:
                    return found
        stack.pop()
        state[node] = "done"
        return None

    for node in sorted(graph):
        if node not in state:
            found = visit(node)
            if found:
                return found
    return None


def test_cycle_finder_finds_a_planted_cycle():
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b"}, "b": set(), "c": {"a", "b"}}) is None


@pytest.mark.parametrize("package", PACKAGES)
def test_no_import_cycles_inside_a_package(package):
    """A package's own modules never import each other in a circle (a package's
    __init__ re-exporting its modules is not a cycle unless a module imports it back)."""
    graph = import_graph(package)
    assert len(graph) >= 3
    cycle = find_cycle(graph)
    assert cycle is None, f"import cycle in {package}/: {' -> '.join(cycle)}"
