"""Exercises: write a lesson's code yourself, and let the library's own checks grade it.

From the checkout (this package is not installed by ``pip install .``)::

    python -m exercises list                 # the exercises in lecture order, with your status
    python -m exercises start dense          # writes my_exercises/dense.py; never overwrites
    python -m exercises check dense          # grades that file; exit 0 only when all pass
    python -m exercises check --all          # a progress table

The folder is ``./my_exercises`` or ``$MINIDL_EXERCISES``. In a notebook::

    from exercises import check
    check("dense", MyDense)                  # grades a class or function object

Each skeleton holds the signature, the library's docstring with its equations, and bodies
that raise ``NotImplementedError("exercise: ...")``; the plumbing (input checks,
Parameters, devices) is given. The grader (:mod:`exercises.grading`) compares the student's
results with the library's on float64 inputs, runs :mod:`minidl.gradcheck` on the student's
code, uses the exact RBM oracle of :mod:`rbm.exact`, and names recognised mistakes.
The library's own code is the solution (:mod:`exercises.solutions`).
"""
import importlib
import importlib.util
import inspect
import os
import pathlib
import sys
import types

from exercises.grading import Grader, NotStarted, Report, Stop

__all__ = ["EXERCISES", "Exercise", "check", "grade", "grade_file", "skeleton_text",
           "exercise_dir", "start"]

SKELETONS = pathlib.Path(__file__).parent / "skeletons"
DOC_MARK = '"""@library '


class Exercise:
    """One lesson: its skeleton file, the object the student writes, and its graded parts.

    ``parts()``: builds the graded parts on the current backend, functions
    ``part(obj, grader)`` that record outcomes through the grader. A part stops at the
    student's first exception; the other parts still run. ``target``: the name the
    student's file defines (None: the file's module itself, for several classes).
    """

    def __init__(self, name, title, target, parts):
        self.name, self.title, self.target, self.parts = name, title, target, parts

    @property
    def skeleton(self):
        return SKELETONS / f"{self.name}.py"

    def __repr__(self):
        return f"Exercise({self.name!r})"


def _catalog():
    from exercises import catalog_layers, catalog_losses, catalog_rbm, catalog_vae
    order = ["dense", "activations", "bce_logits", "softmax_ce", "adam", "tied_dense",
             "kl_sparsity", "ksparse", "contractive", "conv2d", "maxpool", "lstm", "vae",
             "rbm_free_energy", "cd_k", "ais"]
    found = {}
    for mod in (catalog_layers, catalog_losses, catalog_rbm, catalog_vae):
        found.update({ex.name: ex for ex in mod.EXERCISES})
    assert sorted(found) == sorted(order), "every exercise has a place in the lecture order"
    return {name: found[name] for name in order}


EXERCISES = _catalog()


def _get(name):
    if name not in EXERCISES:
        raise KeyError(f"no exercise named {name!r}; the exercises are: {', '.join(EXERCISES)}")
    return EXERCISES[name]


def grade(name, obj, *, source=None):
    """Grade ``obj`` (the class or function of exercise ``name``): a :class:`Report`."""
    ex = _get(name)
    report = Report(ex.name, ex.title)
    grader = Grader(report, source)
    if isinstance(obj, dict):
        obj = types.SimpleNamespace(**obj)
    for part in ex.parts():
        try:
            part(obj, grader)
        except NotStarted as exc:
            report.not_started = report.not_started or str(exc)
        except Stop:
            pass
    return report


def check(name, obj):
    """Grade ``obj`` for exercise ``name`` and print the report; True when every check passes."""
    report = grade(name, obj)
    print(report.text())
    return report.passed


def exercise_dir():
    """Where skeletons are written: ``$MINIDL_EXERCISES`` or ``./my_exercises``."""
    return pathlib.Path(os.environ.get("MINIDL_EXERCISES") or "my_exercises")


def skeleton_text(name):
    """The skeleton of ``name`` with the library's docstrings filled in."""
    lines = []
    for line in _get(name).skeleton.read_text(encoding="utf-8").splitlines():
        stripped = line.strip()
        if stripped.startswith(DOC_MARK):
            indent = line[:len(line) - len(line.lstrip())]
            module, _, attr = stripped[len(DOC_MARK):].strip('" ').partition(":")
            obj = importlib.import_module(module)
            for part in filter(None, attr.split(".")):
                obj = getattr(obj, part)
            doc = inspect.getdoc(obj).replace("\\", "\\\\")
            where = f"{module}.{attr}" if attr else module
            body = doc.splitlines() + ["", f"(The library's own docstring: {where}.)"]
            lines.append(indent + '"""' + body[0])
            lines += [(indent + b) if b else "" for b in body[1:]]
            lines.append(indent + '"""')
        else:
            lines.append(line)
    return "\n".join(lines) + "\n"


def start(name, folder=None):
    """Write the skeleton of ``name`` to ``folder/name.py``, never overwriting: (path, new)."""
    folder = pathlib.Path(folder) if folder is not None else exercise_dir()
    path = folder / f"{name}.py"
    text = skeleton_text(name)
    if path.exists():
        return path, False
    folder.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp{os.getpid()}")
    tmp.write_text(text, encoding="utf-8")
    try:
        os.link(tmp, path)            # atomic, and fails if a file appeared meanwhile
    except FileExistsError:
        return path, False
    finally:
        tmp.unlink()
    return path, True


def load(path, module_name):
    """Import the student's file from where it lives; (module, None) or (None, error words)."""
    path = pathlib.Path(path).resolve()
    spec = importlib.util.spec_from_file_location(module_name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules.pop(module_name, None)
    try:
        source = path.read_text(encoding="utf-8")
        code = compile(source, str(path), "exec")
    except SyntaxError as exc:
        return None, (f"syntax error in {path}, line {exc.lineno}: {exc.msg}\n"
                      f"    {(exc.text or '').rstrip()}")
    try:
        exec(code, module.__dict__)
    except Exception as exc:
        from exercises.grading import _where
        return None, (f"importing {path} raised {type(exc).__name__}: {exc} "
                      f"({_where(exc, str(path))})")
    return module, None


def grade_file(name, path=None):
    """Grade the student's file for ``name`` (default: the exercise folder): a Report."""
    ex = _get(name)
    path = pathlib.Path(path) if path is not None else exercise_dir() / f"{name}.py"
    if not path.exists():
        report = Report(ex.name, ex.title)
        report.not_started = f"no file {path}: run `python -m exercises start {name}`"
        return report
    module, error = load(path, f"_student_{name}")
    if error is None and ex.target is not None and not hasattr(module, ex.target):
        error = f"{path} defines no {ex.target!r}: keep the skeleton's name"
    if error is not None:
        report = Report(ex.name, ex.title)
        report.error = error
        return report
    obj = module if ex.target is None else getattr(module, ex.target)
    return grade(name, obj, source=str(path.resolve()))
