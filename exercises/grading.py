"""What ``check`` says: one line per quantity, PASS or FAIL, and the mistakes it recognises.

A grader compares what the student's code computes with what the library's own code
computes on the same float64 inputs (``compare``), and runs the library's own gradient
checks on the student's code (``gradient_check``: :mod:`minidl.gradcheck`, central
differences, a random upstream gradient, dx and every parameter). A mistake is
*recognised* when the student's result matches a transformed form of the reference
(the reference transposed, times B, with its sign flipped, ...): each exercise lists
those forms with the words that name them. Nothing here re-implements a lesson.

The student's code runs inside :meth:`Grader.run`. ``NotImplementedError("exercise: ...")``
means "not written yet"; any other exception is reported with its line in the student's
file, never as a traceback.
"""
import math
import re
import traceback

import numpy

from minidl import backend

__all__ = ["Grader", "Outcome", "Report", "NotStarted", "Stop", "host64"]

MARK = "exercise:"          # the message every skeleton's NotImplementedError starts with


class NotStarted(Exception):
    """The student's code raised the skeleton's NotImplementedError."""


class Stop(Exception):
    """The student's code failed in a way that makes the rest of this part meaningless."""


def host64(a):
    """A host float64 NumPy array of ``a`` (a NumPy or CuPy array, or a number)."""
    if hasattr(a, "shape") and not isinstance(a, numpy.ndarray):
        a = backend.to_host(a)
    return numpy.asarray(a, dtype=numpy.float64)


def _shape(a):
    return tuple(getattr(a, "shape", ()))


class Outcome:
    """One graded quantity: PASS/FAIL, the relative error, shapes, recognised mistakes."""

    def __init__(self, quantity, passed, *, rel_error=None, expected_shape=None,
                 found_shape=None, mistakes=(), note=""):
        self.quantity, self.passed, self.rel_error = quantity, passed, rel_error
        self.expected_shape, self.found_shape = expected_shape, found_shape
        self.mistakes, self.note = list(mistakes), note

    def lines(self):
        head = f"  {'PASS' if self.passed else 'FAIL'}  {self.quantity}"
        facts = []
        if self.rel_error is not None:
            facts.append(f"relative error {self.rel_error:.1e}")
        if self.expected_shape is not None:
            found = self.found_shape
            facts.append(f"shape {self.expected_shape}" if found == self.expected_shape
                         else f"shape expected {self.expected_shape}, found {found}")
        out = [head + (": " + ", ".join(facts) if facts else "")]
        out += [f"        {line}" for line in self.note.splitlines() if line.strip()]
        out += [f"        mistake: {m}" for m in self.mistakes]
        return out


class Report:
    """The grade of one exercise: its outcomes and a status."""

    def __init__(self, name, title):
        self.name, self.title = name, title
        self.outcomes, self.not_started, self.error = [], None, None

    @property
    def passed(self):
        return (self.error is None and self.not_started is None and bool(self.outcomes)
                and all(o.passed for o in self.outcomes))

    @property
    def status(self):
        if self.error is not None:
            return "error"
        if self.passed:
            return "done"
        if self.not_started is not None and not any(o.passed for o in self.outcomes):
            return "not started"
        return "failing"

    @property
    def mistakes(self):
        return [m for o in self.outcomes for m in o.mistakes]

    def text(self):
        n_pass = sum(o.passed for o in self.outcomes)
        lines = [f"{self.name}: {self.title}"]
        if self.error is not None:
            lines.append(f"  ERROR {self.error}")
        for o in self.outcomes:
            lines += o.lines()
        if self.not_started is not None:
            lines.append(f"  not written yet: {self.not_started}")
        lines.append(f"{self.name}: {self.status.upper()} ({n_pass} of {len(self.outcomes)} "
                     f"checks pass)")
        return "\n".join(lines)


_ARRAY_LIBRARIES = ("site-packages", "dist-packages", "_cupy_standin", "/numpy/", "/cupy/")


def _where(exc, source):
    """'line N: <code>' of the innermost frame in the student's file (or the last frame)."""
    frames = traceback.extract_tb(exc.__traceback__)
    if source:
        mine = [f for f in frames if f.filename == source]
    else:                       # a notebook's object: the innermost frame not in an array library
        mine = [f for f in frames if not any(s in f.filename for s in _ARRAY_LIBRARIES)]
    f = (mine or frames or [None])[-1]
    if f is None:
        return ""
    name = "your file" if (mine and source) else f.filename
    return f"{name}, line {f.lineno}: {(f.line or '').strip()}"


_SHAPE = re.compile(r"\((\d+(?:, ?\d+)*),?\)")


def _shape_hint(exc, where):
    """Name the mistake behind ``p.grad += g`` with g of the wrong shape, when it is one.

    The shapes are read from the error message (NumPy's and CuPy's word it differently):
    a pair (S, S reversed) is a transposed gradient, a pair (S, (B,) + S) an unsummed one.
    """
    name = re.search(r"(\w+)\.grad\s*[-+]?=", where)
    if not isinstance(exc, ValueError) or not name:
        return []
    shapes = {tuple(int(v) for v in m.split(",") if v.strip())
              for m in _SHAPE.findall(str(exc))}
    d = "d" + name.group(1)
    for s in shapes:
        for t in shapes:
            if s != t and len(s) == 2 and t == s[::-1]:
                return [f"{d} has its shape transposed: {t} against the parameter's {s} "
                        f"(or the reverse)"]
            if len(t) == len(s) + 1 and t[1:] == s:
                return [f"{d} is not summed over the batch: {t} into a parameter of shape {s}"]
    return []


class Grader:
    """Runs the student's code and records one :class:`Outcome` per quantity."""

    def __init__(self, report, source=None):
        self.report, self.source = report, source

    def add(self, outcome):
        self.report.outcomes.append(outcome)
        return outcome

    def run(self, quantity, fn, *args, **kwargs):
        """``fn(*args)``, the student's code; its failures become outcomes, not tracebacks."""
        try:
            return fn(*args, **kwargs)
        except NotImplementedError as exc:
            if str(exc).startswith(MARK):
                raise NotStarted(str(exc)[len(MARK):].strip() or quantity) from None
            self._raised(quantity, exc)
        except (Stop, NotStarted):
            raise
        except Exception as exc:                    # the student's bug, reported in words
            self._raised(quantity, exc)

    def _raised(self, quantity, exc):
        where = _where(exc, self.source)
        self.add(Outcome(quantity, False, note=f"your code raised {type(exc).__name__}: {exc}"
                                               f"\n({where})", mistakes=_shape_hint(exc, where)))
        raise Stop

    def compare(self, quantity, expected, found, mistakes=(), *, rtol=1e-6, atol=1e-9,
                finite_hint=None, mistake_rtol=None):
        """PASS when ``found`` equals ``expected`` (the library's value) within tolerance.

        ``mistakes``: (words, the reference transformed) pairs, the second an array or a
        callable returning one; on a FAIL each that matches ``found`` is named.
        ``finite_hint``: the words for a result with inf or NaN in it. ``mistake_rtol``:
        the relative tolerance of those matches (default ``rtol``; a sampled estimate
        scaled by B needs a relative one).
        """
        exp = host64(expected)
        if found is None:
            return self.add(Outcome(quantity, False, expected_shape=exp.shape,
                                    note="your code returned None"))
        try:
            got = host64(found)
        except Exception as exc:
            return self.add(Outcome(quantity, False, expected_shape=exp.shape,
                                    note=f"not an array of numbers: {type(found).__name__} "
                                         f"({exc})"))
        out = Outcome(quantity, False, expected_shape=exp.shape, found_shape=got.shape)
        if got.shape == exp.shape:
            out.rel_error, out.passed = _agreement(exp, got, rtol, atol)
        if not out.passed:
            if finite_hint and not numpy.isfinite(got).all():
                out.mistakes.append(finite_hint)
            for words, alt in mistakes:
                try:
                    alt = host64(alt() if callable(alt) else alt)
                except Exception:
                    continue
                tol = rtol if mistake_rtol is None else mistake_rtol
                if alt.shape == got.shape and _agreement(alt, got, tol, atol)[1]:
                    out.mistakes.append(words)
        return self.add(out)

    def gradient_check(self, quantity, check):
        """Run one of minidl.gradcheck's checks on the student's code: PASS, or FAIL with
        the check's own message (the worst element, both values, the tolerances)."""
        try:
            worst = check()
        except AssertionError as exc:
            text = str(exc)
            m = re.search(r"= ([0-9.e+-]+),", text)
            return self.add(Outcome(quantity, False, rel_error=float(m.group(1)) if m else None,
                                    note=text.replace("\n  ", "\n")))
        except NotImplementedError as exc:
            if str(exc).startswith(MARK):
                raise NotStarted(str(exc)[len(MARK):].strip() or quantity) from None
            self._raised(quantity, exc)
        except Exception as exc:
            self._raised(quantity, exc)
        return self.add(Outcome(quantity, True, rel_error=worst))


def _agreement(expected, found, rtol, atol):
    """(‖f − e‖ / (‖f‖ + ‖e‖), whether ‖f − e‖ <= atol + rtol (‖f‖ + ‖e‖))."""
    if not (numpy.isfinite(found).all() and numpy.isfinite(expected).all()):
        same = bool(numpy.array_equal(found, expected))
        return (0.0 if same else math.inf), same
    diff = float(numpy.linalg.norm(found - expected))
    scale = float(numpy.linalg.norm(found)) + float(numpy.linalg.norm(expected))
    return diff / max(scale, 1e-300), diff <= atol + rtol * scale
