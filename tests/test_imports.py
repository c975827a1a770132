"""Compute code asks minidl.backend for its array module; it never imports numpy or cupy."""
import ast
import pathlib

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[1]
COMPUTE = (["minidl/layers", "autoencoders", "rbm"]
           + [f"minidl/{m}.py" for m in ("losses", "optimizers", "parameter", "model",
                                         "training", "pretrain", "callbacks",
                                         "gradcheck", "classifier")])


def compute_files():
    for entry in COMPUTE:
        path = ROOT / entry
        if path.is_dir():
            yield from sorted(path.glob("*.py"))
        elif path.exists():
            yield path


def imported_modules(path):
    tree = ast.parse(path.read_text(), filename=str(path))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            yield from (a.name.split(".")[0] for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            yield node.module.split(".")[0]


def test_there_are_compute_files_to_check():
    assert len(list(compute_files())) >= 10


@pytest.mark.parametrize("path", list(compute_files()), ids=lambda p: str(p.relative_to(ROOT)))
def test_compute_module_imports_neither_numpy_nor_cupy(path):
    bad = sorted(set(imported_modules(path)) & {"numpy", "cupy", "cupyx"})
    assert not bad, (f"{path.relative_to(ROOT)} imports {bad}: compute code must get its array "
                     f"module from minidl.backend (xp = backend.get_array_module(x))")


def test_packages_stay_apart():
    """autoencoders and rbm never import each other (DESIGN.md: arrows go one way)."""
    for pkg, other in (("autoencoders", "rbm"), ("rbm", "autoencoders")):
        for path in sorted((ROOT / pkg).glob("*.py")):
            assert other not in set(imported_modules(path)), f"{path.name} imports {other}"
